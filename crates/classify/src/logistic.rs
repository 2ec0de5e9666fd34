//! Multinomial (softmax) logistic regression with L2 regularization,
//! trained by L-BFGS on the full objective
//! `C * sum_i [logsumexp(z_i) - z_i,y_i] + |W|^2 / 2` (intercepts are not
//! regularized), as scikit-learn's `LogisticRegression` defines it.
//! Probabilities come out of the box.

use crate::early::{EarlyStopping, Monitor};
use crate::error::{Error, Result};
use crate::linear::LinearModel;
use crate::records::SparseRecords;
use linfa::dataset::DatasetBase;
use linfa::traits::{Fit, PredictInplace};
use linfa::ParamGuard;
use ndarray::{Array1, Array2};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use sift_tfidf::Csr;

/// Validated parameters of [`Logistic`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LogisticValidParams {
    /// Inverse regularization strength.
    pub c: f64,
    /// Most L-BFGS iterations.
    pub max_iter: usize,
    /// Stop when the gradient's largest entry falls below this.
    pub tol: f64,
    /// Stop when the loss on a held-out part of the training rows stops
    /// improving, and keep the best iteration's weights (`None`: off).
    #[serde(default)]
    pub early_stopping: Option<EarlyStopping>,
    /// Seed of the early-stopping split.
    #[serde(default)]
    pub seed: u64,
}

impl Default for LogisticValidParams {
    fn default() -> Self {
        LogisticValidParams { c: 10.0, max_iter: 300, tol: 1e-4, early_stopping: None, seed: 42 }
    }
}

/// Unchecked parameters (a linfa `ParamGuard`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LogisticParams(LogisticValidParams);

impl LogisticParams {
    /// C = 10 (l2-normalized TF-IDF rows need little regularization).
    pub fn new() -> Self {
        Self::default()
    }
    /// Inverse regularization strength.
    pub fn c(mut self, c: f64) -> Self {
        self.0.c = c;
        self
    }
    /// Most iterations.
    pub fn max_iter(mut self, n: usize) -> Self {
        self.0.max_iter = n;
        self
    }
    /// Gradient tolerance.
    pub fn tol(mut self, t: f64) -> Self {
        self.0.tol = t;
        self
    }
    /// Early stopping on a held-out split (`None`: off, the default).
    pub fn early_stopping(mut self, es: Option<EarlyStopping>) -> Self {
        self.0.early_stopping = es;
        self
    }
    /// Seed of the early-stopping split.
    pub fn seed(mut self, seed: u64) -> Self {
        self.0.seed = seed;
        self
    }
}

impl ParamGuard for LogisticParams {
    type Checked = LogisticValidParams;
    type Error = Error;

    fn check_ref(&self) -> Result<&Self::Checked> {
        let p = &self.0;
        if !(p.c.is_finite() && p.c > 0.0) {
            return Err(Error::Param { name: "c", reason: "must be a positive number".into() });
        }
        if p.max_iter == 0 || !(p.tol.is_finite() && p.tol > 0.0) {
            return Err(Error::Param { name: "max_iter/tol", reason: "must be positive".into() });
        }
        if let Some(es) = &p.early_stopping {
            es.check()?;
        }
        Ok(p)
    }

    fn check(self) -> Result<Self::Checked> {
        self.check_ref()?;
        Ok(self.0)
    }
}

/// Fixed chunks for the parallel gradient: the same chunking whatever the
/// thread count, summed in order, so results are bit-identical.
const CHUNKS: usize = 8;

