//! sift's model file: a trained classifier with everything needed to
//! reproduce its predictions, and the predictions themselves.
//!
//! File layout: the [`sift_tfidf::container`] (magic `SIFTMODL`, format
//! version, length, CRC-32), holding a postcard-encoded state: labels, the
//! vectorizer (its own versioned bytes: tokenizer settings, vocabulary,
//! IDF), the linear scorer (since format 2: its weights as one byte string
//! of little-endian `f32`s; format 1 wrote a sequence of `f32`s), the
//! per-label calibration (since format 3: Platt or isotonic, tagged;
//! formats 1 and 2 hold Platt sigmoids only), per-label thresholds, and
//! training metadata as JSON (data hash, seed, parameters, cross-validated
//! and validation metrics, sift version). No timestamp: the same data and
//! seed give the same bytes. Loading checks the checksum before decoding
//! and every shape after, so a damaged file is an error, never a panic.

use crate::calibration::{softmax_in_place, Calibrator, Platt};
use crate::error::{Error, Result};
use crate::floats::{map_file, read_file, MAP_AT};
use crate::linear::{argmax, floats_le, LinearModel, LinearModelV1, RawLinearModel};
use crate::metrics::{self, Report};
use crate::train::TrainParams;
use serde::{Deserialize, Serialize};
use sift_tfidf::{container, TfidfVectorizer};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

/// Magic number of a model file.
pub const MAGIC: &[u8; 8] = b"SIFTMODL";
/// Current model format version. Format 4 starts the payload with 0-3
/// padding bytes (their count first) that put the weights on a multiple of
/// 4 in the file, so that a mapped file's weights are `f32`s where they lie
/// ([`Model::load_mapped`]); format 3 tags each label's calibration (Platt
/// or isotonic); format 2 stores the weights as one byte string (format 1:
/// a sequence of `f32`s). Formats 1-3 are still read.
pub const FORMAT_VERSION: u32 = 4;

/// Where a model came from and how good it was.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Metadata {
    /// sift version that trained it.
    pub sift_version: String,
    /// Fingerprint of the training texts and labels.
    pub data_hash: String,
    /// Examples given.
    pub n_examples: usize,
    /// Examples trained on (the rest was the validation split).
    pub n_train: usize,
    /// Examples per label.
    pub label_counts: BTreeMap<String, usize>,
    /// The training parameters (seed included).
    pub params: TrainParams,
    /// Metrics of out-of-fold predictions on the training data.
    pub cross_validation: Option<Report>,
    /// Metrics on the validation split, when one was held out.
    pub validation: Option<Report>,
}

/// A trained text classifier.
#[derive(Debug)]
pub struct Model {
    labels: Vec<String>,
    multi_label: bool,
    vectorizer: TfidfVectorizer,
    scorer: LinearModel,
    calibration: Option<Vec<Calibrator>>,
    thresholds: Option<Vec<f32>>,
    metadata: Metadata,
    /// The format of the file it was read from ([`FORMAT_VERSION`] when
    /// trained).
    format: u32,
}

/// The prediction for one text.
#[derive(Clone, Debug, PartialEq)]
pub struct Prediction {
    /// Probability of each label (summing to 1 for single-label models).
    pub probabilities: Vec<f32>,
    /// Raw scores of each label.
    pub scores: Vec<f32>,
    /// The chosen labels: one for single-label models; for multi-label
    /// models every label at or above its threshold, possibly none.
    pub labels: Vec<usize>,
}

impl Prediction {
    /// The most probable of the chosen labels, or the most probable label
    /// when none is chosen: the text's top theme.
    pub fn top(&self) -> usize {
        self.labels
            .iter()
            .copied()
            .max_by(|&a, &b| {
                self.probabilities[a].total_cmp(&self.probabilities[b]).then(b.cmp(&a))
            })
            .unwrap_or_else(|| argmax(&self.probabilities))
    }
}

/// The single label with the highest probability; among equal
/// probabilities (isotonic calibration is flat in places, and can give
/// several labels 1 or 0), the one with the highest score, then the first.
pub(crate) fn most_probable(probabilities: &[f32], scores: &[f32]) -> usize {
    let mut best = 0;
    for c in 1..probabilities.len() {
        let (p, b) = (probabilities[c], probabilities[best]);
        if p > b || (p == b && scores.get(c) > scores.get(best)) {
            best = c;
        }
    }
    best
}

