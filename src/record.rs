//! The wire formats: the input article and the enriched output record.
//!
//! This is the only module that knows JSON field names (the input's in
//! `record/input.rs`, its bad-input taxonomy in `record/bad_input.rs`). The output record is a
//! public contract, described for users in `schema/enriched-record.v1.json`
//! and the README; change it only by bumping [`SCHEMA_VERSION`].

use std::borrow::Cow;

use serde::Serialize;

use crate::extract::{Analysis, EntityType, Field, QuoteKind, Span};

mod bad_input;
mod input;
mod surrogates;

pub use bad_input::BadInput;
pub use input::{parse_article, read_payload, ParsedArticle, Payload};

/// Version of the output record's schema. Bump on any incompatible change.
pub const SCHEMA_VERSION: u32 = 1;

/// Where a record came from: a Kafka message's coordinates.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct SourceInfo {
    pub topic: String,
    pub partition: i32,
    pub offset: i64,
    /// Message timestamp, milliseconds since the Unix epoch, if any.
    pub timestamp: Option<i64>,
}

impl SourceInfo {
    /// The id given to an article that has none: stable across replays.
    pub fn derived_id(&self) -> String {
        format!("{}-{}-{}", self.topic, self.partition, self.offset)
    }
}

/// Identifies the extractor that made a record.
#[derive(Debug, Clone, Serialize)]
pub struct ExtractorInfo {
    pub version: &'static str,
    pub model: &'static str,
}

/// The enriched output record, schema version 1.
#[derive(Debug, Serialize)]
pub struct EnrichedRecord<'a> {
    pub schema_version: u32,
    pub id: Cow<'a, str>,
    pub title: Option<&'a str>,
    pub url: Option<&'a str>,
    /// The input's `source` field (the outlet), renamed because `source`
    /// here says where the record came from in Kafka.
    pub publisher: Option<&'a str>,
    pub published_at: Option<&'a str>,
    pub language: Option<String>,
    pub entities: Vec<EntityOut>,
    pub quotes: Vec<QuoteOut>,
    pub warnings: Vec<String>,
    pub source: Option<SourceInfo>,
    pub extractor: ExtractorInfo,
}

#[derive(Debug, Serialize)]
pub struct EntityOut {
    pub id: String,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub salience: f64,
    pub mentions: Vec<MentionOut>,
}

#[derive(Debug, Serialize)]
pub struct MentionOut {
    pub start: usize,
    pub end: usize,
    pub text: String,
    /// Absent for the article text; `"title"` for mentions in the title.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<&'static str>,
}

#[derive(Debug, Serialize)]
pub struct QuoteOut {
    pub id: String,
    pub kind: &'static str,
    pub text: String,
    pub start: usize,
    pub end: usize,
    pub speaker: Option<SpeakerOut>,
    pub cue: Option<SpanOut>,
    /// A partial quote inside a reported clause (a mixed quote): the whole
    /// clause, quoted words included, which is the attribution's content.
    /// Absent otherwise, and always with `--attributions quoted`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clause: Option<SpanOut>,
}

#[derive(Debug, Serialize)]
pub struct SpeakerOut {
    pub text: String,
    pub start: usize,
    pub end: usize,
    pub entity_id: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct SpanOut {
    pub text: String,
    pub start: usize,
    pub end: usize,
}

impl From<Span> for SpanOut {
    fn from(s: Span) -> Self {
        SpanOut {
            text: s.text,
            start: s.start,
            end: s.end,
        }
    }
}

fn entity_type_name(kind: EntityType) -> &'static str {
    match kind {
        EntityType::Person => "PERSON",
        EntityType::Organization => "ORGANIZATION",
        EntityType::Location => "LOCATION",
        EntityType::Misc => "MISC",
    }
}

fn entity_id(index: usize) -> String {
    format!("e{}", index + 1)
}

/// Build the output record from a parsed article and what was found in it.
pub fn build_record<'a>(
    article: &'a ParsedArticle<'a>,
    id: Cow<'a, str>,
    analysis: Analysis,
    source: Option<SourceInfo>,
    extractor: ExtractorInfo,
) -> EnrichedRecord<'a> {
    let entities = analysis
        .entities
        .into_iter()
        .enumerate()
        .map(|(i, e)| EntityOut {
            id: entity_id(i),
            name: e.name,
            kind: entity_type_name(e.kind),
            // Rounded so that records are short and stable across platforms.
            salience: (f64::from(e.salience) * 1e4).round() / 1e4,
            mentions: e
                .mentions
                .into_iter()
                .map(|m| MentionOut {
                    start: m.span.start,
                    end: m.span.end,
                    text: m.span.text,
                    field: (m.field == Field::Title).then_some("title"),
                })
                .collect(),
        });
    let quotes = analysis
        .quotes
        .into_iter()
        .enumerate()
        .map(|(i, q)| QuoteOut {
            id: format!("q{}", i + 1),
            kind: match q.kind {
                QuoteKind::Direct => "direct",
                QuoteKind::Partial => "partial",
                QuoteKind::Indirect => "indirect",
            },
            text: q.span.text,
            start: q.span.start,
            end: q.span.end,
            speaker: q.speaker.map(|s| SpeakerOut {
                text: s.span.text,
                start: s.span.start,
                end: s.span.end,
                entity_id: s.entity.map(entity_id),
            }),
            cue: q.cue.map(SpanOut::from),
            clause: q.clause.map(SpanOut::from),
        });
    EnrichedRecord {
        schema_version: SCHEMA_VERSION,
        id,
        title: article.title.as_deref(),
        url: article.url.as_deref(),
        publisher: article.source.as_deref(),
        published_at: article.published_at.as_deref(),
        language: analysis.language,
        entities: entities.collect(),
        quotes: quotes.collect(),
        // What parsing repaired first, then what extraction noticed.
        warnings: article
            .warnings
            .iter()
            .cloned()
            .chain(analysis.warnings)
            .collect(),
        source,
        extractor,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_id_is_stable() {
        let s = SourceInfo {
            topic: "news".into(),
            partition: 2,
            offset: 42,
            timestamp: None,
        };
        assert_eq!(s.derived_id(), "news-2-42");
    }
}
