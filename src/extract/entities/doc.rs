//! A text prepared for tagging: tokens, their lexemes, sentences, gazetteer
//! marks, and per-token context flags that look at the whole document.
use std::collections::HashMap;
use std::ops::Range;

use super::gazetteer;
use super::hash::{finish, PreHashed};
use super::lexeme::{Lexeme, ALL_CAPS, ALL_LOWER, HAS_DIGIT, INIT_CAP};
use super::sentence::split_sentences;
use super::stage::FirstStage;
use super::token::tokenize;
use super::word_rows;
use crate::extract::ByteSpan;

/// Context flags of a token (bits of [`Segment::context`]).
pub(crate) const SENTENCE_START: u8 = 1;
/// The token is in a headline-like sentence, mostly in capitals.
pub(crate) const CAPS_SENTENCE: u8 = 1 << 1;
/// Elsewhere in the document the word is written all lowercase.
pub(crate) const SEEN_LOWER: u8 = 1 << 2;
/// Elsewhere the word is capitalised in the middle of a normal sentence.
pub(crate) const SEEN_CAP_MID: u8 = 1 << 3;
/// The token is in a row of a table: a sentence (the splitter makes each
/// table row one) that is a third numbers ("Barnsley 3 Port Vale 1"), where
/// places are usually clubs.
pub(crate) const TABLE_ROW: u8 = 1 << 4;
/// A fifth of the document's sentences (text and title) are table rows:
/// sports results, markets. Like every context flag, it also splits the
/// templates that include the whole context (`CONTEXT_*`, `RUN_SHAPE`).
pub(crate) const TABLE_DOC: u8 = 1 << 5;

/// One field of an article (its text or its title), prepared for tagging.
#[derive(Clone)]
pub(crate) struct Segment {
    pub tokens: Vec<ByteSpan>,
    pub lexemes: Vec<Lexeme>,
    pub sentences: Vec<Range<usize>>,
    pub gazetteer: Vec<u32>,
    pub context: Vec<u8>,
    /// Per token: the run of capitalised words it is in, if any.
    pub runs: Vec<Option<CapRun>>,
    /// Per token, for the second stage: what the first one predicted
    /// (empty while the first stage tags).
    pub stage1: Vec<FirstStage>,
}

/// A maximal run of capitalised words ("Jones Medical Industries Inc",
/// "Bank of England"): its last word often says what the whole name is.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CapRun {
    /// Lowercase hashes of the run's first and last words.
    pub first: u64,
    pub last: u64,
    /// The word class of the last word's lowercase form
    /// (`word_rows::class_of_lower`), looked up once per run.
    pub last_class: u32,
    /// Length (capped at 4) and this token's position (0 first, 1 inside,
    /// 2 last, 3 only word).
    pub len: u8,
    pub position: u8,
    /// The run's tokens, `start..end` (within its sentence).
    pub start: u32,
    pub end: u32,
}

impl Segment {
    pub(crate) fn new(text: &str) -> Segment {
        let tokens = tokenize(text);
        let lexemes: Vec<Lexeme> = tokens
            .iter()
            .map(|t| {
                let mut lex = Lexeme::new(&text[t.start..t.end]);
                lex.class = word_rows::class_of(&lex);
                lex
            })
            .collect();
        let sentences = split_sentences(text, &tokens);
        let gazetteer = gazetteer::shipped().annotate(&lexemes);
        let mut context = vec![0u8; tokens.len()];
        for sentence in &sentences {
            let caps = is_caps_sentence(&lexemes[sentence.clone()]);
            let table = is_table_row(&lexemes[sentence.clone()]);
            for i in sentence.clone() {
                context[i] |= if caps { CAPS_SENTENCE } else { 0 };
                context[i] |= if table { TABLE_ROW } else { 0 };
            }
            context[sentence.start] |= SENTENCE_START;
        }
        let runs = cap_runs(&lexemes, &sentences);
        Segment {
            tokens,
            lexemes,
            sentences,
            gazetteer,
            context,
            runs,
            stage1: Vec::new(),
        }
    }
}

fn cap_runs(lexemes: &[Lexeme], sentences: &[Range<usize>]) -> Vec<Option<CapRun>> {
    let mut runs = vec![None; lexemes.len()];
    let is_cap = |i: usize| lexemes[i].has(INIT_CAP);
    for sentence in sentences {
        let mut i = sentence.start;
        while i < sentence.end {
            if !is_cap(i) {
                i += 1;
                continue;
            }
            let start = i;
            // Extend over capitalised words, and over a lowercase connector
            // ("of", "&") when a capitalised word follows it.
            while i + 1 < sentence.end
                && (is_cap(i + 1)
                    || (i + 2 < sentence.end && is_connector(&lexemes[i + 1]) && is_cap(i + 2)))
            {
                i += 1;
            }
            let end = i + 1;
            let last_class = word_rows::class_of_lower(lexemes[end - 1].lower);
            for (k, slot) in runs[start..end].iter_mut().enumerate() {
                let position = match (k, end - start) {
                    (_, 1) => 3,
                    (0, _) => 0,
                    _ if start + k + 1 == end => 2,
                    _ => 1,
                };
                *slot = Some(CapRun {
                    first: lexemes[start].lower,
                    last: lexemes[end - 1].lower,
                    last_class,
                    len: (end - start).min(4) as u8,
                    position,
                    start: start as u32,
                    end: end as u32,
                });
            }
            i = end;
        }
    }
    runs
}

