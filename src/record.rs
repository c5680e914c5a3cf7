//! The wire formats: the input article and the enriched output record.
//!
//! This is the only module that knows JSON field names. The output record is a
//! public contract, described for users in `schema/enriched-record.v1.json`
//! and the README; change it only by bumping [`SCHEMA_VERSION`].

use std::borrow::Cow;

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::extract::{Analysis, EntityType, Field, QuoteKind, Span};

/// Version of the output record's schema. Bump on any incompatible change.
pub const SCHEMA_VERSION: u32 = 1;

/// Why an input message cannot be enriched. Each variant is a DLQ reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadInput {
    #[error("message has no payload")]
    Empty,
    #[error("payload is not valid UTF-8: {0}")]
    InvalidUtf8(String),
    #[error("payload is not valid JSON: {0}")]
    InvalidJson(String),
    #[error("payload is JSON but not an object")]
    NotAnObject,
    #[error("article has no `text` (or `body`/`content`) field")]
    MissingText,
    #[error("article field `text` must be a string")]
    TextNotString,
    #[error("article field `{0}` has the wrong type")]
    BadField(String),
    #[error("article is {size} bytes, over the limit of {limit} bytes")]
    TooLarge { size: usize, limit: usize },
    /// The extractor failed on this article (a bug): kept for inspection.
    #[error("internal error while enriching: {0}")]
    Internal(String),
}

impl BadInput {
    /// Short stable name, used as a metrics label and in the DLQ header
    /// `enricher.error.kind`.
    pub fn kind(&self) -> &'static str {
        match self {
            BadInput::Empty => "empty",
            BadInput::InvalidUtf8(_) => "invalid_utf8",
            BadInput::InvalidJson(_) => "invalid_json",
            BadInput::NotAnObject => "not_an_object",
            BadInput::MissingText => "missing_text",
            BadInput::TextNotString => "text_not_string",
            BadInput::BadField(_) => "bad_field",
            BadInput::TooLarge { .. } => "too_large",
            BadInput::Internal(_) => "internal_error",
        }
    }

    /// Every kind, for pre-registering metric labels.
    pub const KINDS: [&'static str; 9] = [
        "empty",
        "invalid_utf8",
        "invalid_json",
        "not_an_object",
        "missing_text",
        "text_not_string",
        "bad_field",
        "too_large",
        "internal_error",
    ];
}

/// An input article, borrowing from the message payload where it can.
#[derive(Debug, Deserialize)]
pub struct Article<'a> {
    #[serde(default, borrow, deserialize_with = "string_or_number")]
    pub id: Option<Cow<'a, str>>,
    #[serde(borrow, alias = "body", alias = "content")]
    text: Option<&'a RawValue>,
    #[serde(default, borrow)]
    pub title: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    pub url: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    pub source: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    pub published_at: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    pub language: Option<Cow<'a, str>>,
}

/// A parsed article with its text decoded.
#[derive(Debug)]
pub struct ParsedArticle<'a> {
    pub meta: Article<'a>,
    pub text: Cow<'a, str>,
}

/// Parse and validate one input payload. `limit` is the maximum payload size
/// in bytes.
pub fn parse_article(payload: Option<&[u8]>, limit: usize) -> Result<ParsedArticle<'_>, BadInput> {
    let bytes = payload.filter(|p| !p.is_empty()).ok_or(BadInput::Empty)?;
    if bytes.len() > limit {
        return Err(BadInput::TooLarge {
            size: bytes.len(),
            limit,
        });
    }
    let json = std::str::from_utf8(bytes).map_err(|e| BadInput::InvalidUtf8(e.to_string()))?;
    let trimmed = json.trim_start();
    if !trimmed.starts_with('{') {
        // Tell "valid JSON of the wrong shape" apart from "not JSON at all".
        return Err(match serde_json::from_str::<serde::de::IgnoredAny>(json) {
            Ok(_) => BadInput::NotAnObject,
            Err(e) => BadInput::InvalidJson(e.to_string()),
        });
    }
    let meta: Article<'_> = serde_json::from_str(json).map_err(|e| classify_json_error(&e))?;
    let raw_text = meta.text.ok_or(BadInput::MissingText)?;
    let text: Cow<'_, str> =
        serde_json::from_str(raw_text.get()).map_err(|_| BadInput::TextNotString)?;
    Ok(ParsedArticle { meta, text })
}

fn classify_json_error(e: &serde_json::Error) -> BadInput {
    if e.classify() == serde_json::error::Category::Data {
        // The JSON is fine; a known field has the wrong type.
        let field = e.to_string();
        BadInput::BadField(field)
    } else {
        BadInput::InvalidJson(e.to_string())
    }
}

/// Ids are strings, but producers often send numbers: accept both.
fn string_or_number<'de: 'a, 'a, D>(d: D) -> Result<Option<Cow<'a, str>>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Id<'a> {
        #[serde(borrow)]
        Str(Cow<'a, str>),
        Num(serde_json::Number),
    }
    Ok(match Option::<Id<'a>>::deserialize(d)? {
        None => None,
        Some(Id::Str(s)) => Some(s),
        Some(Id::Num(n)) => Some(Cow::Owned(n.to_string())),
    })
}

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
    let meta = &article.meta;
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
        title: meta.title.as_deref(),
        url: meta.url.as_deref(),
        publisher: meta.source.as_deref(),
        published_at: meta.published_at.as_deref(),
        language: analysis.language,
        entities: entities.collect(),
        quotes: quotes.collect(),
        warnings: analysis.warnings,
        source,
        extractor,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMIT: usize = 1 << 20;

    #[test]
    fn parses_aliases_and_borrowed_fields() {
        let a = parse_article(
            Some(br#"{"id":"a1","body":"Hello \"there\"","title":"T"}"#),
            LIMIT,
        )
        .unwrap();
        assert_eq!(a.text, "Hello \"there\"");
        assert_eq!(a.meta.id.as_deref(), Some("a1"));
        assert_eq!(a.meta.title.as_deref(), Some("T"));
        let b = parse_article(Some(br#"{"id":7,"content":"x"}"#), LIMIT).unwrap();
        assert_eq!(b.meta.id.as_deref(), Some("7"));
        assert_eq!(b.text, "x");
    }

    #[test]
    fn classifies_every_kind_of_bad_input() {
        let kind = |p: Option<&[u8]>| parse_article(p, 64).unwrap_err().kind();
        assert_eq!(kind(None), "empty");
        assert_eq!(kind(Some(b"")), "empty");
        assert_eq!(kind(Some(b"{\"text\":\"\xff\"}")), "invalid_utf8");
        assert_eq!(kind(Some(b"{\"text\": ")), "invalid_json");
        assert_eq!(kind(Some(b"not json")), "invalid_json");
        assert_eq!(kind(Some(b"[1,2]")), "not_an_object");
        assert_eq!(kind(Some(b"{\"title\":\"x\"}")), "missing_text");
        assert_eq!(kind(Some(b"{\"text\":42}")), "text_not_string");
        assert_eq!(kind(Some(b"{\"text\":\"x\",\"title\":[]}")), "bad_field");
        assert_eq!(kind(Some(&[b' '; 65])), "too_large");
    }

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
