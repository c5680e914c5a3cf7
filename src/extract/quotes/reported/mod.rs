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

mod bounds;
mod cues;
pub(crate) mod learned;
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
    let model = learned::model();
    let (mut kept, mut vetoed) = (Vec::new(), Vec::new());
    let found = scan(text, |features, r, by_rule| {
        let score = model.score(features);
        if by_rule && score <= model.veto {
            vetoed.push(r.cue);
        } else if !by_rule && score > model.threshold {
            kept.push((score, indirect(text, r, entities)));
        }
    });
    merge_rules(text, entities, found, quotes);
    veto(quotes, &vetoed);
    merge_learned(quotes, kept);
}

/// Drops the rules' reported attributions whose cue is in `cues`.
pub(crate) fn veto(quotes: &mut Vec<FoundQuote>, cues: &[ByteSpan]) {
    quotes.retain(|q| q.kind != QuoteKind::Indirect || q.cue.is_none_or(|c| !cues.contains(&c)));
}

/// A learned candidate, for training: its features and the attribution.
pub(crate) struct LearnedCandidate {
    pub features: Vec<u64>,
    pub quote: FoundQuote,
    /// A rule's report (which the model may veto), not a new one.
    pub by_rule: bool,
}

/// What `add_reported` does without the learned stage, and every learned
/// candidate with its features, for training and cross-validation.
pub(crate) fn training_candidates(
    text: &str,
    entities: &[EntityGroup],
    quotes: &mut Vec<FoundQuote>,
) -> Vec<LearnedCandidate> {
    let mut out = Vec::new();
    let found = scan(text, |features, r, by_rule| {
        out.push(LearnedCandidate {
            features: features.to_vec(),
            quote: indirect(text, r, entities),
            by_rule,
        });
    });
    merge_rules(text, entities, found, quotes);
    // What the merge would drop is no example: it adds nothing; a rule's
    // report the merge dropped is nothing to veto.
    out.retain(|c| {
        let cue = c.quote.cue.unwrap_or(c.quote.content);
        if c.by_rule {
            return quotes
                .iter()
                .any(|q| q.kind == QuoteKind::Indirect && q.cue == Some(cue));
        }
        !quotes.iter().any(|q| {
            overlaps(q.content, c.quote.content) || q.cue.is_some_and(|qc| overlaps(qc, cue))
        })
    });
    out
}

/// One pass over the sentences: the rules' reports, returned, and the
/// learned stage's candidates with their features, given to `each`.
fn scan(text: &str, mut each: impl FnMut(&[u64], &Reported, bool)) -> Vec<Reported> {
    let mut found = Vec::new();
    let mut features = Vec::new();
    sentences::for_each_sentence(text, |sentence| {
        let from = found.len();
        patterns::find(sentence, &mut found);
        let rules = &found[from..];
        for r in rules {
            if let Some(c) = learned::from_rule(sentence, r) {
                learned::features(sentence, &c, rules.len(), true, &mut features);
                each(&features, r, true);
            }
        }
        learned::candidates(sentence, rules, |c| {
            learned::features(sentence, c, rules.len(), false, &mut features);
            each(&features, &c.report, false);
        });
    });
    found
}

fn indirect(text: &str, r: &Reported, entities: &[EntityGroup]) -> FoundQuote {
    FoundQuote {
        kind: QuoteKind::Indirect,
        content: r.content,
        speaker: Some((r.speaker, link(text, r, entities))),
        cue: Some(r.cue),
        clause: None,
    }
}

/// The rules' reports that the quotes do not already account for.
fn merge_rules(
    text: &str,
    entities: &[EntityGroup],
    found: Vec<Reported>,
    quotes: &mut Vec<FoundQuote>,
) {
    let mut indirect_quotes = Vec::new();
    for r in found {
        if !accounted_for(r.content, r.cue, quotes) {
            indirect_quotes.push(indirect(text, &r, entities));
        }
    }
    quotes.extend(indirect_quotes);
    quotes.sort_by_key(|q| (q.content.start, q.content.end));
}

/// Adds the learned reports, best score first, each unless an earlier
/// attribution accounts for it; `quotes` stay in text order.
pub(crate) fn merge_learned(quotes: &mut Vec<FoundQuote>, mut kept: Vec<(i32, FoundQuote)>) {
    kept.sort_by_key(|(score, q)| (std::cmp::Reverse(*score), q.content.start));
    for (_, q) in kept {
        let (Some(cue), content) = (q.cue, q.content) else {
            continue;
        };
        if !accounted_for(content, cue, quotes) {
            quotes.push(q);
        }
    }
    quotes.sort_by_key(|q| (q.content.start, q.content.end));
}

/// `"...," Lavrov said on Fox. "..."`: the cue is a quote's; or the
/// content is (part of) an attribution already made.
fn accounted_for(content: ByteSpan, cue: ByteSpan, quotes: &mut [FoundQuote]) -> bool {
    let quote_cue = quotes
        .iter()
        .any(|q| q.cue.is_some_and(|c| overlaps(c, cue)));
    absorbed_by_quotes(content, quotes) || quote_cue
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
