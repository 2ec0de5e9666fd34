//! Turning scores into probabilities: Platt scaling (a sigmoid fitted on
//! held-out scores, with Platt's smoothed targets; Newton's method with
//! backtracking as in Lin, Lin and Weng, 2007), isotonic regression (a
//! non-decreasing step function fitted by pool adjacent violators, as in
//! Zadrozny and Elkan, 2002), and softmax.

use serde::{Deserialize, Serialize};

/// How held-out scores become probabilities, one label at a time.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CalibrationMethod {
    /// A sigmoid of the score: two parameters, smooth, never exactly 0 or 1.
    /// Right for small data (the default).
    #[default]
    Platt,
    /// Any non-decreasing function of the score: follows scores whose
    /// relation to the probability is not a sigmoid, but needs more
    /// held-out examples per label (about a thousand, as a rule of thumb)
    /// and can give exactly 0 or 1.
    Isotonic,
}

impl CalibrationMethod {
    /// The name used in flags and files (`"platt"`, `"isotonic"`).
    pub fn name(self) -> &'static str {
        match self {
            CalibrationMethod::Platt => "platt",
            CalibrationMethod::Isotonic => "isotonic",
        }
    }

    /// The method called `name`.
    pub fn parse(name: &str) -> Option<CalibrationMethod> {
        [CalibrationMethod::Platt, CalibrationMethod::Isotonic]
            .into_iter()
            .find(|m| m.name() == name)
    }
}

/// One label's fitted calibration.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Calibrator {
    /// A sigmoid.
    Platt(Platt),
    /// A non-decreasing piecewise-linear function.
    Isotonic(Isotonic),
}

impl Calibrator {
    /// Fits `method` on held-out `scores` with binary `labels`.
    pub fn fit(method: CalibrationMethod, scores: &[f64], labels: &[bool]) -> Calibrator {
        match method {
            CalibrationMethod::Platt => Calibrator::Platt(Platt::fit(scores, labels)),
            CalibrationMethod::Isotonic => Calibrator::Isotonic(Isotonic::fit(scores, labels)),
        }
    }

    /// The probability of the positive class for score `s`.
    pub fn prob(&self, s: f64) -> f64 {
        match self {
            Calibrator::Platt(p) => p.prob(s),
            Calibrator::Isotonic(i) => i.prob(s),
        }
    }

    /// Which method fitted it.
    pub fn method(&self) -> CalibrationMethod {
        match self {
            Calibrator::Platt(_) => CalibrationMethod::Platt,
            Calibrator::Isotonic(_) => CalibrationMethod::Isotonic,
        }
    }

    /// `true` when its parameters can have come from a fit (checked when a
    /// model file is read).
    pub fn is_valid(&self) -> bool {
        match self {
            Calibrator::Platt(p) => p.a.is_finite() && p.b.is_finite(),
            Calibrator::Isotonic(i) => i.is_valid(),
        }
    }
}

/// `p(y = 1 | s) = 1 / (1 + exp(a * s + b))`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Platt {
    /// Slope (negative for useful scores).
    pub a: f64,
    /// Offset.
    pub b: f64,
}

impl Platt {
    /// The probability of the positive class for score `s`.
    pub fn prob(&self, s: f64) -> f64 {
        let f = self.a * s + self.b;
        if f >= 0.0 {
            (-f).exp() / (1.0 + (-f).exp())
        } else {
            1.0 / (1.0 + f.exp())
        }
    }

