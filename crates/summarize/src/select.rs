//! From scores to a summary: budgets and maximal marginal relevance.

use crate::doc::Document;
use serde::{Deserialize, Serialize};

/// How long a summary may be.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum Budget {
    /// This many sentences.
    Sentences(usize),
    /// Sentences are added in rank order until the summary has at least
    /// this many words (the last one may run over: sentences are never cut).
    Words(usize),
    /// As `Words`, with this fraction of the article's words.
    Ratio(f64),
}

/// Picks sentences by `scores` within `budget`; with `mmr = Some(lambda)`,
/// each pick maximizes `lambda * score - (1 - lambda) * max similarity to
/// the picks so far` (Carbonell and Goldstein, 1998), scores scaled to
/// `0..=1`. Returns indices in document order. Ties go to the earlier
/// sentence. `sims` is the matrix of [`Document::similarities`], or empty:
/// then the rows MMR needs are computed for each pick
/// ([`Document::similarity_row`]), in memory linear in the sentences.
pub fn select(
    doc: &Document,
    scores: &[f64],
    sims: &[f32],
    budget: Budget,
    mmr: Option<f64>,
) -> Vec<usize> {
    select_anchored(doc, scores, sims, budget, mmr, &[])
}

/// [`select`], taking the `anchors` first (in the given order, as far as the
/// budget allows) and choosing the rest by score.
pub fn select_anchored(
    doc: &Document,
    scores: &[f64],
    sims: &[f32],
    budget: Budget,
    mmr: Option<f64>,
    anchors: &[usize],
) -> Vec<usize> {
    let n = doc.sentences.len();
    if n == 0 {
        return Vec::new();
    }
    let (lo, hi) =
        scores.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &s| (a.min(s), b.max(s)));
    let scaled: Vec<f64> =
        scores.iter().map(|&s| if hi > lo { (s - lo) / (hi - lo) } else { 1.0 }).collect();
    let total_words: usize = doc.sentences.iter().map(|s| s.words).sum();
    let enough = |picked: usize, words: usize| match budget {
        Budget::Sentences(k) => picked >= k,
        Budget::Words(w) => words >= w,
        Budget::Ratio(r) => picked > 0 && words as f64 >= r * total_words as f64,
    };
    let mut picked: Vec<usize> = Vec::new();
    let mut taken = vec![false; n];
    let mut words = 0;
    let mut anchors = anchors.iter().copied().filter(|&i| i < n);
    let Some(lambda) = mmr else {
        // Without MMR the order is fixed: anchors, then by score (ties to
        // the earlier sentence). One sort instead of a scan per pick, which
        // made long budgets on long texts quadratic.
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by(|&a, &b| scaled[b].total_cmp(&scaled[a]).then(a.cmp(&b)));
        for i in anchors.chain(order) {
            if enough(picked.len(), words) {
                break;
            }
            if !taken[i] {
                taken[i] = true;
                picked.push(i);
                words += doc.sentences[i].words;
            }
        }
        picked.sort_unstable();
        return picked;
    };
    let dense = sims.len() == n * n;
    let mut max_sim = vec![0.0f64; n];
    while picked.len() < n && !enough(picked.len(), words) {
        let mut best: Option<(f64, usize)> = None;
        if let Some(a) = anchors.by_ref().find(|&a| !taken[a]) {
            best = Some((f64::INFINITY, a));
        }
        for i in 0..n {
            if taken[i] || best.is_some_and(|(b, _)| b == f64::INFINITY) {
                continue;
            }
            let v = if picked.is_empty() {
                scaled[i]
            } else {
                lambda * scaled[i] - (1.0 - lambda) * max_sim[i]
            };
            if best.is_none_or(|(b, _)| v > b) {
                best = Some((v, i));
            }
        }
        let Some((_, i)) = best else { break };
        taken[i] = true;
        picked.push(i);
        words += doc.sentences[i].words;
        let row = if dense {
            std::borrow::Cow::Borrowed(&sims[i * n..(i + 1) * n])
        } else {
            std::borrow::Cow::Owned(doc.similarity_row(i))
        };
        for (m, &s) in max_sim.iter_mut().zip(row.iter()) {
            *m = m.max(s as f64);
        }
    }
    picked.sort_unstable();
    picked
}
