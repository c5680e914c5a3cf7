//! Quotation detection and speaker attribution (issue 4).
//!
//! Stages, each in its own file:
//! 1. `marks` / `spans`: find the double quotation marks of each paragraph
//!    and pair them into quotes, including quotes running over paragraphs;
//! 2. `attribution` (with `cues`, `speaker`, `tokens`): read the speaker
//!    and cue from the quote's own sentence;
//! 3. `continuation`: quotes with no cue of their own inherit the speaker of
//!    the quote they continue;
//! 4. `kinds`: direct or partial, and scare quotes;
//! 5. `linking`: the speaker's entity, pronouns resolved to people;
//! 6. `reported/` (only when every attribution is asked for): reported
//!    speech without quotation marks, with the same cues, speakers and
//!    linking; a quote inside a reported clause gets the clause.
//!
//! Everything is a bounded amount of work per quote on top of one pass over
//! the text. Slicing happens only at char boundaries (ASCII bytes, UTF-8
//! lead bytes, token edges), and through `str::get` wherever an offset is
//! computed, so no input can make it panic (see the property test).

mod attribution;
mod continuation;
mod cues;
mod kinds;
mod linking;
mod marks;
mod reported;
mod spans;
mod speaker;
mod tokens;

#[cfg(test)]
mod tests;

use super::{ByteSpan, EntityGroup, FoundQuote, QuoteKind};
use attribution::Attribution;
pub(crate) use reported::learned::model::{CueModel, Trainer};
pub(crate) use reported::{add_reported, merge_learned, training_candidates, veto};

/// Whether quotes nobody is found to have said are reported (with no
/// speaker). They are not: most are scare quotes or titles ("so-called",
/// a show's name), and a quote whose speaker is unknown is the weakest
/// kind of result (it costs quote precision and speaker accuracy on
/// PolNeAR: see `article-enricher eval-quotes`).
const REPORT_UNATTRIBUTED: bool = false;

pub(crate) fn find_quotes(text: &str, entities: &[EntityGroup]) -> Vec<FoundQuote> {
    let quotes = spans::find_quote_spans(text);
    let mut found: Vec<Option<Attribution>> = Vec::with_capacity(quotes.len());
    let mut around = Vec::with_capacity(quotes.len());
    for i in 0..quotes.len() {
        let ctx = attribution::context(text, &quotes, i);
        let content = text
            .get(quotes[i].content.start..quotes[i].content.end)
            .unwrap_or("");
        let kind = kinds::kind_of(&ctx);
        let may_precede_speaker = kind == QuoteKind::Direct || ends_clause(content);
        let ends_sentence = content
            .trim_end_matches(QUOTE_TAIL)
            .ends_with(['.', '?', '!']);
        found.push(attribution::attribute(
            &ctx,
            may_precede_speaker,
            ends_sentence,
        ));
        around.push(continuation::Surroundings {
            kind,
            same_sentence_as_previous: ctx.before_reaches_prev_quote,
        });
    }
    continuation::inherit_speakers(&quotes, &around, &mut found);
    quotes
        .iter()
        .zip(around)
        .zip(found)
        .filter(|((q, around), who)| {
            let words = text.get(q.content.start..q.content.end).unwrap_or("");
            let scare = around.kind == QuoteKind::Partial && kinds::is_scare_quote(words);
            // A scare quote never gets a guessed speaker; others may be kept.
            who.is_some() || (REPORT_UNATTRIBUTED && !scare)
        })
        .map(|((q, around), who)| FoundQuote {
            kind: around.kind,
            content: without_trailing_comma(text, q.content),
            speaker: who.map(|a| {
                (
                    a.speaker,
                    linking::link(text, a.speaker, a.is_pronoun, entities),
                )
            }),
            cue: who.and_then(|a| a.cue),
            clause: None,
        })
        .collect()
}

/// Nested closing quotes and spaces at the end of quoted words.
const QUOTE_TAIL: [char; 4] = ['\'', '’', '"', ' '];

/// The quoted words end a clause: `"We are ready,"`, `"Why?'"`.
fn ends_clause(content: &str) -> bool {
    content
        .trim_end_matches(QUOTE_TAIL)
        .ends_with([',', '.', '?', '!', '—', '-', '…', ':', ';'])
}

/// `"We are ready," Lavrov said`: the comma is the reporter's sentence's,
/// not the speaker's words, so the reported span stops before it.
fn without_trailing_comma(text: &str, span: ByteSpan) -> ByteSpan {
    let words = text.get(span.start..span.end).unwrap_or("");
    let kept = words.trim_end_matches([',', ' ']).len();
    if kept == 0 {
        return span;
    }
    ByteSpan {
        start: span.start,
        end: span.start + kept,
    }
}
