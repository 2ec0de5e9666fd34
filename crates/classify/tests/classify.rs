//! Tests on small slices of real data (../shared/data): the learners through
//! linfa's traits, the training pipeline, models saved and loaded, and
//! damaged model files.

use linfa::prelude::*;
use ndarray::{Array1, Array2};
use proptest::prelude::*;
use sift_classify::{
    cross_validate, metrics, repeated_cross_validate, train, Algorithm, CalibrationMethod,
    EarlyStopping, Example, LinearSvcParams, LogisticParams, Model, NaiveBayesParams, NbKind,
    SparseRecords, Spread, TrainParams,
};
use sift_tfidf::TfidfParams;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::sync::OnceLock;

fn records(rel: &str) -> Vec<serde_json::Value> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data").join(rel);
    let f = std::fs::File::open(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    BufReader::new(flate2::read::GzDecoder::new(f))
        .lines()
        .map(|l| serde_json::from_str(&l.unwrap()).unwrap())
        .collect()
}

/// BBC News, every 4th article (557), split 3:1 by position.
fn bbc() -> &'static (Vec<Example>, Vec<Example>) {
    static DATA: OnceLock<(Vec<Example>, Vec<Example>)> = OnceLock::new();
    DATA.get_or_init(|| {
        let all: Vec<Example> = records("bbc-news/all.jsonl.gz")
            .iter()
            .step_by(4)
            .map(|r| Example {
                text: r["text"].as_str().unwrap().into(),
                labels: vec![r["label"].as_str().unwrap().into()],
            })
            .collect();
        let (train, test): (Vec<_>, Vec<_>) =
            all.into_iter().enumerate().partition(|(i, _)| i % 4 != 3);
        (train.into_iter().map(|x| x.1).collect(), test.into_iter().map(|x| x.1).collect())
    })
}

fn dataset(
    examples: &[Example],
    labels: &[String],
) -> (SparseRecords, Array1<usize>, sift_tfidf::TfidfVectorizer) {
    let texts: Vec<&str> = examples.iter().map(|e| e.text.as_str()).collect();
    let (v, x) =
        TfidfParams::new().sublinear_tf(true).check().unwrap().fit_transform(&texts).unwrap();
    let y: Array1<usize> =
        examples.iter().map(|e| labels.binary_search(&e.labels[0]).unwrap()).collect();
    (SparseRecords::new(x), y, v)
}

/// The BBC slice as linfa sees it: labels, the training dataset, the test
/// records and the test classes.
fn bbc_linfa() -> (Vec<String>, DatasetBase<SparseRecords, Array1<usize>>, SparseRecords, Vec<usize>)
{
    let (train_ex, test_ex) = bbc();
    let mut labels: Vec<String> = train_ex.iter().map(|e| e.labels[0].clone()).collect();
    labels.sort();
    labels.dedup();
    let (x, y, v) = dataset(train_ex, &labels);
    let test_texts: Vec<&str> = test_ex.iter().map(|e| e.text.as_str()).collect();
    let xt = SparseRecords::new(v.transform(&test_texts));
    let truth: Vec<usize> =
        test_ex.iter().map(|e| labels.binary_search(&e.labels[0]).unwrap()).collect();
    (labels, DatasetBase::new(x, y), xt, truth)
}

#[test]
fn learners_speak_linfa() {
    let (labels, ds, xt, truth) = bbc_linfa();
    // Unchecked params go through ParamGuard's blanket Fit.
    let svm = LinearSvcParams::new().c(1.0).fit(&ds).unwrap();
    let nb = NaiveBayesParams::new(NbKind::Complement).alpha(0.3).fit(&ds).unwrap();
    let lr = LogisticParams::new().max_iter(60).fit(&ds).unwrap();
    for (name, pred) in [
        ("svm", svm.predict(&xt)),
        ("cnb", nb.predict(&xt)),
        ("logistic", Predict::<&SparseRecords, Array1<usize>>::predict(&lr, &xt)),
    ] {
        let r = metrics::single_label(&labels, &truth, &pred.to_vec());
        assert!(r.accuracy > 0.9, "{name}: accuracy {}", r.accuracy);
    }
    let probs: Array2<f32> = lr.predict(&xt);
    for row in probs.rows() {
        assert!((row.sum() - 1.0).abs() < 1e-4);
    }
    // Invalid parameters are refused by check.
    assert!(LinearSvcParams::new().c(-1.0).fit(&ds).is_err());
    assert!(NaiveBayesParams::new(NbKind::Multinomial).alpha(0.0).fit(&ds).is_err());
}

