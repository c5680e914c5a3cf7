//! Training the two-stage recogniser (`--stages 2`, models/README.md).
//!
//! The second stage must learn from first-stage predictions as wrong as
//! they will be on new text, so its training features are jackknifed: each
//! block of train (the cross-validation blocks) gets the predictions of a
//! first stage trained on the other blocks. Under `--cv` the second stage
//! of each fold is then scored behind that fold's first stage, as
//! `extract` would run it. (The second stage of fold `f` learns from
//! predictions on block `g` made by a first stage that saw block `f`'s
//! labels: a small, indirect leak that a nested jackknife would remove at
//! four times the cost.)
use super::conll::ConllDoc;
use super::cv::{cross_validate, fold_range};
use super::score::Scorer;
use super::{dev_scores, train_averaged, Example, TrainArgs};
use crate::extract::entities::model::Model;
use crate::extract::entities::stage::aggregate;
use crate::extract::entities::tagger::{tag_segments, Greedy};

/// Folds of the jackknife when `--cv` does not say.
const FOLDS: usize = 5;

/// Both stages on all of train: the first for `--first-epochs`, the second
/// for `--epochs` or the count `--cv` picks.
pub(super) fn train_two_stages(docs: &[ConllDoc], examples: &[Example], args: &TrainArgs) -> Model {
    let folds = args.cv.map_or(FOLDS, usize::from);
    let first_epochs = usize::from(args.first_epochs);
    let (fold_models, second_examples) = jackknife(docs, examples, args, folds, first_epochs);
    let epochs = match args.cv {
        Some(_) => cross_validate(docs, &second_examples, args, folds, Some(&fold_models)),
        None => usize::from(args.epochs),
    };
    let all: Vec<usize> = (0..examples.len()).collect();
    let mut model = train_averaged(examples, &all, args, first_epochs);
    let second = train_averaged(&second_examples, &all, args, epochs);
    model.second = Some(Box::new(second));
    model
}

/// The first stage of each fold (trained on the other blocks), and the
/// examples with each block's first-stage predictions from its fold's model.
fn jackknife(
    docs: &[ConllDoc],
    examples: &[Example],
    args: &TrainArgs,
    folds: usize,
    epochs: usize,
) -> (Vec<Model>, Vec<Example>) {
    let mut models = Vec::with_capacity(folds);
    let mut out = examples.to_vec();
    let mut pooled = Scorer::default();
    for fold in 0..folds {
        let held = fold_range(examples.len(), folds, fold);
        let train: Vec<usize> = (0..examples.len()).filter(|i| !held.contains(i)).collect();
        let model = train_averaged(examples, &train, args, epochs);
        for ex in &mut out[held.clone()] {
            let tags = tag_segments(&ex.segments, &mut Greedy(&model));
            aggregate(&mut ex.segments, &tags);
        }
        let scores = dev_scores(&model, &docs[held]);
        eprintln!("first stage of fold {fold}: F1 {:.2}", scores.overall_f1());
        pooled.merge(&scores);
        models.push(model);
    }
    eprintln!("first stage alone, CV F1 {:.2}", pooled.overall_f1());
    (models, out)
}
