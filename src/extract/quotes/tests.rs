//! Hand-written examples of every typographic case and attribution pattern,
//! the seed article, and a property test that nothing panics.

use super::find_quotes;
use crate::extract::{ByteSpan, EntityGroup, EntityType, Field, FoundQuote, QuoteKind};
use proptest::prelude::*;

/// Quote text, speaker text, speaker entity.
type Seen<'a> = (&'a str, Option<&'a str>, Option<usize>);

fn seen<'a>(text: &'a str, quotes: &[FoundQuote]) -> Vec<Seen<'a>> {
    quotes
        .iter()
        .map(|q| {
            let speaker = q.speaker.map(|(s, _)| &text[s.start..s.end]);
            (
                &text[q.content.start..q.content.end],
                speaker,
                q.speaker.and_then(|(_, e)| e),
            )
        })
        .collect()
}

fn quotes_of(text: &str) -> Vec<Seen<'_>> {
    seen(text, &find_quotes(text, &[]))
}

/// An entity with a mention at every occurrence of each of `forms`.
fn entity(text: &str, name: &str, kind: EntityType, forms: &[&str]) -> EntityGroup {
    let mut mentions: Vec<(Field, ByteSpan)> = Vec::new();
    for form in forms {
        for (start, _) in text.match_indices(form) {
            let span = ByteSpan {
                start,
                end: start + form.len(),
            };
            if !mentions
                .iter()
                .any(|(_, m)| m.start < span.end && span.start < m.end)
            {
                mentions.push((Field::Text, span));
            }
        }
    }
    mentions.sort_by_key(|(_, m)| m.start);
    EntityGroup {
        name: name.to_owned(),
        kind,
        salience: 0.5,
        mentions,
    }
}

// ---- typography ----

#[test]
fn curly_and_straight_double_quotes() {
    assert_eq!(
        quotes_of("“Yes,” Lavrov said."),
        [("Yes", Some("Lavrov"), None)]
    );
    assert_eq!(
        quotes_of("\"Yes,\" Lavrov said."),
        [("Yes", Some("Lavrov"), None)]
    );
}

#[test]
fn doubled_apostrophes_and_backticks() {
    assert_eq!(
        quotes_of("''It is over,'' Mr. Garin said."),
        [("It is over", Some("Mr. Garin"), None)]
    );
    assert_eq!(
        quotes_of("``It is over,'' she said."),
        [("It is over", Some("she"), None)]
    );
}

#[test]
fn single_quotes_inside_double_quotes() {
    let text = "“They chanted ‘lock her up’ all night,” the senator said.";
    assert_eq!(
        quotes_of(text),
        [(
            "They chanted ‘lock her up’ all night",
            Some("the senator"),
            None
        )]
    );
}

#[test]
fn guillemets_and_low_opening_quotes() {
    assert_eq!(
        quotes_of("«We are ready,» Lavrov said."),
        [("We are ready", Some("Lavrov"), None)]
    );
    assert_eq!(
        quotes_of("„We are ready,“ Merkel said."),
        [("We are ready", Some("Merkel"), None)]
    );
}

#[test]
fn quote_over_several_paragraphs_keeps_its_speaker() {
    let text = "Lavrov said: “We are ready to talk.\n\n“We always were.”\nThe talks begin Monday.";
    assert_eq!(
        quotes_of(text),
        [
            ("We are ready to talk.", Some("Lavrov"), None),
            ("We always were.", Some("Lavrov"), None)
        ]
    );
}

#[test]
fn unbalanced_mark_does_not_lose_the_rest_of_the_article() {
    let text = "He stands 6'2\" tall and a “stray mark.\nIt rained.\n“We are ready,” Lavrov said.";
    assert_eq!(quotes_of(text), [("We are ready", Some("Lavrov"), None)]);
}

#[test]
fn scare_quotes_are_not_attributed() {
    let text = "Reports of “compromising” material surfaced. Lavrov spoke later.";
    assert!(quotes_of(text)
        .iter()
        .all(|(_, speaker, _)| speaker.is_none()));
}

#[test]
fn quote_marks_inside_html_tags_are_ignored() {
    let text = "<tweet id=\"1\" author=\"@x\">text</tweet> “Fine,” he said.";
    assert_eq!(quotes_of(text), [("Fine", Some("he"), None)]);
}

// ---- kinds ----

#[test]
fn direct_and_partial_kinds() {
    let text = "“We are ready,” Lavrov said. Lavrov called him a “charlatan” on Friday.";
    let kinds: Vec<QuoteKind> = find_quotes(text, &[]).iter().map(|q| q.kind).collect();
    assert_eq!(kinds, [QuoteKind::Direct, QuoteKind::Partial]);
}

// ---- attribution ----

#[test]
fn speaker_before_and_after() {
    assert_eq!(
        quotes_of("Lavrov said: “We are ready.”"),
        [("We are ready.", Some("Lavrov"), None)]
    );
    assert_eq!(
        quotes_of("“We are ready,” Lavrov said."),
        [("We are ready", Some("Lavrov"), None)]
    );
}

