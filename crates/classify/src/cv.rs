//! Cross-validation of a whole training run: what `sift eval --folds K
//! [--repeats R]` reports.
//!
//! Each fold is predicted by a model trained from scratch on the other
//! folds: its own vocabulary, IDF, weights, calibration and thresholds, with
//! the same [`TrainParams`]. Nothing fitted ever sees the fold it is scored
//! on, as with scikit-learn's `cross_val_predict` over a whole pipeline. The
//! cross-validated figures that [`crate::train`] saves in a model are
//! cheaper (one vocabulary for all folds, fitted without labels) and
//! slightly optimistic for it.
//!
//! On small data one cross-validation's figure moves with the seed that
//! draws its folds (on the 1,781 BBC News training articles, by about two
//! errors either way), as much as many settings differ. Repeating it with
//! other seeds ([`repeated_cross_validate`]) measures that spread.

use crate::data::Example;
use crate::error::{Error, Result};
use crate::metrics::{self, stratified_folds, Report};
use crate::train::{label_indices, train_with_progress, TrainParams, MAX_FOLDS};
use serde::Serialize;
use std::collections::BTreeSet;

/// Most repeats [`repeated_cross_validate`] accepts.
pub const MAX_REPEATS: usize = 100;

/// The report of a cross-validation, and the training warnings of its
/// folds (each once, prefixed with its fold).
#[derive(Clone, Debug)]
pub struct CrossValidation {
    /// Every example scored by the model of the folds it was not in; with
    /// repeats, pooled over them (each example scored once per repeat, so
    /// `n` and the confusion counts are the repeats times the examples).
    pub report: Report,
    /// Each repeat's own scores, in seed order (one entry without repeats).
    pub repeats: Vec<RepeatScores>,
    /// The data's labels, sorted: what [`HeldOut::labels`] indexes and the
    /// order of [`HeldOut::probabilities`].
    pub labels: Vec<String>,
    /// Per repeat (in seed order), per example (in data order): what the
    /// model of the folds it was not in predicted.
    pub held_out: Vec<Vec<HeldOut>>,
    /// Warnings from the folds' training runs.
    pub warnings: Vec<String>,
}

/// An example's out-of-fold prediction.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct HeldOut {
    /// Predicted labels, indices into [`CrossValidation::labels`], sorted.
    pub labels: Vec<usize>,
    /// Probability of each of [`CrossValidation::labels`] (0 for a label
    /// the fold's model did not see).
    pub probabilities: Vec<f32>,
}

/// One repeat of a cross-validation: the seed that drew its folds (and
/// seeded its trainings) and its scores.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RepeatScores {
    /// Seed of this repeat: the settings' seed plus the repeat's number
    /// from 0.
    pub seed: u64,
    /// Accuracy (subset accuracy, for multi-label).
    pub accuracy: f64,
    /// Micro-averaged F1.
    pub micro_f1: f64,
    /// Macro-averaged F1.
    pub macro_f1: f64,
}

/// How one score varies over repeats.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Spread {
    /// Mean over the repeats.
    pub mean: f64,
    /// Sample standard deviation (n - 1 in the denominator; 0 for one
    /// repeat).
    pub sd: f64,
    /// Lowest.
    pub min: f64,
    /// Highest.
    pub max: f64,
}

