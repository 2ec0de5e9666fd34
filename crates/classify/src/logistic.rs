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
use std::collections::VecDeque;

/// Validated parameters of [`Logistic`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LogisticValidParams {
    /// Inverse regularization strength.
    pub c: f64,
    /// Most L-BFGS iterations.
    pub max_iter: usize,
    /// Stop when the largest entry of the gradient of the mean loss (the
    /// objective divided by `C` times the number of rows, scikit-learn's
    /// scale) falls below this.
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
        LogisticValidParams { c: 10.0, max_iter: 300, tol: 1e-5, early_stopping: None, seed: 42 }
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
    /// Every parameter from a (possibly unchecked) set of values, such as
    /// those a model file or a caller's struct holds.
    pub fn from_values(p: LogisticValidParams) -> Self {
        LogisticParams(p)
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
    /// Gradient tolerance, on the scale of the mean loss (see
    /// [`LogisticValidParams::tol`]).
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

/// How scores become probabilities: a softmax over `k` weight vectors, or,
/// for two classes, a sigmoid of one (`y` is 0 or 1). A two-class softmax
/// with C has the same optimum as a sigmoid with 2C (the difference of its
/// two weight vectors; each is half of it, with opposite signs), for half
/// the parameters and work.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Link {
    Softmax,
    Sigmoid,
}

/// The loss of a row with scores `z` (`k` values; one for the sigmoid) and
/// class `yi`; `z` is overwritten with the residuals `dloss/dz`.
#[inline]
fn row_loss(link: Link, z: &mut [f64], yi: usize) -> f64 {
    match link {
        Link::Softmax => {
            let m = z.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
            let lse = m + z.iter().map(|v| (v - m).exp()).sum::<f64>().ln();
            let loss = lse - z[yi];
            for (cc, zc) in z.iter_mut().enumerate() {
                *zc = (*zc - lse).exp() - if cc == yi { 1.0 } else { 0.0 };
            }
            loss
        }
        Link::Sigmoid => {
            // ln(1 + e^z) - y z, and sigmoid(z) - y, without overflow.
            let t = z[0];
            let softplus = t.max(0.0) + (-t.abs()).exp().ln_1p();
            let y = yi as f64;
            z[0] = if t >= 0.0 { 1.0 / (1.0 + (-t).exp()) } else { t.exp() / (1.0 + t.exp()) } - y;
            softplus - y * t
        }
    }
}

/// The rows of a fit by column (`rows[pos]` of `x`), for the gradient
/// `X^T R`: each feature's gradient is then a sum over its own entries, in
/// row order, written once (features in parallel, disjoint outputs) instead
/// of scattered row by row, once per class.
struct Columns {
    /// Column `j`'s entries are `ptr[j]..ptr[j + 1]`.
    ptr: Vec<usize>,
    /// Position of the entry's row in the fit's rows.
    pos: Vec<u32>,
    val: Vec<f32>,
}

impl Columns {
    fn new(x: &Csr<f32>, rows: &[usize]) -> Self {
        let d = x.ncols();
        let mut ptr = vec![0usize; d + 1];
        for &i in rows {
            for &j in x.row(i).0 {
                ptr[j as usize + 1] += 1;
            }
        }
        for j in 0..d {
            ptr[j + 1] += ptr[j];
        }
        let nnz = ptr[d];
        let mut next = ptr[..d].to_vec();
        let (mut pos, mut val) = (vec![0u32; nnz], vec![0.0f32; nnz]);
        for (t, &i) in rows.iter().enumerate() {
            let (cols, vals) = x.row(i);
            for (&j, &v) in cols.iter().zip(vals) {
                let at = &mut next[j as usize];
                pos[*at] = t as u32;
                val[*at] = v;
                *at += 1;
            }
        }
        Columns { ptr, pos, val }
    }
}

/// Features per parallel task in the gradient's per-feature passes.
const FEATURES: usize = 1024;

