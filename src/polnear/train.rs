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

use super::eval::{e2e_correct, kind_name, load_split, score, Article, Predicted};
use crate::extract::entities::find_entities;
use crate::extract::offsets::ByteToChar;
use crate::extract::quotes::{merge_learned, training_candidates, CueModel, Trainer};
use crate::extract::FoundQuote;

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
    /// Perceptrons trained, each on its own shuffles of the articles,
    /// whose averaged weights are averaged into the model.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..))]
    pub runs: u16,
    /// Learn when the signed score is at most this (0: the plain
    /// perceptron; CV e2e F1 65.55 at 0, 65.97 at 50, 66.11 at 100).
    #[arg(long, default_value_t = 100.0)]
    pub margin: f64,
    /// log2 of the number of feature hash buckets.
    #[arg(long, default_value_t = 18, value_parser = clap::value_parser!(u32).range(4..=24))]
    pub bits: u32,
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u16).range(2..))]
    pub folds: u16,
    /// Least end-to-end precision (percent) the threshold must keep.
    #[arg(long, default_value_t = 85.0)]
    pub min_precision: f64,
    /// Writes every example with its held-out score (JSONL), for error
    /// analysis.
    #[arg(long)]
    pub dump: Option<PathBuf>,
}

/// One training article: the rules' attributions, the rules' reported
/// ones as examples (features, right end to end), and the new candidates.
struct Prepared {
    base: Vec<FoundQuote>,
    rules: Vec<Example>,
    candidates: Vec<Example>,
}

/// Features, whether right end to end, the attribution.
type Example = (Vec<u64>, bool, FoundQuote);

/// Held-out scores of one article's rule reports and candidates.
#[derive(Clone, Default)]
struct Scores {
    rules: Vec<i32>,
    candidates: Vec<i32>,
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
    let mut held_out = vec![Scores::default(); prepared.len()];
    for fold in 0..folds {
        let model = train(args, &prepared, |i| i % folds != fold, (0, 0));
        for (i, p) in prepared
            .iter()
            .enumerate()
            .filter(|(i, _)| i % folds == fold)
        {
            let score = |e: &[Example]| e.iter().map(|c| model.score(&c.0)).collect();
            held_out[i] = Scores {
                rules: score(&p.rules),
                candidates: score(&p.candidates),
            };
        }
    }
    if let Some(path) = &args.dump {
        dump(path, &articles, &prepared, &held_out)?;
    }
    let chosen = choose_thresholds(args, &articles, &prepared, &held_out);
    let Some(out) = &args.out else {
        return Ok(());
    };
    let model = train(args, &prepared, |_| true, chosen);
    std::fs::write(out, model.to_bytes()).with_context(|| format!("writing {}", out.display()))
}

fn prepare(article: &Article) -> Prepared {
    let entities = find_entities(&article.text, "");
    let mut base = crate::extract::quotes::find_quotes(&article.text, &entities);
    let found = training_candidates(&article.text, &entities, &mut base);
    let map = ByteToChar::new(&article.text);
    let chars: Vec<char> = article.text.chars().collect();
    let (mut rules, mut candidates) = (Vec::new(), Vec::new());
    for c in found {
        let speaker = c.quote.speaker.map_or((0, 0), |(s, _)| map.span(s));
        let right = e2e_correct(&chars, &article.gold, map.span(c.quote.content), speaker);
        let to = if c.by_rule {
            &mut rules
        } else {
            &mut candidates
        };
        to.push((c.features, right, c.quote));
    }
    Prepared {
        base,
        rules,
        candidates,
    }
}

/// `runs` averaged margin perceptrons over the candidates of the articles
/// `use_article` picks, `epochs` shuffles each, averaged into one model:
/// each run alone depends on its order, their mean less (no CV gain
/// measured: 65.56 with 3 runs, 65.58 with 5, 65.96 with 3 at margin 50).
fn train(
    args: &TrainAttributionsArgs,
    prepared: &[Prepared],
    use_article: impl Fn(usize) -> bool,
    (threshold, veto): (i32, i32),
) -> CueModel {
    let order: Vec<usize> = (0..prepared.len()).filter(|&i| use_article(i)).collect();
    let mut sum = vec![0.0; 1 << args.bits];
    for run in 0..args.runs {
        let weights = train_run(args, prepared, order.clone(), SHUFFLE_SEED + u64::from(run));
        sum.iter_mut().zip(weights).for_each(|(s, w)| *s += w);
    }
    let runs = f64::from(args.runs);
    let mean: Vec<f64> = sum.iter().map(|s| s / runs).collect();
    CueModel::quantized(args.bits, &mean, threshold, veto)
}

