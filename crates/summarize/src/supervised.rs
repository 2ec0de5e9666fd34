//! A summarizer learned from examples: per-sentence features, labels from a
//! greedy ROUGE oracle, and a logistic regression.
//!
//! The oracle adds, one at a time, the sentence that most raises the sum of
//! ROUGE-1 F1 and ROUGE-2 F1 (stemmed) of the summary against the reference,
//! until nothing improves or the reference's length is reached; its picks
//! are the positive examples. Features are computed the same way at prediction
//! time, so users can retrain the summarizer on their own examples.

use crate::doc::{cosine, Document};
use crate::rouge::{rouge_n, tokenize};
use crate::score;
use serde::{Deserialize, Serialize};

/// Feature names, in order.
pub const FEATURES: [&str; 10] = [
    "first_content_sentence",
    "relative_position",
    "inverse_position",
    "first_in_paragraph",
    "log_words",
    "content",
    "centroid",
    "lexrank",
    "textrank",
    "title_similarity",
];

/// Current format of the supervised model: 2 is the JSON of
/// [`SupervisedModel`] in sift's container (magic [`MAGIC`], format
/// version, length, CRC-32); 1 was the bare JSON, which still loads.
pub const SUPERVISED_FORMAT: u32 = 2;

/// The magic number of a supervised summarizer model file.
pub const MAGIC: &[u8; 8] = b"SIFTSUMM";

/// A trained supervised scorer (saved by [`SupervisedModel::to_bytes`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SupervisedModel {
    /// Format version.
    pub format: u32,
    /// Feature names (must equal [`FEATURES`]).
    pub features: Vec<String>,
    /// Standardization of each feature.
    pub mean: Vec<f64>,
    /// Standardization of each feature.
    pub scale: Vec<f64>,
    /// Logistic regression weights on standardized features.
    pub weights: Vec<f64>,
    /// Intercept.
    pub bias: f64,
    /// Training pairs used.
    pub n_pairs: usize,
    /// Mean oracle ROUGE-1 F1 on the training pairs (x100).
    pub oracle_rouge1: f64,
}

/// Features of every sentence of `doc`.
pub fn features(doc: &Document, sims: &[f32]) -> Vec<[f64; 10]> {
    let n = doc.sentences.len();
    let cen = score::centroid(doc);
    let lex = score::lexrank(doc, sims, None);
    let tr = score::textrank(doc, sims);
    let norm = |v: &[f64]| -> Vec<f64> {
        let m = v.iter().cloned().fold(1e-12, f64::max);
        v.iter().map(|x| x / m).collect()
    };
    let (lex, tr) = (norm(&lex), norm(&tr));
    let mut title: Vec<(u32, f32)> = doc.title_terms.iter().map(|&t| (t, 1.0)).collect();
    title.sort_unstable_by_key(|x| x.0);
    title.dedup_by_key(|x| x.0);
    let tn = (title.len() as f32).sqrt().max(1.0);
    title.iter_mut().for_each(|x| x.1 /= tn);
    let first_content = doc.sentences.iter().position(score::is_content);
    doc.sentences
        .iter()
        .enumerate()
        .map(|(i, s)| {
            [
                (Some(i) == first_content) as u8 as f64,
                if n > 1 { i as f64 / (n - 1) as f64 } else { 0.0 },
                1.0 / (1.0 + i as f64),
                (i == 0 || doc.sentences[i - 1].paragraph != s.paragraph) as u8 as f64,
                (1.0 + s.words as f64).ln(),
                score::is_content(s) as u8 as f64,
                cen[i],
                lex[i],
                tr[i],
                cosine(&s.vector, &title) as f64,
            ]
        })
        .collect()
}

/// Greedy ROUGE oracle: the sentences whose union best matches `reference`
/// within `max_words` words (stemmed ROUGE-1 F1 + ROUGE-2 F1).
pub fn oracle(text: &str, doc: &Document, reference: &str, max_words: usize) -> Vec<usize> {
    let r = tokenize(reference, true);
    let toks: Vec<Vec<String>> =
        doc.sentences.iter().map(|s| tokenize(s.span.text(text), true)).collect();
    let mut picked: Vec<usize> = Vec::new();
    let mut best = 0.0;
    let mut words = 0;
    while words < max_words {
        let mut cand: Option<(f64, usize)> = None;
        for i in 0..doc.sentences.len() {
            if picked.contains(&i) {
                continue;
            }
            let mut trial = picked.clone();
            trial.push(i);
            trial.sort_unstable();
            let c: Vec<String> = trial.iter().flat_map(|&j| toks[j].iter().cloned()).collect();
            let v = rouge_n(&r, &c, 1).fmeasure + rouge_n(&r, &c, 2).fmeasure;
            if v > cand.map_or(best, |c| c.0) {
                cand = Some((v, i));
            }
        }
        let Some((v, i)) = cand else { break };
        best = v;
        picked.push(i);
        words += doc.sentences[i].words;
    }
    picked.sort_unstable();
    picked
}

