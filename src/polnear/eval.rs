//! `article-enricher eval-quotes`: runs the extractor over a PolNeAR split
//! and prints the numbers `../shared/eval/score_quotes.py` prints, with the
//! same matching rules (ported from that script and `polnear.py`).
//!
//! This reads data at run time only; none of it is in the repository.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use anyhow::Context as _;

use crate::config::AttributionsArg;
use crate::extract::{analyze_with, Document, QuoteKind};

#[derive(Debug, clap::Args)]
pub struct EvalQuotesArgs {
    /// The PolNeAR folder holding `<split>/text` and `<split>/attributions`.
    #[arg(long, env = "ENRICHER_POLNEAR_ROOT")]
    pub root: PathBuf,
    /// Which split to score.
    #[arg(long, default_value = "dev")]
    pub split: String,
    /// Also write the predictions as JSONL records (for score_quotes.py).
    #[arg(long)]
    pub pred_out: Option<PathBuf>,
    /// Score against every attribution, reported speech included, as
    /// `score_quotes.py --all-attributions` does.
    #[arg(long)]
    pub all_attributions: bool,
    /// Which attributions the extractor reports (as for `extract`).
    #[arg(long, value_enum, default_value_t = AttributionsArg::All)]
    pub attributions: AttributionsArg,
}

/// One gold attribution.
pub(crate) struct Gold {
    content: Vec<(usize, usize)>,
    source: Vec<(usize, usize)>,
    pure_direct: bool,
    /// Its content holds a double quotation mark (direct or partial).
    has_quote_mark: bool,
}

pub(crate) struct Article {
    pub stem: String,
    pub text: String,
    pub gold: Vec<Gold>,
}

/// A predicted quote in code point offsets.
pub(crate) struct Predicted {
    pub kind: &'static str,
    pub content: (usize, usize),
    pub speaker: Option<(usize, usize)>,
}

pub fn run(args: &EvalQuotesArgs) -> anyhow::Result<()> {
    let mut articles = load_split(&args.root, &args.split)?;
    let scope = args.attributions.into();
    let mut predictions: Vec<Vec<Predicted>> =
        articles.iter().map(|a| predict(&a.text, scope)).collect();
    if let Some(path) = &args.pred_out {
        write_predictions(path, &articles, &predictions)?;
    }
    if !args.all_attributions {
        // The default mode: quoted gold only, and indirect predictions ignored.
        for a in &mut articles {
            a.gold.retain(|g| g.has_quote_mark);
        }
        for p in &mut predictions {
            p.retain(|q| q.kind != "indirect");
        }
    }
    let mut scores = score(&articles, &predictions, args.all_attributions);
    scores.push(("articles", articles.len() as f64));
    scores.push(("articles_missing_from_pred", 0.0));
    println!("{}", to_json(&scores));
    Ok(())
}

/// The record's name of a quote kind, as the scorer reads it.
pub(crate) fn kind_name(kind: QuoteKind) -> &'static str {
    match kind {
        QuoteKind::Direct => "direct",
        QuoteKind::Partial => "partial",
        QuoteKind::Indirect => "indirect",
    }
}

fn predict(text: &str, scope: crate::extract::Attributions) -> Vec<Predicted> {
    let analysis = analyze_with(
        &Document {
            text,
            title: None,
            language: None,
        },
        scope,
    );
    analysis
        .quotes
        .iter()
        .map(|q| Predicted {
            kind: kind_name(q.kind),
            content: (q.span.start, q.span.end),
            speaker: q.speaker.as_ref().map(|s| (s.span.start, s.span.end)),
        })
        .collect()
}

fn write_predictions(
    path: &Path,
    articles: &[Article],
    predictions: &[Vec<Predicted>],
) -> anyhow::Result<()> {
    let mut out = String::new();
    for (article, preds) in articles.iter().zip(predictions) {
        let quotes: Vec<_> = preds
            .iter()
            .map(|p| {
                let speaker = p.speaker.map(|(start, end)| serde_json::json!({"start": start, "end": end}));
                serde_json::json!({"kind": p.kind, "start": p.content.0, "end": p.content.1, "speaker": speaker})
            })
            .collect();
        out.push_str(&serde_json::json!({"id": article.stem, "quotes": quotes}).to_string());
        out.push('\n');
    }
    std::fs::write(path, out).with_context(|| format!("writing {}", path.display()))
}

// ---- loading (polnear.py) ----

