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
    let info = whatlang::detect(text)?;
    if !info.is_reliable() {
        return None;
    }
    iso639_1(info.lang()).map(str::to_owned)
}

fn normalize_declared(declared: &str) -> String {
    let lower = declared.to_ascii_lowercase();
    if lower == "english" {
        return "en".to_owned();
    }
    // "en-GB", "en_US" -> "en"
    lower.split(['-', '_']).next().unwrap_or(&lower).to_owned()
}

/// whatlang speaks ISO 639-3; the record speaks ISO 639-1 where one exists.
fn iso639_1(lang: whatlang::Lang) -> Option<&'static str> {
    use whatlang::Lang::*;
    Some(match lang {
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
        other => return Some(other.code()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declared_language_wins_and_is_normalized() {
        assert_eq!(detect_language("Guten Tag", Some("en-GB")).as_deref(), Some("en"));
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
}