/// Fits a logistic regression (L2, Newton's method) on standardized
/// features; deterministic.
pub fn fit(xs: &[[f64; 10]], ys: &[bool], n_pairs: usize, oracle_rouge1: f64) -> SupervisedModel {
    let d = FEATURES.len();
    let n = xs.len().max(1) as f64;
    let mean: Vec<f64> = (0..d).map(|j| xs.iter().map(|x| x[j]).sum::<f64>() / n).collect();
    let scale: Vec<f64> = (0..d)
        .map(|j| (xs.iter().map(|x| (x[j] - mean[j]).powi(2)).sum::<f64>() / n).sqrt().max(1e-9))
        .collect();
    let z: Vec<Vec<f64>> = xs
        .iter()
        .map(|x| (0..d).map(|j| (x[j] - mean[j]) / scale[j]).chain([1.0]).collect())
        .collect();
    let mut w = vec![0.0f64; d + 1];
    let lambda = 1.0;
    for _ in 0..50 {
        let mut g = vec![0.0f64; d + 1];
        let mut h = vec![vec![0.0f64; d + 1]; d + 1];
        for (zi, &yi) in z.iter().zip(ys) {
            let s: f64 = zi.iter().zip(&w).map(|(a, b)| a * b).sum();
            let p = 1.0 / (1.0 + (-s).exp());
            let r = p - if yi { 1.0 } else { 0.0 };
            for a in 0..=d {
                g[a] += r * zi[a];
                for b in 0..=d {
                    h[a][b] += p * (1.0 - p) * zi[a] * zi[b];
                }
            }
        }
        for a in 0..d {
            g[a] += lambda * w[a];
            h[a][a] += lambda;
        }
        h[d][d] += 1e-9;
        let step = solve(h, g);
        let delta: f64 = step.iter().map(|x| x.abs()).sum();
        for (wa, sa) in w.iter_mut().zip(&step) {
            *wa -= sa;
        }
        if delta < 1e-9 {
            break;
        }
    }
    SupervisedModel {
        format: SUPERVISED_FORMAT,
        features: FEATURES.iter().map(|s| s.to_string()).collect(),
        mean,
        scale,
        weights: w[..d].to_vec(),
        bias: w[d],
        n_pairs,
        oracle_rouge1,
    }
}

/// Solves `a x = b` (Gaussian elimination with partial pivoting).
fn solve(mut a: Vec<Vec<f64>>, mut b: Vec<f64>) -> Vec<f64> {
    let n = b.len();
    for col in 0..n {
        let piv =
            (col..n).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs())).unwrap_or(col);
        a.swap(col, piv);
        b.swap(col, piv);
        let p = a[col][col];
        if p.abs() < 1e-15 {
            continue;
        }
        let pivot_row = a[col].clone();
        for r in col + 1..n {
            let f = a[r][col] / p;
            for (x, &y) in a[r][col..].iter_mut().zip(&pivot_row[col..]) {
                *x -= f * y;
            }
            b[r] -= f * b[col];
        }
    }
    let mut x = vec![0.0; n];
    for r in (0..n).rev() {
        let s: f64 = (r + 1..n).map(|c| a[r][c] * x[c]).sum();
        x[r] = if a[r][r].abs() < 1e-15 { 0.0 } else { (b[r] - s) / a[r][r] };
    }
    x
}

impl SupervisedModel {
    /// The model as a file: its JSON in sift's container, so that a damaged
    /// or truncated file is refused rather than read with wrong weights.
    pub fn to_bytes(&self) -> Vec<u8> {
        let model = SupervisedModel { format: SUPERVISED_FORMAT, ..self.clone() };
        // Serializing plain numbers and strings into JSON cannot fail.
        let json = serde_json::to_vec_pretty(&model).unwrap_or_default();
        sift_tfidf::container::encode(MAGIC, SUPERVISED_FORMAT, &json)
    }

