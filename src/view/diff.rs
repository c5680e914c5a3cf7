//! Comparing two record sets of the same articles (before and after a model change, two versions
//! of a topic): per article, which entities, mentions and quotes were added or lost.
//!
//! Identity: an entity is its type and name; a mention its offsets and its entity's type; a quote
//! its offsets, with a changed speaker reported separately.

use std::collections::{BTreeSet, HashMap};
use std::fmt::Write;

use super::escape;
use super::html::{self, Changed};
use super::records::Record;

/// What changed in one article.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ArticleDiff {
    pub id: String,
    pub entities_added: Vec<String>,
    pub entities_lost: Vec<String>,
    pub mentions_added: Vec<(usize, usize)>,
    pub mentions_lost: Vec<(usize, usize)>,
    pub quotes_added: Vec<String>,
    pub quotes_lost: Vec<String>,
    pub speakers_changed: Vec<String>,
}

impl ArticleDiff {
    pub fn is_empty(&self) -> bool {
        self.entities_added.is_empty()
            && self.entities_lost.is_empty()
            && self.mentions_added.is_empty()
            && self.mentions_lost.is_empty()
            && self.quotes_added.is_empty()
            && self.quotes_lost.is_empty()
            && self.speakers_changed.is_empty()
    }
}

fn entities(r: &Record) -> BTreeSet<String> {
    r.entities
        .iter()
        .map(|e| format!("{} {}", e.kind, e.name))
        .collect()
}

fn mentions(r: &Record) -> BTreeSet<(usize, usize, String)> {
    r.text_mentions()
        .map(|(e, m)| (m.start, m.end, e.kind.clone()))
        .collect()
}

fn quotes(r: &Record) -> HashMap<(usize, usize), (String, String)> {
    r.quotes
        .iter()
        .map(|q| ((q.start, q.end), (q.text.clone(), html::speaker_name(r, q))))
        .collect()
}

pub fn diff(old: &Record, new: &Record) -> ArticleDiff {
    let (eo, en) = (entities(old), entities(new));
    let (mo, mn) = (mentions(old), mentions(new));
    let (qo, qn) = (quotes(old), quotes(new));
    let span = |m: &(usize, usize, String)| (m.0, m.1);
    let describe = |(text, who): &(String, String)| format!("“{text}” — {who}");
    let mut d = ArticleDiff {
        id: new.id.clone(),
        entities_added: en.difference(&eo).cloned().collect(),
        entities_lost: eo.difference(&en).cloned().collect(),
        mentions_added: mn.difference(&mo).map(span).collect(),
        mentions_lost: mo.difference(&mn).map(span).collect(),
        ..ArticleDiff::default()
    };
    let mut spans: Vec<&(usize, usize)> = qo.keys().chain(qn.keys()).collect();
    spans.sort();
    spans.dedup();
    for s in spans {
        match (qo.get(s), qn.get(s)) {
            (None, Some(q)) => d.quotes_added.push(describe(q)),
            (Some(q), None) => d.quotes_lost.push(describe(q)),
            (Some(a), Some(b)) if a.1 != b.1 => d
                .speakers_changed
                .push(format!("“{}”: {} → {}", b.0, a.1, b.1)),
            _ => {}
        }
    }
    d
}

/// Pairs records by id, in the new set's order, then those only in the old set.
fn pairs<'a>(
    old: &'a [Record],
    new: &'a [Record],
) -> Vec<(Option<&'a Record>, Option<&'a Record>)> {
    let old_by_id: HashMap<&str, &Record> = old.iter().map(|r| (r.id.as_str(), r)).collect();
    let new_ids: BTreeSet<&str> = new.iter().map(|r| r.id.as_str()).collect();
    let mut out: Vec<_> = new
        .iter()
        .map(|n| (old_by_id.get(n.id.as_str()).copied(), Some(n)))
        .collect();
    out.extend(
        old.iter()
            .filter(|o| !new_ids.contains(o.id.as_str()))
            .map(|o| (Some(o), None)),
    );
    out
}

