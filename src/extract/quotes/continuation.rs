//! Quotes with no cue of their own that continue another quote: the next
//! paragraph of a multi-paragraph quote, `"A," he said. "B."`, or a second
//! fragment in one sentence (`called it "bold" and "overdue"`).

use super::attribution::Attribution;
use super::spans::QuoteSpan;
use crate::extract::QuoteKind;

/// What the first pass learnt about a quote besides its own attribution.
#[derive(Debug, Clone, Copy)]
pub(super) struct Surroundings {
    pub kind: QuoteKind,
    /// No sentence boundary between this quote and the previous one.
    pub same_sentence_as_previous: bool,
}

/// Fills in the speaker of quotes that continue an attributed quote. Only
/// direct quotes continue across sentences, and only from an earlier quote
/// of their paragraph: a fragment inside the reporter's own sentence with
/// no cue is the reporter's (a scare quote, a title). Guessing further (the
/// subject of the sentence before, a later quote's speaker) was measured on
/// PolNeAR train and was wrong more than 40% of the time.
pub(super) fn inherit_speakers(
    quotes: &[QuoteSpan],
    around: &[Surroundings],
    found: &mut [Option<Attribution>],
) {
    // Forward, so a quote over three paragraphs passes its speaker along.
    for i in 1..quotes.len() {
        if found[i].is_none()
            && (quotes[i].continues_previous || around[i].same_sentence_as_previous)
        {
            found[i] = found[i - 1];
        }
    }
    for i in 0..quotes.len() {
        if found[i].is_some() || around[i].kind != QuoteKind::Direct {
            continue;
        }
        let same_para = |j: &usize| quotes[*j].para == quotes[i].para;
        if let Some(j) = (0..i)
            .rev()
            .take_while(same_para)
            .find(|&j| found[j].is_some())
        {
            found[i] = found[j];
        }
    }
}
