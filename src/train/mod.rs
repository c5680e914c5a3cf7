//! Training and evaluation of the entity recogniser (issue 3). Outside the
//! pure extraction core: it reads files.
//!
//! `article-enricher train --train train.txt --dev valid.txt --out models/ner.bin.gz`
//! rebuilds the embedded model deterministically (fixed seed, fixed order).

pub mod conll;
pub mod eval;
pub mod perceptron;
pub mod score;

use std::collections::BTreeSet;
use std::path::PathBuf;

use anyhow::Context;

pub use eval::EvalEntitiesArgs;

use crate::extract::entities::doc::{add_document_context, Segment};
use crate::extract::entities::tagger::tag_segments;
use crate::extract::entities::tags::{encode, Tag, NTAGS};
use crate::extract::entities::{find_entities_with, model::Model};
use crate::extract::Field;
use conll::{read_conll, ConllDoc};
use perceptron::{quantized_model, Learner, Perceptron};

#[derive(Debug, clap::Args)]
pub struct TrainArgs {
    /// CoNLL-2003 training file.
    #[arg(long)]
    pub train: PathBuf,
    /// CoNLL-2003 development file: picks the best epoch.
    #[arg(long)]
    pub dev: PathBuf,
    /// Where to write the gzip-compressed model.
    #[arg(long)]
    pub out: PathBuf,
    /// Passes over the training data.
    #[arg(long, default_value_t = 12, value_parser = clap::value_parser!(u16).range(1..))]
    pub epochs: u16,
    /// Seed of the per-epoch shuffle of training documents.
    #[arg(long, default_value_t = 20_030_531)]
    pub seed: u64,
    /// log2 of the number of feature hash buckets (17: 128k buckets; more
    /// scored no better on dev and ran slower).
    #[arg(long, default_value_t = 17)]
    pub bits: u32,
    /// Perceptrons trained (seeds `seed`, `seed + 1`, ...) and averaged.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u16).range(1..))]
    pub runs: u16,
}

pub fn run(args: &TrainArgs) -> anyhow::Result<()> {
    let train = read_conll(&args.train)?;
    let dev = read_conll(&args.dev)?;
    let examples: Vec<Example> = train.iter().map(Example::new).collect();
    let misaligned: usize = examples.iter().map(|e| e.misaligned).sum();
    let gold: usize = train.iter().map(|d| d.spans.len()).sum();
    eprintln!(
        "{} training documents, {gold} entities ({misaligned} not on token boundaries)",
        train.len()
    );

    // Several perceptrons, each over its own shuffles, averaged into one
    // linear model: as fast as one, steadier than any. Their weights are
    // summed as they are (quantizing rescales the sum), so a run that made
    // more updates before its best epoch weighs a little more.
    let mut summed = vec![0f64; NTAGS << args.bits];
    for run in 0..args.runs {
        let seed = args.seed.wrapping_add(run as u64);
        let (epoch, f1, weights) = train_one(&examples, &dev, args, seed);
        eprintln!("run {run} (seed {seed}): best epoch {epoch}, dev F1 {f1:.2}");
        for (s, w) in summed.iter_mut().zip(weights) {
            *s += w;
        }
    }
    let model = quantized_model(args.bits, &summed);
    let f1 = dev_f1(&model, &dev);
    let bytes = model.to_gzip()?;
    std::fs::write(&args.out, &bytes).with_context(|| format!("writing {}", args.out.display()))?;
    eprintln!(
        "wrote {} ({} bytes): {} runs averaged, dev F1 {f1:.2}",
        args.out.display(),
        bytes.len(),
        args.runs
    );
    Ok(())
}

/// Trains one perceptron with shuffles from `seed`; returns the epoch with
/// the best dev F1, that F1 and the averaged weights at that epoch.
fn train_one(
    examples: &[Example],
    dev: &[ConllDoc],
    args: &TrainArgs,
    seed: u64,
) -> (usize, f64, Vec<f64>) {
    let mut perceptron = Perceptron::new(args.bits);
    let mut order: Vec<usize> = (0..examples.len()).collect();
    // xorshift is stuck at 0; any other seed is used as it is.
    let mut rng = XorShift(if seed == 0 {
        0x9e37_79b9_7f4a_7c15
    } else {
        seed
    });
    let mut best: (usize, f64, Vec<f64>) = (0, -1.0, Vec::new());
    for epoch in 1..=usize::from(args.epochs) {
        rng.shuffle(&mut order);
        for &i in &order {
            let ex = &examples[i];
            tag_segments(
                &ex.segments,
                &mut Learner {
                    perceptron: &mut perceptron,
                    gold: &ex.gold,
                },
            );
        }
        let weights = perceptron.averaged();
        let f1 = dev_f1(&quantized_model(args.bits, &weights), dev);
        eprintln!("  epoch {epoch}: dev F1 {f1:.2}");
        if f1 > best.1 {
            best = (epoch, f1, weights);
        }
    }
    best
}

/// Entity F1 of `model` on `dev`, as the scorer computes it.
pub(crate) fn dev_f1(model: &Model, dev: &[ConllDoc]) -> f64 {
    eval::score_docs(dev, |text| {
        let map = crate::extract::offsets::ByteToChar::new(text);
        find_entities_with(model, text, "")
            .iter()
            .flat_map(|g| {
                let kind = eval::type_index(g.kind);
                g.mentions
                    .iter()
                    .filter(|(f, _)| *f == Field::Text)
                    .map(move |(_, s)| (s.start, s.end, kind))
            })
            .map(|(s, e, k)| (map.char_offset(s), map.char_offset(e), k))
            .collect::<BTreeSet<_>>()
    })
    .overall_f1()
}

/// A training document prepared once: segments (text, empty title) and the
/// gold tag of each token.
struct Example {
    segments: Vec<Segment>,
    gold: Vec<Tag>,
    misaligned: usize,
}

impl Example {
    fn new(doc: &ConllDoc) -> Example {
        let mut segments = vec![Segment::new(&doc.text), Segment::new("")];
        add_document_context(&mut segments);
        let seg = &segments[0];
        let mut gold = Vec::with_capacity(seg.tokens.len());
        let mut misaligned = 0;
        for sentence in &seg.sentences {
            let tokens = &seg.tokens[sentence.clone()];
            let mut spans = Vec::new();
            for g in &doc.spans {
                let first = tokens.iter().position(|t| t.start == g.start);
                let last = tokens.iter().position(|t| t.end == g.end);
                match (first, last) {
                    (Some(a), Some(b)) if a <= b => spans.push((a, b + 1, g.kind)),
                    _ if tokens.first().is_some_and(|t| t.start <= g.start)
                        && tokens.last().is_some_and(|t| t.end >= g.start) =>
                    {
                        misaligned += 1
                    }
                    _ => {}
                }
            }
            gold.extend(encode(tokens.len(), &spans));
        }
        Example {
            segments,
            gold,
            misaligned,
        }
    }
}

/// A tiny deterministic generator for the shuffle (xorshift64).
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = (self.next() % (i as u64 + 1)) as usize;
            items.swap(i, j);
        }
    }
}