/// Applies the "none of the others" label `none` to the labels `chosen` by
/// their thresholds: it is the answer when no other label is chosen, or when
/// it is chosen and more probable than every other chosen label; otherwise
/// it is dropped.
pub(crate) fn without_none(
    mut chosen: Vec<usize>,
    none: Option<usize>,
    probabilities: &[f32],
) -> Vec<usize> {
    let Some(n) = none else { return chosen };
    let none_chosen = chosen.contains(&n);
    chosen.retain(|&c| c != n);
    let best = chosen.iter().map(|&c| probabilities[c]).fold(f32::NEG_INFINITY, f32::max);
    if chosen.is_empty() || (none_chosen && probabilities[n] > best) {
        vec![n]
    } else {
        chosen
    }
}

/// How much one term pushed a label's score.
#[derive(Clone, Debug, PartialEq)]
pub struct Contribution {
    /// The term (n-grams joined by a space).
    pub term: String,
    /// Its TF-IDF value in the text times the label's weight for it.
    pub weight: f32,
}

/// The model file's payload (postcard). The vectorizer's bytes are
/// borrowed from the file when reading: postcard writes a byte slice and a
/// byte string alike (length, then the bytes), so they are not decoded one
/// byte at a time. `S` and `C` are the scorer's and the calibration's
/// types in older formats.
#[derive(Serialize, Deserialize)]
struct State<'a, S = LinearModel, C = Calibrator> {
    labels: Vec<String>,
    multi_label: bool,
    #[serde(borrow)]
    vectorizer: Cow<'a, [u8]>,
    scorer: S,
    calibration: Option<Vec<C>>,
    thresholds: Option<Vec<f32>>,
    metadata: String,
}

impl<'a, S> State<'a, S, Platt> {
    /// An older format's state in the current types.
    fn upgrade<T: From<S>>(self) -> State<'a, T> {
        State {
            labels: self.labels,
            multi_label: self.multi_label,
            vectorizer: self.vectorizer,
            scorer: self.scorer.into(),
            calibration: self.calibration.map(|v| v.into_iter().map(Calibrator::Platt).collect()),
            thresholds: self.thresholds,
            metadata: self.metadata,
        }
    }
}

/// A decoded payload: whole (format 1), or with the weights still bytes.
enum Decoded<'b> {
    Whole(Model),
    Raw(Model, RawLinearModel<'b>),
}

fn model_err(path: &str, message: impl Into<String>) -> Error {
    Error::Model { path: path.to_string(), message: message.into() }
}

impl Model {
    pub(crate) fn assemble(
        labels: Vec<String>,
        multi_label: bool,
        vectorizer: TfidfVectorizer,
        scorer: LinearModel,
        calibration: Option<Vec<Calibrator>>,
        thresholds: Option<Vec<f32>>,
        metadata: Metadata,
    ) -> Result<Model> {
        let m = Model {
            labels,
            multi_label,
            vectorizer,
            scorer,
            calibration,
            thresholds,
            metadata,
            format: FORMAT_VERSION,
        };
        m.check("<model>")?;
        Ok(m)
    }

    fn check(&self, path: &str) -> Result<()> {
        let k = self.labels.len();
        if k == 0 || self.scorer.n_classes() != k || !self.scorer.is_consistent() {
            return Err(model_err(path, "the classifier's weights do not match its labels"));
        }
        if self.scorer.n_features() != self.vectorizer.n_features() {
            return Err(model_err(path, "the classifier's weights do not match the vocabulary"));
        }
        if self
            .calibration
            .as_ref()
            .is_some_and(|c| c.len() != k || c.iter().any(|p| !p.is_valid()))
        {
            return Err(model_err(path, "the calibration does not match the labels"));
        }
        if self
            .thresholds
            .as_ref()
            .is_some_and(|t| t.len() != k || t.iter().any(|v| !v.is_finite()))
        {
            return Err(model_err(path, "the thresholds do not match the labels"));
        }
        if self.metadata.params.none_label.is_some() && self.none_label().is_none() {
            return Err(model_err(path, "the none label is not among the labels"));
        }
        Ok(())
    }

    /// The labels, in index order.
    pub fn labels(&self) -> &[String] {
        &self.labels
    }

    /// `true` for a multi-label model.
    pub fn is_multi_label(&self) -> bool {
        self.multi_label
    }

    /// The vectorizer.
    pub fn vectorizer(&self) -> &TfidfVectorizer {
        &self.vectorizer
    }

    /// The format of the file the model was read from ([`FORMAT_VERSION`]
    /// for a model trained in this process); saving writes the current one.
    pub fn format_version(&self) -> u32 {
        self.format
    }

