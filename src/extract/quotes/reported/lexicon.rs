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

/// FxHash-like, not SipHash: this is probed for many words of every
/// sentence, and the keys are our own table.
static LEARNED: LazyLock<HashSet<&'static str, PreHashed>> = LazyLock::new(|| {
    let mut set = parse(TABLE);
    set.extend(REPORTING_ONLY);
    set
});

/// Forms the learned stage looks at: a cue at least this often in train...
const CANDIDATE_MIN_CUE: u32 = 3;
/// ... and in at least this share of uses, in percent (`about`: 22%,
/// `of`: 3%; `the`: 1% is left out).
const CANDIDATE_MIN_SHARE: u32 = 2;

static CANDIDATES: LazyLock<HashSet<&'static str, PreHashed>> =
    LazyLock::new(|| parse_with(TABLE, CANDIDATE_MIN_CUE, CANDIDATE_MIN_SHARE));

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
    is_in(&LEARNED, token)
}

/// Whether the learned stage considers `token` as a cue.
pub(super) fn is_candidate_form(token: &Token<'_>) -> bool {
    is_in(&CANDIDATES, token)
}

/// Whether the lowercase word is in `set`. The table has words with a
/// typographic apostrophe (`don’t`), which `with_lower` (ASCII only) never
/// gives: those few are lowercased into a string.
fn is_in(set: &HashSet<&'static str, PreHashed>, token: &Token<'_>) -> bool {
    token.is_word
        && token
            .with_lower(|w| set.contains(w))
            .unwrap_or_else(|| set.contains(token.text.to_lowercase().as_str()))
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

    #[test]
    fn words_with_a_typographic_apostrophe_are_looked_up() {
        let token = |text: &'static str| Token {
            span: crate::extract::ByteSpan {
                start: 0,
                end: text.len(),
            },
            text,
            is_word: true,
        };
        assert!(is_candidate_form(&token("Don’t")));
        assert!(is_candidate_form(&token("don't")));
    }

    #[test]
    fn the_shipped_table_has_the_common_cues() {
        assert!(LEARNED.contains("said"));
        assert!(LEARNED.contains("argued"));
        assert!(!LEARNED.contains("the"));
    }
}