#[test]
fn inverted_order() {
    let text = "“We are ready,” said Sergey Lavrov, the foreign minister.";
    assert_eq!(
        quotes_of(text),
        [("We are ready", Some("Sergey Lavrov"), None)]
    );
}

#[test]
fn cue_nouns_and_phrases() {
    assert_eq!(
        quotes_of("According to Lavrov, “talks are possible.”"),
        [("talks are possible.", Some("Lavrov"), None)]
    );
    let text = "The ministry said in a statement that the plan was “reckless and dangerous.”";
    assert_eq!(
        quotes_of(text),
        [("reckless and dangerous.", Some("The ministry"), None)]
    );
}

#[test]
fn description_speaker_has_no_entity() {
    let text = "“Nothing was agreed,” said a spokesman for the ministry.";
    let lavrov = entity(text, "Sergey Lavrov", EntityType::Person, &["Lavrov"]);
    assert_eq!(
        seen(text, &find_quotes(text, &[lavrov])),
        [(
            "Nothing was agreed",
            Some("a spokesman for the ministry"),
            None
        )]
    );
}

#[test]
fn pronoun_resolves_to_the_latest_person() {
    let text = "Trump spoke first. Then Sergey Lavrov took the floor. “We are ready,” he said.";
    let groups = [
        entity(text, "Trump", EntityType::Person, &["Trump"]),
        entity(
            text,
            "Sergey Lavrov",
            EntityType::Person,
            &["Sergey Lavrov"],
        ),
    ];
    assert_eq!(
        seen(text, &find_quotes(text, &groups)),
        [("We are ready", Some("he"), Some(1))]
    );
}

#[test]
fn continued_quote_in_the_next_sentence_keeps_the_speaker() {
    let text = "“We are ready,” Lavrov said. “We always were.”";
    assert_eq!(
        quotes_of(text),
        [
            ("We are ready", Some("Lavrov"), None),
            ("We always were.", Some("Lavrov"), None)
        ]
    );
}

#[test]
fn speaker_name_links_to_its_entity_by_surname() {
    let text = "Geoff Garin runs polls. “It is over,” Mr. Garin said.";
    let garin = entity(text, "Geoff Garin", EntityType::Person, &["Geoff Garin"]);
    assert_eq!(
        seen(text, &find_quotes(text, &[garin])),
        [("It is over", Some("Mr. Garin"), Some(0))]
    );
}

#[test]
fn colon_label_names_the_speaker() {
    let text = "Rep. Trey Gowdy (R-S.C.): “Who told you that?”";
    assert_eq!(
        quotes_of(text),
        [("Who told you that?", Some("Rep. Trey Gowdy"), None)]
    );
}

#[test]
fn dash_signature_after_the_quote() {
    let text = "“We can build a wall around him.” ― Steve Quinlan";
    assert_eq!(
        quotes_of(text),
        [(
            "We can build a wall around him.",
            Some("Steve Quinlan"),
            None
        )]
    );
}

#[test]
fn reporting_verb_wins_over_a_cue_inside_the_report() {
    let text = "Trump said Fox executives were calling “every 15 minutes.”";
    assert_eq!(
        quotes_of(text),
        [("every 15 minutes.", Some("Trump"), None)]
    );
}

#[test]
fn participle_cue_takes_the_sentence_subject() {
    let text = "Hours later, Trump praised Adelson, telling Reuters, “He is an amazing man.”";
    assert_eq!(
        quotes_of(text),
        [("He is an amazing man.", Some("Trump"), None)]
    );
}

#[test]
fn listener_after_told_is_not_the_speaker() {
    let text = "“It is over,” she told reporters, according to CNN.";
    assert_eq!(quotes_of(text), [("It is over", Some("CNN"), None)]);
    let text = "Lynch told Congress: “The matter is handled by career agents.”";
    assert_eq!(
        quotes_of(text),
        [(
            "The matter is handled by career agents.",
            Some("Lynch"),
            None
        )]
    );
}

#[test]
fn relative_pronoun_speaker_keeps_its_antecedent() {
    let text = "Contrast that with Sanders, who says it is “disastrous.”";
    assert_eq!(
        quotes_of(text),
        [("disastrous.", Some("Sanders, who"), None)]
    );
}

#[test]
fn a_new_sentence_after_a_quote_is_not_its_attribution() {
    let text = "“It was a sad day.” She said she admires him.";
    assert_eq!(quotes_of(text), []);
}

#[test]
fn a_question_then_told_and_a_listener_is_the_quotes_attribution() {
    let text = "“Who knows?” Trump told Britain’s ITV in an interview.";
    assert_eq!(quotes_of(text), [("Who knows?", Some("Trump"), None)]);
    // A listener, then a clause of its own: a new report.
    let text = "“It was a sad day.” She told reporters she admires him.";
    assert_eq!(quotes_of(text), []);
}

