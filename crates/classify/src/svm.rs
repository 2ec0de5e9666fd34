//! Linear support vector machines trained by dual coordinate descent
//! (Hsieh, Chang, Lin, Keerthi and Sundararajan, ICML 2008: the algorithm of
//! LIBLINEAR's dual solvers, with its shrinking heuristic), one-vs-rest:
//! the classes in groups (of up to four, or up to twelve without
//! naive-Bayes scaling when their weights fit [`WIDE_BUDGET`]) that share
//! every pass over the rows ([`fit_group`]), the groups in parallel.
//!
//! Options beyond LIBLINEAR: over-relaxed coordinate steps at tight
//! tolerances ([`LinearSvcValidParams::relaxation`]), class weighting, and
//! naive-Bayes feature scaling (Wang and Manning, ACL 2012, "NBSVM"): each
//! binary problem scales feature `j` by the log-count ratio
//! `r_j = ln((p_j/|p|) / (q_j/|q|))` of the positive and negative
//! documents, which helps on short texts.

use crate::early::{EarlyStopping, Monitor};
use crate::error::{Error, Result};
use crate::linear::LinearModel;
use crate::records::SparseRecords;
use crate::rng::Rng;
use linfa::dataset::DatasetBase;
use linfa::traits::{Fit, PredictInplace};
use linfa::ParamGuard;
use ndarray::{Array1, Array2};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use sift_tfidf::{prefetch, Csr};

/// The loss of a linear SVM.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SvmLoss {
    /// `max(0, 1 - y w·x)`.
    Hinge,
    /// `max(0, 1 - y w·x)^2` (LIBLINEAR's default).
    SquaredHinge,
}

/// How errors on each class are weighted.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClassWeight {
    /// Every example counts the same.
    Uniform,
    /// Positive examples of a rare class count more: `C * n / (2 n_pos)`
    /// for the positives of each one-vs-rest problem (at least `C`), up
    /// to `cap` times `C`.
    Balanced {
        /// Largest weight multiplier.
        cap: f64,
    },
}

/// Validated parameters of [`LinearSvc`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LinearSvcValidParams {
    /// Inverse regularization strength.
    pub c: f64,
    /// Hinge or squared hinge.
    pub loss: SvmLoss,
    /// Stop when the projected-gradient gap falls below this.
    pub tol: f64,
    /// Most passes over the data.
    pub max_epochs: usize,
    /// Class weighting.
    pub class_weight: ClassWeight,
    /// Seed for the order of coordinate updates.
    pub seed: u64,
    /// The constant feature that learns the intercept (0: no intercept).
    pub bias: f64,
    /// Naive-Bayes feature scaling with this smoothing (`None`: off).
    pub nb_alpha: Option<f64>,
    /// Stop when the loss on a held-out part of each binary problem's rows
    /// stops improving, and keep the best epoch's weights (`None`: off).
    #[serde(default)]
    pub early_stopping: Option<EarlyStopping>,
    /// Over-relaxation factor `omega` in (0, 2) of each coordinate step
    /// (projected successive over-relaxation: the exact step times `omega`,
    /// then clipped to the bounds); `None`: automatic, see
    /// [`LinearSvcValidParams::omega`]. With any `omega` in (0, 2) a step
    /// that moves lowers the dual objective (the step's change in a convex
    /// quadratic is `-(omega - omega^2/2) g^2/Q`, and clipping keeps the
    /// point between the old one and the relaxed one), and projected SOR
    /// converges for those factors (Mangasarian, JOTA 1977): the solver
    /// reaches the same optimum under the same stopping test; only the
    /// path, and so the number of epochs, changes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relaxation: Option<f64>,
}

/// The automatic over-relaxation, at tolerances up to
/// [`AUTO_RELAXATION_TOL`].
///
/// Measured (20 Newsgroups, scikit-learn's LinearSVC settings, tolerance
/// 1e-4, one thread, with a per-epoch trace of the group solver): its two
/// groups took 41 and 39 epochs at 1.0, 33 and 32 at 1.2, 29 and 27 at 1.4,
/// 27 and 27 at 1.5, 31 and 31 at 1.6 and 52 and 51 at 1.8, and the row
/// entries they read fell from 114 to 82 million at 1.4, with the same test
/// accuracy. In the tail, once the free variables no longer change, the
/// projected-gradient gap fell to about 0.75 of itself per epoch at 1.0 and
/// to about 0.63 at 1.4; factors above 1.5 did no better there either.
pub const AUTO_RELAXATION: f64 = 1.4;

/// The loosest tolerance at which `relaxation: None` over-relaxes:
/// LIBLINEAR's default for this solver (0.1) and anything tighter, such as
/// scikit-learn's LinearSVC (1e-4). Measured (`examples/trainphases`, the
/// same settings, one thread): the SVM fit 250-273 -> 155-171 ms at 0.1,
/// 303-360 -> 203-292 ms at 1e-2, 384-493 -> 292-353 ms at 1e-4. sift's
/// own default pipeline (tolerance 0.5, naive-Bayes scaling) stops after a
/// few epochs: there the row reads fell by 7% only, which this host's
/// noise hides, and it keeps LIBLINEAR's exact step and its models.
pub const AUTO_RELAXATION_TOL: f64 = 0.1;

impl Default for LinearSvcValidParams {
    fn default() -> Self {
        LinearSvcValidParams {
            c: 1.0,
            loss: SvmLoss::SquaredHinge,
            tol: 0.1,
            max_epochs: 1000,
            class_weight: ClassWeight::Uniform,
            seed: 42,
            bias: 1.0,
            nb_alpha: None,
            early_stopping: None,
            relaxation: None,
        }
    }
}

impl LinearSvcValidParams {
    /// The over-relaxation factor the solver uses: [`Self::relaxation`],
    /// or when that is `None`, [`AUTO_RELAXATION`] for tolerances up to
    /// [`AUTO_RELAXATION_TOL`] and 1 (LIBLINEAR's exact step) above.
    pub fn omega(&self) -> f64 {
        match self.relaxation {
            Some(w) => w,
            None if self.tol <= AUTO_RELAXATION_TOL => AUTO_RELAXATION,
            None => 1.0,
        }
    }
}

/// Unchecked parameters of [`LinearSvc`] (a linfa `ParamGuard`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LinearSvcParams(LinearSvcValidParams);

impl LinearSvcParams {
    /// LIBLINEAR's defaults: C = 1, squared hinge, tolerance 0.1.
    pub fn new() -> Self {
        Self::default()
    }
    /// Every parameter from a (possibly unchecked) set of values, such as
    /// those a model file or a caller's struct holds.
    pub fn from_values(p: LinearSvcValidParams) -> Self {
        LinearSvcParams(p)
    }
    /// Inverse regularization strength.
    pub fn c(mut self, c: f64) -> Self {
        self.0.c = c;
        self
    }
    /// Loss.
    pub fn loss(mut self, loss: SvmLoss) -> Self {
        self.0.loss = loss;
        self
    }
    /// Stopping tolerance.
    pub fn tol(mut self, tol: f64) -> Self {
        self.0.tol = tol;
        self
    }
    /// Most passes over the data.
    pub fn max_epochs(mut self, n: usize) -> Self {
        self.0.max_epochs = n;
        self
    }
    /// Class weighting.
    pub fn class_weight(mut self, w: ClassWeight) -> Self {
        self.0.class_weight = w;
        self
    }
    /// Seed.
    pub fn seed(mut self, seed: u64) -> Self {
        self.0.seed = seed;
        self
    }
    /// Intercept feature value (0 for none).
    pub fn bias(mut self, b: f64) -> Self {
        self.0.bias = b;
        self
    }
    /// Naive-Bayes feature scaling.
    pub fn nb_alpha(mut self, alpha: Option<f64>) -> Self {
        self.0.nb_alpha = alpha;
        self
    }
    /// Early stopping on a held-out split (`None`: off, the default).
    pub fn early_stopping(mut self, es: Option<EarlyStopping>) -> Self {
        self.0.early_stopping = es;
        self
    }
    /// Over-relaxation of the coordinate steps, in (0, 2) (`None`:
    /// automatic, the default; see [`LinearSvcValidParams::omega`]).
    pub fn relaxation(mut self, omega: Option<f64>) -> Self {
        self.0.relaxation = omega;
        self
    }
}

impl ParamGuard for LinearSvcParams {
    type Checked = LinearSvcValidParams;
    type Error = Error;

    fn check_ref(&self) -> Result<&Self::Checked> {
        let p = &self.0;
        let bad = |name, reason: &str| Err(Error::Param { name, reason: reason.to_string() });
        if !(p.c.is_finite() && p.c > 0.0) {
            return bad("c", "must be a positive number");
        }
        if !(p.tol.is_finite() && p.tol > 0.0) {
            return bad("tol", "must be a positive number");
        }
        if p.max_epochs == 0 {
            return bad("max_epochs", "must be at least 1");
        }
        if !(p.bias.is_finite() && p.bias >= 0.0) {
            return bad("bias", "must be zero or positive");
        }
        if let ClassWeight::Balanced { cap } = p.class_weight {
            if !(cap.is_finite() && cap >= 1.0) {
                return bad("class_weight", "the cap must be at least 1");
            }
        }
        if p.nb_alpha.is_some_and(|a| !(a.is_finite() && a > 0.0)) {
            return bad("nb_alpha", "must be a positive number");
        }
        if let Some(es) = &p.early_stopping {
            es.check()?;
        }
        if p.relaxation.is_some_and(|w| !(w.is_finite() && w > 0.0 && w < 2.0)) {
            return bad("relaxation", "must be between 0 and 2, both excluded");
        }
        Ok(p)
    }

