//! K-fold cross-validation over the training documents: how the epoch
//! count and every feature change are chosen, so that the dev split is only
//! ever reported (issue 14: choosing on dev had fitted it).
//!
//! Folds are contiguous blocks of documents: CoNLL-2003 train is in date
//! order, so a held-out block is news of other days, as new text would be.
use super::conll::ConllDoc;
use super::perceptron::quantized_model;
use super::score::Scorer;
use super::{dev_scores, train_epochs, Example, TrainArgs};
use crate::extract::entities::model::Model;
use crate::extract::entities::tags::NTAGS;

/// Held-out scores of one epoch, over all folds.
#[derive(Default)]
struct EpochScores {
    /// The averaged model of each fold, pooled (the cross-validated F1).
    pooled: Scorer,
    /// F1 of each fold's averaged model.
    folds: Vec<f64>,
    /// F1 of each single run, all folds.
    runs: Vec<f64>,
}

/// Prints the cross-validated F1 after each epoch and returns the epoch
/// count whose pooled F1 is highest (the first such, on ties). With
/// `first`, the models trained are second stages, each scored behind the
/// first stage of its fold (`first[fold]`, trained without the held-out block).
pub(super) fn cross_validate(
    docs: &[ConllDoc],
    examples: &[Example],
    args: &TrainArgs,
    folds: usize,
    first: Option<&[Model]>,
) -> usize {
    let epochs = usize::from(args.epochs);
    let mut scores: Vec<EpochScores> = (0..epochs).map(|_| EpochScores::default()).collect();
    let mut dump = held_out_file(args);
    for fold in 0..folds {
        let held = fold_range(docs.len(), folds, fold);
        let train: Vec<usize> = (0..docs.len()).filter(|i| !held.contains(i)).collect();
        let held_docs = &docs[held.clone()];
        let staged = |model: Model| match first {
            Some(first) => {
                let mut staged = first[fold].clone();
                staged.second = Some(Box::new(model));
                staged
            }
            None => model,
        };
        let mut summed = vec![vec![0f64; NTAGS << args.bits]; epochs];
        for run in 0..args.runs {
            let seed = args.seed.wrapping_add(u64::from(run));
            train_epochs(examples, &train, args, seed, epochs, |epoch, p| {
                let weights = p.averaged();
                let model = staged(quantized_model(args.bits, &weights));
                let f1 = dev_scores(&model, held_docs).overall_f1();
                scores[epoch - 1].runs.push(f1);
                for (s, w) in summed[epoch - 1].iter_mut().zip(weights) {
                    *s += w;
                }
            });
        }
        for (epoch, weights) in summed.iter().enumerate() {
            let scorer = dev_scores(&staged(quantized_model(args.bits, weights)), held_docs);
            scores[epoch].folds.push(scorer.overall_f1());
            scores[epoch].pooled.merge(&scorer);
        }
        if let (Some(out), Some(last)) = (dump.as_mut(), summed.last()) {
            let model = staged(quantized_model(args.bits, last));
            if let Err(e) = super::dump::write_held_out(out, &model, held_docs, held.start) {
                eprintln!("warning: held-out predictions not written: {e}");
            }
        }
        let last = &scores[epochs - 1];
        eprintln!(
            "fold {fold} (documents {}..{}): F1 after {epochs} epochs {:.2}",
            held.start, held.end, last.folds[fold]
        );
    }
    report(&scores, folds, args.runs)
}

/// The `--dump-held-out` file, created empty (`None` if not asked or not creatable).
fn held_out_file(args: &TrainArgs) -> Option<std::io::BufWriter<std::fs::File>> {
    let path = args.dump_held_out.as_ref()?;
    match std::fs::File::create(path) {
        Ok(file) => Some(std::io::BufWriter::new(file)),
        Err(e) => {
            eprintln!("warning: cannot create {}: {e}", path.display());
            None
        }
    }
}

/// Documents `[start, end)` of fold `fold` of `folds` over `n` documents.
pub(super) fn fold_range(n: usize, folds: usize, fold: usize) -> std::ops::Range<usize> {
    n * fold / folds..n * (fold + 1) / folds
}

fn report(scores: &[EpochScores], folds: usize, runs: u16) -> usize {
    eprintln!("epoch | CV F1 ({folds} folds, {runs} runs averaged) | per fold mean ± sd | single runs mean ± sd");
    let mut best = (0, f64::MIN);
    for (e, s) in scores.iter().enumerate() {
        let f1 = s.pooled.overall_f1();
        let (fm, fsd) = mean_sd(&s.folds);
        let (rm, rsd) = mean_sd(&s.runs);
        eprintln!(
            "{:5} | {f1:.2} | {fm:.2} ± {fsd:.2} | {rm:.2} ± {rsd:.2}",
            e + 1
        );
        if f1 > best.1 {
            best = (e + 1, f1);
        }
    }
    let (fm, fsd) = mean_sd(&scores[best.0 - 1].folds);
    eprintln!(
        "chosen by CV: {} epochs, CV F1 {:.2} (per fold {fm:.2} ± {fsd:.2})",
        best.0, best.1
    );
    best.0
}

fn mean_sd(xs: &[f64]) -> (f64, f64) {
    let n = xs.len().max(1) as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n;
    (mean, var.sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_cover_every_document_once() {
        let n = 946;
        let mut seen = vec![0; n];
        for fold in 0..5 {
            for i in fold_range(n, 5, fold) {
                seen[i] += 1;
            }
        }
        assert!(seen.iter().all(|&c| c == 1));
        assert_eq!(fold_range(10, 3, 0), 0..3);
    }

    #[test]
    fn mean_and_spread() {
        assert_eq!(mean_sd(&[1.0, 3.0]), (2.0, 1.0));
    }
}
