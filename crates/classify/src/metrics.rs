//! Evaluation: accuracy, micro and macro F1, per-label precision / recall /
//! F1 / support, confusion matrix, log loss and Brier score; stratified
//! k-fold splits.

use crate::rng::Rng;
use serde::{Deserialize, Serialize};

/// Scores of one label.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LabelScores {
    /// The label.
    pub label: String,
    /// TP / (TP + FP), 0 when nothing was predicted.
    pub precision: f64,
    /// TP / (TP + FN), 0 when the label never occurs.
    pub recall: f64,
    /// Harmonic mean of precision and recall (0 when both are 0).
    pub f1: f64,
    /// Examples that truly have the label.
    pub support: usize,
}

/// A confusion matrix: `matrix[true][predicted]`. For multi-label
/// predictions every (true label, predicted label) pair of an example counts
/// once, and a last row and column, `(none)`, count examples with no true or
/// no predicted label.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Confusion {
    /// Row and column labels.
    pub labels: Vec<String>,
    /// Counts.
    pub matrix: Vec<Vec<usize>>,
}

/// How good a single-label model's probabilities are: proper scoring rules
/// over the true label, lower is better.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProbabilityScores {
    /// Mean negative natural log of the probability given to the true label
    /// (clipped below at 1e-15, so a confident miss costs about 34.5, not
    /// infinity).
    pub log_loss: f64,
    /// Multi-class Brier score: the mean over examples of the squared
    /// distance between the probabilities and the true label's one-hot
    /// vector (0 to 2).
    pub brier: f64,
}

/// [`ProbabilityScores`] of `probabilities[i]` (one per label) against the
/// true label indices; `None` without examples, or when a true label is not
/// one the probabilities cover (a label the model does not know).
pub fn probability_scores(
    truth: &[usize],
    probabilities: &[Vec<f32>],
) -> Option<ProbabilityScores> {
    if truth.is_empty()
        || truth.len() != probabilities.len()
        || truth.iter().zip(probabilities).any(|(&t, p)| t >= p.len())
    {
        return None;
    }
    let (mut log_loss, mut brier) = (0.0, 0.0);
    for (&t, p) in truth.iter().zip(probabilities) {
        log_loss -= f64::from(p[t]).clamp(1e-15, 1.0).ln();
        brier += p
            .iter()
            .enumerate()
            .map(|(c, &q)| (f64::from(q) - if c == t { 1.0 } else { 0.0 }).powi(2))
            .sum::<f64>();
    }
    let n = truth.len() as f64;
    Some(ProbabilityScores { log_loss: log_loss / n, brier: brier / n })
}

/// Everything `sift eval` reports.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// Examples evaluated.
    pub n: usize,
    /// Fraction of examples whose prediction is exactly right (the whole
    /// label set, for multi-label: subset accuracy).
    pub accuracy: f64,
    /// F1 over all (example, label) decisions pooled.
    pub micro_f1: f64,
    /// Mean of per-label F1.
    pub macro_f1: f64,
    /// Per label.
    pub per_label: Vec<LabelScores>,
    /// The confusion matrix.
    pub confusion: Option<Confusion>,
    /// Single-label reports of models' predictions (evaluation, the
    /// validation split, [`crate::cross_validate`]): how good the
    /// probabilities are. Absent from the cross-validated report `train`
    /// saves in a model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probabilities: Option<ProbabilityScores>,
}

fn prf(tp: usize, fp: usize, fn_: usize) -> (f64, f64, f64) {
    let p = if tp + fp == 0 { 0.0 } else { tp as f64 / (tp + fp) as f64 };
    let r = if tp + fn_ == 0 { 0.0 } else { tp as f64 / (tp + fn_) as f64 };
    let f = if p + r == 0.0 { 0.0 } else { 2.0 * p * r / (p + r) };
    (p, r, f)
}

