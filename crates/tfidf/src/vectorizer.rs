//! Fitting and applying the vectorizer.

use crate::colsort::{self, ColumnSort};
use crate::container::{self, ContainerError};
use crate::count::{
    extend_kept, sort_by_u32_key, sort_by_u64_key, weigh, weigh_tf, ColumnCounter, CountTf,
    FitCounter, HashCounter, Rows, NGRAM_TAG,
};
use crate::csr::Csr;
use crate::error::{Error, Result};
use crate::params::{Hashing, TfidfSettings, TfidfValidParams};
use crate::vocab::{pack2, LookupIndex, SavedIndex, Vocabulary, NONE};
use num_traits::Float;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use sift_tokenize::Analyzer;
use std::cmp::Ordering;
use std::ops::Range;
use std::path::Path;
use std::sync::atomic::{AtomicU32, Ordering as AtomicOrdering};
use std::sync::{Mutex, OnceLock};

/// What the columns are.
#[derive(Debug)]
enum Features {
    /// `saved`: what a loaded file kept of the index, taken when the index
    /// is built.
    Vocab {
        vocab: Vocabulary,
        index: Box<OnceLock<LookupIndex>>,
        saved: Mutex<Option<SavedIndex>>,
    },
    Hashed(Hashing),
}

impl Features {
    /// A vocabulary, its index built on first use (from `saved` if given).
    fn vocab(vocab: Vocabulary, saved: Option<SavedIndex>) -> Self {
        Features::Vocab { vocab, index: Box::default(), saved: Mutex::new(saved) }
    }
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

/// Documents a fitting worker takes at a time from its end of a segment.
const COUNT_CHUNK: usize = 32;

/// Documents counted together by one fitting worker, and the rows they
/// took in its counter.
#[derive(Debug)]
struct Chunk {
    docs: Range<usize>,
    rows: Range<usize>,
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

/// Smoothed or plain IDF from document frequencies, as scikit-learn's,
/// except for a column no fitted document has (a hashed column nothing fell
/// into, a term of a fixed vocabulary never seen) without smoothing:
/// scikit-learn's ln(n / 0) + 1 is infinite (with a warning), and turns any
/// later row holding that column into NaN. sift gives it the IDF of a term
/// in one document, ln(n) + 1, the highest a seen term can have, so every
/// IDF stays within [1, ln(n + 1) + 1] ([`idf_in_range`]). Rows of the
/// fitted documents never hold such a column, so fit_transform is unchanged.
///
/// Most columns have small document frequencies (Zipf), so the IDF of the
/// first [`IDF_TABLE`] frequencies is computed once into a table (the same
/// formula, so the same bits) and the columns, in parallel, look theirs up.
/// Hand-written, measured (temporary timers around this function, 20
/// Newsgroups with 1,048,576 hashed columns and IDF, 8 runs each): 6.4-10.2
/// ms on one thread and 7.2-13.5 ms on two with a logarithm per column
/// (serial whatever the pool), 1.8-6.6 ms and 1.0-3.2 ms now; that fit on
/// two threads (`examples/quicktime`, 8 alternating rounds) by a median 7%.
fn compute_idf(df: &[u64], n_docs: usize, smooth: bool) -> Vec<f64> {
    let s = if smooth { 1.0 } else { 0.0 };
    let n = n_docs as f64 + s;
    let idf_of = |d: u64| {
        let d = if smooth { d } else { d.max(1) };
        (n / (d as f64 + s)).ln() + 1.0
    };
    let table: Vec<f64> = (0..(n_docs + 1).min(IDF_TABLE) as u64).map(idf_of).collect();
    df.par_iter()
        .with_min_len(1 << 14)
        .map(|&d| {
            usize::try_from(d).ok().and_then(|d| table.get(d)).copied().unwrap_or_else(|| idf_of(d))
        })
        .collect()
}

/// Document frequencies below this take their IDF from [`compute_idf`]'s
/// table.
const IDF_TABLE: usize = 4096;

/// Whether a saved IDF is one [`compute_idf`] could give for `n_docs`
/// documents: finite and within [1, ln(n_docs + 1) + 1], with a margin for
/// rounding. Anything else comes from a damaged or hand-made file (and an
/// enormous IDF would overflow rows into infinities).
fn idf_in_range(idf: &[f64], n_docs: u64) -> bool {
    let top = (n_docs as f64 + 1.0).ln() + 1.0 + 1e-9;
    idf.iter().all(|&v| v.is_finite() && (1.0 - 1e-9..=top).contains(&v))
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

/// Builds a CSR matrix of `T` from blocks of rows, in place and in
/// parallel.
///
/// `blocks` holds each block's `indptr` over its input entries (a slice of a
/// longer `indptr` may start above 0). The
/// blocks are cut into pieces of similar size, and `fill(block, rows, out)`
/// writes the rows of one piece into `out`: row `r`'s entries start at
/// `indptr[r] - indptr[rows.start]` in `out.indices` / `out.data`, and it
/// records how many it wrote in `out.kept[r - rows.start]` (at most its
/// input count: rows may drop entries, never add them). Rows that dropped
/// entries leave gaps, closed by one serial pass afterwards.
///
/// Writing in place replaced one matrix per worker followed by a serial
/// copy into the result: that copy, and the imbalance between workers, were
/// a sixth of the two-thread fit.
fn assemble<T, F>(blocks: &[&[usize]], ncols: usize, fill: F) -> Csr<T>
where
    T: Float + Send,
    F: Fn(usize, Range<usize>, Out<'_, T>) + Sync,
{
    let total: usize = blocks.iter().map(|b| b[b.len() - 1] - b[0]).sum();
    let nrows: usize = blocks.iter().map(|b| b.len() - 1).sum();
    let mut indices = vec![0u32; total];
    let mut data = vec![T::zero(); total];
    let mut kept = vec![0usize; nrows];
    let target = total / (rayon::current_num_threads() * 8) + 1;
    let mut pieces = Vec::new();
    {
        let (mut ri, mut rd, mut rk) = (&mut indices[..], &mut data[..], &mut kept[..]);
        for (bi, ip) in blocks.iter().enumerate() {
            let n = ip.len() - 1;
            let mut a = 0;
            while a < n {
                let mut b = a + 1;
                while b < n && ip[b] - ip[a] < target {
                    b += 1;
                }
                let len = ip[b] - ip[a];
                let (i, ri2) = std::mem::take(&mut ri).split_at_mut(len);
                let (d, rd2) = std::mem::take(&mut rd).split_at_mut(len);
                let (k, rk2) = std::mem::take(&mut rk).split_at_mut(b - a);
                (ri, rd, rk) = (ri2, rd2, rk2);
                pieces.push((bi, a..b, Out { indices: i, data: d, kept: k }));
                a = b;
            }
        }
    }
    pieces.into_par_iter().for_each(|(bi, rows, out)| fill(bi, rows, out));
    let mut indptr = Vec::with_capacity(nrows + 1);
    indptr.push(0);
    let mut write = 0;
    let mut r = 0;
    let mut base = 0;
    for ip in blocks {
        for w in ip.windows(2) {
            let (from, k) = (base + w[0] - ip[0], kept[r]);
            if from != write {
                indices.copy_within(from..from + k, write);
                data.copy_within(from..from + k, write);
            }
            write += k;
            indptr.push(write);
            r += 1;
        }
        base += ip[ip.len() - 1] - ip[0];
    }
    indices.truncate(write);
    data.truncate(write);
    if write < total / 2 {
        // Heavy pruning (`max_features`, `min_df`): give the rest back.
        indices.shrink_to_fit();
        data.shrink_to_fit();
    }
    Csr::from_parts_unchecked(nrows, ncols, indptr, indices, data)
}

/// Where [`assemble`] has one piece of rows written.
struct Out<'a, T> {
    indices: &'a mut [u32],
    data: &'a mut [T],
    kept: &'a mut [usize],
}

/// Scratch buffers for weighing rows.
#[derive(Default)]
struct RowScratch {
    pairs: Vec<u64>,
    pairs_tmp: Vec<u64>,
    vals: Vec<f64>,
    cols: Vec<u32>,
}

impl RowScratch {
    /// Weighs the row in `self.cols` / `self.vals` and writes it at `at`.
    fn write<T: Float>(
        &mut self,
        s: &TfidfSettings,
        idf: Option<&[f64]>,
        out: &mut Out<'_, T>,
        at: usize,
    ) -> usize {
        weigh(&mut self.vals, &self.cols, s, idf);
        self.put(out, at)
    }

    /// Writes the weighed row in `self.cols` / `self.vals` at `at`.
    fn put<T: Float>(&self, out: &mut Out<'_, T>, at: usize) -> usize {
        let k = self.cols.len();
        out.indices[at..at + k].copy_from_slice(&self.cols);
        for (o, &v) in out.data[at..at + k].iter_mut().zip(&self.vals) {
            *o = T::from(v).unwrap_or_else(T::nan);
        }
        k
    }
}

/// Fills a piece of a fitted matrix from a worker's rows: local features to
/// columns (dropping pruned ones), sorted by column, weighed. Rows of
/// [`colsort::MIN_ENTRIES`] or more are sorted through a [`ColumnSort`]
/// taken from `sorts` (made when none is free, given back at the end).
fn fill_mapped<T: Float>(
    rows: &Rows,
    map: &ColumnMap<'_>,
    range: Range<usize>,
    mut out: Out<'_, T>,
    s: &TfidfSettings,
    idf: Option<&[f64]>,
    sorts: &Sorts,
) {
    let mut sc = RowScratch::default();
    let mut sort = sorts.take();
    let tf = CountTf::new(s);
    let first = rows.indptr[range.start];
    for r in range.clone() {
        let (a, b) = (rows.indptr[r], rows.indptr[r + 1]);
        sc.cols.clear();
        sc.vals.clear();
        match &mut sort {
            Some(set) if b - a >= colsort::MIN_ENTRIES => {
                for k in a..b {
                    let c = map.column(rows.feats[k]);
                    if c != NONE {
                        set.insert(c, rows.counts[k]);
                    }
                }
                set.drain_into(&mut sc.cols);
                sc.vals.extend(sc.cols.iter().map(|&c| tf.of(set.value(c))));
            }
            _ => {
                // Pruned features are dropped without a branch
                // (`extend_kept`): with `min_df`, whether a feature survived
                // is as good as random. Measured (examples/trainphases,
                // scikit-learn's settings with min_df 2, one thread, 8
                // alternating runs, best of 3 each): vectorizing 178-208 ->
                // 171-193 ms; the same output.
                sc.pairs.clear();
                extend_kept(&mut sc.pairs, a..b, |k| {
                    let c = map.column(rows.feats[k]);
                    (((c as u64) << 32) | rows.counts[k] as u64, c != NONE)
                });
                // Columns are distinct: sorting by them sorts the pairs.
                sort_by_u32_key(&mut sc.pairs, &mut sc.pairs_tmp, |p| (p >> 32) as u32);
                for &p in &sc.pairs {
                    sc.cols.push((p >> 32) as u32);
                    sc.vals.push(tf.of(p as u32));
                }
            }
        }
        weigh_tf(&mut sc.vals, &sc.cols, s, idf);
        out.kept[r - range.start] = sc.put(&mut out, a - first);
    }
    sorts.give_back(sort);
}

/// The [`ColumnSort`]s of one matrix assembly, one per piece being filled at
/// a time (so at most one per thread): a set holds a value per column, too
/// large to make for every piece.
struct Sorts {
    ncols: usize,
    free: Mutex<Vec<ColumnSort>>,
}

impl Sorts {
    fn new(ncols: usize) -> Self {
        Sorts { ncols, free: Mutex::new(Vec::new()) }
    }

    /// A free set, or a new one; `None` for vocabularies wider than a set.
    fn take(&self) -> Option<ColumnSort> {
        if self.ncols > colsort::MAX_COLUMNS {
            return None;
        }
        // Nothing panics while the lock is held, so it is never poisoned;
        // the list is sound either way.
        let free = self.free.lock().unwrap_or_else(|e| e.into_inner()).pop();
        Some(free.unwrap_or_else(|| ColumnSort::new(self.ncols)))
    }

    fn give_back(&self, sort: Option<ColumnSort>) {
        if let Some(sort) = sort {
            self.free.lock().unwrap_or_else(|e| e.into_inner()).push(sort);
        }
    }
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

/// Indices `0..n` in the byte order of `get(i)`, each with its
/// [`prefix8`]: an integer sort on 8-byte prefixes, then full comparisons
/// only within runs of equal prefixes (hand-written: several times faster
/// than comparing strings throughout).
fn sort_by_text<'t>(n: usize, get: impl Fn(usize) -> &'t str + Sync) -> Vec<(u64, u32)> {
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
    keyed
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
#[derive(Clone, Copy, Default)]
struct Candidate {
    key: u64,
    worker: u32,
    local: u32,
    df: u32,
}

/// Keeps the `limit` items (columns, in column order) with the largest total
/// counts; ties go to the earlier column (alphabetical order), a stable rule
/// on every platform.
fn keep_most_frequent<T>(items: &mut Vec<T>, limit: usize, tf: impl Fn(&T) -> u64) {
    let mut by_tf: Vec<(u64, usize)> =
        items.iter().enumerate().map(|(pos, g)| (tf(g), pos)).collect();
    by_tf.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut keep = vec![false; items.len()];
    for &(_, p) in &by_tf[..limit.min(by_tf.len())] {
        keep[p] = true;
    }
    let mut k = 0;
    items.retain(|_| {
        k += 1;
        keep[k - 1]
    });
}

/// Cuts sorted lists (of lengths `lens`, items distinct within a list) into
/// `parts` segments, at pivots of the longest list: in every other list a
/// segment starts at its first item not before the pivot (`before(a, b)`
/// orders item `a.1` of list `a.0` against item `b.1` of list `b.0`), so
/// equal items of several lists land in the same segment and the segments'
/// merges, laid end to end, are the merge of the whole lists. Each segment
/// holds one range per list.
fn k_way_segments(
    lens: &[usize],
    parts: usize,
    before: impl Fn((usize, usize), (usize, usize)) -> Ordering,
) -> Vec<Vec<Range<usize>>> {
    let Some(longest) = (0..lens.len()).max_by_key(|&l| (lens[l], usize::MAX - l)) else {
        return Vec::new();
    };
    let mut cuts: Vec<Vec<usize>> = vec![vec![0; lens.len()]];
    for k in 1..parts.max(1) {
        let prev = &cuts[cuts.len() - 1];
        let i = (k * lens[longest] / parts).max(prev[longest]);
        let row: Vec<usize> = (0..lens.len())
            .map(|l| {
                if l == longest || i >= lens[longest] {
                    // The pivot itself; or, the longest list used up, the
                    // rest of every list in the segments after.
                    return if l == longest { i } else { lens[l] };
                }
                // The first item from the last cut that does not sort before
                // the pivot (the items before it do, in a sorted list).
                let (mut lo, mut hi) = (prev[l], lens[l]);
                while lo < hi {
                    let mid = (lo + hi) / 2;
                    if before((l, mid), (longest, i)).is_lt() {
                        lo = mid + 1;
                    } else {
                        hi = mid;
                    }
                }
                lo
            })
            .collect();
        cuts.push(row);
    }
    cuts.push(lens.to_vec());
    cuts.windows(2).map(|w| w[0].iter().zip(&w[1]).map(|(&a, &b)| a..b).collect()).collect()
}

/// One segment of the merge of the workers' sorted words in [`merge`]: the
/// rank of each word of each list in the segment (by position), and the
/// segment's distinct words in order, as text and end offsets, with (for
/// unigrams only) their document frequencies summed over the workers.
#[derive(Default)]
struct KWay {
    ranks: Vec<Vec<u32>>,
    text: String,
    ends: Vec<u32>,
    df: Vec<u64>,
}

/// How many parts the n-gram merge cuts its candidates and groups into:
/// one on one thread (its groups are then the vocabulary's terms in one
/// piece, step 7), four per thread otherwise.
fn merge_parts() -> usize {
    let threads = rayon::current_num_threads();
    if threads <= 1 {
        1
    } else {
        threads * 4
    }
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
    let orders: Vec<Vec<(u64, u32)>> =
        workers.par_iter().map(|w| sort_by_text(w.words.len(), |i| w.words.key(i))).collect();
    let mut word_rank: Vec<Vec<u32>> = workers.iter().map(|w| vec![0u32; w.words.len()]).collect();
    let text_cap = workers.iter().map(|w| w.words.text_len()).max().unwrap_or(0);
    let mut ranked_text = String::with_capacity(text_cap);
    let mut ranked_end: Vec<u32> =
        Vec::with_capacity(orders.iter().map(Vec::len).max().unwrap_or(0));
    // Heads compare by their 8-byte prefixes first (equal prefixes: both
    // words are the same short word, or both are long; then the text
    // decides).
    let word = |wi: usize, p: usize| workers[wi].words.key(orders[wi][p].1 as usize);
    let before = |a: (usize, usize), b: (usize, usize)| {
        let (ka, kb) = (orders[a.0][a.1].0, orders[b.0][b.1].0);
        ka.cmp(&kb).then_with(|| word(a.0, a.1).cmp(word(b.0, b.1)))
    };
    // Unigrams only: each word's document frequency is summed over the
    // workers as the words are merged, in the segments' threads, instead
    // of in a serial pass over every worker's words afterwards (one more
    // pass per worker).
    let unigrams = s.analyzer.ngram_range == (1, 1);
    let local_df = |wi: usize, p: usize| workers[wi].df(orders[wi][p].1 as usize) as u64;
    // One rank: the word at `(wi, p)` (and its equals in other workers,
    // already given the same rank by the caller) gets the next number.
    let push_rank = |ranked_text: &mut String, ranked_end: &mut Vec<u32>, wi, p| {
        ranked_text.push_str(word(wi, p));
        if ranked_text.len() > u32::MAX as usize || ranked_end.len() >= u32::MAX as usize - 1 {
            return Err(Error::VocabularyTooLarge);
        }
        ranked_end.push(ranked_text.len() as u32);
        Ok(())
    };
    // The lists are merged in segments cut at the same words in every list
    // (one segment per thread). This step is on the critical path of a
    // two-thread fit; each step waits on a read of a word's text, so it is
    // slow for its size: 20 Newsgroups unigrams, 6-11 ms in one segment.
    // Measured with two segments (examples/quicktime, best of 15): the
    // two-thread unigram fit 116-119 -> 112-116 ms.
    let k = workers.len();
    let lens: Vec<usize> = orders.iter().map(Vec::len).collect();
    let parts = if lens.iter().sum::<usize>() < 1 << 12 { 1 } else { rayon::current_num_threads() };
    let segments = k_way_segments(&lens, parts, before);
    let merged: Vec<KWay> = if k <= 2 {
        // One or two workers (one or two threads, the common case): a
        // two-pointer merge.
        segments
            .into_par_iter()
            .map(|seg| {
                // One worker: its list, and an empty second.
                let (ra, rb) = (seg[0].clone(), seg.get(1).cloned().unwrap_or(0..0));
                let mut out = KWay { ranks: vec![Vec::new(), Vec::new()], ..KWay::default() };
                let (mut i, mut j) = (ra.start, rb.start);
                while i < ra.end || j < rb.end {
                    let order = if j == rb.end {
                        Ordering::Less
                    } else if i == ra.end {
                        Ordering::Greater
                    } else {
                        before((0, i), (1, j))
                    };
                    let r = out.ends.len() as u32;
                    if order.is_le() {
                        out.ranks[0].push(r);
                        push_rank(&mut out.text, &mut out.ends, 0, i)?;
                        if unigrams {
                            out.df.push(local_df(0, i));
                        }
                        i += 1;
                    }
                    if order.is_ge() {
                        out.ranks[1].push(r);
                        if order.is_gt() {
                            push_rank(&mut out.text, &mut out.ends, 1, j)?;
                            if unigrams {
                                out.df.push(local_df(1, j));
                            }
                        } else if let Some(df) = out.df.last_mut() {
                            *df += local_df(1, j);
                        }
                        j += 1;
                    }
                }
                Ok(out)
            })
            .collect::<Result<_>>()?
    } else {
        // Three workers or more (as many as threads): the k-way merge, in
        // segments as the two-way merge. It was one serial loop, which more
        // threads made longer. Measured on the 2-core development host
        // (temporary timers, 20 Newsgroups unigram fit, best of 5): the
        // whole merge 45-49 -> 34-45 ms on 4 threads, 67-74 -> 40-57 ms on 8
        // (two segments at a time there; on as many cores as threads, all
        // of them); the fit on 8 threads (`examples/quicktime`, 8
        // alternating rounds) about 10% faster. One or two threads: within
        // noise. The same output.
        segments
            .into_par_iter()
            .map(|seg| {
                let mut out = KWay { ranks: vec![Vec::new(); k], ..KWay::default() };
                let mut pos: Vec<usize> = seg.iter().map(|r| r.start).collect();
                loop {
                    let mut least: Option<(usize, usize)> = None;
                    for (wi, &p) in pos.iter().enumerate() {
                        if p < seg[wi].end && least.is_none_or(|l| before((wi, p), l).is_lt()) {
                            least = Some((wi, p));
                        }
                    }
                    let Some(least) = least else { break };
                    let r = out.ends.len() as u32;
                    let mut df = 0;
                    for (wi, p) in pos.iter_mut().enumerate() {
                        if *p < seg[wi].end && (wi == least.0 || before((wi, *p), least).is_eq()) {
                            out.ranks[wi].push(r);
                            if unigrams {
                                df += local_df(wi, *p);
                            }
                            *p += 1;
                        }
                    }
                    push_rank(&mut out.text, &mut out.ends, least.0, least.1)?;
                    if unigrams {
                        out.df.push(df);
                    }
                }
                Ok(out)
            })
            .collect::<Result<_>>()?
    };
    // Segments in order: shift their ranks and text offsets.
    let rank_df: Vec<u64> = merged.iter().flat_map(|m| &m.df).copied().collect();
    {
        let mut base_rank = Vec::with_capacity(merged.len());
        for m in &merged {
            base_rank.push(ranked_end.len() as u32);
            let at = ranked_text.len();
            ranked_text.push_str(&m.text);
            if ranked_text.len() > u32::MAX as usize
                || ranked_end.len() + m.ends.len() >= u32::MAX as usize - 1
            {
                return Err(Error::VocabularyTooLarge);
            }
            ranked_end.extend(m.ends.iter().map(|&e| e + at as u32));
        }
        word_rank.par_iter_mut().zip(orders.par_iter()).enumerate().for_each(|(wi, (wr, ord))| {
            let mut p = 0;
            for (m, &base) in merged.iter().zip(&base_rank) {
                // One worker: its list only (the second is empty).
                for &r in m.ranks.get(wi).into_iter().flatten() {
                    wr[ord[p].1 as usize] = base + r;
                    p += 1;
                }
            }
        });
    }
    drop(orders);
    if ranked_end.is_empty() {
        return Err(Error::EmptyVocabulary);
    }
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
    if unigrams {
        let ranked = RankedWords { text: ranked_text, ends: ranked_end, df: rank_df };
        return merge_unigrams(workers, s, n_docs, word_rank, ranked, keep_df);
    }
    // Several workers' unigrams and bigrams (none pruned yet: document
    // frequencies are summed over workers first) are collected in parallel
    // straight into one vector. Collected per worker and then copied into
    // one, the copy (tens of megabytes, its pages faulted in by one thread)
    // took 5-17 ms of a two-thread 20 Newsgroups uni+bigram fit (temporary
    // timers); with the groups below kept in their parts, that fit's merge
    // went from 106-126 to 81-117 ms, and the whole fit (examples/quicktime,
    // 10 alternating runs, best of 4 each) from 361-467 to 303-453 ms,
    // lower at 9 ranks of 10. The same output.
    let (mut cands, long_ranks) = if short && !single {
        let mut bases = Vec::with_capacity(workers.len() + 1);
        bases.push(0usize);
        for w in workers {
            bases.push(bases[bases.len() - 1] + w.n_features());
        }
        let total = bases[workers.len()];
        let cands: Vec<Candidate> = (0..total)
            .into_par_iter()
            .with_min_len(1 << 14)
            .map(|i| {
                let wi = bases.partition_point(|&b| b <= i) - 1;
                let (w, f) = (&workers[wi], i - bases[wi]);
                let rank = |u: u32| word_rank[wi][u as usize];
                let key = match w.short_feature(f) {
                    (first, None) => short_key(&[rank(first)]),
                    (first, Some(second)) => short_key(&[rank(first), rank(second)]),
                };
                Candidate { key, worker: wi as u32, local: f as u32, df: w.df(f) }
            })
            .collect();
        (cands, Vec::new())
    } else {
        let mut per_worker: Vec<(Vec<Candidate>, Vec<u32>)> = workers
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
        // One worker (pruned here), or n-grams of more than two words from
        // several, whose ranks go to one arena: each worker's offsets are
        // shifted. (A single worker's candidates are taken as they are:
        // copying them, tens of megabytes for bigrams, took 16 ms of a
        // one-thread 20 Newsgroups uni+bigram fit.)
        if per_worker.len() == 1 {
            per_worker.pop().unwrap_or_default()
        } else {
            let mut long_ranks: Vec<u32> = Vec::new();
            let mut cands: Vec<Candidate> =
                Vec::with_capacity(per_worker.iter().map(|p| p.0.len()).sum());
            for (mut c, l) in per_worker {
                let base = (long_ranks.len() as u64) << 8;
                c.iter_mut().for_each(|x| x.key += base);
                long_ranks.extend_from_slice(&l);
                cands.extend(c);
            }
            (cands, long_ranks)
        }
    };
    let ranks_of = |c: &Candidate| {
        let start = (c.key >> 8) as usize;
        &long_ranks[start..start + (c.key & 0xFF) as usize]
    };
    // 4. Sort by rank sequence; equal features from several workers end up
    // side by side (their order among themselves does not matter).
    // On one thread, unigram and bigram keys (two ranks below 2^k each,
    // packed into the two halves of a `u64`) are packed again into their
    // 2k bits and sorted by radix, in as few passes as those bits need
    // (three for 20 Newsgroups). Measured (examples/quicktime, uni+bigram,
    // 1.2 million candidates, 8 alternating runs, best of 3 each): the
    // one-thread fit 559-728 -> 541-608 ms, with the copy above. On two
    // threads rayon's parallel sort stays (the radix sort, on one, made the
    // fit slower: 333-400 -> 356-444 ms).
    if short && rayon::current_num_threads() <= 1 {
        let used = cands.iter().fold(0u64, |m, c| m | c.key);
        let k = 32 - ((used >> 32) as u32 | used as u32).leading_zeros();
        let mut tmp = Vec::new();
        sort_by_u64_key(&mut cands, &mut tmp, |c| (c.key >> 32) << k | (c.key & 0xFFFF_FFFF));
    } else if short {
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
        let parts = merge_parts().min(n.max(1));
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
    let mut group_parts: Vec<Vec<(usize, usize, u64)>> = chunk_ranges
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
    // The groups stay in their parts, which steps 6 and 7 take as they are
    // (column = the part's first column + the group's place in it): joined
    // into one vector, this step (with the copy, a serial pass over tens of
    // megabytes faulting in their pages) took 10-20 ms of a two-thread
    // uni+bigram fit, now 4-9 ms (temporary timers).
    // 6. Keep the most frequent terms; ties go to the earlier column
    // (alphabetical order): a stable rule on every platform.
    let mut n_groups: usize = group_parts.iter().map(Vec::len).sum();
    if let Some(limit) = s.max_features {
        if n_groups > limit {
            let mut groups: Vec<_> = group_parts.concat();
            keep_most_frequent(&mut groups, limit, |&(a, b, _)| {
                cands[a..b].iter().map(|c| workers[c.worker as usize].tf(c.local as usize)).sum()
            });
            // At most `limit` groups: cut again into parts.
            n_groups = groups.len();
            let per = n_groups.div_ceil(merge_parts()).max(1);
            group_parts = groups.chunks(per).map(<[_]>::to_vec).collect();
        }
    }
    if n_groups == 0 {
        return Err(Error::NoTermsAfterPruning { min: low, max: high, docs: n_docs });
    }
    // 7. Columns, vocabulary strings, document frequencies, and each
    // worker's local feature -> column map; in parallel over chunks of
    // columns (terms and maps).
    // Terms are written as bytes, each word copied from `padded` (the
    // ranked words and 16 bytes more) with `push_word`. Measured
    // (temporary timers, 20 Newsgroups uni+bigram fit, 1.2 million terms,
    // 5 runs): this step took 40-45 ms on one thread and 20-41 ms on two,
    // now 27-36 and 18-23 ms. (Sizing the pieces up front, at 16 bytes a
    // term, did no better here, and two-thread fits in `xtask vec-child`
    // then slowed down, with more page faults, in 6 runs of 12: 0.43-0.56 s
    // against 0.35-0.41 s.) The same vocabulary.
    let mut padded = Vec::with_capacity(ranked_text.len() + PAD);
    padded.extend_from_slice(ranked_text.as_bytes());
    padded.extend_from_slice(&[0u8; PAD]);
    let push_ranked = |term: &mut Vec<u8>, r: u32| {
        let start = if r == 0 { 0 } else { ranked_end[r as usize - 1] as usize };
        push_word(term, &padded, start, ranked_end[r as usize] as usize);
    };
    let term_of = |g: &(usize, usize, u64), term: &mut Vec<u8>| {
        let c = &cands[g.0];
        if short {
            push_ranked(term, (c.key >> 32) as u32 - 1);
            let second = (c.key & 0xFFFF_FFFF) as u32;
            if second != 0 {
                term.push(b' ');
                push_ranked(term, second - 1);
            }
        } else {
            for (k, &r) in ranks_of(c).iter().enumerate() {
                if k > 0 {
                    term.push(b' ');
                }
                push_ranked(term, r);
            }
        }
    };
    // One piece per part (one on one thread: then it is the vocabulary's
    // text as it is, not copied).
    let pieces: Vec<(String, Vec<usize>)> = group_parts
        .par_iter()
        .map(|gs| {
            let mut text = Vec::new();
            let mut ends = Vec::with_capacity(gs.len());
            for g in gs {
                term_of(g, &mut text);
                ends.push(text.len());
            }
            // Whole words of valid text, joined by spaces: always valid
            // (the lossy path, which would never run, keeps this free of
            // panics).
            let text = String::from_utf8(text)
                .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
            (text, ends)
        })
        .collect();
    let total: usize = pieces.iter().map(|p| p.0.len()).sum();
    if total > u32::MAX as usize || n_groups >= u32::MAX as usize - 1 {
        return Err(Error::VocabularyTooLarge);
    }
    let mut ends = Vec::with_capacity(n_groups);
    let mut base = 0;
    for (t, e) in &pieces {
        ends.extend(e.iter().map(|&x| (base + x) as u32));
        base += t.len();
    }
    let text = if pieces.len() == 1 {
        pieces.into_iter().next().map(|p| p.0).unwrap_or_default()
    } else {
        let mut text = String::with_capacity(total);
        for (t, _) in &pieces {
            text.push_str(t);
        }
        text
    };
    let vocab = Vocabulary::from_raw(text, ends)?;
    let df: Vec<u64> = group_parts.iter().flatten().map(|g| g.2).collect();
    // Each worker's local feature -> column map, filled over chunks of
    // columns in parallel. Every candidate is in one group at most, so each
    // slot is stored once (or never: pruned) and the maps do not depend on
    // the order of the stores; atomic slots let threads share the maps
    // without locks (a relaxed store is a plain store on x86-64), and they
    // are turned into plain numbers in place. One map per worker, each
    // scanning every candidate, kept this step at 17-23 ms on two threads,
    // against 15 ms on one. Measured (examples/quicktime, uni+bigram, 8
    // alternating runs, best of 3 each): two threads 298-349 -> 303-342 ms,
    // lower at most ranks; one thread (6 runs) 529-589 -> 521-562 ms.
    let maps: Vec<Vec<AtomicU32>> = workers
        .par_iter()
        .map(|w| (0..w.n_features()).map(|_| AtomicU32::new(NONE)).collect())
        .collect();
    let mut first_col = Vec::with_capacity(group_parts.len());
    let mut next = 0;
    for gs in &group_parts {
        first_col.push(next);
        next += gs.len();
    }
    group_parts.par_iter().zip(&first_col).for_each(|(gs, &first)| {
        for (k, &(a, b, _)) in gs.iter().enumerate() {
            let col = (first + k) as u32;
            for c in &cands[a..b] {
                maps[c.worker as usize][c.local as usize].store(col, AtomicOrdering::Relaxed);
            }
        }
    });
    let col_of: Vec<Vec<u32>> =
        maps.into_par_iter().map(|m| m.into_iter().map(AtomicU32::into_inner).collect()).collect();
    Ok(Merged { vocab, df, col_of })
}

/// Step 3 onwards of [`merge`] for unigrams only: a feature is a word, so
/// its column follows from its rank with no sort. Document frequencies are
/// summed per rank, pruned, and kept ranks numbered in order; the result is
/// the same as the general path's.
fn merge_unigrams(
    workers: &[FitCounter<'_>],
    s: &TfidfSettings,
    n_docs: usize,
    word_rank: Vec<Vec<u32>>,
    ranked: RankedWords,
    keep_df: impl Fn(u64) -> bool,
) -> Result<Merged> {
    let RankedWords { text: ranked_text, ends: ranked_end, df } = ranked;
    let n_ranks = ranked_end.len();
    let mut kept: Vec<u32> = (0..n_ranks as u32).filter(|&r| keep_df(df[r as usize])).collect();
    // Keep the most frequent terms; ties go to the earlier column, as in
    // the general path.
    if let Some(limit) = s.max_features {
        if kept.len() > limit {
            let mut tf = vec![0u64; n_ranks];
            for (w, ranks) in workers.iter().zip(&word_rank) {
                for (u, &r) in ranks.iter().enumerate() {
                    tf[r as usize] += w.tf(u);
                }
            }
            keep_most_frequent(&mut kept, limit, |&r| tf[r as usize]);
        }
    }
    if kept.is_empty() {
        let (high, low) = (s.max_df.resolve(n_docs), s.min_df.resolve(n_docs));
        return Err(Error::NoTermsAfterPruning { min: low, max: high, docs: n_docs });
    }
    if kept.len() == n_ranks {
        // Nothing pruned: the ranked words are the vocabulary, and each
        // word's rank its column.
        let vocab = Vocabulary::from_raw(ranked_text, ranked_end)?;
        return Ok(Merged { vocab, df, col_of: word_rank });
    }
    let mut col_of_rank = vec![NONE; n_ranks];
    let mut text = String::new();
    let mut ends = Vec::with_capacity(kept.len());
    for (col, &r) in kept.iter().enumerate() {
        col_of_rank[r as usize] = col as u32;
        let start = if r == 0 { 0 } else { ranked_end[r as usize - 1] as usize };
        text.push_str(&ranked_text[start..ranked_end[r as usize] as usize]);
        ends.push(text.len() as u32);
    }
    let vocab = Vocabulary::from_raw(text, ends)?;
    let df = kept.iter().map(|&r| df[r as usize]).collect();
    let col_of = word_rank
        .par_iter()
        .map(|ranks| ranks.iter().map(|&r| col_of_rank[r as usize]).collect())
        .collect();
    Ok(Merged { vocab, df, col_of })
}

/// The workers' distinct words in sorted order (their ranks), as one text
/// and end offsets, with (unigrams only) their document frequencies.
struct RankedWords {
    text: String,
    ends: Vec<u32>,
    df: Vec<u64>,
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
                if !s.use_idf {
                    // Without IDF, fitting only counts the documents.
                    n_docs += it.by_ref().take(1024).count();
                    continue;
                }
                batch.clear();
                batch.extend(it.by_ref().take(1024).map(|d| d.as_ref().to_string()));
                n_docs += batch.len();
                let counts = shell.raw_counts(&batch);
                if df.len() < shell.n_features() {
                    df.resize(shell.n_features(), 0);
                }
                for &c in counts.iter().flat_map(|c| &c.feats) {
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
            features: Features::vocab(merged.vocab, None),
            idf,
            n_docs: n_docs as u64,
        })
    }

    /// A vectorizer with columns but no IDF yet (hashing or fixed vocabulary).
    fn unfitted(&self, analyzer: Analyzer) -> Result<TfidfVectorizer> {
        let features = match (&self.settings.hashing, &self.vocabulary) {
            (Some(h), _) => Features::Hashed(*h),
            (None, Some(v)) => Features::vocab(Vocabulary::from_terms(v)?, None),
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
        self.fit_with_workers(docs, transform, fit_parts(docs))
    }

    /// [`Self::fit_impl`] with `workers` counters (at most; tests use more
    /// than the threshold of [`fit_parts`] would give them).
    fn fit_with_workers<S: AsRef<str> + Sync, T: Float + Send + Sync>(
        &self,
        docs: &[S],
        transform: bool,
        workers: usize,
    ) -> Result<(TfidfVectorizer, Option<Csr<T>>)> {
        let s = &self.settings;
        if docs.is_empty() {
            return Err(Error::NoDocuments);
        }
        let analyzer = Analyzer::new(s.analyzer.clone())?;
        if s.hashing.is_some() || self.vocabulary.is_some() {
            let mut v = self.unfitted(analyzer)?;
            let counts = v.raw_counts(docs);
            // Document frequencies only feed the IDF (a serial pass of random
            // increments over a table of up to millions of columns).
            v.idf = s.use_idf.then(|| {
                let mut df = vec![0u64; v.n_features()];
                for &c in counts.iter().flat_map(|c| &c.feats) {
                    df[c as usize] += 1;
                }
                compute_idf(&df, docs.len(), s.smooth_idf)
            });
            v.n_docs = docs.len() as u64;
            let m = transform.then(|| v.weigh_counts(&counts));
            return Ok((v, m));
        }
        // Segments of similar byte size, each counted by two workers from
        // its two ends until they meet (one worker in the last segment when
        // their number is odd). Corpora are often sorted by source or topic,
        // and topics differ in how much counting they cost per byte: in two
        // fixed halves, the first half of 20 Newsgroups (comp.*, with code
        // and encoded files) took 5-15 ms longer than the second. Where the
        // workers meet changes no output (vocabularies merge by text).
        // Measured (examples/quicktime, best of 9, two threads): the
        // workers now finish within 0-2 ms of each other; unigram fit
        // 111-116 -> 109-113 ms, stemmed 146-148 -> 139-141 ms.
        let segments = byte_chunks(docs, workers.div_ceil(2));
        let track_tf = s.max_features.is_some();
        let ends: Vec<Mutex<Range<usize>>> = segments.iter().cloned().map(Mutex::new).collect();
        let counted: Vec<(FitCounter<'_>, Vec<Chunk>)> = (0..workers.min(2 * segments.len()))
            .into_par_iter()
            .map(|w| {
                let (seg, front) = (w / 2, w % 2 == 0);
                let mut c = FitCounter::new(&analyzer, transform, track_tf, s.binary);
                let bytes: usize =
                    docs[segments[seg].clone()].iter().map(|d| d.as_ref().len()).sum();
                c.reserve_for(if workers > 1 { bytes / 2 } else { bytes });
                let mut chunks = Vec::new();
                loop {
                    let take = {
                        // Nothing in this block panics, so the lock is
                        // never poisoned; its range is sound either way.
                        let mut left = ends[seg].lock().unwrap_or_else(|e| e.into_inner());
                        let n = left.len().min(COUNT_CHUNK);
                        if n == 0 {
                            break;
                        }
                        if front {
                            left.start += n;
                            left.start - n..left.start
                        } else {
                            left.end -= n;
                            left.end..left.end + n
                        }
                    };
                    let first = c.n_docs;
                    for d in prefetching(&docs[take.clone()]) {
                        c.add(d)?;
                    }
                    chunks.push(Chunk { docs: take, rows: first..c.n_docs });
                }
                Ok((c, chunks))
            })
            .collect::<Result<_>>()?;
        let (workers, per_worker): (Vec<FitCounter<'_>>, Vec<Vec<Chunk>>) =
            counted.into_iter().unzip();
        // Every chunk, in document order, as (worker, its rows).
        let mut chunks: Vec<(usize, Chunk)> = per_worker
            .into_iter()
            .enumerate()
            .flat_map(|(w, cs)| cs.into_iter().map(move |c| (w, c)))
            .collect();
        chunks.sort_unstable_by_key(|(_, c)| c.docs.start);
        // A front worker's chunks follow each other in rows too: one block.
        chunks.dedup_by(|next, prev| {
            let joins = next.0 == prev.0 && next.1.rows.start == prev.1.rows.end;
            if joins {
                prev.1.docs.end = next.1.docs.end;
                prev.1.rows.end = next.1.rows.end;
            }
            joins
        });
        let n_docs = docs.len();
        let merged = merge(&workers, s, n_docs)?;
        let idf = s.use_idf.then(|| compute_idf(&merged.df, n_docs, s.smooth_idf));
        let ncols = merged.vocab.len();
        let matrix = transform.then(|| {
            let empty = Rows::new();
            let rows: Vec<&Rows> =
                workers.iter().map(|w| w.rows.as_ref().unwrap_or(&empty)).collect();
            let maps: Vec<ColumnMap<'_>> = workers
                .iter()
                .zip(&merged.col_of)
                .map(|(w, col_of)| ColumnMap { col_of, n_uni: w.n_features() - w.n_ngrams() })
                .collect();
            let blocks: Vec<&[usize]> = chunks
                .iter()
                .map(|(w, c)| &rows[*w].indptr[c.rows.start..c.rows.end + 1])
                .collect();
            let sorts = Sorts::new(ncols);
            assemble(&blocks, ncols, |b, range, out| {
                let (w, c) = &chunks[b];
                let range = range.start + c.rows.start..range.end + c.rows.start;
                fill_mapped(rows[*w], &maps[*w], range, out, s, idf.as_deref(), &sorts)
            })
        });
        drop(workers);
        let v = TfidfVectorizer {
            settings: s.clone(),
            analyzer,
            features: Features::vocab(merged.vocab, None),
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
    values: CountValues,
}

/// The stored values of [`Counts`].
enum CountValues {
    /// Counts against a vocabulary, kept as counted and widened to `f64`
    /// row by row as they are weighed: a whole-block `f64` copy (8 bytes per
    /// stored value, 15 MB for the 20 Newsgroups test texts with the
    /// default model) was written once and read once.
    Counts(Vec<u32>),
    /// Signed counts of hashed features.
    Signed(Vec<f64>),
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
            Features::Vocab { vocab, index, saved } => Some(index.get_or_init(|| {
                // A saved index that does not fit is rebuilt, never trusted.
                let saved = saved.lock().ok().and_then(|mut s| s.take());
                saved
                    .and_then(|s| LookupIndex::from_saved(vocab, &s).ok())
                    .or_else(|| LookupIndex::build(vocab).ok())
                    .unwrap_or_default()
            })),
            Features::Hashed(_) => None,
        }
    }

    /// Builds the lookup index now rather than on the first transform.
    pub fn prepare(&self) {
        let _ = self.index();
    }

    /// Raw counts of `docs`, in blocks of rows counted in parallel, each
    /// block's counter starting with cold word caches (every distinct word
    /// of a block is analyzed, and stemmed, again).
    ///
    /// With a fitted vocabulary, one byte-balanced block per thread (blocks
    /// of at least 16 documents). Before, at least four blocks: predicting
    /// the 20 Newsgroups test texts on one thread took 306-313 against
    /// 278-281 ms with the default (stemmed, uni+bigram) model, and
    /// 151-155 against 144-149 ms with scikit-learn's settings; `sift
    /// label --jsonl` of 12,772 BBC paragraphs on one thread (batches of
    /// 256 records, four blocks each before) 0.49-0.54 against 0.32-0.37 s.
    ///
    /// In hashing mode, inputs over 256 KiB in four byte-balanced blocks,
    /// or one per thread if more: eight blocks on two threads made the 20
    /// Newsgroups hashing fit 9% slower than four, while one block on one
    /// thread was 5% slower (its tables outgrow the processor's caches).
    /// Smaller inputs in blocks of at least 16 documents.
    fn raw_counts<S: AsRef<str> + Sync>(&self, docs: &[S]) -> Vec<Counts> {
        let threads = rayon::current_num_threads();
        let parts: Vec<Range<usize>> = match self.features {
            Features::Vocab { .. } => byte_chunks(docs, threads.min(docs.len().div_ceil(16))),
            Features::Hashed(_) => {
                let bytes: usize = docs.iter().map(|d| d.as_ref().len()).sum();
                if bytes >= (1 << 18) {
                    byte_chunks(docs, threads.max(4))
                } else {
                    let chunk = (docs.len() / (4 * threads)).clamp(16, 4096);
                    (0..docs.len()).step_by(chunk).map(|a| a..(a + chunk).min(docs.len())).collect()
                }
            }
        };
        parts
            .par_iter()
            .map(|r| &docs[r.clone()])
            .map(|part| match &self.features {
                Features::Vocab { .. } => {
                    let index = self.index().unwrap_or_else(|| unreachable_index());
                    let bytes = part.iter().map(|d| d.as_ref().len()).sum();
                    let mut c = ColumnCounter::new(&self.analyzer, index, bytes);
                    for d in prefetching(part) {
                        c.add(d);
                    }
                    let Rows { indptr, feats, counts } = c.rows;
                    Counts { indptr, feats, values: CountValues::Counts(counts) }
                }
                Features::Hashed(h) => {
                    let mut c = HashCounter::new(&self.analyzer, h.n_features, h.alternate_sign);
                    for d in prefetching(part) {
                        c.add(d);
                    }
                    Counts {
                        indptr: c.indptr,
                        feats: c.cols,
                        values: CountValues::Signed(c.values),
                    }
                }
            })
            .collect()
    }

    /// Weighs counted blocks of rows into one matrix (in parallel).
    fn weigh_counts<T: Float + Send>(&self, parts: &[Counts]) -> Csr<T> {
        let blocks: Vec<&[usize]> = parts.iter().map(|c| &c.indptr[..]).collect();
        let (s, idf) = (&self.settings, self.idf.as_deref());
        assemble(&blocks, self.n_features(), |b, range, mut out| {
            let c = &parts[b];
            let mut sc = RowScratch::default();
            let first = c.indptr[range.start];
            for r in range.clone() {
                let (a, e) = (c.indptr[r], c.indptr[r + 1]);
                sc.cols.clear();
                sc.cols.extend_from_slice(&c.feats[a..e]);
                sc.vals.clear();
                match &c.values {
                    CountValues::Counts(v) => sc.vals.extend(v[a..e].iter().map(|&x| x as f64)),
                    CountValues::Signed(v) => sc.vals.extend_from_slice(&v[a..e]),
                }
                out.kept[r - range.start] = sc.write(s, idf, &mut out, a - first);
            }
        })
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
        let saved = match &self.features {
            Features::Vocab { vocab, .. } => self.index().and_then(|i| i.saved(vocab)),
            Features::Hashed(_) => None,
        };
        // Format 3: the arrays as little-endian byte strings (see
        // [`FORMAT_VERSION`]).
        let ends_bytes;
        let extra_ends_bytes;
        let idf_bytes = self.idf.as_deref().map(f64s_le);
        let state = StateRefV3 {
            format: FORMAT_VERSION,
            settings: serde_json::to_string(&self.settings).unwrap_or_default(),
            features: match &self.features {
                Features::Vocab { vocab, .. } => {
                    let (text, ends) = vocab.raw();
                    ends_bytes = u32s_le(ends);
                    FeaturesRefV3::Vocabulary { text, ends: Bytes(&ends_bytes) }
                }
                Features::Hashed(h) => FeaturesRefV3::Hashed(*h),
            },
            idf: idf_bytes.as_deref().map(Bytes),
            n_docs: self.n_docs,
            index: match saved.as_ref() {
                Some(s) => {
                    let (text, ends) = s.extra_words.raw();
                    extra_ends_bytes = u32s_le(ends);
                    Some(SavedIndexRefV3 {
                        extra_text: text,
                        extra_ends: Bytes(&extra_ends_bytes),
                        pairs: Bytes(&s.pairs),
                    })
                }
                None => None,
            },
        };
        // Serializing plain data into a Vec cannot fail.
        postcard::to_allocvec(&state).unwrap_or_default()
    }

    /// A vectorizer from [`TfidfVectorizer::to_bytes`] output.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let undecodable =
            |e: postcard::Error| Error::Format(format!("cannot decode vectorizer: {e}"));
        let (format, _) = postcard::take_from_bytes::<u32>(bytes).map_err(undecodable)?;
        if format > FORMAT_VERSION {
            return Err(Error::Format(format!(
                "vectorizer format {format} is newer than this sift supports ({FORMAT_VERSION}); upgrade sift"
            )));
        }
        let (state, saved) = match format {
            0 | 1 => (postcard::from_bytes::<State>(bytes).map_err(undecodable)?, None),
            2 => {
                let s: StateV2<'_> = postcard::from_bytes(bytes).map_err(undecodable)?;
                let saved = match s.index {
                    Some(i) => Some(SavedIndex {
                        extra_words: Vocabulary::from_raw(i.extra_text, i.extra_ends)?,
                        pairs: i.pairs.to_vec(),
                    }),
                    None => None,
                };
                (s.state, saved)
            }
            _ => {
                let s: StateV3<'_> = postcard::from_bytes(bytes).map_err(undecodable)?;
                s.into_state()?
            }
        };
        let settings: TfidfSettings = serde_json::from_str(&state.settings)
            .map_err(|e| Error::Format(format!("cannot decode vectorizer settings: {e}")))?;
        let analyzer = Analyzer::new(settings.analyzer.clone())?;
        let features = match state.features {
            FeaturesState::Vocabulary { text, ends } => {
                Features::vocab(Vocabulary::from_raw(text, ends)?, saved)
            }
            FeaturesState::Hashed(h) => {
                // A damaged or hand-made file could hold any count (0
                // columns would divide by zero on the first transform).
                if !h.has_valid_size() {
                    return Err(Error::Format(format!(
                        "hashing into {} columns, expected 1 to 2^31-1",
                        h.n_features
                    )));
                }
                Features::Hashed(h)
            }
        };
        // Fitting keeps features hashed exactly when the settings hash.
        let hashed = match &features {
            Features::Hashed(h) => Some(*h),
            Features::Vocab { .. } => None,
        };
        if hashed != settings.hashing {
            return Err(Error::Format("the settings and the features disagree on hashing".into()));
        }
        let n_features = match &features {
            Features::Vocab { vocab, .. } => vocab.len(),
            Features::Hashed(h) => h.n_features as usize,
        };
        if let Some(idf) = &state.idf {
            if idf.len() != n_features {
                return Err(Error::Format(format!(
                    "{} IDF values for {n_features} columns",
                    idf.len()
                )));
            }
            if !idf_in_range(idf, state.n_docs) {
                return Err(Error::Format(format!(
                    "an IDF value outside 1 to ln({} + 1) + 1, impossible for {} documents",
                    state.n_docs, state.n_docs
                )));
            }
        }
        Ok(TfidfVectorizer { settings, analyzer, features, idf: state.idf, n_docs: state.n_docs })
    }

    /// The bytes of a file of its own (magic, version, checksum), as
    /// [`TfidfVectorizer::save`] writes and [`TfidfVectorizer::load`] reads.
    pub fn to_file_bytes(&self) -> Vec<u8> {
        container::encode(MAGIC, FORMAT_VERSION, &self.to_bytes())
    }

    /// Saves to a file of its own (magic, version, checksum), atomically.
    pub fn save(&self, path: &Path) -> Result<()> {
        let bytes = self.to_file_bytes();
        container::write_atomic(path, &bytes)
            .map_err(|source| Error::Io { path: path.to_path_buf(), source })
    }

    /// Loads a file written by [`TfidfVectorizer::save`].
    pub fn load(path: &Path) -> Result<Self> {
        let bytes =
            std::fs::read(path).map_err(|source| Error::Io { path: path.to_path_buf(), source })?;
        Self::from_file_bytes(&bytes).map_err(|e| match e {
            Error::Format(m) => Error::Format(format!("{}: {m}", path.display())),
            other => other,
        })
    }

    /// Reads the bytes of a file written by [`TfidfVectorizer::save`]
    /// (checked: magic, version, length, checksum, then the contents).
    pub fn from_file_bytes(bytes: &[u8]) -> Result<Self> {
        let (_, payload) = container::decode(bytes, MAGIC, "sift vectorizer", FORMAT_VERSION)
            .map_err(|e: ContainerError| Error::Format(e.to_string()))?;
        Self::from_bytes(payload)
    }
}

fn unreachable_index() -> &'static LookupIndex {
    static EMPTY: OnceLock<LookupIndex> = OnceLock::new();
    EMPTY.get_or_init(LookupIndex::default)
}

/// Magic number of a stand-alone vectorizer file.
pub const MAGIC: &[u8; 8] = b"SIFTTFID";
/// Current format version of the vectorizer state. Format 2 adds what the
/// word-to-column index needs to be rebuilt without looking up every
/// bigram's words (the words found only in n-grams, and each bigram's key
/// and column). Format 3 writes the same fields, with the term ends, the
/// IDF values and the extra words' ends as little-endian byte strings
/// instead of sequences of numbers: postcard decodes a sequence one varint
/// at a time into a vector that grows by copying, which was 15% of loading
/// a 20 Newsgroups model in a fresh process. Formats 1 and 2 are still
/// read (format 1's index is built from the vocabulary).
pub const FORMAT_VERSION: u32 = 3;

/// The state formats 1 and 2 wrote (format 1 without `index`); now
/// written only by tests, which check that old files still load. Settings
/// are JSON text (they use tagged enums, which need a self-describing
/// format, and are small); the bulk is binary.
/// Bytes of padding [`push_word`] may read past a word.
const PAD: usize = 16;

/// Appends `src[a..b]` to `out`. A word of at most [`PAD`] bytes is copied
/// as a fixed block of that size and cut to its length, which compiles to
/// a few moves; a copy of its own length was a call to `memcpy` per word.
/// `src` must hold [`PAD`] bytes after its last word.
#[inline(always)]
fn push_word(out: &mut Vec<u8>, src: &[u8], a: usize, b: usize) {
    let len = out.len();
    if b - a <= PAD && a + PAD <= src.len() {
        out.extend_from_slice(&src[a..a + PAD]);
        out.truncate(len + b - a);
    } else {
        out.extend_from_slice(&src[a..b]);
    }
}

/// The documents' texts in order, asking the cache for the next document's
/// first bytes ([`prefetch_text`]) as each one is handed out.
///
/// A document is an allocation of its own, so the counters' first reads of
/// each one missed the cache until the processor's prefetcher caught on:
/// perf put a quarter of the word scanner's samples on its first load of
/// a block, and 13% with this prefetch. Measured (examples/quicktime,
/// unigram fit, one thread, alternating runs, best of 5 each): 8 runs,
/// 168-179 ms without, 164-177 ms with the first 512 bytes, 163-177 ms
/// with 2 KiB; 12 more runs, 168-184 ms without, 171-181 ms with 512
/// bytes (lower at 10 ranks of 12). A small gain; the same output.
fn prefetching<S: AsRef<str>>(docs: &[S]) -> impl Iterator<Item = &str> {
    docs.iter().enumerate().map(|(i, d)| {
        if let Some(next) = docs.get(i + 1) {
            prefetch_text(next.as_ref());
        }
        d.as_ref()
    })
}

/// Starts loading the first cache lines of a document's text.
#[inline(always)]
fn prefetch_text(doc: &str) {
    let b = doc.as_bytes();
    for at in (0..b.len().min(PREFETCH_TEXT)).step_by(64) {
        crate::prefetch(&b[at]);
    }
}

/// How many of a document's first bytes [`prefetch_text`] asks for.
const PREFETCH_TEXT: usize = 512;

#[cfg(test)]
#[derive(Serialize)]
struct StateRef<'a> {
    format: u32,
    settings: String,
    features: FeaturesRef<'a>,
    idf: Option<&'a [f64]>,
    n_docs: u64,
    /// Since format 2.
    index: Option<SavedIndexRef<'a>>,
}

/// A byte string, written as one (serde writes a `[u8]` as a sequence).
struct Bytes<'a>(&'a [u8]);

impl Serialize for Bytes<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_bytes(self.0)
    }
}

#[cfg(test)]
#[derive(Serialize)]
struct SavedIndexRef<'a> {
    extra_text: &'a str,
    extra_ends: &'a [u32],
    pairs: Bytes<'a>,
}

