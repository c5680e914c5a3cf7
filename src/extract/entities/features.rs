//! Feature extraction: the hashed features of one token in its sentence.
//!
//! A feature is `finish(mix(template, value))`, a 64-bit hash; the model
//! maps it to a weight row by its top bits. Static features depend on the text only;
//! dynamic ones on the tags already chosen (left context and the document's
//! earlier decisions about the same word). Changing any of this invalidates
//! the model: bump [`FEATURE_VERSION`] and retrain.
use std::ops::Range;

use super::doc::{Segment, TABLE_DOC, TABLE_ROW};
use super::hash::{finish, mix};
use super::lexeme::{Lexeme, AFFIXES};
use super::stage::FirstStage;
use super::tags::Tag;
use super::word_rows;

/// Stored in the model file; must match at load time.
pub(crate) const FEATURE_VERSION: u32 = 6;

/// Stand-ins for the words before the start and after the end of a sentence.
const BEFORE: u64 = 0x5eed_0001;
const AFTER: u64 = 0x5eed_0002;

// Template ids. Each feature's hash starts from its template's id.
const BIAS: u64 = 1;
const LOWER: u64 = 2;
const FORM: u64 = 3;
const SHAPE: u64 = 4;
const PREFIX: u64 = 5; // ..=8
const SUFFIX: u64 = 9; // ..=12
const LOWER_AT: u64 = 13; // +offset
const SHAPE_AT: u64 = 18; // +offset
const SHAPE_PAIR_LEFT: u64 = 23;
const SHAPE_PAIR_RIGHT: u64 = 24;
const BIGRAM_LEFT: u64 = 25;
const BIGRAM_RIGHT: u64 = 26;
const GAZ_BIT: u64 = 27;
const GAZ_LEFT: u64 = 28;
const GAZ_RIGHT: u64 = 29;
const CONTEXT_SHAPE: u64 = 30;
const CONTEXT_LOWER: u64 = 31;
const LENGTH_SHAPE: u64 = 32;
const SUFFIX_LEFT: u64 = 33;
const RUN_LAST: u64 = 34;
const RUN_FIRST: u64 = 35;
const RUN_SHAPE: u64 = 36;
const FORM_LEFT: u64 = 37;
const FORM_RIGHT: u64 = 38;
const RUN_LAST_LOWER: u64 = 39;
const PREV_TAG: u64 = 40;
const PREV_TAGS: u64 = 41;
const PREV_TAG_LOWER: u64 = 42;
const PREV_TAG_SHAPE: u64 = 43;
const HISTORY: u64 = 44;
const HISTORY_SHAPE: u64 = 45;
const PREV_TAG_NEXT_LOWER: u64 = 46;
const HISTORY_MAJORITY: u64 = 47;
const TABLE_GAZ: u64 = 48;
const TABLE_RUN: u64 = 49;
// Second stage only (`Segment::stage1`).
// (50 and 52 were the token's own first-stage tag, alone and with its
// shape: the second stage then mostly copied the first; models/README.md.)
const S1_NEXT: u64 = 51;
const S1_ELSEWHERE: u64 = 53;
const S1_MAJORITY: u64 = 54;
const S1_MAJORITY_SHAPE: u64 = 56;
// Word classes (`word_rows`): the words at -1, 0, +1, and the token's with its shape.
const CLASS_AT: u64 = 57; // +offset
const CLASS_SHAPE: u64 = 60;
const CLASS_PAIR_LEFT: u64 = 61;
const RUN_LAST_CLASS: u64 = 62;
const RUN_BEFORE_CLASS: u64 = 63;
const RUN_AFTER_CLASS: u64 = 64;
// Coarser classes of the same vector rows (`word_rows::coarse_of`: 1024,
// 256 and 64 classes). (65 and 66, the row crossed with the previous tag
// and with the gazetteer bits, cost CV F1; 74..=76, 78 and 79..=81 were
// other forms tried: models/README.md.)
const COARSE_AT: u64 = 67; // the token's, finest first: 67..=69
const COARSE_PREV: u64 = 70; // the previous word's 1024 and 256: 70, 71
const COARSE_NEXT: u64 = 72; // the next word's 1024 and 256: 72, 73
const COARSE_SHAPE: u64 = 77;