    /// The linear scorer.
    pub fn scorer(&self) -> &LinearModel {
        &self.scorer
    }

    /// Each label's calibration (`None`: the model was trained without
    /// cross-validation folds, and probabilities are a softmax of the scores,
    /// or for multi-label models a sigmoid of each).
    pub fn calibration(&self) -> Option<&[Calibrator]> {
        self.calibration.as_deref()
    }

    /// Per-label thresholds (multi-label models).
    pub fn thresholds(&self) -> Option<&[f32]> {
        self.thresholds.as_deref()
    }

    /// Training metadata.
    pub fn metadata(&self) -> &Metadata {
        &self.metadata
    }

    pub(crate) fn set_validation(&mut self, r: Report) {
        self.metadata.validation = Some(r);
    }

    /// Probabilities from scores.
    fn probabilities(&self, scores: &[f32]) -> Vec<f32> {
        let mut p: Vec<f32> = match &self.calibration {
            Some(cal) => scores.iter().zip(cal).map(|(&s, c)| c.prob(s as f64) as f32).collect(),
            None if self.multi_label => scores.iter().map(|&s| 1.0 / (1.0 + (-s).exp())).collect(),
            None => {
                let mut v = scores.to_vec();
                softmax_in_place(&mut v);
                return v;
            }
        };
        if !self.multi_label {
            let sum: f32 = p.iter().sum();
            if sum > 0.0 {
                p.iter_mut().for_each(|x| *x /= sum);
            } else {
                // Every label's isotonic calibration says 0: nothing to tell
                // them apart by (the scores still break the tie).
                let k = p.len() as f32;
                p.iter_mut().for_each(|x| *x = 1.0 / k);
            }
        }
        p
    }

    /// The index of the "none of the others" label, if the model has one.
    pub fn none_label(&self) -> Option<usize> {
        let l = self.metadata.params.none_label.as_ref()?;
        self.labels.iter().position(|x| x == l)
    }

    fn decide(&self, probabilities: &[f32], scores: &[f32], threshold: Option<f32>) -> Vec<usize> {
        if self.multi_label {
            let chosen = (0..self.labels.len())
                .filter(|&c| {
                    let t =
                        threshold.or_else(|| self.thresholds.as_ref().map(|t| t[c])).unwrap_or(0.5);
                    probabilities[c] >= t
                })
                .collect();
            without_none(chosen, self.none_label(), probabilities)
        } else {
            vec![most_probable(probabilities, scores)]
        }
    }

    /// Predicts each text (in parallel). `threshold` overrides the model's
    /// per-label thresholds for multi-label models.
    pub fn predict<S: AsRef<str> + Sync>(
        &self,
        texts: &[S],
        threshold: Option<f32>,
    ) -> Vec<Prediction> {
        self.predict_rows(texts, threshold).1
    }

    /// [`Model::predict`], also returning the TF-IDF rows (for
    /// [`Model::explain_row`] without vectorizing again).
    pub fn predict_rows<S: AsRef<str> + Sync>(
        &self,
        texts: &[S],
        threshold: Option<f32>,
    ) -> (sift_tfidf::Csr<f32>, Vec<Prediction>) {
        let x = self.vectorizer.transform(texts);
        let mut s = Vec::new();
        let preds = x
            .rows()
            .map(|(cols, vals)| {
                self.scorer.scores_row(cols, vals, &mut s);
                let probabilities = self.probabilities(&s);
                let labels = self.decide(&probabilities, &s, threshold);
                Prediction { probabilities, scores: s.clone(), labels }
            })
            .collect();
        (x, preds)
    }

    /// The `top` terms of `text` that raised label `c`'s score most, with
    /// their exact contributions (TF-IDF value times weight).
    pub fn explain(&self, text: &str, c: usize, top: usize) -> Vec<Contribution> {
        let x = self.vectorizer.transform(&[text]);
        let (cols, vals) = x.row(0);
        self.explain_row(cols, vals, c, top)
    }

    /// [`Model::explain`] for a row this model's vectorizer already made.
    pub fn explain_row(
        &self,
        cols: &[u32],
        vals: &[f32],
        c: usize,
        top: usize,
    ) -> Vec<Contribution> {
        let mut contrib: Vec<(f32, u32)> = cols
            .iter()
            .zip(vals)
            .map(|(&j, &v)| (v * self.scorer.weight(c, j as usize), j))
            .filter(|(x, _)| *x > 0.0)
            .collect();
        contrib.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        let vocab = self.vectorizer.vocabulary();
        contrib
            .into_iter()
            .take(top)
            .map(|(weight, j)| Contribution { term: vocab.term(j as usize).to_string(), weight })
            .collect()
    }

