//! Marks spans of a text with HTML elements, by Unicode code point offsets.
//!
//! Two layers: *inline* spans (entity mentions, non-entity speakers, cues) are leaves, each one
//! element holding exactly `text[start..end]`; *quote* spans wrap around them. Every span is checked
//! against the text first (in range, and the text it claims), so a record made from another version
//! of an article is reported rather than drawn on the wrong words.

use super::escape;

/// One span to mark, with its opening tag (the closing tag follows from `tag`).
#[derive(Debug, Clone)]
pub struct Mark {
    pub start: usize,
    pub end: usize,
    /// What the record says `text[start..end]` is.
    pub expect: String,
    pub tag: &'static str,
    /// The opening tag, attributes already escaped.
    pub open: String,
}

/// The marked-up text, and what could not be marked.
#[derive(Debug, Default)]
pub struct Highlighted {
    pub html: String,
    pub problems: Vec<String>,
}

/// Marks `inline` spans (earlier ones win where they overlap) inside `quotes` spans.
pub fn highlight(text: &str, inline: Vec<Mark>, quotes: Vec<Mark>) -> Highlighted {
    let bytes: Vec<usize> = text
        .char_indices()
        .map(|(b, _)| b)
        .chain([text.len()])
        .collect();
    let mut problems = Vec::new();
    let mut leaves: Vec<Mark> = Vec::new();
    for mark in inline {
        if !fits(text, &bytes, &mark, &mut problems) {
            continue;
        }
        if let Some(other) = leaves
            .iter()
            .find(|o| o.start < mark.end && mark.start < o.end)
        {
            problems.push(format!(
                "“{}” at {}..{} overlaps “{}” at {}..{}: not marked",
                mark.expect, mark.start, mark.end, other.expect, other.start, other.end
            ));
            continue;
        }
        leaves.push(mark);
    }
    let quotes = nest_quotes(text, &bytes, quotes, &leaves, &mut problems);
    Highlighted {
        html: emit(text, &bytes, &leaves, &quotes),
        problems,
    }
}

fn fits(text: &str, bytes: &[usize], mark: &Mark, problems: &mut Vec<String>) -> bool {
    let chars = bytes.len() - 1;
    if mark.start >= mark.end || mark.end > chars {
        problems.push(format!(
            "“{}” at {}..{} is outside the text ({chars} characters)",
            mark.expect, mark.start, mark.end
        ));
        return false;
    }
    let found = &text[bytes[mark.start]..bytes[mark.end]];
    if found != mark.expect {
        problems.push(format!(
            "“{}” at {}..{} does not match the text there (“{found}”)",
            mark.expect, mark.start, mark.end
        ));
        return false;
    }
    true
}

/// Keeps quotes that do not overlap each other, widened where an edge falls inside a leaf so that
/// elements nest.
fn nest_quotes(
    text: &str,
    bytes: &[usize],
    quotes: Vec<Mark>,
    leaves: &[Mark],
    problems: &mut Vec<String>,
) -> Vec<Mark> {
    let mut kept: Vec<Mark> = Vec::new();
    for mut q in quotes {
        if !fits(text, bytes, &q, problems) {
            continue;
        }
        for leaf in leaves {
            if leaf.start < q.start && q.start < leaf.end {
                q.start = leaf.start;
            }
            if leaf.start < q.end && q.end < leaf.end {
                q.end = leaf.end;
            }
        }
        if kept.iter().any(|o| o.start < q.end && q.start < o.end) {
            problems.push(format!(
                "quote at {}..{} overlaps another: not marked",
                q.start, q.end
            ));
            continue;
        }
        kept.push(q);
    }
    kept
}

fn emit(text: &str, bytes: &[usize], leaves: &[Mark], quotes: &[Mark]) -> String {
    // (position, order, tag): at one position close leaves, then quotes, then open quotes, then
    // leaves, so that elements always nest.
    let mut events: Vec<(usize, u8, String)> = Vec::new();
    for (marks, open_order, close_order) in [(leaves, 3, 0), (quotes, 2, 1)] {
        for m in marks {
            events.push((m.start, open_order, m.open.clone()));
            events.push((m.end, close_order, format!("</{}>", m.tag)));
        }
    }
    events.sort_by_key(|e| (e.0, e.1));
    let mut html = String::with_capacity(text.len() * 2);
    let mut at = 0;
    for (pos, _, tag) in events {
        html.push_str(&escape(&text[bytes[at]..bytes[pos]]));
        html.push_str(&tag);
        at = pos;
    }
    html.push_str(&escape(&text[bytes[at]..]));
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mark(start: usize, end: usize, expect: &str, tag: &'static str) -> Mark {
        Mark {
            start,
            end,
            expect: expect.to_owned(),
            tag,
            open: format!("<{tag} s={start}>"),
        }
    }

    #[test]
    fn offsets_are_code_points_and_text_is_escaped() {
        let text = "Éric <b> said “Go”.";
        let h = highlight(
            text,
            vec![mark(0, 4, "Éric", "mark"), mark(9, 13, "said", "i")],
            vec![mark(14, 18, "“Go”", "q")],
        );
        assert_eq!(
            h.html,
            "<mark s=0>Éric</mark> &lt;b&gt; <i s=9>said</i> <q s=14>“Go”</q>."
        );
        assert!(h.problems.is_empty());
    }

    #[test]
    fn quotes_wrap_mentions_and_widen_to_whole_leaves() {
        let text = "“Paris is big” said Anne";
        let h = highlight(
            text,
            vec![mark(1, 6, "Paris", "mark")],
            vec![mark(0, 14, "“Paris is big”", "q"), mark(2, 4, "ar", "q")],
        );
        assert_eq!(
            h.html,
            "<q s=0>“<mark s=1>Paris</mark> is big”</q> said Anne"
        );
        assert_eq!(h.problems.len(), 1, "{:?}", h.problems);
        let widened = highlight(
            "ab cd",
            vec![mark(0, 2, "ab", "m")],
            vec![mark(1, 5, "b cd", "q")],
        );
        assert_eq!(widened.html, "<q s=1><m s=0>ab</m> cd</q>");
    }

    #[test]
    fn wrong_or_overlapping_spans_are_reported_not_drawn() {
        let h = highlight(
            "Anne Smith",
            vec![
                mark(0, 10, "Anne Smith", "m"),
                mark(5, 10, "Smith", "m"),
                mark(0, 4, "Bob", "m"),
                mark(8, 20, "x", "m"),
            ],
            vec![],
        );
        assert_eq!(h.html, "<m s=0>Anne Smith</m>");
        assert_eq!(h.problems.len(), 3, "{:?}", h.problems);
    }
}
