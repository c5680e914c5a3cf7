//! Two-stage prediction aggregation (Ratinov and Roth 2009): a second
//! tagger sees what the first one predicted for each token, for the token
//! after it (greedy left-to-right decoding cannot look ahead), and for the
//! same word everywhere else in the document, later mentions included
//! ("Lavrov" in the headline, then "Sergey Lavrov" in the text).
use std::collections::HashMap;

use super::doc::Segment;
use super::hash::{finish, PreHashed};
use super::lexeme::INIT_CAP;
use super::tags::{split, Tag, NTAGS};

/// Stands for "no token" (past the sentence's end) among tags.
pub(crate) const NO_TAG: Tag = Tag::MAX;

/// The first stage's predictions as one token's second-stage features see
/// them (stored in [`Segment::stage1`]).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct FirstStage {
    /// The first stage's tag of the next token in the sentence (`NO_TAG`
    /// at the end).
    pub next: Tag,
    /// Bit `t` is set if the same word (lowercased) has tag `t` at another
    /// capitalised occurrence in the document.
    pub elsewhere: u32,
    /// Those other occurrences by type (PER, ORG, LOC, MISC, none).
    pub counts: [u8; 5],
}

impl FirstStage {
    /// 1 + the most frequent type elsewhere (slot 5: none), 0 if the word
    /// occurs nowhere else, and whether every occurrence agreed.
    pub(crate) fn majority(&self) -> (u64, bool) {
        let total: u32 = self.counts.iter().map(|&c| u32::from(c)).sum();
        let Some((slot, &best)) = self
            .counts
            .iter()
            .enumerate()
            .rev()
            .max_by_key(|(_, c)| **c)
        else {
            return (0, false);
        };
        if best == 0 {
            return (0, false);
        }
        (slot as u64 + 1, u32::from(best) == total)
    }
}

fn slot(tag: Tag) -> usize {
    split(tag).map_or(4, |(kind, _)| kind)
}

/// Fills `stage1` of every segment from the first stage's `tags` (one
/// vector per segment), counting each capitalised word's tags over all
/// segments.
pub(crate) fn aggregate(segments: &mut [Segment], tags: &[Vec<Tag>]) {
    #[derive(Default, Clone, Copy)]
    struct Seen {
        tags: [u16; NTAGS],
    }
    let mut seen: HashMap<u64, Seen, PreHashed> = HashMap::with_hasher(PreHashed);
    let capitalised = |seg: &Segment, i: usize| seg.lexemes[i].has(INIT_CAP);
    for (seg, tags) in segments.iter().zip(tags) {
        for (i, &tag) in tags.iter().enumerate() {
            if capitalised(seg, i) {
                let entry = seen.entry(finish(seg.lexemes[i].lower)).or_default();
                entry.tags[tag as usize] = entry.tags[tag as usize].saturating_add(1);
            }
        }
    }
    for (seg, tags) in segments.iter_mut().zip(tags) {
        let mut stage1 = vec![FirstStage::default(); tags.len()];
        for sentence in &seg.sentences {
            for i in sentence.clone() {
                let next = if i + 1 < sentence.end {
                    tags[i + 1]
                } else {
                    NO_TAG
                };
                let mut first = FirstStage {
                    next,
                    ..FirstStage::default()
                };
                if capitalised(seg, i) {
                    let mut all = seen[&finish(seg.lexemes[i].lower)].tags;
                    // The others: this occurrence is not evidence about itself.
                    all[tags[i] as usize] -= 1;
                    for (t, &n) in all.iter().enumerate().filter(|(_, &n)| n > 0) {
                        first.elsewhere |= 1 << t;
                        let c = &mut first.counts[slot(t as Tag)];
                        *c = c.saturating_add(n.min(255) as u8);
                    }
                }
                stage1[i] = first;
            }
        }
        seg.stage1 = stage1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::entities::tags::{tag, Part};

    #[test]
    fn counts_the_same_word_elsewhere_but_not_itself() {
        let mut segs = vec![Segment::new("Lavrov met Sergey Lavrov ."), Segment::new("")];
        let per_last = tag(0, Part::Last);
        let tags = vec![vec![0, 0, tag(0, Part::Begin), per_last, 0], Vec::new()];
        aggregate(&mut segs, &tags);
        let first = &segs[0].stage1;
        // The opening "Lavrov" (tagged O) sees the later one as L-PER.
        assert_eq!(first[0].elsewhere, 1 << per_last);
        assert_eq!(first[0].majority(), (1, true));
        assert_eq!(first[0].next, 0);
        // The later one sees only the opening O.
        assert_eq!(first[3].elsewhere, 1);
        assert_eq!(first[3].majority(), (5, true));
        // "met" is lowercase: nothing counted; the full stop ends the sentence.
        assert_eq!(first[1].majority(), (0, false));
        assert_eq!(first[4].next, NO_TAG);
    }
}
