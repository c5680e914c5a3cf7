//! Attribution: who said a quote, read from its own sentence.
//!
//! Patterns, tried in this order:
//! - after the quote: `"...," Lavrov said` / `"...," said Lavrov` /
//!   `"...," according to Lavrov`;
//! - before it: `Lavrov said: "..."` / `Lavrov called him a "charlatan"` /
//!   `According to Lavrov, "..."` / `Lavrov: "..."` at a paragraph start.
//!
//! Quotes left without a speaker here may inherit one later (see
//! `continuation`).

use super::cues::{is_cue_verb, phrase_cue_len};
use super::spans::QuoteSpan;
use super::speaker::{is_pronoun, phrase_starting_at, subject_before, Phrase};
use super::tokens::{ends_sentence, tokenize, Token};
use crate::extract::ByteSpan;

/// A speaker found next to a quote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Attribution {
    pub speaker: ByteSpan,
    pub cue: Option<ByteSpan>,
    pub is_pronoun: bool,
}

/// The text around one quote, cut to the quote's own sentence.
pub(super) struct Context<'a> {
    /// From the sentence start (or the previous quote) to the opening mark.
    pub before: Vec<Token<'a>>,
    /// From the closing mark to the sentence end (or the next quote).
    pub after: Vec<Token<'a>>,
}

/// Most tokens looked at on either side: keeps the work per quote bounded.
const WINDOW_TOKENS: usize = 40;

pub(super) fn context<'a>(text: &'a str, quotes: &[QuoteSpan], i: usize) -> Context<'a> {
    let q = &quotes[i];
    let prev_end = i
        .checked_sub(1)
        .map(|p| &quotes[p])
        .filter(|p| p.para == q.para)
        .map_or(q.para.start, |p| p.close.map_or(p.content.end, |c| c.end));
    let next_start = quotes.get(i + 1).filter(|n| n.para == q.para).map_or(q.para.end, |n| n.open.start);
    let mut before = tokenize(text, ByteSpan { start: prev_end.max(q.para.start), end: q.open.start });
    if let Some(cut) = (0..before.len()).rev().find(|&k| ends_sentence(&before, k)) {
        before.drain(..=cut);
    }
    if before.len() > WINDOW_TOKENS {
        before.drain(..before.len() - WINDOW_TOKENS);
    }
    let mut after = match q.close {
        Some(close) if close.end <= next_start => tokenize(text, ByteSpan { start: close.end, end: next_start }),
        _ => Vec::new(),
    };
    after.truncate(WINDOW_TOKENS);
    if let Some(cut) = (0..after.len()).find(|&k| ends_sentence(&after, k)) {
        after.truncate(cut);
    }
    Context { before, after }
}

/// Finds the speaker of a quote from its context; `content_ends_clause` is
/// whether the quoted words end in punctuation (`"...,"`), which licenses
/// reading a speaker after the quote.
pub(super) fn attribute(ctx: &Context<'_>, content_ends_clause: bool) -> Option<Attribution> {
    after_quote(&ctx.after, content_ends_clause).or_else(|| before_quote(&ctx.before))
}

