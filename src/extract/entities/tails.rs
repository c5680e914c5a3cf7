//! Words the tagger ran on past the end of a name, cut off after tagging.
//! Greedy decoding must close a name it opened, so a name it was unsure
//! where to end sometimes swallows the words after it ("Aegon after
//! results", "Dow was up", "Cup winners had won"); and a month after an
//! organisation or a place is the date, not the name ("Emnid Aug",
//! "Allensbach June" in poll tables). Both measured by cross-validation
//! over train (models/README.md).
use std::collections::HashMap;
use std::sync::OnceLock;

use super::fix::is_in;
use super::hash::PreHashed;
use super::lexeme::{
    Lexeme, ALL_LOWER, HAS_APOSTROPHE, HAS_DIGIT, HAS_HYPHEN, HAS_PERIOD, INIT_CAP, PUNCT,
};
use super::tags::kind::{LOCATION, ORGANIZATION};

/// Month names and their abbreviations. ("May" ends people's names, so
/// only organisations and places lose a trailing month; weekdays end
/// clubs' names, "Sheffield Wednesday", and are left alone.)
const MONTHS: &[&str] = &[
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
];

/// Lowercase words inside names ("Bank of England", "Giro d'Italia",
/// "Organisation for Security and Cooperation in Europe", "Kengo wa Dondo").
const CONNECTORS: &[&str] = &[
    "of", "and", "for", "the", "in", "on", "at", "de", "del", "der", "den", "di", "da", "do",
    "dos", "das", "du", "des", "la", "le", "el", "van", "von", "zu", "am", "y", "e", "i", "et",
    "al", "wa", "bin", "ben",
];

fn is_month(lex: &Lexeme) -> bool {
    static SET: OnceLock<HashMap<u64, (), PreHashed>> = OnceLock::new();
    lex.has(INIT_CAP) && is_in(&SET, MONTHS, lex)
}

fn is_connector(lex: &Lexeme) -> bool {
    static SET: OnceLock<HashMap<u64, (), PreHashed>> = OnceLock::new();
    is_in(&SET, CONNECTORS, lex)
}

/// A plain lowercase word ("after", "winners"), not a connector nor a
/// name's lowercase part ("al-Kabariti", "neo-Nazism", "d'Italia", "'s").
fn is_plain_lowercase(lex: &Lexeme) -> bool {
    let marked = HAS_HYPHEN | HAS_APOSTROPHE | HAS_PERIOD | HAS_DIGIT;
    lex.has(ALL_LOWER) && lex.flags & marked == 0 && !is_connector(lex)
}

/// The end of the mention `[first, end)` of type `kind` once cut before
/// its first plain lowercase word (and the connectors and punctuation
/// left dangling before it), and without a trailing month for an
/// organisation or a place. Never empties a mention.
pub(crate) fn without_tail(lexemes: &[Lexeme], first: usize, end: usize, kind: usize) -> usize {
    let mut cut = end;
    if let Some(at) = (first + 1..end).find(|&i| is_plain_lowercase(&lexemes[i])) {
        cut = at;
        while cut > first + 1 && (lexemes[cut - 1].has(PUNCT) || is_connector(&lexemes[cut - 1])) {
            cut -= 1;
        }
        if lexemes[cut - 1].has(PUNCT) || is_connector(&lexemes[cut - 1]) {
            cut = end;
        }
    }
    let named = kind == ORGANIZATION || kind == LOCATION;
    if named && cut > first + 1 && is_month(&lexemes[cut - 1]) {
        cut -= 1;
    }
    cut
}

#[cfg(test)]
mod tests {
    use super::super::tags::kind::PERSON;
    use super::*;

    fn tail(text: &str, kind: usize) -> usize {
        let lexemes: Vec<Lexeme> = text.split(' ').map(Lexeme::new).collect();
        without_tail(&lexemes, 0, lexemes.len(), kind)
    }

    #[test]
    fn cuts_the_lowercase_words_after_a_name() {
        assert_eq!(tail("Aegon after results", ORGANIZATION), 1);
        assert_eq!(tail("F.H. Faulding & Co , the majority", ORGANIZATION), 4);
        assert_eq!(tail("Philippines ( dollars per tonne", LOCATION), 1);
        // Lowercase parts of names stay.
        assert_eq!(
            tail(
                "Organisation for Security and Cooperation in Europe",
                ORGANIZATION
            ),
            7
        );
        assert_eq!(tail("Abdul-Karim al-Kabariti", PERSON), 2);
        assert_eq!(tail("Lloyd 's of London", ORGANIZATION), 4);
        assert_eq!(tail("Kengo wa Dondo", PERSON), 3);
    }

    #[test]
    fn trims_a_month_after_a_firm_or_place_only() {
        assert_eq!(tail("Emnid Aug", ORGANIZATION), 1);
        assert_eq!(tail("Prairies June", LOCATION), 1);
        // A person may be called May; a one-word mention stays.
        assert_eq!(tail("Fiona May", PERSON), 2);
        assert_eq!(tail("May", ORGANIZATION), 1);
        // Weekdays are left alone ("Sheffield Wednesday").
        assert_eq!(tail("Sheffield Wednesday", ORGANIZATION), 2);
    }
}