/// Format 2's state (format 1's, and the saved index).
#[derive(Deserialize)]
struct StateV2<'a> {
    /// postcard writes a struct's fields one after the other, with nothing
    /// around them: format 1's fields, then the new one.
    state: State,
    #[serde(borrow)]
    index: Option<SavedIndexState<'a>>,
}

#[derive(Deserialize)]
struct SavedIndexState<'a> {
    extra_text: String,
    extra_ends: Vec<u32>,
    pairs: &'a [u8],
}

/// Format 3's state, as written: formats 1 and 2's `StateRef` with the
/// arrays as byte strings.
#[derive(Serialize)]
struct StateRefV3<'a> {
    format: u32,
    settings: String,
    features: FeaturesRefV3<'a>,
    idf: Option<Bytes<'a>>,
    n_docs: u64,
    index: Option<SavedIndexRefV3<'a>>,
}

#[derive(Serialize)]
enum FeaturesRefV3<'a> {
    Vocabulary { text: &'a str, ends: Bytes<'a> },
    Hashed(Hashing),
}

#[derive(Serialize)]
struct SavedIndexRefV3<'a> {
    extra_text: &'a str,
    extra_ends: Bytes<'a>,
    pairs: Bytes<'a>,
}

/// Format 3's state, as read: its byte strings borrow the input.
#[derive(Deserialize)]
struct StateV3<'a> {
    _format: u32,
    settings: String,
    #[serde(borrow)]
    features: FeaturesV3<'a>,
    #[serde(borrow)]
    idf: Option<&'a [u8]>,
    n_docs: u64,
    #[serde(borrow)]
    index: Option<SavedIndexV3<'a>>,
}

