//! Which language an article is in: its `language` field if given, else a
//! guess by `whatlang` when the guess is reliable.

/// Returns an ISO 639-1 code such as "en", or `None` when unknown.
///
/// A declared language wins ("en-GB" and "English" count as "en"). Otherwise
/// short or ambiguous texts give `None` and are treated as English: refusing
/// to enrich an article is worse than enriching a rare non-English one.
pub fn detect_language(text: &str, declared: Option<&str>) -> Option<String> {
    if let Some(declared) = declared.map(str::trim).filter(|d| !d.is_empty()) {
        return Some(normalize_declared(declared));
    }
    let sample = uncased_words(text);
    if is_plainly_english(&sample) {
        return Some("en".to_owned());
    }
    let info = whatlang::detect(&sample)?;
    if !info.is_reliable() {
        return None;
    }
    Some(iso639_1(info.lang()).to_owned())
}

/// English function words that other languages rarely use as words.
const ENGLISH_FUNCTION_WORDS: &[&str] = &[
    "the", "of", "and", "to", "is", "was", "for", "on", "that", "with", "said", "by", "at", "it",
    "as", "from", "his", "he", "has", "have", "be", "are", "were", "but", "they", "this", "which",
];

/// At least one word in six an English function word: English, without
/// asking whatlang (whose trigram scoring was most of the cost of detection).
fn is_plainly_english(sample: &str) -> bool {
    let (mut words, mut english) = (0usize, 0usize);
    for word in sample.split_whitespace() {
        words += 1;
        english += usize::from(ENGLISH_FUNCTION_WORDS.contains(&word));
    }
    words >= 8 && english * 6 >= words
}

/// How much uncased text whatlang looks at.
const SAMPLE_BYTES: usize = 1000;

/// The words of `text` that have no capital letter and no digit. Names and
/// numbers say little about the language and can mislead: a table of
/// football results full of Serbian club names reads as Spanish to whatlang.
/// Scripts without case (CJK, Arabic, ...) keep all their words.
/// A sample of [`SAMPLE_BYTES`] is plenty to tell the language, and keeps
/// detection cheap on long articles.
fn uncased_words(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(SAMPLE_BYTES + 64));
    for word in text.split_whitespace() {
        if out.len() >= SAMPLE_BYTES {
            break;
        }
        if word.chars().any(|c| c.is_uppercase() || c.is_ascii_digit()) {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

fn normalize_declared(declared: &str) -> String {
    let lower = declared.to_ascii_lowercase();
    if lower == "english" {
        return "en".to_owned();
    }
    // "en-GB", "en_US" -> "en"
    lower.split(['-', '_']).next().unwrap_or(&lower).to_owned()
}

/// whatlang speaks ISO 639-3; the record speaks ISO 639-1 where one exists
/// (and whatlang's ISO 639-3 code otherwise).
fn iso639_1(lang: whatlang::Lang) -> &'static str {
    use whatlang::Lang::*;
    match lang {
        Eng => "en",
        Deu => "de",
        Fra => "fr",
        Spa => "es",
        Ita => "it",
        Por => "pt",
        Nld => "nl",
        Rus => "ru",
        Ukr => "uk",
        Pol => "pl",
        Ces => "cs",
        Swe => "sv",
        Dan => "da",
        Nob => "nb",
        Fin => "fi",
        Tur => "tr",
        Ara => "ar",
        Heb => "he",
        Hin => "hi",
        Jpn => "ja",
        Kor => "ko",
        Cmn => "zh",
        Ell => "el",
        Hun => "hu",
        Ron => "ro",
        Bul => "bg",
        Ind => "id",
        Vie => "vi",
        Tha => "th",
        Pes => "fa",
        other => other.code(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declared_language_wins_and_is_normalized() {
        assert_eq!(
            detect_language("Guten Tag", Some("en-GB")).as_deref(),
            Some("en")
        );
        assert_eq!(detect_language("", Some("DE")).as_deref(), Some("de"));
        assert_eq!(detect_language("", Some("English")).as_deref(), Some("en"));
    }

    #[test]
    fn detects_german_and_english() {
        let de = "Der russische Außenminister hat am Freitag in Moskau eine Einladung an die neue Regierung ausgesprochen und die Gespräche begrüßt.";
        assert_eq!(detect_language(de, None).as_deref(), Some("de"));
        let en = "The Russian foreign minister on Friday invited the incoming administration to join the peace talks, officials said.";
        assert_eq!(detect_language(en, None).as_deref(), Some("en"));
    }

    #[test]
    fn function_words_decide_plain_english_but_not_german_or_french() {
        assert!(is_plainly_english(&uncased_words(
            "Lavrov said the talks in Astana were organized by Russia and Turkey, and that he was ready."
        )));
        let de = "der russische Außenminister hat am Freitag in Moskau eine Einladung an die neue Regierung ausgesprochen und die Gespräche begrüßt";
        assert!(!is_plainly_english(&uncased_words(de)));
        let fr = "le ministre russe a invité vendredi la nouvelle administration à participer aux pourparlers de paix sur la Syrie";
        assert!(!is_plainly_english(&uncased_words(fr)));
        assert_eq!(detect_language(fr, None).as_deref(), Some("fr"));
    }

    #[test]
    fn names_in_a_results_table_do_not_decide_the_language() {
        let table = "SOCCER - YUGOSLAV LEAGUE RESULTS / STANDINGS .\nBELGRADE 1996-08-31\n\
            Results of Yugoslav league soccer matches played on Saturday :\n\
            Proleter 2 Zemun 0\nMladost 1 Borac 0\nBecej 1 Sutjeska 0\nSpartak 0 Rad 1\n\
            Cukaricki 2 Buducnost 1\nVojvodina 0 Hajduk 2\nRudar 4 Mogren 1\nObilic 1 Zeleznik 0";
        assert_ne!(
            detect_language(table, None).as_deref().unwrap_or("en"),
            "es"
        );
        assert_ne!(
            detect_language(table, None).as_deref().unwrap_or("en"),
            "sr"
        );
        let ja = "東京で開かれた会議で、外務大臣は平和交渉への参加を呼びかけました。関係者によると、協議は来月に始まる予定です。";
        assert_eq!(detect_language(ja, None).as_deref(), Some("ja"));
    }
}
