//! Sentence splitter over tokens.
//!
//! A sentence ends at a line break, or after '.', '!' or '?' when the next
//! word starts like a sentence (capital, digit or opening quote). A closing
//! quote or bracket right after the stop belongs to the ending sentence.
//! Invariant: the returned ranges cover `0..tokens.len()` in order, each
//! non-empty.
use std::ops::Range;

use crate::extract::ByteSpan;

pub(crate) fn split_sentences(text: &str, tokens: &[ByteSpan]) -> Vec<Range<usize>> {
    let mut sentences = Vec::new();
    let mut start = 0;
    for i in 0..tokens.len() {
        if ends_sentence(text, tokens, i) {
            sentences.push(start..i + 1);
            start = i + 1;
        }
    }
    if start < tokens.len() {
        sentences.push(start..tokens.len());
    }
    sentences
}

/// Whether a sentence ends after token `i`.
fn ends_sentence(text: &str, tokens: &[ByteSpan], i: usize) -> bool {
    let Some(next) = tokens.get(i + 1) else {
        return false;
    };
    let gap = text.get(tokens[i].end..next.start).unwrap_or("");
    if gap.contains('\n') {
        return true;
    }
    let word = |t: &ByteSpan| text.get(t.start..t.end).unwrap_or("");
    let is_stop = |w: &str| matches!(w, "." | "!" | "?");
    let is_closer = |w: &str| matches!(w, "\"" | "”" | "’" | "'" | ")" | "]" | "»");
    let current = word(&tokens[i]);
    let stopped =
        is_stop(current) || (is_closer(current) && i > 0 && is_stop(word(&tokens[i - 1])));
    if !stopped || gap.is_empty() && is_closer(word(next)) {
        return false;
    }
    word(next).chars().next().is_some_and(|c| {
        c.is_uppercase() || c.is_ascii_digit() || matches!(c, '"' | '“' | '‘' | '(' | '\'')
    })
}

#[cfg(test)]
mod tests {
    use super::super::token::tokenize;
    use super::*;

    fn sentences(text: &str) -> Vec<String> {
        let tokens = tokenize(text);
        split_sentences(text, &tokens)
            .into_iter()
            .map(|r| text[tokens[r.start].start..tokens[r.end - 1].end].to_owned())
            .collect()
    }

    #[test]
    fn splits_at_stops_and_line_breaks() {
        assert_eq!(
            sentences("Mr. Lavrov spoke. “It is good.” He left!\nTrump agreed"),
            [
                "Mr. Lavrov spoke.",
                "“It is good.”",
                "He left!",
                "Trump agreed"
            ]
        );
    }

    #[test]
    fn does_not_split_abbreviations_or_lowercase_continuations() {
        assert_eq!(
            sentences("The U.S. Army arrived. it was 3 p.m. then"),
            ["The U.S. Army arrived. it was 3 p.m. then"]
        );
    }

    #[test]
    fn covers_all_tokens() {
        for text in ["", ".", ". . .", "A. B. C.", "x\n\n\ny", "”. ”"] {
            let tokens = tokenize(text);
            let covered: usize = split_sentences(text, &tokens).iter().map(|r| r.len()).sum();
            assert_eq!(covered, tokens.len(), "{text:?}");
        }
    }
}
