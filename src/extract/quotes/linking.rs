//! Linking a speaker phrase to the entity it names or refers to.

use crate::extract::{ByteSpan, EntityGroup, EntityType, Field};

/// Pronouns that refer to a person.
const PERSON_PRONOUNS: &[&str] = &["he", "she"];

/// Index of the entity `speaker` (a span of `text`) stands for, if any.
pub(super) fn link(
    text: &str,
    speaker: ByteSpan,
    is_pronoun: bool,
    entities: &[EntityGroup],
) -> Option<usize> {
    if entities.is_empty() {
        return None;
    }
    let words = text.get(speaker.start..speaker.end)?;
    if is_pronoun {
        let pronoun = words.to_lowercase();
        return PERSON_PRONOUNS
            .contains(&pronoun.as_str())
            .then(|| latest_person_before(speaker.start, entities))?;
    }
    if is_description(words) {
        return None;
    }
    overlapping(speaker, entities).or_else(|| same_surname(words, entities))
}

/// "a spokesman for Hillary Clinton", "the Clinton campaign": not a name,
/// even when a name is inside it.
fn is_description(words: &str) -> bool {
    const DETERMINERS: &[&str] = &[
        "a", "an", "the", "one", "another", "some", "his", "her", "their", "its",
    ];
    words
        .split_whitespace()
        .next()
        .is_some_and(|w| DETERMINERS.iter().any(|d| w.eq_ignore_ascii_case(d)))
}

fn text_mentions(group: &EntityGroup) -> impl Iterator<Item = ByteSpan> + '_ {
    group
        .mentions
        .iter()
        .filter(|(field, _)| *field == Field::Text)
        .map(|&(_, span)| span)
}

/// The person mentioned last before `offset`: what "he" or "she" refers to.
fn latest_person_before(offset: usize, entities: &[EntityGroup]) -> Option<usize> {
    entities
        .iter()
        .enumerate()
        .filter(|(_, g)| g.kind == EntityType::Person)
        .filter_map(|(i, g)| {
            text_mentions(g)
                .filter(|m| m.end <= offset)
                .map(|m| m.start)
                .max()
                .map(|s| (s, i))
        })
        .max()
        .map(|(_, i)| i)
}

/// The entity with a mention overlapping the speaker span, people first.
fn overlapping(speaker: ByteSpan, entities: &[EntityGroup]) -> Option<usize> {
    entities
        .iter()
        .enumerate()
        .filter(|(_, g)| text_mentions(g).any(|m| m.start < speaker.end && speaker.start < m.end))
        .min_by_key(|(i, g)| (g.kind != EntityType::Person, *i))
        .map(|(i, _)| i)
}

/// "Mr. Garin" names the entity "Geoff Garin": same last word, people first.
fn same_surname(words: &str, entities: &[EntityGroup]) -> Option<usize> {
    let last = words.split_whitespace().next_back()?;
    if !last.chars().next().is_some_and(char::is_uppercase) {
        return None;
    }
    entities
        .iter()
        .enumerate()
        .filter(|(_, g)| g.name.split_whitespace().next_back() == Some(last))
        .min_by_key(|(i, g)| (g.kind != EntityType::Person, *i))
        .map(|(i, _)| i)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(name: &str, kind: EntityType, mentions: &[(usize, usize)]) -> EntityGroup {
        EntityGroup {
            name: name.to_owned(),
            kind,
            salience: 0.5,
            mentions: mentions
                .iter()
                .map(|&(start, end)| (Field::Text, ByteSpan { start, end }))
                .collect(),
        }
    }

    const TEXT: &str = "Sergey Lavrov met NATO. He said no. Mr. Lavrov left.";

    fn entities() -> Vec<EntityGroup> {
        vec![
            group("NATO", EntityType::Organization, &[(18, 22)]),
            group("Sergey Lavrov", EntityType::Person, &[(0, 13)]),
        ]
    }

    #[test]
    fn pronoun_links_to_the_latest_person() {
        assert_eq!(
            link(TEXT, ByteSpan { start: 24, end: 26 }, true, &entities()),
            Some(1)
        );
    }

    #[test]
    fn name_links_by_overlap_or_surname() {
        assert_eq!(
            link(TEXT, ByteSpan { start: 7, end: 13 }, false, &entities()),
            Some(1)
        );
        assert_eq!(
            link(TEXT, ByteSpan { start: 36, end: 46 }, false, &entities()),
            Some(1)
        );
    }

    #[test]
    fn description_without_entity_stays_unlinked() {
        let text = "Sergey Lavrov met NATO. A spokesman said no.";
        assert_eq!(
            link(text, ByteSpan { start: 24, end: 35 }, false, &entities()),
            None
        );
    }
}
