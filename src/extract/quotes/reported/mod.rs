//! Reported speech: attributions without quotation marks (issue 15).
//!
//! `Lavrov said he is ready to meet ...`, `..., the ministry said`,
//! `According to X, ...`. One pass over the text's sentences
//! (`sentences`), one pattern match per sentence (`patterns`), then the
//! result is merged with the quotes already found:
//! - a reported clause that is a quote's own content (`“...,” Lavrov
//!   said`) is that quote, so it is not reported twice;
//! - a partial quote inside a reported clause (`Lavrov said the talks
//!   were “a step forward”`) is one attribution whose content is the
//!   whole clause: the quote keeps its kind and words and gets the clause
//!   (`FoundQuote::clause`), and no separate indirect attribution is made.
//!
//! Speakers are linked to entities by the quote stage's `linking`.

mod cues;
mod lexicon;
mod patterns;
mod sentences;
mod subjects;

#[cfg(test)]
mod tests;

use super::linking;
use crate::extract::{ByteSpan, EntityGroup, FoundQuote, QuoteKind};
use patterns::Reported;

/// Adds the text's reported speech to `quotes`, which stay in text order.
pub(crate) fn add_reported(text: &str, entities: &[EntityGroup], quotes: &mut Vec<FoundQuote>) {
    let mut found = Vec::new();
    sentences::for_each_sentence(text, |sentence| {
        patterns::find(sentence, &mut found);
    });
    let mut indirect = Vec::new();
    for r in found {
        // `"...," Lavrov said on Fox. "..."`: the cue is the quote's.
        let quote_cue = quotes
            .iter()
            .any(|q| q.cue.is_some_and(|c| overlaps(c, r.cue)));
        if absorbed_by_quotes(r.content, quotes) || quote_cue {
            continue;
        }
        indirect.push(FoundQuote {
            kind: QuoteKind::Indirect,
            content: r.content,
            speaker: Some((r.speaker, link(text, &r, entities))),
            cue: Some(r.cue),
            clause: None,
        });
    }
    quotes.extend(indirect);
    quotes.sort_by_key(|q| (q.content.start, q.content.end));
}

fn link(text: &str, r: &Reported, entities: &[EntityGroup]) -> Option<usize> {
    linking::link(text, r.speaker, r.is_pronoun, entities)
}

fn overlaps(a: ByteSpan, b: ByteSpan) -> bool {
    a.start < b.end && b.start < a.end
}

/// Whether the quotes already account for the reported clause `content`:
/// it overlaps a direct quote (it is that quote, or runs into it), or it
/// holds partial quotes, which then get the clause as their content.
fn absorbed_by_quotes(content: ByteSpan, quotes: &mut [FoundQuote]) -> bool {
    let mut absorbed = false;
    for q in quotes.iter_mut().filter(|q| overlaps(q.content, content)) {
        absorbed = true;
        let inside = content.start <= q.content.start && q.content.end <= content.end;
        if q.kind == QuoteKind::Partial && inside && q.clause.is_none() {
            q.clause = Some(content);
        }
    }
    absorbed
}
