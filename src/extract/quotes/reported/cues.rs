//! Which words report speech in a sentence: the quote stage's cue lexicon,
//! less the forms that rarely introduce a clause, plus verbs of belief and
//! evidence, topic cues (`talked about`), and the checks that a cue is one
//! here (not passive, not an adjective, not inside a quotation).

use super::super::attribution::is_participle;
use super::super::cues::{is_cue, is_cue_after_subject};
use super::super::speaker::{is_pronoun, Phrase};
use super::super::tokens::Token;
use super::lexicon::is_learned_cue;

/// Lexicon forms that rarely introduce what someone said ("put it",
/// "went on", "continued to", "rated").
pub(super) const NOT_REPORTING: &[&str] = &[
    "put",
    "puts",
    "went",
    "goes",
    "shot",
    "read",
    "reads",
    "rated",
    "rates",
    "ruled",
    "rules",
    "posted",
    "quoted",
    "continue",
    "continued",
    "continues",
    "continuing",
    "thought",
    "welcomed",
    "welcoming",
    "thanked",
    "thanking",
    "thanks",
    "signaled",
    "signalled",
    "labeled",
    "labelled",
    "retweeted",
    "liken",
    "likened",
    "mocked",
    "ruling",
    "rule",
    "pledged",
    "states",
    "emails",
    "maintained",
    "charged",
    "declared",
    "wrote",
    "tell",
    "fears",
];

/// Verbs outside the quote lexicon that PolNeAR marks as cues of
/// reported speech or belief ("Clinton believes ...", "a poll found ...").
/// Not quote cues: next to a quotation they are rarely its attribution.
pub(super) const REPORTING_ONLY: &[&str] = &[
    "believe",
    "believes",
    "believed",
    "think",
    "thinks",
    "show",
    "shows",
    "showed",
    "found",
    "finds",
    "hope",
    "hopes",
    "hoped",
    "fear",
    "feared",
    "indicated",
    "indicates",
    "defended",
    "defends",
    "proposed",
    "proposes",
    "endorsed",
    "endorses",
    "supported",
    "supports",
    "opposed",
    "opposes",
];

/// Words that start a prepositional phrase: after a cue they say where or
/// how it was said (`wrote in an analysis`, `said on Fox`), not what.
pub(super) const PREPOSITIONS: &[&str] = &[
    "in", "on", "at", "from", "by", "during", "after", "before", "via", "through", "while", "with",
    "to", "for", "outside", "inside", "as",
];

/// Whether `s[k]` is a cue that can report a clause.
pub(super) fn is_reporting_cue(s: &[Token<'_>], k: usize) -> bool {
    let t = &s[k];
    // The cheap tests first: this runs for every word of every sentence.
    if !t.is_word {
        return false;
    }
    if topic_cue(s, k) {
        return !inside_quote(s, k);
    }
    let prev = k.checked_sub(1).map(|p| &s[p]);
    // "Chris Christie Says He Would ...": a headline, in title case.
    let headline = || {
        t.is_one_of(&["says", "said", "tells", "warns", "claims", "urges"])
            && prev.is_some_and(Token::is_capitalised)
            && s.get(k + 1).is_some_and(Token::is_capitalised)
    };
    if t.is_capitalised() && !headline() {
        return false;
    }
    // "was criticized by": a passive names no speaker before it; "20
    // pledged delegates", "the said": an adjective.
    let passive = prev.is_some_and(|p| {
        p.is_one_of(&[
            "was", "were", "been", "be", "being", "is", "are", "the", "a", "an",
        ]) || p.text.bytes().all(|b| b.is_ascii_digit())
    });
    // "called him a liar" names; only "called for" / "called on" report.
    let names =
        || t.is_one_of(&["called", "calling", "calls", "call"]) && cue_phrase(s, k).1 == k + 1;
    if passive || names() {
        return false;
    }
    // "Trump's remarks": a possessive is no subject.
    let after_name = prev.is_some_and(|p| {
        (p.is_capitalised() && !p.text.ends_with("'s") && !p.text.ends_with("’s")) || is_pronoun(p)
    });
    // Learned cues include the belief and evidence verbs (`REPORTING_ONLY`).
    let cue = is_cue(t) || (after_name && is_cue_after_subject(t)) || is_learned_cue(t);
    cue && !t.with_lower(|w| NOT_REPORTING.contains(&w)).unwrap_or(true) && !inside_quote(s, k)
}

/// `s[k]` is inside a quotation (more marks opened than closed before it).
pub(super) fn inside_quote(s: &[Token<'_>], k: usize) -> bool {
    let (mut open, mut straight) = (0i32, 0u32);
    for t in s[..k].iter().filter(|t| !t.is_word) {
        match t.text {
            "“" | "«" | "„" => open += 1,
            "”" | "»" => open -= 1,
            "\"" => straight += 1,
            _ => {}
        }
    }
    open > 0 || straight % 2 == 1
}

/// "..., saying that ...": a participle reports a clause only when one
/// follows ("adding to her lead" does not).
pub(super) fn participle_reports(s: &[Token<'_>], k: usize) -> bool {
    !is_participle(&s[k])
        || s.get(k + 1).is_some_and(|t| {
            t.is_one_of(&["that"]) || is_pronoun(t) || t.is_capitalised() || t.is_punct(':')
        })
}

/// The cue's words: `called for`, `called on`, `talked about`, or the
/// verb alone.
pub(super) fn cue_phrase(s: &[Token<'_>], k: usize) -> Phrase {
    let verb_with = s[k].is_one_of(&["called", "calls", "calling", "call"])
        && s.get(k + 1).is_some_and(|t| t.is_one_of(&["for", "on"]));
    (
        k,
        if verb_with || topic_cue(s, k) {
            k + 2
        } else {
            k + 1
        },
    )
}

/// Verbs that report a topic through a particle, and the particle.
pub(super) const TOPIC_CUES: &[(&[&str], &str)] = &[
    (
        &[
            "talk",
            "talks",
            "talked",
            "talking",
            "spoke",
            "speak",
            "speaks",
            "speaking",
            "complained",
            "joked",
            "warned",
            "wrote",
            "tweeted",
            "worried",
        ],
        "about",
    ),
    (
        &[
            "referring",
            "referred",
            "refers",
            "pointed",
            "points",
            "pointing",
        ],
        "to",
    ),
];

/// `talked about the economy`, `pointed to the polls`: what is reported
/// is a topic, a noun phrase, so it ends at the next comma.
pub(super) fn topic_cue(s: &[Token<'_>], k: usize) -> bool {
    let Some(next) = s.get(k + 1) else {
        return false;
    };
    TOPIC_CUES
        .iter()
        .any(|(verbs, particle)| next.is_one_of(&[particle]) && s[k].is_one_of(verbs))
}