#[derive(Deserialize)]
enum FeaturesV3<'a> {
    Vocabulary {
        text: &'a str,
        #[serde(borrow)]
        ends: &'a [u8],
    },
    Hashed(Hashing),
}

#[derive(Deserialize)]
struct SavedIndexV3<'a> {
    extra_text: &'a str,
    #[serde(borrow)]
    extra_ends: &'a [u8],
    #[serde(borrow)]
    pairs: &'a [u8],
}

impl StateV3<'_> {
    /// The state and saved index it holds; a byte string that is not a
    /// whole number of values is an error.
    fn into_state(self) -> Result<(State, Option<SavedIndex>)> {
        const ENDS: &str = "term boundaries";
        let features = match self.features {
            FeaturesV3::Vocabulary { text, ends } => FeaturesState::Vocabulary {
                text: text.to_owned(),
                ends: from_le(ends, ENDS, u32::from_le_bytes)?,
            },
            FeaturesV3::Hashed(h) => FeaturesState::Hashed(h),
        };
        let idf = match self.idf {
            Some(b) => Some(from_le(b, "the IDF values", f64::from_le_bytes)?),
            None => None,
        };
        let saved = match self.index {
            Some(i) => Some(SavedIndex {
                extra_words: Vocabulary::from_raw(
                    i.extra_text.to_owned(),
                    from_le(i.extra_ends, ENDS, u32::from_le_bytes)?,
                )?,
                pairs: i.pairs.to_vec(),
            }),
            None => None,
        };
        let state =
            State { _format: 3, settings: self.settings, features, idf, n_docs: self.n_docs };
        Ok((state, saved))
    }
}

