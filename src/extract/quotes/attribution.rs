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

use super::cues::{is_cue_verb, is_cue_verb_after_subject, phrase_cue_len};
use super::spans::QuoteSpan;
use super::speaker::{is_pronoun, phrase_ending_at, phrase_starting_at, sentence_subject, subject_before, Phrase};
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
    /// `after` runs up to the next quote's opening mark: it may be that
    /// quote's attribution (`"..." He added, "..."`).
    pub after_reaches_next_quote: bool,
    /// `before` runs back to the previous quote: both are in one sentence.
    pub before_reaches_prev_quote: bool,
    /// The sentence before the quote's own, when the quote starts a
    /// sentence after it in the same paragraph (and no quote is between).
    pub previous_sentence: Vec<Token<'a>>,
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
    let cut = (0..before.len()).rev().find(|&k| ends_sentence(&before, k) || before[k].is_punct(';'));
    let before_reaches_prev_quote = cut.is_none() && prev_end > q.para.start;
    let mut previous_sentence = Vec::new();
    if let Some(cut) = cut {
        previous_sentence = before.drain(..=cut).collect();
        previous_sentence.pop();
        let start = (0..previous_sentence.len()).rev().find(|&k| ends_sentence(&previous_sentence, k));
        previous_sentence.drain(..start.map_or(0, |s| s + 1));
    }
    if before.len() > WINDOW_TOKENS {
        before.drain(..before.len() - WINDOW_TOKENS);
    }
    let mut after = match q.close {
        Some(close) if close.end <= next_start => tokenize(text, ByteSpan { start: close.end, end: next_start }),
        _ => Vec::new(),
    };
    let mut after_reaches_next_quote = next_start < q.para.end && after.len() <= WINDOW_TOKENS;
    after.truncate(WINDOW_TOKENS);
    if let Some(cut) = (0..after.len()).find(|&k| ends_sentence(&after, k)) {
        after.truncate(cut);
        after_reaches_next_quote = false;
    }
    Context { before, after, after_reaches_next_quote, before_reaches_prev_quote, previous_sentence }
}

