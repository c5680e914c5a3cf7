//! A small word tokenizer for the text around a quote.
//!
//! Attribution only ever looks at a short window of text on either side of a
//! quotation, so tokens are made per window, in one pass, borrowing the text.

use crate::extract::ByteSpan;

/// A word (letters/digits with inner `'`, `’`, `-`, `.`, `&`) or one
/// punctuation character.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Token<'a> {
    pub span: ByteSpan,
    pub text: &'a str,
    pub is_word: bool,
}

impl Token<'_> {
    pub fn is_punct(&self, ch: char) -> bool {
        !self.is_word && self.text.starts_with(ch)
    }

    /// Starts with an upper-case letter ("Lavrov").
    pub fn is_capitalised(&self) -> bool {
        self.is_word && self.text.chars().next().is_some_and(|c| c.is_uppercase())
    }

    /// A word made of ASCII digits only ("42", "2016").
    pub fn bytes_are_digits(&self) -> bool {
        self.is_word && self.text.bytes().all(|b| b.is_ascii_digit())
    }

    /// A word equal to one of `words`, ignoring ASCII case. Inlined: it is
    /// called with a constant list at most call sites.
    #[inline]
    pub fn is_one_of(&self, words: &[&str]) -> bool {
        self.is_word && words.iter().any(|w| self.text.eq_ignore_ascii_case(w))
    }

    /// Calls `f` with the word in lower case, copied on the stack; `None`
    /// for words too long or not ASCII (no cue or function word is).
    pub fn with_lower<R>(&self, f: impl FnOnce(&str) -> R) -> Option<R> {
        let bytes = self.text.as_bytes();
        let mut buf = [0u8; 24];
        if bytes.len() > buf.len() || !self.text.is_ascii() {
            return None;
        }
        for (slot, b) in buf.iter_mut().zip(bytes) {
            *slot = b.to_ascii_lowercase();
        }
        std::str::from_utf8(&buf[..bytes.len()]).ok().map(f)
    }
}

/// Characters that may sit inside a word when a letter or digit follows.
fn joins_word(ch: char) -> bool {
    matches!(ch, '\'' | '’' | '-' | '.' | '&')
}

/// Tokens of `text[range]`, offsets relative to `text`.
pub(super) fn tokenize(text: &str, range: ByteSpan) -> Vec<Token<'_>> {
    let Some(slice) = text.get(range.start..range.end) else {
        return Vec::new();
    };
    let mut tokens = Vec::new();
    let mut chars = slice.char_indices().peekable();
    while let Some((start, ch)) = chars.next() {
        if ch.is_whitespace() {
            continue;
        }
        let mut end = start + ch.len_utf8();
        let is_word = ch.is_alphanumeric();
        if is_word {
            while let Some(&(i, c)) = chars.peek() {
                let next_is_alnum = slice[i + c.len_utf8()..]
                    .chars()
                    .next()
                    .is_some_and(|n| n.is_alphanumeric());
                if c.is_alphanumeric() || (joins_word(c) && next_is_alnum) {
                    end = i + c.len_utf8();
                    chars.next();
                } else {
                    break;
                }
            }
        }
        tokens.push(Token {
            span: ByteSpan {
                start: range.start + start,
                end: range.start + end,
            },
            text: &slice[start..end],
            is_word,
        });
    }
    tokens
}

/// Words after which a full stop does not end the sentence.
const ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "sen", "rep", "reps", "gov", "gen", "lt", "col", "st", "jr", "sr",
    "u.s", "inc", "co", "corp", "ltd", "no", "vs", "sgt", "capt", "maj", "prof", "rev", "ft", "mt",
    "sens", "govs", "d", "r", "jan", "feb", "aug", "sept", "oct", "nov", "dec", "u.n", "u.k",
    "d.c", "n.y", "calif", "fla", "ariz", "mass", "pa",
];

/// True when `tokens[i]` is a `.`, `?` or `!` that ends a sentence.
pub(super) fn ends_sentence(tokens: &[Token<'_>], i: usize) -> bool {
    let tok = &tokens[i];
    if tok.is_punct('?') || tok.is_punct('!') {
        return true;
    }
    if !tok.is_punct('.') {
        return false;
    }
    // "(R-S.C.):", "U.S. officials": what follows shows no new sentence;
    // "last year.) But" does.
    if let Some(next) = tokens.get(i + 1) {
        let lower_word = next.is_word && next.text.chars().next().is_some_and(char::is_lowercase);
        let closes_aside =
            next.is_punct(')') && tokens.get(i + 2).is_some_and(Token::is_capitalised);
        if lower_word || ([',', ')', ':', ';'].iter().any(|&c| next.is_punct(c)) && !closes_aside) {
            return false;
        }
    }
    match i.checked_sub(1).map(|p| &tokens[p]) {
        Some(prev) if prev.is_word => {
            let initial = prev.text.chars().count() == 1 && prev.is_capitalised();
            !(initial || prev.is_one_of(ABBREVIATIONS))
        }
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<&str> {
        tokenize(
            text,
            ByteSpan {
                start: 0,
                end: text.len(),
            },
        )
        .iter()
        .map(|t| t.text)
        .collect()
    }

    #[test]
    fn splits_words_and_punctuation() {
        assert_eq!(
            words("Mr. O’Neill, the U.S. envoy, said."),
            [
                "Mr",
                ".",
                "O’Neill",
                ",",
                "the",
                "U.S",
                ".",
                "envoy",
                ",",
                "said",
                "."
            ]
        );
    }

    #[test]
    fn abbreviations_do_not_end_sentences() {
        let text = "Mr. Smith left. Then";
        let tokens = tokenize(
            text,
            ByteSpan {
                start: 0,
                end: text.len(),
            },
        );
        assert!(!ends_sentence(&tokens, 1));
        assert!(ends_sentence(&tokens, 4));
    }

    #[test]
    fn offsets_are_relative_to_the_whole_text() {
        let text = "«Zoë» dit";
        let tokens = tokenize(
            text,
            ByteSpan {
                start: 2,
                end: text.len(),
            },
        );
        assert_eq!(&text[tokens[0].span.start..tokens[0].span.end], "Zoë");
    }
}