    fn check(self) -> Result<Self::Checked> {
        self.check_ref()?;
        Ok(self.0)
    }
}

/// A fitted one-vs-rest linear SVM.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LinearSvc {
    model: LinearModel,
}

impl LinearSvc {
    /// The linear scorer.
    pub fn model(&self) -> &LinearModel {
        &self.model
    }

    /// Into the linear scorer.
    pub fn into_model(self) -> LinearModel {
        self.model
    }
}

/// The training matrix with its columns renumbered by falling document
/// frequency, so the weights of frequent terms share a few cache lines
/// (only the column indices are copied; values and row bounds are the
/// matrix's own).
///
/// Hand-written, measured: the dual solver spends most of its time reading
/// `w[column]` for every entry of a row. In the vectorizer's sorted term
/// order those reads scatter over the whole weight vector (about 1 MB for
/// 20 Newsgroups, beyond the first-level cache); after renumbering, the
/// common terms' weights fit in it. Entries keep their order within each
/// row, so every sum runs in the same order and the weights come out
/// bit-identical to training on the matrix itself.
struct Packed<'x> {
    indptr: &'x [usize],
    cols: Vec<u32>,
    vals: &'x [f32],
    /// `order[new] = old`: the original column of each renumbered column.
    order: Vec<u32>,
    /// The inverse: `new_of_old[old] = new`.
    new_of_old: Vec<u32>,
}

impl<'x> Packed<'x> {
    fn new(x: &'x Csr<f32>) -> Self {
        let d = x.ncols();
        let mut df = vec![0u32; d];
        for &c in x.indices() {
            df[c as usize] += 1;
        }
        let mut order: Vec<u32> = (0..d as u32).collect();
        order.sort_by_key(|&c| (std::cmp::Reverse(df[c as usize]), c));
        Packed::with_order(x, order)
    }

    fn with_order(x: &'x Csr<f32>, order: Vec<u32>) -> Self {
        let d = x.ncols();
        let mut new_of_old = vec![0u32; d];
        for (new, &old) in order.iter().enumerate() {
            new_of_old[old as usize] = new as u32;
        }
        let cols = x.indices().iter().map(|&c| new_of_old[c as usize]).collect();
        Packed { indptr: x.indptr(), cols, vals: x.data(), order, new_of_old }
    }

    fn ncols(&self) -> usize {
        self.order.len()
    }

    #[inline(always)]
    fn row(&self, i: usize) -> (&[u32], &[f32]) {
        let (a, b) = (self.indptr[i], self.indptr[i + 1]);
        (&self.cols[a..b], &self.vals[a..b])
    }

    /// Sums a vector over the columns in their original order (the same
    /// rounding as summing it before renumbering).
    fn sum_in_original_order(&self, v: &[f64]) -> f64 {
        self.new_of_old.iter().map(|&n| v[n as usize]).sum()
    }

    /// Weights of renumbered columns (`weight(new)`), back in the original
    /// column order.
    fn unpack(&self, weight: impl Fn(usize) -> f32) -> Vec<f32> {
        let mut out = vec![0.0f32; self.order.len()];
        for (new, &old) in self.order.iter().enumerate() {
            out[old as usize] = weight(new);
        }
        out
    }
}

/// Naive-Bayes log-count ratios of one binary problem over `rows`.
fn nb_ratios(
    x: &Packed<'_>,
    rows: &[usize],
    positive: impl Fn(usize) -> bool,
    alpha: f64,
) -> Vec<f64> {
    let d = x.ncols();
    let mut p = vec![alpha; d];
    let mut q = vec![alpha; d];
    for &i in rows {
        let (cols, vals) = x.row(i);
        let t = if positive(i) { &mut p } else { &mut q };
        for (&c, &v) in cols.iter().zip(vals) {
            t[c as usize] += v.abs() as f64;
        }
    }
    let (sp, sq) = (x.sum_in_original_order(&p), x.sum_in_original_order(&q));
    p.iter().zip(&q).map(|(a, b)| ((a / sp) / (b / sq)).ln()).collect()
}

/// `sum(weight(c) * v)` over a row's entries, in four running sums (one sum
/// is a chain of dependent additions: four let the processor overlap
/// them; the dual solver spends most of its time here).
#[inline(always)]
fn dot4(cols: &[u32], vals: &[f32], weight: impl Fn(usize) -> f64) -> f64 {
    let mut acc = [0.0f64; 4];
    let (c4, v4) = (cols.chunks_exact(4), vals.chunks_exact(4));
    let (cr, vr) = (c4.remainder(), v4.remainder());
    for (c, v) in c4.zip(v4) {
        for j in 0..4 {
            acc[j] += weight(c[j] as usize) * v[j] as f64;
        }
    }
    for (&c, &v) in cr.iter().zip(vr) {
        acc[0] += weight(c as usize) * v as f64;
    }
    (acc[0] + acc[1]) + (acc[2] + acc[3])
}

/// Each row's squared norm, which every one-vs-rest problem without
/// naive-Bayes scaling needs: computed once instead of once per class.
fn squared_norms(x: &Packed<'_>) -> Vec<f64> {
    (0..x.indptr.len() - 1).into_par_iter().map(|i| squared_norm(x.row(i).1)).collect()
}

fn squared_norm(vals: &[f32]) -> f64 {
    vals.iter().map(|&v| (v as f64) * (v as f64)).sum()
}

/// The cost of an error on a positive and on a negative row of a binary
/// problem with `n_pos` positives among `n` rows.
fn class_costs(p: &LinearSvcValidParams, n: usize, n_pos: usize) -> (f64, f64) {
    match p.class_weight {
        ClassWeight::Uniform => (p.c, p.c),
        ClassWeight::Balanced { cap } => {
            let w =
                if n_pos == 0 { 1.0 } else { (n as f64 / (2.0 * n_pos as f64)).clamp(1.0, cap) };
            (p.c * w, p.c)
        }
    }
}

/// The dual variables' upper bounds and diagonal terms, for positive and
/// negative rows: `(upper_p, upper_n, diag_p, diag_n)`.
fn dual_bounds(p: &LinearSvcValidParams, n: usize, n_pos: usize) -> (f64, f64, f64, f64) {
    let (cp, cn) = class_costs(p, n, n_pos);
    match p.loss {
        SvmLoss::Hinge => (cp, cn, 0.0, 0.0),
        SvmLoss::SquaredHinge => (f64::INFINITY, f64::INFINITY, 0.5 / cp, 0.5 / cn),
    }
}

/// LIBLINEAR's projected gradient of a dual variable `alpha` in
/// `[0, upper]` with gradient `g`; `None` when the shrinking heuristic
/// drops the row (at a bound, and beyond the last epoch's extreme
/// projected gradients `pg_max_old` / `pg_min_old`).
#[inline(always)]
fn projected_gradient(
    alpha: f64,
    g: f64,
    upper: f64,
    pg_max_old: f64,
    pg_min_old: f64,
) -> Option<f64> {
    if alpha == 0.0 {
        if g > pg_max_old {
            return None;
        }
        Some(g.min(0.0))
    } else if alpha == upper {
        if g < pg_min_old {
            return None;
        }
        Some(g.max(0.0))
    } else {
        Some(g)
    }
}

/// The next epoch's shrinking thresholds from this epoch's extreme
/// projected gradients (none while they are on the wrong side of zero).
fn shrink_thresholds(pg_max: f64, pg_min: f64) -> (f64, f64) {
    (
        if pg_max <= 0.0 { f64::INFINITY } else { pg_max },
        if pg_min >= 0.0 { f64::NEG_INFINITY } else { pg_min },
    )
}

