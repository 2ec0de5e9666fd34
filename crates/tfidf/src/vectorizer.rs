//! Fitting and applying the vectorizer.

use crate::container::{self, ContainerError};
use crate::count::{weigh, ColumnCounter, FitCounter, HashCounter, Rows, NGRAM_TAG};
use crate::csr::Csr;
use crate::error::{Error, Result};
use crate::params::{Hashing, TfidfSettings, TfidfValidParams};
use crate::vocab::{pack2, LookupIndex, Vocabulary, NONE};
use num_traits::Float;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use sift_tokenize::Analyzer;
use std::ops::Range;
use std::path::Path;
use std::sync::OnceLock;

/// What the columns are.
#[derive(Debug)]
enum Features {
    Vocab { vocab: Vocabulary, index: Box<OnceLock<LookupIndex>> },
    Hashed(Hashing),
}

/// A fitted TF-IDF (or hashing) vectorizer: settings, vocabulary and IDF.
///
/// Made by [`TfidfValidParams::fit`] or [`TfidfValidParams::fit_transform`];
/// saved and loaded with [`TfidfVectorizer::to_bytes`] /
/// [`TfidfVectorizer::from_bytes`] (or [`TfidfVectorizer::save`] /
/// [`TfidfVectorizer::load`] for a file of its own).
#[derive(Debug)]
pub struct TfidfVectorizer {
    settings: TfidfSettings,
    analyzer: Analyzer,
    features: Features,
    idf: Option<Vec<f64>>,
    n_docs: u64,
}

/// Splits `docs` into at most `parts` contiguous ranges of similar byte size.
fn byte_chunks<S: AsRef<str>>(docs: &[S], parts: usize) -> Vec<Range<usize>> {
    let total: usize = docs.iter().map(|d| d.as_ref().len() + 16).sum();
    let parts = parts.max(1);
    let per = total / parts + 1;
    let mut out = Vec::with_capacity(parts);
    let (mut start, mut acc) = (0, 0);
    for (i, d) in docs.iter().enumerate() {
        acc += d.as_ref().len() + 16;
        if acc >= per && out.len() + 1 < parts {
            out.push(start..i + 1);
            start = i + 1;
            acc = 0;
        }
    }
    if start < docs.len() || out.is_empty() {
        out.push(start..docs.len());
    }
    out
}

/// How many workers to fit with: one per rayon thread, or one for small input.
fn fit_parts<S: AsRef<str>>(docs: &[S]) -> usize {
    let threads = rayon::current_num_threads();
    let bytes: usize = docs.iter().map(|d| d.as_ref().len()).sum();
    if threads <= 1 || bytes < (1 << 18) || docs.len() < 4 * threads {
        1
    } else {
        threads
    }
}

/// Smoothed or plain IDF from document frequencies.
fn compute_idf(df: &[u64], n_docs: usize, smooth: bool) -> Vec<f64> {
    let s = if smooth { 1.0 } else { 0.0 };
    let n = n_docs as f64 + s;
    df.iter().map(|&d| (n / (d as f64 + s)).ln() + 1.0).collect()
}

/// Maps a row entry of a [`FitCounter`] to its column: unigram entries are
/// word indices, n-gram entries are tagged; `col_of` is indexed by local
/// feature (unigrams first).
struct ColumnMap<'m> {
    col_of: &'m [u32],
    n_uni: usize,
}

impl ColumnMap<'_> {
    #[inline]
    fn column(&self, entry: u32) -> u32 {
        let local = if entry & NGRAM_TAG != 0 {
            self.n_uni + (entry & !NGRAM_TAG) as usize
        } else {
            entry as usize
        };
        self.col_of[local]
    }
}

