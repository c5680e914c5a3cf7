//! Quotation mark scanning: which characters are double quotation marks and
//! whether each one can open or close a quote.
//!
//! Single quotes are deliberately not marks: in English news they are either
//! apostrophes or quotes nested inside a double-quoted quote, and the nested
//! one belongs to the outer quote's words.

use crate::extract::ByteSpan;

/// Marks that pair only with marks of the same family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Family {
    /// “ ” " '' `` (and „, which closes with “ or ”).
    Double,
    /// « »
    Guillemet,
}

/// What a mark's glyph says about it, before context is considered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Glyph {
    Opening,
    Closing,
    /// Straight `"` and doubled apostrophes `''`: direction from context.
    Either,
    /// „ opens a quote that “ (or ”) closes.
    LowOpening,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Mark {
    pub span: ByteSpan,
    pub family: Family,
    pub glyph: Glyph,
    /// Whitespace (or start of paragraph) before, a word character after.
    pub looks_opening: bool,
    /// A non-space before, whitespace/punctuation (or end) after.
    pub looks_closing: bool,
}

/// All double quotation marks of one paragraph `text[para]`, in order,
/// skipping anything inside an HTML/XML tag (`<tweet id="...">`).
pub(super) fn scan_marks(text: &str, para: ByteSpan) -> Vec<Mark> {
    let Some(slice) = text.get(para.start..para.end) else {
        return Vec::new();
    };
    let bytes = slice.as_bytes();
    let mut marks = Vec::new();
    let mut in_tag = false;
    let mut iter = slice.char_indices().peekable();
    while let Some((i, ch)) = iter.next() {
        if in_tag {
            in_tag = ch != '>';
            continue;
        }
        let next = bytes.get(i + 1).copied().unwrap_or(b' ');
        let (len, family, glyph) = match ch {
            '<' if next.is_ascii_alphabetic() || next == b'/' || next == b'!' => {
                in_tag = true;
                continue;
            }
            '“' => (ch.len_utf8(), Family::Double, Glyph::Opening),
            '”' => (ch.len_utf8(), Family::Double, Glyph::Closing),
            '"' => (1, Family::Double, Glyph::Either),
            '„' => (ch.len_utf8(), Family::Double, Glyph::LowOpening),
            '«' => (ch.len_utf8(), Family::Guillemet, Glyph::Opening),
            '»' => (ch.len_utf8(), Family::Guillemet, Glyph::Closing),
            '`' | '\'' => {
                let run = bytes[i..].iter().take_while(|&&b| b == ch as u8).count();
                for _ in 1..run {
                    iter.next();
                }
                if run < 2 {
                    continue;
                }
                let glyph = if ch == '`' {
                    Glyph::Opening
                } else {
                    Glyph::Either
                };
                // In a run of three, one is a single quote; the double one is
                // the pair on the side facing the quoted words.
                let before = slice[..i].chars().next_back();
                let opening_side = before.is_none_or(|c| c.is_whitespace() || "([{—–-".contains(c));
                let start = if run > 2 && !opening_side {
                    i + run - 2
                } else {
                    i
                };
                marks.push(classify(slice, para.start, start, 2, Family::Double, glyph));
                continue;
            }
            _ => continue,
        };
        marks.push(classify(slice, para.start, i, len, family, glyph));
    }
    marks
}

fn classify(
    slice: &str,
    base: usize,
    start: usize,
    len: usize,
    family: Family,
    glyph: Glyph,
) -> Mark {
    let before = slice[..start].chars().next_back();
    let after = slice[start + len..].chars().next();
    let space_before = before.is_none_or(|c| c.is_whitespace() || "([{—–-/".contains(c));
    let word_after = after.is_some_and(|c| c.is_alphanumeric() || "‘'$(…[.".contains(c));
    let space_after =
        after.is_none_or(|c| c.is_whitespace() || c.is_ascii_punctuation() || "—–…’".contains(c));
    Mark {
        span: ByteSpan {
            start: base + start,
            end: base + start + len,
        },
        family,
        glyph,
        // A mark opening a paragraph opens a quote, whatever follows it.
        looks_opening: (space_before && word_after) || (before.is_none() && after.is_some()),
        looks_closing: !space_before && space_after,
    }
}

impl Mark {
    /// Can this mark open a quote when none is open?
    pub fn can_open(&self) -> bool {
        match self.glyph {
            Glyph::Opening | Glyph::LowOpening | Glyph::Either => !self.looks_closing,
            // A ” used as an opener (bad typesetting) only when it clearly opens.
            Glyph::Closing => self.looks_opening,
        }
    }

    /// Can this mark close a quote opened by `open`?
    pub fn can_close(&self, open: &Mark) -> bool {
        if self.family != open.family {
            return false;
        }
        match self.glyph {
            Glyph::Closing | Glyph::Either => true,
            // “ closes „; otherwise an opener only closes when it clearly does.
            Glyph::Opening => open.glyph == Glyph::LowOpening || self.looks_closing,
            Glyph::LowOpening => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn glyphs(text: &str) -> Vec<&str> {
        scan_marks(
            text,
            ByteSpan {
                start: 0,
                end: text.len(),
            },
        )
        .iter()
        .map(|m| &text[m.span.start..m.span.end])
        .collect()
    }

    #[test]
    fn finds_every_double_mark_kind() {
        assert_eq!(
            glyphs("“a” \"b\" ''c'' ``d'' «e» „f“"),
            ["“", "”", "\"", "\"", "''", "''", "``", "''", "«", "»", "„", "“"]
        );
    }

    #[test]
    fn single_quotes_and_apostrophes_are_not_marks() {
        assert!(glyphs("don't ‘scare’ 'single'").is_empty());
    }

    #[test]
    fn triple_apostrophe_keeps_the_double_on_the_quote_side() {
        let text = "''He said 'no.''' x";
        let marks = scan_marks(
            text,
            ByteSpan {
                start: 0,
                end: text.len(),
            },
        );
        assert_eq!(marks.len(), 2);
        assert_eq!(marks[1].span, ByteSpan { start: 15, end: 17 });
    }

    #[test]
    fn marks_inside_tags_are_skipped() {
        assert_eq!(
            glyphs("<tweet id=\"1\" author=\"@x\">“hi”</tweet>"),
            ["“", "”"]
        );
    }
}