/// Writes the transpose of `src` (`r` rows, row-major) into `dst`: `dst`
/// row `j` holds column `j` of `src`. Rows of `dst` in parallel chunks (a
/// plain copy: the same result on any thread count).
fn transpose(src: &[f64], r: usize, dst: &mut [f64]) {
    let c = src.len().checked_div(r).unwrap_or(0);
    if c == 0 {
        return;
    }
    let per = (FEATURES * 32 / r).max(1);
    dst.par_chunks_mut(r * per).enumerate().for_each(|(b, out)| {
        for (jj, row) in out.chunks_mut(r).enumerate() {
            let j = b * per + jj;
            for (i, v) in row.iter_mut().enumerate() {
                *v = src[i * c + j];
            }
        }
    });
}

/// Loss and gradient of the objective at `theta` = `[W (k x d, class-major) | b (k)]`.
///
/// Two parallel passes, both bit-identical whatever the thread count: the
/// rows' residuals `dloss/dz` (each row on its own, losses summed in row
/// order), then each feature's gradient `Σ_i r_i x_ij` over `by_col` (features
/// in parallel, rows in order, disjoint outputs). No thread needs a dense
/// `k x d` buffer of its own: with per-thread gradients, allocating, zeroing
/// and summing them cost more than the sparse products (on 20 Newsgroups
/// with bigrams, hundreds of MB per evaluation).
#[allow(clippy::too_many_arguments)]
fn loss_grad(
    x: &Csr<f32>,
    rows: &[usize],
    by_col: &Columns,
    y: &[usize],
    link: Link,
    k: usize,
    c: f64,
    theta: &[f64],
    grad: &mut [f64],
) -> f64 {
    let d = x.ncols();
    // The weights feature-major for the scores: a row's nonzero then reads
    // the `k` weights of its feature side by side instead of `k` cache lines
    // far apart (this made the softmax gradient several times faster). The
    // sums run in the same order, so the scores are the same bits.
    let mut wt = vec![0.0f64; k * d];
    transpose(&theta[..k * d], k, &mut wt);
    let mut resid = vec![0.0f64; rows.len() * k];
    let losses: Vec<f64> = resid
        .par_chunks_mut(k)
        .zip(rows.par_iter().zip(y.par_iter()))
        .map(|(z, (&i, &yi))| {
            let (cols, vals) = x.row(i);
            z.iter_mut().for_each(|v| *v = 0.0);
            for (&j, &v) in cols.iter().zip(vals) {
                let w = &wt[j as usize * k..j as usize * k + k];
                for (zc, &wc) in z.iter_mut().zip(w) {
                    *zc += wc * v as f64;
                }
            }
            for (cc, zc) in z.iter_mut().enumerate() {
                *zc += theta[k * d + cc];
            }
            row_loss(link, z, yi)
        })
        .collect();
    let loss: f64 = losses.iter().sum();
    let (gw, gb) = grad.split_at_mut(k * d);
    // Feature-major gradient, one feature at a time (rows in order), then
    // back to the class-major layout of `theta`.
    let mut gt = vec![0.0f64; k * d];
    gt.par_chunks_mut(k * FEATURES).enumerate().for_each(|(b, out)| {
        for (jj, g) in out.chunks_mut(k).enumerate() {
            let j = b * FEATURES + jj;
            for e in by_col.ptr[j]..by_col.ptr[j + 1] {
                let (t, v) = (by_col.pos[e] as usize, by_col.val[e] as f64);
                for (gc, &r) in g.iter_mut().zip(&resid[t * k..t * k + k]) {
                    *gc += r * v;
                }
            }
        }
    });
    transpose(&gt, d, gw);
    for (cc, b) in gb.iter_mut().enumerate() {
        *b = (0..rows.len()).map(|t| resid[t * k + cc]).sum();
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
fn held_out_loss(
    x: &Csr<f32>,
    rows: &[usize],
    y: &[usize],
    link: Link,
    k: usize,
    theta: &[f64],
) -> f64 {
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
        errors += match link {
            Link::Softmax => {
                usize::from(z.iter().enumerate().any(|(c, &v)| v > z[yi] || (v == z[yi] && c < yi)))
            }
            Link::Sigmoid => usize::from((z[0] > 0.0) != (yi == 1)),
        };
        loss += row_loss(link, &mut z, yi);
    }
    let mean = loss / rows.len().max(1) as f64;
    errors as f64 + mean / (1.0 + mean)
}

/// Minimizes with L-BFGS (memory 10, backtracking line search). After each
/// step, `stop(x)` may end the run early. Vectors are allocated once (the
/// oldest history pair is recycled): with millions of parameters, fresh
/// allocations every iteration cost page faults.
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
    // History pairs (s, y, 1 / s·y), oldest first.
    let mut hist: VecDeque<(Vec<f64>, Vec<f64>, f64)> = VecDeque::with_capacity(m);
    let mut g_new = vec![0.0; n];
    let mut x_new = vec![0.0; n];
    let mut dir = vec![0.0; n];
    let (mut s_buf, mut y_buf) = (vec![0.0; n], vec![0.0; n]);
    let mut a = vec![0.0; m];
    for _ in 0..max_iter {
        if max_abs(&g) < tol {
            break;
        }
        // Two-loop recursion: direction = -H g.
        let q = &mut dir;
        q.copy_from_slice(&g);
        for (i, (s, y, rho)) in hist.iter().enumerate().rev() {
            a[i] = rho * dot(s, q);
            axpy(-a[i], y, q);
        }
        let gamma = match hist.back() {
            Some((s, y, _)) => dot(s, y) / dot(y, y),
            None => 1.0 / dot(&g, &g).sqrt().max(1e-12),
        };
        zip_map(q, &[], |v, _| *v *= gamma);
        for (i, (s, y, rho)) in hist.iter().enumerate() {
            let b = rho * dot(y, q);
            axpy(a[i] - b, s, q);
        }
        zip_map(q, &[], |v, _| *v = -*v);
        let slope = dot(&g, &dir);
        if slope >= 0.0 {
            // Not a descent direction: restart from steepest descent.
            hist.clear();
            continue;
        }
        let mut step = 1.0;
        let mut fx_new;
        loop {
            zip3(&mut x_new, &x, &dir, |o, a, d| *o = a + step * d);
            fx_new = f(&x_new, &mut g_new);
            if fx_new <= fx + 1e-4 * step * slope || step < 1e-10 {
                break;
            }
            step *= 0.5;
        }
        zip3(&mut s_buf, &x_new, &x, |o, a, b| *o = a - b);
        zip3(&mut y_buf, &g_new, &g, |o, a, b| *o = a - b);
        let sy = dot(&s_buf, &y_buf);
        let rel = (fx - fx_new).abs() / fx.abs().max(1.0);
        std::mem::swap(&mut x, &mut x_new);
        std::mem::swap(&mut g, &mut g_new);
        fx = fx_new;
        if sy > 1e-10 {
            // Keep the pair; the next one is written into the oldest pair's
            // vectors once the history is full.
            let (s_next, y_next) = if hist.len() == m {
                hist.pop_front().map(|(s, y, _)| (s, y)).unwrap_or_default()
            } else {
                (vec![0.0; n], vec![0.0; n])
            };
            let s = std::mem::replace(&mut s_buf, s_next);
            let y = std::mem::replace(&mut y_buf, y_next);
            hist.push_back((s, y, 1.0 / sy));
        }
        if rel < 1e-9 || stop(&x) {
            break;
        }
    }
    x
}

