//! Training and evaluation of the entity recogniser (issue 3). Outside the
//! pure extraction core: it reads files.
//!
//! `article-enricher train --train train.txt --out models/ner.bin.gz`
//! rebuilds the embedded model deterministically (fixed seed, fixed order);
//! `--cv 5` chooses the epoch count by cross-validation over train.

pub mod conll;
mod cv;
mod dump;
pub mod eval;
pub mod perceptron;
pub mod score;
mod stage;

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
    /// CoNLL-2003 development file: its F1 is printed, never used to choose.
    #[arg(long)]
    pub dev: Option<PathBuf>,
    /// Where to write the gzip-compressed model (required unless `--cv`).
    #[arg(long, required_unless_present = "cv")]
    pub out: Option<PathBuf>,
    /// Passes over the training data (with `--cv`: the most tried). The
    /// default is the count that scored best in 5-fold cross-validation
    /// over train (models/README.md).
    #[arg(long, default_value_t = 15, value_parser = clap::value_parser!(u16).range(1..))]
    pub epochs: u16,
    /// Seed of the per-epoch shuffle of training documents.
    #[arg(long, default_value_t = 20_030_531)]
    pub seed: u64,
    /// log2 of the number of feature hash buckets (18: 256k buckets; with
    /// the margin perceptron 2^18 scored 0.10 CV F1 over 2^17 with 5 runs,
    /// 0.13 with 3; models/README.md).
    #[arg(long, default_value_t = 18)]
    pub bits: u32,
    /// Perceptrons trained (seeds `seed`, `seed + 1`, ...) and averaged.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u16).range(1..))]
    pub runs: u16,
    /// Instead of only training: K-fold cross-validation over the training
    /// documents (contiguous blocks of documents), printing the held-out F1
    /// after each epoch; then the model is trained on all of train with the
    /// epoch count that scored best, and its dev F1 printed beside.
    #[arg(long, value_parser = clap::value_parser!(u16).range(2..))]
    pub cv: Option<u16>,
    /// 2: a second-stage tagger over the first one's predictions
    /// (src/train/stage.rs); `--epochs` and `--cv` are then the second
    /// stage's, the first is trained for `--first-epochs`.
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u8).range(1..=2))]
    pub stages: u8,
    /// Margin perceptron: also learn from a right tag that won by at most
    /// this score (0: only from mistakes, the plain perceptron). Chosen by
    /// 5-fold CV over train: 3-run CV F1 89.61 at 0, 90.32 at 30, 90.53
    /// at 60, 90.63 at 120, 90.55 at 200, 90.43 at 300 (models/README.md).
    #[arg(long, default_value_t = 120.0)]
    pub margin: f32,
    /// Epochs of the first stage when there are two.
    #[arg(long, default_value_t = 15, value_parser = clap::value_parser!(u16).range(1..))]
    pub first_epochs: u16,
    /// With `--cv`: writes each fold's held-out predictions after the last
    /// epoch here (JSON lines: text, gold and predicted spans), for error
    /// analysis on train.
    #[arg(long, requires = "cv")]
    pub dump_held_out: Option<PathBuf>,
}

pub fn run(args: &TrainArgs) -> anyhow::Result<()> {
    let train = read_conll(&args.train)?;
    let dev = args.dev.as_deref().map(read_conll).transpose()?;
    let examples: Vec<Example> = train.iter().map(Example::new).collect();
    let misaligned: usize = examples.iter().map(|e| e.misaligned).sum();
    let gold: usize = train.iter().map(|d| d.spans.len()).sum();
    eprintln!(
        "{} training documents, {gold} entities ({misaligned} not on token boundaries)",
        train.len()
    );
    let model = if args.stages == 2 {
        stage::train_two_stages(&train, &examples, args)
    } else {
        let epochs = match args.cv {
            Some(folds) => cv::cross_validate(&train, &examples, args, usize::from(folds), None),
            None => usize::from(args.epochs),
        };
        let all: Vec<usize> = (0..examples.len()).collect();
        train_averaged(&examples, &all, args, epochs)
    };
    let dev_figure = dev.as_ref().map(|dev| dev_f1(&model, dev));
    let dev_text = dev_figure.map_or("not measured".to_owned(), |f| format!("{f:.2}"));
    if let Some(out) = &args.out {
        let bytes = model.to_gzip()?;
        std::fs::write(out, &bytes).with_context(|| format!("writing {}", out.display()))?;
        eprintln!("wrote {} ({} bytes)", out.display(), bytes.len());
    }
    eprintln!(
        "{} runs on all of train, averaged, {} stage(s): dev F1 {dev_text}",
        args.runs, args.stages
    );
    Ok(())
}

/// `args.runs` perceptrons (seeds `args.seed`, `args.seed + 1`, ...) over
/// the examples `train`, `epochs` passes each, averaged into one linear
/// model: as fast as one, steadier than any. Their weights are summed as
/// they are (quantizing rescales the sum).
fn train_averaged(examples: &[Example], train: &[usize], args: &TrainArgs, epochs: usize) -> Model {
    let mut summed = vec![0f64; NTAGS << args.bits];
    for run in 0..args.runs {
        let seed = args.seed.wrapping_add(u64::from(run));
        train_epochs(examples, train, args, seed, epochs, |epoch, p| {
            if epoch == epochs {
                for (s, w) in summed.iter_mut().zip(p.averaged()) {
                    *s += w;
                }
            }
        });
    }
    quantized_model(args.bits, &summed)
}

/// Trains one perceptron on the examples `train` for `epochs` passes, each
/// in its own shuffle from `seed`, and shows it to `after` after each pass.
fn train_epochs(
    examples: &[Example],
    train: &[usize],
    args: &TrainArgs,
    seed: u64,
    epochs: usize,
    mut after: impl FnMut(usize, &Perceptron),
) {
    let mut perceptron = Perceptron::new(args.bits, args.margin);
    let mut order = train.to_vec();
    // xorshift is stuck at 0; any other seed is used as it is.
    let mut rng = XorShift(if seed == 0 {
        0x9e37_79b9_7f4a_7c15
    } else {
        seed
    });
    for epoch in 1..=epochs {
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
        after(epoch, &perceptron);
    }
}

/// Entity F1 of `model` on `dev`, as the scorer computes it.
pub(crate) fn dev_f1(model: &Model, dev: &[ConllDoc]) -> f64 {
    dev_scores(model, dev).overall_f1()
}

/// The scorer's counts for `model` on `docs`.
pub(crate) fn dev_scores(model: &Model, dev: &[ConllDoc]) -> score::Scorer {
    eval::score_docs(dev, |text| predicted_spans(model, text))
}

/// The spans (code points) and types `model` finds in `text`, as scored.
fn predicted_spans(model: &Model, text: &str) -> BTreeSet<score::Scored> {
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
        .collect()
}

/// A training document prepared once: segments (text, empty title) and the
/// gold tag of each token.
#[derive(Clone)]
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
