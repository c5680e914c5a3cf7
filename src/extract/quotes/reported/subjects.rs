//! Speakers the quote stage's finder does not give: an inverted name
//! after the cue, a poll's share of respondents, the sentence's opening
//! subject across a long apposition or for a second verb.

use super::super::attribution::is_participle;
use super::super::speaker::{is_pronoun, phrase_starting_at, sentence_subject, Phrase};
use super::super::tokens::Token;

/// `, said Ms. Gil, with ...`: after a comma, the cue is followed by a
/// name that closes the clause, so the name is the cue's speaker and what
/// follows is no report.
pub(super) fn inverted_speaker(s: &[Token<'_>], k: usize, end: usize) -> bool {
    let named = s.get(k + 1).is_some_and(Token::is_capitalised);
    named
        && phrase_starting_at(s, k + 1)
            .is_some_and(|p| p.1 >= end || s[p.1].is_punct(',') || s[p.1].is_punct('.'))
}

/// A poll's share of respondents before a cue: `42% say`, `nine in 10
/// said`, `one in four said`.
fn share_subject(s: &[Token<'_>], k: usize) -> Option<Phrase> {
    let is_number = |t: &Token<'_>| {
        t.bytes_are_digits()
            || t.is_one_of(&[
                "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
            ])
    };
    if k >= 2 && s[k - 1].is_punct('%') && is_number(&s[k - 2]) {
        return Some((k - 2, k));
    }
    let start = k.checked_sub(3)?;
    (is_number(&s[k - 1]) && s[k - 2].is_one_of(&["in"]) && is_number(&s[start]))
        .then_some((start, k))
}

/// The speaker of a cue `own_subject` finds none for: the sentence's
/// first name when a long description stands between it and the cue
/// (`Gary Emineth, a former state party chairman who ..., said`), or the
/// subject of the sentence for a second verb (`X became a delegate and
/// said`).
pub(super) fn distant_subject(s: &[Token<'_>], k: usize) -> Option<Phrase> {
    let prev = &s[k - 1];
    if let Some(share) = share_subject(s, k) {
        return Some(share);
    }
    if prev.is_one_of(&["and", "but"]) {
        return sentence_subject(s, k);
    }
    if !prev.is_punct(',') {
        return None;
    }
    let start = usize::from(s[0].is_one_of(&["but", "and", "yet", "so"]));
    let head = phrase_starting_at(s, start).filter(|p| p.0 == start && p.1 < k)?;
    let named = s[head.0].is_capitalised() || is_pronoun(&s[head.0]);
    // "A spokeswoman for Janney also declined to comment, saying ...": a
    // participle after a comma takes the subject the sentence opens with.
    (is_participle(&s[k]) || (named && s[head.1].is_punct(','))).then_some(head)
}
