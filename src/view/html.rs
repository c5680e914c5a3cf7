//! The HTML view: one self-contained page (inline CSS, no script, no network), a summary table at
//! the top, then one section per article with its text, entity mentions highlighted by type and
//! quotes marked with their speaker.
//!
//! Every mention is one `<mark>` with `data-type`, `data-entity`, `data-start` and `data-end`
//! (code points into the text), so a test or a reviewer's script can check it sits on
//! `text[start:end]`.

use std::collections::{HashMap, HashSet};
use std::fmt::Write;

use super::highlight::{highlight, Highlighted, Mark};
use super::records::{Quote, Record};
use super::style::{LEGEND, STYLE};
use super::{escape, TYPES};

/// Which spans to flag as changed, for the comparison page: `(start, end)` of mentions and quotes.
#[derive(Debug, Default)]
pub struct Changed {
    pub label: &'static str,
    pub mentions: HashSet<(usize, usize)>,
    pub quotes: HashSet<(usize, usize)>,
}

/// The page for one record set. `texts` holds article texts by id; an article without one is shown
/// with its lists only.
pub fn page(records: &[Record], texts: &HashMap<String, String>) -> String {
    let mut body = summary(records, texts);
    for (i, r) in records.iter().enumerate() {
        let text = texts.get(&r.id).map(String::as_str);
        let _ = writeln!(
            body,
            "<section class=\"article\" id=\"a{i}\" data-article=\"{}\">{}</section>",
            escape(&r.id),
            article(r, text, None)
        );
    }
    document("article-enricher: enriched records", &body)
}

/// Wraps a body in the page skeleton with the stylesheet.
pub fn document(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{}</title><style>{STYLE}</style></head>\n<body><h1>{}</h1>{LEGEND}\n{body}</body></html>\n",
        escape(title),
        escape(title)
    )
}

fn summary(records: &[Record], texts: &HashMap<String, String>) -> String {
    let mut rows = String::new();
    for (i, r) in records.iter().enumerate() {
        let count = |kind: &str| r.entities.iter().filter(|e| e.kind == kind).count();
        let mentions: usize = r.entities.iter().map(|e| e.mentions.len()).sum();
        let _ = writeln!(
            rows,
            "<tr><td><a href=\"#a{i}\">{}</a></td><td>{}</td><td>{}</td><td>{}</td>\
             <td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{mentions}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&r.id),
            escape(r.title.as_deref().unwrap_or("")),
            escape(r.publisher.as_deref().unwrap_or("")),
            escape(r.language.as_deref().unwrap_or("")),
            count("PERSON"),
            count("ORGANIZATION"),
            count("LOCATION"),
            count("MISC"),
            r.quotes.len(),
            r.warnings.len(),
            if texts.contains_key(&r.id) { "yes" } else { "no" },
        );
    }
    format!(
        "<table class=\"summary\"><thead><tr><th>article</th><th>title</th><th>publisher</th>\
         <th>language</th><th>persons</th><th>organisations</th><th>locations</th><th>misc</th>\
         <th>mentions</th><th>quotes</th><th>warnings</th><th>text</th></tr></thead><tbody>\n{rows}</tbody></table>\n"
    )
}

/// One article's section content: title, metadata, highlighted text, entity and quote lists.
pub fn article(r: &Record, text: Option<&str>, changed: Option<&Changed>) -> String {
    let title = r
        .title
        .as_deref()
        .map(|t| highlight(t, title_marks(r), Vec::new()));
    let mut out = String::new();
    let heading = title
        .as_ref()
        .map_or("(no title)".to_owned(), |t| t.html.clone());
    let _ = write!(out, "<h2>{heading}</h2><p class=\"meta\">{}</p>", meta(r));
    for w in &r.warnings {
        let _ = write!(out, "<p class=\"warning\">warning: {}</p>", escape(w));
    }
    let body = text.map(|t| highlight(t, inline_marks(r, changed), quote_marks(r, changed)));
    let mut problems: Vec<&String> = title.iter().flat_map(|t| &t.problems).collect();
    problems.extend(body.iter().flat_map(|b: &Highlighted| &b.problems));
    for p in problems {
        let _ = write!(out, "<p class=\"warning\">not marked: {}</p>", escape(p));
    }
    match &body {
        Some(b) => {
            let _ = write!(out, "<div class=\"text\">{}</div>", b.html);
        }
        None => out.push_str(
            "<p class=\"note\">Text not available: pass the articles with --articles to see it highlighted.</p>",
        ),
    }
    out.push_str(&entity_list(r));
    out.push_str(&quote_list(r));
    out
}

