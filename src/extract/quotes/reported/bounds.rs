//! Where a reported clause ends, inside its sentence.
//!
//! PolNeAR ends most contents at the first comma or dash after a few words
//! (`he supports the final bill, which includes ...`), and before a
//! semicolon, a parenthesis, `but`, or a second action of the speaker
//! (`X endorsed Jeb Bush for president and midwifed the Gang of Eight
//! bill`). Where the gold goes on (`that A, and that B`), the shorter span
//! still lies inside it, which is what the matching asks.

use super::super::speaker::is_function_word;
use super::super::tokens::Token;

/// Words a reported clause has at least before a comma may end it.
const MIN_CLAUSE_WORDS: usize = 3;

/// The first token of `s[start..stop]` the clause starting at `start`
/// ends before, if any.
pub(super) fn first_break(s: &[Token<'_>], start: usize, stop: usize) -> Option<usize> {
    let mut words = 0;
    (start..stop).find(|&j| {
        let t = &s[j];
        let ends = words >= 1 && (hard_break(t) || t.is_one_of(&["but"]))
            || words >= MIN_SUBORDINATE_WORDS && subordinate(t)
            || words >= MIN_CLAUSE_WORDS
                && (t.is_punct(',') || t.is_punct('—') || t.is_punct('–') || second_action(s, j));
        words += usize::from(t.is_word);
        ends
    })
}

/// Words a reported clause has at least before a subordinate clause may
/// end it.
const MIN_SUBORDINATE_WORDS: usize = 2;

/// `after Christie was pressed Sunday`, `when they were played`, `during
/// her bid`: the circumstances of the report, which PolNeAR mostly leaves
/// out of short contents (and which, left out of a long one, leave the
/// rest inside it). Lower case only: `When He Became ...` is a headline.
fn subordinate(t: &Token<'_>) -> bool {
    let first = t
        .text
        .as_bytes()
        .first()
        .is_some_and(u8::is_ascii_lowercase);
    first
        && t.is_one_of(&[
            "after", "before", "when", "during", "because", "despite", "since", "until", "while",
            "even",
        ])
}

/// `;`, `(`, a spaced hyphen or `--`: never inside a reported clause.
fn hard_break(t: &Token<'_>) -> bool {
    !t.is_word && [";", "(", "-"].contains(&t.text)
}

/// `and` before a verb of the speaker's (`and has expressed`, `and cast
/// himself`): another thing the speaker did, not what they said.
fn second_action(s: &[Token<'_>], j: usize) -> bool {
    let verb = s.get(j + 1).is_some_and(|t| {
        t.is_word
            && !t.is_capitalised()
            && (t.text.ends_with("ed") && !is_function_word(t)
                || t.is_one_of(&[
                    "has", "had", "is", "was", "also", "took", "made", "went", "gave", "cast",
                ]))
    });
    s[j].is_one_of(&["and"]) && verb
}
