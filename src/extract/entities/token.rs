//! Tokenizer: splits text into word and punctuation tokens with exact byte
//! offsets.
//!
//! Invariants (tested below and by proptest):
//! - every token is a non-empty `[start, end)` on char boundaries, and
//!   `&text[start..end]` is the token; tokens never contain whitespace;
//! - tokens are in order and do not overlap.
//!
//! The rules follow CoNLL-2003 tokenisation, which the tagger was trained on:
//! whitespace first, then quotes, brackets and trailing punctuation peel off,
//! possessive `'s` / `’s` and `n't` become their own tokens, hyphenated words
//! ("Anglo-French", "1996-08-22") and abbreviations ("U.S.", "Mr.") stay whole.
use crate::extract::ByteSpan;

/// Characters that are always a token of their own when they open a word.
const OPENERS: &[char] = &['"', '“', '‘', '«', '‹', '(', '[', '{', '<', '`', '„'];
/// Characters split off the end of a word (a trailing '.' is handled apart).
const CLOSERS: &[char] = &[
    '"', '”', '’', '\'', '»', '›', ')', ']', '}', '>', ',', ';', ':', '!', '?', '…',
];
/// Characters that split a word wherever they occur.
const SPLITTERS: &[char] = &['"', '“', '”', '—', '…', '«', '»'];
/// Word endings that are tokens of their own ("Trump's" -> "Trump" "'s").
const CLITICS: &[&str] = &[
    "'s", "’s", "'S", "’S", "n't", "n’t", "'re", "'ve", "'ll", "'m", "'d",
];
/// Lowercased abbreviations that keep their final period.
const ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "prof", "gen", "col", "lt", "sgt", "capt", "cmdr", "adm", "gov",
    "sen", "rep", "rev", "st", "jr", "sr", "inc", "corp", "co", "ltd", "plc", "bros", "no", "vs",
    "etc", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
    "mt", "ft", "messrs", "pres", "gov", "supt", "det", "insp", "ave", "blvd", "dept", "univ",
    "assn",
];

/// Splits `text` into tokens. Never panics.
pub(crate) fn tokenize(text: &str) -> Vec<ByteSpan> {
    let mut tokens = Vec::with_capacity(text.len() / 5 + 1);
    let mut chunk_start = None;
    for (i, c) in text.char_indices() {
        match (c.is_whitespace(), chunk_start) {
            (true, Some(s)) => {
                split_chunk(text, s, i, &mut tokens);
                chunk_start = None;
            }
            (false, None) => chunk_start = Some(i),
            _ => {}
        }
    }
    if let Some(s) = chunk_start {
        split_chunk(text, s, text.len(), &mut tokens);
    }
    tokens
}

/// Splits one whitespace-free chunk `text[start..end]` at splitter characters,
/// then tokenizes each piece.
fn split_chunk(text: &str, start: usize, end: usize, out: &mut Vec<ByteSpan>) {
    let mut piece = start;
    for (i, c) in text[start..end].char_indices() {
        // '"' is the only ASCII splitter; most chars are ASCII letters.
        if c == '"' || (!c.is_ascii() && SPLITTERS.contains(&c)) {
            let at = start + i;
            split_piece(text, piece, at, out);
            push(out, at, at + c.len_utf8());
            piece = at + c.len_utf8();
        }
    }
    split_piece(text, piece, end, out);
}

/// Peels openers off the front and closers, clitics and sentence periods off
/// the back of `text[start..end]`; what remains is one word.
fn split_piece(text: &str, mut start: usize, mut end: usize, out: &mut Vec<ByteSpan>) {
    while let Some(c) = text[start..end].chars().next() {
        if !opens_word(&text[start..end], c) {
            break;
        }
        push(out, start, start + c.len_utf8());
        start += c.len_utf8();
    }
    let mut tail = Vec::new();
    while start < end {
        let word = &text[start..end];
        let clitic = if may_end_in_clitic(word) {
            CLITICS
                .iter()
                .find(|cl| word.len() > cl.len() && word.ends_with(**cl))
        } else {
            None
        };
        if let Some(clitic) = clitic {
            tail.push(ByteSpan {
                start: end - clitic.len(),
                end,
            });
            end -= clitic.len();
            continue;
        }
        let Some(c) = word.chars().next_back() else {
            break;
        };
        let split = match c {
            '.' => !keeps_period(&word[..word.len() - 1]),
            '\'' | '’' => word.len() > c.len_utf8() && !CLITICS.contains(&word),
            _ => CLOSERS.contains(&c) && word.len() > c.len_utf8(),
        };
        if !split {
            break;
        }
        tail.push(ByteSpan {
            start: end - c.len_utf8(),
            end,
        });
        end -= c.len_utf8();
    }
    push(out, start, end);
    out.extend(tail.into_iter().rev());
}