/// Trains one binary problem over `rows` of `x` by dual coordinate descent
/// (`norms`: the rows' squared norms, when shared by several problems).
/// Returns the weights (in the original feature space) and the bias.
/// `positive` is behind a reference, so the refit after early stopping can
/// call it again.
fn fit_binary(
    x: &Packed<'_>,
    all_rows: &[usize],
    positive: &(dyn Fn(usize) -> bool + Sync),
    p: &LinearSvcValidParams,
    stream: u64,
    norms: Option<&[f64]>,
    buf: &mut Vec<f32>,
) -> (Vec<f32>, f32) {
    let d = x.ncols();
    let (fit, held) = match &p.early_stopping {
        Some(es) => es.split(all_rows, |i| positive(i) as usize, p.seed ^ stream),
        None => (all_rows.to_vec(), Vec::new()),
    };
    let rows = &fit[..];
    let n = rows.len();
    let scale = p.nb_alpha.map(|a| nb_ratios(x, rows, positive, a));
    let n_pos = rows.iter().filter(|&&i| positive(i)).count();
    let (cp, cn) = class_costs(p, n, n_pos);
    let (upper_p, upper_n, diag_p, diag_n) = dual_bounds(p, n, n_pos);
    let y: Vec<f64> = rows.iter().map(|&i| if positive(i) { 1.0 } else { -1.0 }).collect();
    let b2 = p.bias * p.bias;
    // With naive-Bayes scaling, every entry's value times its column's ratio,
    // computed once per problem into `buf` (row `rows[k]` at
    // `starts[k]..starts[k + 1]`): the epochs then read one weight array of
    // 8 bytes per feature. A weight and its scale side by side took 16, and
    // the default pipeline's solver spent most of its time missing the cache
    // on them; this cut its training time by about a quarter. `buf` is
    // reused across problems, so its pages are touched once.
    let mut starts = Vec::new();
    if let Some(r) = &scale {
        buf.clear();
        starts.reserve(n + 1);
        starts.push(0);
        for &i in rows {
            let (cols, vals) = x.row(i);
            buf.extend(cols.iter().zip(vals).map(|(&c, &v)| (v as f64 * r[c as usize]) as f32));
            starts.push(buf.len());
        }
    }
    let scaled = &buf[..];
    // Row `rows[k]`'s columns and (scaled) values.
    let row = |k: usize| -> (&[u32], &[f32]) {
        let (cols, vals) = x.row(rows[k]);
        if starts.is_empty() {
            (cols, vals)
        } else {
            (cols, &scaled[starts[k]..starts[k + 1]])
        }
    };
    let qd: Vec<f64> = (0..n)
        .zip(&y)
        .map(|(k, &yi)| {
            let sq = match (&scale, norms) {
                (None, Some(nm)) => nm[rows[k]],
                _ => squared_norm(row(k).1),
            };
            sq + b2 + if yi > 0.0 { diag_p } else { diag_n }
        })
        .collect();
    // w lives in the scaled feature space; b is the weight of the bias feature.
    let mut w = vec![0.0f64; d];
    let mut b = 0.0f64;
    let mut alpha = vec![0.0f64; n];
    let mut index: Vec<usize> = (0..n).collect();
    let mut rng = Rng::new(p.seed, stream);
    let mut active = n;
    let (mut pg_max_old, mut pg_min_old) = (f64::INFINITY, f64::NEG_INFINITY);
    let omega = p.omega();
    let mut monitor = Monitor::new(p.early_stopping.map_or(1, |es| es.patience));
    // The held-out score, lower is better: misclassified rows, ties broken
    // by the class-weighted primal loss (mapped into [0, 1)).
    let held_loss = |w: &[f64], b: f64| -> f64 {
        let mut total = 0.0;
        let mut errors = 0usize;
        for &i in &held {
            let (cols, vals) = x.row(i);
            let mut dot = b * p.bias;
            for (&c, &v) in cols.iter().zip(vals) {
                dot += w[c as usize] * v as f64 * scale.as_ref().map_or(1.0, |r| r[c as usize]);
            }
            let (yi, ci) = if positive(i) { (1.0, cp) } else { (-1.0, cn) };
            let margin = (1.0 - yi * dot).max(0.0);
            total += ci * if p.loss == SvmLoss::Hinge { margin } else { margin * margin };
            errors += usize::from(yi * dot <= 0.0);
        }
        let mean = total / held.len().max(1) as f64;
        errors as f64 + mean / (1.0 + mean)
    };
    for _ in 0..p.max_epochs {
        let (mut pg_max, mut pg_min) = (f64::NEG_INFINITY, f64::INFINITY);
        rng.shuffle(&mut index[..active]);
        let mut s = 0;
        while s < active {
            let k = index[s];
            let yi = y[k];
            let (cols, vals) = row(k);
            let dot = b * p.bias + dot4(cols, vals, |c| w[c]);
            let (upper, diag) = if yi > 0.0 { (upper_p, diag_p) } else { (upper_n, diag_n) };
            let g = yi * dot - 1.0 + alpha[k] * diag;
            let Some(pg) = projected_gradient(alpha[k], g, upper, pg_max_old, pg_min_old) else {
                active -= 1;
                index.swap(s, active);
                continue;
            };
            pg_max = pg_max.max(pg);
            pg_min = pg_min.min(pg);
            if pg.abs() > 1e-12 {
                let old = alpha[k];
                alpha[k] = (old - omega * g / qd[k]).clamp(0.0, upper);
                let step = (alpha[k] - old) * yi;
                for (&c, &v) in cols.iter().zip(vals) {
                    w[c as usize] += step * v as f64;
                }
                b += step * p.bias;
            }
            s += 1;
        }
        if !held.is_empty() && monitor.observe(held_loss(&w, b), || (w.clone(), b)) {
            break;
        }
        if pg_max - pg_min <= p.tol {
            if active == n {
                break;
            }
            active = n;
            pg_max_old = f64::INFINITY;
            pg_min_old = f64::NEG_INFINITY;
            continue;
        }
        (pg_max_old, pg_min_old) = shrink_thresholds(pg_max, pg_min);
    }
    if let Some(((best_w, best_b), passes)) = monitor.into_best() {
        if p.early_stopping.is_some_and(|es| es.refit) {
            // The same number of epochs on every row.
            let q = LinearSvcValidParams { early_stopping: None, max_epochs: passes, ..p.clone() };
            return fit_binary(x, all_rows, positive, &q, stream, norms, buf);
        }
        (w, b) = (best_w, best_b);
    }
    let weights = match &scale {
        Some(r) => w.iter().zip(r).map(|(a, r)| (a * r) as f32).collect(),
        None => w.iter().map(|&a| a as f32).collect(),
    };
    (weights, (b * p.bias) as f32)
}

/// Most one-vs-rest problems [`fit_group`] trains together with
/// naive-Bayes scaling, and in a narrow group without it.
///
/// Measured on 20 Newsgroups (`examples/trainphases`, one thread): with
/// naive-Bayes scaling, which doubles the bytes per column, 4 is the
/// fastest; 16 lanes were slower whenever the group's weights no longer fit
/// the second-level cache. See [`group_lanes`] for wider groups.
const LANES: usize = 4;

/// The widest groups without naive-Bayes scaling, in lanes (`f32` weights
/// per column): 8 or 12 classes' weights of a column in one or two cache
/// lines, as long as a group's weights take at most [`WIDE_BUDGET`] bytes.
const WIDE_LANES: [usize; 2] = [12, 8];

/// Bytes of weights up to which a wide group keeps the speed of a group of
/// four per class: columns are numbered by falling document frequency, so
/// the weights most visits read are the first ones. Measured (20
/// Newsgroups, scikit-learn's settings): unigrams (56,436 columns, 2.7 MB
/// in 12 lanes) train as fast per class in groups of 10 as of 4; uni+bigrams
/// (385,505 columns, 18.5 MB) 11% slower on one thread.
const WIDE_BUDGET: usize = 4 << 20;

/// The random streams of class groups (apart from the per-class solver's,
/// which are the class indices).
const GROUP_STREAM: u64 = 1 << 32;

/// The most classes a group takes for a problem of `d` columns: [`LANES`]
/// with naive-Bayes scaling, else the widest of [`WIDE_LANES`] whose
/// weights fit [`WIDE_BUDGET`] (or [`LANES`]).
fn group_lanes(d: usize, nb_scaled: bool) -> usize {
    if nb_scaled {
        return LANES;
    }
    WIDE_LANES.into_iter().find(|&l| d.saturating_mul(l * 4) <= WIDE_BUDGET).unwrap_or(LANES)
}

/// The classes of each group [`train_ovr`] trains together, at most
/// `lanes` per group, the classes spread evenly over the groups (sizes
/// within one of each other). With [`LANES`]: as few groups as hold `k`
/// classes. With wide lanes (more than 4 classes): an even number of
/// groups, so that two threads share them evenly. The grouping depends on
/// `k` and `lanes` (the number of columns and the scaling), never on the
/// number of threads, so the weights do not either.
///
/// Measured (20 Newsgroups, scikit-learn's settings, `examples/trainphases`,
/// SVM fit alone): two groups of 10 took 543-629 ms on one thread and
/// 278-325 ms on two, against 577-610 and 333-370 ms for five groups of 4
/// (two threads shared five groups 3:2). With groups of 4, rounding 5
/// groups up to 6 gained 5% on two threads and lost 10% on one (every group
/// reads all the rows).
fn class_groups(k: usize, lanes: usize) -> Vec<std::ops::Range<usize>> {
    let groups = if k <= LANES {
        1
    } else if lanes <= LANES {
        k.div_ceil(LANES)
    } else {
        2 * k.div_ceil(2 * lanes)
    };
    // The first `k % groups` groups get one class more.
    let (base, extra) = (k / groups, k % groups);
    let mut start = 0;
    (0..groups)
        .map(|i| {
            let len = base + usize::from(i < extra);
            start += len;
            start - len..start
        })
        .collect()
}