pub(crate) fn load_split(root: &Path, split: &str) -> anyhow::Result<Vec<Article>> {
    let base = root.join(split);
    let ann_dir = base.join("attributions");
    let mut files: Vec<String> = std::fs::read_dir(&ann_dir)
        .with_context(|| format!("reading {}", ann_dir.display()))?
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .collect();
    files.sort();
    let mut articles: Vec<Article> = Vec::new();
    for file in files {
        let Some(stem) = annotation_stem(&file) else {
            continue;
        };
        if articles.iter().any(|a| a.stem == stem) {
            continue;
        }
        let text_path = base.join("text").join(format!("{stem}.txt"));
        let text = std::fs::read_to_string(&text_path)
            .with_context(|| format!("reading {}", text_path.display()))?;
        let ann = std::fs::read_to_string(ann_dir.join(&file))?;
        let gold = parse_gold(&text, &ann);
        articles.push(Article {
            stem: stem.to_owned(),
            text,
            gold,
        });
    }
    Ok(articles)
}

/// `<stem>_<4 hex digits>.ann` -> `<stem>`.
fn annotation_stem(file: &str) -> Option<&str> {
    let base = file.strip_suffix(".ann")?;
    let (stem, annotator) = base.rsplit_once('_')?;
    (annotator.len() == 4 && annotator.bytes().all(|b| b.is_ascii_hexdigit())).then_some(stem)
}

type Segments = Vec<(usize, usize)>;

fn parse_gold(text: &str, ann: &str) -> Vec<Gold> {
    let chars: Vec<char> = text.chars().collect();
    let mut spans: BTreeMap<&str, Segments> = BTreeMap::new();
    let mut relations: Vec<BTreeMap<&str, &str>> = Vec::new();
    for line in ann.lines() {
        let mut fields = line.split('\t');
        let (Some(id), Some(mid)) = (fields.next(), fields.next()) else {
            continue;
        };
        if id.starts_with('T') {
            let Some((_, segs)) = mid.split_once(' ') else {
                continue;
            };
            let segments = segs
                .split(';')
                .filter_map(|s| {
                    let (a, b) = s.trim().split_once(' ')?;
                    Some((a.parse().ok()?, b.parse().ok()?))
                })
                .collect();
            spans.insert(id, segments);
        } else if id.starts_with('E') {
            relations.push(
                mid.split_whitespace()
                    .filter_map(|kv| kv.split_once(':'))
                    .collect(),
            );
        }
    }
    let segments_of = |rel: &BTreeMap<&str, &str>, key: &str| -> Segments {
        rel.get(key)
            .and_then(|t| spans.get(t))
            .cloned()
            .unwrap_or_default()
    };
    relations
        .iter()
        .filter_map(|rel| {
            let mut content = segments_of(rel, "Content");
            content.extend(segments_of(rel, "Content2"));
            if content.is_empty() {
                return None;
            }
            let ctext: Vec<String> = content.iter().map(|&(a, b)| slice(&chars, a, b)).collect();
            let ctext = ctext.join(" ");
            let trimmed = ctext
                .trim()
                .trim_end_matches(['.', ',', ';', ':', '!', '?', ' ']);
            Some(Gold {
                content,
                source: segments_of(rel, "Source"),
                pure_direct: starts_double_quote(trimmed) && ends_double_quote(trimmed),
                has_quote_mark: has_double_quote(&ctext),
            })
        })
        .collect()
}

fn slice(chars: &[char], a: usize, b: usize) -> String {
    chars
        .get(a.min(chars.len())..b.min(chars.len()))
        .unwrap_or(&[])
        .iter()
        .collect()
}

const DOUBLE_QUOTES: [char; 3] = ['\u{201c}', '\u{201d}', '"'];

fn has_double_quote(s: &str) -> bool {
    s.contains(DOUBLE_QUOTES) || s.contains("''") || s.contains("``")
}

fn starts_double_quote(s: &str) -> bool {
    s.starts_with(DOUBLE_QUOTES) || s.starts_with("''") || s.starts_with("``")
}

fn ends_double_quote(s: &str) -> bool {
    s.ends_with(DOUBLE_QUOTES) || s.ends_with("''") || s.ends_with("``")
}

// ---- scoring (score_quotes.py) ----

