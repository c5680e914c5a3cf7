//! One article in, one enriched record (or a reason for the DLQ) out.
//!
//! Shared by every way of running: the Kafka worker, `extract`, `replay` and
//! `demo`. Knows the record format and the extraction core, not Kafka.

use std::borrow::Cow;

use crate::extract::{self, Document};
use crate::record::{self, BadInput, ExtractorInfo, SourceInfo};

/// Default upper bound on an input message's size.
pub const DEFAULT_MAX_ARTICLE_BYTES: usize = 1024 * 1024;

/// An enriched article, serialized and ready to publish.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enriched {
    /// The article id: the output message key.
    pub id: String,
    /// The record as one line of JSON (no trailing newline).
    pub json: Vec<u8>,
}

#[derive(Debug, Clone)]
pub struct Enricher {
    pub max_article_bytes: usize,
    /// When false, articles are only parsed and re-serialized (empty lists):
    /// the pass-through mode that measures the pipeline's I/O limit.
    pub extraction: bool,
    /// Which attributions records carry.
    pub attributions: extract::Attributions,
}

impl Default for Enricher {
    fn default() -> Self {
        Enricher {
            max_article_bytes: DEFAULT_MAX_ARTICLE_BYTES,
            extraction: true,
            attributions: extract::Attributions::All,
        }
    }
}

impl Enricher {
    /// Enrich one payload. `source` says where it came from (None outside
    /// Kafka); `fallback_id` names an article that carries no id.
    pub fn enrich(
        &self,
        payload: Option<&[u8]>,
        source: Option<SourceInfo>,
        fallback_id: impl FnOnce() -> String,
    ) -> Result<Enriched, BadInput> {
        let payload = record::read_payload(payload, self.max_article_bytes)?;
        let article = record::parse_article(&payload)?;
        let id: Cow<'_, str> = match article.id.as_deref() {
            Some(id) if !id.is_empty() => Cow::Borrowed(id),
            _ => Cow::Owned(fallback_id()),
        };
        let doc = Document {
            text: &article.text,
            title: article.title.as_deref(),
            language: article.language.as_deref(),
        };
        let analysis = if self.extraction {
            extract::analyze_with(&doc, self.attributions)
        } else {
            extract::Analysis::default()
        };
        let extractor = ExtractorInfo {
            version: env!("CARGO_PKG_VERSION"),
            model: self.attributions.model(),
        };
        let id_string = id.to_string();
        let record = record::build_record(&article, id, analysis, source, extractor);
        // Serializing plain structs of strings and numbers cannot fail.
        let json = serde_json::to_vec(&record).unwrap_or_default();
        Ok(Enriched {
            id: id_string,
            json,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        /// Whatever bytes arrive as a message, enrichment returns a record or a
        /// reason: it never panics.
        #[test]
        fn arbitrary_payloads_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
            let _ = Enricher::default().enrich(Some(&bytes), None, || "x".to_owned());
        }

        /// Any text inside a valid article is enriched, and every offset in the
        /// record indexes the text's code points.
        #[test]
        fn arbitrary_texts_are_enriched_with_valid_offsets(text in "\\PC{0,400}", title in "\\PC{0,40}") {
            let payload = serde_json::json!({ "text": text, "title": title, "language": "en" }).to_string();
            let out = Enricher::default().enrich(Some(payload.as_bytes()), None, || "x".to_owned()).unwrap();
            let record: serde_json::Value = serde_json::from_slice(&out.json).unwrap();
            let chars: Vec<char> = text.chars().collect();
            for e in record["entities"].as_array().unwrap() {
                for m in e["mentions"].as_array().unwrap() {
                    if m.get("field").is_none() {
                        let (s, e) = (m["start"].as_u64().unwrap() as usize, m["end"].as_u64().unwrap() as usize);
                        prop_assert!(s <= e && e <= chars.len());
                        prop_assert_eq!(chars[s..e].iter().collect::<String>(), m["text"].as_str().unwrap());
                    }
                }
            }
            for q in record["quotes"].as_array().unwrap() {
                // The quote, and its speaker, cue and clause when it has them.
                for span in [q, &q["speaker"], &q["cue"], &q["clause"]].into_iter().filter(|v| v.is_object()) {
                    let (s, e) = (span["start"].as_u64().unwrap() as usize, span["end"].as_u64().unwrap() as usize);
                    prop_assert!(s <= e && e <= chars.len());
                    prop_assert_eq!(chars[s..e].iter().collect::<String>(), span["text"].as_str().unwrap());
                }
            }
        }
    }

    /// Half an emoji from a JavaScript producer: the article is enriched,
    /// the half becomes U+FFFD, and the record says so before any warning
    /// of the extractor's.
    #[test]
    fn a_lone_surrogate_is_enriched_with_a_warning() {
        let enrich = |payload: &str| {
            let out = Enricher::default()
                .enrich(Some(payload.as_bytes()), None, || "x".to_owned())
                .unwrap();
            serde_json::from_slice::<serde_json::Value>(&out.json).unwrap()
        };
        let surrogate_warning =
            "replaced 1 lone UTF-16 surrogate escape (half of a \\ud800-\\udfff pair) with U+FFFD";
        let record = enrich(
            r#"{"id":"s1","text":"Angela Merkel met Emmanuel Macron in Paris \ud83d","language":"en"}"#,
        );
        assert_eq!(record["warnings"], serde_json::json!([surrogate_warning]));
        let names: Vec<&str> = record["entities"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["name"].as_str().unwrap())
            .collect();
        assert!(names.contains(&"Angela Merkel"), "{names:?}");
        let record = enrich(r#"{"text":"Bonjour \udc00 tout le monde","language":"fr"}"#);
        let warnings = record["warnings"].as_array().unwrap();
        assert_eq!(warnings.len(), 2);
        assert_eq!(warnings[0], surrogate_warning);
    }

    #[test]
    fn a_record_is_reproducible_byte_for_byte() {
        let payload = include_str!("../tests/data/seed.jsonl").trim().as_bytes();
        let source = SourceInfo {
            topic: "t".into(),
            partition: 1,
            offset: 7,
            timestamp: Some(1),
        };
        let a = Enricher::default()
            .enrich(Some(payload), Some(source.clone()), || unreachable!())
            .unwrap();
        let b = Enricher::default()
            .enrich(Some(payload), Some(source), || unreachable!())
            .unwrap();
        assert_eq!(a, b);
    }
}
