//! Turning scores into probabilities: Platt scaling (a sigmoid fitted on
//! held-out scores, with Platt's smoothed targets; Newton's method with
//! backtracking as in Lin, Lin and Weng, 2007) and softmax.

use serde::{Deserialize, Serialize};

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

    #[test]
    fn softmax_sums_to_one() {
        let mut v = [1.0f32, 2.0, 3.0, 1000.0];
        softmax_in_place(&mut v);
        assert!((v.iter().sum::<f32>() - 1.0).abs() < 1e-6);
        assert!(v[3] > 0.99);
    }
}