fn is_connector(lex: &Lexeme) -> bool {
    use std::sync::OnceLock;
    static CONNECTORS: OnceLock<[u64; 5]> = OnceLock::new();
    let connectors =
        CONNECTORS.get_or_init(|| ["of", "&", "de", "and", "for"].map(|w| Lexeme::new(w).lower));
    connectors.contains(&lex.lower)
}

/// Mostly capitals: a headline, where case says nothing about names.
fn is_caps_sentence(lexemes: &[Lexeme]) -> bool {
    let words = lexemes
        .iter()
        .filter(|l| l.has(INIT_CAP) || l.has(ALL_LOWER))
        .count();
    let caps = lexemes
        .iter()
        .filter(|l| l.has(ALL_CAPS) && l.chars > 1)
        .count();
    caps >= 2 && caps * 2 > words
}

/// At least two numbers, and a third of the tokens numbers.
fn is_table_row(lexemes: &[Lexeme]) -> bool {
    let numbers = lexemes.iter().filter(|l| l.has(HAS_DIGIT)).count();
    numbers >= 2 && numbers * 3 >= lexemes.len()
}

/// How one word (by its lowercased form) is written across the document.
#[derive(Default, Clone, Copy)]
struct Usage {
    lower: u32,
    cap_mid: u32,
}

/// Sets the document-level flags of every token of `segments`, counting
/// each word's other occurrences in all of them.
pub(crate) fn add_document_context(segments: &mut [Segment]) {
    let (mut sentences, mut tables) = (0, 0);
    for seg in segments.iter() {
        sentences += seg.sentences.len();
        tables += seg
            .sentences
            .iter()
            .filter(|s| seg.context[s.start] & TABLE_ROW != 0)
            .count();
    }
    let doc_flag = if tables * 5 >= sentences && tables > 0 {
        TABLE_DOC
    } else {
        0
    };
    let mut usage: HashMap<u64, Usage, PreHashed> = HashMap::with_hasher(PreHashed);
    for seg in segments.iter() {
        for (lex, &ctx) in seg.lexemes.iter().zip(&seg.context) {
            let (lower, cap_mid) = own_usage(lex, ctx);
            let entry = usage.entry(finish(lex.lower)).or_default();
            entry.lower += lower;
            entry.cap_mid += cap_mid;
        }
    }
    for seg in segments.iter_mut() {
        for (lex, ctx) in seg.lexemes.iter().zip(seg.context.iter_mut()) {
            let (lower, cap_mid) = own_usage(lex, *ctx);
            *ctx |= doc_flag;
            let total = usage.get(&finish(lex.lower)).copied().unwrap_or_default();
            if total.lower > lower {
                *ctx |= SEEN_LOWER;
            }
            if total.cap_mid > cap_mid {
                *ctx |= SEEN_CAP_MID;
            }
        }
    }
}

/// (written lowercase, capitalised mid-sentence) for one occurrence.
fn own_usage(lex: &Lexeme, ctx: u8) -> (u32, u32) {
    let normal_position = ctx & (SENTENCE_START | CAPS_SENTENCE) == 0;
    (
        u32::from(lex.has(ALL_LOWER)),
        u32::from(lex.has(INIT_CAP) && normal_position),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_headlines_and_document_evidence() {
        let mut segs = vec![Segment::new(
            "SOCCER - JAPAN GET LUCKY WIN .\nFans in Japan said the win was lucky .",
        )];
        add_document_context(&mut segs);
        let ctx = &segs[0].context;
        assert_ne!(ctx[0] & SENTENCE_START, 0);
        assert_ne!(ctx[2] & CAPS_SENTENCE, 0, "JAPAN in a headline");
        assert_ne!(
            ctx[2] & SEEN_CAP_MID,
            0,
            "Japan is capitalised mid-sentence"
        );
        assert_ne!(ctx[4] & SEEN_LOWER, 0, "LUCKY is seen as lucky");
        assert_eq!(ctx[9] & SEEN_CAP_MID, 0, "only this Japan is mid-sentence");
        assert_eq!(ctx[9] & CAPS_SENTENCE, 0);
    }

    #[test]
    fn flags_table_rows_and_table_documents() {
        let mut segs = vec![Segment::new(
            "Barnsley 3 Port Vale 1\nWolves 2 Ipswich 0\nFans left the ground early .",
        )];
        add_document_context(&mut segs);
        let ctx = &segs[0].context;
        assert_ne!(ctx[0] & TABLE_ROW, 0, "a result line");
        assert_eq!(ctx[10] & TABLE_ROW, 0, "a sentence without numbers");
        assert!(
            ctx.iter().all(|c| c & TABLE_DOC != 0),
            "two rows of three lines"
        );

        let mut prose = vec![Segment::new(
            "Barnsley won the match 3 - 1 at home on Saturday .\nFans cheered .",
        )];
        add_document_context(&mut prose);
        assert_eq!(
            prose[0].context[0] & TABLE_ROW,
            0,
            "two numbers in eleven tokens"
        );
        assert!(prose[0].context.iter().all(|c| c & TABLE_DOC == 0));
    }
}
