//! Word classes: the row of a word in spaCy en_core_web_md's vector table
//! (`word_rows.txt.gz`, derived by `scripts/derive_vector_rows.py`; the
//! vectors are CC0). spaCy maps its 684,830 keys onto 20,000 rows, each
//! dropped word onto its nearest kept one, so words sharing a row are alike
//! ("danube", "brahmaputra"; "toshiba", "dell"): a class the tagger can
//! generalise over where the word itself was never seen in training.
use std::sync::OnceLock;

use super::gunzip::gunzip_text;
use super::hash::finish;
use super::lexeme::{form_and_lower, Lexeme};

/// Class of a word the table does not have.
pub(crate) const UNKNOWN: u32 = 0;

/// The table as `build.rs` lays it out from `word_rows.txt.gz`: looked up
/// in place, nothing to inflate or hash at start-up.
static TABLE_BYTES: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/word_rows.bin"));

/// `build.rs`'s open-addressing table: `2^bits` key slots (0: empty), then
/// as many classes.
struct Table {
    bits: u32,
    keys: &'static [u8],
    classes: &'static [u8],
}

fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| Table::new(TABLE_BYTES))
}

impl Table {
    /// A table of no words when the bytes are not one (never a panic).
    fn new(bytes: &'static [u8]) -> Table {
        let bits = bytes
            .get(..4)
            .map_or(0, |b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]));
        let size = 1usize.checked_shl(bits).unwrap_or(0);
        match (bits, bytes.len().checked_sub(4)) {
            (1..=30, Some(n)) if size.checked_mul(10) == Some(n) => Table {
                bits,
                keys: &bytes[4..4 + size * 8],
                classes: &bytes[4 + size * 8..],
            },
            _ => Table {
                bits: 0,
                keys: &[],
                classes: &[],
            },
        }
    }

    /// The class of the word whose key is `key` (`finish` of its hash).
    /// Key 0 marks an empty slot, so no word has it (`build.rs` checks);
    /// a probe visits each slot at most once, so even a damaged, full
    /// table ends.
    fn get(&self, key: u64) -> Option<u32> {
        if self.keys.is_empty() || key == 0 {
            return None;
        }
        let mask = (1usize << self.bits) - 1;
        let mut at = (key >> (64 - self.bits)) as usize;
        for _ in 0..=mask {
            let slot = u64::from_le_bytes(self.keys[at * 8..at * 8 + 8].try_into().ok()?);
            if slot == 0 {
                return None;
            }
            if slot == key {
                let c = &self.classes[at * 2..at * 2 + 2];
                return Some(u32::from(u16::from_le_bytes([c[0], c[1]])));
            }
            at = (at + 1) & mask;
        }
        None
    }
}

/// 1 + the vector row of the word as written, else of its lowercase form,
/// else [`UNKNOWN`].
pub(crate) fn class_of(lex: &Lexeme) -> u32 {
    class_of_hashes(lex.form, lex.lower)
}

/// [`class_of`] from a word's [`Lexeme::form`] and [`Lexeme::lower`] hashes.
fn class_of_hashes(form: u64, lower: u64) -> u32 {
    let table = table();
    table
        .get(finish(form))
        .or_else(|| table.get(finish(lower)))
        .unwrap_or(UNKNOWN)
}

const EMBEDDED_COARSE: &[u8] = include_bytes!("row_classes.txt.gz");

/// Coarser classes of a vector row, finest first (1024, 256, 64 classes;
/// `scripts/derive_row_classes.py`).
pub(crate) type Coarse = [u16; 3];

fn coarse_table() -> &'static [Coarse] {
    static TABLE: OnceLock<Vec<Coarse>> = OnceLock::new();
    TABLE.get_or_init(|| parse_coarse(EMBEDDED_COARSE))
}