/// Whether one prediction is right end to end on its own: half its
/// alphanumeric characters in one gold content (the one it overlaps most)
/// and its speaker overlapping that gold's source.
pub(crate) fn e2e_correct(
    chars: &[char],
    gold: &[Gold],
    content: (usize, usize),
    speaker: (usize, usize),
) -> bool {
    let ps = alnum(chars, &[content]);
    let best = gold
        .iter()
        .map(|g| (ps.intersection(&alnum(chars, &g.content)).count(), g))
        .fold(
            (0, None),
            |b, (n, g)| if n > b.0 { (n, Some(g)) } else { b },
        );
    let (overlap, Some(g)) = best else {
        return false;
    };
    let inside = overlap as f64 / ps.len() as f64 >= 0.5;
    inside && !alnum(chars, &[speaker]).is_disjoint(&alnum(chars, &g.source))
}

/// Code point offsets of the alphanumeric characters inside `spans`.
fn alnum(chars: &[char], spans: &[(usize, usize)]) -> HashSet<usize> {
    spans
        .iter()
        .flat_map(|&(a, b)| a..b.min(chars.len()))
        .filter(|&i| chars[i].is_alphanumeric())
        .collect()
}

#[derive(Default)]
struct Counts {
    n_pred: usize,
    correct: usize,
    speaker_ok: usize,
    e2e: usize,
    gold_any: usize,
    gold_pure: usize,
    found: usize,
    found_pure: usize,
    strict: usize,
    e2e_gold: usize,
    /// Gold, found, found end to end: quoted golds, then indirect ones.
    parts: [[usize; 3]; 2],
}

pub(crate) fn score(
    articles: &[Article],
    predictions: &[Vec<Predicted>],
    all_attributions: bool,
) -> Vec<(&'static str, f64)> {
    let mut c = Counts::default();
    for (article, preds) in articles.iter().zip(predictions) {
        score_article(article, preds, &mut c);
    }
    let pct = |a: usize, b: usize| {
        if b == 0 {
            0.0
        } else {
            round2(100.0 * a as f64 / b as f64)
        }
    };
    let f1 = |p: f64, r: f64| {
        if p + r == 0.0 {
            0.0
        } else {
            round2(2.0 * p * r / (p + r))
        }
    };
    let (qp, qr) = (pct(c.correct, c.n_pred), pct(c.found, c.gold_any));
    let (ep, er) = (pct(c.e2e, c.n_pred), pct(c.e2e_gold, c.gold_any));
    let mut out = vec![("quotes_predicted", c.n_pred as f64)];
    if !all_attributions {
        out.push(("gold_quoted", c.gold_any as f64));
    }
    out.extend([
        ("gold_pure_direct", c.gold_pure as f64),
        ("quote_precision", qp),
        ("quote_recall", qr),
        ("quote_f1", f1(qp, qr)),
        ("quote_recall_pure_direct", pct(c.found_pure, c.gold_pure)),
        (
            "quote_recall_pure_direct_strict80",
            pct(c.strict, c.gold_pure),
        ),
        ("speaker_accuracy", pct(c.speaker_ok, c.correct)),
        ("e2e_precision", ep),
        ("e2e_recall", er),
        ("e2e_f1", f1(ep, er)),
    ]);
    // The order score_quotes.py prints in.
    if all_attributions {
        out.push(("gold_all", c.gold_any as f64));
        let names = [
            ("gold_quoted", "quote_recall_quoted", "e2e_recall_quoted"),
            (
                "gold_indirect",
                "quote_recall_indirect",
                "e2e_recall_indirect",
            ),
        ];
        for ((gold, found, e2e), [g, fo, fe]) in names.into_iter().zip(c.parts) {
            out.push((gold, g as f64));
            out.push((found, pct(fo, g)));
            out.push((e2e, pct(fe, g)));
        }
    }
    out
}

