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
use rayon::prelude::*;
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
    // Feature-major throughout (`[j * k + c]`, the model's layout): no
    // class-major copy to transpose. Every sum adds in the same order as a
    // class-major loop would (rows in order; features in order per class).
    let mut counts = vec![0.0f64; d * k];
    let mut class_n = vec![0usize; k];
    for &i in rows {
        let c = class(i);
        class_n[c] += 1;
        let (cols, vals) = x.row(i);
        for (&j, &v) in cols.iter().zip(vals) {
            counts[j as usize * k + c] += v as f64;
        }
    }
    let mut weights = vec![0.0f32; d * k];
    let mut bias = vec![0.0f32; k];
    if k == 0 {
        return LinearModel::from_feature_major(d, weights, bias);
    }
    let alpha = p.alpha;
    // Per class, `sum over features of term(j, c)`, features in order.
    let class_totals = |term: &dyn Fn(usize, usize) -> f64| -> Vec<f64> {
        let mut total = vec![0.0f64; k];
        for j in 0..d {
            for (c, t) in total.iter_mut().enumerate() {
                *t += term(j, c);
            }
        }
        total
    };
    match p.kind {
        NbKind::Multinomial => {
            let total = class_totals(&|j, c| counts[j * k + c]);
            let total: Vec<f64> = total.iter().map(|t| t + alpha * d as f64).collect();
            // A feature a class never saw has the class's constant
            // `ln(alpha / total)`: most (feature, class) pairs of a large
            // vocabulary, so the logarithms are taken once per class, not
            // per pair (measured: logarithms were 5% of sift's default
            // training, most of them here and in the complement case).
            let unseen: Vec<f32> = total.iter().map(|t| (alpha / t).ln() as f32).collect();
            weights.par_chunks_mut(k).with_min_len(4096).enumerate().for_each(|(j, out)| {
                for (c, o) in out.iter_mut().enumerate() {
                    let n = counts[j * k + c];
                    *o = if n == 0.0 { unseen[c] } else { ((n + alpha) / total[c]).ln() as f32 };
                }
            });
            let n = rows.len().max(1) as f64;
            for (b, &nc) in bias.iter_mut().zip(&class_n) {
                *b = (nc.max(1) as f64 / n).ln() as f32;
            }
        }
        NbKind::Complement => {
            // Every class's count of each feature, summed over classes in order.
            let all: Vec<f64> =
                counts.chunks_exact(k).map(|f| f.iter().fold(0.0, |a, &v| a + v)).collect();
            let comp = |j: usize, c: usize| all[j] + alpha - counts[j * k + c];
            let total = class_totals(&comp);
            // For a class that never saw feature `j`, `comp(j, c)` is
            // `all[j] + alpha` whatever the class: one logarithm per
            // feature serves all such classes (`ln(comp) - ln(total)`).
            let ln_total: Vec<f64> = total.iter().map(|t| t.ln()).collect();
            weights.par_chunks_mut(k).with_min_len(4096).enumerate().for_each(|(j, out)| {
                let mut shared = None;
                for (c, o) in out.iter_mut().enumerate() {
                    *o = if counts[j * k + c] == 0.0 {
                        let l = *shared.get_or_insert_with(|| (all[j] + alpha).ln());
                        -(l - ln_total[c]) as f32
                    } else {
                        -(comp(j, c) / total[c]).ln() as f32
                    };
                }
            });
        }
    }
    LinearModel::from_feature_major(d, weights, bias)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testdata::problem;

    /// The textbook form: class-major counts, then each class's weights.
    fn reference(x: &Csr<f32>, y: &[usize], k: usize, kind: NbKind, alpha: f64) -> Vec<Vec<f32>> {
        let d = x.ncols();
        let mut counts = vec![vec![0.0f64; d]; k];
        for (i, (cols, vals)) in x.rows().enumerate() {
            for (&j, &v) in cols.iter().zip(vals) {
                counts[y[i]][j as usize] += v as f64;
            }
        }
        (0..k)
            .map(|c| match kind {
                NbKind::Multinomial => {
                    let total: f64 = counts[c].iter().sum::<f64>() + alpha * d as f64;
                    counts[c].iter().map(|&n| ((n + alpha) / total).ln() as f32).collect()
                }
                NbKind::Complement => {
                    let comp: Vec<f64> = (0..d)
                        .map(|j| (0..k).fold(0.0, |a, o| a + counts[o][j]) + alpha - counts[c][j])
                        .collect();
                    let total: f64 = comp.iter().sum();
                    comp.iter().map(|&v| -(v / total).ln() as f32).collect()
                }
            })
            .collect()
    }

    #[test]
    fn weights_match_a_class_major_reference_bit_for_bit() {
        for (kind, seed) in [(NbKind::Multinomial, 3), (NbKind::Complement, 4)] {
            let (x, rows, y) = problem(120, 40, 4, seed);
            // Absolute values: naive Bayes counts are meant to be non-negative.
            let x = Csr::new(
                x.nrows(),
                x.ncols(),
                x.indptr().to_vec(),
                x.indices().to_vec(),
                x.data().iter().map(|v| v.abs()).collect(),
            )
            .unwrap();
            let m = train_nb(&x, &rows, 4, |i| y[i], &NaiveBayesValidParams { kind, alpha: 0.3 });
            let want = reference(&x, &y, 4, kind, 0.3);
            for (c, w) in want.iter().enumerate() {
                assert_eq!(&m.class_weights(c), w, "{kind:?} class {c}");
            }
        }
    }

    #[test]
    fn features_a_class_never_saw_match_the_reference() {
        // Three entries per row over 60 columns: most (feature, class)
        // pairs are unseen, the shortcut's case.
        let (n, d, k) = (40, 60, 4);
        let x = crate::testdata::sparse(n, d);
        let y: Vec<usize> = (0..n).map(|i| i % k).collect();
        let rows: Vec<usize> = (0..n).collect();
        let unseen = (0..d)
            .flat_map(|j| (0..k).map(move |c| (j, c)))
            .filter(|&(j, c)| rows.iter().all(|&i| y[i] != c || !x.row(i).0.contains(&(j as u32))))
            .count();
        assert!(unseen > d * k / 2, "{unseen} unseen pairs");
        for kind in [NbKind::Multinomial, NbKind::Complement] {
            let m = train_nb(&x, &rows, k, |i| y[i], &NaiveBayesValidParams { kind, alpha: 0.3 });
            let want = reference(&x, &y, k, kind, 0.3);
            for (c, w) in want.iter().enumerate() {
                for (j, (a, e)) in m.class_weights(c).iter().zip(w).enumerate() {
                    assert!((a - e).abs() <= 1e-6 * e.abs().max(1.0), "{kind:?} {c} {j}: {a} {e}");
                }
            }
        }
    }
}