/// Loss and gradient of the objective at `theta` = `[W (k x d, class-major) | b (k)]`.
fn loss_grad(
    x: &Csr<f32>,
    rows: &[usize],
    y: &[usize],
    k: usize,
    c: f64,
    theta: &[f64],
    grad: &mut [f64],
) -> f64 {
    let d = x.ncols();
    let chunk = rows.len().div_ceil(CHUNKS).max(1);
    let parts: Vec<(f64, Vec<f64>)> = rows
        .par_chunks(chunk)
        .zip(y.par_chunks(chunk))
        .map(|(rs, ys)| {
            let mut g = vec![0.0f64; k * (d + 1)];
            let mut loss = 0.0;
            let mut z = vec![0.0f64; k];
            for (&i, &yi) in rs.iter().zip(ys) {
                let (cols, vals) = x.row(i);
                for (cc, zc) in z.iter_mut().enumerate() {
                    let w = &theta[cc * d..(cc + 1) * d];
                    *zc = theta[k * d + cc]
                        + cols
                            .iter()
                            .zip(vals)
                            .map(|(&j, &v)| w[j as usize] * v as f64)
                            .sum::<f64>();
                }
                let m = z.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
                let se: f64 = z.iter().map(|v| (v - m).exp()).sum();
                let lse = m + se.ln();
                loss += lse - z[yi];
                for cc in 0..k {
                    let r = (z[cc] - lse).exp() - if cc == yi { 1.0 } else { 0.0 };
                    if r != 0.0 {
                        let gw = &mut g[cc * d..(cc + 1) * d];
                        for (&j, &v) in cols.iter().zip(vals) {
                            gw[j as usize] += r * v as f64;
                        }
                        g[k * d + cc] += r;
                    }
                }
            }
            (loss, g)
        })
        .collect();
    grad.iter_mut().for_each(|g| *g = 0.0);
    let mut loss = 0.0;
    for (l, g) in parts {
        loss += l;
        for (a, b) in grad.iter_mut().zip(&g) {
            *a += b;
        }
    }
    let mut reg = 0.0;
    for (i, gi) in grad.iter_mut().enumerate() {
        *gi *= c;
        if i < k * d {
            *gi += theta[i];
            reg += theta[i] * theta[i];
        }
    }
    c * loss + 0.5 * reg
}

/// The held-out score of the softmax model `theta` on `rows`, lower is
/// better: misclassified rows, ties broken by the mean cross-entropy (mapped
/// into `[0, 1)`, so it never outweighs one error). Errors come first
/// because the loss of a weakly regularized model bottoms out long before
/// its accuracy does.
fn held_out_loss(x: &Csr<f32>, rows: &[usize], y: &[usize], k: usize, theta: &[f64]) -> f64 {
    let d = x.ncols();
    let mut z = vec![0.0f64; k];
    let mut loss = 0.0;
    let mut errors = 0usize;
    for (&i, &yi) in rows.iter().zip(y) {
        let (cols, vals) = x.row(i);
        for (cc, zc) in z.iter_mut().enumerate() {
            let w = &theta[cc * d..(cc + 1) * d];
            *zc = theta[k * d + cc]
                + cols.iter().zip(vals).map(|(&j, &v)| w[j as usize] * v as f64).sum::<f64>();
        }
        let m = z.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        let lse = m + z.iter().map(|v| (v - m).exp()).sum::<f64>().ln();
        loss += lse - z[yi];
        errors +=
            usize::from(z.iter().enumerate().any(|(c, &v)| v > z[yi] || (v == z[yi] && c < yi)));
    }
    let mean = loss / rows.len().max(1) as f64;
    errors as f64 + mean / (1.0 + mean)
}

