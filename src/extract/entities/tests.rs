//! Behaviour of the whole recogniser with the embedded model: hand-written
//! sentences (not from CoNLL), the seed article, and totality.
use proptest::prelude::*;

use super::find_entities;
use crate::extract::{EntityGroup, EntityType, Field};

const SEED: &str = include_str!("../../../tests/data/seed.jsonl");

fn seed() -> (String, String) {
    let article: serde_json::Value = serde_json::from_str(SEED.lines().next().unwrap()).unwrap();
    (
        article["text"].as_str().unwrap().to_owned(),
        article["title"].as_str().unwrap().to_owned(),
    )
}

fn kind_of<'a>(groups: &'a [EntityGroup], name: &str) -> Option<(&'a EntityGroup, EntityType)> {
    groups.iter().find(|g| g.name == name).map(|g| (g, g.kind))
}

fn names(groups: &[EntityGroup], kind: EntityType) -> Vec<&str> {
    groups
        .iter()
        .filter(|g| g.kind == kind)
        .map(|g| g.name.as_str())
        .collect()
}

#[test]
fn tags_hand_written_sentences() {
    let text = "Angela Merkel flew to Nairobi on Tuesday to meet officials of the World Bank.\n\
                Merkel said Kenya and Germany would sign the deal in Berlin.";
    let groups = find_entities(text, "");
    let person = names(&groups, EntityType::Person);
    let places = names(&groups, EntityType::Location);
    assert!(person.contains(&"Angela Merkel"), "{groups:#?}");
    for place in ["Nairobi", "Kenya", "Germany", "Berlin"] {
        assert!(places.contains(&place), "{place}: {groups:#?}");
    }
    assert_eq!(
        kind_of(&groups, "World Bank").map(|(_, k)| k),
        Some(EntityType::Organization),
        "{groups:#?}"
    );
    let merkel = kind_of(&groups, "Angela Merkel").unwrap().0;
    assert_eq!(merkel.mentions.len(), 2, "Merkel joins Angela Merkel");
}

#[test]
fn headlines_in_capitals_and_results_tables() {
    let text = "SOCCER - ARSENAL BEAT CHELSEA IN LONDON .\nLONDON 1996-08-31\n\
                Arsenal beat Chelsea 2-1 at Highbury in London on Saturday , manager Arsene Wenger said .\n\
                Standings : Arsenal 3 2 1 0 6 7\nChelsea 3 1 1 1 4 4";
    let groups = find_entities(text, "");
    let arsenal = kind_of(&groups, "Arsenal")
        .expect("Arsenal, named in mixed case")
        .0;
    assert_eq!(arsenal.kind, EntityType::Organization, "{groups:#?}");
    assert_eq!(
        arsenal.mentions.len(),
        3,
        "headline, sentence and table row"
    );
    let london = kind_of(&groups, "London").expect("London").0;
    assert_eq!(london.kind, EntityType::Location);
    assert_eq!(london.mentions.len(), 3, "headline, dateline, sentence");
    assert!(
        names(&groups, EntityType::Person).contains(&"Arsene Wenger"),
        "{groups:#?}"
    );
}

#[test]
fn finds_names_with_non_ascii_letters() {
    let text = "Polish striker Łukasz Piszczek scored twice as Borussia Dortmund beat Bayern Munich in Kraków.";
    let groups = find_entities(text, "");
    let lukasz = groups
        .iter()
        .find(|g| g.name.contains("Piszczek"))
        .expect("Piszczek found");
    assert_eq!(lukasz.kind, EntityType::Person);
    for g in &groups {
        for (_, span) in &g.mentions {
            assert!(
                text.get(span.start..span.end).is_some(),
                "span on char boundaries"
            );
        }
    }
}

#[test]
fn seed_article_entities() {
    let (text, title) = seed();
    let groups = find_entities(&text, &title);
    let expected = [
        (EntityType::Person, &["Sergey Lavrov", "Trump", "Obama"][..]),
        (
            EntityType::Location,
            &[
                "Moscow", "Syria", "Astana", "Russia", "Turkey", "Poland", "Japan", "Tokyo",
            ][..],
        ),
        (
            EntityType::Organization,
            &["NATO", "Deutsche Welle", "MI6"][..],
        ),
    ];
    for (kind, wanted) in expected {
        let found = names(&groups, kind);
        for name in wanted {
            assert!(found.contains(name), "{name} as {kind:?}; found {found:?}");
        }
    }
    let lavrov = kind_of(&groups, "Sergey Lavrov").unwrap().0;
    assert!(
        lavrov.mentions.len() >= 8,
        "Lavrov grouped: {:?}",
        lavrov.mentions
    );
    assert!(
        lavrov.mentions.iter().any(|(f, _)| *f == Field::Title),
        "title mention"
    );
    let trump = kind_of(&groups, "Trump").unwrap().0;
    for (field, span) in &trump.mentions {
        let source = if *field == Field::Text { &text } else { &title };
        assert_eq!(
            &source[span.start..span.end],
            "Trump",
            "possessive stays out of the mention"
        );
    }
    let top = groups.iter().map(|g| g.salience).fold(0f32, f32::max);
    assert_eq!(lavrov.salience, top, "the article is about Lavrov");
}