#[test]
fn early_stopping_changes_the_fit_stays_accurate_and_deterministic() {
    let (labels, ds, xt, truth) = bbc_linfa();
    let es = Some(EarlyStopping { fraction: 0.2, patience: 2, refit: false });
    let in_pool = |n: usize, f: &(dyn Fn() -> Array1<usize> + Sync)| {
        rayon::ThreadPoolBuilder::new().num_threads(n).build().unwrap().install(f)
    };
    let svm_es =
        || LinearSvcParams::new().tol(1e-3).early_stopping(es).fit(&ds).unwrap().predict(&xt);
    let lr_es = || {
        let m = LogisticParams::new().max_iter(200).early_stopping(es).fit(&ds).unwrap();
        Predict::<&SparseRecords, Array1<usize>>::predict(&m, &xt)
    };
    for (name, with_es, without) in [
        ("svm", in_pool(1, &svm_es), {
            LinearSvcParams::new().tol(1e-3).fit(&ds).unwrap().predict(&xt)
        }),
        ("logistic", in_pool(1, &lr_es), {
            let m = LogisticParams::new().max_iter(200).fit(&ds).unwrap();
            Predict::<&SparseRecords, Array1<usize>>::predict(&m, &xt)
        }),
    ] {
        let r = metrics::single_label(&labels, &truth, &with_es.to_vec());
        assert!(r.accuracy > 0.9, "{name} with early stopping: accuracy {}", r.accuracy);
        let r0 = metrics::single_label(&labels, &truth, &without.to_vec());
        assert!(r0.accuracy > 0.9, "{name}: accuracy {}", r0.accuracy);
    }
    // Same predictions whatever the thread count.
    assert_eq!(in_pool(1, &svm_es), in_pool(2, &svm_es));
    assert_eq!(in_pool(1, &lr_es), in_pool(2, &lr_es));
    // Bad settings are refused.
    let bad = Some(EarlyStopping { fraction: 0.9, ..Default::default() });
    assert!(LinearSvcParams::new().early_stopping(bad).fit(&ds).is_err());
    assert!(LogisticParams::new().early_stopping(bad).fit(&ds).is_err());
}

