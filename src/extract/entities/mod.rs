//! Named entity recognition and grouping (issue 3).
//!
//! Stages, one file each: [`token`]ize, split [`sentence`]s, describe each
//! token ([`lexeme`], [`gazetteer`], [`doc`]-level context), tag with an
//! averaged-perceptron [`model`] over BILOU [`tags`] ([`features`],
//! [`tagger`]), then [`group`] mentions into entities.
//! All offsets are UTF-8 byte offsets into the text or the title.

pub(crate) mod doc;
pub(crate) mod features;
pub(crate) mod gazetteer;
pub(crate) mod group;
pub(crate) mod hash;
pub(crate) mod lexeme;
pub(crate) mod model;
pub(crate) mod sentence;
pub(crate) mod tagger;
pub(crate) mod tags;
pub(crate) mod token;

use super::{ByteSpan, EntityGroup, Field};
use doc::{add_document_context, Segment};
use group::Found;
use model::Model;
use tagger::{tag_segments, Greedy};

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
    let tags = tag_segments(&segments, &mut Greedy(model));
    let mut found = Vec::new();
    for ((seg, tags), field) in segments.iter().zip(&tags).zip([Field::Text, Field::Title]) {
        for (first, end, kind) in tags::spans(tags) {
            let span = ByteSpan { start: seg.tokens[first].start, end: seg.tokens[end - 1].end };
            found.push(Found { field, span, kind: tags::TYPES[kind] });
        }
    }
    found
}

#[cfg(test)]
mod tests;