/// Finds the speaker of a quote from its context. `may_precede_speaker`:
/// the quote ends a clause (`"...,"`) or starts its sentence, so a speaker
/// right after it is its speaker.
/// `ends_sentence`: the quoted words end with a full stop, so what follows
/// is more likely a new sentence than the quote's attribution.
pub(super) fn attribute(ctx: &Context<'_>, may_precede_speaker: bool, ends_sentence: bool) -> Option<Attribution> {
    let after_is_next_quotes = ends_sentence && ctx.after_reaches_next_quote;
    let after = if may_precede_speaker && !after_is_next_quotes { after_quote(&ctx.after, ends_sentence) } else { None };
    after.or_else(|| before_quote(&ctx.before)).or_else(|| inverted_later(&ctx.after))
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

fn is_cue_at(tokens: &[Token<'_>], k: usize) -> bool {
    tokens[k].is_word && is_cue_verb(&tokens[k].lower())
}

/// `"...," Lavrov said` / `"...," said Lavrov` / `"...," according to X` /
/// `"...," CIA spokesman Ryan Trapani said`.
fn after_quote(tokens: &[Token<'_>], quote_ends_sentence: bool) -> Option<Attribution> {
    let lead = tokens.iter().take_while(|t| !t.is_word && t.text != ")").count();
    let first = tokens.get(lead)?;
    if let Some(len) = phrase_cue_len(tokens, lead).filter(|_| first.text.eq_ignore_ascii_case("according")) {
        let phrase = phrase_starting_at(tokens, lead + len)?;
        return Some(attribution(tokens, phrase, Some((lead, lead + len))));
    }
    if is_cue_verb_after_subject(&first.lower()) {
        let phrase = phrase_starting_at(tokens, lead + 1)?;
        return Some(attribution(tokens, phrase, Some((lead, lead + 1))));
    }
    let cue = (lead + 1..tokens.len().min(lead + 16))
        .find(|&k| tokens[k].is_word && is_cue_verb_after_subject(&tokens[k].lower()))?;
    let phrase = subject_before(tokens, cue, lead)?;
    // The speaker must follow the quote directly ("former candidate Herman
    // Cain" counts as direct), not be the subject of some later clause.
    let premodifiers = &tokens[lead..phrase.0];
    let direct = premodifiers.len() <= 6 && premodifiers.iter().all(|t| t.is_word && !is_cue_verb(&t.lower()));
    // `"...done." She said she admires him`: a new sentence reporting more.
    let new_report = quote_ends_sentence && tokens.get(cue + 1).is_some_and(starts_clause);
    (direct && !new_report).then(|| attribution(tokens, phrase, Some((cue, cue + 1))))
}

/// A word that starts a reported clause after a cue: "that", a pronoun, a
/// name, a determiner.
fn starts_clause(token: &Token<'_>) -> bool {
    const OPENERS: &[&str] = &["that", "a", "an", "the", "his", "her", "their", "it", "this", "there"];
    token.is_word && (is_pronoun(token) || token.is_capitalised() || OPENERS.contains(&token.lower().as_str()))
}

/// `"..." if she loses, said David Wasserman`: an inverted cue later in the
/// sentence, after a comma.
fn inverted_later(tokens: &[Token<'_>]) -> Option<Attribution> {
    (1..tokens.len()).find_map(|k| {
        if !(tokens[k - 1].is_punct(',') && is_cue_at(tokens, k)) {
            return None;
        }
        let phrase = phrase_starting_at(tokens, k + 1)?;
        Some(attribution(tokens, phrase, Some((k, k + 1))))
    })
}

/// `Lavrov said: "..."`, `Lavrov called him a "charlatan"`,
/// `According to Lavrov, "..."`, `Lavrov: "..."`.
fn before_quote(tokens: &[Token<'_>]) -> Option<Attribution> {
    // The sentence's first cue is the reporting verb; later ones are
    // usually inside what is reported ("Trump said Fox executives were
    // calling "every 15 minutes"").
    for k in 0..tokens.len() {
        if !tokens[k].is_word {
            continue;
        }
        if let Some(len) = phrase_cue_len(tokens, k).filter(|_| tokens[k].text.eq_ignore_ascii_case("according")) {
            let phrase = phrase_starting_at(tokens, k + len)?;
            return Some(attribution(tokens, phrase, Some((k, k + len))));
        }
        if is_cue_at(tokens, k) || verb_before_colon(tokens, k) {
            // "But, said Solovey, "..."": an inverted cue before the quote.
            let phrase = subject_of_cue(tokens, k).or_else(|| phrase_starting_at(tokens, k + 1))?;
            return Some(attribution(tokens, phrase, Some((k, k + 1))));
        }
    }
    colon_speaker(tokens)
}

/// "retorted:" -- an unlisted past-tense verb introducing a quote.
fn verb_before_colon(tokens: &[Token<'_>], k: usize) -> bool {
    k + 2 == tokens.len() && tokens[k + 1].is_punct(':') && !tokens[k].is_capitalised() && tokens[k].text.ends_with("ed")
}

/// Who does the cue `tokens[cue]`: its own subject, or for "..., adding"
/// and "... and said" the subject of the sentence.
fn subject_of_cue(tokens: &[Token<'_>], cue: usize) -> Option<Phrase> {
    let participle = tokens[cue].text.ends_with("ing") && cue > 0 && tokens[cue - 1].is_punct(',');
    if participle {
        return sentence_subject(tokens, cue);
    }
    if let Some(phrase) = subject_before(tokens, cue, 0) {
        return Some(phrase);
    }
    // "Mr. Trump was prompted to say": back over a few verbs to the subject.
    let mut end = cue;
    let verb_like = |t: &Token<'_>| t.is_word && !t.is_capitalised() && !["and", "but", "or"].contains(&t.text);
    while end > 0 && cue - end < 4 && verb_like(&tokens[end - 1]) {
        end -= 1;
        let prev = end.checked_sub(1).map(|p| &tokens[p]);
        if prev.is_some_and(|p| is_pronoun(p) || p.is_capitalised()) {
            return phrase_ending_at(tokens, end, 0);
        }
    }
    sentence_subject(tokens, cue)
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
    let phrase = phrase_ending_at(body, end, 0)?;
    Some(attribution(body, phrase, None))
}

/// `Clinton touted her record. "We need ..."`: a quote that starts a
/// sentence with no cue of its own, after a sentence about someone, is
/// taken to be theirs.
pub(super) fn previous_sentence_subject(ctx: &Context<'_>) -> Option<Attribution> {
    let tokens = &ctx.previous_sentence;
    let phrase = sentence_subject(tokens, tokens.len())?;
    Some(attribution(tokens, phrase, None))
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
                attribute(&ctx, true, false).map(|a| &text[a.speaker.start..a.speaker.end])
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
