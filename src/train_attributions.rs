//! `article-enricher train-attributions`: trains the learned stage of
//! reported speech (`extract/quotes/reported/learned`) on PolNeAR train
//! and chooses its decision threshold by cross-validation over train.
//!
//! Every candidate report the rules did not make is labelled by the
//! end-to-end rule of `score_quotes.py` (its content half inside one gold
//! content, its speaker overlapping that gold's source). Folds are by
//! article index % `folds`; for each threshold the held-out folds'
//! predictions (rules + kept candidates) are pooled and scored as
//! `eval-quotes --all-attributions` scores them, and the threshold with the
//! best F1 at a precision of at least `min_precision` is written into the
//! model, which is then trained on all of train. Deterministic: the same
//! data gives the same bytes.

use std::path::PathBuf;

use anyhow::Context as _;

use crate::eval_quotes::{e2e_correct, load_split, score, Article, Predicted};
use crate::extract::entities::find_entities;
use crate::extract::offsets::ByteToChar;
use crate::extract::quotes::{merge_learned, training_candidates, CueModel, Trainer};
use crate::extract::{FoundQuote, QuoteKind};

#[derive(Debug, clap::Args)]
pub struct TrainAttributionsArgs {
    /// The PolNeAR folder holding `train/text` and `train/attributions`.
    #[arg(long, env = "ENRICHER_POLNEAR_ROOT")]
    pub root: PathBuf,
    /// Where to write the model (without it: cross-validation only).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Passes over the candidates.
    #[arg(long, default_value_t = 10)]
    pub epochs: u16,
    /// log2 of the number of feature hash buckets.
    #[arg(long, default_value_t = 16, value_parser = clap::value_parser!(u32).range(4..=24))]
    pub bits: u32,
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u16).range(2..))]
    pub folds: u16,
    /// Least end-to-end precision (percent) the threshold must keep.
    #[arg(long, default_value_t = 85.0)]
    pub min_precision: f64,
}

/// One training article: the rules' attributions and the candidates.
struct Prepared {
    base: Vec<FoundQuote>,
    candidates: Vec<(Vec<u64>, bool, FoundQuote)>,
}

pub fn run(args: &TrainAttributionsArgs) -> anyhow::Result<()> {
    let articles = load_split(&args.root, "train")?;
    let prepared: Vec<Prepared> = articles.iter().map(prepare).collect();
    let n: usize = prepared.iter().map(|p| p.candidates.len()).sum();
    let pos: usize = prepared
        .iter()
        .flat_map(|p| &p.candidates)
        .filter(|c| c.1)
        .count();
    eprintln!(
        "{} articles, {n} candidates, {pos} right end to end",
        articles.len()
    );
    let folds = usize::from(args.folds);
    let mut held_out: Vec<Vec<i32>> = vec![Vec::new(); prepared.len()];
    for fold in 0..folds {
        let model = train(args, &prepared, |i| i % folds != fold, 0);
        for (i, p) in prepared
            .iter()
            .enumerate()
            .filter(|(i, _)| i % folds == fold)
        {
            held_out[i] = p.candidates.iter().map(|c| model.score(&c.0)).collect();
        }
    }
    let threshold = choose_threshold(args, &articles, &prepared, &held_out);
    let Some(out) = &args.out else {
        return Ok(());
    };
    let model = train(args, &prepared, |_| true, threshold);
    std::fs::write(out, model.to_bytes()).with_context(|| format!("writing {}", out.display()))
}

fn prepare(article: &Article) -> Prepared {
    let entities = find_entities(&article.text, "");
    let mut base = crate::extract::quotes::find_quotes(&article.text, &entities);
    let found = training_candidates(&article.text, &entities, &mut base);
    let map = ByteToChar::new(&article.text);
    let chars: Vec<char> = article.text.chars().collect();
    let char_span =
        |b: crate::extract::ByteSpan| (map.char_offset(b.start), map.char_offset(b.end));
    let candidates = found
        .into_iter()
        .map(|c| {
            let speaker = c.quote.speaker.map_or((0, 0), |(s, _)| char_span(s));
            let right = e2e_correct(&chars, &article.gold, char_span(c.quote.content), speaker);
            (c.features, right, c.quote)
        })
        .collect();
    Prepared { base, candidates }
}

/// A perceptron over the candidates of the articles `use_article` picks,
/// in article order, `epochs` times.
fn train(
    args: &TrainAttributionsArgs,
    prepared: &[Prepared],
    use_article: impl Fn(usize) -> bool,
    threshold: i32,
) -> CueModel {
    let mut trainer = Trainer::new(args.bits);
    for _ in 0..args.epochs {
        for (_, p) in prepared.iter().enumerate().filter(|(i, _)| use_article(*i)) {
            for (features, right, _) in &p.candidates {
                trainer.learn(features, *right);
            }
        }
    }
    trainer.model(threshold)
}

/// The threshold with the best pooled held-out F1 at the least precision.
fn choose_threshold(
    args: &TrainAttributionsArgs,
    articles: &[Article],
    prepared: &[Prepared],
    held_out: &[Vec<i32>],
) -> i32 {
    let mut best = (f64::MIN, i32::MAX);
    eprintln!("threshold\tP\tR\tF1");
    for threshold in (-10..=30).map(|t| t * 2000) {
        let predictions: Vec<Vec<Predicted>> = articles
            .iter()
            .zip(prepared)
            .zip(held_out)
            .map(|((a, p), scores)| predict(a, p, scores, threshold))
            .collect();
        let scores = score(articles, &predictions, true);
        let get = |k: &str| scores.iter().find(|s| s.0 == k).map_or(0.0, |s| s.1);
        let (p, r, f1) = (get("e2e_precision"), get("e2e_recall"), get("e2e_f1"));
        eprintln!("{threshold}\t{p}\t{r}\t{f1}");
        if p >= args.min_precision && f1 > best.0 {
            best = (f1, threshold);
        }
    }
    eprintln!("chosen threshold {} (CV e2e F1 {})", best.1, best.0);
    best.1
}

fn predict(article: &Article, p: &Prepared, scores: &[i32], threshold: i32) -> Vec<Predicted> {
    let mut quotes = p.base.clone();
    let kept = p
        .candidates
        .iter()
        .zip(scores)
        .filter(|(_, &s)| s > threshold)
        .map(|(c, &s)| (s, c.2.clone()))
        .collect();
    merge_learned(&mut quotes, kept);
    let map = ByteToChar::new(&article.text);
    let span = |b: crate::extract::ByteSpan| (map.char_offset(b.start), map.char_offset(b.end));
    quotes
        .iter()
        .map(|q| Predicted {
            kind: match q.kind {
                QuoteKind::Direct => "direct",
                QuoteKind::Partial => "partial",
                QuoteKind::Indirect => "indirect",
            },
            content: span(q.content),
            speaker: q.speaker.map(|(s, _)| span(s)),
        })
        .collect()
}