#[test]
fn deterministic() {
    let (text, title) = seed();
    assert_eq!(find_entities(&text, &title), find_entities(&text, &title));
}

proptest! {
    #[test]
    fn never_panics_and_spans_slice_the_text(text in "\\PC{0,200}", title in "\\PC{0,40}") {
        for g in find_entities(&text, &title) {
            prop_assert!((0.0..=1.0).contains(&g.salience));
            for (field, span) in g.mentions {
                let source = if field == Field::Text { &text } else { &title };
                prop_assert!(source.get(span.start..span.end).is_some_and(|s| !s.is_empty()));
            }
        }
    }

    #[test]
    fn never_panics_on_name_like_text(text in "([A-Z][a-zé’'.-]{0,8}[ ,.\"“”]{1,2}){0,30}") {
        let _ = find_entities(&text, &text);
    }
}

#[test]
fn listed_names_fill_gaps_only_in_running_text() {
    use super::doc::{add_document_context, Segment};
    use super::with_listed_names;
    // "WHO" and "MI6" are on the list. With nothing tagged, "Who" opening a
    // sentence is not added (the list matches words in any case), "MI6"
    // inside the sentence is; in a title, neither.
    let text = "Who asked MI6 ?";
    let mut segs = vec![Segment::new(text), Segment::new("")];
    add_document_context(&mut segs);
    let added = with_listed_names(&segs[0], Field::Text, Vec::new());
    let names: Vec<&str> = added
        .iter()
        .map(|&(s, e, _)| &text[segs[0].tokens[s].start..segs[0].tokens[e - 1].end])
        .collect();
    assert_eq!(names, ["MI6"]);
    assert!(with_listed_names(&segs[0], Field::Title, Vec::new()).is_empty());
}

#[test]
fn a_listed_acronym_takes_its_listed_type() {
    use super::doc::{add_document_context, Segment};
    use super::with_listed_names;
    // "MI6" and "Kremlin" are listed as organisations. An acronym tagged
    // with another type takes the list's; a title-case name keeps the
    // tagger's ("the Kremlin" is a place in CoNLL-2003).
    let mut segs = vec![
        Segment::new("a British MI6 agent met the Kremlin team"),
        Segment::new(""),
    ];
    add_document_context(&mut segs);
    let (misc, location) = (3, 2);
    let fixed = with_listed_names(&segs[0], Field::Text, vec![(2, 3, misc), (6, 7, location)]);
    assert_eq!(fixed, [(2, 3, 1), (6, 7, location)]);
}

#[test]
fn a_text_cache_of_other_segments_is_not_reused() {
    use super::doc::{add_document_context, Segment};
    use super::tagger::{tag_segments_with, Greedy, TextCache, TextFeatures};
    let model = super::model::embedded().expect("the embedded model loads");
    let prepare = |text: &str| {
        let mut segs = vec![Segment::new(text), Segment::new("")];
        add_document_context(&mut segs);
        segs
    };
    // As many segments as the cache holds, but other tokens.
    let filled = prepare("Sergey Lavrov met Rex Tillerson in Astana on Friday .");
    let other = prepare("NATO said so .");
    let mut cache = TextCache::default();
    tag_segments_with(&filled, &mut Greedy(model), TextFeatures::Fill(&mut cache));
    let reused = tag_segments_with(&other, &mut Greedy(model), TextFeatures::Reuse(&cache));
    let computed = tag_segments_with(&other, &mut Greedy(model), TextFeatures::Compute);
    assert_eq!(reused, computed);
    let again = tag_segments_with(&filled, &mut Greedy(model), TextFeatures::Reuse(&cache));
    let fresh = tag_segments_with(&filled, &mut Greedy(model), TextFeatures::Compute);
    assert_eq!(again, fresh);
}