/// Vectors longer than this are processed in parallel chunks of this
/// size. The chunks do not depend on the thread count, and partial sums are
/// added in chunk order, so results are the same bits on any number of
/// threads (shorter vectors, such as one label's, stay serial).
const CHUNK: usize = 1 << 15;

fn dot(a: &[f64], b: &[f64]) -> f64 {
    let serial = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f64>();
    if a.len() <= CHUNK {
        return serial(a, b);
    }
    let parts: Vec<f64> =
        a.par_chunks(CHUNK).zip(b.par_chunks(CHUNK)).map(|(a, b)| serial(a, b)).collect();
    parts.iter().sum()
}

fn max_abs(a: &[f64]) -> f64 {
    let serial = |a: &[f64]| a.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    if a.len() <= CHUNK {
        return serial(a);
    }
    a.par_chunks(CHUNK).map(serial).reduce(|| 0.0, f64::max)
}

/// `f(y_i, x_i)` for every `i` (`x` may be empty: then `f(y_i, 0)`).
fn zip_map(y: &mut [f64], x: &[f64], f: impl Fn(&mut f64, f64) + Sync) {
    let run = |y: &mut [f64], x: &[f64]| {
        if x.is_empty() {
            y.iter_mut().for_each(|v| f(v, 0.0));
        } else {
            y.iter_mut().zip(x).for_each(|(v, &w)| f(v, w));
        }
    };
    if y.len() <= CHUNK {
        run(y, x);
    } else if x.is_empty() {
        y.par_chunks_mut(CHUNK).for_each(|y| run(y, &[]));
    } else {
        y.par_chunks_mut(CHUNK).zip(x.par_chunks(CHUNK)).for_each(|(y, x)| run(y, x));
    }
}

