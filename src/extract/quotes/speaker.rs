//! Speaker phrases: the name, pronoun or description next to a cue.
//!
//! This works on capitalisation and small word lists only, so it finds
//! speakers whether or not the entity recogniser found anything.

use super::tokens::Token;

/// Token index range `[start, end)` of a speaker phrase.
pub(super) type Phrase = (usize, usize);

const PRONOUNS: &[&str] = &["he", "she", "they", "we", "i", "you", "it"];

/// Words that open a description ("a spokesman for the ministry").
const DETERMINERS: &[&str] = &[
    "a", "an", "the", "one", "another", "some", "several", "many", "his", "her", "their", "its",
    "our", "two", "three", "four", "most", "other", "both", "this", "that", "these", "those",
    "each", "every", "few", "no",
];

/// Words that may sit between a speaker and the cue ("he also said").
const BETWEEN: &[&str] = &[
    "also",
    "later",
    "then",
    "has",
    "had",
    "have",
    "would",
    "will",
    "previously",
    "recently",
    "once",
    "again",
    "repeatedly",
    "reportedly",
    "publicly",
    "privately",
    "simply",
    "just",
    "even",
    "often",
    "still",
    "flatly",
    "quickly",
    "frequently",
    "famously",
    "further",
    "was",
    "is",
    "were",
    "are",
    "has",
    "did",
    "does",
    "do",
    "may",
    "might",
    "could",
    "should",
    "can",
    "once",
    "now",
    "first",
    "last",
    "already",
    "never",
    "always",
    "subsequently",
    "explicitly",
    "openly",
    "angrily",
    "bluntly",
    "directly",
    "ultimately",
    "initially",
    "finally",
    "eventually",
    "however",
    "yet",
    "meanwhile",
    "instead",
    "indeed",
    "too",
    // "Mr. Ryan has long said", "Christie wouldn’t discuss": an adverb
    // or a negated auxiliary is no speaker.
    "long",
    "not",
    "wouldn’t",
    "wouldn't",
    "didn’t",
    "didn't",
    "doesn’t",
    "doesn't",
    "don’t",
    "don't",
    "won’t",
    "won't",
    "hasn’t",
    "hasn't",
    "haven’t",
    "haven't",
    // "A CNN/ORC poll released on Tuesday showed": the poll speaks.
    "released",
    "published",
    "conducted",
];

/// Adverbial phrases that may sit between a speaker and the cue ("Trump
/// at the time said", "Beck, who has in the past described").
const BETWEEN_PHRASES: &[&[&str]] = &[
    &["at", "the", "time"],
    &["in", "the", "past"],
    &["at", "one", "point"],
    &["at", "times"],
    &["in", "turn"],
    &["in", "response"],
    &["for", "his", "part"],
    &["for", "her", "part"],
    &["for", "their", "part"],
    &["for", "its", "part"],
    &["in", "particular"],
];

/// Prepositions that open an adverbial set off by commas between a speaker
/// and the cue ("who, after trading insults with X, said").
const ADVERBIAL_OPENERS: &[&str] = &[
    "on",
    "in",
    "at",
    "after",
    "before",
    "during",
    "amid",
    "despite",
    "while",
    "when",
    "speaking",
    "asked",
    "according",
    "like",
    "unlike",
    "as",
];

