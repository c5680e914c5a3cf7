//! The learned stage of reported speech (issue 15): reports the rules miss.
//!
//! For every word of a sentence that is ever part of a PolNeAR train cue
//! and that no rule report uses, `candidates` builds the report it would
//! head (speaker by the rules' subject finders, content by their clause
//! logic); a perceptron trained on PolNeAR train (`model`, trained by
//! `article-enricher train-attributions`) scores it from `features`, and
//! a candidate over the cross-validated threshold is kept.

mod candidates;
mod features;
pub(crate) mod model;
#[cfg(test)]
mod tests;

use std::sync::LazyLock;

pub(super) use candidates::{candidates, from_rule};
pub(super) use features::features;
use model::CueModel;

/// Rebuilt byte-identically by `article-enricher train-attributions`.
const MODEL_BYTES: &[u8] = include_bytes!("cue_model.bin");

static MODEL: LazyLock<CueModel> =
    LazyLock::new(|| CueModel::from_bytes(MODEL_BYTES).unwrap_or_else(CueModel::empty));

/// The shipped model.
pub(super) fn model() -> &'static CueModel {
    &MODEL
}
