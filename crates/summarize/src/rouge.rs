//! ROUGE (Lin, 2004) as Google's rouge-score computes it: ROUGE-N,
//! ROUGE-L (sentence-level LCS) and ROUGE-Lsum (summary-level union LCS
//! over newline-separated sentences), each as precision, recall and F1,
//! with or without Porter stemming of tokens longer than three characters.
//!
//! Tokenization follows rouge-score: lowercase, every run of characters
//! other than `[a-z0-9]` is a separator.

use crate::porter;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

/// Precision, recall and F1 of one ROUGE measure.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Score {
    /// Matches over candidate size.
    pub precision: f64,
    /// Matches over reference size.
    pub recall: f64,
    /// Harmonic mean.
    pub fmeasure: f64,
}

impl Score {
    fn new(precision: f64, recall: f64) -> Score {
        let fmeasure = if precision + recall > 0.0 {
            2.0 * precision * recall / (precision + recall)
        } else {
            0.0
        };
        Score { precision, recall, fmeasure }
    }
}

/// ROUGE-1, ROUGE-2, ROUGE-L and ROUGE-Lsum of one candidate.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RougeScores {
    /// Unigram overlap.
    pub rouge1: Score,
    /// Bigram overlap.
    pub rouge2: Score,
    /// Longest common subsequence of the whole texts.
    pub rouge_l: Score,
    /// Summary-level LCS over newline-separated sentences.
    pub rouge_lsum: Score,
}

/// ROUGE tokens of `text`: lowercase `[a-z0-9]+` runs, stemmed (NLTK's
/// Porter) when longer than three characters and `stem` is set.
pub fn tokenize(text: &str, stem: bool) -> Vec<String> {
    let lower = text.to_lowercase();
    lower
        .split(|c: char| !(c.is_ascii_lowercase() || c.is_ascii_digit()))
        .filter(|t| !t.is_empty())
        .map(|t| if stem && t.len() > 3 { porter::stem(t) } else { t.to_string() })
        .filter(|t| !t.is_empty())
        .collect()
}

fn ngrams(tokens: &[String], n: usize) -> FxHashMap<&[String], usize> {
    let mut m = FxHashMap::default();
    if tokens.len() >= n {
        for w in tokens.windows(n) {
            *m.entry(w).or_insert(0) += 1;
        }
    }
    m
}

/// ROUGE-N between token lists.
pub fn rouge_n(reference: &[String], candidate: &[String], n: usize) -> Score {
    let r = ngrams(reference, n);
    let c = ngrams(candidate, n);
    let overlap: usize = c.iter().map(|(g, &k)| k.min(r.get(g).copied().unwrap_or(0))).sum();
    let (rc, cc): (usize, usize) = (r.values().sum(), c.values().sum());
    let p = overlap as f64 / cc.max(1) as f64;
    let rr = overlap as f64 / rc.max(1) as f64;
    Score::new(p, rr)
}

fn lcs_table(a: &[String], b: &[String]) -> Vec<Vec<u32>> {
    let mut t = vec![vec![0u32; b.len() + 1]; a.len() + 1];
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            t[i][j] = if a[i - 1] == b[j - 1] {
                t[i - 1][j - 1] + 1
            } else {
                t[i - 1][j].max(t[i][j - 1])
            };
        }
    }
    t
}

/// ROUGE-L between token lists.
pub fn rouge_l(reference: &[String], candidate: &[String]) -> Score {
    if reference.is_empty() || candidate.is_empty() {
        return Score::default();
    }
    let lcs = lcs_table(reference, candidate)[reference.len()][candidate.len()] as f64;
    Score::new(lcs / candidate.len() as f64, lcs / reference.len() as f64)
}

/// Indices into `r` of one LCS with `c`, backtracking as rouge-score does.
fn lcs_indices(r: &[String], c: &[String]) -> Vec<usize> {
    let t = lcs_table(r, c);
    let (mut i, mut j) = (r.len(), c.len());
    let mut out = Vec::new();
    while i > 0 && j > 0 {
        if r[i - 1] == c[j - 1] {
            out.push(i - 1);
            i -= 1;
            j -= 1;
        } else if t[i][j - 1] > t[i - 1][j] {
            j -= 1;
        } else {
            i -= 1;
        }
    }
    out.reverse();
    out
}

/// ROUGE-Lsum between tokenized sentence lists.
pub fn rouge_lsum(reference: &[Vec<String>], candidate: &[Vec<String>]) -> Score {
    let m: usize = reference.iter().map(Vec::len).sum();
    let n: usize = candidate.iter().map(Vec::len).sum();
    if reference.is_empty() || candidate.is_empty() || m == 0 || n == 0 {
        return Score::default();
    }
    let mut count_r: FxHashMap<&str, usize> = FxHashMap::default();
    let mut count_c: FxHashMap<&str, usize> = FxHashMap::default();
    for t in reference.iter().flatten() {
        *count_r.entry(t).or_insert(0) += 1;
    }
    for t in candidate.iter().flatten() {
        *count_c.entry(t).or_insert(0) += 1;
    }
    let mut hits = 0usize;
    for r in reference {
        let mut union: Vec<usize> = candidate.iter().flat_map(|c| lcs_indices(r, c)).collect();
        union.sort_unstable();
        union.dedup();
        for i in union {
            let t = r[i].as_str();
            let (cc, cr) =
                (count_c.get(t).copied().unwrap_or(0), count_r.get(t).copied().unwrap_or(0));
            if cc > 0 && cr > 0 {
                hits += 1;
                count_c.insert(t, cc - 1);
                count_r.insert(t, cr - 1);
            }
        }
    }
    Score::new(hits as f64 / n as f64, hits as f64 / m as f64)
}

/// All four measures of `candidate` against `reference` (texts; for
/// ROUGE-Lsum, sentences are separated by newlines).
pub fn score(reference: &str, candidate: &str, stem: bool) -> RougeScores {
    let r = tokenize(reference, stem);
    let c = tokenize(candidate, stem);
    let sents = |t: &str| -> Vec<Vec<String>> {
        t.split('\n').filter(|s| !s.is_empty()).map(|s| tokenize(s, stem)).collect()
    };
    RougeScores {
        rouge1: rouge_n(&r, &c, 1),
        rouge2: rouge_n(&r, &c, 2),
        rouge_l: rouge_l(&r, &c),
        rouge_lsum: rouge_lsum(&sents(reference), &sents(candidate)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_like_rouge_score() {
        assert_eq!(tokenize("The cat's café, 2004!", false), ["the", "cat", "s", "caf", "2004"]);
        assert_eq!(tokenize("Running runners ran", true), ["run", "runner", "ran"]);
    }

    #[test]
    fn hand_computed() {
        let s = score("the cat sat on the mat", "the cat on the mat", false);
        // Unigrams: 5 of 5 candidate, 5 of 6 reference.
        assert!(
            (s.rouge1.precision - 1.0).abs() < 1e-12 && (s.rouge1.recall - 5.0 / 6.0).abs() < 1e-12
        );
        // Bigrams: the cat, on the, the mat = 3 of 4, 3 of 5.
        assert!((s.rouge2.precision - 0.75).abs() < 1e-12 && (s.rouge2.recall - 0.6).abs() < 1e-12);
        assert!((s.rouge_l.recall - 5.0 / 6.0).abs() < 1e-12);
        assert_eq!(score("", "x", false).rouge1.fmeasure, 0.0);
    }
}