    /// Fits on held-out `scores` with binary `labels`.
    pub fn fit(scores: &[f64], labels: &[bool]) -> Platt {
        let n_pos = labels.iter().filter(|&&l| l).count() as f64;
        let n_neg = labels.len() as f64 - n_pos;
        let hi = (n_pos + 1.0) / (n_pos + 2.0);
        let lo = 1.0 / (n_neg + 2.0);
        let t: Vec<f64> = labels.iter().map(|&l| if l { hi } else { lo }).collect();
        let (mut a, mut b) = (0.0, ((n_neg + 1.0) / (n_pos + 1.0)).ln());
        let sigma = 1e-12;
        let objective = |a: f64, b: f64| -> f64 {
            scores
                .iter()
                .zip(&t)
                .map(|(&s, &ti)| {
                    let f = a * s + b;
                    if f >= 0.0 {
                        ti * f + (1.0 + (-f).exp()).ln()
                    } else {
                        (ti - 1.0) * f + (1.0 + f.exp()).ln()
                    }
                })
                .sum()
        };
        let mut fval = objective(a, b);
        for _ in 0..100 {
            let (mut h11, mut h22, mut h21, mut g1, mut g2) = (sigma, sigma, 0.0, 0.0, 0.0);
            for (&s, &ti) in scores.iter().zip(&t) {
                let f = a * s + b;
                let (p, q) = if f >= 0.0 {
                    ((-f).exp() / (1.0 + (-f).exp()), 1.0 / (1.0 + (-f).exp()))
                } else {
                    (1.0 / (1.0 + f.exp()), f.exp() / (1.0 + f.exp()))
                };
                let d2 = p * q;
                h11 += s * s * d2;
                h22 += d2;
                h21 += s * d2;
                let d1 = ti - p;
                g1 += s * d1;
                g2 += d1;
            }
            if g1.abs() < 1e-5 && g2.abs() < 1e-5 {
                break;
            }
            let det = h11 * h22 - h21 * h21;
            let da = -(h22 * g1 - h21 * g2) / det;
            let db = -(-h21 * g1 + h11 * g2) / det;
            let gd = g1 * da + g2 * db;
            let mut step = 1.0;
            while step >= 1e-10 {
                let (na, nb) = (a + step * da, b + step * db);
                let nf = objective(na, nb);
                if nf < fval + 1e-4 * step * gd {
                    a = na;
                    b = nb;
                    fval = nf;
                    break;
                }
                step /= 2.0;
            }
            if step < 1e-10 {
                break;
            }
        }
        if a > 0.0 {
            // Higher scores would mean a lower probability: the scores carry
            // no usable order for this label (out-of-fold scores of tiny
            // data can anti-correlate with the labels by construction). A
            // calibrator must not reverse the classifier, so fall back to
            // the constrained optimum a = 0: the smoothed base rate.
            let mean = t.iter().sum::<f64>() / t.len().max(1) as f64;
            return Platt { a: 0.0, b: ((1.0 - mean) / mean).ln() };
        }
        Platt { a, b }
    }
}

/// Isotonic calibration: the points `(x[i], y[i])`, `x` strictly
/// increasing and `y` non-decreasing in `[0, 1]`. Between two points the
/// probability is interpolated linearly; outside them it is the nearest
/// end's (as scikit-learn's `IsotonicRegression(out_of_bounds="clip")`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Isotonic {
    /// Scores, strictly increasing.
    pub x: Vec<f64>,
    /// Their probabilities, non-decreasing.
    pub y: Vec<f64>,
}

impl Isotonic {
    /// Fits on held-out `scores` with binary `labels`: the least-squares
    /// non-decreasing fit of the labels (1 or 0) on the scores, by pool
    /// adjacent violators. Equal scores are pooled first (their labels
    /// averaged); non-finite scores carry no order and are left out. Each
    /// pooled block keeps its lowest and highest score, so the result is
    /// flat across a block and linear between blocks. Without data, the
    /// probability is 0.5 everywhere.
    pub fn fit(scores: &[f64], labels: &[bool]) -> Isotonic {
        struct Block {
            lo: f64,
            hi: f64,
            positives: f64,
            n: f64,
        }
        let mut order: Vec<usize> =
            (0..scores.len().min(labels.len())).filter(|&i| scores[i].is_finite()).collect();
        order.sort_by(|&a, &b| scores[a].total_cmp(&scores[b]));
        let mut blocks: Vec<Block> = Vec::new();
        let mut i = 0;
        while i < order.len() {
            let s = scores[order[i]];
            let mut b = Block { lo: s, hi: s, positives: 0.0, n: 0.0 };
            // -0.0 and 0.0 are equal and adjacent in this order.
            while i < order.len() && scores[order[i]] == s {
                b.positives += f64::from(u8::from(labels[order[i]]));
                b.n += 1.0;
                i += 1;
            }
            // Pool while the block before has a mean at least as high
            // (compared without division: both counts are positive).
            while let Some(prev) = blocks.last() {
                if prev.positives * b.n < b.positives * prev.n {
                    break;
                }
                b.lo = prev.lo;
                b.positives += prev.positives;
                b.n += prev.n;
                blocks.pop();
            }
            blocks.push(b);
        }
        if blocks.is_empty() {
            return Isotonic { x: vec![0.0], y: vec![0.5] };
        }
        let (mut x, mut y) = (Vec::new(), Vec::new());
        for b in &blocks {
            let mean = b.positives / b.n;
            x.push(b.lo);
            y.push(mean);
            if b.hi > b.lo {
                x.push(b.hi);
                y.push(mean);
            }
        }
        Isotonic { x, y }
    }

