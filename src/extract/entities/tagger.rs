//! Greedy left-to-right decoding over BILOU tags, with the transition rules
//! enforced and each word's latest entity type remembered across the
//! document (so "Lavrov" after "Sergey Lavrov" leans to PERSON).
use std::collections::HashMap;
use std::ops::Range;
use std::sync::OnceLock;

use super::doc::{Segment, CAPS_SENTENCE};
use super::features::{dynamic_features, stage_features, text_features, Decided, History};
use super::hash::{finish, PreHashed};
use super::lexeme::INIT_CAP;
use super::model::Model;
use super::tags::{allowed, split, Part, Tag, NTAGS, OUTSIDE};

/// Picks one token's tag. The trainer implements it to learn as it goes.
pub(crate) trait Chooser {
    /// The scores of one token's static features. The tagger asks for a
    /// whole sentence's before decoding it: those lookups do not wait on
    /// each other, so their cache misses overlap. (The trainer, whose
    /// weights change as it goes, returns zeros and scores in `choose`.)
    fn static_scores(&self, features: &[u64]) -> [i32; NTAGS];
    /// Picks the tag of `token`; `allowed` is a bit set of the tags that
    /// keep the sequence valid.
    fn choose(&mut self, token: TokenFeatures<'_>, allowed: u32) -> Tag;
}

/// Everything a [`Chooser`] gets about one token.
pub(crate) struct TokenFeatures<'a> {
    /// Static features depend on the text (and the first stage), dynamic
    /// ones on the tags chosen so far. (Two slices: the tagger need not
    /// copy the static ones next to the dynamic ones for every token.)
    pub static_features: &'a [u64],
    pub dynamic_features: &'a [u64],
    /// What [`Chooser::static_scores`] gave for the static features.
    pub static_scores: &'a [i32; NTAGS],
    /// Numbers the tokens of all segments in text order.
    pub token: usize,
}

/// Inference: the allowed tag with the highest score (lowest tag on ties).
pub(crate) struct Greedy<'m>(pub &'m Model);

impl Chooser for Greedy<'_> {
    fn static_scores(&self, features: &[u64]) -> [i32; NTAGS] {
        self.0.scores(features)
    }

    fn choose(&mut self, token: TokenFeatures<'_>, allowed: u32) -> Tag {
        let mut scores = self.0.scores(token.dynamic_features);
        for (s, add) in scores.iter_mut().zip(token.static_scores) {
            *s += add;
        }
        best_allowed(&scores, allowed)
    }
}

pub(crate) fn best_allowed<S: PartialOrd + Copy>(scores: &[S; NTAGS], allowed: u32) -> Tag {
    let mut best: Option<(usize, S)> = None;
    for (t, &s) in scores.iter().enumerate() {
        if allowed & (1 << t) != 0 && best.is_none_or(|(_, b)| s > b) {
            best = Some((t, s));
        }
    }
    best.map_or(0, |(t, _)| t as Tag)
}

/// The bit set of tags allowed after `prev` (tabulated once).
fn allowed_mask(prev: Option<Tag>, last: bool) -> u32 {
    static MASKS: OnceLock<[[u32; 2]; NTAGS + 1]> = OnceLock::new();
    let masks = MASKS.get_or_init(|| {
        let mut masks = [[0u32; 2]; NTAGS + 1];
        for (p, row) in masks.iter_mut().enumerate() {
            let prev = p.checked_sub(1).map(|t| t as Tag);
            for (last, mask) in row.iter_mut().enumerate() {
                *mask = (0..NTAGS as Tag)
                    .filter(|&t| allowed(prev, t, last == 1))
                    .fold(0, |m, t| m | 1 << t);
            }
        }
        masks
    });
    masks[prev.map_or(0, |t| (t as usize + 1).min(NTAGS))][usize::from(last)]
}

/// The static features of each token of one sentence, and their scores.
#[derive(Default)]
struct SentenceFeatures {
    features: Vec<u64>,
    /// Token `k`'s features are `features[starts[k]..starts[k + 1]]`.
    starts: Vec<usize>,
    scores: Vec<[i32; NTAGS]>,
}

impl SentenceFeatures {
    /// The text features come from `text` if `fill` is false, else they
    /// are computed and stored there for the next pass.
    fn compute(
        &mut self,
        seg: &Segment,
        sentence: &Range<usize>,
        text: &mut SegmentText,
        fill: bool,
        chooser: &impl Chooser,
    ) {
        self.features.clear();
        self.starts.clear();
        for i in sentence.clone() {
            let from = self.features.len();
            self.starts.push(from);
            if fill {
                text_features(seg, sentence, i, &mut self.features);
                text.store(i, &self.features[from..]);
            } else {
                self.features.extend_from_slice(text.of(i));
            }
            stage_features(seg, i, &mut self.features);
        }
        self.starts.push(self.features.len());
        self.scores.clear();
        for k in 0..sentence.len() {
            let scores = chooser.static_scores(self.of(k));
            self.scores.push(scores);
        }
    }