/// `u32` values as little-endian bytes.
fn u32s_le(v: &[u32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

/// `f64` values as little-endian bytes.
fn f64s_le(v: &[f64]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

/// The values of little-endian `bytes`, `N` bytes each (`what` names them
/// in the error when the length is not a whole number of values).
fn from_le<T, const N: usize>(bytes: &[u8], what: &str, value: fn([u8; N]) -> T) -> Result<Vec<T>> {
    if bytes.len() % N != 0 {
        let name = std::any::type_name::<T>();
        return Err(Error::Format(format!("{what} are not a whole number of {name}")));
    }
    Ok(bytes.chunks_exact(N).map(|c| value(c.try_into().unwrap_or([0; N]))).collect())
}

#[cfg(test)]
#[derive(Serialize)]
enum FeaturesRef<'a> {
    Vocabulary { text: &'a str, ends: &'a [u32] },
    Hashed(Hashing),
}

#[derive(Deserialize)]
struct State {
    /// Read before the rest (see [`TfidfVectorizer::from_bytes`]).
    _format: u32,
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

#[cfg(test)]
mod tests {
    use super::k_way_segments;
    use crate::csr::Csr;
    use crate::params::{DocFreq, TfidfParams};
    use proptest::prelude::*;
    use std::cmp::Ordering;
    use std::ops::Range;

    const WORDS: &[&str] =
        &["apple", "Apple", "pear", "plum", "fig", "kiwi", "lime", "a", "the", "β"];

    fn corpus() -> impl Strategy<Value = Vec<String>> {
        let doc =
            prop::collection::vec(prop::sample::select(WORDS), 0..12).prop_map(|w| w.join(" "));
        prop::collection::vec(doc, 1..30)
    }

    /// A saved hashing vectorizer with 0 (or more than 2^31-1) columns, or
    /// whose features and settings disagree on hashing, is refused when
    /// loaded; it is not left to divide by zero on the first transform
    /// (found by the `vectorizer` fuzz target).
    #[test]
    fn impossible_hashing_is_refused_on_load() {
        use super::{FeaturesRef, Hashing, StateRef, TfidfVectorizer};
        let hashing = |n| Some(Hashing { n_features: n, alternate_sign: true });
        let v =
            TfidfParams::new().hashing(hashing(64)).check().unwrap().fit(&["a b", "b c"]).unwrap();
        let bytes = |settings_n: Option<u32>, features_n: u32| {
            let mut settings = v.settings().clone();
            settings.hashing = settings_n.and_then(hashing);
            postcard::to_allocvec(&StateRef {
                format: 1,
                settings: serde_json::to_string(&settings).unwrap(),
                features: FeaturesRef::Hashed(Hashing {
                    n_features: features_n,
                    alternate_sign: true,
                }),
                idf: v.idf(),
                n_docs: v.n_docs(),
                index: None,
            })
            .unwrap()
        };
        let back = TfidfVectorizer::from_bytes(&bytes(Some(64), 64)).unwrap();
        assert_eq!(back.transform(&["a b"]), v.transform(&["a b"]));
        for (settings_n, features_n, says) in [
            (Some(0), 0, "hashing into 0 columns"),
            (Some(1 << 31), 1 << 31, "hashing into 2147483648 columns"),
            (Some(32), 64, "disagree on hashing"),
            (None, 64, "disagree on hashing"),
        ] {
            let e = TfidfVectorizer::from_bytes(&bytes(settings_n, features_n)).unwrap_err();
            assert!(e.to_string().contains(says), "{e}");
        }
        // IDF values no fit could give for its 2 documents (1 to ln 3 + 1).
        for bad in [1e300, 0.5, -1.0, f64::NAN, 3f64.ln() + 1.01] {
            let mut idf = v.idf().unwrap().to_vec();
            idf[7] = bad;
            let state = StateRef {
                format: 1,
                settings: serde_json::to_string(v.settings()).unwrap(),
                features: FeaturesRef::Hashed(Hashing { n_features: 64, alternate_sign: true }),
                idf: Some(&idf),
                n_docs: 2,
                index: None,
            };
            let e = TfidfVectorizer::from_bytes(&postcard::to_allocvec(&state).unwrap());
            let e = e.unwrap_err().to_string();
            assert!(e.contains("IDF value outside 1 to ln(2 + 1) + 1"), "{bad}: {e}");
        }
    }

    /// The IDF from `compute_idf`'s table is the formula's to the bit, for
    /// frequencies inside and beyond the table, smoothed or not, corpora
    /// smaller and larger than the table, on one thread and on three.
    #[test]
    fn idf_table_gives_the_formula_s_bits() {
        use super::{compute_idf, IDF_TABLE};
        for n_docs in [3usize, 1000, 50_000] {
            let df: Vec<u64> = (0..70_000u64)
                .map(|i| (i * 7919) % (n_docs as u64 + 1))
                .chain([0, 1, IDF_TABLE as u64 - 1, IDF_TABLE as u64])
                .filter(|&d| d <= n_docs as u64)
                .collect();
            for smooth in [false, true] {
                let s = if smooth { 1.0 } else { 0.0 };
                let want: Vec<u64> = df
                    .iter()
                    .map(|&d| {
                        let d = if smooth { d } else { d.max(1) };
                        ((n_docs as f64 + s) / (d as f64 + s)).ln() + 1.0
                    })
                    .map(f64::to_bits)
                    .collect();
                for threads in [1, 3] {
                    let pool =
                        rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
                    let got: Vec<u64> = pool
                        .install(|| compute_idf(&df, n_docs, smooth))
                        .into_iter()
                        .map(f64::to_bits)
                        .collect();
                    assert!(got == want, "{n_docs} documents, smooth {smooth}, {threads} threads");
                }
            }
        }
    }

    /// Without smoothing, a column no fitted document has gets the IDF of a
    /// term in one document (scikit-learn's would be infinite), so a hashing
    /// vectorizer saves, loads back, and keeps new rows finite; seen columns
    /// keep scikit-learn's ln(n / df) + 1.
    #[test]
    fn unseen_columns_without_smoothing_stay_finite() {
        use super::{compute_idf, Hashing, TfidfVectorizer};
        let idf = compute_idf(&[0, 1, 2, 4], 4, false);
        let want = [4f64.ln() + 1.0, 4f64.ln() + 1.0, 2f64.ln() + 1.0, 1.0];
        assert!(idf.iter().zip(want).all(|(a, b)| (a - b).abs() < 1e-15), "{idf:?}");
        let smooth = compute_idf(&[0, 4], 4, true);
        assert!((smooth[0] - 5f64.ln() - 1.0).abs() < 1e-15 && (smooth[1] - 1.0).abs() < 1e-15);
        let v = TfidfParams::new()
            .hashing(Some(Hashing { n_features: 1 << 12, alternate_sign: false }))
            .smooth_idf(false)
            .check()
            .unwrap()
            .fit(&["steel tariffs", "steel exports"])
            .unwrap();
        let back = TfidfVectorizer::from_bytes(&v.to_bytes()).unwrap();
        let x = back.transform(&["hackers stole records of steel buyers"]);
        assert!(x.nnz() >= 4 && x.rows().all(|(_, vals)| vals.iter().all(|v| v.is_finite())));
        assert_eq!(x, v.transform(&["hackers stole records of steel buyers"]));
    }

    /// Format 1 (no saved index) still loads; format 2's saved index gives
    /// the same vectorizer, and one that does not fit the vocabulary is
    /// rebuilt from it rather than trusted.
    #[test]
    fn saved_indexes_and_format_1() {
        use super::{FeaturesRef, StateRef, TfidfVectorizer};
        let docs: Vec<String> = (0..400)
            .map(|i| {
                format!(
                    "{} {} doc{} {} and {}",
                    WORDS[i % 10],
                    WORDS[(i * 7) % 10],
                    i % 50,
                    WORDS[(i * 3) % 10],
                    WORDS[(i * 9) % 10]
                )
            })
            .collect();
        let v = TfidfParams::default().ngram_range(1, 3).check().unwrap().fit(&docs).unwrap();
        let bytes = v.to_bytes();
        let vocab = vocab_of(&v);
        let state = |format: u32, index| {
            let (text, ends) = vocab.raw();
            postcard::to_allocvec(&StateRef {
                format,
                settings: serde_json::to_string(&v.settings).unwrap(),
                features: FeaturesRef::Vocabulary { text, ends },
                idf: v.idf.as_deref(),
                n_docs: v.n_docs,
                index,
            })
            .unwrap()
        };
        // Format 1 wrote the same fields without the index.
        let mut v1 = state(1, None);
        assert_eq!(v1.pop(), Some(0), "an absent index is one zero byte");
        let saved = v.index().unwrap().saved(vocab).unwrap();
        let mut far = saved.pairs.clone();
        far[8..12].copy_from_slice(&u32::MAX.to_le_bytes());
        let (text, ends) = saved.extra_words.raw();
        let bad = state(
            2,
            Some(super::SavedIndexRef {
                extra_text: text,
                extra_ends: ends,
                pairs: super::Bytes(&far),
            }),
        );
        let v2 = state(
            2,
            Some(super::SavedIndexRef {
                extra_text: text,
                extra_ends: ends,
                pairs: super::Bytes(&saved.pairs),
            }),
        );
        assert_eq!(postcard::take_from_bytes::<u32>(&bytes).unwrap().0, 3, "written as format 3");
        let expected = v.transform(&docs);
        for (name, b) in
            [("format 3", &bytes), ("format 2", &v2), ("format 1", &v1), ("bad index", &bad)]
        {
            let back = TfidfVectorizer::from_bytes(b).unwrap();
            assert_eq!(back.transform(&docs), expected, "{name}");
            assert_eq!(back.idf(), v.idf(), "{name}");
            assert_eq!(back.to_bytes(), bytes, "{name}: saved again as format 3");
        }
        assert!(TfidfVectorizer::from_bytes(&state(4, None))
            .unwrap_err()
            .to_string()
            .contains("newer"));
    }

    /// Format 3's byte strings must hold whole values: term ends, IDF
    /// values or extra words' ends with a byte too many are an error, not a panic or
    /// a misread vocabulary.
    #[test]
    fn format_3_byte_strings_of_partial_values_are_refused() {
        use super::{Bytes, FeaturesRefV3, SavedIndexRefV3, StateRefV3, TfidfVectorizer};
        let docs = ["steel tariffs rose", "hackers stole steel records", "tariffs and quotas"];
        let v = TfidfParams::default().ngram_range(1, 2).check().unwrap().fit(&docs).unwrap();
        let (text, ends) = vocab_of(&v).raw();
        let saved = v.index().unwrap().saved(vocab_of(&v)).unwrap();
        let (extra_text, extra_ends) = saved.extra_words.raw();
        let (ends, extra_ends) = (super::u32s_le(ends), super::u32s_le(extra_ends));
        let idf = super::f64s_le(v.idf().unwrap());
        // `odd`: which byte string gets one byte too many.
        let state = |odd: usize| {
            let grow = |b: &[u8], i| {
                let mut b = b.to_vec();
                if odd == i {
                    b.push(0);
                }
                b
            };
            let (ends, idf, extra_ends) = (grow(&ends, 0), grow(&idf, 1), grow(&extra_ends, 2));
            postcard::to_allocvec(&StateRefV3 {
                format: 3,
                settings: serde_json::to_string(&v.settings).unwrap(),
                features: FeaturesRefV3::Vocabulary { text, ends: Bytes(&ends) },
                idf: Some(Bytes(&idf)),
                n_docs: v.n_docs,
                index: Some(SavedIndexRefV3 {
                    extra_text,
                    extra_ends: Bytes(&extra_ends),
                    pairs: Bytes(&saved.pairs),
                }),
            })
            .unwrap()
        };
        assert_eq!(state(usize::MAX), v.to_bytes(), "none odd: the bytes to_bytes writes");
        for (odd, what) in [(0, "term boundaries"), (1, "IDF"), (2, "term boundaries")] {
            let b = state(odd);
            let e =
                TfidfVectorizer::from_bytes(&b).err().map(|e| e.to_string()).unwrap_or_default();
            assert!(e.contains(what) && e.contains("whole number"), "{odd}: {e}");
        }
    }

    fn vocab_of(v: &super::TfidfVectorizer) -> &crate::vocab::Vocabulary {
        match &v.features {
            super::Features::Vocab { vocab, .. } => vocab,
            super::Features::Hashed(_) => panic!("a vocabulary"),
        }
    }

    /// No documents give a matrix with no rows, whatever the features and
    /// threads; a few documents on more threads than blocks of 16 give the
    /// same rows as one thread.
    #[test]
    fn empty_and_small_inputs_transform_alike_on_any_threads() {
        let docs: Vec<String> =
            (0..40).map(|i| format!("{} doc{}", WORDS[i % 10], i % 7)).collect();
        let fitted = TfidfParams::default().ngram_range(1, 2).check().unwrap().fit(&docs).unwrap();
        let hashing = TfidfParams::default()
            .hashing(Some(crate::Hashing { n_features: 32, alternate_sign: false }))
            .check()
            .unwrap()
            .fit(&docs)
            .unwrap();
        for v in [&fitted, &hashing] {
            for threads in [1, 2, 3] {
                let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
                let none = pool.install(|| v.transform(&Vec::<String>::new()));
                assert_eq!(none.nrows(), 0);
                assert_eq!(none.ncols(), v.n_features());
                for n in [1, 17, 40] {
                    let m = pool.install(|| v.transform(&docs[..n]));
                    assert_eq!(m, v.transform(&docs[..n]), "{n} docs, {threads} threads");
                    assert_eq!(m.nrows(), n);
                }
            }
        }
    }

    /// Inputs over 256 KiB are counted in byte-balanced parts: the result
    /// is the same on any number of threads, and the same as counting the
    /// documents in small batches (the other path).
    #[test]
    fn large_inputs_count_the_same_in_parts() {
        let docs: Vec<String> = (0..20000)
            .map(|i| {
                format!(
                    "{} {} doc{} {}",
                    WORDS[i % 10],
                    WORDS[(i * 7) % 10],
                    i % 500,
                    WORDS[(i * 3) % 10]
                )
            })
            .collect();
        assert!(docs.iter().map(String::len).sum::<usize>() >= 1 << 18, "large enough");
        let fitted = TfidfParams::default().check().unwrap().fit(&docs).unwrap();
        let hashing = TfidfParams::default()
            .hashing(Some(crate::Hashing { n_features: 64, alternate_sign: true }))
            .check()
            .unwrap()
            .fit(&docs)
            .unwrap();
        for v in [&fitted, &hashing] {
            let pool = |n| rayon::ThreadPoolBuilder::new().num_threads(n).build().unwrap();
            let one = pool(1).install(|| v.transform(&docs));
            let three = pool(3).install(|| v.transform(&docs));
            let small: Vec<Csr<f32>> = docs.chunks(100).map(|c| v.transform(c)).collect();
            assert_eq!(one, three);
            assert_eq!(one, Csr::vstack(small).unwrap());
        }
    }

    /// Several sorted lists (each without repeats, sharing some items, some
    /// empty) merged segment by segment give the whole merge, whatever the
    /// number of segments, with equal items in one segment.
    #[test]
    fn k_way_segments_merge_like_one() {
        let mut rng = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = move |m: u64| {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            rng % m
        };
        // The merge of the lists' ranges: each distinct item with the lists
        // that hold it.
        let merge = |lists: &[Vec<u64>], ranges: &[Range<usize>]| {
            let mut all: Vec<(u64, usize)> = ranges
                .iter()
                .enumerate()
                .flat_map(|(l, r)| lists[l][r.clone()].iter().map(move |&x| (x, l)))
                .collect();
            all.sort_unstable();
            let mut out: Vec<(u64, Vec<usize>)> = Vec::new();
            for (x, l) in all {
                match out.last_mut() {
                    Some((y, ls)) if *y == x => ls.push(l),
                    _ => out.push((x, vec![l])),
                }
            }
            out
        };
        for case in 0..300 {
            let k = 1 + next(6) as usize;
            let lists: Vec<Vec<u64>> = (0..k)
                .map(|_| {
                    let mut v: Vec<u64> = (0..next(40)).map(|_| next(80)).collect();
                    v.sort_unstable();
                    v.dedup();
                    v
                })
                .collect();
            let lens: Vec<usize> = lists.iter().map(Vec::len).collect();
            let whole: Vec<Range<usize>> = lens.iter().map(|&n| 0..n).collect();
            let want = merge(&lists, &whole);
            let parts = 1 + case % 7;
            let segs = k_way_segments(&lens, parts, |a, b| lists[a.0][a.1].cmp(&lists[b.0][b.1]));
            assert_eq!(segs.len(), parts);
            let got: Vec<_> = segs.iter().flat_map(|seg| merge(&lists, seg)).collect();
            assert_eq!(got, want, "{lists:?} in {parts}");
        }
        assert!(k_way_segments(&[], 3, |_, _| Ordering::Equal).is_empty());
    }

    /// Two counters with vocabularies large enough for a segmented merge,
    /// on one to four threads: the same vectorizer and matrix as one
    /// counter; so do three and five counters (the k-way merge), for
    /// unigrams and bigrams.
    #[test]
    fn segmented_vocabulary_merge_changes_nothing() {
        let docs: Vec<String> = (0..6000u64)
            .map(|i| {
                let w = |k: u64| format!("w{}", (i * 7919 + k * 104_729) % 5000);
                format!("{} {} {} shared{}", w(1), w(2), w(3), i % 7)
            })
            .collect();
        for p in [
            TfidfParams::default().min_df(DocFreq::Count(2)),
            TfidfParams::default().ngram_range(1, 2),
        ] {
            let p = p.check().unwrap();
            let (v1, m1) = p.fit_with_workers::<_, f32>(&docs, true, 1).unwrap();
            for threads in 1..=4 {
                let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
                for workers in [2, 3, 5] {
                    let (v2, m2) = pool
                        .install(|| p.fit_with_workers::<_, f32>(&docs, true, workers))
                        .unwrap();
                    assert!(v2.vocabulary().len() > 4000, "{}", v2.vocabulary().len());
                    assert_eq!(
                        v1.to_bytes(),
                        v2.to_bytes(),
                        "{workers} workers, {threads} threads"
                    );
                    assert_eq!(m1, m2, "{workers} workers, {threads} threads");
                }
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

        /// Splitting the corpus over several counters (merged vocabularies,
        /// pieces written in place, gaps left by pruning) changes nothing.
        /// Public fits use one counter below 256 KiB of text, so this drives
        /// the multi-worker path directly.
        #[test]
        fn workers_do_not_change_output(
            docs in corpus(),
            ngrams in 1usize..4,
            min_df in 1u64..4,
            max_df in prop_oneof![Just(1.0), Just(0.5)],
            max_features in prop_oneof![Just(None), Just(Some(4usize))],
            sublinear in any::<bool>(),
            workers in 2usize..7,
        ) {
            let p = TfidfParams::default()
                .ngram_range(1, ngrams)
                .min_df(DocFreq::Count(min_df))
                .max_df(DocFreq::Fraction(max_df))
                .max_features(max_features)
                .sublinear_tf(sublinear)
                .check()
                .unwrap();
            let one = p.fit_with_workers::<_, f32>(&docs, true, 1);
            let many = p.fit_with_workers::<_, f32>(&docs, true, workers);
            match (one, many) {
                (Ok((v1, m1)), Ok((v2, m2))) => {
                    prop_assert_eq!(v1.to_bytes(), v2.to_bytes());
                    prop_assert_eq!(m1, m2);
                }
                (Err(a), Err(b)) => prop_assert_eq!(a.to_string(), b.to_string()),
                (a, b) => prop_assert!(false, "one worker {:?}, several {:?}", a.is_ok(), b.is_ok()),
            }
        }
    }
}