    /// The probability of the positive class for score `s`.
    pub fn prob(&self, s: f64) -> f64 {
        let (Some(&first), Some(&last)) = (self.x.first(), self.x.last()) else {
            return 0.5;
        };
        // NaN goes to the low end too.
        if s.is_nan() || s <= first {
            return self.y[0];
        }
        if s >= last {
            return self.y[self.y.len() - 1];
        }
        // first < s < last, so x[i - 1] <= s < x[i] with 1 <= i < len.
        let i = self.x.partition_point(|&v| v <= s);
        let (x0, x1, y0, y1) = (self.x[i - 1], self.x[i], self.y[i - 1], self.y[i]);
        y0 + (y1 - y0) * ((s - x0) / (x1 - x0))
    }

    fn is_valid(&self) -> bool {
        !self.x.is_empty()
            && self.x.len() == self.y.len()
            && self.x.iter().all(|v| v.is_finite())
            && self.x.windows(2).all(|w| w[0] < w[1])
            && self.y.iter().all(|v| (0.0..=1.0).contains(v))
            && self.y.windows(2).all(|w| w[0] <= w[1])
    }
}

/// Softmax of `v` in place (stable).
pub fn softmax_in_place(v: &mut [f32]) {
    let m = v.iter().cloned().fold(f32::NEG_INFINITY, f32::max);
    let mut sum = 0.0;
    for x in v.iter_mut() {
        *x = (*x - m).exp();
        sum += *x;
    }
    if sum > 0.0 {
        v.iter_mut().for_each(|x| *x /= sum);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn platt_orders_and_calibrates() {
        // Scores: positives around +1, negatives around -1.
        let mut scores = Vec::new();
        let mut labels = Vec::new();
        for i in 0..200 {
            let noise = ((i * 37) % 100) as f64 / 100.0 - 0.5;
            scores.push(1.0 + noise);
            labels.push(true);
            scores.push(-1.0 + noise);
            labels.push(false);
        }
        let p = Platt::fit(&scores, &labels);
        assert!(p.a < 0.0);
        assert!(p.prob(2.0) > 0.95 && p.prob(-2.0) < 0.05);
        assert!((p.prob(0.0) - 0.5).abs() < 0.05);
    }

    #[test]
    fn platt_never_reverses_the_scores() {
        // Positives score lower than negatives: the fit falls back to the
        // smoothed base rate instead of a decreasing sigmoid.
        let scores = [-1.0, -0.9, -0.8, 0.5, 0.6, 0.7, 0.8, 0.9];
        let labels = [true, true, true, false, false, false, false, false];
        let p = Platt::fit(&scores, &labels);
        assert_eq!(p.a, 0.0);
        let base = (3.0 + 1.0) / (3.0 + 2.0) * 3.0 / 8.0 + 1.0 / (5.0 + 2.0) * 5.0 / 8.0;
        assert!((p.prob(-5.0) - base).abs() < 1e-12 && (p.prob(5.0) - base).abs() < 1e-12);
        // No data: no panic, a finite probability.
        assert!(Platt::fit(&[], &[]).prob(1.0).is_finite());
    }

    /// The isotonic fit at each distinct score, by the max-min formula
    /// (Barlow et al., 1972): the fitted value at point i is the largest,
    /// over blocks starting at or before i, of the smallest mean of a block
    /// from there to a point at or after i. Quadratic, and independent of
    /// pooling order.
    fn naive_isotonic(scores: &[f64], labels: &[bool]) -> Vec<(f64, f64)> {
        let mut xs: Vec<f64> = scores.to_vec();
        xs.sort_by(f64::total_cmp);
        xs.dedup();
        let group = |x: f64| -> (f64, f64) {
            let pos = scores.iter().zip(labels).filter(|(&s, &l)| s == x && l).count();
            let n = scores.iter().filter(|&&s| s == x).count();
            (pos as f64, n as f64)
        };
        let g: Vec<(f64, f64)> = xs.iter().map(|&x| group(x)).collect();
        let mean = |a: usize, b: usize| {
            let (p, n) = g[a..=b].iter().fold((0.0, 0.0), |(p, n), &(gp, gn)| (p + gp, n + gn));
            p / n
        };
        (0..xs.len())
            .map(|i| {
                let fitted = (0..=i)
                    .map(|j| (i..xs.len()).map(|k| mean(j, k)).fold(f64::INFINITY, f64::min))
                    .fold(f64::NEG_INFINITY, f64::max);
                (xs[i], fitted)
            })
            .collect()
    }

    proptest::proptest! {
        #[test]
        fn isotonic_equals_the_max_min_formula(
            data in proptest::collection::vec((0i32..12, proptest::bool::ANY), 1..40),
        ) {
            // Few distinct scores, so ties are common.
            let scores: Vec<f64> = data.iter().map(|&(s, _)| f64::from(s) / 4.0 - 1.0).collect();
            let labels: Vec<bool> = data.iter().map(|&(_, l)| l).collect();
            let iso = Isotonic::fit(&scores, &labels);
            proptest::prop_assert!(Calibrator::Isotonic(iso.clone()).is_valid());
            for (x, want) in naive_isotonic(&scores, &labels) {
                proptest::prop_assert!((iso.prob(x) - want).abs() < 1e-12, "at {x}: {} vs {want}", iso.prob(x));
            }
            // Monotone everywhere, clipped outside the data.
            let grid: Vec<f64> = (0..=60).map(|i| f64::from(i) / 10.0 - 3.0).collect();
            for w in grid.windows(2) {
                proptest::prop_assert!(iso.prob(w[0]) <= iso.prob(w[1]));
            }
            let lo = scores.iter().cloned().fold(f64::INFINITY, f64::min);
            let hi = scores.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
            proptest::prop_assert_eq!(iso.prob(lo - 100.0), iso.prob(lo));
            proptest::prop_assert_eq!(iso.prob(hi + 100.0), iso.prob(hi));
        }
    }

    #[test]
    fn isotonic_interpolates_between_blocks_and_handles_edges() {
        // Worked by hand: scores 0, 1, 2, 3 with labels F, T, F, T. Score 2's
        // mean (0) is below score 1's (1), so they pool (mean 0.5): points
        // (0, 0), (1, 0.5), (2, 0.5), (3, 1).
        let iso = Isotonic::fit(&[3.0, 0.0, 2.0, 1.0], &[true, false, false, true]);
        assert_eq!(iso.x, vec![0.0, 1.0, 2.0, 3.0]);
        assert_eq!(iso.y, vec![0.0, 0.5, 0.5, 1.0]);
        assert_eq!(iso.prob(0.5), 0.25);
        assert_eq!(iso.prob(1.5), 0.5);
        assert_eq!(iso.prob(2.75), 0.875);
        assert_eq!((iso.prob(-9.0), iso.prob(9.0), iso.prob(f64::NAN)), (0.0, 1.0, 0.0));
        // Non-finite scores are left out; no data at all gives 0.5.
        let iso = Isotonic::fit(&[f64::NAN, 1.0, f64::INFINITY], &[true, false, true]);
        assert_eq!((iso.x.clone(), iso.y.clone()), (vec![1.0], vec![0.0]));
        assert_eq!(Isotonic::fit(&[], &[]).prob(1.0), 0.5);
        assert_eq!(Isotonic::fit(&[f64::NAN], &[true]).prob(1.0), 0.5);
        // Decreasing scores pool into one block: the base rate.
        let iso = Isotonic::fit(&[1.0, 2.0, 3.0, 4.0], &[true, true, false, false]);
        assert_eq!((iso.x.clone(), iso.y.clone()), (vec![1.0, 4.0], vec![0.5, 0.5]));
    }

    #[test]
    fn calibrators_that_cannot_come_from_a_fit_are_invalid() {
        let bad = |x: Vec<f64>, y: Vec<f64>| !Calibrator::Isotonic(Isotonic { x, y }).is_valid();
        assert!(bad(vec![], vec![]));
        assert!(bad(vec![0.0, 1.0], vec![0.5]));
        assert!(bad(vec![1.0, 0.0], vec![0.2, 0.5]));
        assert!(bad(vec![0.0, 0.0], vec![0.2, 0.5]));
        assert!(bad(vec![0.0, 1.0], vec![0.5, 0.2]));
        assert!(bad(vec![0.0, 1.0], vec![0.5, 1.5]));
        assert!(bad(vec![0.0, f64::NAN], vec![0.5, 0.6]));
        assert!(!Calibrator::Platt(Platt { a: f64::NAN, b: 0.0 }).is_valid());
        assert!(Calibrator::Platt(Platt { a: -1.0, b: 0.0 }).is_valid());
    }

    #[test]
    fn method_names_are_the_serialized_ones() {
        for m in [CalibrationMethod::Platt, CalibrationMethod::Isotonic] {
            assert_eq!(serde_json::to_string(&m).unwrap(), format!("\"{}\"", m.name()));
            assert_eq!(CalibrationMethod::parse(m.name()), Some(m));
        }
        assert_eq!(CalibrationMethod::parse("beta"), None);
    }

    #[test]
    fn softmax_sums_to_one() {
        let mut v = [1.0f32, 2.0, 3.0, 1000.0];
        softmax_in_place(&mut v);
        assert!((v.iter().sum::<f32>() - 1.0).abs() < 1e-6);
        assert!(v[3] > 0.99);
    }
}
