//! Lays out the embedded tables for use without start-up work: the entity
//! model inflated, and the word-class table (`word_rows.txt.gz`) as an
//! open-addressing hash table of `(key, class)` slots. The committed `.gz`
//! files stay the source (their derivation scripts are in `scripts/`);
//! inflating them at every start cost `extract` about 0.1 s
//! (BENCHMARKS.md), most of a small input's run.
//!
//! Output, in `OUT_DIR`: `ner.bin` (the model's raw bytes) and
//! `word_rows.bin`: `bits: u32`, then `2^bits` keys (`u64`), then `2^bits`
//! classes (`u16`), little-endian; a key of 0 marks an empty slot. Slot of
//! a key: its top `bits` bits, then the next slots in turn (linear probing).

use std::path::Path;

// The crate's own hashing and gzip reading, compiled in by path (they use
// nothing else of the crate); as the script's own sources, cargo reruns it
// when they change.
#[allow(dead_code)]
#[path = "src/extract/entities/hash.rs"]
mod hash;

#[allow(dead_code)]
#[path = "src/extract/entities/gunzip.rs"]
mod gunzip;

const MODEL: &str = "models/ner.bin.gz";
const WORD_ROWS: &str = "src/extract/entities/word_rows.txt.gz";

fn main() {
    println!("cargo:rerun-if-changed={MODEL}");
    println!("cargo:rerun-if-changed={WORD_ROWS}");
    let out = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    let out = Path::new(&out);
    write(&out.join("ner.bin"), &inflate(MODEL));
    let text = gunzip::gunzip_text(&read(WORD_ROWS)).expect("word_rows.txt.gz is gzip and UTF-8");
    write(&out.join("word_rows.bin"), &word_table(&text));
}

fn read(path: &str) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("reading {path}: {e}"))
}

fn inflate(path: &str) -> Vec<u8> {
    gunzip::gunzip(&read(path)).unwrap_or_else(|e| panic!("inflating {path}: {e}"))
}

fn write(path: &Path, bytes: &[u8]) {
    std::fs::write(path, bytes).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
}

/// `word<TAB>row` lines after `#` comments, keyed as the runtime looks
/// them up (`finish(hash_str(word))`), class `row + 1`; for a key given
/// twice the later line wins, as it did in the runtime `HashMap`. Table
/// words are ASCII letters and `-'.`, so `hash_str(word)` is the word's
/// `Lexeme::form`, and a lowercase word's key is also its `Lexeme::lower`.
fn word_table(text: &str) -> Vec<u8> {
    let entries: Vec<(u64, u16)> = text
        .lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| {
            let (word, row) = line.split_once('\t')?;
            let class = u16::try_from(row.parse::<u32>().ok()? + 1).expect("row fits u16");
            Some((hash::finish(hash::hash_str(word)), class))
        })
        .collect();
    // At most 75% full (55% today): short probes, mostly within one cache
    // line, in half the bytes of a table kept under half full; never
    // full, so a probe for a missing word meets an empty slot.
    let bits = (entries.len() * 4 / 3 + 1)
        .next_power_of_two()
        .max(2)
        .trailing_zeros();
    let size = 1usize << bits;
    let (mut keys, mut classes) = (vec![0u64; size], vec![0u16; size]);
    for (key, class) in entries {
        assert_ne!(key, 0, "a word hashes to the empty-slot key");
        let mut at = (key >> (64 - bits)) as usize;
        while keys[at] != 0 && keys[at] != key {
            at = (at + 1) & (size - 1);
        }
        keys[at] = key;
        classes[at] = class;
    }
    let mut out = Vec::with_capacity(4 + size * 10);
    out.extend(bits.to_le_bytes());
    keys.iter().for_each(|k| out.extend(k.to_le_bytes()));
    classes.iter().for_each(|c| out.extend(c.to_le_bytes()));
    out
}