/// Weighs rows of raw counts into a CSR matrix of `T`.
fn build_rows<T: Float>(
    rows: &Rows,
    map: Option<ColumnMap<'_>>,
    ncols: usize,
    settings: &TfidfSettings,
    idf: Option<&[f64]>,
) -> Csr<T> {
    let nrows = rows.indptr.len() - 1;
    let mut indptr = Vec::with_capacity(nrows + 1);
    indptr.push(0);
    let mut indices: Vec<u32> = Vec::with_capacity(rows.feats.len());
    let mut data: Vec<T> = Vec::with_capacity(rows.feats.len());
    let mut pairs: Vec<u64> = Vec::new();
    let mut vals: Vec<f64> = Vec::new();
    let mut cols: Vec<u32> = Vec::new();
    for r in 0..nrows {
        let (a, b) = (rows.indptr[r], rows.indptr[r + 1]);
        cols.clear();
        vals.clear();
        match &map {
            Some(map) => {
                // Local features -> columns, sorted by column.
                pairs.clear();
                for k in a..b {
                    let c = map.column(rows.feats[k]);
                    if c != NONE {
                        pairs.push(((c as u64) << 32) | rows.counts[k] as u64);
                    }
                }
                pairs.sort_unstable();
                for &p in &pairs {
                    cols.push((p >> 32) as u32);
                    vals.push((p & 0xFFFF_FFFF) as f64);
                }
            }
            None => {
                cols.extend_from_slice(&rows.feats[a..b]);
                vals.extend(rows.counts[a..b].iter().map(|&c| c as f64));
            }
        }
        weigh(&mut vals, &cols, settings, idf);
        indices.extend_from_slice(&cols);
        data.extend(vals.iter().map(|&v| T::from(v).unwrap_or_else(T::nan)));
        indptr.push(indices.len());
    }
    Csr::from_parts_unchecked(nrows, ncols, indptr, indices, data)
}

/// Result of merging the workers' local vocabularies.
struct Merged {
    vocab: Vocabulary,
    /// Document frequency of each column.
    df: Vec<u64>,
    /// Per worker: local feature -> column, or [`NONE`] when pruned.
    col_of: Vec<Vec<u32>>,
}

/// The first 8 bytes of `s`, big-endian, zero-padded: comparing these
/// compares the strings' first 8 bytes (words hold no NUL).
#[inline]
fn prefix8(s: &str) -> u64 {
    let mut b = [0u8; 8];
    let n = s.len().min(8);
    b[..n].copy_from_slice(&s.as_bytes()[..n]);
    u64::from_be_bytes(b)
}

/// Indices `0..n` in the byte order of `get(i)`: an integer sort on 8-byte
/// prefixes, then full comparisons only within runs of equal prefixes
/// (hand-written: several times faster than comparing strings throughout).
fn sort_by_text<'t>(n: usize, get: impl Fn(usize) -> &'t str + Sync) -> Vec<u32> {
    let mut keyed: Vec<(u64, u32)> = (0..n).map(|i| (prefix8(get(i)), i as u32)).collect();
    keyed.par_sort_unstable();
    let mut i = 0;
    while i < n {
        let mut j = i + 1;
        while j < n && keyed[j].0 == keyed[i].0 {
            j += 1;
        }
        if j - i > 1 {
            // Equal 8-byte prefixes: both strings are at least 8 bytes long.
            keyed[i..j].sort_unstable_by(|a, b| {
                get(a.1 as usize).as_bytes()[8..].cmp(&get(b.1 as usize).as_bytes()[8..])
            });
        }
        i = j;
    }
    keyed.into_iter().map(|(_, i)| i).collect()
}

/// The sort key of a unigram or bigram given its words' ranks: ranks + 1 in
/// the high and low halves (0 in the low half for a unigram, which so sorts
/// before every bigram it starts).
#[inline]
fn short_key(ranks: &[u32]) -> u64 {
    pack2(ranks[0] + 1, ranks.get(1).map_or(0, |&r| r + 1))
}

/// A local feature on its way to a column: its words' ranks (packed for
/// unigrams and bigrams; for longer n-grams, the offset of its ranks in an
/// arena, shifted left by 8, plus their count), where it came from, and its
/// document frequency. 24 bytes: millions of these are sorted.
#[derive(Clone, Copy)]
struct Candidate {
    key: u64,
    worker: u32,
    local: u32,
    df: u32,
}

