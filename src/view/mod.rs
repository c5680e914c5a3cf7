//! A readable view of enriched records, for people: a terminal summary, a self-contained HTML page
//! with the findings highlighted in the article text, and a comparison of two record sets.
//!
//! Pure rendering: callers read the files and write the output (`commands/view.rs`). Offsets in
//! records are Unicode code points into the article text, which records do not carry; the text comes
//! from the articles that were enriched, matched by id.

pub mod diff;
mod highlight;
pub mod html;
pub mod records;
mod style;
pub mod terminal;

/// The entity types, in the order the views list them.
pub const TYPES: [&str; 4] = ["PERSON", "ORGANIZATION", "LOCATION", "MISC"];

/// Escapes text for HTML element content and for double-quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn escape_covers_markup_and_both_quote_styles() {
        assert_eq!(
            super::escape(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }
}
