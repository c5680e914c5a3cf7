//! Averaged perceptron over hashed features, with the averaging trick of
//! Daumé (2006): alongside the weights `w`, `u` accumulates each update
//! times the step it happened at; the average is `w - u / steps`.
use crate::extract::entities::model::Model;
use crate::extract::entities::tagger::{best_allowed, Chooser, TokenFeatures};
use crate::extract::entities::tags::{Tag, NTAGS};

pub struct Perceptron {
    bits: u32,
    /// Also learn when the right tag wins by at most this (0: only from
    /// mistakes, the plain perceptron).
    margin: f32,
    w: Vec<f32>,
    u: Vec<f64>,
    steps: f64,
}

impl Perceptron {
    pub fn new(bits: u32, margin: f32) -> Perceptron {
        Perceptron {
            bits,
            margin,
            w: vec![0.0; NTAGS << bits],
            u: vec![0.0; NTAGS << bits],
            steps: 1.0,
        }
    }

    /// The scores of `features` (a token's parts, summed in order).
    fn scores(&self, features: [&[u64]; 2]) -> [f32; NTAGS] {
        let mut scores = [0f32; NTAGS];
        for &f in features.into_iter().flatten() {
            let row = Model::bucket(self.bits, f) * NTAGS;
            for (s, w) in scores.iter_mut().zip(&self.w[row..row + NTAGS]) {
                *s += w;
            }
        }
        scores
    }

    fn update(&mut self, features: [&[u64]; 2], tag: Tag, delta: f32) {
        for &f in features.into_iter().flatten() {
            let at = Model::bucket(self.bits, f) * NTAGS + tag as usize;
            self.w[at] += delta;
            self.u[at] += self.steps * f64::from(delta);
        }
    }

    /// The averaged weights.
    pub(crate) fn averaged(&self) -> Vec<f64> {
        self.w
            .iter()
            .zip(&self.u)
            .map(|(&w, &u)| f64::from(w) - u / self.steps)
            .collect()
    }
}

/// A model from real weights, scaled into 16 bits.
pub(crate) fn quantized_model(bits: u32, weights: &[f64]) -> Model {
    let max = weights.iter().fold(0f64, |m, w| m.max(w.abs()));
    let scale = if max > 0.0 { 32_000.0 / max } else { 1.0 };
    let quantized: Vec<i16> = weights.iter().map(|w| (w * scale).round() as i16).collect();
    Model::new(bits, quantized)
}

/// Decodes with the current weights and learns from each mistake.
pub struct Learner<'a> {
    pub perceptron: &'a mut Perceptron,
    /// The gold tag of every token, in decoding order.
    pub gold: &'a [Tag],
}

impl Learner<'_> {
    /// The tag to learn against: the guess when it is wrong; with a margin,
    /// also the best other tag when the right guess beat it by too little.
    fn rival(&self, scores: &[f32; NTAGS], allowed: u32, guess: Tag, gold: Tag) -> Option<Tag> {
        if guess != gold {
            return Some(guess);
        }
        let others = allowed & !(1 << gold);
        if self.perceptron.margin <= 0.0 || others == 0 {
            return None;
        }
        let rival = best_allowed(scores, others);
        (scores[gold as usize] - scores[rival as usize] <= self.perceptron.margin).then_some(rival)
    }
}

impl Chooser for Learner<'_> {
    fn static_scores(&self, _features: &[u64]) -> [i32; NTAGS] {
        [0; NTAGS]
    }

    fn choose(&mut self, token: TokenFeatures<'_>, allowed: u32) -> Tag {
        let features = [token.static_features, token.dynamic_features];
        let scores = self.perceptron.scores(features);
        let guess = best_allowed(&scores, allowed);
        let gold = self.gold.get(token.token).copied().unwrap_or(0);
        if let Some(rival) = self.rival(&scores, allowed, guess, gold) {
            self.perceptron.update(features, gold, 1.0);
            self.perceptron.update(features, rival, -1.0);
        }
        self.perceptron.steps += 1.0;
        guess
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `Learner::rival` gives for a right or wrong guess, with `margin`.
    fn rival(margin: f32, scores: [f32; NTAGS], guess: Tag, gold: Tag) -> Option<Tag> {
        let mut perceptron = Perceptron::new(4, margin);
        let learner = Learner {
            perceptron: &mut perceptron,
            gold: &[],
        };
        learner.rival(&scores, 0b111, guess, gold)
    }

    #[test]
    fn a_margin_perceptron_learns_from_narrow_wins_too() {
        let mut scores = [0.0; NTAGS];
        scores[1] = 5.0;
        scores[2] = 3.0;
        // A wrong guess is always learned from, with or without a margin.
        assert_eq!(rival(0.0, scores, 1, 2), Some(1));
        assert_eq!(rival(10.0, scores, 1, 2), Some(1));
        // A right guess: the plain perceptron leaves it, the margin one
        // learns against the runner-up while the win is narrow.
        assert_eq!(rival(0.0, scores, 1, 1), None);
        assert_eq!(rival(10.0, scores, 1, 1), Some(2));
        assert_eq!(rival(1.0, scores, 1, 1), None);
    }
}