    /// A model from [`SupervisedModel::to_bytes`] output, or from a bare
    /// JSON file of format 1; checked as [`SupervisedModel::check`] does.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, crate::Error> {
        let bad = |reason: String| crate::Error::Model { reason };
        let (json, container) = if bytes.starts_with(MAGIC) {
            let (version, payload) =
                sift_tfidf::container::decode(bytes, MAGIC, "summarizer model", SUPERVISED_FORMAT)
                    .map_err(|e| bad(e.to_string()))?;
            if version < 2 {
                return Err(bad(format!("container of format {version}, expected 2 or later")));
            }
            (payload, Some(version))
        } else if bytes.trim_ascii_start().starts_with(b"{") {
            (bytes, None)
        } else {
            return Err(bad("not a summarizer model (no SIFTSUMM header, not JSON)".into()));
        };
        let model: SupervisedModel = serde_json::from_slice(json)
            .map_err(|e| bad(format!("not a summarizer model ({e})")))?;
        match container {
            Some(v) if model.format != v => {
                return Err(bad(format!("format {} inside a format {v} file", model.format)))
            }
            None if model.format != 1 => {
                return Err(bad(format!(
                    "a bare JSON model must be of format 1, found {}",
                    model.format
                )))
            }
            _ => {}
        }
        model.check().map_err(bad)?;
        Ok(model)
    }

    /// Checks a loaded model.
    pub fn check(&self) -> Result<(), String> {
        if self.format > SUPERVISED_FORMAT {
            return Err(format!(
                "format {} is newer than this sift supports ({SUPERVISED_FORMAT})",
                self.format
            ));
        }
        let d = FEATURES.len();
        if self.features != FEATURES
            || self.mean.len() != d
            || self.scale.len() != d
            || self.weights.len() != d
        {
            return Err("its features do not match this sift's".into());
        }
        if !self
            .mean
            .iter()
            .chain(&self.scale)
            .chain(&self.weights)
            .chain([&self.bias])
            .all(|v| v.is_finite())
        {
            return Err("it holds non-finite numbers".into());
        }
        Ok(())
    }

    /// Probability that each sentence belongs in the summary.
    pub fn scores(&self, doc: &Document, sims: &[f32]) -> Vec<f64> {
        features(doc, sims)
            .iter()
            .map(|x| {
                let s: f64 = (0..FEATURES.len())
                    .map(|j| (x[j] - self.mean[j]) / self.scale[j] * self.weights[j])
                    .sum::<f64>()
                    + self.bias;
                1.0 / (1.0 + (-s).exp())
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sift_tfidf::container;

    fn model() -> SupervisedModel {
        let pairs = vec![
            (
                "Tariffs rise\n\nThe government raised steel tariffs. Importers complained. \
                 Prices rose."
                    .to_string(),
                "The government raised steel tariffs.".to_string(),
            ),
            (
                "Data stolen\n\nHackers stole customer data. The firm apologised. Shares fell."
                    .to_string(),
                "Hackers stole customer data.".to_string(),
            ),
        ];
        crate::train_summarizer(&pairs, &crate::SummarizerParams::default()).unwrap()
    }

    fn error(bytes: &[u8]) -> String {
        SupervisedModel::from_bytes(bytes).unwrap_err().to_string()
    }

    #[test]
    fn files_round_trip_and_bare_json_of_format_1_still_loads() {
        let m = model();
        assert_eq!(m.format, SUPERVISED_FORMAT);
        let bytes = m.to_bytes();
        assert!(bytes.starts_with(MAGIC));
        assert_eq!(SupervisedModel::from_bytes(&bytes).unwrap(), m);
        let v1 = SupervisedModel { format: 1, ..m.clone() };
        let json = serde_json::to_vec_pretty(&v1).unwrap();
        assert_eq!(SupervisedModel::from_bytes(&json).unwrap(), v1);
    }

    #[test]
    fn damaged_foreign_or_inconsistent_files_are_refused() {
        let m = model();
        let bytes = m.to_bytes();
        let mut flipped = bytes.clone();
        let last = flipped.len() - 3;
        flipped[last] ^= 1;
        assert!(error(&flipped).contains("checksum"), "{}", error(&flipped));
        assert!(error(&bytes[..bytes.len() - 5]).contains("truncated"));
        assert!(error(b"SIFTMODL\x04\0\0\0").contains("no SIFTSUMM header"));
        assert!(error(b"").contains("no SIFTSUMM header"));
        // A bare JSON file claims format 1; a container's JSON its format.
        let json2 = serde_json::to_vec(&m).unwrap();
        assert!(error(&json2).contains("bare JSON model must be of format 1"));
        let v1 = SupervisedModel { format: 1, ..m.clone() };
        let inner1 = container::encode(MAGIC, 2, &serde_json::to_vec(&v1).unwrap());
        assert!(error(&inner1).contains("format 1 inside a format 2 file"));
        let old_box = container::encode(MAGIC, 1, &serde_json::to_vec(&v1).unwrap());
        assert!(error(&old_box).contains("expected 2 or later"));
        let newer = container::encode(MAGIC, SUPERVISED_FORMAT + 1, &json2);
        assert!(error(&newer).contains("upgrade sift"), "{}", error(&newer));
        // Checked as a loaded model is: finite numbers (JSON writes NaN as
        // null, which does not parse as a number) and the features.
        let mut odd = m.clone();
        odd.weights[0] = f64::NAN;
        assert!(error(&odd.to_bytes()).contains("not a summarizer model"));
        let short = SupervisedModel { features: vec!["lexrank".into()], ..m };
        assert!(error(&short.to_bytes()).contains("features do not match"));
    }
}
