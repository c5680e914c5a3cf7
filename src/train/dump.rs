//! `train --cv K --dump-held-out FILE`: the held-out predictions of each
//! fold's averaged model after the last epoch, one JSON line per training
//! document (its text, gold and predicted spans in code points), for error
//! analysis on train without looking at dev.
use std::io::Write;

use serde_json::json;

use super::conll::ConllDoc;
use super::predicted_spans;
use super::score::TYPE_NAMES;
use crate::extract::entities::model::Model;

/// Appends one line per document of `docs` (numbered from `first`).
pub(super) fn write_held_out(
    out: &mut impl Write,
    model: &Model,
    docs: &[ConllDoc],
    first: usize,
) -> std::io::Result<()> {
    for (n, doc) in docs.iter().enumerate() {
        let named = |(s, e, k): (usize, usize, usize)| json!([s, e, TYPE_NAMES[k]]);
        let gold: Vec<_> = doc
            .spans
            .iter()
            .map(|g| named((g.char_start, g.char_end, g.kind)))
            .collect();
        let pred: Vec<_> = predicted_spans(model, &doc.text)
            .into_iter()
            .map(named)
            .collect();
        let line = json!({"doc": first + n, "text": doc.text, "gold": gold, "pred": pred});
        writeln!(out, "{line}")?;
    }
    Ok(())
}
