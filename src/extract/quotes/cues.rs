//! The cue lexicon: words that introduce reported speech ("said", "told",
//! "according to", "in a statement"). Built from the cues most often marked
//! in the PolNeAR training split.

use std::collections::HashSet;
use std::sync::LazyLock;

use super::tokens::Token;
use crate::extract::entities::hash::PreHashed;

/// Verb lemmas whose forms (see [`verb_forms`]) are speech cues.
const CUE_VERBS: &[&str] = &[
    "say",
    "tell",
    "add",
    "write",
    "call",
    "tweet",
    "ask",
    "continue",
    "note",
    "describe",
    "report",
    "declare",
    "reply",
    "explain",
    "state",
    "respond",
    "conclude",
    "recall",
    "argue",
    "accuse",
    "pledge",
    "acknowledge",
    "suggest",
    "insist",
    "promise",
    "cite",
    "warn",
    "claim",
    "assure",
    "shout",
    "chant",
    "urge",
    "announce",
    "admit",
    "vow",
    "lament",
    "blame",
    "predict",
    "remark",
    "answer",
    "praise",
    "joke",
    "yell",
    "blast",
    "assert",
    "complain",
    "thank",
    "mock",
    "charge",
    "criticize",
    "question",
    "denounce",
    "emphasize",
    "boast",
    "concede",
    "post",
    "quote",
    "decry",
    "dub",
    "bark",
    "dismiss",
    "proclaim",
    "quip",
    "label",
    "condemn",
    "portray",
    "email",
    "pronounce",
    "chide",
    "interject",
    "retweet",
    "highlight",
    "stress",
    "observe",
    "counter",
    "caution",
    "testify",
    "confirm",
    "deny",
    "muse",
    "scoff",
    "snap",
    "whisper",
    "exclaim",
    "opine",
    "reiterate",
    "recount",
    "emphasise",
    "criticise",
    "characterize",
    "brand",
    "hail",
    "lambast",
    "slam",
    "welcome",
    "signal",
    "allege",
    "wonder",
    "demand",
    "threaten",
    "tout",
    "grouse",
    "retort",
    "gush",
    "fume",
    "plead",
    "sneer",
    "marvel",
    "rave",
    "groan",
    "grumble",
    "elaborate",
    "summarize",
    "summarise",
    "clarify",
    "swear",
    "recite",
    "speculate",
    "theorize",
    "surmise",
    "concur",
    "agree",
    "disagree",
    "contend",
    "maintain",
    "insinuate",
    "imply",
    "mention",
    "lecture",
    "preach",
    "scold",
    "taunt",
    "tease",
    "ridicule",
    "deride",
    "applaud",
    "commend",
    "laud",
    "profess",
    "confess",
    "reveal",
    "disclose",
    "divulge",
    "affirm",
    "mutter",
    "murmur",
    "liken",
    "rate",
    "rule",
];

/// Irregular or spelling-changing forms the regular rules miss.
const IRREGULAR: &[&str] = &[
    "said",
    "says",
    "saying",
    "told",
    "telling",
    "tells",
    "wrote",
    "written",
    "writing",
    "writes",
    "read",
    "reads",
    "put",
    "puts",
    "quipped",
    "quipping",
    "dubbed",
    "dubbing",
    "barked",
    "shot",
    "went",
    "goes",
    "chided",
    "chiding",
    "testified",
    "testifies",
    "denied",
    "denies",
    "replied",
    "replies",
    "snapped",
    "emailed",
    "labeled",
    "labelled",
    "retweeted",
    "tweeted",
    "argued",
    "arguing",
    "noted",
    "noting",
    "cited",
    "citing",
    "stated",
    "stating",
    "swore",
    "sworn",
    "thought",
    "told",
];

/// Forms that are far more often plural nouns than verbs ("media reports").
const NOUN_FORMS: &[&str] = &[
    "reports",
    "claims",
    "charges",
    "questions",
    "answers",
    "demands",
    "posts",
    "quotes",
    "states",
    "labels",
    "signals",
    "welcomes",
    "counters",
    "remarks",
    "promises",
    "threats",
    "tweets",
    "emails",
    "chants",
    "jokes",
    "praises",
    "brands",
    "pledges",
    "vows",
    "calls",
    "notes",
    "reading",
];