/// Report for single-label predictions (indices into `labels`). Macro F1
/// averages over labels that occur in the truth or the predictions, as
/// scikit-learn does.
pub fn single_label(labels: &[String], truth: &[usize], pred: &[usize]) -> Report {
    let k = labels.len();
    let mut m = vec![vec![0usize; k]; k];
    for (&t, &p) in truth.iter().zip(pred) {
        m[t][p] += 1;
    }
    let n = truth.len();
    let correct: usize = (0..k).map(|i| m[i][i]).sum();
    let mut per_label = Vec::with_capacity(k);
    let mut f_sum = 0.0;
    let mut present = 0;
    for c in 0..k {
        let tp = m[c][c];
        let fp: usize = (0..k).map(|t| m[t][c]).sum::<usize>() - tp;
        let fn_: usize = m[c].iter().sum::<usize>() - tp;
        let (p, r, f) = prf(tp, fp, fn_);
        if tp + fp + fn_ > 0 {
            f_sum += f;
            present += 1;
        }
        per_label.push(LabelScores {
            label: labels[c].clone(),
            precision: p,
            recall: r,
            f1: f,
            support: tp + fn_,
        });
    }
    let accuracy = if n == 0 { 0.0 } else { correct as f64 / n as f64 };
    Report {
        n,
        accuracy,
        micro_f1: accuracy,
        macro_f1: if present == 0 { 0.0 } else { f_sum / present as f64 },
        per_label,
        confusion: Some(Confusion { labels: labels.to_vec(), matrix: m }),
        probabilities: None,
    }
}

/// Report for multi-label predictions (sets of label indices). Macro F1
/// averages over every label, F1 = 0 for a label never predicted nor present
/// (scikit-learn's `zero_division=0` over a fixed label list).
pub fn multi_label(labels: &[String], truth: &[Vec<usize>], pred: &[Vec<usize>]) -> Report {
    let k = labels.len();
    let (mut tp, mut fp, mut fn_) = (vec![0usize; k], vec![0usize; k], vec![0usize; k]);
    let mut exact = 0;
    let mut confusion = vec![vec![0usize; k + 1]; k + 1];
    for (t, p) in truth.iter().zip(pred) {
        let mut ts = t.clone();
        ts.sort_unstable();
        ts.dedup();
        let mut ps = p.clone();
        ps.sort_unstable();
        ps.dedup();
        exact += (ts == ps) as usize;
        let rows: Vec<usize> = if ts.is_empty() { vec![k] } else { ts.clone() };
        let cols: Vec<usize> = if ps.is_empty() { vec![k] } else { ps.clone() };
        for &r in &rows {
            for &c in &cols {
                confusion[r][c] += 1;
            }
        }
        for &c in &ps {
            if ts.binary_search(&c).is_ok() {
                tp[c] += 1;
            } else {
                fp[c] += 1;
            }
        }
        for &c in &ts {
            if ps.binary_search(&c).is_err() {
                fn_[c] += 1;
            }
        }
    }
    let per_label: Vec<LabelScores> = (0..k)
        .map(|c| {
            let (p, r, f) = prf(tp[c], fp[c], fn_[c]);
            LabelScores {
                label: labels[c].clone(),
                precision: p,
                recall: r,
                f1: f,
                support: tp[c] + fn_[c],
            }
        })
        .collect();
    let (_, _, micro) = prf(tp.iter().sum(), fp.iter().sum(), fn_.iter().sum());
    let n = truth.len();
    Report {
        n,
        accuracy: if n == 0 { 0.0 } else { exact as f64 / n as f64 },
        micro_f1: micro,
        macro_f1: if k == 0 { 0.0 } else { per_label.iter().map(|l| l.f1).sum::<f64>() / k as f64 },
        per_label,
        confusion: Some(Confusion {
            labels: labels.iter().cloned().chain(["(none)".to_string()]).collect(),
            matrix: confusion,
        }),
        probabilities: None,
    }
}