/// The squared naive-Bayes log-count ratios of a group's classes (lane
/// `l`'s positives: the rows `rows[k]` with bit `l` of `pos[k]`), the
/// ratios of [`nb_ratios`] with far fewer logarithms. A column that no
/// positive of a class holds has `p_j = alpha` there, and all the rows
/// holding it are negatives, so `q_j = alpha + t_j` (`t_j`: the column's
/// total): its ratio is a constant of the class minus `ln(alpha + t_j)`,
/// one logarithm per column for all the classes. Only the columns a
/// class's positives hold take one of their own.
///
/// Hand-written, measured: computing every class's ratios apart, the
/// logarithms took 7% of sift's default training (`perf`, 20 Newsgroups).
fn nb_squared_ratios<const L: usize>(
    x: &Packed<'_>,
    rows: &[usize],
    pos: &[u32],
    g: usize,
    alpha: f64,
) -> Vec<[f32; L]> {
    let d = x.ncols();
    // Each column's total over the rows, and over each lane's positives.
    let mut total = vec![0.0f64; d];
    let mut in_pos = vec![[0.0f64; L]; d];
    for (&i, &m) in rows.iter().zip(pos) {
        let (cols, vals) = x.row(i);
        for (&c, &v) in cols.iter().zip(vals) {
            let a = v.abs() as f64;
            total[c as usize] += a;
            let mut bits = m;
            while bits != 0 {
                in_pos[c as usize][bits.trailing_zeros() as usize] += a;
                bits &= bits - 1;
            }
        }
    }
    let (mut sp, mut sq) = ([0.0f64; L], [0.0f64; L]);
    for (t, pj) in total.iter().zip(&in_pos) {
        for l in 0..g {
            sp[l] += alpha + pj[l];
            sq[l] += alpha + (t - pj[l]);
        }
    }
    let base: [f64; L] = std::array::from_fn(|l| alpha.ln() - sp[l].ln() + sq[l].ln());
    total
        .iter()
        .zip(&in_pos)
        .map(|(&t, pj)| {
            let lt = (alpha + t).ln();
            let absent = base.map(|b| b - lt);
            std::array::from_fn(|l| {
                let r = if l >= g {
                    0.0
                } else if pj[l] == 0.0 {
                    absent[l]
                } else {
                    (((alpha + pj[l]) / sp[l]) / ((alpha + (t - pj[l])) / sq[l])).ln()
                };
                (r * r) as f32
            })
        })
        .collect()
}

/// `sum(w[col] * v)` over a row's entries, one sum per lane, for the lanes
/// `A..E` (clipped to `L`; the others are 0), in four running sums per
/// lane (as [`dot4`]: one chain of dependent vector additions held the loop
/// to the adder's latency). Each lane's sum is the same, in the same order,
/// whatever the range: a wide group computes the blocks of lanes a row
/// serves only, a third of the work when that is one block of four of
/// twelve.
#[inline(always)]
fn dot_range<const L: usize, const S: usize, const A: usize, const E: usize>(
    w: &[[[f32; L]; S]],
    cols: &[u32],
    vals: &[f32],
) -> [f32; L] {
    let mut acc = [[0.0f32; L]; 4];
    let (c4, v4) = (cols.chunks_exact(4), vals.chunks_exact(4));
    let (cr, vr) = (c4.remainder(), v4.remainder());
    for (c, v) in c4.zip(v4) {
        for j in 0..4 {
            let wr = &w[c[j] as usize][0];
            for l in A..L.min(E) {
                acc[j][l] += wr[l] * v[j];
            }
        }
    }
    for (&c, &v) in cr.iter().zip(vr) {
        let wr = &w[c as usize][0];
        for l in A..L.min(E) {
            acc[0][l] += wr[l] * v;
        }
    }
    std::array::from_fn(|l| (acc[0][l] + acc[1][l]) + (acc[2][l] + acc[3][l]))
}

/// The first and last blocks of four lanes that hold a bit of `mask` (not
/// 0), or `(0, 3)`, the whole group, for groups of at most four lanes
/// (one block: nothing to skip).
#[inline(always)]
fn lane_blocks<const L: usize>(mask: u32) -> (u32, u32) {
    if L <= 4 {
        return (0, 3);
    }
    (mask.trailing_zeros() / 4, (31 - mask.leading_zeros()) / 4)
}

/// Calls `f::<L, S, A, E>(args)` for the lanes `A..E` of the blocks of
/// four from the first to the last that hold a bit of `mask`
/// ([`lane_blocks`]), or for all the lanes: one dispatch for the dot
/// products ([`dot_range`]) and the updates ([`update_lanes`]) of
/// [`fit_group`].
macro_rules! over_blocks {
    ($mask:expr, $f:ident::<$l:ident, $s:ident>($($arg:expr),*)) => {
        match lane_blocks::<$l>($mask) {
            (0, 0) => $f::<$l, $s, 0, 4>($($arg),*),
            (1, 1) => $f::<$l, $s, 4, 8>($($arg),*),
            (2, 2) => $f::<$l, $s, 8, 12>($($arg),*),
            (0, 1) => $f::<$l, $s, 0, 8>($($arg),*),
            (1, 2) => $f::<$l, $s, 4, 12>($($arg),*),
            _ => $f::<$l, $s, 0, $l>($($arg),*),
        }
    };
}

/// Adds `step[l]` times each row entry (times the squared naive-Bayes
/// ratio when `S` = 2) to the weights of lanes `A..E` (clipped to `L`).
#[inline(always)]
fn update_lanes<const L: usize, const S: usize, const A: usize, const E: usize>(
    w: &mut [[[f32; L]; S]],
    cols: &[u32],
    vals: &[f32],
    step: &[f32; L],
) {
    for (&c, &v) in cols.iter().zip(vals) {
        let wj = &mut w[c as usize];
        if S == 1 {
            for l in A..L.min(E) {
                wj[0][l] += step[l] * v;
            }
        } else {
            let rr = wj[S - 1];
            for l in A..L.min(E) {
                wj[0][l] += step[l] * rr[l] * v;
            }
        }
    }
}

/// A row of a group's problem as a visit first reads it.
#[derive(Clone, Copy)]
struct RowMeta {
    /// The row's first entry in the packed matrix, and its number of entries.
    start: usize,
    len: u32,
    /// Bit `l`: class `l` still visits the row.
    unshrunk: u32,
    /// Bit `l`: the row is a positive of class `l`.
    pos: u32,
    /// Without naive-Bayes scaling: the row's squared norm plus the bias's.
    sqb: f64,
}

impl RowMeta {
    #[inline(always)]
    fn row<'a>(&self, x: &'a Packed<'_>) -> (&'a [u32], &'a [f32]) {
        let end = self.start + self.len as usize;
        (&x.cols[self.start..end], &x.vals[self.start..end])
    }
}

