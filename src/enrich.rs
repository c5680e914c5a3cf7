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
}

impl Default for Enricher {
    fn default() -> Self {
        Enricher {
            max_article_bytes: DEFAULT_MAX_ARTICLE_BYTES,
            extraction: true,
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
        let article = record::parse_article(payload, self.max_article_bytes)?;
        let id: Cow<'_, str> = match article.meta.id.as_deref() {
            Some(id) if !id.is_empty() => Cow::Borrowed(id),
            _ => Cow::Owned(fallback_id()),
        };
        let doc = Document {
            text: &article.text,
            title: article.meta.title.as_deref(),
            language: article.meta.language.as_deref(),
        };
        let analysis = if self.extraction {
            extract::analyze(&doc)
        } else {
            extract::Analysis::default()
        };
        let extractor = ExtractorInfo {
            version: env!("CARGO_PKG_VERSION"),
            model: extract::MODEL,
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
