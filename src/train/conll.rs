//! CoNLL-2003 reading, rendered exactly as `../shared/eval/conll_to_articles.py`
//! does: one article per -DOCSTART- document, tokens joined by single spaces,
//! sentences by newlines, gold spans from IOB tags.
use std::path::Path;

use anyhow::Context;

/// A gold entity: byte and code point offsets into the article text, and the
/// type index (0 PER, 1 ORG, 2 LOC, 3 MISC, as in `entities::tags::TYPES`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct GoldSpan {
    pub start: usize,
    pub end: usize,
    pub char_start: usize,
    pub char_end: usize,
    pub kind: usize,
}

pub struct ConllDoc {
    pub text: String,
    pub spans: Vec<GoldSpan>,
}

pub fn read_conll(path: &Path) -> anyhow::Result<Vec<ConllDoc>> {
    let content =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    Ok(parse_conll(&content))
}

type Sentence<'a> = Vec<(&'a str, &'a str)>;

pub fn parse_conll(content: &str) -> Vec<ConllDoc> {
    let mut docs: Vec<Vec<Sentence>> = Vec::new();
    let (mut doc, mut sent): (Vec<Sentence>, Sentence) = (Vec::new(), Vec::new());
    for line in content.lines() {
        let parts: Vec<&str> = line.split_whitespace().collect();
        match parts.first() {
            None => {
                if !sent.is_empty() {
                    doc.push(std::mem::take(&mut sent));
                }
            }
            Some(&"-DOCSTART-") => {
                if !sent.is_empty() {
                    doc.push(std::mem::take(&mut sent));
                }
                if !doc.is_empty() {
                    docs.push(std::mem::take(&mut doc));
                }
            }
            Some(word) => sent.push((word, parts[parts.len() - 1])),
        }
    }
    if !sent.is_empty() {
        doc.push(sent);
    }
    if !doc.is_empty() {
        docs.push(doc);
    }
    docs.iter().map(|d| render(d)).collect()
}

fn type_index(tag: &str) -> Option<usize> {
    ["PER", "ORG", "LOC", "MISC"].iter().position(|t| *t == tag)
}

fn render(doc: &[Sentence]) -> ConllDoc {
    let (mut text, mut spans, mut chars) = (String::new(), Vec::new(), 0usize);
    // (byte start, char start, type, byte end, char end) of the open entity.
    let mut open: Option<(usize, usize, usize, usize, usize)> = None;
    let close = |open: &mut Option<(usize, usize, usize, usize, usize)>,
                 spans: &mut Vec<GoldSpan>| {
        if let Some((start, char_start, kind, end, char_end)) = open.take() {
            spans.push(GoldSpan {
                start,
                end,
                char_start,
                char_end,
                kind,
            });
        }
    };
    for (si, sent) in doc.iter().enumerate() {
        if si > 0 {
            text.push('\n');
            chars += 1;
        }
        for (ti, (word, tag)) in sent.iter().enumerate() {
            if ti > 0 {
                text.push(' ');
                chars += 1;
            }
            let (start, char_start) = (text.len(), chars);
            text.push_str(word);
            chars += word.chars().count();
            let (prefix, kind) = (
                tag.get(..2).unwrap_or(""),
                tag.get(2..).and_then(type_index),
            );
            match (prefix, kind) {
                ("I-", Some(k)) if open.is_some_and(|o| o.2 == k) => {
                    if let Some(o) = open.as_mut() {
                        (o.3, o.4) = (text.len(), chars);
                    }
                }
                ("B-" | "I-", Some(k)) => {
                    close(&mut open, &mut spans);
                    open = Some((start, char_start, k, text.len(), chars));
                }
                _ => close(&mut open, &mut spans),
            }
        }
        close(&mut open, &mut spans);
    }
    ConllDoc { text, spans }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_like_the_python_converter() {
        let conll = "-DOCSTART- -X- -X- O\n\nEU NNP B-NP B-ORG\nrejects VBZ B-VP O\nGerman JJ B-NP B-MISC\n\nPeter NNP B-NP B-PER\nBlackburn NNP I-NP I-PER\n\n-DOCSTART- -X- O O\n\nZoë X X I-LOC\n";
        let docs = parse_conll(conll);
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[0].text, "EU rejects German\nPeter Blackburn");
        let spans: Vec<_> = docs[0]
            .spans
            .iter()
            .map(|s| (&docs[0].text[s.start..s.end], s.char_start, s.kind))
            .collect();
        assert_eq!(
            spans,
            [("EU", 0, 1), ("German", 11, 3), ("Peter Blackburn", 18, 0)]
        );
        assert_eq!((docs[1].spans[0].end, docs[1].spans[0].char_end), (4, 3));
    }
}