/// Merges local vocabularies into sorted columns, prunes by document
/// frequency and `max_features`, and maps every local feature to its column.
///
/// Column order is the sorted order of terms. A term's words never contain a
/// character at or below U+0020, so the order of `"w1 w2"` strings equals the
/// lexicographic order of their words' ranks, with a unigram before every
/// n-gram it starts: features are sorted by rank sequences, not by joining
/// strings. Workers' features are merged by one parallel sort of candidates
/// and a linear pass over equal keys (no global hash map), so two workers
/// cost little more than one.
fn merge(workers: &[FitCounter<'_>], s: &TfidfSettings, n_docs: usize) -> Result<Merged> {
    // 1. Each worker's words sorted by text (workers in parallel), then
    // merged into global ranks: the rank of every worker's local word, and
    // the distinct words in rank order in one string (terms are then built
    // reading it nearly in order). Sorting each worker's words and merging
    // the sorted lists replaced serial inserts into a global hash map.
    let single = workers.len() == 1;
    let orders: Vec<Vec<u32>> =
        workers.par_iter().map(|w| sort_by_text(w.words.len(), |i| w.words.key(i))).collect();
    let mut word_rank: Vec<Vec<u32>> = workers.iter().map(|w| vec![0u32; w.words.len()]).collect();
    let text_cap = workers.iter().map(|w| w.words.text_len()).max().unwrap_or(0);
    let mut ranked_text = String::with_capacity(text_cap);
    let mut ranked_end: Vec<u32> =
        Vec::with_capacity(orders.iter().map(Vec::len).max().unwrap_or(0));
    let mut pos = vec![0usize; workers.len()];
    let head = |wi: usize, p: usize| -> Option<&str> {
        orders[wi].get(p).map(|&g| workers[wi].words.key(g as usize))
    };
    loop {
        let mut least: Option<&str> = None;
        for (wi, &p) in pos.iter().enumerate() {
            if let Some(w) = head(wi, p) {
                if least.is_none_or(|l| w < l) {
                    least = Some(w);
                }
            }
        }
        let Some(word) = least else { break };
        let r = ranked_end.len() as u32;
        for (wi, p) in pos.iter_mut().enumerate() {
            if head(wi, *p) == Some(word) {
                word_rank[wi][orders[wi][*p] as usize] = r;
                *p += 1;
            }
        }
        ranked_text.push_str(word);
        if ranked_text.len() > u32::MAX as usize || ranked_end.len() >= u32::MAX as usize - 1 {
            return Err(Error::VocabularyTooLarge);
        }
        ranked_end.push(ranked_text.len() as u32);
    }
    drop(orders);
    if ranked_end.is_empty() {
        return Err(Error::EmptyVocabulary);
    }
    let ranked = |r: u32| {
        let start = if r == 0 { 0 } else { ranked_end[r as usize - 1] as usize };
        &ranked_text[start..ranked_end[r as usize] as usize]
    };
    // 3. Candidates from every worker, in parallel. With a single worker
    // the document frequencies are final, so pruning happens here, before
    // the sort.
    let short = s.analyzer.ngram_range.1 <= 2;
    let high = s.max_df.resolve(n_docs);
    let low = s.min_df.resolve(n_docs);
    if high < low {
        return Err(Error::DfRange { max: high, min: low });
    }
    let keep_df = |d: u64| (d as f64) <= high && (d as f64) >= low;
    let per_worker: Vec<(Vec<Candidate>, Vec<u32>)> = workers
        .par_iter()
        .enumerate()
        .map(|(wi, w)| {
            let to_rank = |u: u32| word_rank[wi][u as usize];
            let mut out = Vec::with_capacity(w.n_features());
            let mut long_ranks = Vec::new();
            let mut buf = Vec::new();
            for f in 0..w.n_features() {
                let df = w.df(f);
                if single && !keep_df(df as u64) {
                    continue;
                }
                w.feature_words(f, &mut buf);
                for u in buf.iter_mut() {
                    *u = to_rank(*u);
                }
                let key = if short {
                    short_key(&buf)
                } else {
                    let at = ((long_ranks.len() as u64) << 8) | buf.len() as u64;
                    long_ranks.extend_from_slice(&buf);
                    at
                };
                out.push(Candidate { key, worker: wi as u32, local: f as u32, df });
            }
            (out, long_ranks)
        })
        .collect();
    // One arena of long n-gram ranks: shift each worker's offsets.
    let mut long_ranks: Vec<u32> = Vec::new();
    let mut cands: Vec<Candidate> = Vec::with_capacity(per_worker.iter().map(|p| p.0.len()).sum());
    for (mut c, l) in per_worker {
        if !short {
            let base = (long_ranks.len() as u64) << 8;
            c.iter_mut().for_each(|x| x.key += base);
            long_ranks.extend_from_slice(&l);
        }
        cands.extend(c);
    }
    let ranks_of = |c: &Candidate| {
        let start = (c.key >> 8) as usize;
        &long_ranks[start..start + (c.key & 0xFF) as usize]
    };
    // 4. Sort by rank sequence; equal features from several workers end up
    // side by side (their order among themselves does not matter).
    if short {
        cands.par_sort_unstable_by_key(|c| c.key);
    } else {
        cands.par_sort_unstable_by(|a, b| ranks_of(a).cmp(ranks_of(b)));
    }
    // 5. Groups of equal features; prune by summed document frequency.
    let same = |a: &Candidate, b: &Candidate| {
        if short {
            a.key == b.key
        } else {
            ranks_of(a) == ranks_of(b)
        }
    };
    // (first candidate, end, df) of each kept group, in column order. In
    // parallel over chunks cut at group boundaries (millions of candidates
    // with bigrams: this and step 7 were most of the serial time with two
    // workers).
    let chunk_ranges = {
        let n = cands.len();
        let parts = (rayon::current_num_threads() * 4).min(n.max(1));
        let mut cuts = vec![0usize];
        for k in 1..parts {
            let mut p = (k * n / parts).max(*cuts.last().unwrap_or(&0));
            while p > 0 && p < n && same(&cands[p - 1], &cands[p]) {
                p += 1;
            }
            cuts.push(p);
        }
        cuts.push(n);
        cuts.windows(2).map(|w| w[0]..w[1]).filter(|r| !r.is_empty()).collect::<Vec<_>>()
    };
    let group_parts: Vec<Vec<(usize, usize, u64)>> = chunk_ranges
        .par_iter()
        .map(|r| {
            let mut out = Vec::with_capacity(r.len());
            let mut i = r.start;
            while i < r.end {
                let mut j = i + 1;
                let mut df = cands[i].df as u64;
                while j < r.end && same(&cands[i], &cands[j]) {
                    df += cands[j].df as u64;
                    j += 1;
                }
                if keep_df(df) {
                    out.push((i, j, df));
                }
                i = j;
            }
            out
        })
        .collect();
    let mut groups = Vec::with_capacity(group_parts.iter().map(Vec::len).sum());
    for g in group_parts {
        groups.extend_from_slice(&g);
    }
    // 6. Keep the most frequent terms; ties go to the earlier column
    // (alphabetical order): a stable rule on every platform.
    if let Some(limit) = s.max_features {
        if groups.len() > limit {
            let tf_of = |&(a, b, _): &(usize, usize, u64)| -> u64 {
                cands[a..b].iter().map(|c| workers[c.worker as usize].tf(c.local as usize)).sum()
            };
            let mut by_tf: Vec<(u64, usize)> =
                groups.iter().enumerate().map(|(pos, g)| (tf_of(g), pos)).collect();
            by_tf.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
            let mut keep = vec![false; groups.len()];
            for &(_, p) in &by_tf[..limit] {
                keep[p] = true;
            }
            let mut k = 0;
            groups.retain(|_| {
                k += 1;
                keep[k - 1]
            });
        }
    }
    if groups.is_empty() {
        return Err(Error::NoTermsAfterPruning { min: low, max: high, docs: n_docs });
    }
    // 7. Columns, vocabulary strings, document frequencies, and each
    // worker's local feature -> column map; in parallel over chunks of
    // columns (terms) and over workers (maps).
    let term_of = |g: &(usize, usize, u64), term: &mut String| {
        let c = &cands[g.0];
        if short {
            term.push_str(ranked((c.key >> 32) as u32 - 1));
            let second = (c.key & 0xFFFF_FFFF) as u32;
            if second != 0 {
                term.push(' ');
                term.push_str(ranked(second - 1));
            }
        } else {
            for (k, &r) in ranks_of(c).iter().enumerate() {
                if k > 0 {
                    term.push(' ');
                }
                term.push_str(ranked(r));
            }
        }
    };
    let per_chunk = groups.len().div_ceil(rayon::current_num_threads() * 4).max(1);
    let pieces: Vec<(String, Vec<usize>)> = groups
        .par_chunks(per_chunk)
        .map(|gs| {
            let mut text = String::new();
            let mut ends = Vec::with_capacity(gs.len());
            for g in gs {
                term_of(g, &mut text);
                ends.push(text.len());
            }
            (text, ends)
        })
        .collect();
    let total: usize = pieces.iter().map(|p| p.0.len()).sum();
    if total > u32::MAX as usize || groups.len() >= u32::MAX as usize - 1 {
        return Err(Error::VocabularyTooLarge);
    }
    let mut text = String::with_capacity(total);
    let mut ends = Vec::with_capacity(groups.len());
    for (t, e) in pieces {
        let base = text.len();
        text.push_str(&t);
        ends.extend(e.iter().map(|&x| (base + x) as u32));
    }
    let vocab = Vocabulary::from_raw(text, ends)?;
    let df: Vec<u64> = groups.iter().map(|g| g.2).collect();
    let col_of: Vec<Vec<u32>> = workers
        .par_iter()
        .enumerate()
        .map(|(wi, w)| {
            let mut map = vec![NONE; w.n_features()];
            for (col, &(a, b, _)) in groups.iter().enumerate() {
                for c in &cands[a..b] {
                    if c.worker as usize == wi {
                        map[c.local as usize] = col as u32;
                    }
                }
            }
            map
        })
        .collect();
    Ok(Merged { vocab, df, col_of })
}

impl TfidfValidParams {
    /// Learns the vocabulary and IDF of `docs`.
    pub fn fit<S: AsRef<str> + Sync>(&self, docs: &[S]) -> Result<TfidfVectorizer> {
        Ok(self.fit_impl::<S, f32>(docs, false)?.0)
    }

    /// Learns the vocabulary and IDF of `docs` and returns their matrix
    /// (`f32` values).
    pub fn fit_transform<S: AsRef<str> + Sync>(
        &self,
        docs: &[S],
    ) -> Result<(TfidfVectorizer, Csr<f32>)> {
        self.fit_transform_as::<S, f32>(docs)
    }

    /// [`TfidfValidParams::fit_transform`] with values of type `T` (`f64`
    /// for the exact scikit-learn values).
    pub fn fit_transform_as<S: AsRef<str> + Sync, T: Float + Send + Sync>(
        &self,
        docs: &[S],
    ) -> Result<(TfidfVectorizer, Csr<T>)> {
        let (v, m) = self.fit_impl::<S, T>(docs, true)?;
        Ok((v, m.unwrap_or_else(|| Csr::empty(0))))
    }

    /// Learns the vocabulary and IDF from an iterator of documents in one
    /// pass, keeping only the vocabulary, counts and one batch of documents
    /// in memory; batches are counted in parallel (one counter per thread).
    pub fn fit_iter<I, S>(&self, docs: I) -> Result<TfidfVectorizer>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let s = &self.settings;
        let analyzer = Analyzer::new(s.analyzer.clone())?;
        if s.hashing.is_some() || self.vocabulary.is_some() {
            // Both need only document frequencies of known columns: collect in batches.
            let mut df: Vec<u64> = Vec::new();
            let mut n_docs = 0usize;
            let mut batch: Vec<String> = Vec::with_capacity(1024);
            let mut it = docs.into_iter().peekable();
            let shell = self.unfitted(analyzer)?;
            while it.peek().is_some() {
                batch.clear();
                batch.extend(it.by_ref().take(1024).map(|d| d.as_ref().to_string()));
                n_docs += batch.len();
                let counts = shell.raw_counts(&batch);
                if df.len() < shell.n_features() {
                    df.resize(shell.n_features(), 0);
                }
                for &c in &counts.feats {
                    df[c as usize] += 1;
                }
            }
            if n_docs == 0 {
                return Err(Error::NoDocuments);
            }
            let idf = s.use_idf.then(|| compute_idf(&df, n_docs, s.smooth_idf));
            return Ok(TfidfVectorizer { idf, n_docs: n_docs as u64, ..shell });
        }
        let new_counter = || FitCounter::new(&analyzer, false, s.max_features.is_some(), s.binary);
        let threads = rayon::current_num_threads();
        let workers = if threads <= 1 {
            let mut counter = new_counter();
            for d in docs {
                counter.add(d.as_ref())?;
            }
            vec![counter]
        } else {
            // One counter per thread, fed batch by batch: memory holds the
            // counters' vocabularies and one batch. The merge does not depend
            // on which counter saw which document.
            const BATCH: usize = 2048;
            let mut workers: Vec<FitCounter<'_>> = (0..threads).map(|_| new_counter()).collect();
            let mut batch: Vec<String> = Vec::with_capacity(BATCH);
            let mut it = docs.into_iter();
            loop {
                batch.clear();
                batch.extend(it.by_ref().take(BATCH).map(|d| d.as_ref().to_string()));
                if batch.is_empty() {
                    break;
                }
                let parts = byte_chunks(&batch, threads.min(batch.len()));
                workers
                    .par_iter_mut()
                    .zip(parts)
                    .try_for_each(|(w, r)| batch[r].iter().try_for_each(|d| w.add(d)))?;
            }
            workers
        };
        let n_docs = workers.iter().map(|w| w.n_docs).sum::<usize>();
        if n_docs == 0 {
            return Err(Error::NoDocuments);
        }
        let merged = merge(&workers, s, n_docs)?;
        drop(workers);
        let idf = s.use_idf.then(|| compute_idf(&merged.df, n_docs, s.smooth_idf));
        Ok(TfidfVectorizer {
            settings: s.clone(),
            analyzer,
            features: Features::Vocab { vocab: merged.vocab, index: Box::default() },
            idf,
            n_docs: n_docs as u64,
        })
    }

    /// A vectorizer with columns but no IDF yet (hashing or fixed vocabulary).
    fn unfitted(&self, analyzer: Analyzer) -> Result<TfidfVectorizer> {
        let features = match (&self.settings.hashing, &self.vocabulary) {
            (Some(h), _) => Features::Hashed(*h),
            (None, Some(v)) => {
                Features::Vocab { vocab: Vocabulary::from_terms(v)?, index: Box::default() }
            }
            (None, None) => unreachable_features(),
        };
        Ok(TfidfVectorizer {
            settings: self.settings.clone(),
            analyzer,
            features,
            idf: None,
            n_docs: 0,
        })
    }

    fn fit_impl<S: AsRef<str> + Sync, T: Float + Send + Sync>(
        &self,
        docs: &[S],
        transform: bool,
    ) -> Result<(TfidfVectorizer, Option<Csr<T>>)> {
        let s = &self.settings;
        if docs.is_empty() {
            return Err(Error::NoDocuments);
        }
        let analyzer = Analyzer::new(s.analyzer.clone())?;
        if s.hashing.is_some() || self.vocabulary.is_some() {
            let mut v = self.unfitted(analyzer)?;
            let counts = v.raw_counts(docs);
            let mut df = vec![0u64; v.n_features()];
            for &c in &counts.feats {
                df[c as usize] += 1;
            }
            v.idf = s.use_idf.then(|| compute_idf(&df, docs.len(), s.smooth_idf));
            v.n_docs = docs.len() as u64;
            let m = transform.then(|| v.weigh_counts(&counts));
            return Ok((v, m));
        }
        let parts = byte_chunks(docs, fit_parts(docs));
        let track_tf = s.max_features.is_some();
        let workers: Vec<FitCounter<'_>> = parts
            .par_iter()
            .map(|r| {
                let mut c = FitCounter::new(&analyzer, transform, track_tf, s.binary);
                c.reserve_for(docs[r.clone()].iter().map(|d| d.as_ref().len()).sum());
                for d in &docs[r.clone()] {
                    c.add(d.as_ref())?;
                }
                Ok(c)
            })
            .collect::<Result<_>>()?;
        let n_docs = docs.len();
        let merged = merge(&workers, s, n_docs)?;
        let idf = s.use_idf.then(|| compute_idf(&merged.df, n_docs, s.smooth_idf));
        let ncols = merged.vocab.len();
        let matrix = if transform {
            let parts: Vec<Csr<T>> = workers
                .par_iter()
                .zip(merged.col_of.par_iter())
                .map(|(w, col_of)| {
                    let empty = Rows::new();
                    let map = ColumnMap { col_of, n_uni: w.n_features() - w.n_ngrams() };
                    build_rows(
                        w.rows.as_ref().unwrap_or(&empty),
                        Some(map),
                        ncols,
                        s,
                        idf.as_deref(),
                    )
                })
                .collect();
            Some(Csr::vstack(parts)?)
        } else {
            None
        };
        drop(workers);
        let v = TfidfVectorizer {
            settings: s.clone(),
            analyzer,
            features: Features::Vocab { vocab: merged.vocab, index: Box::default() },
            idf,
            n_docs: n_docs as u64,
        };
        Ok((v, matrix))
    }
}

