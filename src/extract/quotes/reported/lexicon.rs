//! Cue words learned from PolNeAR train: `cue_lexicon.tsv` holds, for each
//! word form, how often it is part of a gold cue and how often it occurs
//! at all (derived by `scripts/derive_cue_lexicon.py`, counts only, no
//! text). A form is a learned cue when it is part of a cue often enough,
//! and in a large enough share of its uses, for a report built on it to
//! be right more often than wrong.

use std::collections::HashSet;
use std::sync::LazyLock;

use super::super::tokens::Token;
use super::cues::REPORTING_ONLY;
use crate::extract::entities::hash::PreHashed;

const TABLE: &str = include_str!("cue_lexicon.tsv");

/// Fewest times a form is a gold cue in train to be learned.
const MIN_CUE: u32 = 5;
/// Least share of a form's occurrences that are cues, in percent.
const MIN_SHARE: u32 = 50;

/// A set of lowercase forms, with a filter that turns most other words
/// away before they are lowercased and hashed: the candidates and the cues
/// probe it for every word of every sentence.
struct Forms {
    /// FxHash-like, not SipHash: the keys are our own table.
    words: HashSet<&'static str, PreHashed>,
    /// Bit [`filter_bit`] of every ASCII form.
    filter: [u64; FILTER_WORDS],
}

const FILTER_WORDS: usize = 64;

impl Forms {
    fn new(words: HashSet<&'static str, PreHashed>) -> Forms {
        let mut filter = [0; FILTER_WORDS];
        for w in words.iter().filter(|w| w.is_ascii()) {
            let bit = filter_bit(w.as_bytes());
            filter[bit / 64] |= 1 << (bit % 64);
        }
        Forms { words, filter }
    }

    /// Whether the lowercase word is a form. The table has words with a
    /// typographic apostrophe (`don’t`), which `with_lower` (ASCII only)
    /// never gives: those few are lowercased into a string.
    fn has(&self, token: &Token<'_>) -> bool {
        if !token.is_word {
            return false;
        }
        if token.text.is_ascii() {
            let bit = filter_bit(token.text.as_bytes());
            if self.filter[bit / 64] & (1 << (bit % 64)) == 0 {
                return false;
            }
        }
        token
            .with_lower(|w| self.words.contains(w))
            .unwrap_or_else(|| self.words.contains(token.text.to_lowercase().as_str()))
    }
}

/// A bit of the filter from an ASCII word's first and last letters
/// (lowercased) and its length.
fn filter_bit(word: &[u8]) -> usize {
    let (Some(first), Some(last)) = (word.first(), word.last()) else {
        return 0;
    };
    let key = (usize::from(first.to_ascii_lowercase()) * 31
        + usize::from(last.to_ascii_lowercase()))
        * 31
        + word.len();
    key % (FILTER_WORDS * 64)
}

static LEARNED: LazyLock<Forms> = LazyLock::new(|| {
    let mut set = parse(TABLE);
    set.extend(REPORTING_ONLY);
    Forms::new(set)
});

/// Forms the learned stage looks at: a cue at least this often in train...
const CANDIDATE_MIN_CUE: u32 = 3;
/// ... and in at least this share of uses, in percent (`about`: 22%,
/// `of`: 3%; `the`: 1% is left out).
const CANDIDATE_MIN_SHARE: u32 = 2;

static CANDIDATES: LazyLock<Forms> =
    LazyLock::new(|| Forms::new(parse_with(TABLE, CANDIDATE_MIN_CUE, CANDIDATE_MIN_SHARE)));

fn parse(table: &str) -> HashSet<&str, PreHashed> {
    parse_with(table, MIN_CUE, MIN_SHARE)
}

fn parse_with(table: &str, min_cue: u32, min_share: u32) -> HashSet<&str, PreHashed> {
    table
        .lines()
        .filter_map(|line| {
            let mut cols = line.split('\t');
            let word = cols.next()?;
            let cue: u32 = cols.next()?.parse().ok()?;
            let total: u32 = cols.next()?.parse().ok()?;
            (cue >= min_cue && cue * 100 >= min_share * total).then_some(word)
        })
        .collect()
}

/// Whether `token` is a learned cue form or one of [`REPORTING_ONLY`].
pub(super) fn is_learned_cue(token: &Token<'_>) -> bool {
    LEARNED.has(token)
}

/// Whether the learned stage considers `token` as a cue.
pub(super) fn is_candidate_form(token: &Token<'_>) -> bool {
    CANDIDATES.has(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_forms_over_both_thresholds() {
        let set = parse("argued\t79\t91\nthe\t40\t9000\nrare\t2\t2\nbad line\n");
        assert!(set.contains("argued"));
        assert!(!set.contains("the"));
        assert!(!set.contains("rare"));
    }

    fn token(text: &str) -> Token<'_> {
        Token {
            span: crate::extract::ByteSpan {
                start: 0,
                end: text.len(),
            },
            text,
            is_word: true,
        }
    }

    #[test]
    fn the_filter_turns_away_no_form_in_any_case() {
        for forms in [&*LEARNED, &*CANDIDATES] {
            for &w in &forms.words {
                assert!(forms.has(&token(w)), "{w}");
                assert!(forms.has(&token(&w.to_uppercase())), "{w}");
            }
        }
        assert!(!CANDIDATES.has(&token("the")));
        assert!(!CANDIDATES.has(&token("")));
    }

    #[test]
    fn words_with_a_typographic_apostrophe_are_looked_up() {
        assert!(is_candidate_form(&token("Don’t")));
        assert!(is_candidate_form(&token("don't")));
    }

    #[test]
    fn the_shipped_table_has_the_common_cues() {
        assert!(LEARNED.words.contains("said"));
        assert!(LEARNED.words.contains("argued"));
        assert!(!LEARNED.words.contains("the"));
    }
}