/// Minimizes with L-BFGS (memory 10, backtracking line search). After each
/// step, `stop(x)` may end the run early.
fn lbfgs(
    mut f: impl FnMut(&[f64], &mut [f64]) -> f64,
    mut x: Vec<f64>,
    max_iter: usize,
    tol: f64,
    mut stop: impl FnMut(&[f64]) -> bool,
) -> Vec<f64> {
    let n = x.len();
    let m = 10;
    let mut g = vec![0.0; n];
    let mut fx = f(&x, &mut g);
    let mut s_hist: Vec<Vec<f64>> = Vec::new();
    let mut y_hist: Vec<Vec<f64>> = Vec::new();
    let mut rho: Vec<f64> = Vec::new();
    let mut g_new = vec![0.0; n];
    let mut x_new = vec![0.0; n];
    for _ in 0..max_iter {
        if g.iter().fold(0.0f64, |a, v| a.max(v.abs())) < tol {
            break;
        }
        // Two-loop recursion: direction = -H g.
        let mut q = g.clone();
        let mut a = vec![0.0; s_hist.len()];
        for i in (0..s_hist.len()).rev() {
            a[i] = rho[i] * dot(&s_hist[i], &q);
            axpy(-a[i], &y_hist[i], &mut q);
        }
        let gamma = match (s_hist.last(), y_hist.last()) {
            (Some(s), Some(y)) => dot(s, y) / dot(y, y),
            _ => 1.0 / dot(&g, &g).sqrt().max(1e-12),
        };
        q.iter_mut().for_each(|v| *v *= gamma);
        for i in 0..s_hist.len() {
            let b = rho[i] * dot(&y_hist[i], &q);
            axpy(a[i] - b, &s_hist[i], &mut q);
        }
        let dir: Vec<f64> = q.iter().map(|v| -v).collect();
        let slope = dot(&g, &dir);
        if slope >= 0.0 {
            // Not a descent direction: restart from steepest descent.
            s_hist.clear();
            y_hist.clear();
            rho.clear();
            continue;
        }
        let mut step = 1.0;
        let mut fx_new;
        loop {
            for i in 0..n {
                x_new[i] = x[i] + step * dir[i];
            }
            fx_new = f(&x_new, &mut g_new);
            if fx_new <= fx + 1e-4 * step * slope || step < 1e-10 {
                break;
            }
            step *= 0.5;
        }
        let s: Vec<f64> = x_new.iter().zip(&x).map(|(a, b)| a - b).collect();
        let yv: Vec<f64> = g_new.iter().zip(&g).map(|(a, b)| a - b).collect();
        let sy = dot(&s, &yv);
        let rel = (fx - fx_new).abs() / fx.abs().max(1.0);
        std::mem::swap(&mut x, &mut x_new);
        std::mem::swap(&mut g, &mut g_new);
        fx = fx_new;
        if sy > 1e-10 {
            if s_hist.len() == m {
                s_hist.remove(0);
                y_hist.remove(0);
                rho.remove(0);
            }
            rho.push(1.0 / sy);
            s_hist.push(s);
            y_hist.push(yv);
        }
        if rel < 1e-9 || stop(&x) {
            break;
        }
    }
    x
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn axpy(a: f64, x: &[f64], y: &mut [f64]) {
    for (yi, xi) in y.iter_mut().zip(x) {
        *yi += a * xi;
    }
}

/// Trains a `k`-class softmax model over `rows` (`class(row)` gives the class).
pub(crate) fn train_logistic(
    x: &Csr<f32>,
    rows: &[usize],
    k: usize,
    class: impl Fn(usize) -> usize,
    p: &LogisticValidParams,
) -> LinearModel {
    let d = x.ncols();
    let (fit, held) = match &p.early_stopping {
        Some(es) => es.split(rows, &class, p.seed),
        None => (rows.to_vec(), Vec::new()),
    };
    let y: Vec<usize> = fit.iter().map(|&i| class(i)).collect();
    let held_y: Vec<usize> = held.iter().map(|&i| class(i)).collect();
    let mut monitor = Monitor::new(p.early_stopping.map_or(1, |es| es.patience));
    let theta = lbfgs(
        |t, g| loss_grad(x, &fit, &y, k, p.c, t, g),
        vec![0.0; k * (d + 1)],
        p.max_iter,
        p.tol,
        |t| {
            !held.is_empty()
                && monitor.observe(held_out_loss(x, &held, &held_y, k, t), || t.to_vec())
        },
    );
    let theta = match (monitor.into_best(), &p.early_stopping) {
        (Some((_, passes)), Some(es)) if es.refit => {
            // The same number of iterations on every row.
            let y: Vec<usize> = rows.iter().map(|&i| class(i)).collect();
            lbfgs(
                |t, g| loss_grad(x, rows, &y, k, p.c, t, g),
                vec![0.0; k * (d + 1)],
                passes,
                p.tol,
                |_| false,
            )
        }
        (Some((best, _)), _) => best,
        (None, _) => theta,
    };
    let weights = theta[..k * d].iter().map(|&v| v as f32).collect();
    let bias = theta[k * d..].iter().map(|&v| v as f32).collect();
    LinearModel::new(d, weights, bias)
}

/// A fitted softmax regression.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Logistic {
    model: LinearModel,
}

impl Logistic {
    /// The linear scorer (scores are logits).
    pub fn model(&self) -> &LinearModel {
        &self.model
    }
}

impl Fit<SparseRecords, Array1<usize>, Error> for LogisticValidParams {
    type Object = Logistic;

    fn fit(&self, ds: &DatasetBase<SparseRecords, Array1<usize>>) -> Result<Logistic> {
        let (x, k, rows) = crate::records::single_label(ds)?;
        Ok(Logistic { model: train_logistic(x, &rows, k, |i| ds.targets[i], self) })
    }
}

impl PredictInplace<SparseRecords, Array2<f32>> for Logistic {
    /// Class probabilities, `(rows, classes)`.
    fn predict_inplace(&self, x: &SparseRecords, y: &mut Array2<f32>) {
        let mut s = Vec::new();
        for (i, (cols, vals)) in x.matrix().rows().enumerate() {
            self.model.scores_row(cols, vals, &mut s);
            crate::calibration::softmax_in_place(&mut s);
            for (c, &p) in s.iter().enumerate() {
                y[[i, c]] = p;
            }
        }
    }

    fn default_target(&self, x: &SparseRecords) -> Array2<f32> {
        Array2::zeros((x.matrix().nrows(), self.model.n_classes()))
    }
}

impl PredictInplace<SparseRecords, Array1<usize>> for Logistic {
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