fn meta(r: &Record) -> String {
    let parts = [
        r.publisher.as_deref().map(|p| format!("publisher {p}")),
        r.language.as_deref().map(|l| format!("language {l}")),
        Some(format!("id {}", r.id)),
    ];
    escape(&parts.into_iter().flatten().collect::<Vec<_>>().join(" · "))
}

fn mention_mark(r: &Record, changed: Option<&Changed>, title: bool) -> Vec<Mark> {
    let mut marks = Vec::new();
    for e in &r.entities {
        for m in e.mentions.iter().filter(|m| m.in_title() == title) {
            let diff = changed
                .filter(|c| c.mentions.contains(&(m.start, m.end)))
                .map_or(String::new(), |c| format!(" data-diff=\"{}\"", c.label));
            marks.push(Mark {
                start: m.start,
                end: m.end,
                expect: m.text.clone(),
                tag: "mark",
                open: format!(
                    "<mark class=\"t-{kind}\" data-type=\"{kind}\" data-entity=\"{id}\" data-start=\"{}\" \
                     data-end=\"{}\"{diff}{} title=\"{} · {kind} · {id}\">",
                    m.start,
                    m.end,
                    speaker_of(r, m.start, m.end),
                    escape(&e.name),
                    kind = escape(&e.kind),
                    id = escape(&e.id),
                ),
            });
        }
    }
    marks.sort_by_key(|m| (m.start, m.end));
    marks
}

fn title_marks(r: &Record) -> Vec<Mark> {
    mention_mark(r, None, true)
}

/// ` data-speaker-of="q1 q3"` when this span is the speaker of quotes.
fn speaker_of(r: &Record, start: usize, end: usize) -> String {
    let ids: Vec<&str> = r
        .quotes
        .iter()
        .filter(|q| {
            q.speaker
                .as_ref()
                .is_some_and(|s| (s.start, s.end) == (start, end))
        })
        .map(|q| q.id.as_str())
        .collect();
    if ids.is_empty() {
        String::new()
    } else {
        format!(" data-speaker-of=\"{}\"", escape(&ids.join(" ")))
    }
}

/// Mentions first (they win overlaps), then speakers that are not mentions (pronouns, unnamed
/// speakers), then cues.
fn inline_marks(r: &Record, changed: Option<&Changed>) -> Vec<Mark> {
    let mut marks = mention_mark(r, changed, false);
    let mentioned: HashSet<(usize, usize)> = marks.iter().map(|m| (m.start, m.end)).collect();
    for q in &r.quotes {
        if let Some(s) = q
            .speaker
            .as_ref()
            .filter(|s| !mentioned.contains(&(s.start, s.end)))
        {
            marks.push(Mark {
                start: s.start,
                end: s.end,
                expect: s.text.clone(),
                tag: "span",
                open: format!(
                    "<span class=\"speaker\" data-speaker-of=\"{}\" data-start=\"{}\" data-end=\"{}\">",
                    escape(&q.id),
                    s.start,
                    s.end
                ),
            });
        }
    }
    for (q, c) in r
        .quotes
        .iter()
        .filter_map(|q| q.cue.as_ref().map(|c| (q, c)))
    {
        marks.push(Mark {
            start: c.start,
            end: c.end,
            expect: c.text.clone(),
            tag: "span",
            open: format!("<span class=\"cue\" data-cue-of=\"{}\">", escape(&q.id)),
        });
    }
    marks
}

fn quote_marks(r: &Record, changed: Option<&Changed>) -> Vec<Mark> {
    r.quotes
        .iter()
        .map(|q| {
            let diff = changed
                .filter(|c| c.quotes.contains(&(q.start, q.end)))
                .map_or(String::new(), |c| format!(" data-diff=\"{}\"", c.label));
            Mark {
                start: q.start,
                end: q.end,
                expect: q.text.clone(),
                tag: "span",
                open: format!(
                    "<span class=\"quote k-{kind}\" data-quote=\"{id}\" data-kind=\"{kind}\" \
                     data-speaker=\"{who}\" data-start=\"{}\" data-end=\"{}\"{diff} title=\"{id} · {kind} · {who}\">",
                    q.start,
                    q.end,
                    id = escape(&q.id),
                    kind = escape(&q.kind),
                    who = escape(&speaker_name(r, q)),
                ),
            }
        })
        .collect()
}

