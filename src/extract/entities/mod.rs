//! Named entity recognition and grouping (issue 3).
//!
//! Stages, one file each: [`token`]ize, split [`sentence`]s, describe each
//! token ([`lexeme`], [`gazetteer`], [`doc`]-level context), tag with an
//! averaged-perceptron [`model`] over BILOU [`tags`] ([`features`],
//! [`tagger`]), [`fix`] the boundaries and types a reader checks first,
//! then [`group`] mentions into entities.
//! All offsets are UTF-8 byte offsets into the text or the title.

pub(crate) mod doc;
pub(crate) mod features;
pub(crate) mod fix;
pub(crate) mod gazetteer;
pub(crate) mod group;
pub(crate) mod gunzip;
pub(crate) mod hash;
pub(crate) mod lexeme;
pub(crate) mod model;
pub(crate) mod sentence;
pub(crate) mod stage;
pub(crate) mod tagger;
pub(crate) mod tags;
pub(crate) mod tails;
pub(crate) mod token;
pub(crate) mod word_rows;

use super::{ByteSpan, EntityGroup, Field};
use doc::{add_document_context, Segment, CAPS_SENTENCE, SENTENCE_START};
use gazetteer::{DEMONYM, ORGANIZATION, PERSON};
use group::Found;
use model::Model;
use tagger::{tag_segments_with, Greedy, TextCache, TextFeatures};

/// Entities of an article, with the embedded model. Empty if it is missing.
pub(crate) fn find_entities(text: &str, title: &str) -> Vec<EntityGroup> {
    match model::embedded() {
        Some(model) => find_entities_with(model, text, title),
        None => Vec::new(),
    }
}

pub(crate) fn find_entities_with(model: &Model, text: &str, title: &str) -> Vec<EntityGroup> {
    group::group(text, title, &recognize(model, text, title))
}

/// Tags the text, then the title, and returns the mentions found.
pub(crate) fn recognize(model: &Model, text: &str, title: &str) -> Vec<Found> {
    let mut segments = vec![Segment::new(text), Segment::new(title)];
    add_document_context(&mut segments);
    let tags = tag_all(model, &mut segments);
    let fields = [Field::Text, Field::Title];
    let mut spans: Vec<Vec<(usize, usize, usize)>> = segments
        .iter()
        .zip(&tags)
        .zip(fields)
        .map(|((seg, tags), field)| {
            fix::fix_spans(seg, with_listed_names(seg, field, tags::spans(tags)))
        })
        .collect();
    fix::drop_headline_parts(&segments, &mut spans, 1);
    let mut found = Vec::new();
    for ((seg, spans), field) in segments.iter().zip(&spans).zip(fields) {
        for &(first, end, kind) in spans {
            let span = ByteSpan {
                start: seg.tokens[first].start,
                end: seg.tokens[end - 1].end,
            };
            found.push(Found {
                field,
                span,
                kind: tags::TYPES[kind],
            });
        }
    }
    found
}

/// The tags of every segment: the first stage's, or, if the model has a
/// second stage, its tags given the first stage's.
pub(crate) fn tag_all(model: &Model, segments: &mut [Segment]) -> Vec<Vec<tags::Tag>> {
    let Some(second) = &model.second else {
        return tag_segments_with(segments, &mut Greedy(model), TextFeatures::Compute);
    };
    let mut text = TextCache::default();
    let tags = tag_segments_with(segments, &mut Greedy(model), TextFeatures::Fill(&mut text));
    stage::aggregate(segments, &tags);
    tag_segments_with(segments, &mut Greedy(second), TextFeatures::Reuse(&text))
}

/// The hand-written list of well-known people and organisations adds a
/// listed name where the tagger found nothing ("MI6" in the seed article's
/// "information-a British MI6 agent-a"; in the text, not at a sentence start
/// nor in a headline, since the list matches words in any case), and
/// corrects a mention the tagger stretched past a listed name: "MI6" inside
/// a tagged "British MI6" becomes its own organisation, and "MI6" tagged
/// MISC an organisation. Only where the stretched mention has the wrong type, a
/// lowercase word or a nationality in it; elsewhere the tagger's context
/// knows best (dev F1 fell by 0.7 when the list simply won).
fn with_listed_names(
    seg: &Segment,
    field: Field,
    mut spans: Vec<(usize, usize, usize)>,
) -> Vec<(usize, usize, usize)> {
    // Titles are often in title case: every word has a capital.
    let in_running_text =
        |i: usize| field == Field::Text && seg.context[i] & (SENTENCE_START | CAPS_SENTENCE) == 0;
    // Capitals that are the word's own, not a headline's.
    let is_acronym = |start: usize, end: usize| {
        (start..end)
            .all(|i| seg.lexemes[i].has(lexeme::ALL_CAPS) && seg.context[i] & CAPS_SENTENCE == 0)
    };
    let demonyms = gazetteer::spans_of(&seg.gazetteer, DEMONYM);
    let is_demonym = |i: usize| demonyms.iter().any(|&(s, e)| (s..e).contains(&i));
    // Category indices in gazetteer::CATEGORIES and type indices in tags::TYPES.
    for (category, kind) in [
        (PERSON, tags::kind::PERSON),
        (ORGANIZATION, tags::kind::ORGANIZATION),
    ] {
        for (start, end) in gazetteer::spans_of(&seg.gazetteer, category) {
            // A mention that is exactly an acronym the lists give one type
            // ("MI6" tagged MISC) takes that type. Only acronyms: a listed
            // name in title case is often a place or a product in CoNLL
            // ("the Kremlin", "White House" and "Amazon" as places,
            // "Nasdaq" and "Boeing" as MISC), and letting the list win
            // there cost 0.11 CV F1 (models/README.md).
            if let Some(at) = spans.iter().position(|&(s, e, _)| (s, e) == (start, end)) {
                if is_acronym(start, end)
                    && gazetteer::only_category(&seg.gazetteer, start, end, category)
                {
                    spans[at].2 = kind;
                }
                // A listed person's name taken for a place ("said Obama
                // administration": Obama is also a town in Japan) is the
                // person: the word classes lean the other way there.
                if category == PERSON && spans[at].2 == tags::kind::LOCATION {
                    spans[at].2 = kind;
                }
                continue;
            }
            if !spans.iter().any(|&(s, e, _)| s < end && start < e) {
                // The tagger saw nothing here: trust the list, but only in
                // running text, where a capital means a name ("Who" opening
                // a sentence or "Apple" in a title-case headline need not).
                if in_running_text(start) {
                    spans.push((start, end, kind));
                }
                continue;
            }
            let Some(at) = spans
                .iter()
                .position(|&(s, e, _)| s <= start && end <= e && (s, e) != (start, end))
            else {
                continue;
            };
            let (s, e, predicted) = spans[at];
            let odd = |i: usize| seg.lexemes[i].has(lexeme::ALL_LOWER) || is_demonym(i);
            if predicted != kind || (s..e).any(odd) {
                spans[at] = (start, end, kind);
            }
        }
    }
    spans.sort_unstable();
    spans
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_samples;
