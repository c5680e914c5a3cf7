//! Document-level grouping: the mentions of one real-world entity become one
//! [`EntityGroup`] ("Sergey Lavrov", "Lavrov", "LAVROV"), typed by majority,
//! named by its fullest form and scored for salience.
use std::collections::HashMap;

use crate::extract::{ByteSpan, EntityGroup, EntityType, Field};

/// A recognised mention before grouping.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Found {
    pub field: Field,
    pub span: ByteSpan,
    pub kind: EntityType,
}

/// Words that may precede a name inside a mention and do not name anyone.
const HONORIFICS: &[&str] = &[
    "mr", "mrs", "ms", "miss", "dr", "prof", "sir", "dame", "lord", "lady",
];

pub(crate) fn group(text: &str, title: &str, found: &[Found]) -> Vec<EntityGroup> {
    let source = |f: &Found| match f.field {
        Field::Text => text,
        Field::Title => title,
    };
    let keys: Vec<Vec<String>> = found
        .iter()
        .map(|f| key_words(source(f).get(f.span.start..f.span.end).unwrap_or("")))
        .collect();
    let kinds = majority_kinds(found, &keys);
    // Longer names first, so that "Lavrov" finds "Sergey Lavrov" to join.
    let mut order: Vec<usize> = (0..found.len()).filter(|&i| !keys[i].is_empty()).collect();
    order.sort_by_key(|&i| {
        (
            std::cmp::Reverse(keys[i].len()),
            found[i].field,
            found[i].span.start,
        )
    });
    let mut groups: Vec<Draft> = Vec::new();
    for i in order {
        let kind = kinds[i];
        let same = groups
            .iter()
            .position(|g| g.kind == kind && g.key == keys[i]);
        let target = same.or_else(|| {
            groups
                .iter()
                .position(|g| g.kind == kind && is_short_form(&keys[i], &g.key, kind))
        });
        match target {
            Some(g) => groups[g].members.push(i),
            None => groups.push(Draft {
                kind,
                key: keys[i].clone(),
                members: vec![i],
            }),
        }
    }
    finish(text, title, found, groups)
}

struct Draft {
    kind: EntityType,
    key: Vec<String>,
    members: Vec<usize>,
}

/// Lowercased words of a mention without honorifics and possessives.
fn key_words(mention: &str) -> Vec<String> {
    let words: Vec<String> = mention
        .split_whitespace()
        .map(|w| {
            trim_suffix(trim_suffix(w, "'s"), "’s")
                .trim_end_matches('.')
                .to_lowercase()
        })
        .filter(|w| !w.is_empty())
        .collect();
    let skip = words
        .iter()
        .take_while(|w| HONORIFICS.contains(&w.as_str()))
        .count();
    if skip == words.len() {
        return words;
    }
    words[skip..].to_vec()
}

/// "Lavrov" is a short form of "Sergey Lavrov" (a person's first or last
/// name); "UN" of "United Nations" (initials) for organisations.
fn is_short_form(short: &[String], long: &[String], kind: EntityType) -> bool {
    if short.len() >= long.len() {
        return false;
    }
    match kind {
        EntityType::Person => {
            short.len() == 1 && (long.last() == short.first() || long.first() == short.first())
        }
        EntityType::Organization | EntityType::Location | EntityType::Misc => {
            short.len() == 1 && long.len() > 1 && initials(long) == short[0]
        }
    }
}

fn initials(words: &[String]) -> String {
    words
        .iter()
        .filter(|w| !matches!(w.as_str(), "of" | "the" | "and" | "for"))
        .filter_map(|w| w.chars().next())
        .collect()
}

/// The most frequent type of each distinct name, so that one name has one
/// type throughout the article (ties: the type seen first); except that a
/// place and an organisation of the same name stay apart.
fn majority_kinds(found: &[Found], keys: &[Vec<String>]) -> Vec<EntityType> {
    let mut votes: HashMap<&[String], Vec<(EntityType, usize)>> = HashMap::new();
    for (f, key) in found.iter().zip(keys) {
        let tally = votes.entry(key.as_slice()).or_default();
        match tally.iter_mut().find(|(k, _)| *k == f.kind) {
            Some((_, n)) => *n += 1,
            None => tally.push((f.kind, 1)),
        }
    }
    found
        .iter()
        .zip(keys)
        .map(|(f, key)| {
            let tally = &votes[key.as_slice()];
            let best = tally.iter().map(|(_, n)| *n).max().unwrap_or(0);
            let majority = tally
                .iter()
                .find(|(_, n)| *n == best)
                .map_or(EntityType::Misc, |(k, _)| *k);
            if is_place_and_organization(f.kind, majority) {
                f.kind
            } else {
                majority
            }
        })
        .collect()
}

/// A city and its club, a country and its team or government, share a
/// name and are different entities: the tagger's choice between them, made
/// in context ("NEW YORK AT CHICAGO", "rain in New York"), stands.
fn is_place_and_organization(a: EntityType, b: EntityType) -> bool {
    use EntityType::{Location, Organization};
    matches!((a, b), (Location, Organization) | (Organization, Location))
}