#[test]
fn default_training_is_accurate_deterministic_and_round_trips() {
    let (train_ex, test_ex) = bbc();
    let p = TrainParams { validation: 0.2, ..TrainParams::default() };
    let in_pool = |n: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build()
            .unwrap()
            .install(|| train(&p, train_ex).unwrap())
    };
    let one = in_pool(1);
    let two = in_pool(2);
    let bytes = one.model.to_bytes();
    assert_eq!(
        bytes,
        two.model.to_bytes(),
        "same data and seed: same model bytes, any thread count"
    );
    let (report, unknown) = one.model.evaluate(test_ex).unwrap();
    assert!(unknown.is_empty());
    assert!(report.accuracy > 0.93, "accuracy {}", report.accuracy);
    // The probabilities are scored too: good ones, for an accurate model.
    let pr = report.probabilities.as_ref().unwrap();
    assert!(pr.log_loss > 0.0 && pr.log_loss < 0.5 && pr.brier < 0.15, "{pr:?}");
    assert!(one.model.metadata().validation.as_ref().unwrap().probabilities.is_some());
    assert!(one.model.metadata().cross_validation.as_ref().unwrap().probabilities.is_none());
    // A label the model does not know counts as a miss, even for examples
    // predicted as the model's first label, and gets its own report row.
    let first = &one.model.labels()[0];
    let relabelled: Vec<Example> = test_ex
        .iter()
        .map(|e| Example {
            text: e.text.clone(),
            labels: vec![if &e.labels[0] == first { "zzz".into() } else { e.labels[0].clone() }],
        })
        .collect();
    let moved = test_ex.iter().filter(|e| &e.labels[0] == first).count();
    let (r2, unknown) = one.model.evaluate(&relabelled).unwrap();
    assert_eq!(unknown, ["zzz"]);
    let hits = |r: &metrics::Report| (r.accuracy * r.n as f64).round() as usize;
    let first_hits = report.confusion.as_ref().unwrap().matrix[0][0];
    assert_eq!(hits(&r2), hits(&report) - first_hits);
    let zzz = r2.per_label.last().unwrap();
    assert_eq!((zzz.label.as_str(), zzz.support, zzz.recall), ("zzz", moved, 0.0));
    assert_eq!(r2.per_label[0].support, 0);
    assert_eq!(r2.confusion.as_ref().unwrap().labels.len(), one.model.labels().len() + 1);
    assert!(r2.probabilities.is_none(), "no probability for a label the model lacks");
    let meta = one.model.metadata();
    assert!(meta.cross_validation.as_ref().unwrap().accuracy > 0.9);
    assert!(meta.validation.as_ref().unwrap().n > 50);
    assert!(meta.data_hash.starts_with("fnv1a64w:"));
    // Save, load: identical predictions.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bbc.sift");
    one.model.save(&path).unwrap();
    let back = Model::load(&path).unwrap();
    let texts: Vec<&str> = test_ex.iter().map(|e| e.text.as_str()).collect();
    assert_eq!(back.predict(&texts, None), one.model.predict(&texts, None));
    let again = back.to_bytes();
    let first = again.iter().zip(&bytes).position(|(a, b)| a != b);
    assert!(
        again == bytes,
        "reloaded model bytes differ: lengths {} vs {}, first difference at {first:?}",
        again.len(),
        bytes.len()
    );
    // Explanations: exact contributions, largest first, terms from the text.
    let pred = &one.model.predict(&texts[..1], None)[0];
    let top = one.model.explain(texts[0], pred.labels[0], 5);
    assert!(!top.is_empty() && top.windows(2).all(|w| w[0].weight >= w[1].weight));
    let x = one.model.vectorizer().transform(&texts[..1]);
    let col = one.model.vectorizer().column_of(&top[0].term).unwrap();
    let (cols, vals) = x.row(0);
    let v = vals[cols.iter().position(|&c| c as usize == col).unwrap()];
    assert!(
        (v * one.model.scorer().class_weights(pred.labels[0])[col] - top[0].weight).abs() < 1e-6
    );
}

/// Every single-label learner, through the whole pipeline with its default
/// 3-fold calibration: calibrated naive Bayes was once near chance, because
/// per-class Platt scaling of raw log-likelihoods lost their ranking.
#[test]
fn every_learner_trains_calibrated_models() {
    let (train_ex, test_ex) = bbc();
    for algorithm in [
        Algorithm::Ensemble,
        Algorithm::Svm,
        Algorithm::Logistic,
        Algorithm::ComplementNb,
        Algorithm::MultinomialNb,
    ] {
        let p = TrainParams { algorithm, ..TrainParams::default() };
        let model = train(&p, train_ex).unwrap().model;
        let cv = model.metadata().cross_validation.as_ref().unwrap().accuracy;
        let (report, _) = model.evaluate(test_ex).unwrap();
        assert!(cv > 0.9, "{algorithm:?}: cross-validated accuracy {cv}");
        assert!(report.accuracy > 0.9, "{algorithm:?}: test accuracy {}", report.accuracy);
    }
}

#[test]
fn isotonic_calibration_trains_accurate_models_with_proper_probabilities() {
    let (train_ex, test_ex) = bbc();
    let p = TrainParams { calibration: CalibrationMethod::Isotonic, ..TrainParams::default() };
    let model = train(&p, train_ex).unwrap().model;
    let cal = model.calibration().unwrap();
    assert_eq!(cal.len(), model.labels().len());
    assert!(cal.iter().all(|c| c.method() == CalibrationMethod::Isotonic));
    let (report, _) = model.evaluate(test_ex).unwrap();
    assert!(report.accuracy > 0.9, "test accuracy {}", report.accuracy);
    let texts: Vec<&str> = test_ex.iter().map(|e| e.text.as_str()).collect();
    for pr in model.predict(&texts, None) {
        let sum: f32 = pr.probabilities.iter().sum();
        assert!((sum - 1.0).abs() < 1e-5, "{:?}", pr.probabilities);
        // The chosen label is a most probable one.
        let best = pr.probabilities.iter().cloned().fold(0.0, f32::max);
        assert_eq!(pr.probabilities[pr.labels[0]], best);
    }
    let back = sift_classify::Model::from_bytes(&model.to_bytes(), "iso.sift").unwrap();
    assert_eq!(back.calibration(), model.calibration());
}

