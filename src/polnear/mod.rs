//! Evaluating and training the attribution stages on PolNeAR files (issue 15).
//! Outside the pure extraction core: it reads data at run time, none of which
//! is in the repository.
//!
//! - `eval.rs`: `eval-quotes`, the shared scorer's rules ported from
//!   `score_quotes.py` and `polnear.py`;
//! - `train.rs`: `train-attributions`, the learned stage of reported speech
//!   (`extract/quotes/reported/learned`), its thresholds chosen by
//!   cross-validation over train.

pub mod eval;
pub mod train;
