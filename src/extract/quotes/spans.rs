//! Quote spans: pairing the marks of each paragraph, and quotes that run over
//! several paragraphs (each paragraph reopens the quote and only the last
//! one closes it).

use super::marks::{scan_marks, Mark};
use crate::extract::ByteSpan;

/// One quoted stretch of text inside one paragraph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct QuoteSpan {
    /// The opening mark.
    pub open: ByteSpan,
    /// The closing mark; `None` when the quote runs on into the next paragraph.
    pub close: Option<ByteSpan>,
    /// The quoted words, without marks and surrounding whitespace.
    pub content: ByteSpan,
    /// The paragraph the quote is in.
    pub para: ByteSpan,
    /// This quote continues one left open at the end of the previous paragraph.
    pub continues_previous: bool,
}

/// The non-empty lines of `text`, which news articles use as paragraphs.
pub(super) fn paragraphs(text: &str) -> Vec<ByteSpan> {
    let mut out = Vec::new();
    let mut start = 0;
    for line in text.split('\n') {
        let end = start + line.len();
        if !line.trim().is_empty() {
            out.push(ByteSpan { start, end });
        }
        start = end + 1;
    }
    out
}

/// Every quote of the text, in order.
pub(super) fn find_quote_spans(text: &str) -> Vec<QuoteSpan> {
    let paras = paragraphs(text);
    let marks: Vec<Vec<Mark>> = paras.iter().map(|&p| scan_marks(text, p)).collect();
    let mut quotes = Vec::new();
    let mut carried_over = false;
    for (i, &para) in paras.iter().enumerate() {
        let next_reopens = marks
            .get(i + 1)
            .is_some_and(|m| opens_paragraph(text, paras[i + 1], m));
        carried_over = pair_paragraph(
            text,
            para,
            &marks[i],
            carried_over,
            next_reopens,
            &mut quotes,
        );
    }
    quotes
}

/// Whether the paragraph's first character is a mark that can open a quote.
fn opens_paragraph(text: &str, para: ByteSpan, marks: &[Mark]) -> bool {
    let first_char = text
        .get(para.start..para.end)
        .map_or(0, |p| p.len() - p.trim_start().len());
    marks
        .first()
        .is_some_and(|m| m.span.start == para.start + first_char && m.can_open())
}

/// Pairs one paragraph's marks into quotes. Returns true when the paragraph
/// leaves a quote open that the next paragraph continues.
fn pair_paragraph(
    text: &str,
    para: ByteSpan,
    marks: &[Mark],
    continues_previous: bool,
    next_reopens: bool,
    out: &mut Vec<QuoteSpan>,
) -> bool {
    let mut open: Option<&Mark> = None;
    for mark in marks {
        match open {
            Some(o) if mark.can_close(o) => {
                push_quote(
                    text,
                    para,
                    o.span,
                    Some(mark.span),
                    continues_previous && out_is_first(out, para),
                    out,
                );
                open = None;
            }
            // A second opener: the earlier one was stray (or lost its closer).
            Some(_) if mark.can_open() && mark.glyph != super::marks::Glyph::Closing => {
                open = Some(mark)
            }
            Some(_) => {}
            None if mark.can_open() => open = Some(mark),
            None => {}
        }
    }
    match open {
        Some(o) if next_reopens => {
            push_quote(
                text,
                para,
                o.span,
                None,
                continues_previous && out_is_first(out, para),
                out,
            );
            true
        }
        _ => false,
    }
}

/// No quote of this paragraph has been pushed yet.
fn out_is_first(out: &[QuoteSpan], para: ByteSpan) -> bool {
    out.last().is_none_or(|q| q.para != para)
}

fn push_quote(
    text: &str,
    para: ByteSpan,
    open: ByteSpan,
    close: Option<ByteSpan>,
    continues_previous: bool,
    out: &mut Vec<QuoteSpan>,
) {
    let end = close.map_or(para.end, |c| c.start);
    let Some(inner) = text.get(open.end..end) else {
        return;
    };
    if !inner.chars().any(char::is_alphanumeric) {
        return;
    }
    let lead = inner.len() - inner.trim_start().len();
    let content = ByteSpan {
        start: open.end + lead,
        end: open.end + inner.trim_end().len(),
    };
    out.push(QuoteSpan {
        open,
        close,
        content,
        para,
        continues_previous,
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contents(text: &str) -> Vec<&str> {
        find_quote_spans(text)
            .iter()
            .map(|q| &text[q.content.start..q.content.end])
            .collect()
    }

    #[test]
    fn curly_and_straight_quotes() {
        assert_eq!(contents("“One,” he said. \"Two.\""), ["One,", "Two."]);
    }

    #[test]
    fn doubled_apostrophes_and_backticks() {
        assert_eq!(
            contents("''It's fine,'' she said. ``Really.''"),
            ["It's fine,", "Really."]
        );
    }

    #[test]
    fn single_quotes_inside_double_quotes_stay_inside() {
        assert_eq!(
            contents("“He said ‘no’ twice,” she said."),
            ["He said ‘no’ twice,"]
        );
        assert_eq!(
            contents("''the 'wrong track.'.'' x"),
            ["the 'wrong track.'."]
        );
    }

    #[test]
    fn guillemets_and_low_quotes() {
        assert_eq!(
            contents("«Bonjour», dit-il. „Guten Tag“, sagte er."),
            ["Bonjour", "Guten Tag"]
        );
    }

    #[test]
    fn quote_over_several_paragraphs() {
        let text = "“First part.\n\n“Second part.\n“Last part,” he said.";
        let quotes = find_quote_spans(text);
        assert_eq!(
            contents(text),
            ["First part.", "Second part.", "Last part,"]
        );
        assert_eq!(
            quotes
                .iter()
                .map(|q| q.continues_previous)
                .collect::<Vec<_>>(),
            [false, true, true]
        );
        assert!(quotes[0].close.is_none());
    }

    #[test]
    fn a_stray_mark_does_not_spoil_the_article() {
        let text = "He is 6'2\" tall. “Fine,” he said.\nA “stray mark.\nPlain.\n“Next,” she said.";
        assert_eq!(contents(text), ["Fine,", "Next,"]);
    }

    #[test]
    fn stray_opener_is_replaced_by_the_next_one() {
        assert_eq!(
            contents("A “stray one and “a real quote” here."),
            ["a real quote"]
        );
    }
}
