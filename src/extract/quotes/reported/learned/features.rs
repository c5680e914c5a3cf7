//! Features of one candidate report, hashed: the cue word and its
//! neighbours, what follows it, the speaker the rules found, the content's
//! length and first word, and the sentence around it.

use super::super::super::speaker::is_pronoun;
use super::super::super::tokens::Token;
use super::super::cues::is_reporting_cue;
use super::candidates::Candidate;
use crate::extract::entities::hash::{hash_str, mix};
use crate::extract::entities::word_rows;

/// Hashes of the features of `c` in sentence `s`, into `out` (cleared).
/// `rules`: how many reports the rules made in the sentence; `by_rule`:
/// `c` is one of them (its features are apart from the others': one
/// table, two models).
pub(in super::super) fn features(
    s: &[Token<'_>],
    c: &Candidate,
    rules: usize,
    by_rule: bool,
    out: &mut Vec<u64>,
) {
    out.clear();
    let k = c.cue;
    // Each neighbour hashed once: this runs for every candidate.
    let at = |i: usize| s.get(i).map_or(0x5151, word_hash);
    let near = [
        k.checked_sub(2).map_or(0x5151, at),
        at(k - 1),
        at(k),
        at(k + 1),
        at(k + 2),
    ];
    let word = |i: isize| near[(i + 2) as usize];
    let space = u64::from(by_rule);
    let mut push = |id: u64, value: u64| out.push(mix(mix(space, id), value));
    push(1, 0);
    push(2, word(0));
    push(3, hash_str(suffix(s[k].text)));
    push(4, word(-1));
    push(5, word(-2));
    push(6, word(1));
    push(7, word(2));
    push(8, mix(word(0), word(1)));
    push(9, mix(word(-1), word(0)));
    push(10, next_class(s.get(k + 1)));
    let class = speaker_class(s, c);
    push(11, class);
    let (head, first) = (word_hash(&s[c.speaker.1 - 1]), word_hash(&s[c.content.0]));
    push(12, head);
    push(13, mix(word(0), class));
    let gap = if c.speaker.0 > k {
        7
    } else {
        bucket(k.saturating_sub(c.speaker.1))
    };
    push(14, gap);
    let words = s[c.content.0..c.content.1]
        .iter()
        .filter(|t| t.is_word)
        .count();
    push(15, bucket(words));
    push(16, first);
    push(17, u64::from(c.content.1 <= k));
    push(18, u64::from(s.iter().any(is_quote_mark)));
    push(19, (k * 4 / s.len()) as u64);
    push(20, u64::from(is_reporting_cue(s, k)));
    push(21, mix(u64::from(s[k - 1].is_punct(',')), word(0)));
    push(22, bucket(rules));
    push(23, u64::from(s[k].is_capitalised()));
    push(24, mix(word(0), gap));
    let next = next_class(s.get(k + 1));
    push(25, mix(word(0), next));
    push(26, mix(word(0), head));
    push(27, mix(mix(word(-1), word(0)), word(1)));
    push(28, mix(word(0), first));
    push(29, bucket(c.speaker.1 - c.speaker.0));
    push(30, mix(word(0), bucket(words)));
    push(31, mix(class, next));
    push(32, u64::from(c.content.1 >= s.len().saturating_sub(1)));
    // Wrong speakers: `that administration officials knew`, `58 say`,
    // `the support of voters for`: the speaker's first word, the word
    // before it, and whether it holds a number.
    let lead = word_hash(&s[c.speaker.0]);
    let before = c
        .speaker
        .0
        .checked_sub(1)
        .map_or(0x5151, |i| word_hash(&s[i]));
    push(33, lead);
    push(34, mix(word(0), lead));
    push(35, before);
    push(36, mix(class, before));
    let digits = s[c.speaker.0..c.speaker.1]
        .iter()
        .any(|t| t.text.bytes().any(|b| b.is_ascii_digit()));
    push(37, u64::from(digits));
    // Word classes (the entity tagger's vector-row classes): the long tail
    // of cues seen a few times in train ("blasted", "lamented") shares
    // classes with the common ones, and so do speakers' heads.
    let cue_class = coarse(&s[k]);
    push(38, cue_class[1]);
    push(39, cue_class[2]);
    push(40, cue_class[0]);
    push(41, mix(cue_class[1], next));
    push(42, mix(cue_class[1], class));
    push(43, coarse(&s[c.speaker.1 - 1])[1]);
    // (The classes of the word after the cue and of the content's first
    // word gave no CV gain for two more lookups: quotes/README.md.)
}

/// The word's 1024, 256 and 64 classes (`word_rows`), all `0x5152` for a
/// word the table lacks.
fn coarse(t: &Token<'_>) -> [u64; 3] {
    word_rows::coarse_of(word_rows::class_of_word(t.text)).map_or([0x5152; 3], |c| c.map(u64::from))
}

fn word_hash(t: &Token<'_>) -> u64 {
    t.with_lower(hash_str).unwrap_or_else(|| hash_str(t.text))
}

/// The last three characters of a word (`-ism`, `-ed`).
fn suffix(w: &str) -> &str {
    let at = w.char_indices().rev().nth(2).map_or(0, |(i, _)| i);
    &w[at..]
}

/// 0, 1, 2, 3-5, 6+.
fn bucket(n: usize) -> u64 {
    match n {
        0..=2 => n as u64,
        3..=5 => 3,
        _ => 4,
    }
}

/// What follows the cue: `that`, a pronoun, a determiner, `to`, a name,
/// punctuation, something else.
fn next_class(t: Option<&Token<'_>>) -> u64 {
    let Some(t) = t else { return 0 };
    if t.is_one_of(&["that"]) {
        1
    } else if is_pronoun(t) {
        2
    } else if t.is_one_of(&["the", "a", "an", "his", "her", "their", "its"]) {
        3
    } else if t.is_one_of(&["to"]) {
        4
    } else if t.is_capitalised() {
        5
    } else if !t.is_word {
        6
    } else {
        7
    }
}

/// The speaker: a pronoun, a name (capitalised last word) or a
/// description, and whether it stands before or after the cue.
fn speaker_class(s: &[Token<'_>], c: &Candidate) -> u64 {
    let last = &s[c.speaker.1 - 1];
    let kind = if c.speaker.1 - c.speaker.0 == 1 && is_pronoun(last) {
        1
    } else if last.is_capitalised() {
        2
    } else {
        3
    };
    kind + 4 * u64::from(c.speaker.0 > c.cue)
}

fn is_quote_mark(t: &Token<'_>) -> bool {
    !t.is_word && ["“", "”", "\""].contains(&t.text)
}
