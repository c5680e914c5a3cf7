//! Candidate reports the rules did not make: for every word that is ever
//! part of a PolNeAR train cue (the cue lexicon, loosely), the report it
//! would head -- its speaker by the rules' subject finders, its content by
//! the rules' clause logic. The model then decides which to keep.

use super::super::super::attribution::own_subject;
use super::super::super::speaker::Phrase;
use super::super::super::tokens::Token;
use super::super::cues::{cue_phrase, inside_quote};
use super::super::lexicon::is_candidate_form;
use super::super::patterns::{
    clause, content_end, content_start, reported, where_not_what, Reported,
};
use super::super::subjects::distant_subject;
use crate::extract::ByteSpan;

/// One candidate: the report, and the token indices the features look at.
#[derive(Debug, Clone, Copy)]
pub(in super::super) struct Candidate {
    pub report: Reported,
    pub cue: usize,
    pub speaker: Phrase,
    pub content: Phrase,
}

/// The candidates of sentence `s`, given the rules' reports in it.
pub(in super::super) fn candidates(
    s: &[Token<'_>],
    rules: &[Reported],
    mut each: impl FnMut(&Candidate),
) {
    if s.len() < 4 || s.iter().any(|t| t.is_punct('<') || t.is_punct('>')) {
        return;
    }
    let end = content_end(s, s.len());
    for k in 1..end {
        let t = &s[k];
        if !t.is_word || !is_candidate_form(t) || used_by(rules, t.span) || inside_quote(s, k) {
            continue;
        }
        if let Some(c) = candidate_at(s, k, end) {
            each(&c);
        }
    }
}

/// A rule already reads this word as a cue or as reported words.
fn used_by(rules: &[Reported], span: ByteSpan) -> bool {
    let inside = |b: ByteSpan| b.start <= span.start && span.end <= b.end;
    rules.iter().any(|r| inside(r.cue) || inside(r.content))
}

/// The report cue `s[k]` would head, if it has a speaker and content.
fn candidate_at(s: &[Token<'_>], k: usize, end: usize) -> Option<Candidate> {
    let speaker = own_subject(s, k, true).or_else(|| distant_subject(s, k))?;
    let cue = cue_phrase(s, k);
    let after = if speaker.0 > k {
        speaker.1 + 1
    } else {
        let start = content_start(s, k, cue.1);
        // `He wrote to the committee last week.`: as for the rules.
        if where_not_what(s, cue.1, start) {
            return None;
        }
        start
    };
    let content = clause(s, after, end);
    let make = |content: Phrase| {
        let report = reported(s, speaker, cue, content)?;
        Some(Candidate {
            report,
            cue: k,
            speaker,
            content,
        })
    };
    make(content).or_else(|| {
        // `..., Democrats countered.`: the words before the speaker's comma.
        let comma = speaker.0.checked_sub(1).filter(|&c| s[c].is_punct(','))?;
        (speaker.1 <= k).then(|| make((0, content_end(s, comma))))?
    })
}

/// A rule's report as a candidate, for the model to score (and maybe
/// veto): its cue, speaker and content as token indices of `s`.
pub(in super::super) fn from_rule(s: &[Token<'_>], r: &Reported) -> Option<Candidate> {
    let first_at = |byte: usize| s.iter().position(|t| t.span.start >= byte);
    let phrase = |b: ByteSpan| {
        let start = first_at(b.start)?;
        let end = first_at(b.end).unwrap_or(s.len());
        (start < end).then_some((start, end))
    };
    let cue = first_at(r.cue.start).filter(|&k| k >= 1)?;
    Some(Candidate {
        report: *r,
        cue,
        speaker: phrase(r.speaker)?,
        content: phrase(r.content)?,
    })
}