/// The comparison as text, one block per article that changed.
pub fn report(old: &[Record], new: &[Record]) -> String {
    let mut out = String::new();
    let mut unchanged = 0;
    for pair in pairs(old, new) {
        match pair {
            (Some(o), Some(n)) => {
                let d = diff(o, n);
                if d.is_empty() {
                    unchanged += 1;
                    continue;
                }
                let _ = writeln!(out, "{}", n.id);
                for (sign, list) in [("+", &d.entities_added), ("-", &d.entities_lost)] {
                    for e in list {
                        let _ = writeln!(out, "  {sign} entity {e}");
                    }
                }
                let _ = writeln!(
                    out,
                    "  mentions: {} added, {} lost",
                    d.mentions_added.len(),
                    d.mentions_lost.len()
                );
                for (sign, list) in [
                    ("+", &d.quotes_added),
                    ("-", &d.quotes_lost),
                    ("~", &d.speakers_changed),
                ] {
                    for q in list {
                        let _ = writeln!(out, "  {sign} quote {q}");
                    }
                }
            }
            (None, Some(n)) => {
                let _ = writeln!(out, "{}: only in the new records", n.id);
            }
            (Some(o), None) => {
                let _ = writeln!(out, "{}: only in the old records", o.id);
            }
            (None, None) => {}
        }
    }
    let _ = writeln!(out, "{unchanged} articles unchanged");
    out
}

/// The comparison page: a summary table, then per article its changes and both versions side by
/// side, what was lost marked in the old one and what was added in the new one.
pub fn page(old: &[Record], new: &[Record], texts: &HashMap<String, String>) -> String {
    let mut rows = String::new();
    let mut sections = String::new();
    for (i, (o, n)) in pairs(old, new).into_iter().enumerate() {
        let id = n.or(o).map(|r| r.id.as_str()).unwrap_or_default();
        let d = match (o, n) {
            (Some(o), Some(n)) => diff(o, n),
            _ => ArticleDiff::default(),
        };
        let count = |r: Option<&Record>, f: fn(&Record) -> usize| {
            r.map_or("—".to_owned(), |r| f(r).to_string())
        };
        let _ = writeln!(
            rows,
            "<tr><td><a href=\"#a{i}\">{}</a></td><td>{} → {}</td><td>{} → {}</td><td>{} → {}</td>\
             <td class=\"added\">+{}</td><td class=\"lost\">−{}</td></tr>",
            escape(id),
            count(o, |r| r.entities.len()),
            count(n, |r| r.entities.len()),
            count(o, |r| r.text_mentions().count()),
            count(n, |r| r.text_mentions().count()),
            count(o, |r| r.quotes.len()),
            count(n, |r| r.quotes.len()),
            d.entities_added.len() + d.mentions_added.len() + d.quotes_added.len(),
            d.entities_lost.len() + d.mentions_lost.len() + d.quotes_lost.len(),
        );
        let text = texts.get(id).map(String::as_str);
        let side = |r: Option<&Record>,
                    label: &'static str,
                    spans: &[(usize, usize)],
                    quotes: &[(usize, usize)]| {
            r.map_or(
                "<p class=\"note\">absent from this set</p>".to_owned(),
                |r| {
                    let changed = Changed {
                        label,
                        mentions: spans.iter().copied().collect(),
                        quotes: quotes.iter().copied().collect(),
                    };
                    html::article(r, text, Some(&changed))
                },
            )
        };
        let (qa, ql) = quote_spans(o, n);
        let unchanged = o.is_some() && n.is_some() && d.is_empty();
        let _ = writeln!(
            sections,
            "<section class=\"article\" id=\"a{i}\" data-article=\"{}\"><details{}><summary><b>{}</b> {}</summary>\
             {}<div class=\"columns\"><div class=\"old\"><h3>old</h3>{}</div><div class=\"new\"><h3>new</h3>{}</div>\
             </div></details></section>",
            escape(id),
            // Unchanged articles stay folded, so the changes stand out; a click unfolds them.
            if unchanged { "" } else { " open" },
            escape(id),
            if unchanged { "unchanged" } else { "changed" },
            changes(&d),
            side(o, "lost", &d.mentions_lost, &ql),
            side(n, "added", &d.mentions_added, &qa),
        );
    }
    let table = format!(
        "<table class=\"summary\"><thead><tr><th>article</th><th>entities</th><th>mentions</th>\
         <th>quotes</th><th>added</th><th>lost</th></tr></thead><tbody>\n{rows}</tbody></table>\n"
    );
    html::document(
        "article-enricher: comparison of two record sets",
        &(table + &sections),
    )
}