fn unreachable_features() -> Features {
    // `unfitted` is only called with hashing or a fixed vocabulary.
    Features::Hashed(Hashing { n_features: 1, alternate_sign: false })
}

/// Raw counts of a batch: rows of (column, count), and for hashing the
/// signed sums as values.
struct Counts {
    indptr: Vec<usize>,
    feats: Vec<u32>,
    values: Vec<f64>,
}

impl TfidfVectorizer {
    /// The settings it was built with.
    pub fn settings(&self) -> &TfidfSettings {
        &self.settings
    }

    /// The analyzer (tokenizer pipeline).
    pub fn analyzer(&self) -> &Analyzer {
        &self.analyzer
    }

    /// The vocabulary, in column order (empty in hashing mode).
    pub fn vocabulary(&self) -> &Vocabulary {
        static EMPTY: OnceLock<Vocabulary> = OnceLock::new();
        match &self.features {
            Features::Vocab { vocab, .. } => vocab,
            Features::Hashed(_) => EMPTY.get_or_init(Vocabulary::default),
        }
    }

    /// The hashing settings, in hashing mode.
    pub fn hashing(&self) -> Option<Hashing> {
        match self.features {
            Features::Hashed(h) => Some(h),
            Features::Vocab { .. } => None,
        }
    }