impl Spread {
    /// The spread of `values`; `None` when there are none.
    pub fn of(values: &[f64]) -> Option<Spread> {
        if values.is_empty() {
            return None;
        }
        let n = values.len() as f64;
        let mean = values.iter().sum::<f64>() / n;
        let sd = if values.len() < 2 {
            0.0
        } else {
            (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt()
        };
        let min = values.iter().copied().fold(f64::INFINITY, f64::min);
        let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        Some(Spread { mean, sd, min, max })
    }
}

impl CrossValidation {
    /// The spread over repeats of one score, e.g. `cv.spread(|r| r.accuracy)`.
    pub fn spread(&self, score: impl Fn(&RepeatScores) -> f64) -> Option<Spread> {
        Spread::of(&self.repeats.iter().map(score).collect::<Vec<_>>())
    }
}

/// Checks a number of repeats for [`repeated_cross_validate`]: 1 to
/// [`MAX_REPEATS`].
pub fn check_repeats(r: usize) -> Result<()> {
    if !(1..=MAX_REPEATS).contains(&r) {
        return Err(Error::Param {
            name: "repeats",
            reason: format!("must be 1 to {MAX_REPEATS}"),
        });
    }
    Ok(())
}

/// Checks a number of folds for [`cross_validate`]: 2 to [`MAX_FOLDS`].
pub fn check_folds(k: usize) -> Result<()> {
    if !(2..=MAX_FOLDS).contains(&k) {
        return Err(Error::Param { name: "folds", reason: format!("must be 2 to {MAX_FOLDS}") });
    }
    Ok(())
}

/// Stratified `k`-fold cross-validation of training with `p` on `examples`
/// (folds stratified by each example's first label, seeded by `p.seed`;
/// `p.validation` is ignored). `progress("fold", done, k)` is called before
/// each fold and once at the end.
pub fn cross_validate(
    p: &TrainParams,
    examples: &[Example],
    k: usize,
    progress: &mut dyn FnMut(&str, usize, usize),
) -> Result<CrossValidation> {
    repeated_cross_validate(p, examples, k, 1, progress)
}

/// [`cross_validate`] `repeats` times, with seeds `p.seed`, `p.seed + 1`,
/// ... (each drawing other folds and seeding its trainings), its report
/// pooled over the repeats and each repeat's scores beside it.
/// `progress("fold", done, repeats * k)` is called before each fold and
/// once at the end. Bad settings fail before any training.
pub fn repeated_cross_validate(
    p: &TrainParams,
    examples: &[Example],
    k: usize,
    repeats: usize,
    progress: &mut dyn FnMut(&str, usize, usize),
) -> Result<CrossValidation> {
    check_folds(k)?;
    check_repeats(repeats)?;
    let inner = TrainParams { validation: 0.0, ..p.clone() };
    inner.check()?;
    if examples.len() < k {
        return Err(Error::Data(format!(
            "{k} folds need at least {k} examples, the data has {}",
            examples.len()
        )));
    }
    let labels: Vec<String> = examples
        .iter()
        .flat_map(|e| &e.labels)
        .cloned()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    if let Some(none) = p.none_label.as_ref().filter(|l| labels.binary_search(l).is_err()) {
        return Err(Error::Data(format!(
            "the settings' none label \"{none}\" is not a label of the data"
        )));
    }
    let truth = label_indices(&labels, examples);
    if !p.multi_label {
        if let Some(i) = truth.iter().position(|v| v.len() != 1) {
            return Err(Error::Data(format!(
                "example {} has {} labels: single-label training needs exactly one",
                i + 1,
                truth[i].len()
            )));
        }
    }
    let mut held_out = Vec::with_capacity(repeats);
    let mut scores = Vec::with_capacity(repeats);
    let mut warnings = Vec::new();
    for r in 0..repeats {
        let seed = p.seed.wrapping_add(r as u64);
        let at = |f: usize| {
            if repeats == 1 {
                format!("fold {} of {k}", f + 1)
            } else {
                format!("repeat {} of {repeats} (seed {seed}), fold {} of {k}", r + 1, f + 1)
            }
        };
        let run = TrainParams { seed, ..inner.clone() };
        let (held, w) = out_of_fold(&run, examples, &labels, &truth, k, &at, &mut |f| {
            progress("fold", r * k + f, repeats * k)
        })?;
        warnings.extend(w);
        let report = report(&labels, &truth, p.multi_label, std::slice::from_ref(&held));
        scores.push(RepeatScores {
            seed,
            accuracy: report.accuracy,
            micro_f1: report.micro_f1,
            macro_f1: report.macro_f1,
        });
        held_out.push(held);
    }
    progress("fold", repeats * k, repeats * k);
    let report = report(&labels, &truth, p.multi_label, &held_out);
    Ok(CrossValidation { report, repeats: scores, labels, held_out, warnings })
}

/// The report of the repeats' out-of-fold predictions, pooled, against
/// `truth` (once per repeat).
fn report(
    labels: &[String],
    truth: &[Vec<usize>],
    multi_label: bool,
    repeats: &[Vec<HeldOut>],
) -> Report {
    let truth: Vec<&Vec<usize>> = std::iter::repeat_n(truth, repeats.len()).flatten().collect();
    let held: Vec<&HeldOut> = repeats.iter().flatten().collect();
    if multi_label {
        let t: Vec<Vec<usize>> = truth.into_iter().cloned().collect();
        let p: Vec<Vec<usize>> = held.iter().map(|h| h.labels.clone()).collect();
        metrics::multi_label(labels, &t, &p)
    } else {
        let t: Vec<usize> = truth.iter().map(|v| v[0]).collect();
        let p: Vec<usize> = held.iter().map(|h| h.labels.first().copied().unwrap_or(0)).collect();
        let probs: Vec<Vec<f32>> = held.iter().map(|h| h.probabilities.clone()).collect();
        let mut r = metrics::single_label(labels, &t, &p);
        r.probabilities = metrics::probability_scores(&t, &probs);
        r
    }
}

/// One `k`-fold cross-validation with `run`'s seed: each example's
/// out-of-fold prediction, and the folds' training warnings. `at(f)` names
/// fold `f` in errors and warnings, `progress(f)` is called before each fold.
fn out_of_fold(
    run: &TrainParams,
    examples: &[Example],
    labels: &[String],
    truth: &[Vec<usize>],
    k: usize,
    at: &dyn Fn(usize) -> String,
    progress: &mut dyn FnMut(usize),
) -> Result<(Vec<HeldOut>, Vec<String>)> {
    let strata: Vec<usize> =
        truth.iter().map(|v| v.first().copied().unwrap_or(labels.len())).collect();
    let fold = stratified_folds(&strata, k, run.seed);
    let mut out = vec![HeldOut::default(); examples.len()];
    let mut warnings = Vec::new();
    for f in 0..k {
        progress(f);
        let (held, fit): (Vec<usize>, Vec<usize>) =
            (0..examples.len()).partition(|&i| fold[i] == f);
        if held.is_empty() {
            continue;
        }
        let fit_examples: Vec<Example> = fit.iter().map(|&i| examples[i].clone()).collect();
        let in_fold = |e: Error| match e {
            Error::Data(m) => Error::Data(format!("{}: {m}", at(f))),
            other => other,
        };
        let trained =
            train_with_progress(run, &fit_examples, &mut |_, _, _| {}).map_err(in_fold)?;
        warnings.extend(trained.warnings.iter().map(|w| format!("{}: {w}", at(f))));
        let model = trained.model;
        // The fold model's label `c` is the data's label `global[c]`.
        let global: Vec<Option<usize>> =
            model.labels().iter().map(|l| labels.binary_search(l).ok()).collect();
        let texts: Vec<&str> = held.iter().map(|&i| examples[i].text.as_str()).collect();
        for (&i, prediction) in held.iter().zip(model.predict(&texts, None)) {
            let mut v: Vec<usize> = prediction.labels.iter().filter_map(|&c| global[c]).collect();
            v.sort_unstable();
            let mut q = vec![0.0f32; labels.len()];
            for (&g, &pr) in global.iter().zip(&prediction.probabilities) {
                if let Some(g) = g {
                    q[g] = pr;
                }
            }
            out[i] = HeldOut { labels: v, probabilities: q };
        }
    }
    Ok((out, warnings))
}