type Spans = Vec<(usize, usize)>;

/// Quote spans only in the new set, and only in the old one.
fn quote_spans(o: Option<&Record>, n: Option<&Record>) -> (Spans, Spans) {
    let spans = |r: Option<&Record>| -> BTreeSet<(usize, usize)> {
        r.map(|r| r.quotes.iter().map(|q| (q.start, q.end)).collect())
            .unwrap_or_default()
    };
    let (so, sn) = (spans(o), spans(n));
    (
        sn.difference(&so).copied().collect(),
        so.difference(&sn).copied().collect(),
    )
}

fn changes(d: &ArticleDiff) -> String {
    let mut items = String::new();
    let lists = [
        ("added", "+ entity", &d.entities_added),
        ("lost", "− entity", &d.entities_lost),
        ("added", "+ quote", &d.quotes_added),
        ("lost", "− quote", &d.quotes_lost),
        ("changed", "~ speaker", &d.speakers_changed),
    ];
    for (class, label, list) in lists {
        for item in list {
            let _ = write!(items, "<li class=\"{class}\">{label} {}</li>", escape(item));
        }
    }
    format!(
        "<p class=\"changes\">mentions: {} added, {} lost</p><ul class=\"changes\">{items}</ul>",
        d.mentions_added.len(),
        d.mentions_lost.len()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::view::records::read_records;

    fn record(json: &str) -> Record {
        read_records(json.as_bytes(), "t").unwrap().remove(0)
    }

    const OLD: &str = r#"{"id":"a","entities":[{"id":"e1","name":"Anne","type":"PERSON","mentions":[{"start":0,"end":4,"text":"Anne"}]},{"id":"e2","name":"Paris","type":"LOCATION","mentions":[{"start":10,"end":15,"text":"Paris"}]}],"quotes":[{"id":"q1","kind":"direct","text":"Hi","start":20,"end":22,"speaker":{"text":"she","start":24,"end":27,"entity_id":null}}]}"#;
    const NEW: &str = r#"{"id":"a","entities":[{"id":"e1","name":"Anne","type":"PERSON","mentions":[{"start":0,"end":4,"text":"Anne"},{"start":30,"end":34,"text":"Anne"}]}],"quotes":[{"id":"q1","kind":"direct","text":"Hi","start":20,"end":22,"speaker":{"text":"she","start":24,"end":27,"entity_id":"e1"}},{"id":"q2","kind":"partial","text":"yes","start":40,"end":43,"speaker":null}]}"#;

    #[test]
    fn finds_added_and_lost_entities_mentions_quotes_and_speaker_changes() {
        let d = diff(&record(OLD), &record(NEW));
        assert_eq!(d.entities_added, Vec::<String>::new());
        assert_eq!(d.entities_lost, vec!["LOCATION Paris"]);
        assert_eq!(d.mentions_added, vec![(30, 34)]);
        assert_eq!(d.mentions_lost, vec![(10, 15)]);
        assert_eq!(d.quotes_added, vec!["“yes” — no speaker"]);
        assert!(d.quotes_lost.is_empty());
        assert_eq!(d.speakers_changed, vec!["“Hi”: she → she → Anne"]);
        assert!(diff(&record(NEW), &record(NEW)).is_empty());
    }

    #[test]
    fn report_names_articles_present_in_one_set_only() {
        let b = record(&NEW.replace("\"id\":\"a\"", "\"id\":\"b\""));
        let text = report(&[record(OLD)], &[record(NEW), b]);
        assert!(text.contains("a\n  - entity LOCATION Paris\n"), "{text}");
        assert!(text.contains("b: only in the new records"), "{text}");
        assert!(text.contains("0 articles unchanged"), "{text}");
    }
}