// `text_features` lists the affix features one by one.
const _: () = assert!(AFFIXES == 4);

/// Finished here, once, rather than when scored: the second stage scores
/// the same text features again (`tagger::TextCache`), and the finalizer
/// was most of the cost of hashing them.
#[inline]
fn feature(template: u64, value: u64) -> u64 {
    finish(mix(mix(0, template), value))
}

/// A neighbour's lexeme, or `None` outside the sentence.
fn at<'s>(
    seg: &'s Segment,
    sentence: &Range<usize>,
    i: usize,
    offset: isize,
) -> Option<&'s Lexeme> {
    let j = i.checked_add_signed(offset)?;
    sentence.contains(&j).then(|| &seg.lexemes[j])
}

/// Appends the static features of token `i` that look at the first stage's
/// predictions (none while the first stage tags). A token's static
/// features are its `text_features`, then these.
pub(crate) fn stage_features(seg: &Segment, i: usize, out: &mut Vec<u64>) {
    if let Some(first) = seg.stage1.get(i) {
        first_stage_features(first, &seg.lexemes[i], out);
    }
}

/// Appends the features of token `i` that depend on the text alone: the
/// same for both stages, so the tagger computes them once (`TextCache`).
pub(crate) fn text_features(seg: &Segment, sentence: &Range<usize>, i: usize, out: &mut Vec<u64>) {
    let lex = &seg.lexemes[i];
    let (prev2, prev, next, next2) = (
        at(seg, sentence, i, -2),
        at(seg, sentence, i, -1),
        at(seg, sentence, i, 1),
        at(seg, sentence, i, 2),
    );
    let lower = |l: Option<&Lexeme>, outside: u64| l.map_or(outside, |l| l.lower);
    let shape = |l: Option<&Lexeme>, outside: u64| l.map_or(outside, |l| l.shape);
    let (shape_prev, shape_next) = (shape(prev, BEFORE), shape(next, AFTER));
    let (lower_prev, lower_next) = (lower(prev, BEFORE), lower(next, AFTER));
    // The features every token has, built as one array: a push each would
    // check the vector's capacity each time.
    out.extend_from_slice(&[
        feature(BIAS, 0),
        feature(LOWER, lex.lower),
        feature(FORM, lex.form),
        feature(SHAPE, lex.shape),
        feature(PREFIX, lex.prefix[0]),
        feature(SUFFIX, lex.suffix[0]),
        feature(PREFIX + 1, lex.prefix[1]),
        feature(SUFFIX + 1, lex.suffix[1]),
        feature(PREFIX + 2, lex.prefix[2]),
        feature(SUFFIX + 2, lex.suffix[2]),
        feature(PREFIX + 3, lex.prefix[3]),
        feature(SUFFIX + 3, lex.suffix[3]),
        feature(LOWER_AT, lower(prev2, BEFORE)),
        feature(LOWER_AT + 1, lower_prev),
        feature(LOWER_AT + 2, lower_next),
        feature(LOWER_AT + 3, lower(next2, AFTER)),
        feature(SHAPE_AT, shape_prev),
        feature(SHAPE_AT + 1, shape_next),
        feature(SHAPE_PAIR_LEFT, mix(shape_prev, lex.shape)),
        feature(SHAPE_PAIR_RIGHT, mix(lex.shape, shape_next)),
        feature(BIGRAM_LEFT, mix(lower_prev, lex.lower)),
        feature(BIGRAM_RIGHT, mix(lex.lower, lower_next)),
        feature(FORM_LEFT, prev.map_or(BEFORE, |l| l.form)),
        // BEFORE, not AFTER, past the sentence's end: as the model was trained.
        feature(FORM_RIGHT, next.map_or(BEFORE, |l| l.form)),
        feature(SUFFIX_LEFT, prev.map_or(BEFORE, |l| l.suffix[2])),
    ]);
    let gaz = seg.gazetteer[i];
    // One feature per set bit, lowest first.
    let mut bits = gaz;
    while bits != 0 {
        out.push(feature(GAZ_BIT, u64::from(bits.trailing_zeros())));
        bits &= bits - 1;
    }
    let gaz_at = |offset: isize| {
        i.checked_add_signed(offset)
            .filter(|j| sentence.contains(j))
            .map_or(u32::MAX, |j| seg.gazetteer[j])
    };
    let context = seg.context[i] as u64;
    let table = context & u64::from(TABLE_ROW | TABLE_DOC);
    out.extend_from_slice(&[
        feature(GAZ_LEFT, mix(gaz_at(-1) as u64, gaz as u64)),
        feature(GAZ_RIGHT, mix(gaz as u64, gaz_at(1) as u64)),
        feature(TABLE_GAZ, mix(table, gaz as u64)),
        feature(CONTEXT_SHAPE, mix(context, lex.shape)),
        feature(CONTEXT_LOWER, mix(context, lex.lower)),
        feature(LENGTH_SHAPE, mix(lex.chars.min(12) as u64, lex.shape)),
    ]);
    class_features(prev, lex, next, out);
    if let Some(run) = seg.runs[i] {
        let shape = (run.len as u64) << 8 | run.position as u64;
        out.extend_from_slice(&[
            feature(RUN_LAST, mix(run.last, run.position as u64)),
            feature(RUN_FIRST, mix(run.first, run.position as u64)),
            feature(RUN_SHAPE, mix(shape, context)),
            feature(RUN_LAST_LOWER, mix(run.last, lex.lower)),
            feature(TABLE_RUN, mix(shape, table)),
            feature(
                RUN_LAST_CLASS,
                mix(run.last_class.into(), run.position as u64),
            ),
        ]);
        // The classes of the words just outside the run ("the firm X Y said").
        let class_of = |j: Option<usize>, outside: u64| {
            j.filter(|j| sentence.contains(j))
                .map_or(outside, |j| u64::from(seg.lexemes[j].class))
        };
        let (start, end) = (run.start as usize, run.end as usize);
        let position = run.position as u64;
        out.push(feature(
            RUN_BEFORE_CLASS,
            mix(class_of(start.checked_sub(1), BEFORE), position),
        ));
        out.push(feature(
            RUN_AFTER_CLASS,
            mix(class_of(Some(end), AFTER), position),
        ));
    }
}