    /// The `n` terms with the largest weights for label `c`.
    pub fn top_terms(&self, c: usize, n: usize) -> Vec<(String, f32)> {
        let w = self.scorer.class_weights(c);
        let mut idx: Vec<usize> = (0..w.len()).collect();
        let n = n.min(idx.len());
        if n == 0 {
            return Vec::new();
        }
        idx.select_nth_unstable_by(n - 1, |&a, &b| w[b].total_cmp(&w[a]).then(a.cmp(&b)));
        idx.truncate(n);
        idx.sort_by(|&a, &b| w[b].total_cmp(&w[a]).then(a.cmp(&b)));
        let vocab = self.vectorizer.vocabulary();
        idx.into_iter().map(|j| (vocab.term(j).to_string(), w[j])).collect()
    }

    /// Evaluates on texts with label indices of this model (for a
    /// single-label model, exactly one index per text).
    pub fn evaluate_indices<S: AsRef<str> + Sync>(
        &self,
        texts: &[S],
        truth: &[Vec<usize>],
    ) -> Report {
        self.report(&self.labels, texts, truth)
    }

    /// The report over `labels`: this model's labels, then any others the
    /// truth uses (never predicted). Single-label reports also score the
    /// probabilities (when every true label is one of the model's).
    fn report<S: AsRef<str> + Sync>(
        &self,
        labels: &[String],
        texts: &[S],
        truth: &[Vec<usize>],
    ) -> Report {
        let (probs, pred): (Vec<Vec<f32>>, Vec<Vec<usize>>) =
            self.predict(texts, None).into_iter().map(|p| (p.probabilities, p.labels)).unzip();
        if self.multi_label {
            metrics::multi_label(labels, truth, &pred)
        } else {
            let t: Vec<usize> = truth.iter().map(|v| v.first().copied().unwrap_or(0)).collect();
            let p: Vec<usize> = pred.iter().map(|v| v[0]).collect();
            let mut r = metrics::single_label(labels, &t, &p);
            r.probabilities = metrics::probability_scores(&t, &probs);
            r
        }
    }

    /// Evaluates on labelled examples. Labels the model does not know are
    /// returned, and the report lists them after the model's own: their
    /// examples count as misses (support, recall 0), as in scikit-learn's
    /// reports over the union of true and predicted labels.
    pub fn evaluate(&self, examples: &[crate::Example]) -> Result<(Report, Vec<String>)> {
        if !self.multi_label && examples.iter().any(|e| e.labels.len() != 1) {
            return Err(Error::Data(
                "a single-label model needs exactly one label per example".into(),
            ));
        }
        let unknown: Vec<String> = examples
            .iter()
            .flat_map(|e| &e.labels)
            .filter(|l| self.labels.binary_search(l).is_err())
            .cloned()
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        let k = self.labels.len();
        let index = |l: &String| match self.labels.binary_search(l) {
            Ok(i) => i,
            Err(_) => k + unknown.binary_search(l).unwrap_or_default(),
        };
        let truth: Vec<Vec<usize>> =
            examples.iter().map(|e| e.labels.iter().map(index).collect()).collect();
        let labels: Vec<String> = self.labels.iter().chain(&unknown).cloned().collect();
        let texts: Vec<&str> = examples.iter().map(|e| e.text.as_str()).collect();
        Ok((self.report(&labels, &texts, &truth), unknown))
    }

    // --------------------------------------------------------- persistence

