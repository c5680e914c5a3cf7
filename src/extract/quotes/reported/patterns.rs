//! Reported speech in one sentence: who, the cue, and what was reported.
//!
//! Patterns, tried in this order (the first that fits wins):
//! - `According to X, ...`, `In a CNN poll, ...`;
//! - a closing attribution: `..., X said.` / `..., said X.` /
//!   `..., according to X.`;
//! - speaker, cue, content: `X said (that) ...`, `X told Y (that) ...`,
//!   `X accused Y of ...`, `X called for ...`, `X denied ...`,
//!   `X warned/urged/argued/claimed ...`, `X, who said ...`;
//! - a label: `Lavrov: ...`.
//!
//! Speakers come from the quote stage's speaker finder, cues from its
//! lexicon, so a quote and a reported clause are read the same way.

use super::super::attribution::{colon_speaker, is_participle, own_subject, takes_listener};
use super::super::cues::{is_cue, is_cue_after_subject, phrase_cue_len};
use super::super::speaker::{
    is_function_word, is_pronoun, is_time_word, phrase_starting_at, subject_before, Phrase,
};
use super::super::tokens::Token;
use super::bounds::first_break;
use super::cues::{
    cue_phrase, is_reporting_cue, participle_reports, topic_cue, NOT_REPORTING, PREPOSITIONS,
};
use super::subjects::{distant_subject, inverted_speaker};
use crate::extract::ByteSpan;

/// One reported statement, in byte offsets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Reported {
    pub speaker: ByteSpan,
    pub is_pronoun: bool,
    pub cue: ByteSpan,
    pub content: ByteSpan,
}

/// Fewest words a reported clause has: "he said so" is not worth a record.
const MIN_CONTENT_WORDS: usize = 2;