/// Trains the one-vs-rest problems of `classes` (at most `L`) together by
/// dual coordinate descent, one class per lane: LIBLINEAR's algorithm and
/// shrinking heuristic for each class, but every visit of a row reads the
/// row once and the weights of all the group's classes for a column in one
/// or two cache lines (the weights are feature-major, `w[column][lane]`),
/// and the lanes' sums are vector operations. Each class keeps its own dual
/// variables, shrunk rows and stopping test; the classes share the order of
/// visits (one shuffle per epoch, of the rows any class still needs), so
/// the result depends on the group, which depends on the numbers of classes
/// and columns and the scaling only ([`class_groups`]).
///
/// A class that has converged on the rows it kept waits until every class
/// of the group has, and then one pass over all the rows checks them all
/// (LIBLINEAR's final pass without shrinking, shared): unshrinking each
/// class when it converged cost one pass over every row per class.
/// Measured (`examples/trainphases`, alternating, 12 runs each): the
/// like-for-like fit takes 327-349 ms on two threads (was 336-364) and
/// 545-594 ms on one (was 566-603). Each class still has `max_epochs` of
/// its own epochs (waiting ones do not count), so a slow class cannot use
/// up another's.
///
/// In a wide group, a visit computes the sums and updates of the blocks of
/// four lanes that need them only ([`lane_blocks`]): on 20 Newsgroups, a
/// third of the dot products' row entries served one block of three.
/// Measured: the like-for-like fit (two groups of ten) 228-236 ms on two
/// threads (was 265-280) and 446-489 ms on one (was 527-542), the same
/// weights to the bit.
///
/// Hand-written, measured: training one class at a time (`fit_binary`)
/// spent most of its time on scalar reads and updates of `w[column]`, one
/// class per row entry. On 20 Newsgroups, one thread, groups cut the SVM
/// fit of scikit-learn's settings from 1.10-1.14 s to 0.68-0.69 s (0.58 s
/// with the read-ahead below), and sift's default training (four SVM fits
/// with naive-Bayes scaling on uni+bigrams) by about a third
/// (`examples/trainphases`). With the hinge loss, groups gained nothing
/// (20 Newsgroups, tol 1e-4: 3.13 s before, 3.19 s after).
///
/// With naive-Bayes scaling (class `c` scales column `j` by `r_cj`), the
/// solver keeps `u_cj = w_cj r_cj`, the weights in the original feature
/// space: a dot product then reads `u` alone, and an update adds
/// `step r_cj^2 x_j`.
///
/// The weights are `f32` (the dual variables, the bias and the stopping
/// test are `f64`): half the memory traffic, and a rounding far below the
/// stopping tolerances this solver is run at.
///
/// Compiled twice (the `multiversion` crate picks one at run time): for the
/// portable x86-64 baseline and for processors with AVX2, whose wider
/// registers and VEX-encoded instructions the compiler then uses for the
/// lane blocks. The two give the same bits: Rust never fuses a multiply and
/// an add, the lanes are independent, and every sum runs in the order
/// written here (`grouped_bits_match_the_portable_build`, the shipped theme
/// model's test and the like-for-like model file check this). Measured (examples/trainphases, alternating rounds): the
/// like-for-like fit 226 -> 210 ms on two threads, 445 -> 410 ms on one.
#[multiversion::multiversion(targets("x86_64+avx2"))]
fn fit_group<const L: usize, const S: usize>(
    x: &Packed<'_>,
    rows: &[usize],
    classes: std::ops::Range<usize>,
    positive: &(dyn Fn(usize, usize) -> bool + Sync),
    p: &LinearSvcValidParams,
    norms: Option<&[f64]>,
) -> Vec<(Vec<f32>, f32)> {
    let g = classes.len();
    assert!(g <= L && L <= 32, "a group of {g} classes in {L} lanes");
    assert_eq!(S, 1 + usize::from(p.nb_alpha.is_some()), "weight slots");
    let (d, n) = (x.ncols(), rows.len());
    let all_lanes: u32 = if g == 32 { u32::MAX } else { (1u32 << g) - 1 };
    // Bit `l` of `pos[k]`: row `rows[k]` is a positive of class `first + l`.
    let pos: Vec<u32> = rows
        .iter()
        .map(|&i| (0..g).filter(|&l| positive(classes.start + l, i)).fold(0u32, |m, l| m | 1 << l))
        .collect();
    let (mut upper_p, mut upper_n, mut diag_p, mut diag_n) =
        ([0.0f64; L], [0.0; L], [0.0; L], [0.0; L]);
    for l in 0..g {
        let n_pos = pos.iter().filter(|&&m| m >> l & 1 == 1).count();
        (upper_p[l], upper_n[l], diag_p[l], diag_n[l]) = dual_bounds(p, n, n_pos);
    }
    // With naive-Bayes scaling, each column's squared ratio per lane.
    let r2: Option<Vec<[f32; L]>> = p.nb_alpha.map(|a| nb_squared_ratios(x, rows, &pos, g, a));
    let b2 = p.bias * p.bias;
    // Each row's squared norm per lane, in the lane's scaled space, plus the
    // bias and the squared hinge's diagonal. Without scaling (S = 1) every
    // lane has the same norm: then the row's record keeps `norm + bias^2`
    // and a visit adds the diagonal (the same operations in the same order,
    // so the same bits), which spares a visit the read of this array:
    // two-thread like-for-like fit, median of 15 alternating runs, 226 ->
    // 222 ms; the same model bytes.
    let qd: Vec<[f64; L]> = (0..if S == 1 { 0 } else { n })
        .map(|k| {
            let (cols, vals) = x.row(rows[k]);
            let sq: [f64; L] = match (&r2, norms) {
                (Some(r2), _) => {
                    let mut acc = [0.0f64; L];
                    for (&c, &v) in cols.iter().zip(vals) {
                        let v2 = v as f64 * v as f64;
                        for l in 0..L {
                            acc[l] += r2[c as usize][l] as f64 * v2;
                        }
                    }
                    acc
                }
                (None, Some(nm)) => [nm[rows[k]]; L],
                (None, None) => [squared_norm(vals); L],
            };
            std::array::from_fn(|l| {
                sq[l] + b2 + if pos[k] >> l & 1 == 1 { diag_p[l] } else { diag_n[l] }
            })
        })
        .collect();
    // `w[column][0]`: the lanes' weights; `w[column][1]` (S = 2, with
    // naive-Bayes scaling): the lanes' squared ratios, in the same cache
    // line as the weights an update changes.
    let mut w = vec![[[0.0f32; L]; S]; d];
    if let Some(r2) = r2 {
        for (wj, rj) in w.iter_mut().zip(r2) {
            wj[S - 1] = rj;
        }
    }
    let mut b = [0.0f64; L];
    let mut alpha = vec![[0.0f64; L]; n];
    // What a visit to row `k` reads first, in one record: bounds, classes,
    // positives. Rows come in random order, so each array read on a visit
    // is a likely cache miss; in separate arrays (with `rows[k]` then
    // `indptr` to find the entries) that was five. Measured
    // (examples/trainphases, 3 alternating rounds of 5): the like-for-like
    // fit's median 234 -> 223 ms on two threads, 457 -> 446 ms on one; the
    // same model bytes.
    let mut meta: Vec<RowMeta> = rows
        .iter()
        .zip(&pos)
        .map(|(&i, &m)| RowMeta {
            start: x.indptr[i],
            len: (x.indptr[i + 1] - x.indptr[i]) as u32,
            unshrunk: all_lanes,
            pos: m,
            sqb: match (S, norms) {
                (1, Some(nm)) => nm[i] + b2,
                (1, None) => squared_norm(x.row(i).1) + b2,
                _ => 0.0,
            },
        })
        .collect();
    let mut lane_rows = [n; L];
    let mut live = all_lanes;
    // Bit `l`: class `l` converged on the rows it kept and waits for the
    // others before its pass over all the rows (see below).
    let mut waiting = 0u32;
    let mut index: Vec<u32> = (0..n as u32).collect();
    let mut active = n;
    let mut rng = Rng::new(p.seed, GROUP_STREAM + classes.start as u64);
    let (mut pg_max_old, mut pg_min_old) = ([f64::INFINITY; L], [f64::NEG_INFINITY; L]);
    // Each class's own epochs (waiting ones do not count), each limited to
    // `max_epochs` as the one-class solver's are. Every epoch runs at
    // least one class that does not wait, so the loop ends.
    let mut epochs = [0usize; L];
    let omega = p.omega();
    while live != 0 {
        let (mut pg_max, mut pg_min) = ([f64::NEG_INFINITY; L], [f64::INFINITY; L]);
        rng.shuffle(&mut index[..active]);
        let mut s = 0;
        while s < active {
            let k = index[s] as usize;
            let mk = meta[k];
            let lanes = mk.unshrunk & live & !waiting;
            if lanes == 0 {
                active -= 1;
                index.swap(s, active);
                continue;
            }
            let (cols, vals) = mk.row(x);
            // Rows come in random order, so each visit starts with cache
            // misses on the row's bounds, dual variables and diagonal:
            // prefetching them four visits ahead starts those misses early.
            // (Plain reads ahead, `black_box`ed, did that too, but the
            // processor could not retire past them until they arrived: perf
            // put 17% of this function's samples on those reads. Measured,
            // examples/trainphases, like-for-like fit, 12 alternating runs
            // each, median: one thread 445 -> 405 ms, two 263 -> 238 ms,
            // lower at every rank; the same weights.)
            if s + 4 < active {
                let ahead = index[s + 4] as usize;
                prefetch(&meta[ahead]);
                // The first and last of the row's dual variables: all their
                // cache lines, for groups of up to 12 lanes.
                prefetch(&alpha[ahead][0]);
                prefetch(&alpha[ahead][L - 1]);
                if S > 1 {
                    prefetch(&qd[ahead][0]);
                    prefetch(&qd[ahead][L - 1]);
                }
            }
            // Wide groups spend longer on each visit: there, prefetching
            // the first entries of the row two visits ahead also paid
            // (measured with reads: the like-for-like fit 222-237 ms on two
            // threads, against 230-240 without; distances 1 and 3 did no
            // better).
            if L > 4 && s + 2 < active {
                let near = meta[index[s + 2] as usize];
                if near.len > 0 {
                    prefetch(&x.cols[near.start]);
                    prefetch(&x.vals[near.start]);
                }
            }
            // In a wide group, a row often serves the classes of one or two
            // blocks of four lanes only: then only those blocks' sums are
            // computed (the same sums, in the same order).
            let dots = over_blocks!(lanes, dot_range::<L, S>(&w, cols, vals));
            let mut step = [0.0f32; L];
            let mut stepped = 0u32;
            let ak = &mut alpha[k];
            let mut bits = lanes;
            while bits != 0 {
                let l = bits.trailing_zeros() as usize;
                bits &= bits - 1;
                let positive = mk.pos >> l & 1 == 1;
                let (yi, upper, diag) = if positive {
                    (1.0, upper_p[l], diag_p[l])
                } else {
                    (-1.0, upper_n[l], diag_n[l])
                };
                let gr = yi * (b[l] * p.bias + dots[l] as f64) - 1.0 + ak[l] * diag;
                let Some(pg) = projected_gradient(ak[l], gr, upper, pg_max_old[l], pg_min_old[l])
                else {
                    meta[k].unshrunk &= !(1 << l);
                    lane_rows[l] -= 1;
                    continue;
                };
                pg_max[l] = pg_max[l].max(pg);
                pg_min[l] = pg_min[l].min(pg);
                if pg.abs() > 1e-12 {
                    let old = ak[l];
                    let q = if S == 1 { mk.sqb + diag } else { qd[k][l] };
                    // The exact step times `omega` (over-relaxed at tight
                    // tolerances: `LinearSvcValidParams::omega`), clipped.
                    ak[l] = (old - omega * gr / q).clamp(0.0, upper);
                    let st = (ak[l] - old) * yi;
                    step[l] = st as f32;
                    b[l] += st * p.bias;
                    stepped |= 1 << l;
                }
            }
            if stepped != 0 {
                // Lanes that did not step add nothing (their weights never
                // hold -0.0, so skipping them changes no bits).
                over_blocks!(stepped, update_lanes::<L, S>(&mut w, cols, vals, &step));
            }
            if meta[k].unshrunk & live & !waiting == 0 {
                active -= 1;
                index.swap(s, active);
                continue;
            }
            s += 1;
        }
        let mut bits = live;
        while bits != 0 {
            let l = bits.trailing_zeros() as usize;
            bits &= bits - 1;
            if waiting >> l & 1 == 1 {
                continue;
            }
            epochs[l] += 1;
            if pg_max[l] - pg_min[l] <= p.tol {
                if lane_rows[l] == n {
                    live &= !(1 << l);
                    continue;
                }
                // Converged on the rows it kept: it needs one more pass
                // over all of them, which it waits to share.
                waiting |= 1 << l;
            } else {
                (pg_max_old[l], pg_min_old[l]) = shrink_thresholds(pg_max[l], pg_min[l]);
            }
            if epochs[l] >= p.max_epochs {
                live &= !(1 << l);
                waiting &= !(1 << l);
            }
        }
        // The classes' problems are independent, so a class that waits
        // loses nothing; when every live class waits, one pass over all the
        // rows serves them all. Unshrinking each class as it converged, as
        // LIBLINEAR does for one class, read every row once per class.
        if waiting != 0 && waiting == live {
            let mut bits = waiting;
            while bits != 0 {
                let l = bits.trailing_zeros() as usize;
                bits &= bits - 1;
                lane_rows[l] = n;
                pg_max_old[l] = f64::INFINITY;
                pg_min_old[l] = f64::NEG_INFINITY;
            }
            for m in meta.iter_mut() {
                m.unshrunk |= waiting;
            }
            active = n;
            waiting = 0;
        }
    }
    (0..g).map(|l| (x.unpack(|j| w[j][0][l]), (b[l] * p.bias) as f32)).collect()
}