    /// Number of columns.
    pub fn n_features(&self) -> usize {
        match &self.features {
            Features::Vocab { vocab, .. } => vocab.len(),
            Features::Hashed(h) => h.n_features as usize,
        }
    }

    /// Inverse document frequencies per column (`None` without `use_idf`).
    pub fn idf(&self) -> Option<&[f64]> {
        self.idf.as_deref()
    }

    /// Number of documents it was fitted on.
    pub fn n_docs(&self) -> u64 {
        self.n_docs
    }

    /// The column of `term` (an analyzed term, n-grams joined by one space).
    pub fn column_of(&self, term: &str) -> Option<usize> {
        match &self.features {
            Features::Vocab { .. } => {
                let index = self.index()?;
                let mut ids = Vec::new();
                for w in term.split(' ') {
                    ids.push(index.word_id(w)?);
                }
                let col = match ids.len() {
                    1 => Some(index.word_column(ids[0])).filter(|&c| c != NONE),
                    2 => index.bigrams.get(pack2(ids[0], ids[1])),
                    _ => index.long.get(ids.as_slice()).copied(),
                };
                col.map(|c| c as usize)
            }
            Features::Hashed(h) => {
                Some(crate::murmur::hashed_feature(term, h.n_features).0 as usize)
            }
        }
    }