/// The word classes around the token (outside the sentence: BEFORE, AFTER).
/// A word the table does not have (names with digits, rare names) gets no
/// class features: the tagger then reads it by its other features only.
fn class_features(prev: Option<&Lexeme>, lex: &Lexeme, next: Option<&Lexeme>, out: &mut Vec<u64>) {
    let known = |l: Option<&Lexeme>, outside: u64| match l {
        None => Some(outside),
        Some(l) if l.class == word_rows::UNKNOWN => None,
        Some(l) => Some(u64::from(l.class)),
    };
    let (prev_class, next_class) = (known(prev, BEFORE), known(next, AFTER));
    if let Some(c) = prev_class {
        out.push(feature(CLASS_AT, c));
    }
    if let Some(c) = next_class {
        out.push(feature(CLASS_AT + 2, c));
    }
    neighbour_coarse_features(COARSE_PREV, prev, BEFORE, out);
    neighbour_coarse_features(COARSE_NEXT, next, AFTER, out);
    if lex.class == word_rows::UNKNOWN {
        return;
    }
    let class = u64::from(lex.class);
    out.push(feature(CLASS_AT + 1, class));
    out.push(feature(CLASS_SHAPE, mix(class, lex.shape)));
    if let Some(c) = word_rows::coarse_of(lex.class) {
        out.extend_from_slice(&[
            feature(COARSE_SHAPE, mix(c[1].into(), lex.shape)),
            feature(COARSE_AT, c[0].into()),
            feature(COARSE_AT + 1, c[1].into()),
            feature(COARSE_AT + 2, c[2].into()),
        ]);
    }
    if let Some(c) = prev_class {
        out.push(feature(CLASS_PAIR_LEFT, mix(c, class)));
    }
}

