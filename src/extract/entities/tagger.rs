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
    /// `allowed` is a bit set of the tags that keep the sequence valid;
    /// `token` numbers the tokens of all segments in text order.
    fn choose(&mut self, features: &[u64], allowed: u32, token: usize) -> Tag;
}

/// Inference: the allowed tag with the highest score (lowest tag on ties).
pub(crate) struct Greedy<'m>(pub &'m Model);

impl Chooser for Greedy<'_> {
    fn choose(&mut self, features: &[u64], allowed: u32, _token: usize) -> Tag {
        best_allowed(&self.0.scores(features), allowed)
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
    let mut first_token = 0;
    let mut all_tags = Vec::with_capacity(segments.len());
    for seg in segments {
        let mut tags = vec![0 as Tag; seg.tokens.len()];
        for sentence in headlines_last(seg) {
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
                features.clear();
                static_features(seg, sentence, i, &mut features);
                dynamic_features(seg, sentence, i, decided, &mut features);
                let mask = allowed_mask(prev, i + 1 == sentence.end);
                let tag = chooser.choose(&features, mask, first_token + i);
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