    /// Builds the word -> column index on first use (loading stays cheap).
    fn index(&self) -> Option<&LookupIndex> {
        match &self.features {
            Features::Vocab { vocab, index } => {
                Some(index.get_or_init(|| LookupIndex::build(vocab).unwrap_or_default()))
            }
            Features::Hashed(_) => None,
        }
    }

    /// Builds the lookup index now rather than on the first transform.
    pub fn prepare(&self) {
        let _ = self.index();
    }

    /// Raw counts of `docs` (parallel over chunks, deterministic).
    fn raw_counts<S: AsRef<str> + Sync>(&self, docs: &[S]) -> Counts {
        let threads = rayon::current_num_threads();
        let chunk = (docs.len() / (4 * threads)).clamp(16, 4096);
        let parts: Vec<Counts> = docs
            .par_chunks(chunk)
            .map(|part| match &self.features {
                Features::Vocab { .. } => {
                    let index = self.index().unwrap_or_else(|| unreachable_index());
                    let mut c = ColumnCounter::new(&self.analyzer, index);
                    for d in part {
                        c.add(d.as_ref());
                    }
                    let Rows { indptr, feats, counts } = c.rows;
                    Counts { indptr, feats, values: counts.into_iter().map(|c| c as f64).collect() }
                }
                Features::Hashed(h) => {
                    let mut c = HashCounter::new(&self.analyzer, h.n_features, h.alternate_sign);
                    for d in part {
                        c.add(d.as_ref());
                    }
                    Counts { indptr: c.indptr, feats: c.cols, values: c.values }
                }
            })
            .collect();
        let mut out = Counts { indptr: vec![0], feats: Vec::new(), values: Vec::new() };
        for p in parts {
            let base = out.feats.len();
            out.indptr.extend(p.indptr[1..].iter().map(|&x| x + base));
            out.feats.extend_from_slice(&p.feats);
            out.values.extend_from_slice(&p.values);
        }
        out
    }

