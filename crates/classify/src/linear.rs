//! The fitted form shared by every learner: one weight vector and bias per
//! class (a linear scorer), applied to sparse rows.

use serde::{Deserialize, Serialize};
use sift_tfidf::Csr;

/// Per class `c`: `score_c(x) = w_c · x + b_c`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LinearModel {
    n_features: usize,
    n_classes: usize,
    /// Class-major: the weights of class `c` are `weights[c * n_features..][..n_features]`.
    weights: Vec<f32>,
    bias: Vec<f32>,
}

impl LinearModel {
    /// A model from class-major weights and biases.
    pub fn new(n_features: usize, weights: Vec<f32>, bias: Vec<f32>) -> Self {
        let n_classes = bias.len();
        debug_assert_eq!(weights.len(), n_features * n_classes);
        LinearModel { n_features, n_classes, weights, bias }
    }

    /// Number of input columns.
    pub fn n_features(&self) -> usize {
        self.n_features
    }

    /// Number of classes (scores per row).
    pub fn n_classes(&self) -> usize {
        self.n_classes
    }

    /// The weights of class `c`.
    pub fn class_weights(&self, c: usize) -> &[f32] {
        &self.weights[c * self.n_features..(c + 1) * self.n_features]
    }

    /// The bias of class `c`.
    pub fn class_bias(&self, c: usize) -> f32 {
        self.bias[c]
    }

    /// `true` when the shapes are consistent (checked after loading).
    pub(crate) fn is_consistent(&self) -> bool {
        self.bias.len() == self.n_classes
            && self.n_features.checked_mul(self.n_classes) == Some(self.weights.len())
            && self.weights.iter().chain(&self.bias).all(|v| v.is_finite())
    }

    /// Scores of one sparse row (columns beyond the model are ignored).
    pub fn scores_row(&self, cols: &[u32], vals: &[f32], out: &mut Vec<f32>) {
        out.clear();
        out.extend_from_slice(&self.bias);
        for (&c, &v) in cols.iter().zip(vals) {
            let c = c as usize;
            if c >= self.n_features {
                continue;
            }
            for (k, o) in out.iter_mut().enumerate() {
                *o += self.weights[k * self.n_features + c] * v;
            }
        }
    }

    /// Scores of every row, row-major `(rows, classes)`.
    pub fn scores(&self, x: &Csr<f32>) -> Vec<f32> {
        let mut out = Vec::with_capacity(x.nrows() * self.n_classes);
        let mut row = Vec::with_capacity(self.n_classes);
        for (cols, vals) in x.rows() {
            self.scores_row(cols, vals, &mut row);
            out.extend_from_slice(&row);
        }
        out
    }
}

/// The index of the largest value (the first on ties).
pub fn argmax(v: &[f32]) -> usize {
    let mut best = 0;
    for (i, &x) in v.iter().enumerate() {
        if x > v[best] {
            best = i;
        }
    }
    best
}
