//! Bytes in, the worker's processing of one message out: parse, extract,
//! build and serialize the record, exactly as `Enricher::enrich` does for
//! `run`, `extract` and `replay`. Checks what must hold for every input:
//! no panic, a bad input has a known kind other than `internal_error` and a
//! message, and a record is JSON whose every offset indexes the text (or the
//! title) at the code points of the mention it reports.
//!
//! The first byte picks how the rest is used, so that the fuzzer spends time
//! in extraction and not only in JSON syntax:
//! - even: the rest is a message payload as it comes from Kafka;
//! - odd: the rest (lossy UTF-8) is an English article's text; with bit 1
//!   set, its first line is the title.
#![no_main]

use article_enricher::enrich::Enricher;
use article_enricher::record::{self, BadInput};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    match data.split_first() {
        None => check_payload(data),
        Some((mode, rest)) if mode % 2 == 0 => check_payload(rest),
        Some((mode, rest)) => {
            let text = String::from_utf8_lossy(rest);
            let (title, text) = match text.split_once('\n') {
                Some((title, text)) if mode & 2 != 0 => (Some(title), text),
                _ => (None, &*text),
            };
            let article = serde_json::json!({ "text": text, "title": title, "language": "en" });
            check_payload(article.to_string().as_bytes());
        }
    }
});

fn check_payload(payload: &[u8]) {
    let enricher = Enricher::default();
    match enricher.enrich(Some(payload), None, || "fallback-id".to_owned()) {
        Err(bad) => check_bad(&bad),
        Ok(out) => {
            // The same parse `enrich` did, for the decoded text and title.
            let input = record::read_payload(Some(payload), enricher.max_article_bytes)
                .expect("enriched, so it reads");
            let article = record::parse_article(&input).expect("enriched, so it parses");
            let record: Value = serde_json::from_slice(&out.json).expect("a record is JSON");
            assert_eq!(record["id"].as_str(), Some(out.id.as_str()));
            assert_eq!(record["schema_version"], 1);
            check_offsets(&record, &article.text, article.title.as_deref());
        }
    }
}

fn check_bad(bad: &BadInput) {
    assert!(BadInput::KINDS.contains(&bad.kind()), "{bad:?}");
    assert_ne!(bad.kind(), "internal_error", "{bad:?}");
    assert!(!bad.to_string().is_empty());
}

/// Every span in the record is `[start, end)` in code points of its field
/// and its `text` is exactly those code points.
fn check_offsets(record: &Value, text: &str, title: Option<&str>) {
    let text: Vec<char> = text.chars().collect();
    let title: Vec<char> = title.unwrap_or_default().chars().collect();
    for entity in array(&record["entities"]) {
        for mention in array(&entity["mentions"]) {
            let field = match mention.get("field").and_then(Value::as_str) {
                None => &text,
                Some("title") => &title,
                Some(other) => panic!("unknown field {other}"),
            };
            check_span(mention, field);
        }
    }
    for quote in array(&record["quotes"]) {
        check_span(quote, &text);
        for part in ["speaker", "cue"] {
            if !quote[part].is_null() {
                check_span(&quote[part], &text);
            }
        }
    }
}

fn check_span(span: &Value, field: &[char]) {
    let at = |key: &str| span[key].as_u64().expect("offsets are integers") as usize;
    let (start, end) = (at("start"), at("end"));
    assert!(
        start <= end && end <= field.len(),
        "{span} out of a field of {} chars",
        field.len()
    );
    let indexed: String = field[start..end].iter().collect();
    assert_eq!(Some(indexed.as_str()), span["text"].as_str(), "{span}");
}

fn array(value: &Value) -> &[Value] {
    value.as_array().map(Vec::as_slice).expect("a list")
}
