//! The cue lexicon: words that introduce reported speech ("said", "told",
//! "according to", "in a statement"). Built from the cues most often marked
//! in the PolNeAR training split.

use super::tokens::Token;

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

/// True when `word` (lower case) is a form of a cue verb.
pub(super) fn is_cue_verb(word: &str) -> bool {
    !NOUN_FORMS.contains(&word) && is_cue_verb_after_subject(word)
}

/// Like [`is_cue_verb`], for a word right after a speaker (`Viguerie
/// notes`), where the forms that are usually nouns are verbs.
pub(super) fn is_cue_verb_after_subject(word: &str) -> bool {
    IRREGULAR.contains(&word) || CUE_VERBS.iter().any(|lemma| verb_forms(lemma, word))
}

/// Lemmas that are cues in their bare form too ("they say"); the others
/// are also nouns ("the report", "a note") and count only when inflected.
const BARE_CUES: &[&str] = &[
    "say", "tell", "add", "write", "argue", "insist", "explain", "warn", "ask", "predict", "admit",
];

/// Whether `word` is `lemma`+s, +ed, +ing (a final e dropped), or the bare
/// lemma when that is unambiguous.
fn verb_forms(lemma: &str, word: &str) -> bool {
    let stem = lemma.strip_suffix('e').unwrap_or(lemma);
    let Some(rest) = word.strip_prefix(stem) else {
        return false;
    };
    let e = if stem.len() < lemma.len() { "e" } else { "" };
    match rest {
        "ing" => true,
        r if r == e => BARE_CUES.contains(&lemma),
        r => {
            r == format!("{e}s")
                || r == "ed"
                || (e.is_empty() && r == "es" && lemma.ends_with(['s', 'h', 'x']))
        }
    }
}

/// A multi-word cue starting at `tokens[i]`, as a count of tokens:
/// "according to", "in a statement", "in an interview", "quoted as saying".
pub(super) fn phrase_cue_len(tokens: &[Token<'_>], i: usize) -> Option<usize> {
    let word = |k: usize| tokens.get(i + k).filter(|t| t.is_word).map(|t| t.lower());
    match word(0)?.as_str() {
        "according" if word(1)? == "to" => Some(2),
        "in" => {
            let det = word(1)?;
            let noun = word(2)?;
            let is_statement = matches!(
                noun.as_str(),
                "statement" | "interview" | "tweet" | "email" | "post"
            );
            (matches!(det.as_str(), "a" | "an" | "the" | "his" | "her" | "their") && is_statement)
                .then_some(3)
        }
        _ => None,
    }
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