fn score_article(article: &Article, preds: &[Predicted], c: &mut Counts) {
    let chars: Vec<char> = article.text.chars().collect();
    let gold_sets: Vec<HashSet<usize>> = article
        .gold
        .iter()
        .map(|g| alnum(&chars, &g.content))
        .collect();
    c.gold_any += article.gold.len();
    c.gold_pure += article.gold.iter().filter(|g| g.pure_direct).count();
    let mut matched: Vec<Vec<HashSet<usize>>> = vec![Vec::new(); article.gold.len()];
    let mut e2e_found = HashSet::new();
    for pred in preds {
        c.n_pred += 1;
        let ps = alnum(&chars, &[pred.content]);
        if ps.is_empty() {
            continue;
        }
        let mut best = (0, None);
        for (i, gs) in gold_sets.iter().enumerate() {
            let overlap = ps.intersection(gs).count();
            if overlap > best.0 {
                best = (overlap, Some(i));
            }
        }
        let (overlap, Some(bi)) = best else { continue };
        if (overlap as f64) / (ps.len() as f64) < 0.5 {
            continue;
        }
        c.correct += 1;
        let gold = &article.gold[bi];
        let speaker = alnum(&chars, &pred.speaker.into_iter().collect::<Vec<_>>());
        let ok = !gold.source.is_empty() && !speaker.is_disjoint(&alnum(&chars, &gold.source));
        matched[bi].push(ps);
        if ok {
            c.speaker_ok += 1;
            c.e2e += 1;
            e2e_found.insert(bi);
        }
    }
    for (i, gold) in article.gold.iter().enumerate() {
        let part = &mut c.parts[usize::from(!gold.has_quote_mark)];
        part[0] += 1;
        part[1] += usize::from(!matched[i].is_empty());
        part[2] += usize::from(e2e_found.contains(&i));
        if matched[i].is_empty() {
            continue;
        }
        c.found += 1;
        if gold.pure_direct {
            c.found_pure += 1;
            let union: HashSet<usize> = matched[i].iter().flatten().copied().collect();
            let gs = &gold_sets[i];
            let inside = matched[i]
                .iter()
                .all(|ps| ps.intersection(gs).count() as f64 / ps.len() as f64 >= 0.8);
            if !gs.is_empty()
                && union.intersection(gs).count() as f64 / gs.len() as f64 >= 0.8
                && inside
            {
                c.strict += 1;
            }
        }
    }
    c.e2e_gold += e2e_found.len();
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// The same shape `score_quotes.py` prints: counts as integers, rates with
/// a decimal point.
fn to_json(scores: &[(&str, f64)]) -> String {
    let lines: Vec<String> = scores
        .iter()
        .map(|(k, v)| {
            let is_count = matches!(*k, "quotes_predicted" | "gold_pure_direct" | "articles")
                || k.starts_with("articles")
                || k.starts_with("gold_");
            if is_count {
                format!(" \"{k}\": {}", *v as u64)
            } else {
                format!(" \"{k}\": {v:?}")
            }
        })
        .collect();
    format!("{{\n{}\n}}", lines.join(",\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn annotation_file_names_give_the_article_stem() {
        assert_eq!(
            annotation_stem("nyt_2016-01-01_x_4e07.ann"),
            Some("nyt_2016-01-01_x")
        );
        assert_eq!(annotation_stem("notes.txt"), None);
    }

    #[test]
    fn gold_marks_quoted_and_pure_attributions() {
        let text = "Lavrov said \u{201c}no.\u{201d} He said maybe.";
        let ann = "T1\tSource 0 6\tLavrov\nT2\tCue 7 11\tsaid\nT3\tContent 12 17\t\u{201c}no.\u{201d}\n\
                   E1\tAttribution:T2 Content:T3 Cue:T2 Source:T1\nT4\tContent 26 32\tmaybe.\nE2\tAttribution:T2 Content:T4";
        let gold = parse_gold(text, ann);
        assert_eq!(gold.len(), 2);
        assert!(gold[0].pure_direct && gold[0].has_quote_mark);
        assert!(!gold[1].pure_direct && !gold[1].has_quote_mark);
        assert_eq!(gold[0].source, vec![(0, 6)]);
    }

    #[test]
    fn scoring_counts_a_matched_quote_and_its_speaker() {
        let text = "Lavrov said \u{201c}no way at all.\u{201d} Then it rained.".to_owned();
        let gold = vec![Gold {
            content: vec![(12, 28)],
            source: vec![(0, 6)],
            pure_direct: true,
            has_quote_mark: true,
        }];
        let article = Article {
            stem: "a".into(),
            text,
            gold,
        };
        let preds = vec![
            Predicted {
                kind: "direct",
                content: (13, 26),
                speaker: Some((0, 6)),
            },
            Predicted {
                kind: "partial",
                content: (29, 42),
                speaker: None,
            },
        ];
        let scores: BTreeMap<_, _> = score(&[article], &[preds], false).into_iter().collect();
        assert_eq!(scores["quote_precision"], 50.0);
        assert_eq!(scores["quote_recall"], 100.0);
        assert_eq!(scores["speaker_accuracy"], 100.0);
    }
}
