//! Attribution: who said a quote, read from its own sentence.
//!
//! Patterns, tried in this order:
//! - after the quote: `"...," Lavrov said` / `"...," said Lavrov` /
//!   `"...," according to Lavrov` / `"..." ― Lavrov`, unless the quote ended
//!   its sentence and what follows is a new report (`"..." He said he ...`);
//!   `"...," she said, according to CNN` gives CNN (PolNeAR's convention);
//! - before it: the sentence's reporting cue and its subject (`Lavrov said:
//!   "..."`, `Lavrov called him a "charlatan"`, `..., saying "..."`), not a
//!   cue inside what is reported or in a finished subordinate clause;
//!   `According to Lavrov, "..."`; `Rep. X (R-S.C.): "..."`;
//! - later in the sentence: `"..." if she loses, said David Wasserman`.
//!
//! Quotes left without a speaker here may inherit one later (see
//! `continuation`).

use super::cues::{is_cue, is_cue_after_subject, phrase_cue_len};
use super::spans::QuoteSpan;
use super::speaker::{
    is_function_word, is_object_pronoun, is_pronoun, is_subordinator, is_time_word,
    phrase_ending_at, phrase_starting_at, sentence_subject, subject_before, Phrase,
};
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
    let next_start = quotes
        .get(i + 1)
        .filter(|n| n.para == q.para)
        .map_or(q.para.end, |n| n.open.start);
    let mut before = tokenize(
        text,
        ByteSpan {
            start: prev_end.max(q.para.start),
            end: q.open.start,
        },
    );
    let cut = (0..before.len())
        .rev()
        .find(|&k| ends_sentence(&before, k) || before[k].is_punct(';'));
    // `"We lost." T-shirts appeared`: the sentence ended inside the quote.
    let prev_quote_ended_sentence = i
        .checked_sub(1)
        .and_then(|p| text.get(quotes[p].content.start..quotes[p].content.end))
        .is_some_and(|words| {
            words
                .trim_end_matches(['\'', '’', '"'])
                .ends_with(['.', '?', '!'])
        })
        && before.first().is_some_and(Token::is_capitalised);
    let before_reaches_prev_quote =
        cut.is_none() && prev_end > q.para.start && !prev_quote_ended_sentence;
    if let Some(cut) = cut {
        before.drain(..=cut);
    }
    if before.len() > WINDOW_TOKENS {
        before.drain(..before.len() - WINDOW_TOKENS);
    }
    let mut after = match q.close {
        Some(close) if close.end <= next_start => tokenize(
            text,
            ByteSpan {
                start: close.end,
                end: next_start,
            },
        ),
        _ => Vec::new(),
    };
    let mut after_reaches_next_quote = next_start < q.para.end && after.len() <= WINDOW_TOKENS;
    after.truncate(WINDOW_TOKENS);
    if let Some(cut) = (0..after.len()).find(|&k| ends_sentence(&after, k)) {
        after.truncate(cut);
        after_reaches_next_quote = false;
    }
    Context {
        before,
        after,
        after_reaches_next_quote,
        before_reaches_prev_quote,
    }
}

/// Finds the speaker of a quote from its context. `may_precede_speaker`:
/// the quote ends a clause (`"...,"`) or starts its sentence, so a speaker
/// right after it is its speaker.
/// `ends_sentence`: the quoted words end with a full stop, so what follows
/// is more likely a new sentence than the quote's attribution.
pub(super) fn attribute(
    ctx: &Context<'_>,
    may_precede_speaker: bool,
    ends_sentence: bool,
) -> Option<Attribution> {
    let after_is_next_quotes = ends_sentence && ctx.after_reaches_next_quote;
    let after = if may_precede_speaker && !after_is_next_quotes {
        after_quote(&ctx.after, ends_sentence)
    } else {
        None
    };
    // `"...," Sanders said, according to CNN`: the quote is CNN's report.
    let reported_by = after.and_then(|_| according_to_later(&ctx.after));
    let at_sentence_start = !ctx.before_reaches_prev_quote;
    reported_by
        .or(after)
        .or_else(|| before_quote(&ctx.before, at_sentence_start))
        .or_else(|| inverted_later(&ctx.after))
}

