//! Greedy left-to-right decoding over BILOU tags, with the transition rules
//! enforced and each word's latest entity type remembered across the
//! document (so "Lavrov" after "Sergey Lavrov" leans to PERSON).
use std::collections::HashMap;
use std::ops::Range;
use std::sync::OnceLock;

use super::doc::{Segment, CAPS_SENTENCE};
use super::features::{dynamic_features, static_features, Decided, History};
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
    /// The static features, then (from `dynamic_from` on) the dynamic ones.
    pub features: &'a [u64],
    pub dynamic_from: usize,
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
        let mut scores = self.0.scores(&token.features[token.dynamic_from..]);
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
    fn compute(&mut self, seg: &Segment, sentence: &Range<usize>, chooser: &impl Chooser) {
        self.features.clear();
        self.starts.clear();
        for i in sentence.clone() {
            self.starts.push(self.features.len());
            static_features(seg, sentence, i, &mut self.features);
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
    let mut history: HashMap<u64, History, PreHashed> = HashMap::with_hasher(PreHashed);
    let mut features = Vec::with_capacity(64);
    let mut sentence_features = SentenceFeatures::default();
    let mut first_token = 0;
    let mut all_tags = Vec::with_capacity(segments.len());
    for seg in segments {
        let mut tags = vec![0 as Tag; seg.tokens.len()];
        for sentence in headlines_last(seg) {
            sentence_features.compute(seg, sentence, chooser);
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
                features.extend_from_slice(sentence_features.of(k));
                let dynamic_from = features.len();
                dynamic_features(seg, sentence, i, decided, &mut features);
                let token = TokenFeatures {
                    features: &features,
                    dynamic_from,
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