fn span_of(tokens: &[Token<'_>], (start, end): Phrase) -> ByteSpan {
    ByteSpan { start: tokens[start].span.start, end: tokens[end - 1].span.end }
}

fn attribution(tokens: &[Token<'_>], phrase: Phrase, cue: Option<Phrase>) -> Attribution {
    Attribution {
        speaker: span_of(tokens, phrase),
        cue: cue.map(|c| span_of(tokens, c)),
        is_pronoun: phrase.1 - phrase.0 == 1 && is_pronoun(&tokens[phrase.0]),
    }
}

/// `"...," Lavrov said` / `"...," said Lavrov` / `"...," according to X`.
fn after_quote(tokens: &[Token<'_>], content_ends_clause: bool) -> Option<Attribution> {
    let lead = tokens.iter().take_while(|t| !t.is_word).count();
    if !(content_ends_clause || (lead > 0 && tokens[0].text != ")")) {
        return None;
    }
    let first = tokens.get(lead)?;
    if let Some(len) = phrase_cue_len(tokens, lead).filter(|_| first.text.eq_ignore_ascii_case("according")) {
        let phrase = phrase_starting_at(tokens, lead + len)?;
        return Some(attribution(tokens, phrase, Some((lead, lead + len))));
    }
    if is_cue_verb(&first.lower()) {
        let phrase = phrase_starting_at(tokens, lead + 1)?;
        return Some(attribution(tokens, phrase, Some((lead, lead + 1))));
    }
    let cue = (lead + 1..tokens.len().min(lead + 16)).find(|&k| tokens[k].is_word && is_cue_verb(&tokens[k].lower()))?;
    let phrase = subject_before(tokens, cue, lead)?;
    // The speaker must follow the quote directly, not be some later subject.
    (phrase.0 == lead).then(|| attribution(tokens, phrase, Some((cue, cue + 1))))
}

/// `Lavrov said: "..."`, `Lavrov called him a "charlatan"`,
/// `According to Lavrov, "..."`, `Lavrov: "..."`.
fn before_quote(tokens: &[Token<'_>]) -> Option<Attribution> {
    for k in (0..tokens.len()).rev() {
        if !tokens[k].is_word {
            continue;
        }
        if let Some(len) = phrase_cue_len(tokens, k).filter(|_| tokens[k].text.eq_ignore_ascii_case("according")) {
            let phrase = phrase_starting_at(tokens, k + len)?;
            return Some(attribution(tokens, phrase, Some((k, k + len))));
        }
        if is_cue_verb(&tokens[k].lower()) {
            if let Some(phrase) = subject_before(tokens, k, 0) {
                return Some(attribution(tokens, phrase, Some((k, k + 1))));
            }
            // "... and said", "..., adding": the subject of an earlier cue.
            return first_subject(tokens, k);
        }
    }
    colon_speaker(tokens)
}

/// The subject of the first cue before `limit` in the sentence.
fn first_subject(tokens: &[Token<'_>], limit: usize) -> Option<Attribution> {
    let cue = (0..limit).find(|&k| tokens[k].is_word && is_cue_verb(&tokens[k].lower()))?;
    let phrase = subject_before(tokens, cue, 0)?;
    Some(attribution(tokens, phrase, Some((cue, cue + 1))))
}

/// `Rep. Trey Gowdy (R-S.C.): "..."` -- a short label ending in a colon.
fn colon_speaker(tokens: &[Token<'_>]) -> Option<Attribution> {
    let (last, body) = tokens.split_last()?;
    if !last.is_punct(':') || body.is_empty() || body.len() > 10 {
        return None;
    }
    let mut end = body.len();
    if body[end - 1].is_punct(')') {
        end = body.iter().position(|t| t.is_punct('('))?;
    }
    let phrase = super::speaker::phrase_ending_at(body, end, 0)?;
    (phrase.0 == 0 || !body[0].is_word).then(|| attribution(body, phrase, None))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::quotes::spans::find_quote_spans;

    /// The speaker text of each quote of `text`.
    fn speakers(text: &str) -> Vec<Option<&str>> {
        let quotes = find_quote_spans(text);
        (0..quotes.len())
            .map(|i| {
                let ctx = context(text, &quotes, i);
                let ends = text[quotes[i].content.start..quotes[i].content.end].ends_with([',', '.', '?', '!']);
                attribute(&ctx, ends).map(|a| &text[a.speaker.start..a.speaker.end])
            })
            .collect()
    }

    #[test]
    fn speaker_after_the_quote() {
        assert_eq!(speakers("“We welcome it,” Lavrov said."), [Some("Lavrov")]);
        assert_eq!(speakers("“We welcome it,” the minister told reporters."), [Some("the minister")]);
    }

    #[test]
    fn inverted_speaker_after_the_quote() {
        assert_eq!(speakers("“We welcome it,” said Sergey Lavrov, the foreign minister."), [Some("Sergey Lavrov")]);
        assert_eq!(speakers("“No,” said a spokesman for the ministry."), [Some("a spokesman for the ministry")]);
    }

    #[test]
    fn speaker_before_the_quote() {
        assert_eq!(speakers("Lavrov said: “We welcome it.”"), [Some("Lavrov")]);
        assert_eq!(speakers("Lavrov called him a “charlatan”."), [Some("Lavrov")]);
        assert_eq!(speakers("Mr. Luntz said the camp had failed to “connect.”"), [Some("Mr. Luntz")]);
    }

    #[test]
    fn cue_phrases() {
        assert_eq!(speakers("According to the ministry, “all is well.”"), [Some("the ministry")]);
        assert_eq!(speakers("“All is well,” according to Lavrov."), [Some("Lavrov")]);
        assert_eq!(speakers("The ministry said in a statement that “all is well.”"), [Some("The ministry")]);
    }

    #[test]
    fn colon_label() {
        assert_eq!(speakers("Rep. Trey Gowdy (R-S.C.): “Who told you that?”"), [Some("Rep. Trey Gowdy")]);
    }

    #[test]
    fn pronoun_speakers() {
        assert_eq!(speakers("He also highlighted the “systemic” problem."), [Some("He")]);
    }

    #[test]
    fn no_speaker_for_a_scare_quote() {
        assert_eq!(speakers("Reports about “compromising” information on Trump, Lavrov called"), [None]);
    }
}
