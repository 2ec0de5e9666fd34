//! Naive Bayes for term features: multinomial, and complement (Rennie,
//! Shih, Teevan and Karger, ICML 2003), as in scikit-learn's
//! `MultinomialNB` and `ComplementNB`. Both are linear scorers.

use crate::error::{Error, Result};
use crate::linear::LinearModel;
use crate::records::SparseRecords;
use linfa::dataset::DatasetBase;
use linfa::traits::Fit;
use linfa::ParamGuard;
use ndarray::Array1;
use serde::{Deserialize, Serialize};
use sift_tfidf::Csr;

/// Which naive Bayes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NbKind {
    /// Multinomial naive Bayes with class priors.
    Multinomial,
    /// Complement naive Bayes: each class scored against the counts of all
    /// other classes, better on skewed data.
    Complement,
}

/// Validated naive Bayes parameters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NaiveBayesValidParams {
    /// Which model.
    pub kind: NbKind,
    /// Additive smoothing.
    pub alpha: f64,
}

/// Unchecked naive Bayes parameters (a linfa `ParamGuard`).
#[derive(Clone, Debug, PartialEq)]
pub struct NaiveBayesParams(NaiveBayesValidParams);

impl NaiveBayesParams {
    /// Naive Bayes of `kind` with smoothing 1.
    pub fn new(kind: NbKind) -> Self {
        NaiveBayesParams(NaiveBayesValidParams { kind, alpha: 1.0 })
    }
    /// Additive smoothing.
    pub fn alpha(mut self, alpha: f64) -> Self {
        self.0.alpha = alpha;
        self
    }
}

impl ParamGuard for NaiveBayesParams {
    type Checked = NaiveBayesValidParams;
    type Error = Error;

    fn check_ref(&self) -> Result<&Self::Checked> {
        if !(self.0.alpha.is_finite() && self.0.alpha > 0.0) {
            return Err(Error::Param { name: "alpha", reason: "must be a positive number".into() });
        }
        Ok(&self.0)
    }

    fn check(self) -> Result<Self::Checked> {
        self.check_ref()?;
        Ok(self.0)
    }
}

/// Trains over `rows` with `k` classes (`class(row)` gives a row's class).
pub(crate) fn train_nb(
    x: &Csr<f32>,
    rows: &[usize],
    k: usize,
    class: impl Fn(usize) -> usize,
    p: &NaiveBayesValidParams,
) -> LinearModel {
    let d = x.ncols();
    let mut counts = vec![0.0f64; k * d];
    let mut class_n = vec![0usize; k];
    for &i in rows {
        let c = class(i);
        class_n[c] += 1;
        let (cols, vals) = x.row(i);
        for (&j, &v) in cols.iter().zip(vals) {
            counts[c * d + j as usize] += v as f64;
        }
    }
    let mut weights = vec![0.0f32; k * d];
    let mut bias = vec![0.0f32; k];
    match p.kind {
        NbKind::Multinomial => {
            let n = rows.len().max(1) as f64;
            for c in 0..k {
                let row = &counts[c * d..(c + 1) * d];
                let total: f64 = row.iter().sum::<f64>() + p.alpha * d as f64;
                for j in 0..d {
                    weights[c * d + j] = ((row[j] + p.alpha) / total).ln() as f32;
                }
                bias[c] = ((class_n[c].max(1)) as f64 / n).ln() as f32;
            }
        }
        NbKind::Complement => {
            let mut all = vec![0.0f64; d];
            for c in 0..k {
                for j in 0..d {
                    all[j] += counts[c * d + j];
                }
            }
            for c in 0..k {
                let comp: Vec<f64> = (0..d).map(|j| all[j] + p.alpha - counts[c * d + j]).collect();
                let total: f64 = comp.iter().sum();
                for j in 0..d {
                    weights[c * d + j] = -(comp[j] / total).ln() as f32;
                }
            }
        }
    }
    LinearModel::new(d, weights, bias)
}

/// A fitted naive Bayes model.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NaiveBayes {
    model: LinearModel,
}

impl NaiveBayes {
    /// The linear scorer.
    pub fn model(&self) -> &LinearModel {
        &self.model
    }
}

impl Fit<SparseRecords, Array1<usize>, Error> for NaiveBayesValidParams {
    type Object = NaiveBayes;

    fn fit(&self, ds: &DatasetBase<SparseRecords, Array1<usize>>) -> Result<NaiveBayes> {
        let (x, k, rows) = crate::records::single_label(ds)?;
        Ok(NaiveBayes { model: train_nb(x, &rows, k, |i| ds.targets[i], self) })
    }
}

impl linfa::traits::PredictInplace<SparseRecords, Array1<usize>> for NaiveBayes {
    fn predict_inplace(&self, x: &SparseRecords, y: &mut Array1<usize>) {
        let mut s = Vec::new();
        for (i, (cols, vals)) in x.matrix().rows().enumerate() {
            self.model.scores_row(cols, vals, &mut s);
            y[i] = crate::linear::argmax(&s);
        }
    }

    fn default_target(&self, x: &SparseRecords) -> Array1<usize> {
        Array1::zeros(x.matrix().nrows())
    }
}