/// Capitalised words that start sentences but never names.
const NOT_NAMES: &[&str] = &[
    "The",
    "A",
    "An",
    "In",
    "On",
    "At",
    "But",
    "And",
    "As",
    "When",
    "After",
    "Before",
    "If",
    "Meanwhile",
    "However",
    "Still",
    "Yet",
    "So",
    "Then",
    "This",
    "That",
    "These",
    "Those",
    "It",
    "He",
    "She",
    "They",
    "We",
    "I",
    "His",
    "Her",
    "Their",
    "While",
    "Although",
    "Though",
    "Because",
    "Asked",
    "Speaking",
    "For",
    "With",
    "From",
    "By",
    "Instead",
    "Now",
    "Later",
    "Earlier",
    "Also",
    "Or",
    "Even",
    "Just",
    "Last",
    "Since",
    "Until",
    "Like",
    "Both",
    "One",
    "Two",
    "Three",
    "Four",
    "Five",
    "Six",
    "Seven",
    "Eight",
    "Nine",
    "Ten",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
    "What",
    "Why",
    "How",
    "Who",
    "Where",
    "There",
    "Here",
    "Some",
    "Many",
    "According",
    "Yes",
    "No",
    "Not",
    "Our",
    "My",
    "Your",
    "Its",
    "To",
    "Of",
    "Hours",
    "Minutes",
    "Days",
    "Weeks",
    "Months",
    "Years",
    "Moments",
    "Jan",
    "Feb",
    "Aug",
    "Sept",
    "Oct",
    "Nov",
    "Dec",
    "January",
    "February",
    "March",
    "April",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// Name particles allowed inside a capitalised name ("Charles de Gaulle").
const PARTICLES: &[&str] = &[
    "de", "da", "del", "van", "von", "der", "bin", "al", "la", "le", "di", "of",
];

/// Words that never end a speaker description.
const FUNCTION_WORDS: &[&str] = &[
    "and", "or", "but", "that", "which", "to", "of", "for", "in", "on", "at", "with", "by", "as",
    "not", "who", "what", "when", "where", "than", "so", "if", "because", "while", "about", "from",
    "into", "over", "after", "been", "be", "being", "there", "here", "how", "why", "him", "them",
    "me", "us", "whom", "whose",
];

/// Days and other time words skipped after an inverted cue ("said Tuesday").
const TIME_WORDS: &[&str] = &[
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "yesterday",
    "today",
    "tonight",
    "recently",
    "earlier",
    "later",
    "then",
    "afterward",
    "afterwards",
    "previously",
    "last",
    "this",
    "week",
    "night",
    "morning",
    "evening",
    "on",
    "also",
    "once",
    "again",
];

pub(super) fn is_pronoun(token: &Token<'_>) -> bool {
    token.is_one_of(PRONOUNS)
}

/// `him`, `her`, `them`, `us`, `me`: after a cue, its object or listener.
pub(super) fn is_object_pronoun(token: &Token<'_>) -> bool {
    token.is_one_of(&["him", "her", "them", "us", "me"])
}

pub(super) fn is_function_word(token: &Token<'_>) -> bool {
    token.is_one_of(FUNCTION_WORDS) || token.is_one_of(DETERMINERS)
}

pub(super) fn is_time_word(token: &Token<'_>) -> bool {
    token.is_one_of(TIME_WORDS)
}

/// A `.` that belongs to the previous word (an initial or "Mr.").
fn is_abbreviation_dot(tokens: &[Token<'_>], i: usize) -> bool {
    tokens[i].is_punct('.')
        && i > 0
        && tokens[i - 1].is_capitalised()
        && tokens[i - 1].text.len() <= 4
}

/// "I’m", "It's", "There’s": a first-person pronoun or an expletive with a
/// verb glued on, never a speaker here (they come from inside quotations
/// and clauses; "He’s said" can be one).
fn is_contraction(token: &Token<'_>) -> bool {
    const STEMS: &[&str] = &["i", "it", "there", "that", "what", "here", "let"];
    let Some(apostrophe) = token.text.find(['\'', '’']) else {
        return false;
    };
    let stem = &token.text[..apostrophe];
    token.is_word && STEMS.iter().any(|s| stem.eq_ignore_ascii_case(s))
}

/// Part of a capitalised name, looking at `tokens[i]`.
fn in_name(tokens: &[Token<'_>], i: usize) -> bool {
    let t = &tokens[i];
    let adverb = i == 0 && t.text.ends_with("ly");
    (t.is_capitalised() && !NOT_NAMES.contains(&t.text) && !adverb && !is_contraction(t))
        || is_abbreviation_dot(tokens, i)
        || (t.is_word && PARTICLES.contains(&t.text))
}

/// The speaker phrase that ends right before `tokens[cue]` and starts at or
/// after `lower`: "Lavrov", "he", "a spokesman for the ministry",
/// "Mike DuHaime, a Republican strategist," (the name is returned).
pub(super) fn subject_before(tokens: &[Token<'_>], cue: usize, lower: usize) -> Option<Phrase> {
    let mut end = skip_between_back(tokens, cue, lower);
    // "Sen. Bernie Sanders (I-Vt.) said": skip the parenthesis.
    if end > lower && tokens[end - 1].is_punct(')') {
        end = (lower..end).rev().find(|&j| tokens[j].is_punct('('))?;
    }
    if end > lower && (tokens[end - 1].is_punct(',') || is_dash(&tokens[end - 1])) {
        return appositive_subject(tokens, end - 1, lower);
    }
    // "Trump, who has called": the name and the relative pronoun, which
    // is where the attribution's source is.
    if end > lower && tokens[end - 1].is_one_of(&["who"]) {
        let stop = if end >= 2 && tokens[end - 2].is_punct(',') {
            end - 2
        } else {
            end - 1
        };
        return phrase_ending_at(tokens, stop, lower)
            .map(|(start, _)| (start, end))
            .or(Some((end - 1, end)));
    }
    phrase_ending_at(tokens, end, lower)
}

/// Where the speaker phrase before `end` ends, once the adverbs,
/// auxiliaries and adverbial phrases right before `end` are skipped.
fn skip_between_back(tokens: &[Token<'_>], mut end: usize, lower: usize) -> usize {
    loop {
        if end > lower && is_between_word(&tokens[end - 1]) {
            end -= 1;
        } else if let Some(n) = between_phrase_before(tokens, end, lower) {
            end -= n;
        } else {
            return end;
        }
    }
}

/// The length of the `BETWEEN_PHRASES` entry ending right before `end`.
fn between_phrase_before(tokens: &[Token<'_>], end: usize, lower: usize) -> Option<usize> {
    let ends_here = |phrase: &&&[&str]| {
        let n = phrase.len();
        end >= lower + n
            && phrase
                .iter()
                .zip(&tokens[end - n..end])
                .all(|(word, token)| token.is_one_of(&[word]))
    };
    BETWEEN_PHRASES
        .iter()
        .find(ends_here)
        .map(|phrase| phrase.len())
}

/// Adverbs and auxiliaries between a speaker and the cue ("he also said",
/// "she memorably promised").
fn is_between_word(token: &Token<'_>) -> bool {
    token.is_one_of(BETWEEN)
        || token.is_one_of(TIME_WORDS)
        || (token.is_word
            && token.text.len() > 4
            && token.text.ends_with("ly")
            && !token.is_capitalised())
}

fn is_dash(token: &Token<'_>) -> bool {
    token.is_punct('—') || token.is_punct('–')
}

/// "Name, description," before a cue: the name, or else the description.
fn appositive_subject(tokens: &[Token<'_>], comma: usize, lower: usize) -> Option<Phrase> {
    let limit = comma.saturating_sub(20).max(lower);
    let closer = &tokens[comma];
    let opening = (limit..comma)
        .rev()
        .find(|&j| tokens[j].text == closer.text || (is_dash(closer) && is_dash(&tokens[j])))?;
    // "her campaign's leadership, who, on a press call Friday, criticized":
    // an adverbial between commas, the speaker is before it.
    if tokens
        .get(opening + 1)
        .is_some_and(|t| t.is_one_of(ADVERBIAL_OPENERS))
    {
        return subject_before(tokens, opening, lower);
    }
    phrase_ending_at(tokens, opening, lower)
        .or_else(|| phrase_ending_at(tokens, comma, opening + 1))
}

/// The name, pronoun or description whose last token is `tokens[end - 1]`.
pub(super) fn phrase_ending_at(tokens: &[Token<'_>], end: usize, lower: usize) -> Option<Phrase> {
    if end <= lower {
        return None;
    }
    let last = end - 1;
    if is_pronoun(&tokens[last]) {
        return Some((last, end));
    }
    if in_name(tokens, last) && !tokens[last].is_punct('.') {
        let mut start = last;
        while start > lower && in_name(tokens, start - 1) {
            start -= 1;
        }
        while start < last && !tokens[start].is_capitalised() {
            start += 1; // a name does not start with a particle
        }
        return tokens[start].is_capitalised().then_some((start, end));
    }
    // "Some say ...", "But many believe ...": a quantifier alone opening
    // its clause is the speaker; after another word it is a determiner
    // ("the many critics of the plan say").
    let opens_clause = last == lower
        || !tokens[last - 1].is_word
        || tokens[last - 1].is_one_of(&["but", "and", "yet", "while", "whereas", "though"]);
    if opens_clause && tokens[last].is_one_of(&["some", "many", "most", "both", "several", "few"]) {
        return Some((last, end));
    }
    description_ending_at(tokens, end, lower)
}

/// "a spokesman for the ministry", "Trump's campaign manager": lower-case
/// words back to a determiner (inclusive), at most eight words.
fn description_ending_at(tokens: &[Token<'_>], end: usize, lower: usize) -> Option<Phrase> {
    let last = end - 1;
    let tail = &tokens[last];
    if !tail.is_word
        || is_contraction(tail)
        || [DETERMINERS, BETWEEN, FUNCTION_WORDS]
            .iter()
            .any(|list| tail.is_one_of(list))
    {
        return None;
    }
    let mut start = last;
    while start > lower && last - start < 8 {
        let prev = &tokens[start - 1];
        if !prev.is_word {
            break;
        }
        start -= 1;
        // "a spokesman for the ministry": go on past "for the" to "a".
        let chained = start > lower
            && tokens[start - 1].is_one_of(&["for", "of", "at", "with", "from", "to"]);
        if prev.is_one_of(DETERMINERS) && !chained {
            return Some((start, end));
        }
    }
    // No determiner: a bare plural or title ("officials", "Democrats").
    (last - start < 8 && tokens[start].is_word).then_some((last, end))
}

/// The speaker phrase starting at `tokens[start]` (after an inverted cue:
/// "said Lavrov", "said a spokesman for the ministry", "said former Obama
/// adviser David Axelrod" -- the name when there is one).
pub(super) fn phrase_starting_at(tokens: &[Token<'_>], mut start: usize) -> Option<Phrase> {
    while start < tokens.len() && tokens[start].is_one_of(TIME_WORDS) {
        // "said on Tuesday Lavrov"; but "wrote on Twitter" says where.
        if tokens[start].is_one_of(&["on"]) && !tokens.get(start + 1).is_some_and(is_time_word) {
            return None;
        }
        start += 1;
    }
    let first = tokens.get(start)?;
    // "as he put it": "it" after a cue is its object, never a speaker;
    // "said of Sanders:" names whom the words are about.
    if first.is_one_of(&["it", "of", "for", "at"]) {
        return None;
    }
    if is_pronoun(first) || is_object_pronoun(first) {
        return Some((start, start + 1));
    }
    let end = noun_phrase_end(tokens, start);
    if end == start {
        return None;
    }
    if first.is_one_of(DETERMINERS) {
        return Some((start, end));
    }
    last_name_in(tokens, start, end).or(Some((start, end)))
}

/// End of the run of words from `start` that can make up a noun phrase:
/// words and abbreviation dots, "for"/"of"/"at" when more words follow.
fn noun_phrase_end(tokens: &[Token<'_>], start: usize) -> usize {
    let mut end = start;
    while end < tokens.len() && end - start < 10 {
        let t = &tokens[end];
        let joins =
            t.is_one_of(&["for", "of", "at"]) && tokens.get(end + 1).is_some_and(|n| n.is_word);
        let word = t.is_word
            && !t.is_one_of(FUNCTION_WORDS)
            && !t.is_one_of(BETWEEN)
            && !super::cues::is_cue(t);
        if !(word || joins || is_abbreviation_dot(tokens, end)) {
            break;
        }
        end += 1;
    }
    end
}

/// The last capitalised name inside `tokens[start..end]`.
fn last_name_in(tokens: &[Token<'_>], start: usize, end: usize) -> Option<Phrase> {
    let last = (start..end)
        .rev()
        .find(|&i| tokens[i].is_capitalised() && !NOT_NAMES.contains(&tokens[i].text))?;
    let mut first = last;
    while first > start && in_name(tokens, first - 1) {
        first -= 1;
    }
    while first < last && !tokens[first].is_capitalised() {
        first += 1;
    }
    Some((first, last + 1))
}

/// "Asked", "Speaking", "Growing": a participle opening a clause.
fn is_participle_word(token: &Token<'_>) -> bool {
    token.is_word
        && token.text.len() > 4
        && (token.text.ends_with("ing") || token.text.ends_with("ed"))
}

/// Words that open a subordinate clause: its subject is not the speaker of
/// a quote after the clause ends.
pub(super) fn is_subordinator(token: &Token<'_>) -> bool {
    token.is_one_of(&[
        "as", "when", "while", "after", "before", "if", "because", "since", "although", "though",
        "once", "until", "what", "whether", "despite", "how",
    ])
}

/// The first pronoun or name of a sentence that is the subject of a verb:
/// for "..., adding" and "... and said", whose subject is the sentence's.
pub(super) fn sentence_subject(tokens: &[Token<'_>], limit: usize) -> Option<Phrase> {
    const BLOCKERS: &[&str] = &[
        "if",
        "when",
        "as",
        "because",
        "while",
        "after",
        "before",
        "although",
        "since",
        "in",
        "on",
        "at",
        "to",
        "of",
        "from",
        "by",
        "with",
        "for",
        "about",
        "against",
        "than",
        "the",
        "a",
        "an",
        "back",
        "outside",
        "inside",
        "amid",
        "alongside",
        "during",
        "despite",
        "under",
        "among",
        "following",
        "throughout",
        "unlike",
        "like",
        "until",
        "across",
        "through",
        "over",
        "without",
        "within",
        "behind",
        "beyond",
        "near",
        "upon",
        "toward",
        "towards",
        "into",
        "between",
    ];
    // "After the Paris attacks, Trump ...": skip an opening adverbial.
    let mut i = 0;
    if tokens
        .first()
        .is_some_and(|t| t.is_one_of(BLOCKERS) || is_participle_word(t))
    {
        i = (0..limit)
            .find(|&k| tokens[k].is_punct(','))
            .map_or(0, |k| k + 1);
    }
    while i < limit {
        let after_subordinator = i > 0 && tokens[i - 1].is_one_of(BLOCKERS);
        let participle = tokens[i].text.ends_with("ing");
        let candidate = if is_pronoun(&tokens[i]) && !tokens[i].is_one_of(&["it", "you"]) {
            Some((i, i + 1))
        } else if in_name(tokens, i) && tokens[i].is_capitalised() && !participle {
            let mut end = i + 1;
            while end < limit && in_name(tokens, end) {
                end += 1;
            }
            Some((i, end))
        } else {
            None
        };
        if let Some((s, e)) = candidate {
            // "Donald Trump on Thursday ratcheted up": past time phrases.
            let mut next = e;
            while tokens
                .get(next)
                .is_some_and(|t| t.is_one_of(TIME_WORDS) || t.is_one_of(&["in", "at"]))
            {
                next += 1;
            }
            let followed_by_word = tokens.get(next).is_some_and(|t| {
                t.is_word
                    && !t.is_capitalised()
                    && !t.is_one_of(FUNCTION_WORDS)
                    && !t.is_one_of(TIME_WORDS)
            });
            if followed_by_word && !after_subordinator && e <= limit {
                return Some((s, e));
            }
            i = e;
        } else {
            i += 1;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::quotes::tokens::tokenize;
    use crate::extract::ByteSpan;

    fn text_of(text: &str, tokens: &[Token<'_>], p: Option<Phrase>) -> Option<String> {
        p.map(|(s, e)| text[tokens[s].span.start..tokens[e - 1].span.end].to_owned())
    }

    fn whole(text: &str) -> Vec<Token<'_>> {
        let span = ByteSpan {
            start: 0,
            end: text.len(),
        };
        tokenize(text, span)
    }

    fn before(text: &str) -> Option<String> {
        let tokens = whole(text);
        let cue = tokens.iter().position(|t| t.text == "said").unwrap();
        text_of(text, &tokens, subject_before(&tokens, cue, 0))
    }

    fn after(text: &str) -> Option<String> {
        let tokens = whole(text);
        text_of(text, &tokens, phrase_starting_at(&tokens, 0))
    }

    #[test]
    fn subjects_before_a_cue() {
        assert_eq!(
            before("Sergey Lavrov said").as_deref(),
            Some("Sergey Lavrov")
        );
        assert_eq!(before("he also said").as_deref(), Some("he"));
        assert_eq!(before("Mr. Garin said").as_deref(), Some("Mr. Garin"));
        assert_eq!(
            before("a spokesman for the ministry said").as_deref(),
            Some("a spokesman for the ministry")
        );
        assert_eq!(
            before("Mike DuHaime, a Republican strategist, said").as_deref(),
            Some("Mike DuHaime")
        );
        assert_eq!(before("In a speech, Trump said").as_deref(), Some("Trump"));
        assert_eq!(before("and said"), None);
    }

    #[test]
    fn adverbials_between_a_speaker_and_the_cue_are_skipped() {
        assert_eq!(before("Trump at the time said").as_deref(), Some("Trump"));
        assert_eq!(before("Carter however said").as_deref(), Some("Carter"));
        assert_eq!(
            before("the leadership, who, on a press call Friday, said").as_deref(),
            Some("the leadership, who")
        );
    }

    #[test]
    fn contractions_of_i_and_it_are_not_speakers() {
        assert_eq!(before("I’m said"), None);
        assert_eq!(before("It's said"), None);
        assert_eq!(before("He’s said").as_deref(), Some("He’s"));
    }

    #[test]
    fn an_opening_place_phrase_is_not_the_sentence_subject() {
        let text = "Outside the arena, about 200 protesters said no.";
        let tokens = whole(text);
        assert_eq!(sentence_subject(&tokens, tokens.len()), None);
    }

    #[test]
    fn phrases_after_an_inverted_cue() {
        assert_eq!(after("Lavrov.").as_deref(), Some("Lavrov"));
        assert_eq!(
            after("Tuesday Geoff Garin, a pollster").as_deref(),
            Some("Geoff Garin")
        );
        assert_eq!(
            after("a spokesman for the ministry.").as_deref(),
            Some("a spokesman for the ministry")
        );
    }
}