/// 18 examples of three labels with nothing to learn from: every text shares
/// one word and otherwise has words of its own, so no feature tells the
/// labels apart (min_df 2 keeps only the shared word).
fn featureless() -> Vec<Example> {
    let labels = ["breach", "spy", "trade"];
    (0..18)
        .map(|i| Example {
            text: format!("report w{i}a w{i}b w{i}c"),
            labels: vec![labels[i % 3].to_string()],
        })
        .collect()
}

/// The cross-validated report is out-of-sample at every step: each fold is
/// calibrated (and, multi-label, thresholded) by the other folds' scores.
/// Calibrating on the scores being reported let a per-label sigmoid learn
/// the held-out labels: on data with nothing to learn from, it reported a
/// perfect score for a model that predicts the same label for everything.
#[test]
fn cross_validation_cannot_learn_the_held_out_labels() {
    let ex = featureless();
    for folds in [3, 5, 18] {
        let p = TrainParams { folds, ..TrainParams::default() };
        let trained = train(&p, &ex).unwrap();
        assert!(
            trained.warnings.iter().any(|w| w.starts_with(
                "only 1 feature left after min_df 2 and max_df 100% over 18 training texts"
            )),
            "{:?}",
            trained.warnings
        );
        let model = trained.model;
        let cv = model.metadata().cross_validation.as_ref().unwrap();
        assert!(cv.accuracy <= 0.34, "{folds} folds: cross-validated accuracy {}", cv.accuracy);
        // The model itself cannot tell the labels apart either.
        let (fit, _) = model.evaluate(&ex).unwrap();
        assert!(fit.accuracy <= 0.34, "{folds} folds: accuracy {}", fit.accuracy);
    }
}

/// `cross_validate` (what `sift eval --folds` prints) trains the whole
/// pipeline once per fold and pools the out-of-fold predictions.
#[test]
fn whole_run_cross_validation() {
    let (train_ex, _) = bbc();
    let p = TrainParams::default();
    let mut calls = Vec::new();
    let cv = cross_validate(&p, train_ex, 4, &mut |step, done, total| {
        calls.push((step.to_string(), done, total))
    })
    .unwrap();
    let steps: Vec<usize> = calls.iter().map(|c| c.1).collect();
    assert_eq!(steps, [0, 1, 2, 3, 4]);
    assert!(calls.iter().all(|c| c.0 == "fold" && c.2 == 4));
    let r = &cv.report;
    assert_eq!(r.n, train_ex.len());
    assert_eq!(r.per_label.iter().map(|l| l.support).sum::<usize>(), train_ex.len());
    assert!(r.accuracy > 0.9, "accuracy {}", r.accuracy);
    let pr = r.probabilities.as_ref().unwrap();
    assert!(pr.log_loss < 0.5 && pr.brier < 0.2, "{pr:?}");
    // The same folds and models whatever the thread count.
    let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
    let again = pool.install(|| cross_validate(&p, train_ex, 4, &mut |_, _, _| {}).unwrap());
    assert_eq!(&again.report, r);
    // Nothing to learn from: no better than chance.
    let blank = featureless();
    let cv = cross_validate(&p, &blank, 3, &mut |_, _, _| {}).unwrap();
    assert!(cv.report.accuracy <= 0.34, "accuracy {}", cv.report.accuracy);
    // ... and probabilities no better than uniform over three labels
    // (log loss ln 3 = 1.0986, Brier 2/3).
    let pr = cv.report.probabilities.as_ref().unwrap();
    assert!(pr.log_loss >= 1.0 && pr.brier >= 0.6, "{pr:?}");
    assert!(cv.warnings.iter().any(|w| w.starts_with("fold 1 of 3: only 1 feature")));
    // Bad requests fail before any training.
    let err = |k: usize, ex: &[Example]| cross_validate(&p, ex, k, &mut |_, _, _| {}).unwrap_err();
    assert!(matches!(err(1, train_ex), sift_classify::Error::Param { name: "folds", .. }));
    assert!(matches!(err(21, train_ex), sift_classify::Error::Param { name: "folds", .. }));
    assert!(err(5, &blank[..3]).to_string().contains("5 folds need at least 5 examples"));
    let mut two = blank.clone();
    two[4].labels.push("trade".into());
    assert!(err(3, &two).to_string().contains("example 5 has 2 labels"));
    let none = TrainParams { multi_label: true, none_label: Some("other".into()), ..p.clone() };
    let e = cross_validate(&none, &blank, 3, &mut |_, _, _| {}).unwrap_err().to_string();
    assert!(e.contains("none label \"other\" is not a label of the data"), "{e}");
}

