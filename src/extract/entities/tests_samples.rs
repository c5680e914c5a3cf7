//! The sample articles (`samples/articles.jsonl`, used by the demo) read as
//! a careful reader would (issue 14): each named entity with its type and
//! exact boundaries, and the words that are not entities left alone.
use super::find_entities;
use crate::extract::{EntityGroup, EntityType};

use EntityType::{Location as Loc, Misc, Organization as Org, Person as Per};

const SAMPLES: &str = include_str!("../../../samples/articles.jsonl");
/// The seed article (also the first sample).
const SEED: &str = include_str!("../../../tests/data/seed.jsonl");

fn sample(id: &str) -> (String, String) {
    let article = SEED
        .lines()
        .chain(SAMPLES.lines())
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .find(|a| a["id"] == id)
        .unwrap_or_else(|| panic!("sample {id}"));
    let field = |k: &str| article[k].as_str().unwrap_or("").to_owned();
    (field("text"), field("title"))
}

/// Checks each `(name, type)` is an entity, named exactly so, and that no
/// entity's name is any of `not_entities` or contains punctuation at its
/// ends.
fn check(id: &str, expected: &[(&str, EntityType)], not_entities: &[&str]) -> Vec<EntityGroup> {
    let (text, title) = sample(id);
    let groups = find_entities(&text, &title);
    let found: Vec<(&str, EntityType)> = groups.iter().map(|g| (g.name.as_str(), g.kind)).collect();
    for &(name, kind) in expected {
        assert!(
            found.contains(&(name, kind)),
            "{id}: {name} as {kind:?}; found {found:?}"
        );
    }
    for name in not_entities {
        assert!(
            !found.iter().any(|(n, _)| n == name),
            "{id}: {name} is not an entity; found {found:?}"
        );
    }
    for (name, _) in &found {
        assert!(
            !name.ends_with(|c: char| c.is_ascii_punctuation()),
            "{id}: {name:?} ends in punctuation"
        );
    }
    groups
}

#[test]
fn seed_article() {
    // tests/data/seed.jsonl (`tests::seed_article_entities` checks its
    // grouping and salience): here types and boundaries. "agent-a" is a
    // word glued to an article by a lost dash, not a name.
    let seed: serde_json::Value = serde_json::from_str(SEED.lines().next().unwrap()).unwrap();
    check(
        seed["id"].as_str().unwrap(),
        &[
            ("Sergey Lavrov", Per),
            ("Trump", Per),
            ("Obama", Per),
            ("Moscow", Loc),
            ("Astana", Loc),
            ("Kazakh", Misc),
            ("Russian", Misc),
            ("Deutsche Welle", Org),
            ("NATO", Org),
            ("MI6", Org),
        ],
        &["agent-a", "Trump's"],
    );
}

#[test]
fn harbour_bridge() {
    check(
        "sample-harbour-bridge",
        &[
            ("Lisbon", Loc),
            ("Tagus", Loc),
            ("Marta Quintela", Per),
            ("Rui Amaral", Per),
            ("European Commission", Org),
            ("Portuguese", Misc),
            ("Tejo Engenharia", Org),
            ("Estuario Vivo", Org),
        ],
        &[],
    );
}

#[test]
fn chip_plant() {
    check(
        "sample-chip-plant",
        &[
            ("Northwind Semiconductor", Org),
            ("Dana Whitfield", Per),
            ("Columbus", Loc),
            ("Ohio", Loc),
            ("Ohio Department of Development", Org),
        ],
        &["Chipmaker"],
    );
}

#[test]
fn marathon() {
    check(
        "sample-marathon",
        &[
            ("Daniel Kiprop", Per),
            ("Kenya", Loc),
            ("Kenyan", Misc),
            ("Berlin Running Events", Org),
            ("Brandenburg Gate", Loc),
        ],
        &["Running Events", "Brandenburg Gate."],
    );
}

#[test]
fn central_bank() {
    check(
        "sample-central-bank",
        &[
            ("European Central Bank", Org),
            ("Helena Vogt", Per),
            ("Frankfurt", Loc),
            ("Governing Council", Org),
        ],
        &["Central"],
    );
}

#[test]
fn german_article_is_not_tagged() {
    // Entities are English-only: `analyze` skips other languages, with a
    // warning; the recogniser itself is not asked.
    let (text, title) = sample("sample-de-wetter");
    let analysis = crate::extract::analyze(&crate::extract::Document {
        text: &text,
        title: Some(&title),
        language: None,
    });
    assert!(analysis.entities.is_empty());
    assert_eq!(analysis.language.as_deref(), Some("de"));
}