    /// The model file's bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let state = State {
            labels: self.labels.clone(),
            multi_label: self.multi_label,
            vectorizer: Cow::Owned(self.vectorizer.to_bytes()),
            scorer: self.scorer.clone(),
            calibration: self.calibration.clone(),
            thresholds: self.thresholds.clone(),
            metadata: serde_json::to_string(&self.metadata).unwrap_or_default(),
        };
        let state = postcard::to_allocvec(&state).unwrap_or_default();
        // The weights' place in the file: the header, the padding's count,
        // the padding, then their place in the state.
        let at = weights_offset(&state).unwrap_or(0);
        let pad = (4 - (container::HEADER_LEN + 1 + at) % 4) % 4;
        let mut payload = Vec::with_capacity(1 + pad + state.len());
        payload.push(pad as u8);
        payload.resize(1 + pad, 0);
        payload.extend_from_slice(&state);
        container::encode(MAGIC, FORMAT_VERSION, &payload)
    }

    /// A model from file bytes (`path` names it in errors).
    pub fn from_bytes(bytes: &[u8], path: &str) -> Result<Model> {
        let (mut m, raw) = match Model::decode(bytes, path)? {
            Decoded::Whole(m) => return Ok(m),
            Decoded::Raw(m, raw) => (m, raw),
        };
        let (weights, shape) = raw.split();
        m.scorer = shape.with_weights(floats_le(weights).into());
        m.check(path)?;
        Ok(m)
    }

    /// Checks and decodes a file's bytes; from format 2 on, the weights are
    /// left as the file's bytes for the caller to decode.
    fn decode<'b>(bytes: &'b [u8], path: &str) -> Result<Decoded<'b>> {
        let (version, mut payload) = container::decode(bytes, MAGIC, "sift model", FORMAT_VERSION)
            .map_err(|e| model_err(path, e.to_string()))?;
        if version >= 4 {
            payload = match payload.split_first() {
                Some((&pad, rest)) if pad <= 3 && rest.len() >= pad as usize => {
                    &rest[pad as usize..]
                }
                _ => return Err(model_err(path, "the padding before the state is damaged")),
            };
        }
        let undecodable = |e: postcard::Error| model_err(path, format!("cannot decode: {e}"));
        let state: State<'_, RawLinearModel<'_>> = match version {
            1 => {
                let state: State<'_> =
                    postcard::from_bytes::<State<'_, LinearModelV1, Platt>>(payload)
                        .map_err(undecodable)?
                        .upgrade();
                let (mut m, scorer) = Model::assemble_state(state, version, path)?;
                m.scorer = scorer;
                m.check(path)?;
                return Ok(Decoded::Whole(m));
            }
            2 => postcard::from_bytes::<State<'_, RawLinearModel<'_>, Platt>>(payload)
                .map_err(undecodable)?
                .upgrade(),
            3 | 4 => postcard::from_bytes(payload).map_err(undecodable)?,
            v => return Err(model_err(path, format!("format version {v} was never written"))),
        };
        if state.scorer.weights().len() % 4 != 0 {
            return Err(model_err(path, "the weights are not a whole number of f32 values"));
        }
        let (m, raw) = Model::assemble_state(state, version, path)?;
        Ok(Decoded::Raw(m, raw))
    }

    /// Everything but the scorer (left empty), and the scorer as decoded.
    fn assemble_state<S>(state: State<'_, S>, version: u32, path: &str) -> Result<(Model, S)> {
        let vectorizer = TfidfVectorizer::from_bytes(&state.vectorizer)
            .map_err(|e| model_err(path, e.to_string()))?;
        let metadata: Metadata = serde_json::from_str(&state.metadata)
            .map_err(|e| model_err(path, format!("cannot decode metadata: {e}")))?;
        let m = Model {
            labels: state.labels,
            multi_label: state.multi_label,
            vectorizer,
            scorer: LinearModel::new(0, Vec::new(), Vec::new()),
            calibration: state.calibration,
            thresholds: state.thresholds,
            metadata,
            format: version,
        };
        Ok((m, state.scorer))
    }

    /// Saves atomically.
    pub fn save(&self, path: &Path) -> Result<()> {
        container::write_atomic(path, &self.to_bytes())
            .map_err(|e| Error::Io { path: path.display().to_string(), source: e })
    }

    /// Loads a model file.
    pub fn load(path: &Path) -> Result<Model> {
        Model::load_from(path, MAP_AT, false)
    }

    /// [`Model::load`], mapping a model file of 4 MiB or more instead of
    /// reading it: its bytes are the system's file cache, neither copied
    /// nor faulted into fresh memory, and the weights (of format 4) stay
    /// there. Smaller files, pipes and files that cannot be mapped are
    /// read.
    ///
    /// # Safety
    /// The file must not be changed, truncated or written in place while
    /// the model is alive: the model reads the file's current bytes, and
    /// reading pages a truncation removed is a bus error (SIGBUS). Renaming
    /// another file over it (as `sift train --out` and every sift writer
    /// do) is safe. For short-lived processes such as the `sift` CLI, or
    /// files nothing rewrites in place.
    #[allow(unsafe_code)]
    pub unsafe fn load_mapped(path: &Path) -> Result<Model> {
        Model::load_from(path, MAP_AT, true)
    }

    /// [`Model::load`], or with `map` [`Model::load_mapped`], mapping files
    /// of at least `map_at` bytes (tests map small files too).
    #[allow(unsafe_code)]
    fn load_from(path: &Path, map_at: usize, map: bool) -> Result<Model> {
        let name = path.display().to_string();
        if path.is_dir() {
            return Err(model_err(&name, "is a directory, expected a model file"));
        }
        let io = |e| Error::Io { path: name.clone(), source: e };
        let mut file = std::fs::File::open(path).map_err(io)?;
        let meta = file.metadata().map_err(io)?;
        if !meta.is_file() {
            // A pipe or a device: its length is unknown until read.
            let mut bytes = Vec::new();
            file.read_to_end(&mut bytes).map_err(io)?;
            return Model::from_bytes(&bytes, &name);
        }
        let len = usize::try_from(meta.len())
            .map_err(|_| model_err(&name, "is too large to be a model file"))?;
        // Read into memory, or mapped, where the weights can become `f32`s
        // where they lie (see `FileBuf::into_floats`).
        let mapped = if map && len >= map_at.max(1) {
            // SAFETY: only `load_mapped` asks for a mapping, whose caller
            // promises what `map_file` needs.
            unsafe { map_file(&file, len) }
        } else {
            None
        };
        let buf = match mapped {
            Some(b) => b,
            None => read_file(&mut file, len).map_err(io)?,
        };
        let (mut m, shape, offset, n_bytes) = {
            let bytes = buf.bytes();
            let (m, raw) = match Model::decode(bytes, &name)? {
                Decoded::Whole(m) => return Ok(m),
                Decoded::Raw(m, raw) => (m, raw),
            };
            // The weights' place in `buf`: a slice of `bytes`, so the
            // difference of the addresses is an offset within it.
            let (weights, shape) = raw.split();
            let offset = weights.as_ptr() as usize - bytes.as_ptr() as usize;
            (m, shape, offset, weights.len())
        };
        m.scorer = shape.with_weights(buf.into_floats(offset, n_bytes));
        m.check(&name)?;
        Ok(m)
    }
}