/// Every form of every cue, built once: the lookup runs for each word near
/// a quote, so it must be a hash probe, not a scan of the lexicon.
struct CueForms {
    /// Forms that are cues anywhere.
    strict: HashSet<String, PreHashed>,
    /// Plus the forms that are usually nouns ("notes", "claims").
    after_subject: HashSet<String, PreHashed>,
}

static CUE_FORMS: LazyLock<CueForms> = LazyLock::new(|| {
    // FxHash, not the default SipHash: the keys are our own word list.
    let mut after_subject: HashSet<String, PreHashed> =
        IRREGULAR.iter().map(|w| (*w).to_owned()).collect();
    for lemma in CUE_VERBS {
        after_subject.extend(forms_of(lemma));
    }
    let strict = after_subject
        .iter()
        .filter(|w| !NOUN_FORMS.contains(&w.as_str()))
        .cloned()
        .collect();
    CueForms {
        strict,
        after_subject,
    }
});

/// True when `word` (lower case) is a form of a cue verb.
pub(super) fn is_cue_verb(word: &str) -> bool {
    CUE_FORMS.strict.contains(word)
}

/// Like [`is_cue_verb`], for a word right after a speaker (`Viguerie
/// notes`), where the forms that are usually nouns are verbs.
pub(super) fn is_cue_verb_after_subject(word: &str) -> bool {
    CUE_FORMS.after_subject.contains(word)
}

/// [`is_cue_verb`] for a token, whatever its case.
pub(super) fn is_cue(token: &Token<'_>) -> bool {
    token.is_word && token.with_lower(is_cue_verb).unwrap_or(false)
}

/// [`is_cue_verb_after_subject`] for a token, whatever its case.
pub(super) fn is_cue_after_subject(token: &Token<'_>) -> bool {
    token.is_word && token.with_lower(is_cue_verb_after_subject).unwrap_or(false)
}

/// Lemmas that are cues in their bare form too ("they say"); the others
/// are also nouns ("the report", "a note") and count only when inflected.
const BARE_CUES: &[&str] = &[
    "say", "tell", "add", "write", "argue", "insist", "explain", "warn", "ask", "predict", "admit",
];

/// `lemma`+s, +ed, +ing (a final e dropped), +es after s/sh/x, and the
/// bare lemma when that is unambiguous.
fn forms_of(lemma: &str) -> Vec<String> {
    let stem = lemma.strip_suffix('e').unwrap_or(lemma);
    let mut forms = vec![
        format!("{stem}ing"),
        format!("{stem}ed"),
        format!("{lemma}s"),
    ];
    if lemma.ends_with(['s', 'h', 'x']) {
        forms.push(format!("{lemma}es"));
    }
    if BARE_CUES.contains(&lemma) {
        forms.push(lemma.to_owned());
    }
    forms
}

/// A multi-word cue starting at `tokens[i]`, as a count of tokens:
/// "according to", "in a statement", "in an interview", "quoted as saying".
pub(super) fn phrase_cue_len(tokens: &[Token<'_>], i: usize) -> Option<usize> {
    let is = |k: usize, words: &[&str]| tokens.get(i + k).is_some_and(|t| t.is_one_of(words));
    if is(0, &["according"]) && is(1, &["to"]) {
        return Some(2);
    }
    let statement = is(1, &["a", "an", "the", "his", "her", "their"])
        && is(2, &["statement", "interview", "tweet", "email", "post"]);
    (is(0, &["in"]) && statement).then_some(3)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verb_forms_are_cues() {
        for word in [
            "said", "says", "told", "added", "adding", "adds", "tweeted", "called", "noted",
            "replied",
        ] {
            assert!(is_cue_verb(word), "{word}");
        }
    }

    #[test]
    fn other_words_are_not_cues() {
        for word in [
            "the",
            "sad",
            "state-run",
            "caller",
            "president",
            "reportedly",
            "reports",
            "not",
        ] {
            assert!(!is_cue_verb(word), "{word}");
        }
    }
}