/// `repeated_cross_validate` (`sift eval --folds K --repeats R`): each
/// repeat is the cross-validation of its own seed, and the report pools them.
#[test]
fn repeated_cross_validation() {
    let (train_ex, _) = bbc();
    // Every other article: all five labels.
    let ex: &[Example] = &train_ex.iter().step_by(2).cloned().collect::<Vec<_>>();
    let p = TrainParams { seed: 7, ..TrainParams::default() };
    let mut calls = Vec::new();
    let cv = repeated_cross_validate(&p, ex, 3, 2, &mut |step, done, total| {
        calls.push((step.to_string(), done, total))
    })
    .unwrap();
    let steps: Vec<usize> = calls.iter().map(|c| c.1).collect();
    assert_eq!(steps, [0, 1, 2, 3, 4, 5, 6]);
    assert!(calls.iter().all(|c| c.0 == "fold" && c.2 == 6));
    assert_eq!(cv.repeats.iter().map(|r| r.seed).collect::<Vec<_>>(), [7, 8]);
    // Each repeat scores as the plain cross-validation of its seed, and the
    // pooled confusion counts are the sum of theirs.
    let r = &cv.report;
    assert_eq!(r.per_label.len(), 5);
    let mut sum = vec![vec![0usize; 5]; 5];
    for rep in &cv.repeats {
        let one = TrainParams { seed: rep.seed, ..p.clone() };
        let alone = cross_validate(&one, ex, 3, &mut |_, _, _| {}).unwrap();
        assert_eq!(alone.repeats.len(), 1);
        assert_eq!(alone.repeats[0], *rep);
        assert_eq!((alone.report.accuracy, alone.report.macro_f1), (rep.accuracy, rep.macro_f1));
        let c = alone.report.confusion.unwrap();
        assert_eq!(c.labels, r.confusion.as_ref().unwrap().labels);
        for (row, add) in sum.iter_mut().zip(&c.matrix) {
            for (x, y) in row.iter_mut().zip(add) {
                *x += y;
            }
        }
    }
    assert_eq!(r.confusion.as_ref().unwrap().matrix, sum);
    assert_eq!(r.n, 2 * ex.len());
    assert_eq!(r.per_label.iter().map(|l| l.support).sum::<usize>(), 2 * ex.len());
    let mean = (cv.repeats[0].accuracy + cv.repeats[1].accuracy) / 2.0;
    assert!((r.accuracy - mean).abs() < 1e-12, "{} against {mean}", r.accuracy);
    let s = cv.spread(|r| r.accuracy).unwrap();
    assert!((s.mean - mean).abs() < 1e-12);
    let lo = cv.repeats[0].accuracy.min(cv.repeats[1].accuracy);
    assert_eq!(s.min, lo);
    assert!(
        (s.sd - (cv.repeats[0].accuracy - cv.repeats[1].accuracy).abs() / 2f64.sqrt()).abs()
            < 1e-12
    );
    // Bad requests fail before any training.
    let err = |r: usize| repeated_cross_validate(&p, ex, 3, r, &mut |_, _, _| {}).unwrap_err();
    for bad in [0, 101] {
        assert!(matches!(err(bad), sift_classify::Error::Param { name: "repeats", .. }));
    }
}