/// A neighbour's two finer coarse classes (1024, 256): a word seen next to
/// "Inc" or "said" in training tells about the unseen words of its class.
/// Outside the sentence, `outside` twice; an unknown word, none.
fn neighbour_coarse_features(
    template: u64,
    neighbour: Option<&Lexeme>,
    outside: u64,
    out: &mut Vec<u64>,
) {
    let Some(lex) = neighbour else {
        out.extend_from_slice(&[feature(template, outside), feature(template + 1, outside)]);
        return;
    };
    if let Some(c) = word_rows::coarse_of(lex.class) {
        out.extend_from_slice(&[
            feature(template, c[0].into()),
            feature(template + 1, c[1].into()),
        ]);
    }
}

/// The second stage's view of the first stage's predictions.
fn first_stage_features(first: &FirstStage, lex: &Lexeme, out: &mut Vec<u64>) {
    let (majority, unanimous) = first.majority();
    let majority = mix(majority, unanimous as u64);
    out.extend_from_slice(&[
        feature(S1_NEXT, u64::from(first.next)),
        feature(S1_MAJORITY, majority),
        feature(S1_MAJORITY_SHAPE, mix(majority, lex.shape)),
    ]);
    let mut bits = first.elsewhere;
    while bits != 0 {
        out.push(feature(S1_ELSEWHERE, u64::from(bits.trailing_zeros())));
        bits &= bits - 1;
    }
}

/// What the tagger has decided so far that the next token's features use.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Decided {
    /// Tags of the previous two tokens in the sentence (`None` before it).
    pub prev: Option<Tag>,
    pub prev2: Option<Tag>,
    pub history: History,
}

/// What the document so far said about a capitalised word: how often it was
/// each entity type or none, and the type it had last.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct History {
    /// Counts per entity type, then for "not an entity".
    counts: [u8; 5],
    /// 1 + the entity type the word last had, or 0.
    last: u8,
}

impl History {
    pub(crate) fn record(&mut self, kind: Option<usize>) {
        let slot = kind.unwrap_or(4).min(4);
        self.counts[slot] = self.counts[slot].saturating_add(1);
        if let Some(kind) = kind {
            self.last = kind as u8 + 1;
        }
    }

    /// 1 + the most frequent outcome (ties: the lower one), 0 if none, and
    /// whether it was the only one.
    fn majority(&self) -> (u64, bool) {
        let total: u32 = self.counts.iter().map(|&c| u32::from(c)).sum();
        let (slot, &best) = self
            .counts
            .iter()
            .enumerate()
            .rev()
            .max_by_key(|&(_, c)| *c)
            .unwrap_or((0, &0));
        if best == 0 {
            return (0, false);
        }
        (slot as u64 + 1, u32::from(best) == total)
    }
}

/// Appends the features of token `i` that depend on earlier decisions.
pub(crate) fn dynamic_features(
    seg: &Segment,
    sentence: &Range<usize>,
    i: usize,
    d: Decided,
    out: &mut Vec<u64>,
) {
    let lex = &seg.lexemes[i];
    let prev = d.prev.map_or(BEFORE, u64::from);
    let prev2 = d.prev2.map_or(BEFORE, u64::from);
    let next_lower = at(seg, sentence, i, 1).map_or(AFTER, |l| l.lower);
    out.push(feature(PREV_TAG, prev));
    out.push(feature(PREV_TAGS, mix(prev2, prev)));
    out.push(feature(PREV_TAG_LOWER, mix(prev, lex.lower)));
    out.push(feature(PREV_TAG_SHAPE, mix(prev, lex.shape)));
    out.push(feature(PREV_TAG_NEXT_LOWER, mix(prev, next_lower)));
    let last = d.history.last as u64;
    out.push(feature(HISTORY, last));
    out.push(feature(HISTORY_SHAPE, mix(last, lex.shape)));
    let (majority, unanimous) = d.history.majority();
    out.push(feature(HISTORY_MAJORITY, mix(majority, unanimous as u64)));
}
