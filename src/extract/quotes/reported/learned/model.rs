//! The candidate classifier: a binary averaged perceptron over hashed
//! features, its weights quantized to 16 bits, with the decision
//! threshold chosen by cross-validation stored beside them.
//!
//! File layout (little-endian): `bits: u32`, `threshold: i32`, `veto:
//! i32`, then `2^bits` weights as `i16`.

use crate::extract::entities::hash::finish;

pub(crate) struct CueModel {
    bits: u32,
    /// A new candidate is kept when its score is over this.
    pub threshold: i32,
    /// A rule's report is dropped when its score is at most this.
    pub veto: i32,
    weights: Vec<i16>,
}

impl CueModel {
    /// Reads a model; `None` when the bytes are not one.
    pub(crate) fn from_bytes(bytes: &[u8]) -> Option<CueModel> {
        let bits = u32::from_le_bytes(bytes.get(0..4)?.try_into().ok()?);
        let threshold = i32::from_le_bytes(bytes.get(4..8)?.try_into().ok()?);
        let veto = i32::from_le_bytes(bytes.get(8..12)?.try_into().ok()?);
        let body = bytes.get(12..)?;
        if !(1..=24).contains(&bits) || body.len() != 2 << bits {
            return None;
        }
        let weights = body
            .chunks_exact(2)
            .map(|b| i16::from_le_bytes([b[0], b[1]]))
            .collect();
        Some(CueModel {
            bits,
            threshold,
            veto,
            weights,
        })
    }

    pub(crate) fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(8 + 2 * self.weights.len());
        out.extend(self.bits.to_le_bytes());
        out.extend(self.threshold.to_le_bytes());
        out.extend(self.veto.to_le_bytes());
        for w in &self.weights {
            out.extend(w.to_le_bytes());
        }
        out
    }

    /// A model with no weights, which keeps and drops nothing (score 0,
    /// threshold 0, veto below any score).
    pub(crate) fn empty() -> CueModel {
        CueModel {
            bits: 1,
            threshold: 0,
            veto: i32::MIN,
            weights: vec![0; 2],
        }
    }

    pub(crate) fn score(&self, features: &[u64]) -> i32 {
        features
            .iter()
            .map(|&f| i32::from(self.weights[bucket(self.bits, f)]))
            .sum()
    }
}

fn bucket(bits: u32, feature: u64) -> usize {
    (finish(feature) >> (64 - bits)) as usize
}

/// A binary averaged perceptron (Daumé's averaging trick, as
/// `train::perceptron`) that learns on every example scored on the wrong
/// side of a margin, not only the wrong side of 0: with ~11 wrong
/// candidates per right one, that pushes the wrong ones further down.
pub(crate) struct Trainer {
    bits: u32,
    margin: f64,
    w: Vec<f64>,
    u: Vec<f64>,
    steps: f64,
}

impl Trainer {
    pub(crate) fn new(bits: u32, margin: f64) -> Trainer {
        Trainer {
            bits,
            margin,
            w: vec![0.0; 1 << bits],
            u: vec![0.0; 1 << bits],
            steps: 1.0,
        }
    }

    /// One example, right (`positive`) or wrong.
    pub(crate) fn learn(&mut self, features: &[u64], positive: bool) {
        let score: f64 = features.iter().map(|&f| self.w[bucket(self.bits, f)]).sum();
        let delta = self.step(score, positive);
        if delta != 0.0 {
            for &f in features {
                let at = bucket(self.bits, f);
                self.w[at] += delta;
                self.u[at] += self.steps * delta;
            }
        }
        self.steps += 1.0;
    }

    /// The change of every feature's weight for an example of `score`.
    /// Margin 0 is the plain perceptron: learn when the sign is wrong.
    fn step(&self, score: f64, positive: bool) -> f64 {
        match positive {
            true if score <= self.margin => 1.0,
            false if score > -self.margin => -1.0,
            _ => 0.0,
        }
    }

    /// The averaged weights.
    pub(crate) fn averaged(&self) -> Vec<f64> {
        self.w
            .iter()
            .zip(&self.u)
            .map(|(w, u)| w - u / self.steps)
            .collect()
    }

    /// The averaged weights, scaled so the largest is 32,000.
    #[cfg(test)]
    pub(crate) fn model(&self, threshold: i32, veto: i32) -> CueModel {
        CueModel::quantized(self.bits, &self.averaged(), threshold, veto)
    }
}

impl CueModel {
    /// `weights` (`2^bits` of them) scaled so the largest is 32,000.
    pub(crate) fn quantized(bits: u32, weights: &[f64], threshold: i32, veto: i32) -> CueModel {
        let max = weights.iter().fold(0f64, |m, w| m.max(w.abs()));
        let scale = if max > 0.0 { 32_000.0 / max } else { 1.0 };
        CueModel {
            bits,
            threshold,
            veto,
            weights: weights.iter().map(|w| (w * scale).round() as i16).collect(),
        }
    }
}