/// One run's averaged weights, the articles of `order` shuffled by `seed`.
fn train_run(
    args: &TrainAttributionsArgs,
    prepared: &[Prepared],
    mut order: Vec<usize>,
    seed: u64,
) -> Vec<f64> {
    let mut trainer = Trainer::new(args.bits, args.margin);
    let mut rng = seed;
    for _ in 0..args.epochs {
        shuffle(&mut order, &mut rng);
        for p in order.iter().map(|&i| &prepared[i]) {
            for (features, right, _) in p.rules.iter().chain(&p.candidates) {
                trainer.learn(features, *right);
            }
        }
    }
    trainer.averaged()
}

/// Seed of the per-epoch shuffle of training articles.
const SHUFFLE_SEED: u64 = 20_161_108;

/// Fisher-Yates with a 64-bit LCG (Knuth's MMIX constants): the same
/// order on every platform.
fn shuffle(items: &mut [usize], state: &mut u64) {
    for i in (1..items.len()).rev() {
        *state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let j = ((*state >> 33) % (i as u64 + 1)) as usize;
        items.swap(i, j);
    }
}

/// Vetoes tried: none, then scores a rule's report may be dropped at.
/// A margin perceptron scores most examples below 0, rule reports
/// included: its vetoes go over 0.
const VETOES: [i32; 11] = [
    i32::MIN,
    -40_000,
    -30_000,
    -25_000,
    -20_000,
    -15_000,
    -10_000,
    -5_000,
    0,
    5_000,
    10_000,
];

/// Thresholds tried, in steps of 2,000: a margin perceptron's wrong
/// candidates sit far enough below 0 that some of those just below it are
/// worth keeping.
const THRESHOLDS: std::ops::RangeInclusive<i32> = -10..=20;

/// The (threshold, veto) with the best pooled held-out F1 at the least
/// precision.
fn choose_thresholds(
    args: &TrainAttributionsArgs,
    articles: &[Article],
    prepared: &[Prepared],
    held_out: &[Scores],
) -> (i32, i32) {
    let mut best = (f64::MIN, (i32::MAX, i32::MIN));
    eprintln!("veto\tthreshold\tP\tR\tF1");
    for veto in VETOES {
        for threshold in THRESHOLDS.map(|t| t * 2000) {
            let predictions: Vec<Vec<Predicted>> = articles
                .iter()
                .zip(prepared)
                .zip(held_out)
                .map(|((a, p), scores)| predict(a, p, scores, (threshold, veto)))
                .collect();
            let scores = score(articles, &predictions, true);
            let get = |k: &str| scores.iter().find(|s| s.0 == k).map_or(0.0, |s| s.1);
            let (p, r, f1) = (get("e2e_precision"), get("e2e_recall"), get("e2e_f1"));
            eprintln!("{veto}\t{threshold}\t{p}\t{r}\t{f1}");
            if p >= args.min_precision && f1 > best.0 {
                best = (f1, (threshold, veto));
            }
        }
    }
    eprintln!(
        "chosen (threshold, veto) {:?} (CV e2e F1 {})",
        best.1, best.0
    );
    best.1
}

fn predict(
    article: &Article,
    p: &Prepared,
    scores: &Scores,
    (threshold, veto): (i32, i32),
) -> Vec<Predicted> {
    let mut quotes = p.base.clone();
    let vetoed: Vec<_> = p
        .rules
        .iter()
        .zip(&scores.rules)
        .filter(|(_, &s)| s <= veto)
        .filter_map(|(c, _)| c.2.cue)
        .collect();
    crate::extract::quotes::veto(&mut quotes, &vetoed);
    let kept = p
        .candidates
        .iter()
        .zip(&scores.candidates)
        .filter(|(_, &s)| s > threshold)
        .map(|(c, &s)| (s, c.2.clone()))
        .collect();
    merge_learned(&mut quotes, kept);
    let map = ByteToChar::new(&article.text);
    quotes
        .iter()
        .map(|q| Predicted {
            kind: kind_name(q.kind),
            content: map.span(q.content),
            speaker: q.speaker.map(|(s, _)| map.span(s)),
        })
        .collect()
}

/// One JSON line per example: article, rule or candidate, right end to
/// end, held-out score, and the content, speaker and cue in code points.
fn dump(
    path: &std::path::Path,
    articles: &[Article],
    prepared: &[Prepared],
    held_out: &[Scores],
) -> anyhow::Result<()> {
    let mut out = String::new();
    for ((a, p), scores) in articles.iter().zip(prepared).zip(held_out) {
        let map = ByteToChar::new(&a.text);
        let examples = (p.rules.iter().zip(&scores.rules).map(|e| (true, e))).chain(
            p.candidates
                .iter()
                .zip(&scores.candidates)
                .map(|e| (false, e)),
        );
        for (by_rule, ((_, right, q), score)) in examples {
            let line = serde_json::json!({
                "id": a.stem, "rule": by_rule, "right": right, "score": score,
                "content": map.span(q.content),
                "speaker": q.speaker.map(|(s, _)| map.span(s)),
                "cue": q.cue.map(|c| map.span(c)),
            });
            out.push_str(&line.to_string());
            out.push('\n');
        }
    }
    std::fs::write(path, out).with_context(|| format!("writing {}", path.display()))
}
