//! Gazetteers: marks token sequences that name a known country, city, region
//! or continent (derived from GeoNames and ISO 3166, see `README.md` here), or
//! a well-known person or organisation, or a nationality or religion
//! adjective (`names.tsv`, written by hand), as
//! features for the tagger.
use std::collections::HashMap;
use std::sync::OnceLock;

use super::hash::{finish, mix, PreHashed};
use super::lexeme::{Lexeme, INIT_CAP};
use super::token::tokenize;

const PLACES: &str = include_str!("gazetteer.tsv");
const NAMES: &str = include_str!("names.tsv");
/// Longest name, in tokens, that is looked up.
const MAX_TOKENS: usize = 6;
/// Indices into [`CATEGORIES`] used outside the tagger's features.
pub(crate) const PERSON: usize = 4;
pub(crate) const ORGANIZATION: usize = 5;
pub(crate) const DEMONYM: usize = 6;
pub(crate) const CATEGORIES: [&str; 7] = [
    "COUNTRY",
    "CITY",
    "REGION",
    "CONTINENT",
    "PERSON",
    "ORGANIZATION",
    "DEMONYM",
];

/// Position of a token in a match, BILOU-style: begin, inside, last, unit.
const BEGIN: u32 = 0;
const INSIDE: u32 = 1;
const LAST: u32 = 2;
const UNIT: u32 = 3;

pub(crate) struct Gazetteer {
    /// Phrase hash -> bit set of categories.
    phrases: HashMap<u64, u8, PreHashed>,
}

/// The shipped gazetteer, parsed on first use.
pub(crate) fn shipped() -> &'static Gazetteer {
    static GAZETTEER: OnceLock<Gazetteer> = OnceLock::new();
    GAZETTEER.get_or_init(|| Gazetteer::parse(&[PLACES, NAMES]))
}

/// A fingerprint of the shipped list, stored in the model so that a model
/// trained with another list is noticed.
pub(crate) fn fingerprint() -> u64 {
    finish(mix(
        super::hash::hash_str(PLACES),
        super::hash::hash_str(NAMES),
    ))
}

impl Gazetteer {
    pub(crate) fn parse(sources: &[&str]) -> Gazetteer {
        let mut phrases = HashMap::with_hasher(PreHashed);
        for line in sources.iter().flat_map(|s| s.lines()) {
            let Some((category, name)) = line.split_once('\t') else {
                continue;
            };
            let Some(bit) = CATEGORIES.iter().position(|c| *c == category) else {
                continue;
            };
            let lexemes: Vec<Lexeme> = tokenize(name)
                .iter()
                .map(|t| Lexeme::new(&name[t.start..t.end]))
                .collect();
            if lexemes.is_empty() || lexemes.len() > MAX_TOKENS {
                continue;
            }
            *phrases.entry(phrase_key(&lexemes)).or_insert(0) |= 1u8 << bit;
        }
        Gazetteer { phrases }
    }

    /// For each token, a bit set: bit `4 * category + position` is set when
    /// the token is at `position` of a longest match of `category`.
    pub(crate) fn annotate(&self, lexemes: &[Lexeme]) -> Vec<u32> {
        let mut marks = vec![0u32; lexemes.len()];
        for start in 0..lexemes.len() {
            // Names start with a capital: skip the lookups elsewhere.
            if !lexemes[start].has(INIT_CAP) {
                continue;
            }
            if let Some((len, categories)) = self.longest_match(&lexemes[start..]) {
                mark(&mut marks[start..start + len], categories);
            }
        }
        marks
    }

    fn longest_match(&self, lexemes: &[Lexeme]) -> Option<(usize, u8)> {
        let max = MAX_TOKENS.min(lexemes.len());
        let mut keys = [0u64; MAX_TOKENS];
        let mut h = 0;
        for (k, lex) in lexemes[..max].iter().enumerate() {
            h = mix(h, lex.lower);
            keys[k] = finish(h);
        }
        (1..=max)
            .rev()
            .find_map(|len| self.phrases.get(&keys[len - 1]).map(|&c| (len, c)))
    }
}

/// Token spans `[start, end)` marked by `category` (an index into
/// [`CATEGORIES`]) in `marks` from [`Gazetteer::annotate`].
pub(crate) fn spans_of(marks: &[u32], category: usize) -> Vec<(usize, usize)> {
    let bit = |i: usize, position: u32| marks[i] & (1 << (4 * category as u32 + position)) != 0;
    let mut spans = Vec::new();
    let mut open = None;
    for i in 0..marks.len() {
        if bit(i, UNIT) {
            spans.push((i, i + 1));
        } else if bit(i, BEGIN) {
            open = Some(i);
        } else if bit(i, LAST) {
            if let Some(start) = open.take() {
                spans.push((start, i + 1));
            }
        } else if !bit(i, INSIDE) {
            open = None;
        }
    }
    spans
}

/// Whether the tokens `[start, end)` are a longest match of `category`
/// and of no other category (a name listed with one type only).
pub(crate) fn only_category(marks: &[u32], start: usize, end: usize, category: usize) -> bool {
    (0..CATEGORIES.len())
        .all(|c| (c == category) == spans_of(&marks[start..end], c).contains(&(0, end - start)))
}

fn phrase_key(lexemes: &[Lexeme]) -> u64 {
    finish(lexemes.iter().fold(0, |h, lex| mix(h, lex.lower)))
}

fn mark(tokens: &mut [u32], categories: u8) {
    let len = tokens.len();
    for (k, slot) in tokens.iter_mut().enumerate() {
        let position = match (k, len) {
            (_, 1) => UNIT,
            (0, _) => BEGIN,
            _ if k + 1 == len => LAST,
            _ => INSIDE,
        };
        for (bit, _) in CATEGORIES.iter().enumerate() {
            if categories & (1 << bit) != 0 {
                *slot |= 1 << (4 * bit as u32 + position);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn marks(text: &str) -> Vec<u32> {
        let lexemes: Vec<Lexeme> = tokenize(text)
            .iter()
            .map(|t| Lexeme::new(&text[t.start..t.end]))
            .collect();
        shipped().annotate(&lexemes)
    }

    #[test]
    fn finds_countries_cities_and_multi_word_names() {
        let m = marks("talks in Astana with Russia and the United States , not in NEW YORK");
        let country_unit = 1 << UNIT;
        let city_unit = 1 << (4 + UNIT);
        assert_ne!(m[2] & city_unit, 0, "Astana");
        assert_ne!(m[4] & country_unit, 0, "Russia");
        assert_ne!(m[7] & (1 << BEGIN), 0, "United");
        assert_ne!(m[8] & (1 << LAST), 0, "States");
        assert_eq!(m[1], 0, "in");
        let nato = marks("NATO troops")[0];
        assert_ne!(nato & (1 << (4 * 5 + UNIT)), 0, "NATO");
        let begins_any: u32 = (0..4).map(|c| 1 << (4 * c + BEGIN)).sum();
        assert_ne!(m[12] & begins_any, 0, "NEW YORK");
    }
}