/// "Lavrov", or "He → Sergey Lavrov" when the speaker is linked to an entity of another name.
pub fn speaker_name(r: &Record, q: &Quote) -> String {
    match &q.speaker {
        None => "no speaker".to_owned(),
        Some(s) => match s.entity_id.as_deref().and_then(|id| r.entity(id)) {
            Some(e) if e.name != s.text => format!("{} → {}", s.text, e.name),
            _ => s.text.clone(),
        },
    }
}

fn entity_list(r: &Record) -> String {
    let mut items = String::new();
    for kind in TYPES {
        let of_kind = r.entities_of(kind);
        let names: Vec<String> = of_kind
            .iter()
            .map(|e| {
                format!(
                    "<span class=\"t-{kind}\">{}</span> ×{}",
                    escape(&e.name),
                    e.mentions.len()
                )
            })
            .collect();
        if !names.is_empty() {
            let _ = write!(items, "<li><b>{kind}</b> {}</li>", names.join(", "));
        }
    }
    format!("<ul class=\"entities\">{items}</ul>")
}

fn quote_list(r: &Record) -> String {
    let mut items = String::new();
    for q in &r.quotes {
        let cue = q
            .cue
            .as_ref()
            .map_or(String::new(), |c| format!(" · cue “{}”", escape(&c.text)));
        let _ = write!(
            items,
            "<li><b>{}</b> {} “{}” — {}{cue}</li>",
            escape(&q.id),
            escape(&q.kind),
            escape(&q.text),
            escape(&speaker_name(r, q))
        );
    }
    if items.is_empty() {
        String::new()
    } else {
        format!("<ol class=\"quotes\">{items}</ol>")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::view::records::read_records;

    const RECORD: &str = r#"{"id":"<a1>","title":"Anne & Bob","publisher":"x\"y",
        "entities":[{"id":"e1","name":"Anne","type":"PERSON","mentions":[
          {"start":0,"end":4,"text":"Anne","field":"title"},{"start":0,"end":4,"text":"Anne"},
          {"start":40,"end":44,"text":"Anne"}]}],
        "quotes":[{"id":"q1","kind":"direct","text":"<b>hi</b>","start":7,"end":16,
          "speaker":{"text":"she","start":19,"end":22,"entity_id":"e1"},"cue":{"text":"said","start":23,"end":27}}]}"#;

    fn page_of(text: Option<&str>) -> String {
        let records = read_records(RECORD.replace('\n', " ").as_bytes(), "t").unwrap();
        let texts = text
            .map(|t| ("<a1>".to_owned(), t.to_owned()))
            .into_iter()
            .collect();
        page(&records, &texts)
    }

    #[test]
    fn marks_mentions_speakers_cues_and_quotes_with_their_attributes() {
        let html = page_of(Some("Anne: “<b>hi</b>”, she said."));
        assert!(html.contains(
            "<mark class=\"t-PERSON\" data-type=\"PERSON\" data-entity=\"e1\" data-start=\"0\" data-end=\"4\""
        ));
        assert!(html.contains("data-quote=\"q1\" data-kind=\"direct\" data-speaker=\"she → Anne\""));
        assert!(
            html.contains(">&lt;b&gt;hi&lt;/b&gt;</span>"),
            "quote text escaped: {html}"
        );
        assert!(html.contains("<span class=\"speaker\" data-speaker-of=\"q1\" data-start=\"19\" data-end=\"22\">she</span>"));
        assert!(html.contains("<span class=\"cue\" data-cue-of=\"q1\">said</span>"));
        // The mention at 40..44 lies beyond this text: reported, not drawn.
        assert!(
            html.contains("not marked: “Anne” at 40..44 is outside the text"),
            "{html}"
        );
        assert!(
            html.contains("<h2><mark"),
            "title mentions are marked in the heading"
        );
    }

    #[test]
    fn escapes_record_fields_and_explains_a_missing_text() {
        let html = page_of(None);
        assert!(
            !html.contains("<a1>") && html.contains("&lt;a1&gt;"),
            "ids are escaped"
        );
        assert!(html.contains("x&quot;y") && html.contains("Anne &amp; Bob"));
        assert!(html.contains("Text not available: pass the articles with --articles"));
        assert!(!html.contains(
            "<mark class=\"t-PERSON\" data-type=\"PERSON\" data-entity=\"e1\" data-start=\"40\""
        ));
    }
}
