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
    let mut i = 0;
    while i < bytes.len() {
        let byte = bytes[i];
        // Only these bytes start a mark or a tag (0xC2/0xE2 lead « » and
        // “ ” „); every other byte, continuation bytes included, is skipped.
        if !matches!(byte, b'"' | b'\'' | b'`' | b'<' | 0xC2 | 0xE2) {
            i += 1;
            continue;
        }
        let next = bytes.get(i + 1).copied().unwrap_or(b' ');
        if byte == b'<' && (next.is_ascii_alphabetic() || next == b'/' || next == b'!') {
            i = bytes[i..]
                .iter()
                .position(|&b| b == b'>')
                .map_or(bytes.len(), |p| i + p + 1);
            continue;
        }
        if byte == b'\'' || byte == b'`' {
            let run = bytes[i..].iter().take_while(|&&b| b == byte).count();
            if run >= 2 {
                marks.push(doubled_mark(slice, para.start, i, run, byte == b'`'));
            }
            i += run;
            continue;
        }
        let Some(ch) = slice.get(i..).and_then(|rest| rest.chars().next()) else {
            i += 1;
            continue;
        };
        let kind = match ch {
            '“' => Some((Family::Double, Glyph::Opening)),
            '”' => Some((Family::Double, Glyph::Closing)),
            '"' => Some((Family::Double, Glyph::Either)),
            '„' => Some((Family::Double, Glyph::LowOpening)),
            '«' => Some((Family::Guillemet, Glyph::Opening)),
            '»' => Some((Family::Guillemet, Glyph::Closing)),
            _ => None,
        };
        if let Some((family, glyph)) = kind {
            marks.push(classify(slice, para.start, i, ch.len_utf8(), family, glyph));
        }
        i += ch.len_utf8();
    }
    marks
}

/// `''` or ``` `` ``` in a run of `run` apostrophes (backticks) at `i`. In a
/// run of three, one is a single quote; the double one is the pair on the
/// side facing the quoted words.
fn doubled_mark(slice: &str, base: usize, i: usize, run: usize, backticks: bool) -> Mark {
    let glyph = if backticks {
        Glyph::Opening
    } else {
        Glyph::Either
    };
    let before = slice[..i].chars().next_back();
    let opening_side = before.is_none_or(|c| c.is_whitespace() || "([{—–-".contains(c));
    let start = if run > 2 && !opening_side {
        i + run - 2
    } else {
        i
    };
    classify(slice, base, start, 2, Family::Double, glyph)
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
