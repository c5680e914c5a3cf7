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
    /// The static features of `sentence`, their text part taken from or
    /// stored into `text` as it says.
    fn compute(
        &mut self,
        seg: &Segment,
        sentence: &Range<usize>,
        text: &mut SegmentSource<'_>,
        chooser: &impl Chooser,
    ) {
        self.features.clear();
        self.starts.clear();
        for i in sentence.clone() {
            let from = self.features.len();
            self.starts.push(from);
            match text {
                SegmentSource::Compute => text_features(seg, sentence, i, &mut self.features),
                SegmentSource::Fill(cache) => {
                    text_features(seg, sentence, i, &mut self.features);
                    cache.store(i, &self.features[from..]);
                }
                SegmentSource::Reuse(cache) => self.features.extend_from_slice(cache.of(i)),
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
/// second pass copies them instead of hashing them again. Filled by a
/// [`TextFeatures::Fill`] pass, read by a [`TextFeatures::Reuse`] pass
/// over the same segments.
#[derive(Default)]
pub(crate) struct TextCache {
    segments: Vec<SegmentText>,
}

/// Where a tagging pass gets the text features of its tokens.
pub(crate) enum TextFeatures<'c> {
    /// Computed, not kept (one pass only).
    Compute,
    /// Computed and kept in the cache (emptied first) for a later pass.
    Fill(&'c mut TextCache),
    /// Copied from a cache a `Fill` pass over the same segments filled.
    /// A cache that does not match the segments' token counts is not
    /// used: the features are computed instead.
    Reuse(&'c TextCache),
}

/// [`TextFeatures`] for one segment.
enum SegmentSource<'c> {
    Compute,
    Fill(&'c mut SegmentText),
    Reuse(&'c SegmentText),
}

impl<'c> TextFeatures<'c> {
    /// One source per segment, in order.
    fn per_segment(self, segments: &[Segment]) -> Vec<SegmentSource<'c>> {
        let compute = || segments.iter().map(|_| SegmentSource::Compute).collect();
        match self {
            TextFeatures::Compute => compute(),
            TextFeatures::Fill(cache) => {
                cache.segments = segments
                    .iter()
                    .map(|s| SegmentText::new(s.tokens.len()))
                    .collect();
                cache.segments.iter_mut().map(SegmentSource::Fill).collect()
            }
            TextFeatures::Reuse(cache) if cache.matches(segments) => {
                cache.segments.iter().map(SegmentSource::Reuse).collect()
            }
            TextFeatures::Reuse(_) => compute(),
        }
    }
}

impl TextCache {
    /// Whether it holds one entry per token of each of `segments`.
    fn matches(&self, segments: &[Segment]) -> bool {
        self.segments.len() == segments.len()
            && self
                .segments
                .iter()
                .zip(segments)
                .all(|(text, seg)| text.spans.len() == seg.tokens.len())
    }
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
    tag_segments_with(segments, chooser, TextFeatures::Compute)
}

/// [`tag_segments`], with the text features from where `text` says.
pub(crate) fn tag_segments_with(
    segments: &[Segment],
    chooser: &mut impl Chooser,
    text: TextFeatures<'_>,
) -> Vec<Vec<Tag>> {
    let mut sources = text.per_segment(segments);
    let mut history: HashMap<u64, History, PreHashed> = HashMap::with_hasher(PreHashed);
    let mut features = Vec::with_capacity(64);
    let mut sentence_features = SentenceFeatures::default();
    let mut first_token = 0;
    let mut all_tags = Vec::with_capacity(segments.len());
    for (seg, text) in segments.iter().zip(&mut sources) {
        let mut tags = vec![0 as Tag; seg.tokens.len()];
        for sentence in headlines_last(seg) {
            sentence_features.compute(seg, sentence, text, chooser);
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