/// The spread of a score over repeats, worked by hand.
#[test]
fn spread_by_hand() {
    let s = Spread::of(&[0.97, 0.99, 0.98, 0.96]).unwrap();
    assert!((s.mean - 0.975).abs() < 1e-12);
    // Squared deviations 0.000025 + 0.000225 + 0.000025 + 0.000225 = 0.0005,
    // over n - 1 = 3.
    assert!((s.sd - (0.0005f64 / 3.0).sqrt()).abs() < 1e-12, "{s:?}");
    assert_eq!((s.min, s.max), (0.96, 0.99));
    assert_eq!(Spread::of(&[0.5]).unwrap().sd, 0.0);
    assert!(Spread::of(&[]).is_none());
}

#[test]
fn multi_label_with_no_label_outcome() {
    // Reuters ModApte train, first 600: topics as labels, many docs with none.
    let ex: Vec<Example> = records("reuters21578-modapte/train.jsonl.gz")
        .iter()
        .take(600)
        .map(|r| Example {
            text: r["text"].as_str().unwrap().into(),
            labels: r["topics"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|t| t.as_str())
                .filter(|t| ["earn", "acq", "trade", "crude"].contains(t))
                .map(String::from)
                .collect(),
        })
        .collect();
    let p = TrainParams { multi_label: true, ..TrainParams::default() };
    let m = train(&p, &ex).unwrap().model;
    assert!(m.is_multi_label());
    let thr = m.thresholds().unwrap();
    assert!(thr.iter().all(|&t| (0.2..=0.8).contains(&t)));
    let cv = m.metadata().cross_validation.as_ref().unwrap();
    assert!(cv.micro_f1 > 0.8, "cv micro-F1 {}", cv.micro_f1);
    let preds = m.predict(&["The weather in the mountains was cold and clear all week."], None);
    assert!(preds[0].labels.is_empty(), "an off-topic text gets no label: {:?}", preds[0]);
}

#[test]
fn bad_training_data_is_refused() {
    let one_label: Vec<Example> =
        (0..5).map(|i| Example { text: format!("text {i}"), labels: vec!["a".into()] }).collect();
    let e = train(&TrainParams::default(), &one_label).unwrap_err();
    assert!(e.to_string().contains("at least two labels"), "{e}");
    let two_labels = vec![Example { text: "x".into(), labels: vec!["a".into(), "b".into()] }];
    assert!(train(&TrainParams::default(), &two_labels)
        .unwrap_err()
        .to_string()
        .contains("exactly one"));
    assert!(train(&TrainParams::default(), &[]).is_err());
    let nb_multi = TrainParams {
        multi_label: true,
        algorithm: Algorithm::ComplementNb,
        ..TrainParams::default()
    };
    assert!(nb_multi.check().is_err());
    // Every SVM parameter is checked, including those no builder call in
    // `check` names (a base model's file may hold any values).
    let mut no_epochs = TrainParams::default();
    no_epochs.svm.max_epochs = 0;
    let e = no_epochs.check().unwrap_err();
    assert!(matches!(e, sift_classify::Error::Param { name: "max_epochs", .. }), "{e:?}");
    let mut low_cap = TrainParams::default();
    low_cap.svm.class_weight = sift_classify::ClassWeight::Balanced { cap: 0.5 };
    let e = low_cap.check().unwrap_err();
    assert!(matches!(e, sift_classify::Error::Param { name: "class_weight", .. }), "{e:?}");
}

fn small_model_bytes() -> &'static Vec<u8> {
    static BYTES: OnceLock<Vec<u8>> = OnceLock::new();
    BYTES.get_or_init(|| {
        let (train_ex, _) = bbc();
        train(&TrainParams { folds: 0, ..TrainParams::default() }, &train_ex[..120])
            .unwrap()
            .model
            .to_bytes()
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    /// Damaged or truncated model bytes give an error, never a panic.
    #[test]
    fn damaged_models_are_errors(cut in any::<prop::sample::Index>(), flip in any::<prop::sample::Index>(), byte in 1u8..=255) {
        let bytes = small_model_bytes();
        let n = cut.index(bytes.len());
        prop_assert!(Model::from_bytes(&bytes[..n], "m").is_err());
        let mut b = bytes.clone();
        let i = flip.index(b.len());
        b[i] ^= byte;
        prop_assert!(Model::from_bytes(&b, "m").is_err());
    }
}