/// Stratified k-fold: assigns each example a fold in `0..k` so every class
/// (the example's first label) is spread evenly; deterministic for `seed`.
pub fn stratified_folds(strata: &[usize], k: usize, seed: u64) -> Vec<usize> {
    let mut by_class: std::collections::BTreeMap<usize, Vec<usize>> = Default::default();
    for (i, &s) in strata.iter().enumerate() {
        by_class.entry(s).or_default().push(i);
    }
    let mut fold = vec![0usize; strata.len()];
    let mut rng = Rng::new(seed, 0xF01D);
    let mut offset = 0;
    for (_, mut idx) in by_class {
        rng.shuffle(&mut idx);
        for (j, &i) in idx.iter().enumerate() {
            fold[i] = (j + offset) % k;
        }
        offset += idx.len();
    }
    fold
}

#[cfg(test)]
mod tests {
    #[test]
    fn probability_scores_by_hand() {
        let p = probability_scores(&[0, 1], &[vec![0.5, 0.5], vec![0.2, 0.8]]).unwrap();
        let want = -(0.5f64.ln() + f64::from(0.8f32).ln()) / 2.0;
        assert!((p.log_loss - want).abs() < 1e-12, "{p:?}");
        // (0.25 + 0.25 + 0.04 + 0.04) / 2, in f32 inputs.
        assert!((p.brier - 0.29).abs() < 1e-7, "{p:?}");
        // A confident miss is clipped, not infinite; the Brier score is 2.
        let p = probability_scores(&[0], &[vec![0.0, 1.0]]).unwrap();
        assert!((p.log_loss - 1e15f64.ln()).abs() < 1e-9 && p.brier == 2.0, "{p:?}");
        // No examples, or a true label outside the probabilities: none.
        assert_eq!(probability_scores(&[], &[]), None);
        assert_eq!(probability_scores(&[2], &[vec![0.5, 0.5]]), None);
        assert_eq!(probability_scores(&[0, 1], &[vec![1.0, 0.0]]), None);
    }

    use super::*;

    fn labels(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("l{i}")).collect()
    }

    #[test]
    fn single_label_metrics() {
        let r = single_label(&labels(3), &[0, 0, 1, 1, 2], &[0, 1, 1, 1, 0]);
        assert!((r.accuracy - 0.6).abs() < 1e-12);
        // class 0: tp1 fp1 fn1 -> f 0.5; class 1: tp2 fp1 fn0 -> p 2/3 r1 f 0.8; class 2: 0
        assert!((r.per_label[0].f1 - 0.5).abs() < 1e-12);
        assert!((r.per_label[1].f1 - 0.8).abs() < 1e-12);
        assert_eq!(r.per_label[2].f1, 0.0);
        assert!((r.macro_f1 - 1.3 / 3.0).abs() < 1e-12);
        assert_eq!(r.confusion.unwrap().matrix[0], vec![1, 1, 0]);
    }

    #[test]
    fn multi_label_metrics() {
        let truth = vec![vec![0, 1], vec![1], vec![]];
        let pred = vec![vec![0], vec![1, 2], vec![]];
        let r = multi_label(&labels(3), &truth, &pred);
        assert!((r.accuracy - 1.0 / 3.0).abs() < 1e-12);
        // pooled: tp 2, fp 1, fn 1 -> micro f 2/3
        assert!((r.micro_f1 - 2.0 / 3.0).abs() < 1e-12);
        assert!((r.macro_f1 - (1.0 + 2.0 / 3.0 + 0.0) / 3.0).abs() < 1e-12);
        let c = r.confusion.unwrap();
        assert_eq!(c.labels.last().map(String::as_str), Some("(none)"));
        // example 0: {0,1} x {0}; example 1: {1} x {1,2}; example 2: none x none
        assert_eq!(c.matrix[0], vec![1, 0, 0, 0]);
        assert_eq!(c.matrix[1], vec![1, 1, 1, 0]);
        assert_eq!(c.matrix[3], vec![0, 0, 0, 1]);
    }

    #[test]
    fn folds_are_stratified() {
        let strata: Vec<usize> = (0..300).map(|i| if i < 270 { 0 } else { 1 }).collect();
        let f = stratified_folds(&strata, 3, 1);
        for k in 0..3 {
            let rare = (270..300).filter(|&i| f[i] == k).count();
            assert_eq!(rare, 10);
        }
        assert_eq!(f, stratified_folds(&strata, 3, 1));
    }
}
