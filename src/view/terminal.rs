//! The terminal view: per article its title, entities grouped by type with mention counts, and
//! each quote with its kind, speaker (and the entity it links to) and cue.

use std::fmt::Write;

use super::records::{Quote, Record};
use super::TYPES;

/// ANSI styling, or none (when stdout is not a terminal, or `NO_COLOR` is set).
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub color: bool,
}

impl Style {
    fn paint(self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }

    fn bold(self, text: &str) -> String {
        self.paint("1", text)
    }

    fn dim(self, text: &str) -> String {
        self.paint("2", text)
    }

    /// One colour per entity type, the same hues as the HTML page.
    fn entity(self, kind: &str, text: &str) -> String {
        let code = match kind {
            "PERSON" => "34",
            "ORGANIZATION" => "35",
            "LOCATION" => "32",
            _ => "33",
        };
        self.paint(code, text)
    }
}

/// Long quotes are cut here (in characters) so each stays readable on a terminal line or two.
const QUOTE_WIDTH: usize = 160;

/// Renders every record, one block per article.
pub fn render(records: &[Record], style: Style) -> String {
    let mut out = String::new();
    for record in records {
        render_record(&mut out, record, style);
        out.push('\n');
    }
    out
}

fn render_record(out: &mut String, r: &Record, style: Style) {
    let title = r.title.as_deref().unwrap_or("(no title)");
    let _ = writeln!(
        out,
        "{} {}",
        style.bold(title),
        style.dim(&format!("[{}]", r.id))
    );
    let meta = [
        r.publisher.as_deref().map(|p| format!("publisher {p}")),
        r.language.as_deref().map(|l| format!("language {l}")),
        Some(format!(
            "{} entities, {} quotes",
            r.entities.len(),
            r.quotes.len()
        )),
    ];
    let meta: Vec<String> = meta.into_iter().flatten().collect();
    let _ = writeln!(out, "  {}", style.dim(&meta.join(" · ")));
    for warning in &r.warnings {
        let _ = writeln!(out, "  {} {warning}", style.paint("33", "warning:"));
    }
    render_entities(out, r, style);
    if !r.quotes.is_empty() {
        let _ = writeln!(out, "  {}", style.bold("quotes"));
    }
    for quote in &r.quotes {
        render_quote(out, r, quote, style);
    }
}

fn render_entities(out: &mut String, r: &Record, style: Style) {
    for kind in TYPES {
        let of_kind = r.entities_of(kind);
        if of_kind.is_empty() {
            continue;
        }
        let names: Vec<String> = of_kind
            .iter()
            .map(|e| format!("{} ×{}", style.entity(kind, &e.name), e.mentions.len()))
            .collect();
        let label = format!("{:<13}", kind);
        let _ = writeln!(out, "  {} {}", style.entity(kind, &label), names.join(", "));
    }
    // Types outside the four known ones still show, so nothing in a record is hidden.
    for e in r
        .entities
        .iter()
        .filter(|e| !TYPES.contains(&e.kind.as_str()))
    {
        let _ = writeln!(out, "  {:<13} {} ×{}", e.kind, e.name, e.mentions.len());
    }
}

fn render_quote(out: &mut String, r: &Record, q: &Quote, style: Style) {
    let _ = writeln!(
        out,
        "    {} {:<7} “{}”",
        style.dim(&q.id),
        q.kind,
        shorten(&q.text)
    );
    let speaker = match &q.speaker {
        None => "no speaker".to_owned(),
        Some(s) => match s.entity_id.as_deref().and_then(|id| r.entity(id)) {
            Some(e) if e.name != s.text => {
                format!("{} → {}", s.text, style.entity(&e.kind, &e.name))
            }
            Some(e) => style.entity(&e.kind, &e.name),
            None => format!("{} {}", s.text, style.dim("(no entity)")),
        },
    };
    let cue = q
        .cue
        .as_ref()
        .map(|c| format!(" · cue “{}”", c.text))
        .unwrap_or_default();
    let _ = writeln!(out, "            — {speaker}{cue}");
}

fn shorten(text: &str) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= QUOTE_WIDTH {
        return flat;
    }
    let cut: String = flat.chars().take(QUOTE_WIDTH - 1).collect();
    format!("{}…", cut.trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::view::records::read_records;

    const RECORD: &str = r#"{"id":"a1","title":"Lavrov speaks","publisher":"seed","language":"en",
        "entities":[
          {"id":"e1","name":"Sergey Lavrov","type":"PERSON","mentions":[
            {"start":0,"end":6,"text":"Lavrov","field":"title"},{"start":0,"end":13,"text":"Sergey Lavrov"}]},
          {"id":"e2","name":"Moscow","type":"LOCATION","mentions":[{"start":20,"end":26,"text":"Moscow"}]}],
        "quotes":[{"id":"q1","kind":"direct","text":"We welcome it","start":30,"end":43,
          "speaker":{"text":"He","start":50,"end":52,"entity_id":"e1"},
          "cue":{"text":"said","start":53,"end":57}}],
        "warnings":[]}"#;

    fn record() -> Vec<Record> {
        read_records(RECORD.replace('\n', " ").as_bytes(), "test").unwrap()
    }

    #[test]
    fn plain_view_lists_entities_by_type_and_quotes_with_speaker_entity_and_cue() {
        let text = render(&record(), Style { color: false });
        assert!(
            !text.contains('\x1b'),
            "no escape codes when plain: {text:?}"
        );
        assert!(text.starts_with("Lavrov speaks [a1]\n"), "{text}");
        assert!(text.contains("publisher seed · language en · 2 entities, 1 quotes"));
        assert!(text.contains("PERSON        Sergey Lavrov ×2"), "{text}");
        assert!(text.contains("LOCATION      Moscow ×1"), "{text}");
        assert!(text.contains("q1 direct  “We welcome it”"), "{text}");
        assert!(text.contains("— He → Sergey Lavrov · cue “said”"), "{text}");
    }

    #[test]
    fn colour_view_paints_entities_by_type() {
        let text = render(&record(), Style { color: true });
        assert!(text.contains("\x1b[34mSergey Lavrov\x1b[0m"), "{text:?}");
        assert!(text.contains("\x1b[32mMoscow\x1b[0m"), "{text:?}");
    }

    #[test]
    fn long_quotes_are_cut_at_a_character_boundary() {
        let long = "é".repeat(400);
        let short = shorten(&long);
        assert_eq!(short.chars().count(), QUOTE_WIDTH);
        assert!(short.ends_with('…'));
    }
}