#[test]
fn asked_right_after_a_quote_names_the_asker() {
    let text = "“How big is that wall?” asked the boy, who wore a cap.";
    assert_eq!(
        quotes_of(text),
        [("How big is that wall?", Some("the boy"), None)]
    );
}

#[test]
fn the_place_a_quote_was_written_is_not_its_speaker() {
    // `wrote on Twitter`: no speaker after the cue; the one before it,
    // past a title with an abbreviation (the head of the description).
    let text = "“We stand together,” Ms. Merkel's spokesman, Steffen Seibert, wrote on Twitter.";
    assert_eq!(
        quotes_of(text),
        [("We stand together", Some("spokesman"), None)]
    );
    // `said on Tuesday Lavrov` still skips the time.
    let text = "“We welcome it,” said on Tuesday Sergey Lavrov.";
    assert_eq!(
        quotes_of(text),
        [("We welcome it", Some("Sergey Lavrov"), None)]
    );
}

#[test]
fn whom_a_quote_is_about_is_not_its_speaker() {
    let text = "David Axelrod, who advised Obama, said of Sanders: “Will he do the same?”";
    assert_eq!(
        quotes_of(text),
        [("Will he do the same?", Some("David Axelrod"), None)]
    );
}

// ---- the seed article ----

fn seed_text() -> String {
    let line = include_str!("../../../tests/data/seed.jsonl")
        .lines()
        .next()
        .unwrap_or("");
    let article: serde_json::Value = serde_json::from_str(line).expect("seed article is JSON");
    article["text"]
        .as_str()
        .expect("seed article has text")
        .to_owned()
}

#[test]
fn seed_article_quotes_are_lavrovs() {
    let text = seed_text();
    let groups = [
        entity(&text, "Trump", EntityType::Person, &["Trump"]),
        entity(
            &text,
            "Sergey Lavrov",
            EntityType::Person,
            &["Sergey Lavrov", "Lavrov"],
        ),
    ];
    let quotes = seen(&text, &find_quotes(&text, &groups));
    let lavrov = |start: &str| {
        let q = quotes.iter().find(|(words, _, _)| words.starts_with(start));
        assert!(
            q.is_some_and(|q| q.2 == Some(1)),
            "{start:?} should be Lavrov's: {quotes:?}"
        );
    };
    lavrov("We can only welcome Trump’s statement");
    lavrov("The outgoing administration has been doing unworthy things");
    lavrov("charlatan");
    lavrov("went to great lengths");
    lavrov("systemic");
    let direct = find_quotes(&text, &groups)
        .iter()
        .filter(|q| q.kind == QuoteKind::Direct)
        .count();
    assert_eq!(direct, 2);
    assert!(quotes
        .iter()
        .all(|(words, speaker, _)| *words != "compromising" || speaker.is_none()));
}

#[test]
fn seed_article_through_the_whole_extractor() {
    let text = seed_text();
    let analysis = crate::extract::analyze(&crate::extract::Document {
        text: &text,
        title: None,
        language: None,
    });
    let speaker_of = |start: &str| {
        let quote = analysis
            .quotes
            .iter()
            .find(|q| q.span.text.starts_with(start))?;
        let entity = quote.speaker.as_ref()?.entity?;
        Some(analysis.entities[entity].name.as_str())
    };
    for start in [
        "We can only welcome",
        "The outgoing administration",
        "charlatan",
        "went to great",
        "systemic",
    ] {
        assert_eq!(speaker_of(start), Some("Sergey Lavrov"), "{start:?}");
    }
    // Offsets as in the record example: the comma stays outside.
    let welcome = analysis
        .quotes
        .iter()
        .find(|q| q.span.text.starts_with("We can only welcome"));
    assert_eq!(
        welcome.map(|q| (q.span.start, q.span.end)),
        Some((1529, 1621))
    );
    let lengths = analysis
        .quotes
        .iter()
        .find(|q| q.span.text.starts_with("went to great"));
    assert_eq!(
        lengths
            .and_then(|q| q.cue.as_ref())
            .map(|c| c.text.as_str()),
        Some("said")
    );
}

// ---- robustness ----

fn on_boundaries(text: &str, span: ByteSpan) -> bool {
    span.start <= span.end && text.get(span.start..span.end).is_some()
}

proptest! {
    #[test]
    fn never_panics_and_spans_are_on_char_boundaries(
        text in "[“”\"'`«»„‘’ a-zA-Z,.:;\n(é🙂<>-]{0,120}|\\PC{0,200}"
    ) {
        let groups = [entity(&text, "Ab", EntityType::Person, &["Ab"])];
        for q in find_quotes(&text, &groups) {
            prop_assert!(on_boundaries(&text, q.content));
            if let Some((speaker, _)) = q.speaker {
                prop_assert!(on_boundaries(&text, speaker));
            }
            if let Some(cue) = q.cue {
                prop_assert!(on_boundaries(&text, cue));
            }
        }
    }
}
