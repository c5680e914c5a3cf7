//! The sentences of a whole text, as tokens, for reported speech.
//!
//! Quotes only look at a window around each quotation mark; reported
//! speech can be in any sentence, so this makes one pass over the text:
//! a paragraph (a line) at a time, cut into sentences where
//! [`ends_sentence`] says so.

use super::super::tokens::{ends_sentence, tokenize, Token};
use crate::extract::ByteSpan;

/// Longest sentence looked at, in tokens: a longer one is most likely a
/// list or a table, and skipping it keeps the work per sentence bounded.
pub(super) const MAX_SENTENCE_TOKENS: usize = 120;

/// Calls `each` with the tokens of every sentence of `text`, in order.
pub(super) fn for_each_sentence(text: &str, mut each: impl FnMut(&[Token<'_>])) {
    let mut start = 0;
    for line in text.split('\n') {
        let span = ByteSpan {
            start,
            end: start + line.len(),
        };
        start = span.end + 1;
        if line.trim().is_empty() {
            continue;
        }
        let tokens = tokenize(text, span);
        let mut from = 0;
        for k in 0..tokens.len() {
            if !ends_sentence(&tokens, k) {
                continue;
            }
            // `... said “no.” He`: the closing mark belongs to the sentence.
            let closes = tokens
                .get(k + 1)
                .is_some_and(|t| is_closing_mark(t) && t.span.start == tokens[k].span.end);
            let end = if closes { k + 2 } else { k + 1 };
            if end > from {
                visit(&tokens[from..end], &mut each);
            }
            from = end.max(from);
        }
        if from < tokens.len() {
            visit(&tokens[from..], &mut each);
        }
    }
}

fn visit(sentence: &[Token<'_>], each: &mut impl FnMut(&[Token<'_>])) {
    if sentence.len() <= MAX_SENTENCE_TOKENS {
        each(sentence);
    }
}

fn is_closing_mark(token: &Token<'_>) -> bool {
    !token.is_word && ["”", "\"", "’", "'"].contains(&token.text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sentences(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        for_each_sentence(text, |s| {
            out.push(text[s[0].span.start..s[s.len() - 1].span.end].to_owned());
        });
        out
    }

    #[test]
    fn cuts_at_sentence_ends_and_lines() {
        assert_eq!(
            sentences("Mr. Lavrov said so. He left\nThen “yes.” Fine"),
            ["Mr. Lavrov said so.", "He left", "Then “yes.”", "Fine"]
        );
    }
}