/// Trains one-vs-rest problems `0..k` (class `c`'s positives given by
/// `positive(c, row)`) over `rows`, in parallel; deterministic whatever the
/// number of threads (each group, or each class with early stopping, has
/// its own seeded stream).
pub(crate) fn train_ovr(
    x: &Csr<f32>,
    rows: &[usize],
    k: usize,
    positive: impl Fn(usize, usize) -> bool + Sync,
    p: &LinearSvcValidParams,
) -> LinearModel {
    let packed = Packed::new(x);
    let norms = (p.nb_alpha.is_none() && k > 1).then(|| squared_norms(&packed));
    let parts: Vec<(Vec<f32>, f32)> = if p.early_stopping.is_none() {
        // Early stopping splits each class's rows its own way, so only
        // the per-class solver below supports it.
        let nb_scaled = p.nb_alpha.is_some();
        let groups = class_groups(k, group_lanes(x.ncols(), nb_scaled));
        let fitted: Vec<Vec<(Vec<f32>, f32)>> = groups
            .into_par_iter()
            .map(|cs| {
                let (x, nm) = (&packed, norms.as_deref());
                match cs.len() {
                    _ if nb_scaled => fit_group::<LANES, 2>(x, rows, cs, &positive, p, nm),
                    // As many lanes as classes, rounded up to even: padding
                    // lanes cost time (10 classes: 3% faster in 10 lanes
                    // than in 12).
                    0..=LANES => fit_group::<LANES, 1>(x, rows, cs, &positive, p, nm),
                    5..=6 => fit_group::<6, 1>(x, rows, cs, &positive, p, nm),
                    7..=8 => fit_group::<8, 1>(x, rows, cs, &positive, p, nm),
                    9..=10 => fit_group::<10, 1>(x, rows, cs, &positive, p, nm),
                    _ => fit_group::<12, 1>(x, rows, cs, &positive, p, nm),
                }
            })
            .collect();
        fitted.into_iter().flatten().collect()
    } else {
        (0..k)
            .into_par_iter()
            .map_init(Vec::new, |buf, c| {
                let (w, b) = fit_binary(
                    &packed,
                    rows,
                    &|i| positive(c, i),
                    p,
                    c as u64,
                    norms.as_deref(),
                    buf,
                );
                (packed.unpack(|j| w[j]), b)
            })
            .collect()
    };
    let mut weights = Vec::with_capacity(k * x.ncols());
    let mut bias = Vec::with_capacity(k);
    for (w, b) in parts {
        weights.extend_from_slice(&w);
        bias.push(b);
    }
    LinearModel::new(x.ncols(), weights, bias)
}

impl Fit<SparseRecords, Array1<usize>, Error> for LinearSvcValidParams {
    type Object = LinearSvc;

    /// Single-label: targets are class indices `0..k`.
    fn fit(&self, ds: &DatasetBase<SparseRecords, Array1<usize>>) -> Result<LinearSvc> {
        let (x, k, rows) = crate::records::single_label(ds)?;
        let y = &ds.targets;
        Ok(LinearSvc { model: train_ovr(x, &rows, k, |c, i| y[i] == c, self) })
    }
}

impl Fit<SparseRecords, Array2<bool>, Error> for LinearSvcValidParams {
    type Object = LinearSvc;

    /// Multi-label: `targets[[row, label]]` says whether the row has the label.
    fn fit(&self, ds: &DatasetBase<SparseRecords, Array2<bool>>) -> Result<LinearSvc> {
        let x = ds.records.matrix();
        let y = &ds.targets;
        crate::records::check_shapes(x.nrows(), y.nrows())?;
        let rows: Vec<usize> = (0..x.nrows()).collect();
        Ok(LinearSvc { model: train_ovr(x, &rows, y.ncols(), |c, i| y[[i, c]], self) })
    }
}

impl PredictInplace<SparseRecords, Array1<usize>> for LinearSvc {
    /// The class with the highest score.
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

impl PredictInplace<SparseRecords, Array2<bool>> for LinearSvc {
    /// Every label with a positive score.
    fn predict_inplace(&self, x: &SparseRecords, y: &mut Array2<bool>) {
        let mut s = Vec::new();
        for (i, (cols, vals)) in x.matrix().rows().enumerate() {
            self.model.scores_row(cols, vals, &mut s);
            for (c, &v) in s.iter().enumerate() {
                y[[i, c]] = v > 0.0;
            }
        }
    }

