//! `sift train`: trains a classifier on labelled files and writes one model
//! file. `sift eval`: scores a model on labelled data.

use super::{analyzer_config, parse_df, parse_max_df, parse_range, Tokenizer};
use crate::error::{input, output};
use crate::output::flagged;
use anyhow::Result;
use sift_classify::{
    metrics::Report, train_with_progress, Algorithm, CalibrationMethod, Example, Format,
    ReadOptions, TrainParams,
};
use sift_tfidf::DocFreq;
use std::io::Write;
use std::path::Path;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum FormatArg {
    Jsonl,
    Csv,
    Tsv,
    Fasttext,
    Dir,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum LossArg {
    /// max(0, 1 - y w.x).
    Hinge,
    /// max(0, 1 - y w.x)^2 (the default).
    SquaredHinge,
}

/// `--nb-scaling`: a smoothing value, or off.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct NbScaling(Option<f64>);

fn parse_nb_scaling(s: &str) -> Result<NbScaling, String> {
    if s == "off" {
        return Ok(NbScaling(None));
    }
    match s.parse::<f64>() {
        Ok(a) if a.is_finite() && a > 0.0 => Ok(NbScaling(Some(a))),
        _ => Err(format!("'{s}': expected a positive smoothing such as 0.1, or off")),
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum CalibrationArg {
    /// A sigmoid of each label's score (the default; right for small data).
    Platt,
    /// A non-decreasing step function of each label's score (for labels
    /// with about a thousand examples or more).
    Isotonic,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum AlgorithmArg {
    /// NB-scaled linear SVM + complement naive Bayes (single-label); SVM for multi-label.
    Ensemble,
    Svm,
    Logistic,
    /// Complement naive Bayes.
    Cnb,
    /// Multinomial naive Bayes.
    Mnb,
}

impl From<AlgorithmArg> for Algorithm {
    fn from(a: AlgorithmArg) -> Self {
        match a {
            AlgorithmArg::Ensemble => Algorithm::Ensemble,
            AlgorithmArg::Svm => Algorithm::Svm,
            AlgorithmArg::Logistic => Algorithm::Logistic,
            AlgorithmArg::Cnb => Algorithm::ComplementNb,
            AlgorithmArg::Mnb => Algorithm::MultinomialNb,
        }
    }
}

/// The `--algorithm` value that trains `a` (for `inspect`).
pub fn algorithm_flag(a: Algorithm) -> String {
    use clap::ValueEnum;
    AlgorithmArg::value_variants()
        .iter()
        .find(|v| Algorithm::from(**v) == a)
        .and_then(|v| v.to_possible_value())
        .map_or_else(|| format!("{a:?}"), |v| v.get_name().to_string())
}

/// Where training data comes from (shared by train and eval).
#[derive(Debug, clap::Args)]
pub struct DataArgs {
    /// Labelled data: JSON Lines (default), CSV/TSV with a header, fastText
    /// format, or a folder with one sub-folder per label. Repeatable.
    #[arg(long = "data", value_name = "FILE", required = true)]
    data: Vec<String>,
    /// Field or column with the text.
    #[arg(long, default_value = "text", value_name = "NAME")]
    text_field: String,
    /// Field or column with the label (JSONL also accepts a "labels" list).
    #[arg(long, default_value = "label", value_name = "NAME")]
    label_field: String,
    /// Skip malformed rows (reported as a count and the first few) instead of stopping.
    #[arg(long)]
    skip_bad_rows: bool,
}

impl DataArgs {
    /// Reads every `--data` path; `single_label`: each row must carry
    /// exactly one label.
    pub fn load(
        &self,
        format: Option<FormatArg>,
        single_label: bool,
        quiet: bool,
    ) -> Result<Vec<Example>> {
        let opts = ReadOptions {
            text_field: self.text_field.clone(),
            label_field: self.label_field.clone(),
            skip_bad_rows: self.skip_bad_rows,
            single_label,
        };
        let mut all = Vec::new();
        for path in &self.data {
            let p = Path::new(path);
            if !p.exists() {
                return Err(input(format!("{path}: no such file or folder")));
            }
            let format = match format {
                Some(FormatArg::Jsonl) => Format::Jsonl,
                Some(FormatArg::Csv) => Format::Csv,
                Some(FormatArg::Tsv) => Format::Tsv,
                Some(FormatArg::Fasttext) => Format::FastText,
                Some(FormatArg::Dir) => Format::Dir,
                None => Format::guess(p),
            };
            let loaded = sift_classify::read(p, format, &opts).map_err(|e| input(e.to_string()))?;
            if let (false, Some(first)) = (quiet, loaded.skipped.first()) {
                let n = loaded.skipped.len();
                let what = if format == Format::Dir { "file" } else { "row" };
                eprintln!("{}", super::skipped_warning(n, what, path, first));
            }
            if !loaded.ignored.is_empty() && !quiet {
                let n = loaded.ignored.len();
                eprintln!(
                    "sift: warning: {path}: ignored {n} entr{} (not a .txt file in a label \
                     folder, or a label folder without one), the first: {}",
                    if n == 1 { "y" } else { "ies" },
                    loaded.ignored[0].display()
                );
            }
            if loaded.examples.is_empty() {
                return Err(input(format!("{path}: no examples")));
            }
            all.extend(loaded.examples);
        }
        Ok(all)
    }
}

#[derive(Debug, clap::Args)]
pub struct TrainArgs {
    #[command(flatten)]
    data: DataArgs,
    /// Data format (default: guessed from each path: .csv, .tsv, .ft/.txt, folder, else JSON Lines).
    #[arg(long, value_enum)]
    format: Option<FormatArg>,
    /// Model file to write.
    #[arg(long, value_name = "MODEL")]
    out: String,
    /// Reuse an existing model's settings (tokenizer, features, learner); flags given here still apply.
    #[arg(long, value_name = "MODEL")]
    base: Option<String>,
    /// Learner.
    #[arg(long, value_enum)]
    algorithm: Option<AlgorithmArg>,
    /// Examples may have zero, one or several labels.
    #[arg(long)]
    multi_label: bool,
    /// Hold out this fraction for validation metrics (saved in the model).
    #[arg(long, value_name = "FRACTION")]
    validation: Option<f64>,
    /// Seed for folds, splits and solver order.
    #[arg(long)]
    seed: Option<u64>,
    /// Cross-validation folds for calibration and thresholds (0: none).
    #[arg(long)]
    folds: Option<usize>,
    /// How out-of-fold scores become probabilities.
    #[arg(long, value_enum)]
    calibration: Option<CalibrationArg>,
    /// SVM / logistic regularization: larger C fits the training data more closely.
    #[arg(long)]
    c: Option<f64>,
    /// Word n-grams from MIN to MAX words.
    #[arg(long, value_name = "MIN,MAX", value_parser = parse_range)]
    ngram_range: Option<(usize, usize)>,
    /// Drop terms in fewer documents: a count (2, the default) or a fraction (0.01).
    #[arg(long, value_name = "N|F", value_parser = parse_df)]
    min_df: Option<DocFreq>,
    /// Drop terms in more documents: a count (500) or a fraction (0.9).
    #[arg(long, value_name = "N|F", value_parser = parse_max_df)]
    max_df: Option<DocFreq>,
    /// Keep only the N most frequent terms.
    #[arg(long, value_name = "N")]
    max_features: Option<usize>,
    /// Use 1 + ln(tf) instead of tf (the default).
    #[arg(long, overrides_with = "no_sublinear_tf")]
    sublinear_tf: bool,
    /// Use raw term counts instead of 1 + ln(tf).
    #[arg(long, overrides_with = "sublinear_tf")]
    no_sublinear_tf: bool,
    /// SVM loss.
    #[arg(long, value_enum)]
    loss: Option<LossArg>,
    /// SVM naive-Bayes feature scaling: its smoothing (default 0.1), or
    /// "off" for a plain linear SVM.
    #[arg(long, value_name = "ALPHA|off", value_parser = parse_nb_scaling)]
    nb_scaling: Option<NbScaling>,
    /// Solver stopping tolerance: for the SVM, the gap between projected
    /// gradients (default 0.5; LIBLINEAR's is 0.1, scikit-learn's LinearSVC
    /// passes 1e-4); for logistic regression, the gradient norm (default 1e-5).
    #[arg(long, value_name = "TOL")]
    tol: Option<f64>,
    /// SVM: over-relax each coordinate step by OMEGA, in (0, 2) (1: the
    /// exact step, as LIBLINEAR). Default: 1.4 at tolerances up to 0.1,
    /// where it cuts the passes needed by about 30%, 1 above.
    #[arg(long, value_name = "OMEGA")]
    relaxation: Option<f64>,
    /// Tokenizer (default: sift's, with English stemming).
    #[arg(long, value_enum)]
    tokenizer: Option<Tokenizer>,
    /// Stemming language, or "none".
    #[arg(long, value_name = "LANG")]
    stem: Option<String>,
    /// Weight rare labels' examples more (SVM).
    #[arg(long)]
    balanced: bool,
    /// SVM / logistic: hold out FRACTION of the training rows (default 0.1),
    /// stop when their loss stops improving, keep the best pass's weights.
    #[arg(long, value_name = "FRACTION", num_args = 0..=1, default_missing_value = "0.1")]
    early_stopping: Option<f64>,
    /// With --early-stopping: passes (SVM epochs, L-BFGS iterations)
    /// without improvement before stopping (default 10).
    #[arg(long, value_name = "N", requires = "early_stopping")]
    patience: Option<usize>,
    /// With --early-stopping: train again on all rows for as many passes as
    /// the best one took, instead of keeping the best pass's weights.
    #[arg(long, requires = "early_stopping")]
    refit: bool,
    /// With --multi-label: the label meaning "none of the others" (such as
    /// other), dropped whenever another label is chosen.
    #[arg(long, value_name = "LABEL", requires = "multi_label")]
    none_label: Option<String>,
}

/// A spinner on stderr showing each step of a library's progress reports
/// ("cross-validate 2/3", "fold 2/5"), cleared when step `last` completes.
pub fn progress_bar(quiet: bool, last: &'static str) -> impl FnMut(&str, usize, usize) {
    let bar = if quiet {
        indicatif::ProgressBar::hidden()
    } else {
        indicatif::ProgressBar::with_draw_target(None, indicatif::ProgressDrawTarget::stderr())
    };
    bar.set_style(
        indicatif::ProgressStyle::with_template("{spinner} {msg} [{elapsed}]")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
    );
    move |step: &str, done: usize, total: usize| {
        if total > 1 {
            bar.set_message(format!("{step} {}/{total}", done + 1));
        } else if done < total {
            bar.set_message(step.to_string());
        }
        bar.tick();
        if step == last && done == total {
            bar.finish_and_clear();
        }
    }
}

pub fn train(a: TrainArgs, quiet: bool, out: &mut dyn Write) -> Result<()> {
    let mut params = match &a.base {
        Some(path) => crate::models::load(Some(path))?.metadata().params.clone(),
        None => TrainParams::default(),
    };
    if let Some(alg) = a.algorithm {
        params.algorithm = alg.into();
    }
    if a.multi_label {
        params.multi_label = true;
    }
    if let Some(v) = a.validation {
        params.validation = v;
    }
    if let Some(s) = a.seed {
        params.seed = s;
        params.svm.seed = s;
        params.logistic.seed = s;
    }
    if let Some(fraction) = a.early_stopping {
        let default = sift_classify::EarlyStopping::default();
        let es = sift_classify::EarlyStopping {
            fraction,
            patience: a.patience.unwrap_or(default.patience),
            refit: a.refit,
        };
        params.svm.early_stopping = Some(es);
        params.logistic.early_stopping = Some(es);
    }
    if let Some(f) = a.folds {
        params.folds = f;
    }
    if let Some(c) = a.calibration {
        params.calibration = match c {
            CalibrationArg::Platt => CalibrationMethod::Platt,
            CalibrationArg::Isotonic => CalibrationMethod::Isotonic,
        };
    }
    if let Some(c) = a.c {
        params.svm.c = c;
        params.logistic.c = c;
    }
    if let Some(l) = &a.none_label {
        params.none_label = Some(l.clone());
    }
    if a.balanced {
        params.svm.class_weight = sift_classify::ClassWeight::Balanced { cap: 10.0 };
    }
    if a.tokenizer.is_some() || a.stem.is_some() || a.ngram_range.is_some() {
        let tok = a.tokenizer.unwrap_or(Tokenizer::Default);
        let stem = match a.stem.as_deref() {
            Some("none") => None,
            Some(l) => Some(l),
            None if a.tokenizer.is_none() => Some("english"),
            None => None,
        };
        let ng = a.ngram_range.or(Some(params.vectorizer.analyzer.ngram_range));
        params.vectorizer.analyzer = analyzer_config(tok, stem, ng)?;
    }
    if let Some(d) = a.min_df {
        params.vectorizer.min_df = d;
    }
    if let Some(d) = a.max_df {
        params.vectorizer.max_df = d;
    }
    if a.max_features.is_some() {
        params.vectorizer.max_features = a.max_features;
    }
    if a.sublinear_tf || a.no_sublinear_tf {
        params.vectorizer.sublinear_tf = a.sublinear_tf;
    }
    if let Some(l) = a.loss {
        params.svm.loss = match l {
            LossArg::Hinge => sift_classify::SvmLoss::Hinge,
            LossArg::SquaredHinge => sift_classify::SvmLoss::SquaredHinge,
        };
    }
    if let Some(NbScaling(alpha)) = a.nb_scaling {
        params.svm.nb_alpha = alpha;
    }
    if let Some(t) = a.tol {
        params.svm.tol = t;
        params.logistic.tol = t;
    }
    if a.relaxation.is_some() {
        params.svm.relaxation = a.relaxation;
    }
    params.check().map_err(super::classify_usage)?;
    if a.calibration.is_some() && params.folds == 0 {
        return Err(crate::error::usage(
            "--calibration fits on cross-validation folds, and --folds is 0 (probabilities are \
             then a softmax or sigmoid of the scores): give --folds 2 or more, or drop \
             --calibration",
        ));
    }
    // --base may be --out (retrain a model in place); the data may not.
    crate::output::check_outputs(&[("--out", &a.out)], &flagged("--data", &a.data.data))?;
    let examples = a.data.load(a.format, !params.multi_label, quiet)?;
    // A none label inherited from --base (the theme model's "other") that
    // this data lacks would stop training with no flag to undo it.
    if let (None, Some(l)) = (&a.none_label, &params.none_label) {
        if !has_label(&examples, l) {
            if !quiet {
                eprintln!(
                    "sift: warning: the base model's none label \"{l}\" is not a label of the \
                     data: training without one (--none-label LABEL names one of yours)"
                );
            }
            params.none_label = None;
        }
    }
    let trained = train_with_progress(&params, &examples, &mut progress_bar(quiet, "fit"))
        .map_err(super::train_error)?;
    for w in &trained.warnings {
        if !quiet {
            eprintln!("sift: warning: {w}");
        }
    }
    trained.model.save(Path::new(&a.out)).map_err(|e| output(e.to_string()))?;
    let m = &trained.model;
    writeln!(
        out,
        "trained {} on {} examples, {} labels, {} feature{} -> {}",
        if m.is_multi_label() { "a multi-label model" } else { "a model" },
        m.metadata().n_examples,
        m.labels().len(),
        m.vectorizer().n_features(),
        if m.vectorizer().n_features() == 1 { "" } else { "s" },
        a.out
    )?;
    if let Some(r) = &m.metadata().cross_validation {
        writeln!(
            out,
            "cross-validated ({} folds): accuracy {:.4}  micro-F1 {:.4}  macro-F1 {:.4}",
            params.folds, r.accuracy, r.micro_f1, r.macro_f1
        )?;
    }
    if let Some(r) = &m.metadata().validation {
        writeln!(
            out,
            "validation ({} examples): accuracy {:.4}  micro-F1 {:.4}  macro-F1 {:.4}",
            r.n, r.accuracy, r.micro_f1, r.macro_f1
        )?;
    }
    Ok(())
}

#[derive(Debug, clap::Args)]
pub struct EvalArgs {
    /// Model file (default: the theme model built into sift).
    #[arg(long, value_name = "MODEL")]
    model: Option<String>,
    #[command(flatten)]
    data: DataArgs,
    /// Data format (default: guessed from each path).
    #[arg(long, value_enum)]
    data_format: Option<FormatArg>,
    /// Cross-validate the model's training settings on the data instead of
    /// scoring the model itself: each of K folds (2 to 20) is predicted by a
    /// model trained from scratch on the others (K trainings).
    #[arg(long, value_name = "K")]
    folds: Option<usize>,
    /// Repeat the cross-validation R times (1 to 100) with seeds S, S+1, ...
    /// (S: the model's seed), each drawing other folds: the figures pool the
    /// repeats, and the spread of each score over them is shown.
    #[arg(long, value_name = "R", requires = "folds")]
    repeats: Option<usize>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = crate::Format::Text)]
    format: crate::Format,
    /// Also write a self-contained HTML report (confusion heat map, per-label bars).
    #[arg(long, value_name = "FILE")]
    report: Option<String>,
    /// Also list N misclassified examples (their number in the data, true
    /// and predicted labels, and the start of the text): the first N, or
    /// with --folds those most often wrong out of fold first.
    #[arg(long, value_name = "N")]
    errors: Option<usize>,
}

/// A misclassified example, as `eval --errors` lists it.
#[derive(Debug, serde::Serialize)]
struct Miss {
    /// 1-based position in the data (files in the order given).
    example: usize,
    truth: Vec<String>,
    predicted: Vec<String>,
    /// The model's probability of each predicted label.
    probabilities: Vec<f32>,
    /// With --folds: in how many repeats the example was predicted wrong
    /// (`predicted` is its first wrong prediction).
    #[serde(skip_serializing_if = "Option::is_none")]
    wrong_in: Option<usize>,
    /// The text's first 100 characters, runs of white space as one space.
    text: String,
}

/// A prediction: labels and the probability of each.
type Predicted = (Vec<String>, Vec<f32>);

/// The examples whose predicted labels differ from their own (in any of
/// the predictions `predicted(i)` gives for example `i`: one per repeat),
/// and how many there are. Without repeats (`repeats` None), the first `n`
/// in data order; with them, the `n` wrong in most repeats first (then in
/// data order).
fn misses(
    examples: &[Example],
    n: usize,
    repeats: Option<usize>,
    predicted: &dyn Fn(usize) -> Vec<Predicted>,
) -> (Vec<Miss>, usize) {
    let mut found = Vec::new();
    for (i, e) in examples.iter().enumerate() {
        let mut truth: Vec<&str> = e.labels.iter().map(String::as_str).collect();
        truth.sort_unstable();
        truth.dedup();
        let wrong: Vec<Predicted> = predicted(i)
            .into_iter()
            .filter(|(labels, _)| {
                let mut p: Vec<&str> = labels.iter().map(String::as_str).collect();
                p.sort_unstable();
                p != truth
            })
            .collect();
        let Some((labels, probabilities)) = wrong.first().cloned() else { continue };
        let words: Vec<&str> = e.text.split_whitespace().collect();
        found.push(Miss {
            example: i + 1,
            truth: e.labels.clone(),
            predicted: labels,
            probabilities,
            wrong_in: repeats.map(|_| wrong.len()),
            text: words.join(" ").chars().take(100).collect(),
        });
    }
    let total = found.len();
    // Stable: equal counts stay in data order.
    found.sort_by_key(|m| std::cmp::Reverse(m.wrong_in));
    found.truncate(n);
    (found, total)
}

/// What the model predicts for each example, for [`misses`].
fn model_predictions(m: &sift_classify::Model, examples: &[Example]) -> Vec<Predicted> {
    let texts: Vec<&str> = examples.iter().map(|e| e.text.as_str()).collect();
    m.predict(&texts, None)
        .into_iter()
        .map(|p| {
            let labels = p.labels.iter().map(|&l| m.labels()[l].clone()).collect();
            (labels, p.labels.iter().map(|&l| p.probabilities[l]).collect())
        })
        .collect()
}

/// Example `i`'s out-of-fold prediction in each repeat, for [`misses`].
fn held_out_predictions(cv: &sift_classify::CrossValidation, i: usize) -> Vec<Predicted> {
    cv.held_out
        .iter()
        .map(|repeat| {
            let h = &repeat[i];
            let labels = h.labels.iter().map(|&l| cv.labels[l].clone()).collect();
            (labels, h.labels.iter().map(|&l| h.probabilities[l]).collect())
        })
        .collect()
}

pub fn eval(a: EvalArgs, quiet: bool, out: &mut dyn Write) -> Result<()> {
    let m = crate::models::load(a.model.as_deref())?;
    // Cross-validation retrains with the model's settings on K folds:
    // refuse a bad K before reading the data.
    let cv_params = match a.folds {
        Some(k) => {
            sift_classify::check_folds(k).map_err(super::classify_usage)?;
            sift_classify::check_repeats(a.repeats.unwrap_or(1)).map_err(super::classify_usage)?;
            let params = m.metadata().params.clone();
            params.check().map_err(super::classify_usage)?;
            Some((k, params))
        }
        None => None,
    };
    if let Some(path) = &a.report {
        let mut inputs = flagged("--data", &a.data.data);
        inputs.extend(a.model.as_deref().map(|m| ("--model", m)));
        crate::output::check_outputs(&[("--report", path)], &inputs)?;
    }
    let examples = a.data.load(a.data_format, !m.is_multi_label(), quiet)?;
    let mut repeats = None;
    let mut errors = None;
    let report = match cv_params {
        None => {
            let (report, unknown) = m.evaluate(&examples).map_err(|e| input(e.to_string()))?;
            if !unknown.is_empty() && !quiet {
                eprintln!(
                    "sift: warning: labels the model does not know (counted as misses): {}",
                    unknown.join(", ")
                );
            }
            if let Some(n) = a.errors {
                let predicted = model_predictions(&m, &examples);
                errors = Some(misses(&examples, n, None, &|i| vec![predicted[i].clone()]));
            }
            report
        }
        Some((k, params)) => {
            if let Some(l) = &params.none_label {
                if !has_label(&examples, l) {
                    return Err(input(format!(
                        "--folds retrains {}'s settings, whose none label \"{l}\" is not a \
                         label of the data: add it to the data, or train a model on the data \
                         (sift train) and cross-validate that one",
                        crate::models::name(a.model.as_deref())
                    )));
                }
            }
            let mut bar = progress_bar(quiet, "fold");
            let r = a.repeats.unwrap_or(1);
            let cv = sift_classify::repeated_cross_validate(&params, &examples, k, r, &mut bar)
                .map_err(super::train_error)?;
            if !quiet {
                for w in &cv.warnings {
                    eprintln!("sift: warning: {w}");
                }
            }
            if a.repeats.is_some() {
                repeats = Some(Repeats::of(&cv, k));
            }
            if let Some(n) = a.errors {
                errors = Some(misses(&examples, n, Some(r), &|i| held_out_predictions(&cv, i)));
            }
            cv.report
        }
    };
    if let Some(path) = &a.report {
        let page =
            crate::report::html(&report, crate::models::name(a.model.as_deref()), &a.data.data);
        crate::output::write_atomic(path, |w| w.write_all(page.as_bytes()))?;
    }
    match a.format {
        crate::Format::Json => {
            let mut v = serde_json::to_value(&report)?;
            if let Some(o) = v.as_object_mut() {
                if let Some(rep) = &repeats {
                    o.insert("repeats".into(), serde_json::to_value(rep)?);
                }
                if let Some((found, total)) = &errors {
                    o.insert("misclassified".into(), serde_json::json!(total));
                    o.insert("errors".into(), serde_json::to_value(found)?);
                }
            }
            writeln!(out, "{}", serde_json::to_string_pretty(&v)?)?;
        }
        crate::Format::Text => {
            if let Some(rep) = &repeats {
                write_spread(rep, out)?;
            }
            write_report(&report, a.format, out)?;
            if let Some((found, total)) = &errors {
                write_misses(found, *total, examples.len(), a.folds.map(|_| a.repeats), out)?;
            }
        }
    }
    Ok(())
}

/// The text listing of `eval --errors`. `cv` is `Some(repeats)` for
/// out-of-fold predictions (`repeats` None when not asked for).
fn write_misses(
    found: &[Miss],
    total: usize,
    n: usize,
    cv: Option<Option<usize>>,
    out: &mut dyn Write,
) -> Result<()> {
    let shown = found.len();
    match cv {
        None => writeln!(
            out,
            "\nmisclassified: {total} of {n} (the first {shown}, numbered from 1 in the data)"
        )?,
        Some(None) => writeln!(
            out,
            "\nmisclassified out of fold: {total} of {n} (the first {shown}, numbered from 1 in \
             the data)"
        )?,
        Some(Some(r)) => writeln!(
            out,
            "\nmisclassified out of fold in at least one of {r} repeats: {total} of {n} ({shown} \
             shown, those wrong in most repeats first, numbered from 1 in the data)"
        )?,
    }
    let labels = |v: &[String]| if v.is_empty() { "(none)".to_string() } else { v.join(",") };
    for e in found {
        let p: Vec<String> = e.probabilities.iter().map(|p| format!("{p:.2}")).collect();
        let times = match (cv, e.wrong_in) {
            (Some(Some(r)), Some(w)) => format!("  wrong in {w} of {r}"),
            _ => String::new(),
        };
        writeln!(
            out,
            "  #{:<6} true {:<14} predicted {} ({}){times}\n          {}",
            e.example,
            labels(&e.truth),
            labels(&e.predicted),
            p.join(", "),
            e.text
        )?;
    }
    Ok(())
}

/// What `eval --folds K --repeats R` adds to its report: each repeat's
/// scores and their spread.
#[derive(Debug, serde::Serialize)]
struct Repeats {
    folds: usize,
    /// Each repeat: its seed and scores.
    runs: Vec<sift_classify::RepeatScores>,
    /// Mean, standard deviation, lowest and highest over the repeats.
    spread: SpreadOf,
}

#[derive(Debug, serde::Serialize)]
struct SpreadOf {
    accuracy: sift_classify::Spread,
    micro_f1: sift_classify::Spread,
    macro_f1: sift_classify::Spread,
}

impl Repeats {
    fn of(cv: &sift_classify::CrossValidation, folds: usize) -> Repeats {
        let zero = sift_classify::Spread { mean: 0.0, sd: 0.0, min: 0.0, max: 0.0 };
        let spread = |f: fn(&sift_classify::RepeatScores) -> f64| cv.spread(f).unwrap_or(zero);
        Repeats {
            folds,
            runs: cv.repeats.clone(),
            spread: SpreadOf {
                accuracy: spread(|r| r.accuracy),
                micro_f1: spread(|r| r.micro_f1),
                macro_f1: spread(|r| r.macro_f1),
            },
        }
    }
}

/// The header of a repeated cross-validation's text report: what is
/// pooled, and how each score varies over the repeats.
fn write_spread(rep: &Repeats, out: &mut dyn Write) -> Result<()> {
    let n = rep.runs.len();
    let (first, last) =
        (rep.runs.first().map_or(0, |s| s.seed), rep.runs.last().map_or(0, |s| s.seed));
    let (repeats, seeds) = if n == 1 {
        ("1 repeat".to_string(), format!("seed {first}"))
    } else {
        (format!("{n} repeats"), format!("seeds {first} to {last}"))
    };
    writeln!(out, "{repeats} of {}-fold cross-validation ({seeds}); over the repeats:", rep.folds)?;
    for (name, s) in [
        ("accuracy", rep.spread.accuracy),
        ("micro-F1", rep.spread.micro_f1),
        ("macro-F1", rep.spread.macro_f1),
    ] {
        writeln!(
            out,
            "  {name:<9} mean {:.4}  sd {:.4}  lowest {:.4}  highest {:.4}",
            s.mean, s.sd, s.min, s.max
        )?;
    }
    writeln!(out, "pooled ({n} prediction{} of each example):", if n == 1 { "" } else { "s" })?;
    Ok(())
}

/// Whether any example carries label `l`.
fn has_label(examples: &[Example], l: &str) -> bool {
    examples.iter().any(|e| e.labels.iter().any(|x| x == l))
}

pub fn write_report(r: &Report, format: crate::Format, out: &mut dyn Write) -> Result<()> {
    match format {
        crate::Format::Json => {
            writeln!(out, "{}", serde_json::to_string_pretty(r)?)?;
        }
        crate::Format::Text => {
            writeln!(
                out,
                "examples {}   accuracy {:.4}   micro-F1 {:.4}   macro-F1 {:.4}",
                r.n, r.accuracy, r.micro_f1, r.macro_f1
            )?;
            if let Some(p) = &r.probabilities {
                writeln!(
                    out,
                    "probabilities of the true label: log loss {:.4}   Brier {:.4}",
                    p.log_loss, p.brier
                )?;
            }
            writeln!(out)?;
            let w = r.per_label.iter().map(|l| l.label.chars().count()).max().unwrap_or(5).max(5);
            writeln!(
                out,
                "{:<w$}  {:>9}  {:>6}  {:>6}  {:>7}",
                "label", "precision", "recall", "F1", "support"
            )?;
            for l in &r.per_label {
                writeln!(
                    out,
                    "{:<w$}  {:>9.4}  {:>6.4}  {:>6.4}  {:>7}",
                    l.label, l.precision, l.recall, l.f1, l.support
                )?;
            }
            if let Some(c) = &r.confusion {
                // Columns are numbered as the rows; cells widen for large
                // counts so that they never run together.
                let w = c.labels.iter().map(|l| l.chars().count()).max().unwrap_or(5).max(w);
                let widest = c.matrix.iter().flatten().max().copied().unwrap_or(0);
                let cw =
                    (widest.to_string().len().max(c.labels.len().to_string().len()) + 2).max(5);
                let nw = c.labels.len().to_string().len();
                writeln!(
                    out,
                    "\nconfusion (rows: true, columns: predicted, numbered as the rows)"
                )?;
                let heads: Vec<String> =
                    (1..=c.labels.len()).map(|j| format!("{j:>cw$}")).collect();
                writeln!(out, "{:nw$} {:<w$}{}", "", "", heads.join(""))?;
                for (i, (label, row)) in c.labels.iter().zip(&c.matrix).enumerate() {
                    let cells: Vec<String> = row.iter().map(|n| format!("{n:>cw$}")).collect();
                    writeln!(out, "{:>nw$} {label:<w$}{}", i + 1, cells.join(""))?;
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{algorithm_flag, AlgorithmArg};
    use clap::ValueEnum;
    use sift_classify::Algorithm;

    #[test]
    fn confusion_columns_are_numbered_and_large_counts_stay_apart() {
        let labels = vec!["a".to_string(), "b".to_string()];
        let mut truth = vec![0usize; 123_456];
        truth.extend([1, 1]);
        let mut pred = truth.clone();
        pred[0] = 1;
        let r = sift_classify::metrics::single_label(&labels, &truth, &pred);
        let mut out = Vec::new();
        super::write_report(&r, crate::Format::Text, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let table: Vec<&str> = text.lines().skip_while(|l| !l.starts_with("confusion")).collect();
        assert_eq!(table[1].split_whitespace().collect::<Vec<_>>(), ["1", "2"], "{text}");
        assert_eq!(table[2].split_whitespace().collect::<Vec<_>>(), ["1", "a", "123455", "1"]);
        assert_eq!(table[3].split_whitespace().collect::<Vec<_>>(), ["2", "b", "0", "2"]);
        // Every column's numbers end where its heading ends.
        let ends = |l: &str, n: &str| l.rfind(n).map(|i| i + n.len());
        assert_eq!(ends(table[1], "2"), ends(table[2], " 1"));
        assert_eq!(ends(table[1], "2"), ends(table[3], " 2"));
    }

    #[test]
    fn every_algorithm_names_the_flag_value_that_trains_it() {
        for v in AlgorithmArg::value_variants() {
            let name = algorithm_flag(Algorithm::from(*v));
            assert_eq!(AlgorithmArg::from_str(&name, false), Ok(*v), "{name}");
        }
        assert_eq!(algorithm_flag(Algorithm::ComplementNb), "cnb");
    }
}