    fn of(&self, k: usize) -> &[u64] {
        &self.features[self.starts[k]..self.starts[k + 1]]
    }
}

/// The text features of every token of every segment, kept from the first
/// stage's pass for the second: they depend on the text alone, so the
/// second pass copies them instead of hashing them again. Empty until a
/// pass fills it; only for the same segments.
#[derive(Default)]
pub(crate) struct TextCache {
    segments: Vec<SegmentText>,
}

/// One segment's text features, token by token.
#[derive(Default)]
struct SegmentText {
    features: Vec<u64>,
    /// Token `i`'s features are `features[spans[i]]` (sentences are tagged
    /// headlines last, so not in token order).
    spans: Vec<Range<usize>>,
}

impl SegmentText {
    fn new(tokens: usize) -> SegmentText {
        SegmentText {
            features: Vec::new(),
            spans: vec![0..0; tokens],
        }
    }

    fn store(&mut self, i: usize, features: &[u64]) {
        let from = self.features.len();
        self.features.extend_from_slice(features);
        if let Some(span) = self.spans.get_mut(i) {
            *span = from..self.features.len();
        }
    }

    fn of(&self, i: usize) -> &[u64] {
        self.spans
            .get(i)
            .and_then(|span| self.features.get(span.clone()))
            .unwrap_or(&[])
    }
}

/// The sentences of `seg`, those in capitals (headlines) after the others:
/// "LAVROV INVITES TRUMP" is easier once the text has said "Sergey Lavrov".
fn headlines_last(seg: &Segment) -> impl Iterator<Item = &Range<usize>> {
    let is_headline = |s: &&Range<usize>| seg.context[s.start] & CAPS_SENTENCE != 0;
    seg.sentences
        .iter()
        .filter(move |s| !is_headline(s))
        .chain(seg.sentences.iter().filter(is_headline))
}

/// Tags every token of `segments`, in order, sharing the word history.
pub(crate) fn tag_segments(segments: &[Segment], chooser: &mut impl Chooser) -> Vec<Vec<Tag>> {
    tag_segments_with(segments, chooser, &mut TextCache::default())
}

/// [`tag_segments`], taking the text features from `cache` if it holds
/// those of `segments`, else computing them and filling it.
pub(crate) fn tag_segments_with(
    segments: &[Segment],
    chooser: &mut impl Chooser,
    cache: &mut TextCache,
) -> Vec<Vec<Tag>> {
    let fill = cache.segments.len() != segments.len();
    if fill {
        cache.segments = segments
            .iter()
            .map(|s| SegmentText::new(s.tokens.len()))
            .collect();
    }
    let mut history: HashMap<u64, History, PreHashed> = HashMap::with_hasher(PreHashed);
    let mut features = Vec::with_capacity(64);
    let mut sentence_features = SentenceFeatures::default();
    let mut first_token = 0;
    let mut all_tags = Vec::with_capacity(segments.len());
    for (seg, text) in segments.iter().zip(&mut cache.segments) {
        let mut tags = vec![0 as Tag; seg.tokens.len()];
        for sentence in headlines_last(seg) {
            sentence_features.compute(seg, sentence, text, fill, chooser);
            let mut entity_start = sentence.start;
            for i in sentence.clone() {
                let prev = (i > sentence.start).then(|| tags[i - 1]);
                let prev2 = (i > sentence.start + 1).then(|| tags[i - 2]);
                let key = finish(seg.lexemes[i].lower);
                let decided = Decided {
                    prev,
                    prev2,
                    history: history.get(&key).copied().unwrap_or_default(),
                };
                let k = i - sentence.start;
                features.clear();
                dynamic_features(seg, sentence, i, decided, &mut features);
                let token = TokenFeatures {
                    static_features: sentence_features.of(k),
                    dynamic_features: &features,
                    static_scores: &sentence_features.scores[k],
                    token: first_token + i,
                };
                let tag = chooser.choose(token, allowed_mask(prev, i + 1 == sentence.end));
                tags[i] = tag;
                if tag == OUTSIDE && seg.lexemes[i].has(INIT_CAP) {
                    history.entry(key).or_default().record(None);
                }
                if let Some((_, Part::Begin | Part::Unit)) = split(tag) {
                    entity_start = i;
                }
                if let Some((kind, Part::Last | Part::Unit)) = split(tag) {
                    for j in entity_start..=i {
                        if seg.lexemes[j].has(INIT_CAP) {
                            history
                                .entry(finish(seg.lexemes[j].lower))
                                .or_default()
                                .record(Some(kind));
                        }
                    }
                }
            }
        }
        first_token += seg.tokens.len();
        all_tags.push(tags);
    }
    all_tags
}
