//! Reading enriched records back, for the view.
//!
//! The writer's types in `crate::record` borrow from the input and serialize only; these own their
//! data and deserialize the same public contract (schema version 1, `schema/enriched-record.v1.json`).
//! Unknown fields are ignored and missing lists default to empty, so records from a topic written by
//! a newer minor version still display.

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::BufRead;

use anyhow::{bail, Context};
use serde::Deserialize;

use crate::record::{parse_article, read_payload};

#[derive(Debug, Clone, Deserialize)]
pub struct Record {
    pub id: String,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub publisher: Option<String>,
    #[serde(default)]
    pub language: Option<String>,
    #[serde(default)]
    pub entities: Vec<Entity>,
    #[serde(default)]
    pub quotes: Vec<Quote>,
    #[serde(default)]
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Entity {
    pub id: String,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub mentions: Vec<Mention>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Mention {
    pub start: usize,
    pub end: usize,
    pub text: String,
    /// `Some("title")` for mentions in the title; absent for the text.
    #[serde(default)]
    pub field: Option<String>,
}

impl Mention {
    pub fn in_title(&self) -> bool {
        self.field.as_deref() == Some("title")
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct Quote {
    pub id: String,
    pub kind: String,
    pub text: String,
    pub start: usize,
    pub end: usize,
    #[serde(default)]
    pub speaker: Option<Speaker>,
    #[serde(default)]
    pub cue: Option<Span>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Speaker {
    pub text: String,
    pub start: usize,
    pub end: usize,
    #[serde(default)]
    pub entity_id: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Span {
    pub text: String,
    pub start: usize,
    pub end: usize,
}

impl Record {
    pub fn entity(&self, id: &str) -> Option<&Entity> {
        self.entities.iter().find(|e| e.id == id)
    }

    /// The entities of one type, most mentioned first (then by name): what
    /// the article is about reads first.
    pub fn entities_of(&self, kind: &str) -> Vec<&Entity> {
        let mut of_kind: Vec<&Entity> = self.entities.iter().filter(|e| e.kind == kind).collect();
        of_kind.sort_by(|a, b| {
            b.mentions
                .len()
                .cmp(&a.mentions.len())
                .then(a.name.cmp(&b.name))
        });
        of_kind
    }

    /// Mentions in the article text (not the title), with their entity.
    pub fn text_mentions(&self) -> impl Iterator<Item = (&Entity, &Mention)> {
        self.entities
            .iter()
            .flat_map(|e| e.mentions.iter().map(move |m| (e, m)))
            .filter(|(_, m)| !m.in_title())
    }
}

/// Parses JSONL records; blank lines are skipped, a bad line is an error naming its number.
pub fn read_records(input: impl BufRead, what: &str) -> anyhow::Result<Vec<Record>> {
    let mut records = Vec::new();
    for (i, line) in input.lines().enumerate() {
        let line = line.with_context(|| format!("reading {what}"))?;
        if line.trim().is_empty() {
            continue;
        }
        let record = serde_json::from_str(&line)
            .with_context(|| format!("{what}, line {}: not an enriched record", i + 1))?;
        records.push(record);
    }
    Ok(records)
}

/// Article texts by id, from the JSONL articles that were enriched. An article without an `id`
/// gets `line-N`, as `extract` names it, so the two files match line for line.
pub fn read_texts(input: impl BufRead, what: &str) -> anyhow::Result<HashMap<String, String>> {
    let mut texts = HashMap::new();
    for (i, line) in input.lines().enumerate() {
        let line = line.with_context(|| format!("reading {what}"))?;
        if line.trim().is_empty() {
            continue;
        }
        let parsed = read_payload(Some(line.as_bytes()), usize::MAX).and_then(|payload| {
            let a = parse_article(&payload)?;
            Ok((a.id.map(Cow::into_owned), a.text.into_owned()))
        });
        let (id, text) = match parsed {
            Ok(a) => a,
            Err(e) => bail!("{what}, line {}: {e}", i + 1),
        };
        let id = id
            .as_deref()
            .map_or_else(|| format!("line-{}", i + 1), str::to_owned);
        texts.insert(id, text);
    }
    Ok(texts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_records_leniently_and_names_bad_lines() {
        let input =
            "{\"id\":\"a\",\"entities\":[{\"id\":\"e1\",\"name\":\"X\",\"type\":\"PERSON\",\
                     \"mentions\":[{\"start\":0,\"end\":1,\"text\":\"X\",\"field\":\"title\"}]}],\
                     \"future_field\":1}\n\n";
        let records = read_records(input.as_bytes(), "r").unwrap();
        assert_eq!(records.len(), 1);
        assert!(records[0].entities[0].mentions[0].in_title());
        assert_eq!(records[0].text_mentions().count(), 0);
        let err = read_records("{\"id\":1}\n{}\n".as_bytes(), "r").unwrap_err();
        assert!(format!("{err:#}").contains("line 1"), "{err:#}");
    }

    #[test]
    fn texts_without_an_id_are_named_like_extract_names_them() {
        let input = "{\"id\":\"a\",\"text\":\"One\"}\n{\"body\":\"Two\"}\n";
        let texts = read_texts(input.as_bytes(), "articles").unwrap();
        assert_eq!(texts["a"], "One");
        assert_eq!(texts["line-2"], "Two");
    }
}