/// The first fields of a model's state (formats 2-4), up to its scorer's
/// weights.
#[derive(Deserialize)]
struct StatePrefix<'a> {
    #[serde(borrow)]
    _labels: Vec<&'a str>,
    _multi_label: bool,
    #[serde(borrow)]
    _vectorizer: &'a [u8],
    _n_features: usize,
    _n_classes: usize,
    _weights_len: usize,
}

/// Where the weights' bytes begin in a postcard-encoded state.
fn weights_offset(state: &[u8]) -> Option<usize> {
    let (_, rest) = postcard::take_from_bytes::<StatePrefix<'_>>(state).ok()?;
    Some(state.len() - rest.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calibration::CalibrationMethod;
    use crate::{train, Example};

    fn small_model(folds: usize, calibration: CalibrationMethod) -> Model {
        let ex = |t: &str, l: &str| Example { text: t.into(), labels: vec![l.into()] };
        let data = [
            ex("tariffs on steel imports rise again", "trade"),
            ex("new tariffs hit steel and aluminium imports", "trade"),
            ex("export curbs and tariffs on chips", "trade"),
            ex("tariffs and quotas on imports of steel", "trade"),
            ex("hackers stole customer records in a breach", "breach"),
            ex("a breach exposed millions of customer records", "breach"),
            ex("stolen records and passwords after the breach", "breach"),
            ex("customer passwords leaked in the records breach", "breach"),
        ];
        let p = TrainParams { folds, calibration, ..TrainParams::default() };
        train(&p, &data).unwrap().model
    }

    /// The bytes model format 1, 2 (Platt calibration) or 3 wrote for `m`.
    fn old_format_bytes(m: &Model, version: u32) -> Vec<u8> {
        if version == 3 {
            // Format 4 without its padding.
            let now = m.to_bytes();
            let (_, payload) = container::decode(&now, MAGIC, "m", FORMAT_VERSION).unwrap();
            return container::encode(MAGIC, 3, &payload[1 + payload[0] as usize..]);
        }
        let calibration: Option<Vec<Platt>> = m.calibration.as_ref().map(|v| {
            v.iter()
                .map(|c| match c {
                    Calibrator::Platt(p) => *p,
                    Calibrator::Isotonic(_) => panic!("formats 1 and 2 have Platt only"),
                })
                .collect()
        });
        fn payload<S: Serialize>(m: &Model, scorer: S, calibration: Option<Vec<Platt>>) -> Vec<u8> {
            postcard::to_allocvec(&State {
                labels: m.labels.clone(),
                multi_label: m.multi_label,
                vectorizer: Cow::Owned(m.vectorizer.to_bytes()),
                scorer,
                calibration,
                thresholds: m.thresholds.clone(),
                metadata: serde_json::to_string(&m.metadata).unwrap(),
            })
            .unwrap()
        }
        let payload = match version {
            1 => payload(m, LinearModelV1::from(&m.scorer), calibration),
            _ => payload(m, m.scorer.clone(), calibration),
        };
        container::encode(MAGIC, version, &payload)
    }

    #[test]
    fn formats_1_to_3_still_load_and_unknown_versions_are_errors() {
        for folds in [0, 2] {
            let m = small_model(folds, CalibrationMethod::Platt);
            assert_eq!(m.calibration.is_some(), folds > 0);
            for version in [1, 2, 3] {
                let old = old_format_bytes(&m, version);
                assert_ne!(old, m.to_bytes());
                let back = Model::from_bytes(&old, "old.sift").unwrap();
                assert_eq!(back.to_bytes(), m.to_bytes(), "same model, in the current format");
                assert_eq!((&back.scorer, &back.calibration), (&m.scorer, &m.calibration));
                assert_eq!((back.format_version(), m.format_version()), (version, FORMAT_VERSION));
            }
        }
        let m = small_model(0, CalibrationMethod::Platt);
        let old = old_format_bytes(&m, 1);
        let (_, payload) = container::decode(&old, MAGIC, "sift model", FORMAT_VERSION).unwrap();
        let zero = container::encode(MAGIC, 0, payload);
        let err = Model::from_bytes(&zero, "zero.sift").unwrap_err().to_string();
        assert!(err.contains("zero.sift") && err.contains("version 0"), "{err}");
        // Format 4's padding: at most 3 bytes, and present.
        let now = m.to_bytes();
        let (_, payload) = container::decode(&now, MAGIC, "m", FORMAT_VERSION).unwrap();
        for first in [4u8, 200] {
            let mut bad = payload.to_vec();
            bad[0] = first;
            let bad = container::encode(MAGIC, FORMAT_VERSION, &bad);
            let err = Model::from_bytes(&bad, "pad.sift").unwrap_err().to_string();
            assert!(err.contains("pad.sift") && err.contains("padding"), "{err}");
        }
        let empty = container::encode(MAGIC, FORMAT_VERSION, &[]);
        assert!(Model::from_bytes(&empty, "e.sift").unwrap_err().to_string().contains("padding"));
    }

    #[test]
    fn loading_a_file_decodes_the_weights_in_place_as_from_bytes_does() {
        let dir = tempfile::tempdir().unwrap();
        let m = small_model(2, CalibrationMethod::Platt);
        let iso = small_model(2, CalibrationMethod::Isotonic);
        let files = [
            old_format_bytes(&m, 1),
            old_format_bytes(&m, 2),
            old_format_bytes(&m, 3),
            old_format_bytes(&iso, 3),
            m.to_bytes(),
            iso.to_bytes(),
            small_model(0, CalibrationMethod::Platt).to_bytes(),
        ];
        let mut lengths_mod_4 = std::collections::BTreeSet::new();
        for (i, bytes) in files.iter().enumerate() {
            let path = dir.path().join(format!("m{i}.sift"));
            std::fs::write(&path, bytes).unwrap();
            let loaded = Model::load(&path).unwrap();
            let decoded = Model::from_bytes(bytes, "m").unwrap();
            assert_eq!(loaded.scorer, decoded.scorer, "file {i}");
            assert_eq!(loaded.to_bytes(), decoded.to_bytes(), "file {i}");
            assert_eq!(loaded.format_version(), decoded.format_version());
            // Format 4 puts the weights on a multiple of 4 in the file.
            let at = match Model::decode(bytes, "m").unwrap() {
                Decoded::Raw(_, raw) => {
                    Some(raw.weights().as_ptr() as usize - bytes.as_ptr() as usize)
                }
                Decoded::Whole(_) => None,
            };
            if decoded.format_version() == 4 {
                assert_eq!(at.map(|a| a % 4), Some(0), "file {i}");
            }
            // Mapped, the weights stay in the file (format 1 decodes them
            // one by one; misaligned weights of older formats are copied)
            // and come out the same.
            let texts = ["steel tariffs and a records breach", "passwords", ""];
            for map in [false, true] {
                let mapped = Model::load_from(&path, 0, map).unwrap();
                let in_file = map && at.is_some_and(|a| a % 4 == 0);
                assert_eq!(mapped.scorer.weights_in_file(), in_file, "file {i} map {map}");
                assert_eq!(mapped.scorer, decoded.scorer, "file {i}");
                assert_eq!(mapped.to_bytes(), decoded.to_bytes(), "file {i}");
                let (a, b) = (mapped.predict(&texts, None), decoded.predict(&texts, None));
                assert_eq!(a, b, "file {i}");
            }
            lengths_mod_4.insert(bytes.len() % 4);
            // Cut anywhere, the file is an error that names it.
            for cut in [bytes.len() - 1, bytes.len() / 2, 30, 10] {
                std::fs::write(&path, &bytes[..cut]).unwrap();
                let err = Model::load(&path).unwrap_err().to_string();
                assert!(err.contains(&format!("m{i}.sift")), "{err}");
                for map in [false, true] {
                    let err = Model::load_from(&path, 0, map).unwrap_err().to_string();
                    assert!(err.contains(&format!("m{i}.sift")), "{err}");
                }
            }
        }
        // The weights start at different offsets, not all aligned.
        assert!(lengths_mod_4.len() > 1, "{lengths_mod_4:?}");
        // A pipe has no length before it is read.
        #[cfg(unix)]
        {
            let fifo = dir.path().join("fifo.sift");
            let made = std::process::Command::new("mkfifo").arg(&fifo).status();
            if made.is_ok_and(|s| s.success()) {
                let bytes = files[2].clone();
                let path = fifo.clone();
                let writer = std::thread::spawn(move || std::fs::write(path, bytes).unwrap());
                let loaded = Model::load(&fifo).unwrap();
                writer.join().unwrap();
                assert_eq!(loaded.to_bytes(), m.to_bytes());
            }
        }
    }

    #[test]
    fn weights_that_are_not_whole_floats_are_an_error() {
        #[derive(Serialize)]
        struct Odd {
            n_features: usize,
            n_classes: usize,
            // postcard writes a sequence of bytes as it writes a byte string.
            weights: Vec<u8>,
            bias: Vec<f32>,
        }
        let m = small_model(0, CalibrationMethod::Platt);
        let n = m.scorer.n_features() * m.scorer.n_classes();
        let payload = postcard::to_allocvec(&State {
            labels: m.labels.clone(),
            multi_label: false,
            vectorizer: Cow::Owned(m.vectorizer.to_bytes()),
            scorer: Odd {
                n_features: m.scorer.n_features(),
                n_classes: 2,
                weights: vec![0; n * 4 + 3],
                bias: vec![0.0; 2],
            },
            calibration: None::<Vec<Calibrator>>,
            thresholds: None,
            metadata: serde_json::to_string(&m.metadata).unwrap(),
        })
        .unwrap();
        // Format 4: no padding.
        let payload = [&[0u8][..], &payload].concat();
        let bytes = container::encode(MAGIC, FORMAT_VERSION, &payload);
        let err = Model::from_bytes(&bytes, "odd.sift").unwrap_err().to_string();
        assert!(err.contains("odd.sift") && err.contains("whole number"), "{err}");
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("odd.sift"), &bytes).unwrap();
        let err = Model::load(&dir.path().join("odd.sift")).unwrap_err().to_string();
        assert!(err.contains("odd.sift") && err.contains("whole number"), "{err}");
    }

    #[test]
    fn isotonic_models_round_trip_and_bad_calibration_is_an_error() {
        let m = small_model(2, CalibrationMethod::Isotonic);
        let cal = m.calibration.as_ref().unwrap();
        assert!(cal.iter().all(|c| c.method() == CalibrationMethod::Isotonic));
        let bytes = m.to_bytes();
        let back = Model::from_bytes(&bytes, "iso.sift").unwrap();
        assert_eq!(back.to_bytes(), bytes);
        let texts = ["steel tariffs on imports", "customer records breach", "weather"];
        assert_eq!(back.predict(&texts, None), m.predict(&texts, None));
        // A calibration that no fit gives (decreasing) is refused on load.
        let mut bad = back;
        if let Some(Calibrator::Isotonic(i)) = bad.calibration.as_mut().and_then(|c| c.first_mut())
        {
            *i = crate::calibration::Isotonic { x: vec![0.0, 1.0], y: vec![0.9, 0.1] };
        }
        let err = Model::from_bytes(&bad.to_bytes(), "bad.sift").unwrap_err().to_string();
        assert!(err.contains("bad.sift") && err.contains("calibration"), "{err}");
    }
}