    fn default_target(&self, x: &SparseRecords) -> Array2<bool> {
        Array2::from_elem((x.matrix().nrows(), self.model.n_classes()), false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testdata::problem;

    #[test]
    fn shared_row_norms_and_renumbered_columns_change_no_bits() {
        let (x, rows, y) = problem(300, 40, 4, 7);
        // The matrix as it is, without renumbering.
        let plain = Packed::with_order(&x, (0..x.ncols() as u32).collect());
        let packed = Packed::new(&x);
        let norms = squared_norms(&packed);
        for nb_alpha in [None, Some(1.0)] {
            let p = LinearSvcValidParams { nb_alpha, ..Default::default() };
            for c in 0..4 {
                let pos = |i: usize| y[i] == c;
                let nm = nb_alpha.is_none().then_some(&norms[..]);
                let (w, b) = fit_binary(&packed, &rows, &pos, &p, c as u64, nm, &mut Vec::new());
                let (v, a) = fit_binary(&plain, &rows, &pos, &p, c as u64, None, &mut Vec::new());
                assert_eq!(packed.unpack(|j| w[j]), v, "class {c}, nb {nb_alpha:?}");
                assert_eq!(b, a);
            }
        }
    }

    /// The primal objective of one binary problem: `w·w/2 + b·b/2 +
    /// sum C_i loss(y_i (w·x_i + b·bias))` (`w` in the original space,
    /// `r` the naive-Bayes ratios if any).
    fn primal(
        x: &Csr<f32>,
        y: &[f64],
        w: &[f32],
        b: f32,
        r: Option<&[f64]>,
        p: &LinearSvcValidParams,
    ) -> f64 {
        let cp = match p.class_weight {
            ClassWeight::Uniform => p.c,
            ClassWeight::Balanced { cap } => {
                let n_pos = y.iter().filter(|&&v| v > 0.0).count();
                p.c * (y.len() as f64 / (2.0 * n_pos as f64)).clamp(1.0, cap)
            }
        };
        // The scaled space's weights: w / r.
        let ws: Vec<f64> =
            w.iter().enumerate().map(|(j, &v)| v as f64 / r.map_or(1.0, |r| r[j])).collect();
        let bs = b as f64 / p.bias;
        let mut f = 0.5 * (ws.iter().map(|v| v * v).sum::<f64>() + bs * bs);
        for (i, (cols, vals)) in x.rows().enumerate() {
            let dot = b as f64
                + cols
                    .iter()
                    .zip(vals)
                    .map(|(&c, &v)| w[c as usize] as f64 * v as f64)
                    .sum::<f64>();
            let m = (1.0 - y[i] * dot).max(0.0);
            let ci = if y[i] > 0.0 { cp } else { p.c };
            f += ci * if p.loss == SvmLoss::Hinge { m } else { m * m };
        }
        f
    }

    /// Asserts that `got`'s weights and bias are `want`'s within 2e-3 of
    /// `want`'s largest weight (at least 1): two tight solves of one problem.
    fn assert_same_optimum(got: (&[f32], f32), want: (&[f32], f32), case: &str) {
        let scale = want.0.iter().fold(1.0f32, |m, v| m.max(v.abs()));
        for (j, (a, e)) in got.0.iter().zip(want.0).enumerate() {
            assert!((a - e).abs() <= 2e-3 * scale, "{case}: w[{j}] {a} vs {e}");
        }
        let (a, e) = (got.1, want.1);
        assert!((a - e).abs() <= 2e-3 * scale, "{case}: bias {a} vs {e}");
    }

    #[test]
    fn grouped_classes_reach_the_per_class_optimum() {
        // Both solvers minimize the same strictly convex primal; run tight,
        // they must land on the same weights, whatever the visiting order.
        // Without naive-Bayes scaling, two groups of 3, 7, 10 or 12 classes
        // (in 4, 8, 10 and 12 lanes); with it, groups of at most four.
        for k in [6, 14, 20, 24] {
            grouped_reach_the_per_class_optimum(k);
        }
    }

    fn grouped_reach_the_per_class_optimum(k: usize) {
        let (x, rows, y) = problem(240, 30, k, 11);
        let packed = Packed::new(&x);
        let norms = squared_norms(&packed);
        for (loss, nb_alpha, class_weight) in [
            (SvmLoss::SquaredHinge, None, ClassWeight::Uniform),
            (SvmLoss::Hinge, None, ClassWeight::Uniform),
            (SvmLoss::SquaredHinge, Some(0.5), ClassWeight::Uniform),
            (SvmLoss::Hinge, Some(0.5), ClassWeight::Balanced { cap: 3.0 }),
        ] {
            if k > 6 && loss == SvmLoss::Hinge && (k != 20 || nb_alpha.is_none()) {
                // The hinge loss takes thousands of epochs to reach this
                // tolerance (seconds per case in a debug build); the group
                // widths are the same code for both losses. Kept: 20
                // classes with scaling, where a shared epoch count once
                // cut a class short of its final pass.
                continue;
            }
            let p = LinearSvcValidParams {
                loss,
                nb_alpha,
                class_weight,
                c: 0.5,
                tol: 1e-6,
                max_epochs: 20_000,
                ..Default::default()
            };
            let grouped = train_ovr(&x, &rows, k, |c, i| y[i] == c, &p);
            for c in 0..k {
                let pos = |i: usize| y[i] == c;
                let nm = nb_alpha.is_none().then_some(&norms[..]);
                let (w, b) = fit_binary(&packed, &rows, &pos, &p, c as u64, nm, &mut Vec::new());
                let w = packed.unpack(|j| w[j]);
                let (gw, gb) = (grouped.class_weights(c), grouped.class_bias(c));
                let case = format!("class {c} of {k}, {loss:?}, nb {nb_alpha:?}, {class_weight:?}");
                assert_same_optimum((&gw, gb), (&w, b), &case);
                // And no worse an objective (up to the f32 weights' rounding).
                let yv: Vec<f64> =
                    (0..x.nrows()).map(|i| if pos(i) { 1.0 } else { -1.0 }).collect();
                let r = nb_alpha.map(|a| {
                    let plain = Packed::with_order(&x, (0..x.ncols() as u32).collect());
                    nb_ratios(&plain, &rows, pos, a)
                });
                let (fg, fc) = (
                    primal(&x, &yv, &gw, gb, r.as_deref(), &p),
                    primal(&x, &yv, &w, b, r.as_deref(), &p),
                );
                assert!(fg <= fc * (1.0 + 1e-4), "{case}: objective {fg} vs {fc}");
            }
        }
    }

    #[test]
    fn over_relaxed_steps_reach_the_exact_steps_optimum() {
        // Projected SOR decreases the same dual objective at every step for
        // any factor in (0, 2), so run tight it must land on the weights
        // LIBLINEAR's exact steps reach: in groups of 4 and 10 lanes, with
        // and without naive-Bayes scaling, for both losses, and in the
        // per-class solver (early stopping's) too.
        for (k, loss, nb_alpha) in [
            (4, SvmLoss::SquaredHinge, None),
            (20, SvmLoss::SquaredHinge, None),
            (4, SvmLoss::Hinge, None),
            (8, SvmLoss::SquaredHinge, Some(0.5)),
        ] {
            let (x, rows, y) = problem(240, 30, k, 13);
            let fit = |omega: f64| {
                let p = LinearSvcValidParams {
                    loss,
                    nb_alpha,
                    c: 0.5,
                    tol: 1e-6,
                    max_epochs: 20_000,
                    relaxation: Some(omega),
                    ..Default::default()
                };
                train_ovr(&x, &rows, k, |c, i| y[i] == c, &p)
            };
            let exact = fit(1.0);
            for omega in [0.7, 1.4, 1.9] {
                let relaxed = fit(omega);
                assert_ne!(relaxed, exact, "k {k}, {loss:?}: omega {omega} changed nothing");
                for c in 0..k {
                    let case =
                        format!("k {k}, {loss:?}, nb {nb_alpha:?}, omega {omega}, class {c}");
                    assert_same_optimum(
                        (&relaxed.class_weights(c), relaxed.class_bias(c)),
                        (&exact.class_weights(c), exact.class_bias(c)),
                        &case,
                    );
                }
            }
        }
        // The per-class solver.
        let (x, rows, y) = problem(200, 25, 3, 17);
        let packed = Packed::new(&x);
        let pos = |i: usize| y[i] == 1;
        let fit = |omega: f64| {
            let p = LinearSvcValidParams {
                tol: 1e-6,
                max_epochs: 20_000,
                relaxation: Some(omega),
                ..Default::default()
            };
            fit_binary(&packed, &rows, &pos, &p, 1, None, &mut Vec::new())
        };
        let ((we, be), (wr, br)) = (fit(1.0), fit(1.5));
        assert_ne!(we, wr);
        assert_same_optimum((&wr, br), (&we, be), "per-class solver, omega 1.5");
    }

    #[test]
    fn relaxation_is_automatic_at_tight_tolerances_and_checked() {
        let with = |tol: f64, relaxation: Option<f64>| LinearSvcValidParams {
            tol,
            relaxation,
            ..Default::default()
        };
        assert_eq!(with(1e-4, None).omega(), AUTO_RELAXATION);
        assert_eq!(with(AUTO_RELAXATION_TOL, None).omega(), AUTO_RELAXATION);
        assert_eq!(with(0.5, None).omega(), 1.0);
        assert_eq!(with(1e-4, Some(1.0)).omega(), 1.0);
        assert_eq!(with(0.5, Some(1.2)).omega(), 1.2);
        for bad in [0.0, 2.0, -1.0, f64::NAN, f64::INFINITY] {
            let e = LinearSvcParams::new().relaxation(Some(bad)).check();
            assert!(matches!(e, Err(Error::Param { name: "relaxation", .. })), "{bad}: {e:?}");
        }
        assert!(LinearSvcParams::new().relaxation(Some(1.99)).check().is_ok());
        // Not written when automatic, so models that do not set it keep their bytes.
        let json = serde_json::to_string(&with(0.5, None)).unwrap();
        assert!(!json.contains("relaxation"), "{json}");
        let json = serde_json::to_string(&with(0.5, Some(1.2))).unwrap();
        let back: LinearSvcValidParams = serde_json::from_str(&json).unwrap();
        assert_eq!(back.relaxation, Some(1.2));
    }

    #[test]
    fn grouped_weights_do_not_depend_on_threads_and_follow_the_labels() {
        // 9 classes: three groups of three; multi-label positives.
        let (x, rows, y) = problem(200, 25, 9, 5);
        let has = |c: usize, i: usize| y[i] == c || (y[i] + 1) % 9 == c;
        for nb_alpha in [None, Some(1.0)] {
            let p = LinearSvcValidParams { nb_alpha, ..Default::default() };
            let fits: Vec<LinearModel> = [1, 2, 3]
                .iter()
                .map(|&t| {
                    let pool = rayon::ThreadPoolBuilder::new().num_threads(t).build().unwrap();
                    pool.install(|| train_ovr(&x, &rows, 9, has, &p))
                })
                .collect();
            assert_eq!(fits[0], fits[1]);
            assert_eq!(fits[0], fits[2]);
            // Each lane learned its own class: run tight, every class's
            // weights are those of its binary problem alone.
            let tight = LinearSvcValidParams { tol: 1e-6, max_epochs: 20_000, ..p.clone() };
            let grouped = train_ovr(&x, &rows, 9, has, &tight);
            let packed = Packed::new(&x);
            for c in 0..9 {
                let (w, b) =
                    fit_binary(&packed, &rows, &|i| has(c, i), &tight, 0, None, &mut Vec::new());
                let w = packed.unpack(|j| w[j]);
                let got = (&grouped.class_weights(c)[..], grouped.class_bias(c));
                assert_same_optimum(got, (&w, b), &format!("class {c}, nb {nb_alpha:?}"));
            }
        }
    }

    /// The grouped solver's bits for every lane width, with and without
    /// naive-Bayes scaling, against FNV-1a hashes of the weights that the
    /// portable build made before `fit_group` was also compiled for AVX2
    /// (commit 4412a05): on an AVX2 machine this checks that the two
    /// builds agree bit for bit, so a model file does not depend on the
    /// processor it was trained on. A deliberate change to the solver's
    /// arithmetic changes these, as it changes the shipped theme model.
    #[test]
    fn grouped_bits_match_the_portable_build() {
        let fnv = |m: &LinearModel, k: usize| {
            let mut h = 0xcbf2_9ce4_8422_2325u64;
            for c in 0..k {
                let (w, b) = (m.class_weights(c), m.class_bias(c));
                for b in w.iter().chain([&b]).map(|v| v.to_bits()) {
                    h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
                }
            }
            h
        };
        let mut got = Vec::new();
        // Lanes 4, 6, 8, 10 and 12 without scaling (two groups from 10 classes
        // on); groups of four with it.
        for k in [3, 10, 16, 20, 24] {
            let (x, rows, y) = problem(240, 60, k, 11 + k as u64);
            for nb_alpha in [None, Some(1.0)] {
                // LIBLINEAR's exact steps, as when these were recorded
                // (the scalar step's factor is the same arithmetic in both
                // builds).
                let relaxation = Some(1.0);
                let p = LinearSvcValidParams { nb_alpha, relaxation, ..Default::default() };
                got.push(fnv(&train_ovr(&x, &rows, k, |c, i| y[i] == c, &p), k));
            }
        }
        let want: [u64; 10] = [
            0xcb05_b7c8_b9c1_0e67,
            0x0cd5_2217_456f_50f8,
            0xa861_7cb4_7ffa_280e,
            0xfb4b_f987_7762_47d0,
            0xb1c7_6bff_0f8d_5abc,
            0x67b1_bf7b_87ff_85ec,
            0x5143_007a_c1a4_1132,
            0x1c8c_ae87_7d17_28fe,
            0x9cb3_f84d_eaaa_81e9,
            0xdb2f_2c24_9257_4d42,
        ];
        assert_eq!(got, want);
    }

    #[test]
    fn block_dots_and_updates_are_the_whole_groups_bits() {
        let d = 50;
        let val = |i: usize| ((i * 7919 % 1000) as f32 / 250.0 - 2.0) * 1.37;
        let w: Vec<[[f32; 10]; 1]> =
            (0..d).map(|j| [std::array::from_fn(|l| val(j * 10 + l))]).collect();
        // 37 entries: chunks of four and a remainder.
        let cols: Vec<u32> = (0..37).map(|i| (i * 13 % d) as u32).collect();
        let vals: Vec<f32> = (0..37).map(|i| val(i + 500)).collect();
        let whole = dot_range::<10, 1, 0, 10>(&w, &cols, &vals);
        let check = |part: [f32; 10], a: usize, e: usize| {
            for l in 0..10 {
                let want = if (a..e).contains(&l) { whole[l].to_bits() } else { 0 };
                assert_eq!(part[l].to_bits(), want, "lanes {a}..{e}, lane {l}");
            }
        };
        check(dot_range::<10, 1, 0, 4>(&w, &cols, &vals), 0, 4);
        check(dot_range::<10, 1, 4, 8>(&w, &cols, &vals), 4, 8);
        check(dot_range::<10, 1, 8, 12>(&w, &cols, &vals), 8, 10);
        check(dot_range::<10, 1, 0, 8>(&w, &cols, &vals), 0, 8);
        check(dot_range::<10, 1, 4, 12>(&w, &cols, &vals), 4, 10);
        assert_eq!(lane_blocks::<10>(0b10_0000_0000), (2, 2));
        assert_eq!(lane_blocks::<10>(0b00_0011_0000), (1, 1));
        assert_eq!(lane_blocks::<10>(0b01_0000_1000), (0, 2));
        assert_eq!(lane_blocks::<4>(0b0001), (0, 3), "one block: the whole group");
        // Lanes 5 and 6 step: updating lanes 4..8 gives the whole update's bits.
        let step: [f32; 10] = std::array::from_fn(|l| if l == 5 || l == 6 { 0.3 } else { 0.0 });
        let (mut a, mut b) = (w.clone(), w.clone());
        update_lanes::<10, 1, 0, 10>(&mut a, &cols, &vals, &step);
        update_lanes::<10, 1, 4, 8>(&mut b, &cols, &vals, &step);
        assert_eq!(a, b);
        assert_ne!(a, w, "the update must change the stepped lanes");
    }

    #[test]
    fn grouped_ratios_are_the_per_class_ratios() {
        // Few rows over many columns: most columns miss some class's
        // positives (the shortcut), some are held by positives only.
        let (n, d) = (40, 60);
        let x = crate::testdata::sparse(n, d);
        let (rows, y): (Vec<usize>, Vec<usize>) = (0..n).map(|i| (i, i % 3)).unzip();
        let packed = Packed::new(&x);
        let pos: Vec<u32> = rows.iter().map(|&i| 1 << y[i] | u32::from(i % 7 == 0) << 2).collect();
        let mut shortcut = 0;
        for alpha in [0.1, 1.0] {
            let r2 = nb_squared_ratios::<4>(&packed, &rows, &pos, 3, alpha);
            for l in 0..3 {
                let r = nb_ratios(&packed, &rows, |i| pos[i] >> l & 1 == 1, alpha);
                for (j, (got, want)) in r2.iter().zip(&r).enumerate() {
                    let want = (want * want) as f32;
                    assert!(
                        (got[l] - want).abs() <= 1e-5 * want.max(1.0),
                        "{l} {j}: {got:?} {want}"
                    );
                }
                shortcut += (0..x.ncols())
                    .filter(|&j| {
                        rows.iter()
                            .all(|&i| pos[i] >> l & 1 == 0 || !x.row(i).0.contains(&(j as u32)))
                    })
                    .count();
            }
            assert!(r2.iter().all(|t| t[3] == 0.0), "the unused lane stays zero");
        }
        assert!(shortcut > 20, "the test must exercise absent columns: {shortcut}");
    }

    #[test]
    fn class_groups_are_balanced_and_cover_every_class_once() {
        assert_eq!(class_groups(1, 4), vec![0..1]);
        assert_eq!(class_groups(4, 4), vec![0..4]);
        assert_eq!(class_groups(5, 4), vec![0..3, 3..5]);
        assert_eq!(class_groups(9, 4), vec![0..3, 3..6, 6..9]);
        assert_eq!(class_groups(20, 4), vec![0..4, 4..8, 8..12, 12..16, 16..20]);
        assert_eq!(class_groups(4, 12), vec![0..4]);
        assert_eq!(class_groups(5, 12), vec![0..3, 3..5]);
        assert_eq!(class_groups(20, 12), vec![0..10, 10..20]);
        assert_eq!(class_groups(25, 12), vec![0..7, 7..13, 13..19, 19..25]);
        assert_eq!(class_groups(20, 8), vec![0..5, 5..10, 10..15, 15..20]);
        for lanes in [4, 8, 12] {
            for k in 1..=100 {
                let g = class_groups(k, lanes);
                if lanes == 4 {
                    assert_eq!(g.len(), k.div_ceil(LANES), "k {k}");
                } else if k > LANES {
                    assert_eq!(g.len() % 2, 0, "k {k}, {lanes} lanes: {g:?}");
                }
                let sizes: Vec<usize> = g.iter().map(|r| r.len()).collect();
                assert!(sizes.windows(2).all(|w| w[0] >= w[1] && w[0] - w[1] <= 1), "k {k}: {g:?}");
                assert!(g.iter().all(|r| !r.is_empty() && r.len() <= lanes), "k {k}: {g:?}");
                let flat: Vec<usize> = g.into_iter().flatten().collect();
                assert_eq!(flat, (0..k).collect::<Vec<_>>());
            }
        }
    }

    #[test]
    fn group_lanes_follow_the_weights_size() {
        assert_eq!(group_lanes(1000, true), LANES, "naive-Bayes scaling keeps four lanes");
        assert_eq!(group_lanes(56_436, false), 12);
        assert_eq!(group_lanes(WIDE_BUDGET / 48 + 1, false), 8);
        assert_eq!(group_lanes(WIDE_BUDGET / 32 + 1, false), LANES);
        assert_eq!(group_lanes(usize::MAX, false), LANES);
    }

    #[test]
    fn frequent_columns_come_first() {
        let (x, _, _) = problem(200, 30, 3, 3);
        let packed = Packed::new(&x);
        let mut df = vec![0usize; x.ncols()];
        for &c in x.indices() {
            df[c as usize] += 1;
        }
        let seen: Vec<usize> = packed.order.iter().map(|&old| df[old as usize]).collect();
        assert!(seen.windows(2).all(|w| w[0] >= w[1]), "{seen:?}");
        assert_ne!(packed.order, (0..x.ncols() as u32).collect::<Vec<_>>(), "a real renumbering");
        let (cols, vals) = x.row(5);
        let (pc, pv) = packed.row(5);
        assert_eq!(vals, pv);
        let back: Vec<u32> = pc.iter().map(|&n| packed.order[n as usize]).collect();
        assert_eq!(cols, &back[..]);
    }
}