/// The reported statements of sentence `s`, added to `out`.
pub(super) fn find(s: &[Token<'_>], out: &mut Vec<Reported>) {
    if s.len() < 4 || s.iter().any(|t| t.is_punct('<') || t.is_punct('>')) {
        return;
    }
    let end = content_end(s, s.len());
    let closing = closing_attribution(s, end).or_else(|| according_later(s, end));
    // A closing attribution, unless the words before it hold a report of
    // their own (`X, a Republican, said that ..., he should have insisted`)
    // that the other patterns find.
    let inner_cue = |r: &Reported| {
        (1..s.len()).any(|k| s[k].span.end <= r.content.end && is_reporting_cue(s, k))
    };
    let leading = leading_according(s, end).or_else(|| leading_poll(s, end));
    if let Some(r) = leading.or(closing.filter(|r| !inner_cue(r))) {
        out.push(r);
    } else if !speaker_cue_content(s, end, out) {
        // `The agency met the director and cited concerns, officials
        // said.`: the inner cue has no speaker of its own, the closing one
        // does.
        out.extend(closing.or_else(|| label(s, end)));
    }
}

pub(super) fn span_of(s: &[Token<'_>], (start, end): Phrase) -> ByteSpan {
    ByteSpan {
        start: s[start].span.start,
        end: s[end - 1].span.end,
    }
}

pub(super) fn reported(
    s: &[Token<'_>],
    speaker: Phrase,
    cue: Phrase,
    content: Phrase,
) -> Option<Reported> {
    let words = s
        .get(content.0..content.1)?
        .iter()
        .filter(|t| t.is_word)
        .count();
    // "it threatens the work": "it" reports only what a text says; "I
    // think" and "we want" are someone's own words, quoted or not.
    let it = s[speaker.0].is_one_of(&["it"]) && !s[cue.0].is_one_of(&["said", "says", "say"]);
    let first_person = speaker.1 - speaker.0 == 1 && s[speaker.0].is_one_of(&["i", "we", "you"]);
    let valid = words >= MIN_CONTENT_WORDS && speaker.0 < speaker.1 && cue.0 < cue.1;
    (valid && !it && !first_person).then(|| Reported {
        speaker: span_of(s, speaker),
        is_pronoun: speaker.1 - speaker.0 == 1 && is_pronoun(&s[speaker.0]),
        cue: span_of(s, cue),
        content: span_of(s, content),
    })
}

/// Where the reported words stop: before the first `;` from `from`, and
/// before the sentence's closing punctuation.
pub(super) fn content_end(s: &[Token<'_>], to: usize) -> usize {
    let mut end = to;
    while end > 0 && is_trailing_punct(&s[end - 1]) {
        end -= 1;
    }
    end
}

/// The reported clause starting at `start`: up to its first break
/// (`bounds.rs`) before `stop`, without closing punctuation.
pub(super) fn clause(s: &[Token<'_>], start: usize, stop: usize) -> Phrase {
    let stop = first_break(s, start, stop).unwrap_or(stop);
    (start, content_end(s, stop))
}

fn is_trailing_punct(t: &Token<'_>) -> bool {
    !t.is_word && [".", ",", ";", ":", "!", "?", "—", "–", "-"].contains(&t.text)
}

fn is_according(s: &[Token<'_>], k: usize) -> bool {
    s[k].text.eq_ignore_ascii_case("according") && phrase_cue_len(s, k) == Some(2)
}

/// `According to X, ...` (after at most a conjunction: `But according to`).
fn leading_according(s: &[Token<'_>], end: usize) -> Option<Reported> {
    let k = (0..s.len().min(3)).find(|&k| is_according(s, k))?;
    if !opens_sentence(s, k) {
        return None;
    }
    let speaker = phrase_starting_at(s, k + 2)?;
    let comma = (speaker.1..end.min(speaker.1 + 25)).find(|&j| s[j].is_punct(','))?;
    reported(s, speaker, (k, k + 2), clause(s, comma + 1, end))
}

/// Only a conjunction stands before `s[k]`: `But according to ...`.
fn opens_sentence(s: &[Token<'_>], k: usize) -> bool {
    !s[..k]
        .iter()
        .any(|t| t.is_word && !t.is_one_of(&["but", "and", "yet", "so"]))
}

/// `In a CNN/ORC poll released Monday, Clinton led Sanders ...`: PolNeAR
/// makes the poll the source and `In` the cue (54 such golds in train,
/// none found before).
fn leading_poll(s: &[Token<'_>], end: usize) -> Option<Reported> {
    let k = (0..s.len().min(3)).find(|&k| s[k].is_one_of(&["in"]))?;
    if !opens_sentence(s, k) {
        return None;
    }
    let comma = (k + 2..end.min(k + 25)).find(|&j| s[j].is_punct(','))?;
    if !s[k + 1..comma].iter().any(|t| t.is_one_of(POLL_WORDS)) {
        return None;
    }
    reported(s, (k + 1, comma), (k, k + 1), clause(s, comma + 1, end))
}

const POLL_WORDS: &[&str] = &["poll", "polls", "polling", "survey", "surveys"];

/// `... according to a CBS poll released Monday.`: the content is what
/// comes before, however long the source is.
fn according_later(s: &[Token<'_>], end: usize) -> Option<Reported> {
    let k = (4..end).find(|&k| is_according(s, k))?;
    let speaker = phrase_starting_at(s, k + 2)?;
    reported(s, speaker, (k, k + 2), (0, content_end(s, k)))
}

/// `..., X said.`, `..., said X.`, `..., according to X.`: the content is
/// everything before the comma.
fn closing_attribution(s: &[Token<'_>], end: usize) -> Option<Reported> {
    // The last three commas of the sentence's last 30 tokens: `..., said
    // Robert Egge, executive director of ..., whose advocates ...`.
    let lowest = end.saturating_sub(30);
    let (comma, (speaker, cue)) = (lowest..end)
        .rev()
        .filter(|&c| s[c].is_punct(','))
        .take(3)
        .find_map(|c| Some((c, closing_tail(&s[c + 1..end])?)))?;
    let shift = |(a, b): Phrase| (a + comma + 1, b + comma + 1);
    let content = (0, content_end(s, comma));
    // "On Dec. 15, the task force announced": a clause, not a time.
    let words = s[..content.1].iter().filter(|t| t.is_word).count();
    (words >= 4)
        .then(|| reported(s, shift(speaker), shift(cue), content))
        .flatten()
}

/// The speaker and cue of a closing attribution, indices into `tail`.
fn closing_tail(tail: &[Token<'_>]) -> Option<(Phrase, Phrase)> {
    let first = tail.first()?;
    if tail.len() >= 2 && is_according(tail, 0) {
        return Some((phrase_starting_at(tail, 2)?, (0, 2)));
    }
    if is_reporting_cue(tail, 0) && !is_participle(first) && !takes_listener(first) {
        let speaker = phrase_starting_at(tail, 1)?;
        // "said Lavrov, the foreign minister" ends the sentence; "said he
        // had heard", "said on the record that" start a clause.
        let rest = &tail[speaker.1..];
        let ends = rest.is_empty() || (rest[0].is_punct(',') && !rest.iter().any(is_cue));
        let skipped = speaker.0 > 1; // "said on the record": "on" skipped
        return (ends && !skipped && !is_pronoun(&tail[speaker.0])).then_some((speaker, (0, 1)));
    }
    let cue = (1..tail.len().min(12)).find(|&k| {
        is_cue_after_subject(&tail[k])
            && !tail[k]
                .with_lower(|w| NOT_REPORTING.contains(&w))
                .unwrap_or(true)
    })?;
    let speaker = subject_before(tail, cue, 0)?;
    // Only the attribution's own words may follow the cue: a time, a
    // listener, "in a statement" -- not a new clause.
    let rest = &tail[cue + 1..];
    let adjunct = rest
        .first()
        .is_none_or(|t| is_time_word(t) || t.is_one_of(PREPOSITIONS) || takes_listener(&tail[cue]));
    let clause_follows = rest.len() > 8
        || rest
            .iter()
            .any(|t| is_cue(t) || t.is_one_of(&["that", "he", "she", "they", "it"]));
    (speaker.0 <= 3 && adjunct && !clause_follows).then_some((speaker, (cue, cue + 1)))
}

/// `X said (that) ...` and the other verbs: the first cue with a subject,
/// then the cues it is coordinated with (`X accused ... and said ...`,
/// `X stated ..., suggesting ...`), which share its speaker; then again
/// after a clause boundary (`...; 26 percent say ...`, `..., while 49
/// percent say ...`), where someone else may speak.
fn speaker_cue_content(s: &[Token<'_>], end: usize, out: &mut Vec<Reported>) -> bool {
    let before = out.len();
    let mut from = 1;
    while let Some(next) = one_speaker(s, from, end, out) {
        from = next;
    }
    out.len() > before
}

/// The reports of the first cue with a speaker in `s[from..end]`, added
/// to `out`; where to look for the next one, if words follow. The speaker
/// may stand before `from` (`Mr. Guerrero, a Republican who described
/// himself as ..., said ...`).
fn one_speaker(s: &[Token<'_>], from: usize, end: usize, out: &mut Vec<Reported>) -> Option<usize> {
    let first_cue = |k: usize| {
        // ", said Ms. Gil, ...": an inverted cue, whose speaker follows.
        let inverted = s[k - 1].is_punct(',') && inverted_speaker(s, k, end);
        let usable = is_reporting_cue(s, k) && participle_reports(s, k) && !inverted;
        let speaker = usable.then(|| own_subject(s, k, true).or_else(|| distant_subject(s, k)));
        speaker.flatten().map(|p| (k, p))
    };
    let (mut k, speaker) = (from.max(1)..end).find_map(first_cue)?;
    loop {
        let cue = cue_phrase(s, k);
        let start = if speaker.0 > k {
            speaker.1 + 1 // `said Solovey, ...`
        } else {
            content_start(s, k, cue.1)
        };
        if where_not_what(s, cue.1, start) {
            return None;
        }
        let next = (start..end).find(|&j| coordinated_cue(s, j));
        let topic = topic_cue(s, k);
        let boundary = (start..next.unwrap_or(end))
            .find(|&j| is_clause_boundary(s, j) || (topic && s[j].is_punct(',')));
        let stop = boundary
            .or(next.map(|j| first_of_coordination(s, j)))
            .unwrap_or(end);
        // The break is also where the next speaker may start (below).
        let stop = first_break(s, start, stop).unwrap_or(stop);
        out.extend(reported(s, speaker, cue, (start, content_end(s, stop))));
        if let Some(b) = boundary {
            return Some(b + 1);
        }
        match next {
            Some(j) => k = j,
            // `..., and Democrats argued ...`: another speaker may follow
            // the content.
            None => return (stop < end).then_some(stop),
        }
    }
}

/// "wrote in an analysis": a preposition where the content would start
/// says where, not what; but "asked the department to investigate": after
/// a listener, "to" is the report, and so is "vowed to repeal".
pub(super) fn where_not_what(s: &[Token<'_>], cue_end: usize, start: usize) -> bool {
    let after_listener = start > cue_end && s[start - 1].is_word;
    s.get(start).is_some_and(|t| {
        t.is_one_of(PREPOSITIONS)
            && !(after_listener && t.is_one_of(&["to"]))
            && !infinitive(s, cue_end, start)
    })
}

/// `;`, or `, while` / `, whereas`: the end of one report, maybe the start
/// of another.
fn is_clause_boundary(s: &[Token<'_>], j: usize) -> bool {
    s[j].is_punct(';') || (j > 0 && s[j - 1].is_punct(',') && s[j].is_one_of(&["while", "whereas"]))
}

/// `declined to comment`, `vowed to repeal the law`: right after the cue,
/// `to` and a verb (a lower-case word that is no function word) is what
/// was promised or refused, not where it was said (`said to reporters`).
fn infinitive(s: &[Token<'_>], cue_end: usize, start: usize) -> bool {
    let verb = s
        .get(start + 1)
        .is_some_and(|t| t.is_word && !t.is_capitalised() && !is_function_word(t));
    start == cue_end && s[start].is_one_of(&["to"]) && verb
}

/// `s[j]` is a cue with no subject of its own, after `and` / `but` or a
/// comma: a second report of the same speaker.
fn coordinated_cue(s: &[Token<'_>], j: usize) -> bool {
    let joined = j >= 1
        && (s[j - 1].is_one_of(&["and", "but"])
            || (s[j - 1].is_punct(',') && is_participle(&s[j])));
    joined && is_reporting_cue(s, j)
}

/// The first token of `, and said`: where the earlier content stops.
fn first_of_coordination(s: &[Token<'_>], j: usize) -> usize {
    let mut i = j - 1;
    if i > 0 && s[i].is_word && s[i - 1].is_punct(',') {
        i -= 1;
    }
    i
}

/// The first token of what `cue` reports: past a time ("on Tuesday"),
/// "in a statement", a colon, and the listener of "told" / "asked".
pub(super) fn content_start(s: &[Token<'_>], k: usize, cue_end: usize) -> usize {
    let mut i = cue_end;
    loop {
        let before = i;
        while s
            .get(i)
            .is_some_and(|t| is_time_word(t) || t.is_punct(':') || t.is_punct(','))
        {
            i += 1;
        }
        if s.get(i).is_some_and(|t| t.is_one_of(&["in"])) {
            if let Some(len) = phrase_cue_len(s, i) {
                i += len;
            }
        }
        if i == before {
            break;
        }
    }
    if takes_listener(&s[k]) {
        // "told The Post and Courier newspaper on Saturday that": a long
        // listener, which the phrase finder would stop at "and".
        let that = (i..s.len().min(i + 14))
            .take_while(|&j| s[j].is_word)
            .find(|&j| s[j].is_one_of(&["that"]));
        if let Some(j) = that {
            return j;
        }
        if let Some(listener) = phrase_starting_at(s, i) {
            i = listener.1;
        }
    }
    // "said late Wednesday that", "said in a recent interview that": the
    // clause starts at "that".
    let that = (i..s.len().min(i + 8))
        .take_while(|&j| s[j].is_word)
        .find(|&j| s[j].is_one_of(&["that"]));
    let adjunct = s.get(i).is_some_and(|t| {
        t.is_one_of(PREPOSITIONS) || is_time_word(t) || t.is_one_of(&["late", "early"])
    });
    that.filter(|_| adjunct).unwrap_or(i)
}

/// Words that head a line with a colon and are nobody's name.
const NOT_LABELS: &str = "a advertisement age also analysis answer author background \
    breaking by caption chart city commentary contact correction credit date disclosure editor \
    election email exclusive follow graphic headline image job listen live location map more name \
    note opinion pay photo photos plus posted q question read related remember result results \
    source sources spoiler subscribe summary tags title topics total transcript update updated \
    video warning watch winner";

fn is_heading_word(t: &Token<'_>) -> bool {
    t.with_lower(|w| NOT_LABELS.split_ascii_whitespace().any(|h| h == w))
        .unwrap_or(false)
}

/// `Lavrov: ...` -- a short label and a colon.
fn label(s: &[Token<'_>], end: usize) -> Option<Reported> {
    let colon = (1..s.len().min(11)).find(|&j| s[j].is_punct(':'))?;
    let who = colon_speaker(&s[..=colon])?;
    // A name of two words or more, or one that opens the sentence and is
    // no heading word (`Graham: Trump's rhetoric ...`, not `UPDATE: ...`);
    // not a question ("Q: Does ...?").
    let capitals = s[..colon].iter().filter(|t| t.is_capitalised()).count();
    let named = capitals >= 2 || (colon == 1 && capitals == 1 && !is_heading_word(&s[0]));
    // "Follow Jeff Horwitz on Twitter:" is no label.
    let lower = s[..colon]
        .iter()
        .filter(|t| t.is_word && !t.is_capitalised() && !t.is_one_of(&["of", "the", "and", "for"]))
        .count();
    if !named || lower > 0 || s.iter().any(|t| t.is_punct('?')) {
        return None;
    }
    let content = clause(s, colon + 1, end);
    let words = s
        .get(content.0..content.1)?
        .iter()
        .filter(|t| t.is_word)
        .count();
    (words >= 3).then(|| Reported {
        speaker: who.speaker,
        is_pronoun: who.is_pronoun,
        cue: s[colon].span,
        content: span_of(s, content),
    })
}