/// `f(o_i, a_i, b_i)` for every `i`.
fn zip3(o: &mut [f64], a: &[f64], b: &[f64], f: impl Fn(&mut f64, f64, f64) + Sync) {
    let run = |o: &mut [f64], a: &[f64], b: &[f64]| {
        for ((o, &a), &b) in o.iter_mut().zip(a).zip(b) {
            f(o, a, b);
        }
    };
    if o.len() <= CHUNK {
        run(o, a, b);
    } else {
        o.par_chunks_mut(CHUNK)
            .zip(a.par_chunks(CHUNK).zip(b.par_chunks(CHUNK)))
            .for_each(|(o, (a, b))| run(o, a, b));
    }
}

fn axpy(a: f64, x: &[f64], y: &mut [f64]) {
    zip_map(y, x, |v, w| *v += a * w);
}

/// Trains a `k`-class softmax model over `rows` (`class(row)` gives the
/// class). Two classes are fitted as one sigmoid (see [`Link`]).
pub(crate) fn train_logistic(
    x: &Csr<f32>,
    rows: &[usize],
    k: usize,
    class: impl Fn(usize) -> usize,
    p: &LogisticValidParams,
) -> LinearModel {
    let d = x.ncols();
    let (link, kp, c) =
        if k == 2 { (Link::Sigmoid, 1, 2.0 * p.c) } else { (Link::Softmax, k, p.c) };
    let (fit, held) = match &p.early_stopping {
        Some(es) => es.split(rows, &class, p.seed),
        None => (rows.to_vec(), Vec::new()),
    };
    let y: Vec<usize> = fit.iter().map(|&i| class(i)).collect();
    let held_y: Vec<usize> = held.iter().map(|&i| class(i)).collect();
    let mut monitor = Monitor::new(p.early_stopping.map_or(1, |es| es.patience));
    let by_col = Columns::new(x, &fit);
    let gtol = p.tol * c * fit.len().max(1) as f64;
    let theta = lbfgs(
        |t, g| loss_grad(x, &fit, &by_col, &y, link, kp, c, t, g),
        vec![0.0; kp * (d + 1)],
        p.max_iter,
        gtol,
        |t| {
            !held.is_empty()
                && monitor.observe(held_out_loss(x, &held, &held_y, link, kp, t), || t.to_vec())
        },
    );
    let theta = match (monitor.into_best(), &p.early_stopping) {
        (Some((_, passes)), Some(es)) if es.refit => {
            // The same number of iterations on every row.
            let y: Vec<usize> = rows.iter().map(|&i| class(i)).collect();
            let by_col = Columns::new(x, rows);
            lbfgs(
                |t, g| loss_grad(x, rows, &by_col, &y, link, kp, c, t, g),
                vec![0.0; kp * (d + 1)],
                passes,
                p.tol * c * rows.len().max(1) as f64,
                |_| false,
            )
        }
        (Some((best, _)), _) => best,
        (None, _) => theta,
    };
    let (weights, bias) = match link {
        Link::Softmax => (
            theta[..k * d].iter().map(|&v| v as f32).collect(),
            theta[k * d..].iter().map(|&v| v as f32).collect(),
        ),
        // The two-class softmax optimum: each class half the difference.
        Link::Sigmoid => {
            let half: Vec<f32> = theta.iter().map(|&v| (0.5 * v) as f32).collect();
            let neg = half[..d].iter().map(|v| -v);
            (neg.chain(half[..d].iter().copied()).collect(), vec![-half[d], half[d]])
        }
    };
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;
    use crate::testdata::problem;

    /// The analytic gradient matches central finite differences of the
    /// loss, and is the same bits on one thread as on three.
    #[test]
    fn gradient_matches_finite_differences_and_thread_counts() {
        for (link, k, classes) in [(Link::Softmax, 3, 3), (Link::Sigmoid, 1, 2)] {
            let (n, d, c) = (40, 12, 2.5);
            let (x, rows, y) = problem(n, d, classes, 7);
            let by_col = Columns::new(&x, &rows);
            let mut rng = Rng::new(11, 1);
            let theta: Vec<f64> =
                (0..k * (d + 1)).map(|_| rng.below(1000) as f64 / 1000.0 - 0.5).collect();
            let mut grad = vec![0.0; theta.len()];
            let f0 = loss_grad(&x, &rows, &by_col, &y, link, k, c, &theta, &mut grad);
            assert!(f0.is_finite() && f0 > 0.0);
            let h = 1e-5;
            for i in 0..theta.len() {
                let mut t = theta.clone();
                let mut scratch = vec![0.0; theta.len()];
                t[i] = theta[i] + h;
                let up = loss_grad(&x, &rows, &by_col, &y, link, k, c, &t, &mut scratch);
                t[i] = theta[i] - h;
                let down = loss_grad(&x, &rows, &by_col, &y, link, k, c, &t, &mut scratch);
                let numeric = (up - down) / (2.0 * h);
                assert!(
                    (numeric - grad[i]).abs() <= 1e-5 * (1.0 + numeric.abs()),
                    "{link:?} coordinate {i}: analytic {} numeric {numeric}",
                    grad[i]
                );
            }
            let on = |threads: usize| {
                let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
                pool.install(|| {
                    let mut g = vec![0.0; theta.len()];
                    let f = loss_grad(&x, &rows, &by_col, &y, link, k, c, &theta, &mut g);
                    (f.to_bits(), g.iter().map(|v| v.to_bits()).collect::<Vec<_>>())
                })
            };
            assert_eq!(on(1), on(3));
        }
    }

    /// On a problem wide enough for several feature chunks, the gradient
    /// equals a naive dense computation, and the vector helpers give the
    /// same bits on one thread as on three.
    #[test]
    fn wide_gradient_and_vector_helpers() {
        let (n, d, k, c) = (30, 3000, 4, 1.0);
        let (x, rows, y) = problem(n, d, k, 5);
        let by_col = Columns::new(&x, &rows);
        let mut rng = Rng::new(3, 2);
        let theta: Vec<f64> =
            (0..k * (d + 1)).map(|_| rng.below(1000) as f64 / 1e4 - 0.05).collect();
        let mut grad = vec![0.0; theta.len()];
        loss_grad(&x, &rows, &by_col, &y, Link::Softmax, k, c, &theta, &mut grad);
        // Naive: dense rows, softmax, outer products.
        let mut want = vec![0.0; theta.len()];
        for (t, &i) in rows.iter().enumerate() {
            let mut dense = vec![0.0f64; d];
            let (cols, vals) = x.row(i);
            for (&j, &v) in cols.iter().zip(vals) {
                dense[j as usize] = v as f64;
            }
            let z: Vec<f64> = (0..k)
                .map(|cc| {
                    theta[k * d + cc] + (0..d).map(|j| theta[cc * d + j] * dense[j]).sum::<f64>()
                })
                .collect();
            let m = z.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
            let lse = m + z.iter().map(|v| (v - m).exp()).sum::<f64>().ln();
            for cc in 0..k {
                let r = (z[cc] - lse).exp() - if cc == y[t] { 1.0 } else { 0.0 };
                for j in 0..d {
                    want[cc * d + j] += c * r * dense[j];
                }
                want[k * d + cc] += c * r;
            }
        }
        for (i, w) in want.iter_mut().enumerate().take(k * d) {
            *w += theta[i];
        }
        for (i, (g, w)) in grad.iter().zip(&want).enumerate() {
            assert!((g - w).abs() < 1e-9 * (1.0 + w.abs()), "{i}: {g} vs {w}");
        }
        let long: Vec<f64> =
            (0..3 * CHUNK + 17).map(|i| ((i * 7919) % 1000) as f64 - 499.5).collect();
        let helpers = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            pool.install(|| {
                let mut y = long.clone();
                axpy(0.25, &long, &mut y);
                let mut o = vec![0.0; long.len()];
                zip3(&mut o, &long, &y, |o, a, b| *o = a - b);
                (dot(&long, &y).to_bits(), max_abs(&o).to_bits(), y, o)
            })
        };
        let (d1, m1, y1, o1) = helpers(1);
        assert_eq!((d1, m1), {
            let (d3, m3, y3, o3) = helpers(3);
            assert_eq!((&y1, &o1), (&y3, &o3));
            (d3, m3)
        });
        let serial: f64 = long.iter().zip(&y1).map(|(a, b)| a * b).sum();
        assert!((f64::from_bits(d1) - serial).abs() < 1e-9 * serial.abs());
        assert_eq!(f64::from_bits(m1), 0.25 * 499.5);
    }

    /// A two-class softmax with C and a sigmoid with 2C reach the same
    /// model: the softmax's weight difference is the sigmoid's weights.
    #[test]
    fn two_class_softmax_equals_sigmoid_at_twice_c() {
        let (n, d, c) = (60, 10, 1.5);
        let (x, rows, y) = problem(n, d, 2, 3);
        let by_col = Columns::new(&x, &rows);
        let solve = |link: Link, k: usize, c: f64| {
            lbfgs(
                |t, g| loss_grad(&x, &rows, &by_col, &y, link, k, c, t, g),
                vec![0.0; k * (d + 1)],
                2000,
                1e-9,
                |_| false,
            )
        };
        let soft = solve(Link::Softmax, 2, c);
        let sig = solve(Link::Sigmoid, 1, 2.0 * c);
        for j in 0..d {
            let diff = soft[d + j] - soft[j];
            assert!(
                (diff - sig[j]).abs() < 1e-4 * (1.0 + sig[j].abs()),
                "{j}: {diff} vs {}",
                sig[j]
            );
        }
        let db = soft[2 * d + 1] - soft[2 * d];
        assert!((db - sig[d]).abs() < 1e-4 * (1.0 + sig[d].abs()), "bias {db} vs {}", sig[d]);
        // And train_logistic's two-class model is that optimum split in halves.
        let p = LogisticValidParams { c, max_iter: 2000, tol: 1e-9, ..Default::default() };
        let m = train_logistic(&x, &rows, 2, |i| y[i], &p);
        for (j, &v) in sig[..d].iter().enumerate() {
            let w = (m.weight(1, j) - m.weight(0, j)) as f64;
            assert!((w - v).abs() < 1e-4 * (1.0 + v.abs()));
            assert!((m.weight(1, j) + m.weight(0, j)).abs() < 1e-6);
        }
    }
}
