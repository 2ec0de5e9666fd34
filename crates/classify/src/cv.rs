//! Cross-validation of a whole training run: what `sift eval --folds K`
//! reports.
//!
//! Each fold is predicted by a model trained from scratch on the other
//! folds: its own vocabulary, IDF, weights, calibration and thresholds, with
//! the same [`TrainParams`]. Nothing fitted ever sees the fold it is scored
//! on, as with scikit-learn's `cross_val_predict` over a whole pipeline. The
//! cross-validated figures that [`crate::train`] saves in a model are
//! cheaper (one vocabulary for all folds, fitted without labels) and
//! slightly optimistic for it.

use crate::data::Example;
use crate::error::{Error, Result};
use crate::metrics::{self, stratified_folds, Report};
use crate::train::{label_indices, train_with_progress, TrainParams, MAX_FOLDS};
use std::collections::BTreeSet;

/// The report of a `k`-fold cross-validation, and the training warnings of
/// its folds (each once, prefixed with its fold).
#[derive(Clone, Debug)]
pub struct CrossValidation {
    /// Every example scored by the model of the folds it was not in.
    pub report: Report,
    /// Warnings from the folds' training runs.
    pub warnings: Vec<String>,
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
    check_folds(k)?;
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
    let strata: Vec<usize> =
        truth.iter().map(|v| v.first().copied().unwrap_or(labels.len())).collect();
    let fold = stratified_folds(&strata, k, p.seed);
    let mut pred: Vec<Vec<usize>> = vec![Vec::new(); examples.len()];
    // Each held-out example's probabilities over all labels (a label the
    // fold's model lacks gets 0).
    let mut probs: Vec<Vec<f32>> = vec![Vec::new(); examples.len()];
    let mut warnings = Vec::new();
    for f in 0..k {
        progress("fold", f, k);
        let (held, fit): (Vec<usize>, Vec<usize>) =
            (0..examples.len()).partition(|&i| fold[i] == f);
        if held.is_empty() {
            continue;
        }
        let fit_examples: Vec<Example> = fit.iter().map(|&i| examples[i].clone()).collect();
        let in_fold = |e: Error| match e {
            Error::Data(m) => Error::Data(format!("fold {} of {k}: {m}", f + 1)),
            other => other,
        };
        let trained =
            train_with_progress(&inner, &fit_examples, &mut |_, _, _| {}).map_err(in_fold)?;
        warnings.extend(trained.warnings.iter().map(|w| format!("fold {} of {k}: {w}", f + 1)));
        let model = trained.model;
        // The fold model's label `c` is the data's label `global[c]`.
        let global: Vec<Option<usize>> =
            model.labels().iter().map(|l| labels.binary_search(l).ok()).collect();
        let texts: Vec<&str> = held.iter().map(|&i| examples[i].text.as_str()).collect();
        for (&i, prediction) in held.iter().zip(model.predict(&texts, None)) {
            let mut v: Vec<usize> = prediction.labels.iter().filter_map(|&c| global[c]).collect();
            v.sort_unstable();
            pred[i] = v;
            let mut q = vec![0.0f32; labels.len()];
            for (&g, &pr) in global.iter().zip(&prediction.probabilities) {
                if let Some(g) = g {
                    q[g] = pr;
                }
            }
            probs[i] = q;
        }
    }
    progress("fold", k, k);
    let report = if p.multi_label {
        metrics::multi_label(&labels, &truth, &pred)
    } else {
        let t: Vec<usize> = truth.iter().map(|v| v[0]).collect();
        let p: Vec<usize> = pred.iter().map(|v| v.first().copied().unwrap_or(0)).collect();
        let mut r = metrics::single_label(&labels, &t, &p);
        r.probabilities = metrics::probability_scores(&t, &probs);
        r
    };
    Ok(CrossValidation { report, warnings })
}