/// One `c1024 c256 c64` line per row after `#` comments; a damaged line
/// gives its row no coarse classes, never a panic.
fn parse_coarse(gz: &[u8]) -> Vec<Coarse> {
    let Some(text) = gunzip_text(gz) else {
        return Vec::new();
    };
    text.lines()
        .filter(|line| !line.starts_with('#'))
        .map(|line| {
            let mut levels = line
                .split(' ')
                .map(|n| n.parse::<u16>().unwrap_or(u16::MAX));
            [(); 3].map(|_| levels.next().unwrap_or(u16::MAX))
        })
        .collect()
}

/// The coarse classes of a word class, or `None` for [`UNKNOWN`].
pub(crate) fn coarse_of(class: u32) -> Option<Coarse> {
    let row = class.checked_sub(1)?;
    coarse_table().get(row as usize).copied()
}

/// [`class_of`] of a word that has no [`Lexeme`] (reported speech's
/// tokens): the same lookup, without computing the rest of a lexeme.
pub(crate) fn class_of_word(word: &str) -> u32 {
    let (form, lower) = form_and_lower(word);
    class_of_hashes(form, lower)
}

/// The class of a word given by its [`Lexeme::lower`] hash only.
pub(crate) fn class_of_lower(lower: u64) -> u32 {
    table().get(finish(lower)).unwrap_or(UNKNOWN)
}

#[cfg(test)]
mod tests {
    use super::super::hash::hash_str;
    use super::*;

    /// `build.rs` laid out every line of the committed table: each word's
    /// class is its row + 1 (the later line for a word given twice).
    #[test]
    fn the_built_table_holds_every_line_of_the_committed_one() {
        let gz = include_bytes!("word_rows.txt.gz");
        let text = gunzip_text(gz).expect("the committed table inflates");
        let mut expected = std::collections::HashMap::new();
        for line in text.lines().filter(|l| !l.starts_with('#')) {
            let (word, row) = line.split_once('\t').expect("word<TAB>row");
            expected.insert(finish(hash_str(word)), row.parse::<u32>().unwrap() + 1);
        }
        assert!(expected.len() > 280_000, "{} words", expected.len());
        for (&key, &class) in &expected {
            assert_eq!(table().get(key), Some(class));
        }
        assert_eq!(table().get(finish(hash_str("qzxqzx-not-a-word"))), None);
        assert_eq!(table().get(0), None, "0 is the empty-slot key");
        assert!(Table::new(b"junk").get(1).is_none());
        // A full table (no empty slot): a missing key still ends.
        let mut full = 1u32.to_le_bytes().to_vec();
        full.extend([5u64, 6].iter().flat_map(|k| k.to_le_bytes()));
        full.extend([1u16, 2].iter().flat_map(|c| c.to_le_bytes()));
        let full = Table::new(Box::leak(full.into_boxed_slice()));
        assert_eq!(full.get(6), Some(2));
        assert_eq!(full.get(7), None);
    }

    #[test]
    fn alike_words_share_a_class_and_case_falls_back() {
        let class = |w: &str| class_of(&Lexeme::new(w));
        assert_ne!(class("danube"), UNKNOWN);
        assert_eq!(class("Danube"), class("danube"));
        assert_eq!(class("DANUBE"), class("danube"));
        assert_eq!(class("toshiba"), class("dell"));
        assert_eq!(class("1996"), UNKNOWN);
        for w in ["Danube", "DANUBE", "toshiba", "Lavrov", "1996", "don’t"] {
            assert_eq!(class_of_word(w), class(w), "{w}");
        }
    }

    #[test]
    fn every_row_has_nested_coarse_classes() {
        assert_eq!(coarse_table().len(), 20_000);
        assert!(coarse_table()
            .iter()
            .all(|c| c[0] < 1024 && c[1] < 256 && c[2] < 64));
        assert_eq!(coarse_of(UNKNOWN), None);
        let coarse = |w: &str| coarse_of(class_of(&Lexeme::new(w)));
        // "toshiba" and "compaq" are different rows, one 1024-class.
        assert_ne!(
            class_of(&Lexeme::new("toshiba")),
            class_of(&Lexeme::new("compaq"))
        );
        assert_eq!(coarse("toshiba"), coarse("compaq"));
    }
}