/// ", according to CNN" after an attribution.
fn according_to_later(tokens: &[Token<'_>]) -> Option<Attribution> {
    (1..tokens.len()).find_map(|k| {
        let is_according =
            tokens[k - 1].is_punct(',') && tokens[k].text.eq_ignore_ascii_case("according");
        let len = phrase_cue_len(tokens, k).filter(|_| is_according)?;
        phrase_starting_at(tokens, k + len).map(|p| attribution(tokens, p, Some((k, k + len))))
    })
}

fn span_of(tokens: &[Token<'_>], (start, end): Phrase) -> ByteSpan {
    ByteSpan {
        start: tokens[start].span.start,
        end: tokens[end - 1].span.end,
    }
}

fn attribution(tokens: &[Token<'_>], phrase: Phrase, cue: Option<Phrase>) -> Attribution {
    Attribution {
        speaker: span_of(tokens, phrase),
        cue: cue.map(|c| span_of(tokens, c)),
        is_pronoun: phrase.1 - phrase.0 == 1 && is_pronoun(&tokens[phrase.0]),
    }
}

fn is_cue_at(tokens: &[Token<'_>], k: usize) -> bool {
    is_cue(&tokens[k])
}

/// `"...," Lavrov said` / `"...," said Lavrov` / `"...," according to X` /
/// `"...," CIA spokesman Ryan Trapani said`.
fn after_quote(tokens: &[Token<'_>], quote_ends_sentence: bool) -> Option<Attribution> {
    let lead = tokens
        .iter()
        .take_while(|t| !t.is_word && t.text != ")")
        .count();
    let first = tokens.get(lead)?;
    if let Some(signed) = signature(tokens, lead) {
        return Some(signed);
    }
    if let Some(len) =
        phrase_cue_len(tokens, lead).filter(|_| first.text.eq_ignore_ascii_case("according"))
    {
        let phrase = phrase_starting_at(tokens, lead + len)?;
        return Some(attribution(tokens, phrase, Some((lead, lead + len))));
    }
    // "said Lavrov"; but in "blaming Bloomberg" the name is the object, and
    // in "told CNN" the listener. `"Why?" asked the boy`: the asker.
    let asked = first.is_one_of(&["asked", "asks"]);
    if is_cue_after_subject(first) && !is_participle(first) && (asked || !takes_listener(first)) {
        let phrase = phrase_starting_at(tokens, lead + 1)?;
        let object = is_object_pronoun(&tokens[phrase.0]);
        return (!object).then(|| attribution(tokens, phrase, Some((lead, lead + 1))));
    }
    let cue = (lead + 1..tokens.len().min(lead + 30)).find(|&k| {
        let after_name = tokens[k - 1].is_capitalised() || is_pronoun(&tokens[k - 1]);
        is_cue_at(tokens, k) || (after_name && is_cue_after_subject(&tokens[k]))
    })?;
    let phrase = subject_before(tokens, cue, lead)?;
    // The speaker must follow the quote directly ("former candidate Herman
    // Cain" counts as direct), not be the subject of some later clause.
    let premodifiers = tokens.get(lead..phrase.0)?;
    // "another friend, Mariam Emara told CNN": a description may lead;
    // "Ms. Merkel's spokesman, Steffen Seibert, wrote": the window ends at
    // the sentence's end, so a full stop in it is an abbreviation's.
    let direct = premodifiers.len() <= 8
        && premodifiers
            .iter()
            .all(|t| is_premodifier(t) || t.is_punct(',') || t.is_punct('.'));
    // `"...done." She said she admires him`: a new sentence reporting more.
    // After `told`, the listener comes first: `"...?" Trump told Britain's
    // ITV in an interview` reports nothing new, `She told reporters she
    // ...` does.
    let new_report = quote_ends_sentence
        && if takes_listener(&tokens[cue]) {
            let after_listener = tokens.iter().skip(cue + 2).take(5);
            after_listener
                .take_while(|t| t.is_word)
                .any(|t| is_pronoun(t) || t.is_one_of(&["that"]))
        } else {
            tokens.get(cue + 1).is_some_and(starts_clause)
        };
    // `"excesses" are sickening, Hollande said Tuesday`: a closing comment.
    let closing_comment = !quote_ends_sentence
        && phrase.0 > 0
        && tokens[phrase.0 - 1].is_punct(',')
        && tokens
            .get(cue + 1)
            .is_none_or(|t| !t.is_word || is_time_word(t));
    ((direct && !new_report) || closing_comment)
        .then(|| attribution(tokens, phrase, Some((cue, cue + 1))))
}

/// `"..." ― Martha Aguilar`: a dash and a name closing the paragraph.
fn signature(tokens: &[Token<'_>], lead: usize) -> Option<Attribution> {
    let dash = tokens
        .get(..lead)?
        .iter()
        .position(|t| ["―", "—", "–", "-"].contains(&t.text))?;
    let phrase = phrase_starting_at(tokens, lead)?;
    let rest = tokens.get(phrase.1..)?;
    let named = tokens[phrase.0].is_capitalised();
    (named && rest.iter().all(|t| !t.is_word))
        .then(|| attribution(tokens, phrase, Some((dash, dash + 1))))
}

/// "saying", "calling": a participle, whose subject is the sentence's.
pub(super) fn is_participle(token: &Token<'_>) -> bool {
    token.text.len() > 4 && token.text.ends_with("ing")
}

/// A word that may stand before a speaker's name: "former presidential
/// candidate", "CIA spokesman"; not "by the".
fn is_premodifier(token: &Token<'_>) -> bool {
    token.is_word && !is_cue(token) && !is_function_word(token)
}

/// A word that starts a reported clause after a cue: "that", a pronoun, a
/// name, a determiner.
fn starts_clause(token: &Token<'_>) -> bool {
    const OPENERS: &[&str] = &[
        "that", "a", "an", "the", "his", "her", "their", "it", "this", "there",
    ];
    token.is_word && (is_pronoun(token) || token.is_capitalised() || token.is_one_of(OPENERS))
}

/// `"..." if she loses, said David Wasserman`: an inverted cue later in the
/// sentence, after a comma.
fn inverted_later(tokens: &[Token<'_>]) -> Option<Attribution> {
    (1..tokens.len()).find_map(|k| {
        if !(tokens[k - 1].is_punct(',') && is_cue_at(tokens, k))
            || is_participle(&tokens[k])
            || takes_listener(&tokens[k])
        {
            return None;
        }
        // The speaker closes the clause: "..., said the days when" is not.
        let phrase = phrase_starting_at(tokens, k + 1)?;
        let closes = tokens.get(phrase.1).is_none_or(|t| !t.is_word);
        closes.then(|| attribution(tokens, phrase, Some((k, k + 1))))
    })
}

/// `Lavrov said: "..."`, `Lavrov called him a "charlatan"`,
/// `According to Lavrov, "..."`, `Lavrov: "..."`.
fn before_quote(tokens: &[Token<'_>], at_sentence_start: bool) -> Option<Attribution> {
    let cues: Vec<usize> = (0..tokens.len())
        .filter(|&k| is_cue_at(tokens, k) || verb_before_colon(tokens, k))
        .collect();
    // Cues with a subject of their own, in order. The reporting verb is the
    // first of them, unless a later one starts a new clause: in "Trump said
    // Fox executives were calling "every 15 minutes"" the second cue is
    // inside what Trump said.
    let mut chosen: Option<(usize, Phrase)> = None;
    for &k in &cues {
        let Some(phrase) = own_subject(tokens, k, at_sentence_start) else {
            continue;
        };
        let embedded = chosen.is_some_and(|(c, _)| {
            let between = tokens.get(c + 1..phrase.0).unwrap_or(&[]);
            phrase.0 > c && !between.iter().any(is_clause_boundary)
        });
        if !embedded {
            chosen = Some((k, phrase));
        }
    }
    if let Some((k, phrase)) = chosen {
        // "Lavrov accused ... and said ...": the cue is the coordinated one.
        let coordinated = cues
            .iter()
            .rev()
            .find(|&&c| c > k && tokens[c - 1].is_one_of(&["and", "but"]));
        let k = coordinated.copied().unwrap_or(k);
        let len = phrase_cue_len(tokens, k)
            .filter(|_| tokens[k].text.eq_ignore_ascii_case("according"))
            .unwrap_or(1);
        return Some(attribution(tokens, phrase, Some((k, k + len))));
    }
    // "... and said", "Asked about it, he said": the sentence's subject.
    if let Some(&k) = cues.first().filter(|_| at_sentence_start) {
        if let Some(phrase) = subject_over_verbs(tokens, k).or_else(|| sentence_subject(tokens, k))
        {
            return Some(attribution(tokens, phrase, Some((k, k + 1))));
        }
    }
    // "According to Lavrov" needs no cue verb.
    (0..tokens.len())
        .find_map(|k| {
            let len = phrase_cue_len(tokens, k)
                .filter(|_| tokens[k].text.eq_ignore_ascii_case("according"))?;
            phrase_starting_at(tokens, k + len).map(|p| attribution(tokens, p, Some((k, k + len))))
        })
        .or_else(|| colon_speaker(tokens))
}

/// The speaker a cue names itself: "Lavrov said", "said Lavrov,",
/// "according to Lavrov", "with Cruz promising".
pub(super) fn own_subject(
    tokens: &[Token<'_>],
    k: usize,
    at_sentence_start: bool,
) -> Option<Phrase> {
    if let Some(len) =
        phrase_cue_len(tokens, k).filter(|_| tokens[k].text.eq_ignore_ascii_case("according"))
    {
        return phrase_starting_at(tokens, k + len);
    }
    if let Some(phrase) = inverted_before(tokens, k) {
        return Some(phrase);
    }
    if is_participle(&tokens[k]) {
        return participle_subject(tokens, k)
            .or_else(|| at_sentence_start.then(|| sentence_subject(tokens, k))?);
    }
    subject_before(tokens, k, 0).filter(|p| !in_finished_subordinate_clause(tokens, *p, k))
}

/// "with Cruz recently promising", "with many marchers chanting": the
/// participle's own subject, when it has one right before it.
fn participle_subject(tokens: &[Token<'_>], cue: usize) -> Option<Phrase> {
    let phrase = subject_before(tokens, cue, 0)?;
    let after_with = phrase.0 > 0 && tokens[phrase.0 - 1].text.eq_ignore_ascii_case("with");
    let named = tokens[phrase.1 - 1].is_capitalised() || is_pronoun(&tokens[phrase.1 - 1]);
    let adjacent = phrase.1 + 2 >= cue
        && tokens
            .get(phrase.1..cue)
            .is_some_and(|gap| gap.iter().all(|t| t.is_word));
    (after_with || (named && adjacent)).then_some(phrase)
}

/// Punctuation or a conjunction that ends one clause before another.
fn is_clause_boundary(token: &Token<'_>) -> bool {
    [',', ';', '—', '–', '('].iter().any(|&c| token.is_punct(c))
        || token.is_one_of(&["and", "but", "while", "which", "who", "whom", "as"])
}

/// "As he spoke, Mr. Trump continued:": the subject of a subordinate
/// clause that a comma closes before the quote.
fn in_finished_subordinate_clause(tokens: &[Token<'_>], phrase: Phrase, cue: usize) -> bool {
    // "As Mr. Bown observed, ..." is an attribution, not a subordinate clause.
    let as_frame = tokens[phrase.0.saturating_sub(1)]
        .text
        .eq_ignore_ascii_case("as");
    phrase.0 > 0
        && !as_frame
        && is_subordinator(&tokens[phrase.0 - 1])
        && tokens[cue..].iter().any(|t| t.is_punct(','))
}

/// Verbs whose object is the listener, not the speaker ("told Congress").
pub(super) fn takes_listener(token: &Token<'_>) -> bool {
    token.is_one_of(&[
        "told", "tells", "telling", "tell", "asked", "asks", "asking", "ask",
    ])
}

/// `But, said Solovey, "..."`: the cue, then the speaker, then the quote.
fn inverted_before(tokens: &[Token<'_>], cue: usize) -> Option<Phrase> {
    let after_comma = cue == 0 || !tokens[cue - 1].is_word;
    // "as Tom Ridge put it:" -- "it" is no speaker.
    let put_it = tokens[cue].is_one_of(&["put", "puts"]);
    if !after_comma || put_it || is_participle(&tokens[cue]) || takes_listener(&tokens[cue]) {
        return None;
    }
    let phrase = phrase_starting_at(tokens, cue + 1)?;
    let rest = &tokens[phrase.1..];
    (rest.len() == 1 && (rest[0].is_punct(',') || rest[0].is_punct(':'))).then_some(phrase)
}

/// "retorted:" -- an unlisted past-tense verb introducing a quote.
fn verb_before_colon(tokens: &[Token<'_>], k: usize) -> bool {
    k + 2 == tokens.len()
        && tokens[k + 1].is_punct(':')
        && !tokens[k].is_capitalised()
        && tokens[k].text.ends_with("ed")
}

/// "Mr. Trump was prompted to say": back over a few verbs to the subject.
fn subject_over_verbs(tokens: &[Token<'_>], cue: usize) -> Option<Phrase> {
    let mut end = cue;
    let verb_like =
        |t: &Token<'_>| t.is_word && !t.is_capitalised() && !["and", "but", "or"].contains(&t.text);
    while end > 0 && cue - end < 4 && verb_like(&tokens[end - 1]) {
        end -= 1;
        let prev = end.checked_sub(1).map(|p| &tokens[p]);
        if prev.is_some_and(|p| is_pronoun(p) || p.is_capitalised()) {
            return phrase_ending_at(tokens, end, 0)
                .filter(|p| is_pronoun(&tokens[p.0]) || tokens[p.0].is_capitalised());
        }
    }
    None
}

/// `Rep. Trey Gowdy (R-S.C.): "..."` -- a short label ending in a colon:
/// a name, maybe after a title, and no verb.
pub(super) fn colon_speaker(tokens: &[Token<'_>]) -> Option<Attribution> {
    let (last, body) = tokens.split_last()?;
    if !last.is_punct(':') || body.is_empty() || body.len() > 10 {
        return None;
    }
    let mut end = body.len();
    if body[end - 1].is_punct(')') {
        end = body.iter().position(|t| t.is_punct('('))?;
    }
    let phrase = phrase_ending_at(body, end, 0)?;
    let is_name = body[phrase.1 - 1].is_capitalised();
    let verbless = body.iter().all(|t| {
        !(t.is_word && !t.is_capitalised() && (t.text.ends_with("ed") || t.text.ends_with('s')))
    });
    (is_name && verbless).then(|| attribution(body, phrase, None))
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
        assert_eq!(
            speakers("“We welcome it,” the minister told reporters."),
            [Some("the minister")]
        );
    }

    #[test]
    fn inverted_speaker_after_the_quote() {
        assert_eq!(
            speakers("“We welcome it,” said Sergey Lavrov, the foreign minister."),
            [Some("Sergey Lavrov")]
        );
        assert_eq!(
            speakers("“No,” said a spokesman for the ministry."),
            [Some("a spokesman for the ministry")]
        );
    }

    #[test]
    fn speaker_before_the_quote() {
        assert_eq!(speakers("Lavrov said: “We welcome it.”"), [Some("Lavrov")]);
        assert_eq!(
            speakers("Lavrov called him a “charlatan”."),
            [Some("Lavrov")]
        );
        assert_eq!(
            speakers("Mr. Luntz said the camp had failed to “connect.”"),
            [Some("Mr. Luntz")]
        );
    }

    #[test]
    fn cue_phrases() {
        assert_eq!(
            speakers("According to the ministry, “all is well.”"),
            [Some("the ministry")]
        );
        assert_eq!(
            speakers("“All is well,” according to Lavrov."),
            [Some("Lavrov")]
        );
        assert_eq!(
            speakers("The ministry said in a statement that “all is well.”"),
            [Some("The ministry")]
        );
    }

    #[test]
    fn colon_label() {
        assert_eq!(
            speakers("Rep. Trey Gowdy (R-S.C.): “Who told you that?”"),
            [Some("Rep. Trey Gowdy")]
        );
    }

    #[test]
    fn pronoun_speakers() {
        assert_eq!(
            speakers("He also highlighted the “systemic” problem."),
            [Some("He")]
        );
    }

    #[test]
    fn no_speaker_for_a_scare_quote() {
        let text =
            "Reports about “compromising” information on Trump, Lavrov called the source a fraud.";
        let quotes = find_quote_spans(text);
        assert_eq!(attribute(&context(text, &quotes, 0), false, false), None);
    }
}
