//! # sift-classify
//!
//! Sparse linear classifiers for TF-IDF features, speaking linfa's
//! language: parameters are `ParamGuard`s, learners implement `Fit` on
//! `DatasetBase<SparseRecords, _>`, fitted models implement `PredictInplace`.
//!
//! * [`LinearSvcParams`]: linear SVM by dual coordinate descent (LIBLINEAR's
//!   algorithm), hinge or squared hinge, class weights, optional naive-Bayes
//!   feature scaling; one-vs-rest, the classes trained in groups of four
//!   that share each pass over the data, the groups in parallel.
//! * [`LogisticParams`]: multinomial logistic regression (L-BFGS).
//! * [`NaiveBayesParams`]: multinomial and complement naive Bayes.
//! * [`train`] runs a whole training (vectorize, fit, calibrate and tune
//!   thresholds on cross-validation folds) and returns a [`Model`]: one file
//!   with everything needed to reproduce predictions.
//! * [`cross_validate`] scores a whole training run on K folds, each
//!   predicted by a model trained from scratch on the others;
//!   [`repeated_cross_validate`] repeats it with other seeds and reports
//!   the spread.
//! * [`Model::label_articles`] labels articles paragraph by paragraph, with
//!   the terms that drove each decision.
//! * Readers for JSON Lines, CSV/TSV, fastText format and folders ([`read`]).
//! * [`metrics`]: accuracy, micro / macro F1, per-label scores, confusion
//!   matrix, stratified folds.
//!
//! linfa's own estimators take dense input only; these take CSR rows, so a
//! 130,000-feature corpus never becomes a dense matrix.
#![deny(missing_docs)]
#![warn(clippy::unwrap_used)]
#![cfg_attr(test, allow(clippy::unwrap_used))]

mod bayes;
pub mod calibration;
mod cv;
mod data;
mod early;
mod error;
mod floats;
mod label;
mod linear;
mod logistic;
pub mod metrics;
mod model;
mod records;
mod rng;
mod svm;
#[cfg(test)]
mod testdata;
mod train;

pub use bayes::{NaiveBayes, NaiveBayesParams, NaiveBayesValidParams, NbKind};
pub use calibration::{CalibrationMethod, Calibrator, Isotonic, Platt};
pub use cv::{
    check_folds, check_repeats, cross_validate, repeated_cross_validate, CrossValidation, HeldOut,
    RepeatScores, Spread, MAX_REPEATS,
};
pub use data::{
    read, read_delimited, read_dir, read_fasttext, read_jsonl_from, Example, Format, Loaded,
    ReadOptions,
};
pub use early::EarlyStopping;
pub use error::{Error, Result};
pub use label::{
    LabelOptions, LabelledArticle, LabelledParagraph, TermContribution, ARTICLE_SHARE,
};
pub use linear::{argmax, LinearModel};
pub use logistic::{Logistic, LogisticParams, LogisticValidParams};
pub use model::{Contribution, Metadata, Model, Prediction, FORMAT_VERSION, MAGIC};
pub use records::SparseRecords;
pub use rng::Rng;
pub use svm::{
    ClassWeight, LinearSvc, LinearSvcParams, LinearSvcValidParams, SvmLoss, AUTO_RELAXATION,
    AUTO_RELAXATION_TOL,
};
pub use train::{train, train_with_progress, Algorithm, TrainParams, Trained, MAX_FOLDS};
