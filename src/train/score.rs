//! Entity scoring exactly as `../shared/eval/score_entities.py`: exact
//! (start, end, type) matches in code points, micro P/R/F1 overall and per type.
use std::collections::BTreeSet;

use serde_json::{json, Value};

pub const TYPE_NAMES: [&str; 4] = ["PERSON", "ORGANIZATION", "LOCATION", "MISC"];

/// A span in code points and its type index.
pub type Scored = (usize, usize, usize);

#[derive(Default)]
pub struct Scorer {
    /// Per type: true positives, predicted, gold.
    counts: [[usize; 3]; 4],
    articles: usize,
}

impl Scorer {
    pub fn add(&mut self, gold: &BTreeSet<Scored>, pred: &BTreeSet<Scored>) {
        self.articles += 1;
        for (kind, counts) in self.counts.iter_mut().enumerate() {
            let g: BTreeSet<_> = gold.iter().filter(|s| s.2 == kind).collect();
            let p: BTreeSet<_> = pred.iter().filter(|s| s.2 == kind).collect();
            counts[0] += g.intersection(&p).count();
            counts[1] += p.len();
            counts[2] += g.len();
        }
    }

    /// Adds another scorer's counts (pooling folds).
    pub fn merge(&mut self, other: &Scorer) {
        self.articles += other.articles;
        for (mine, theirs) in self.counts.iter_mut().zip(&other.counts) {
            for (m, t) in mine.iter_mut().zip(theirs) {
                *m += t;
            }
        }
    }

    pub fn overall_f1(&self) -> f64 {
        let [tp, pred, gold] = self.total();
        prf(tp, pred, gold).2
    }

    fn total(&self) -> [usize; 3] {
        let mut total = [0; 3];
        for c in &self.counts {
            for (t, v) in total.iter_mut().zip(c) {
                *t += v;
            }
        }
        total
    }

    /// The scorer's JSON report.
    pub fn report(&self) -> Value {
        let per_type: serde_json::Map<String, Value> = TYPE_NAMES
            .iter()
            .zip(&self.counts)
            .map(|(name, c)| (name.to_string(), prf_json(c)))
            .collect();
        json!({
            "overall": prf_json(&self.total()),
            "per_type": per_type,
            "articles": self.articles,
            "articles_missing_from_pred": 0,
        })
    }
}

/// Precision, recall and F1 in percent.
fn prf(tp: usize, npred: usize, ngold: usize) -> (f64, f64, f64) {
    let p = if npred > 0 {
        tp as f64 / npred as f64
    } else {
        0.0
    };
    let r = if ngold > 0 {
        tp as f64 / ngold as f64
    } else {
        0.0
    };
    let f = if p + r > 0.0 {
        2.0 * p * r / (p + r)
    } else {
        0.0
    };
    (100.0 * p, 100.0 * r, 100.0 * f)
}

fn prf_json(c: &[usize; 3]) -> Value {
    let (p, r, f) = prf(c[0], c[1], c[2]);
    let round = |x: f64| (x * 100.0).round() / 100.0;
    json!({"precision": round(p), "recall": round(r), "f1": round(f), "tp": c[0], "pred": c[1], "gold": c[2]})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn micro_scores() {
        let mut s = Scorer::default();
        let gold: BTreeSet<Scored> = [(0, 2, 0), (5, 9, 2)].into();
        let pred: BTreeSet<Scored> = [(0, 2, 0), (5, 9, 1)].into();
        s.add(&gold, &pred);
        assert_eq!(s.overall_f1(), 50.0);
        assert_eq!(s.report()["per_type"]["PERSON"]["f1"], 100.0);
        assert_eq!(s.report()["per_type"]["LOCATION"]["recall"], 0.0);
    }
}
