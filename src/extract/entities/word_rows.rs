//! Word classes: the row of a word in spaCy en_core_web_md's vector table
//! (`word_rows.txt.gz`, derived by `scripts/derive_vector_rows.py`; the
//! vectors are CC0). spaCy maps its 684,830 keys onto 20,000 rows, each
//! dropped word onto its nearest kept one, so words sharing a row are alike
//! ("danube", "brahmaputra"; "toshiba", "dell"): a class the tagger can
//! generalise over where the word itself was never seen in training.
use std::collections::HashMap;
use std::sync::OnceLock;

use super::gunzip::gunzip_text;
use super::hash::{finish, hash_str, PreHashed};
use super::lexeme::{form_and_lower, Lexeme};

const EMBEDDED: &[u8] = include_bytes!("word_rows.txt.gz");

/// Class of a word the table does not have.
pub(crate) const UNKNOWN: u32 = 0;

type Table = HashMap<u64, u32, PreHashed>;

fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| parse(EMBEDDED))
}

/// `word<TAB>row` lines after `#` comments; a damaged table gives fewer
/// (or no) classes, never a panic. Keys hash the word as
/// [`Lexeme::form`] does (table words are ASCII letters and `-'.`), so a
/// lowercase word's key is also its [`Lexeme::lower`].
fn parse(gz: &[u8]) -> Table {
    let Some(text) = gunzip_text(gz) else {
        return Table::default();
    };
    // Sized once: grown as it fills, the table was rehashed a dozen times.
    let lines = text.bytes().filter(|&b| b == b'\n').count();
    let mut table = Table::with_capacity_and_hasher(lines, PreHashed);
    table.extend(
        text.lines()
            .filter(|line| !line.starts_with('#'))
            .filter_map(|line| {
                let (word, row) = line.split_once('\t')?;
                let row: u32 = row.parse().ok()?;
                Some((finish(hash_str(word)), row + 1))
            }),
    );
    table
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
        .get(&finish(form))
        .or_else(|| table.get(&finish(lower)))
        .copied()
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
    table().get(&finish(lower)).copied().unwrap_or(UNKNOWN)
}

#[cfg(test)]
mod tests {
    use super::*;

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