    fn weigh_counts<T: Float + Send>(&self, c: &Counts) -> Csr<T> {
        let nrows = c.indptr.len() - 1;
        let mut data: Vec<T> = Vec::with_capacity(c.values.len());
        let mut vals: Vec<f64> = Vec::new();
        for r in 0..nrows {
            let (a, b) = (c.indptr[r], c.indptr[r + 1]);
            vals.clear();
            vals.extend_from_slice(&c.values[a..b]);
            weigh(&mut vals, &c.feats[a..b], &self.settings, self.idf.as_deref());
            data.extend(vals.iter().map(|&v| T::from(v).unwrap_or_else(T::nan)));
        }
        Csr::from_parts_unchecked(nrows, self.n_features(), c.indptr.clone(), c.feats.clone(), data)
    }

    /// The TF-IDF matrix of `docs` (`f32` values).
    pub fn transform<S: AsRef<str> + Sync>(&self, docs: &[S]) -> Csr<f32> {
        self.transform_as::<S, f32>(docs)
    }

    /// [`TfidfVectorizer::transform`] with values of type `T`.
    pub fn transform_as<S: AsRef<str> + Sync, T: Float + Send>(&self, docs: &[S]) -> Csr<T> {
        let counts = self.raw_counts(docs);
        self.weigh_counts(&counts)
    }