/// A cheap test that rules out most words before the [`CLITICS`] search:
/// every clitic has an apostrophe ('\'' or '’', whose last UTF-8 byte is
/// 0x99) among its last three chars, at most 5 bytes from the end.
fn may_end_in_clitic(word: &str) -> bool {
    let bytes = word.as_bytes();
    bytes[bytes.len().saturating_sub(5)..]
        .iter()
        .any(|&b| b == b'\'' || b == 0x99)
}

/// Whether `c`, the first char of `word`, is a token of its own.
fn opens_word(word: &str, c: char) -> bool {
    if word.len() == c.len_utf8() {
        return false;
    }
    match c {
        // "'Ghost'" opens a quote, "'s" and "'94" do not.
        '\'' | '’' => {
            !CLITICS.contains(&word)
                && word[c.len_utf8()..]
                    .chars()
                    .next()
                    .is_some_and(char::is_alphabetic)
        }
        _ => OPENERS.contains(&c),
    }
}

/// Whether the word before a final '.' is an abbreviation that keeps it.
fn keeps_period(before: &str) -> bool {
    let mut chars = before.chars();
    match (chars.next(), chars.next()) {
        (None, _) => true, // a lone "." is a token already
        (Some(c), None) => c.is_alphabetic(),
        _ => {
            // "U.S." and "p.m." keep it, "word..." does not.
            (before.contains('.') && before.ends_with(char::is_alphabetic))
                || (before.len() <= 6
                    && ABBREVIATIONS.iter().any(|a| a.eq_ignore_ascii_case(before)))
        }
    }
}

fn push(out: &mut Vec<ByteSpan>, start: usize, end: usize) {
    if start < end {
        out.push(ByteSpan { start, end });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<&str> {
        tokenize(text)
            .iter()
            .map(|t| &text[t.start..t.end])
            .collect()
    }

    fn assert_invariants(text: &str) {
        let tokens = tokenize(text);
        let mut last_end = 0;
        for t in &tokens {
            assert!(t.start < t.end && t.start >= last_end, "{t:?} in {text:?}");
            let word = text.get(t.start..t.end).expect("token on char boundaries");
            assert!(!word.chars().any(char::is_whitespace), "{word:?}");
            last_end = t.end;
        }
    }

    #[test]
    fn splits_punctuation_and_possessives() {
        assert_eq!(
            words("“We welcome Trump’s statement,” Lavrov said."),
            [
                "“",
                "We",
                "welcome",
                "Trump",
                "’s",
                "statement",
                ",",
                "”",
                "Lavrov",
                "said",
                "."
            ]
        );
        assert_eq!(
            words("It isn't (really) over!"),
            ["It", "is", "n't", "(", "really", ")", "over", "!"]
        );
    }

    #[test]
    fn keeps_abbreviations_hyphens_and_numbers() {
        assert_eq!(
            words("Mr. Smith of Acme Inc. met U.S. officials on 1996-08-22 in Anglo-French talks."),
            [
                "Mr.",
                "Smith",
                "of",
                "Acme",
                "Inc.",
                "met",
                "U.S.",
                "officials",
                "on",
                "1996-08-22",
                "in",
                "Anglo-French",
                "talks",
                "."
            ]
        );
        assert_eq!(
            words("won 3-1 , 1,000.50 'Ghost' '94"),
            ["won", "3-1", ",", "1,000.50", "'", "Ghost", "'", "'94"]
        );
    }

    #[test]
    fn handles_headlines_and_tables() {
        assert_eq!(
            words("SOCCER - JAPAN GET LUCKY WIN ."),
            ["SOCCER", "-", "JAPAN", "GET", "LUCKY", "WIN", "."]
        );
        assert_eq!(
            words("Barnsley 3 1 0 2 5"),
            ["Barnsley", "3", "1", "0", "2", "5"]
        );
    }

    #[test]
    fn offsets_are_exact_on_non_ascii_text() {
        let text = "Łukasz Piszczek and Zoë Ström-Müller met in Kraków\u{a0}(Poland)—again…";
        assert_eq!(
            words(text),
            [
                "Łukasz",
                "Piszczek",
                "and",
                "Zoë",
                "Ström-Müller",
                "met",
                "in",
                "Kraków",
                "(",
                "Poland",
                ")",
                "—",
                "again",
                "…"
            ]
        );
        assert_invariants(text);
    }

    #[test]
    fn invariants_hold_on_odd_inputs() {
        for text in [
            "",
            " ",
            "'",
            "’s",
            "...",
            "a.",
            ".'\"”",
            "🙂🙂 x’",
            "''’’",
            "n't",
            "\u{0}\u{301}é",
        ] {
            assert_invariants(text);
        }
    }
}