fn finish(text: &str, title: &str, found: &[Found], drafts: Vec<Draft>) -> Vec<EntityGroup> {
    let max_mentions = drafts.iter().map(|d| d.members.len()).max().unwrap_or(1) as f32;
    let text_len = text.len().max(1) as f32;
    let mut groups: Vec<EntityGroup> = drafts
        .into_iter()
        .map(|d| {
            let mut mentions: Vec<(Field, ByteSpan)> = d
                .members
                .iter()
                .map(|&i| (found[i].field, found[i].span))
                .collect();
            mentions.sort();
            mentions.dedup();
            let name = fullest_name(text, title, &mentions);
            let first_in_text = mentions
                .iter()
                .find(|(f, _)| *f == Field::Text)
                .map_or(text_len, |(_, s)| s.start as f32);
            let in_title = mentions.iter().any(|(f, _)| *f == Field::Title);
            let salience = 0.5 * mentions.len() as f32 / max_mentions
                + 0.25 * (1.0 - first_in_text / text_len)
                + if in_title { 0.25 } else { 0.0 };
            EntityGroup {
                name,
                kind: d.kind,
                salience: salience.clamp(0.0, 1.0),
                mentions,
            }
        })
        .collect();
    groups.sort_by(|a, b| {
        b.salience
            .total_cmp(&a.salience)
            .then_with(|| a.mentions.cmp(&b.mentions))
    });
    groups
}

/// The longest mention (in chars); among equals, one in mixed case
/// ("Arsenal", not the headline's "ARSENAL"), then the text's over the
/// title's, then the first.
fn fullest_name(text: &str, title: &str, mentions: &[(Field, ByteSpan)]) -> String {
    let mut best = "";
    let rank = |name: &str| (name.chars().count(), name.chars().any(char::is_lowercase));
    for (field, span) in mentions {
        let source = if *field == Field::Text { text } else { title };
        let candidate = source.get(span.start..span.end).unwrap_or("");
        let candidate = trim_suffix(trim_suffix(candidate, "’s"), "'s");
        if rank(candidate) > rank(best) {
            best = candidate;
        }
    }
    best.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `text` without any number of `suffix`es at its end: `trim_end_matches`
/// with a string pattern, which sets up a substring searcher on every call.
fn trim_suffix<'t>(mut text: &'t str, suffix: &str) -> &'t str {
    while let Some(rest) = text.strip_suffix(suffix) {
        text = rest;
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str, word: &str, nth: usize, kind: EntityType) -> Found {
        let start = text.match_indices(word).nth(nth).map(|(i, _)| i).unwrap();
        Found {
            field: Field::Text,
            span: ByteSpan {
                start,
                end: start + word.len(),
            },
            kind,
        }
    }

    #[test]
    fn groups_short_forms_under_the_fullest_name() {
        let text = "Sergey Lavrov met Mr. Lavrov's friends. Lavrov left for the United Nations, the UN said.";
        let f = vec![
            found(text, "Sergey Lavrov", 0, EntityType::Person),
            found(text, "Mr. Lavrov", 0, EntityType::Person),
            found(text, "Lavrov", 2, EntityType::Person),
            found(text, "United Nations", 0, EntityType::Organization),
            found(text, "UN", 0, EntityType::Organization),
        ];
        let groups = group(text, "", &f);
        assert_eq!(groups.len(), 2);
        let lavrov = groups
            .iter()
            .find(|g| g.kind == EntityType::Person)
            .unwrap();
        assert_eq!(lavrov.name, "Sergey Lavrov");
        assert_eq!(lavrov.mentions.len(), 3);
        let un = groups
            .iter()
            .find(|g| g.kind == EntityType::Organization)
            .unwrap();
        assert_eq!(un.name, "United Nations");
        assert_eq!(un.mentions.len(), 2);
        assert!(lavrov.salience > un.salience && (0.0..=1.0).contains(&un.salience));
    }

    #[test]
    fn one_name_gets_one_type() {
        let text = "Jordan beat Jordan and Jordan";
        let f = vec![
            found(text, "Jordan", 0, EntityType::Location),
            found(text, "Jordan", 1, EntityType::Person),
            found(text, "Jordan", 2, EntityType::Location),
        ];
        let groups = group(text, "", &f);
        assert_eq!(groups.len(), 1);
        assert_eq!(groups[0].kind, EntityType::Location);
    }

    #[test]
    fn a_place_and_its_club_stay_two_entities() {
        let text = "Leeds beat Leeds United fans in Leeds at Leeds";
        let f = vec![
            found(text, "Leeds", 0, EntityType::Organization),
            found(text, "Leeds", 1, EntityType::Person),
            found(text, "Leeds", 2, EntityType::Location),
            found(text, "Leeds", 3, EntityType::Organization),
        ];
        let groups = group(text, "", &f);
        let kinds: Vec<(EntityType, usize)> =
            groups.iter().map(|g| (g.kind, g.mentions.len())).collect();
        // The person reading is outvoted; the place keeps its own entity.
        assert_eq!(kinds.len(), 2, "{kinds:?}");
        assert!(kinds.contains(&(EntityType::Organization, 3)), "{kinds:?}");
        assert!(kinds.contains(&(EntityType::Location, 1)), "{kinds:?}");
    }

    #[test]
    fn title_mentions_join_text_groups() {
        let (text, title) = ("Russian minister Sergey Lavrov spoke.", "Lavrov speaks");
        let mut f = vec![found(text, "Sergey Lavrov", 0, EntityType::Person)];
        f.push(Found {
            field: Field::Title,
            span: ByteSpan { start: 0, end: 6 },
            kind: EntityType::Person,
        });
        let groups = group(text, title, &f);
        assert_eq!(groups.len(), 1);
        assert_eq!(groups[0].mentions[1].0, Field::Title);
    }
}