    /// Transforms an iterator of documents in batches of `batch_size`, each
    /// batch in parallel: memory stays bounded by one batch whatever the
    /// corpus size.
    pub fn transform_batches<'a, I, S>(
        &'a self,
        docs: I,
        batch_size: usize,
    ) -> impl Iterator<Item = Csr<f32>> + 'a
    where
        I: IntoIterator<Item = S> + 'a,
        S: AsRef<str> + Sync + 'a,
    {
        let mut it = docs.into_iter();
        let batch_size = batch_size.max(1);
        std::iter::from_fn(move || {
            let batch: Vec<S> = it.by_ref().take(batch_size).collect();
            (!batch.is_empty()).then(|| self.transform(&batch))
        })
    }

    // ------------------------------------------------------------ persistence

    /// The vectorizer as bytes (postcard), for embedding in model files.
    pub fn to_bytes(&self) -> Vec<u8> {
        let state = StateRef {
            format: FORMAT_VERSION,
            settings: serde_json::to_string(&self.settings).unwrap_or_default(),
            features: match &self.features {
                Features::Vocab { vocab, .. } => {
                    let (text, ends) = vocab.raw();
                    FeaturesRef::Vocabulary { text, ends }
                }
                Features::Hashed(h) => FeaturesRef::Hashed(*h),
            },
            idf: self.idf.as_deref(),
            n_docs: self.n_docs,
        };
        // Serializing plain data into a Vec cannot fail.
        postcard::to_allocvec(&state).unwrap_or_default()
    }

    /// A vectorizer from [`TfidfVectorizer::to_bytes`] output.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let state: State = postcard::from_bytes(bytes)
            .map_err(|e| Error::Format(format!("cannot decode vectorizer: {e}")))?;
        if state.format > FORMAT_VERSION {
            return Err(Error::Format(format!(
                "vectorizer format {} is newer than this sift supports ({FORMAT_VERSION}); upgrade sift",
                state.format
            )));
        }
        let settings: TfidfSettings = serde_json::from_str(&state.settings)
            .map_err(|e| Error::Format(format!("cannot decode vectorizer settings: {e}")))?;
        let analyzer = Analyzer::new(settings.analyzer.clone())?;
        let features = match state.features {
            FeaturesState::Vocabulary { text, ends } => {
                Features::Vocab { vocab: Vocabulary::from_raw(text, ends)?, index: Box::default() }
            }
            FeaturesState::Hashed(h) => Features::Hashed(h),
        };
        let n_features = match &features {
            Features::Vocab { vocab, .. } => vocab.len(),
            Features::Hashed(h) => h.n_features as usize,
        };
        if let Some(idf) = &state.idf {
            if idf.len() != n_features || idf.iter().any(|v| !v.is_finite()) {
                return Err(Error::Format("IDF does not match the number of columns".into()));
            }
        }
        Ok(TfidfVectorizer { settings, analyzer, features, idf: state.idf, n_docs: state.n_docs })
    }

    /// Saves to a file of its own (magic, version, checksum), atomically.
    pub fn save(&self, path: &Path) -> Result<()> {
        let bytes = container::encode(MAGIC, FORMAT_VERSION, &self.to_bytes());
        container::write_atomic(path, &bytes)
            .map_err(|source| Error::Io { path: path.to_path_buf(), source })
    }

    /// Loads a file written by [`TfidfVectorizer::save`].
    pub fn load(path: &Path) -> Result<Self> {
        let bytes =
            std::fs::read(path).map_err(|source| Error::Io { path: path.to_path_buf(), source })?;
        let (_, payload) = container::decode(&bytes, MAGIC, "sift vectorizer", FORMAT_VERSION)
            .map_err(|e: ContainerError| Error::Format(format!("{}: {e}", path.display())))?;
        Self::from_bytes(payload)
    }
}

fn unreachable_index() -> &'static LookupIndex {
    static EMPTY: OnceLock<LookupIndex> = OnceLock::new();
    EMPTY.get_or_init(LookupIndex::default)
}

/// Magic number of a stand-alone vectorizer file.
pub const MAGIC: &[u8; 8] = b"SIFTTFID";
/// Current format version of the vectorizer state.
pub const FORMAT_VERSION: u32 = 1;

/// The saved state. Settings are JSON text (they use tagged enums, which
/// need a self-describing format, and are small); the bulk is binary.
#[derive(Serialize)]
struct StateRef<'a> {
    format: u32,
    settings: String,
    features: FeaturesRef<'a>,
    idf: Option<&'a [f64]>,
    n_docs: u64,
}

#[derive(Serialize)]
enum FeaturesRef<'a> {
    Vocabulary { text: &'a str, ends: &'a [u32] },
    Hashed(Hashing),
}

#[derive(Deserialize)]
struct State {
    format: u32,
    settings: String,
    features: FeaturesState,
    idf: Option<Vec<f64>>,
    n_docs: u64,
}

#[derive(Deserialize)]
enum FeaturesState {
    Vocabulary { text: String, ends: Vec<u32> },
    Hashed(Hashing),
}
