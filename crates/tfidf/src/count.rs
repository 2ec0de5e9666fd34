//! Counting terms in documents: the hot loop of the vectorizer.
//!
//! Each worker thread owns a counter. Words are scanned without allocation;
//! a per-worker cache maps each raw word (`"The"`, `"the"`) to the index of
//! its analyzed unigram, so lowercasing, stop words and stemming run once per
//! distinct raw word. N-grams are keyed by the indices of their words (two
//! `u32` packed in a `u64` for bigrams), never by joined strings.

use crate::error::{Error, Result};
use crate::murmur::hashed_feature;
use crate::vocab::{pack2, LookupIndex, NONE};
use crate::wordtable::{head8, PairTable, WordTable};
use rustc_hash::FxBuildHasher;
use sift_tokenize::{
    hash_str, Analyzer, ArenaCache, Scratch, Span, StrMap, Token, TokenKind, MAX_NGRAM,
};

/// A word the filters dropped (stop word, too short...).
const DROPPED: u32 = u32::MAX;
/// A word that is not in the fitted vocabulary.
const UNKNOWN: u32 = u32::MAX - 1;

fn surface_cache() -> WordTable {
    WordTable::new(1 << 21, 1 << 28)
}

/// A small direct-mapped table for the most frequent short words, in front
/// of the surface cache: a word of at most 8 bytes is one `u64`
/// (loaded straight from the document and masked), so a hit needs no string
/// hash, no probe and no read of key text. Frequent words (Zipf) hit here
/// most of the time. Hand-written: it cut the counting loop's time markedly.
struct HotWords {
    slots: Box<[(u64, u32)]>,
    /// 64 minus the table's bits: the slot is the top bits of a product.
    shift: u32,
}

/// The hot table's size for one-off counting (transform, prediction): 16,384
/// slots, 256 KiB, cheap to create for a single short document.
const HOT_BITS: u32 = 14;
/// Its size for fitting, which counts whole corpora with one table per worker:
/// 65,536 slots (1 MiB, within L2) keep more of a large vocabulary's short
/// words. Against 14 bits, 20 Newsgroups unigram fit_transform, one thread,
/// alternating builds (`xtask vec-child unigram 1 5`, 7 runs each): median
/// 0.197 s against 0.203 s; uni+bigram and stemmed within noise.
const FIT_HOT_BITS: u32 = 16;
/// From this many bytes of text, a transform counts with the fit's larger
/// hot table and a surface cache sized for the text up front.
const BIG_TRANSFORM: usize = 1 << 20;
/// Marks an empty slot: no real key has this value with length bits 0.
const HOT_EMPTY: u64 = u64::MAX;

impl HotWords {
    fn new(bits: u32) -> Self {
        HotWords { slots: vec![(HOT_EMPTY, 0); 1 << bits].into_boxed_slice(), shift: 64 - bits }
    }

    #[inline(always)]
    fn slot(&self, key: u64) -> usize {
        (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> self.shift) as usize
    }

    #[inline(always)]
    fn get(&self, key: u64) -> Option<u32> {
        let (k, v) = self.slots[self.slot(key)];
        (k == key).then_some(v)
    }

    #[inline(always)]
    fn put(&mut self, key: u64, value: u32) {
        let i = self.slot(key);
        self.slots[i] = (key, value);
    }

    /// Whether a word of `len` bytes has a key here (1 to 8 bytes): its
    /// [`head8`], its bytes zero-padded (distinct for distinct words: words
    /// hold no NUL).
    #[inline(always)]
    fn holds(len: usize) -> bool {
        len.wrapping_sub(1) < 8
    }

    /// Caches `value` for `word` (whose [`head8`] is `k0`) when the table
    /// holds words of its length and its text alone decides its value.
    #[inline(always)]
    fn put_word(&mut self, word: &str, k0: u64, value: u32) {
        if Self::holds(word.len()) && cacheable(word) {
            self.put(k0, value);
        }
    }
}

/// [`head8`] of the word at `start..end` in `doc`: one unaligned load when
/// the document has 8 bytes from `start` (a copy of the word's length
/// called `memcpy` and read the result back through memory).
#[inline(always)]
fn head8_at(doc: &[u8], start: usize, end: usize) -> u64 {
    let len = end - start;
    match doc.get(start..start + 8) {
        Some(b) => {
            let mut a = [0u8; 8];
            a.copy_from_slice(b);
            let raw = u64::from_le_bytes(a);
            if len >= 8 {
                raw
            } else {
                raw & ((1u64 << (8 * len)) - 1)
            }
        }
        None => head8(&doc[start..end]),
    }
}

/// A word [`find_hot`] left to the surface cache: its index in the
/// document's spans, its [`hash_str`] and its [`head8`].
type Pending = (u32, u64, u64);

/// Resolves a document's words from the hot table, in two passes: this one
/// writes the ids of the words found there into `ids` (one per span) and
/// lists the others in `pending`, starting the load of each one's
/// surface-cache slot; the caller then resolves those in order (with
/// `pending_token`, its cold lookup and [`HotWords::put_word`]). Looked up
/// as they came, each of those words waited on a cache miss in a table of
/// megabytes before the next word was read; listed first, their misses
/// overlap. (The first 8 bytes come from one load, `head8_at`.) Measured
/// on 20 Newsgroups, one thread, the two builds alternating, best of 3 per
/// run (examples/quicktime, 6 runs each): unigram fit 168-190 -> 162-167
/// ms, stemmed 183-307 -> 177-283 ms (a noisy host; lower at every rank);
/// predicting the test texts with a default model (examples/predictphases,
/// 8 runs each) 180-190 -> 173-191 ms. The same output.
#[inline(always)]
fn find_hot(
    doc: &str,
    spans: &[(usize, usize)],
    hot: &HotWords,
    surface: &WordTable,
    ids: &mut Vec<u32>,
    pending: &mut Vec<Pending>,
) {
    let bytes = doc.as_bytes();
    ids.clear();
    ids.resize(spans.len(), 0);
    pending.clear();
    for (k, &(start, end)) in spans.iter().enumerate() {
        let k0 = head8_at(bytes, start, end);
        match HotWords::holds(end - start).then(|| hot.get(k0)).flatten() {
            Some(u) => ids[k] = u,
            None => {
                let hash = hash_str(&doc[start..end]);
                surface.prefetch(hash);
                pending.push((k as u32, hash, k0));
            }
        }
    }
}

/// The word token at `span` of `doc` (for the cold lookups).
#[inline(always)]
fn pending_token(doc: &str, (start, end): (usize, usize)) -> Token<'_> {
    Token { text: &doc[start..end], span: Span::new(start, end), kind: TokenKind::Word }
}

/// Removes the [`DROPPED`] ids (stop words...) in place, without a branch:
/// each id is written and kept only when it is not dropped (with a stop
/// list, a branch on them went either way at random).
#[inline(always)]
fn drop_dropped(ids: &mut Vec<u32>) {
    let mut kept = 0;
    for i in 0..ids.len() {
        let u = ids[i];
        ids[kept] = u;
        kept += usize::from(u != DROPPED);
    }
    ids.truncate(kept);
}

/// The capital sigma's lowercase depends on the next character, so words
/// holding one are not cached by their raw text.
#[inline]
fn cacheable(word: &str) -> bool {
    word.is_ascii() || !word.contains('\u{03A3}')
}

/// Rows of (column or feature, count) pairs.
#[derive(Debug, Default)]
pub(crate) struct Rows {
    pub(crate) indptr: Vec<usize>,
    pub(crate) feats: Vec<u32>,
    pub(crate) counts: Vec<u32>,
}

impl Rows {
    pub(crate) fn new() -> Self {
        Rows { indptr: vec![0], ..Default::default() }
    }
}

/// The word window for n-grams: the indices of the last `MAX_NGRAM - 1`
/// kept words.
#[derive(Debug, Default)]
struct Window {
    ids: [u32; MAX_NGRAM],
    filled: usize,
}

impl Window {
    #[inline]
    fn push(&mut self, id: u32) {
        self.ids.copy_within(1.., 0);
        self.ids[MAX_NGRAM - 1] = id;
        self.filled = (self.filled + 1).min(MAX_NGRAM);
    }

    /// The last `n` ids (after a push).
    #[inline]
    fn last(&self, n: usize) -> &[u32] {
        &self.ids[MAX_NGRAM - n..]
    }
}

// ------------------------------------------------------------------ fitting

/// Marks n-gram feature ids in rows (unigram features are word indices).
pub(crate) const NGRAM_TAG: u32 = 1 << 31;

/// Counts documents while growing a local vocabulary.
///
/// Two id spaces keep the hot loop short: a unigram feature *is* its word
/// index `u` (no lookup from word to feature), and n-gram features `g` are
/// numbered apart and tagged with [`NGRAM_TAG`] in rows.
pub(crate) struct FitCounter<'a> {
    analyzer: &'a Analyzer,
    scratch: Scratch,
    min_n: usize,
    max_n: usize,
    hot: HotWords,
    surface: WordTable,
    /// Analyzed words; the index of a word is its unigram feature.
    pub(crate) words: StrMap<()>,
    bigrams: PairTable,
    long: hashbrown::HashMap<Box<[u32]>, u32, FxBuildHasher>,
    /// N-gram -> (start in `seqs`, number of words).
    ng_seq: Vec<(u32, u8)>,
    /// Word indices of every n-gram.
    seqs: Vec<u32>,
    /// Per unigram / n-gram feature: (count in the current document,
    /// document frequency). Side by side, so counting a word and closing
    /// the document touch one cache line: split into two arrays, both missed
    /// the cache on real vocabularies.
    cd_u: Vec<[u32; 2]>,
    cd_g: Vec<[u32; 2]>,
    /// Total count of each feature over the corpus (for `max_features`).
    tf: Option<(Vec<u64>, Vec<u64>)>,
    binary: bool,
    touched: Vec<u32>,
    window: Window,
    /// Per-document buffers: word spans, then their ids.
    spans: Vec<(usize, usize)>,
    ids: Vec<u32>,
    /// The current document's bigram features, in order.
    found: Vec<u32>,
    /// The current document's words the hot table missed.
    pending: Vec<Pending>,
    pub(crate) rows: Option<Rows>,
    pub(crate) n_docs: usize,
}

/// Expected number of distinct words in `bytes` of text (Heaps' law, fitted
/// loosely on news and Usenet text), for sizing tables up front.
pub(crate) fn expected_words(bytes: usize) -> usize {
    let tokens = (bytes / 6).max(1) as f64;
    ((16.0 * tokens.powf(0.6)) as usize).clamp(1024, 1 << 22)
}

impl<'a> FitCounter<'a> {
    /// Sizes the tables and row buffers for about `bytes` of text: reserved
    /// but untouched memory costs nothing, while growing by reallocation
    /// copies and faults in pages again.
    pub(crate) fn reserve_for(&mut self, bytes: usize) {
        let words = expected_words(bytes);
        self.surface.reserve(words * 5 / 4);
        self.words.reserve(words, words * 8);
        self.cd_u.reserve(words);
        if self.max_n >= 2 {
            self.bigrams.reserve(words * 6);
            // The n-gram arrays, for more n-grams than the table expects:
            // growing them by doubling copied megabytes at each step and
            // faulted in the pages of every size on the way. Measured
            // (examples/quicktime, uni+bigram, 8 alternating runs, best of
            // 3 each): two threads 309-333 -> 294-327 ms, page faults of a
            // first fit 88,000-97,000 -> 86,000-87,000; one thread (6 runs)
            // 512-614 -> 504-541 ms. Reserved, untouched memory costs no
            // pages.
            let ngrams = words * 8;
            self.ng_seq.reserve(ngrams);
            self.seqs.reserve(ngrams * 2);
            self.cd_g.reserve(ngrams);
            if let Some((_, tf)) = &mut self.tf {
                tf.reserve(ngrams);
            }
        }
        if let Some(rows) = &mut self.rows {
            let nnz = bytes / 6 + 16;
            rows.feats.reserve(nnz * if self.max_n >= 2 { 3 } else { 1 });
            rows.counts.reserve(nnz * if self.max_n >= 2 { 3 } else { 1 });
        }
    }

    pub(crate) fn new(
        analyzer: &'a Analyzer,
        keep_rows: bool,
        track_tf: bool,
        binary: bool,
    ) -> Self {
        let (min_n, max_n) = analyzer.config().ngram_range;
        FitCounter {
            analyzer,
            scratch: analyzer.scratch(),
            min_n,
            max_n,
            hot: HotWords::new(FIT_HOT_BITS),
            surface: surface_cache(),
            words: StrMap::new(),
            bigrams: Default::default(),
            long: Default::default(),
            ng_seq: Vec::new(),
            seqs: Vec::new(),
            cd_u: Vec::new(),
            cd_g: Vec::new(),
            tf: track_tf.then(|| (Vec::new(), Vec::new())),
            binary,
            touched: Vec::new(),
            window: Window::default(),
            spans: Vec::new(),
            ids: Vec::new(),
            found: Vec::new(),
            pending: Vec::new(),
            rows: keep_rows.then(Rows::new),
            n_docs: 0,
        }
    }

    /// Number of unigram features (all words when unigrams are counted).
    fn n_uni(&self) -> usize {
        if self.min_n == 1 {
            self.words.len()
        } else {
            0
        }
    }

    /// Number of n-gram features.
    pub(crate) fn n_ngrams(&self) -> usize {
        self.ng_seq.len()
    }

    /// Number of local features: unigrams first, then n-grams.
    pub(crate) fn n_features(&self) -> usize {
        self.n_uni() + self.ng_seq.len()
    }

    /// Word indices of local feature `f`, written to `out`.
    #[inline]
    pub(crate) fn feature_words(&self, f: usize, out: &mut Vec<u32>) {
        out.clear();
        let nu = self.n_uni();
        if f < nu {
            out.push(f as u32);
        } else {
            let (s, n) = self.ng_seq[f - nu];
            out.extend_from_slice(&self.seqs[s as usize..s as usize + n as usize]);
        }
    }

    /// The word indices of local feature `f` when it has one or two words
    /// (n-gram ranges ending at 2): the first, and the second for a bigram.
    #[inline]
    pub(crate) fn short_feature(&self, f: usize) -> (u32, Option<u32>) {
        let nu = self.n_uni();
        if f < nu {
            (f as u32, None)
        } else {
            let (s, n) = self.ng_seq[f - nu];
            let s = s as usize;
            (self.seqs[s], (n > 1).then(|| self.seqs[s + 1]))
        }
    }

    /// Document frequency of local feature `f`.
    pub(crate) fn df(&self, f: usize) -> u32 {
        let nu = self.n_uni();
        if f < nu {
            self.cd_u[f][1]
        } else {
            self.cd_g[f - nu][1]
        }
    }

    /// Total count of local feature `f` (0 when not tracked).
    pub(crate) fn tf(&self, f: usize) -> u64 {
        let nu = self.n_uni();
        match &self.tf {
            Some((u, _)) if f < nu => u[f],
            Some((_, g)) => g[f - nu],
            None => 0,
        }
    }

    fn new_ngram(&mut self, words: &[u32]) -> Result<u32> {
        if self.ng_seq.len() >= (NGRAM_TAG - 1) as usize
            || self.seqs.len() + words.len() > u32::MAX as usize
        {
            return Err(Error::VocabularyTooLarge);
        }
        let g = self.ng_seq.len() as u32;
        self.ng_seq.push((self.seqs.len() as u32, words.len() as u8));
        self.seqs.extend_from_slice(words);
        self.cd_g.push([0, 0]);
        if let Some((_, tf)) = &mut self.tf {
            tf.push(0);
        }
        Ok(g)
    }

    /// The word index of a raw word, or [`DROPPED`] (the cache behind
    /// [`HotWords`]).
    fn word_of_cold(&mut self, doc: &str, tok: Token<'_>, hash: u64, k0: u64) -> Result<u32> {
        let cache = cacheable(tok.text);
        if cache {
            if let Some(u) = self.surface.get(tok.text.as_bytes(), hash, k0) {
                return Ok(u);
            }
        }
        let u = match self.analyzer.normalize_uncached(doc, tok, &mut self.scratch) {
            None => DROPPED,
            Some(term) => {
                let before = self.words.len();
                let u = self.words.entry(term, || ()).map_err(|_| Error::VocabularyTooLarge)?;
                if u >= (NGRAM_TAG - 1) as usize {
                    return Err(Error::VocabularyTooLarge);
                }
                if self.words.len() > before {
                    self.cd_u.push([0, 0]);
                    if let Some((tf, _)) = &mut self.tf {
                        tf.push(0);
                    }
                }
                u as u32
            }
        };
        if cache {
            self.surface.insert(tok.text.as_bytes(), hash, k0, u);
        }
        Ok(u)
    }

    /// Counts one document, in three passes over it (find the words, resolve
    /// their ids, count): each pass is a short loop whose iterations do not
    /// wait on each other, so the processor overlaps their memory accesses.
    pub(crate) fn add(&mut self, doc: &str) -> Result<()> {
        let mut spans = std::mem::take(&mut self.spans);
        let mut ids = std::mem::take(&mut self.ids);
        spans.clear();
        self.analyzer.word_spans(doc, &mut spans);
        let mut pending = std::mem::take(&mut self.pending);
        find_hot(doc, &spans, &self.hot, &self.surface, &mut ids, &mut pending);
        for &(k, hash, k0) in &pending {
            let tok = pending_token(doc, spans[k as usize]);
            let u = self.word_of_cold(doc, tok, hash, k0)?;
            self.hot.put_word(tok.text, k0, u);
            ids[k as usize] = u;
        }
        self.pending = pending;
        drop_dropped(&mut ids);
        // A document's first occurrence of a feature is recorded without a
        // branch (`extend_kept`): its id is kept in `touched` only when its
        // count was zero. The branch it replaces went either
        // way at random (a word is new to the document or not), and each
        // wrong guess dropped the loads of `cd_u` in flight behind it.
        // Measured (examples/quicktime, 6 alternating runs, best of 5 each):
        // unigram fit, one thread, 199-215 -> 179-196 ms (all but the slowest
        // rank); with the same change in `count_bigrams`, uni+bigram
        // (best of 3) 572-638 -> 549-618 ms. The same output.
        if self.min_n == 1 {
            let cd = &mut self.cd_u;
            extend_kept(&mut self.touched, ids.iter(), |&u| {
                let c = &mut cd[u as usize][0];
                *c += 1;
                (u, *c == 1)
            });
        }
        if self.max_n == 2 {
            self.count_bigrams(&ids)?;
        } else if self.max_n > 2 {
            self.window.filled = 0;
            for &u in &ids {
                self.window.push(u);
                let top = self.max_n.min(self.window.filled);
                for n in self.min_n.max(2)..=top {
                    let g = self.ngram_feature(n)?;
                    let c = &mut self.cd_g[g as usize][0];
                    if *c == 0 {
                        self.touched.push(g | NGRAM_TAG);
                    }
                    *c += 1;
                }
            }
        }
        self.spans = spans;
        self.ids = ids;
        self.finish_doc();
        Ok(())
    }

    #[inline]
    fn ngram_feature(&mut self, n: usize) -> Result<u32> {
        let words = self.window.last(n);
        if n == 2 {
            let key = pack2(words[0], words[1]);
            if let Some(g) = self.bigrams.get(key) {
                return Ok(g);
            }
            let words = [words[0], words[1]];
            let g = self.new_ngram(&words)?;
            self.bigrams.insert(key, g);
            Ok(g)
        } else {
            if let Some(&g) = self.long.get(words) {
                return Ok(g);
            }
            let words: Box<[u32]> = words.into();
            let g = self.new_ngram(&words)?;
            self.long.insert(words, g);
            Ok(g)
        }
    }

    /// Counts a document's bigrams (n-gram ranges ending at 2, the common
    /// case) in three short loops: look every pair up, add the pairs not
    /// found (in order, so their ids are those one loop would give), then
    /// count. The lookups' cache misses overlap; in one loop, with an insert
    /// and a count between lookups, they were over a third of the
    /// uni+bigram fit.
    ///
    /// The first and last loops prefetch the table slot and the count of the
    /// pair 8 places on: the table (2^21 slots, 32 MiB for 20
    /// Newsgroups) and the counts (9 MiB) are far beyond the second-level
    /// cache, and perf put most of the lookups' samples on the read of the
    /// home slot. Measured (examples/quicktime, uni+bigram, one thread, ten
    /// alternating runs each, best of 3 per run): 603-928 ms without, 594-868
    /// ms with, lower at nearly every rank; the same output.
    fn count_bigrams(&mut self, ids: &[u32]) -> Result<()> {
        const NOT_FOUND: u32 = u32::MAX;
        const AHEAD: usize = 8;
        let mut found = std::mem::take(&mut self.found);
        found.clear();
        let pairs = ids.len().saturating_sub(1);
        for p in ids.windows(2).take(AHEAD) {
            self.bigrams.prefetch(pack2(p[0], p[1]));
        }
        for i in 0..pairs {
            if i + AHEAD < pairs {
                self.bigrams.prefetch(pack2(ids[i + AHEAD], ids[i + AHEAD + 1]));
            }
            found.push(self.bigrams.get(pack2(ids[i], ids[i + 1])).unwrap_or(NOT_FOUND));
        }
        for (g, p) in found.iter_mut().zip(ids.windows(2)) {
            if *g == NOT_FOUND {
                let key = pack2(p[0], p[1]);
                *g = match self.bigrams.get(key) {
                    Some(g) => g,
                    None => {
                        let g = self.new_ngram(&[p[0], p[1]])?;
                        self.bigrams.insert(key, g);
                        g
                    }
                };
            }
        }
        let cd = &mut self.cd_g;
        extend_kept(&mut self.touched, found.iter().enumerate(), |(i, &g)| {
            if let Some(&ahead) = found.get(i + AHEAD) {
                crate::prefetch(&cd[ahead as usize]);
            }
            let c = &mut cd[g as usize][0];
            *c += 1;
            (g | NGRAM_TAG, *c == 1)
        });
        self.found = found;
        Ok(())
    }

    fn finish_doc(&mut self) {
        for &t in &self.touched {
            let (cd, tf) = if t & NGRAM_TAG != 0 {
                (&mut self.cd_g, self.tf.as_mut().map(|x| &mut x.1))
            } else {
                (&mut self.cd_u, self.tf.as_mut().map(|x| &mut x.0))
            };
            let i = (t & !NGRAM_TAG) as usize;
            let [count, df] = &mut cd[i];
            *df += 1;
            if let Some(tf) = tf {
                tf[i] += if self.binary { 1 } else { *count as u64 };
            }
            if let Some(rows) = &mut self.rows {
                rows.feats.push(t);
                rows.counts.push(*count);
            }
            *count = 0;
        }
        self.touched.clear();
        if let Some(rows) = &mut self.rows {
            rows.indptr.push(rows.feats.len());
        }
        self.n_docs += 1;
    }
}

/// Appends `f(item).0` for the items whose `f(item).1` holds, without a
/// branch on it: every value is written at the end and kept only when it
/// holds (the next one overwrites it otherwise). Hand-written for the
/// counting loops, where whether an item is kept (a word dropped, a
/// feature new to its document, a column pruned) is close to random: each
/// wrong guess of a branch dropped the table loads in flight behind it.
#[inline(always)]
pub(crate) fn extend_kept<T: Copy + Default, I: ExactSizeIterator>(
    out: &mut Vec<T>,
    items: I,
    mut f: impl FnMut(I::Item) -> (T, bool),
) {
    let base = out.len();
    out.resize(base + items.len(), T::default());
    let mut n = base;
    for item in items {
        let (value, keep) = f(item);
        out[n] = value;
        n += usize::from(keep);
    }
    out.truncate(n);
}

/// From this many values, [`sort_by_u32_key`] sorts by radix. Sorting
/// random columns below 315,000 (a standalone loop, best of 6): at 64
/// values, comparisons 8 against radix 25 ns per value; at 256, 12 against
/// 11; at 1,024, 18 against 7; at 4,096, 22 against 7.
const RADIX_MIN: usize = 256;

/// Sorts `v` by `key` ascending; `tmp` is scratch. Short vectors with
/// `sort_unstable_by_key`, longer ones by a stable least-significant-digit
/// radix sort in as few passes of at most 11 bits as the largest key needs
/// (two for a 315,000-column vocabulary). Values with equal keys may come
/// out in any order. Hand-written: a document's columns were sorted by
/// comparisons, 6% of predicting the 20 Newsgroups test texts with the
/// default model, most of it in long documents.
pub(crate) fn sort_by_u32_key<T: Copy + Default>(
    v: &mut Vec<T>,
    tmp: &mut Vec<T>,
    key: impl Fn(T) -> u32,
) {
    if v.len() < RADIX_MIN {
        v.sort_unstable_by_key(|&x| key(x));
        return;
    }
    let max = v.iter().map(|&x| key(x)).max().unwrap_or(0);
    let bits = 32 - max.leading_zeros();
    let passes = bits.div_ceil(11).max(1);
    let width = bits.div_ceil(passes);
    let mask = (1u32 << width) - 1;
    tmp.clear();
    tmp.resize(v.len(), T::default());
    let mut buckets = [0u32; 1 << 11];
    let count = &mut buckets[..1 << width];
    for p in 0..passes {
        let shift = p * width;
        count.fill(0);
        for &x in v.iter() {
            count[((key(x) >> shift) & mask) as usize] += 1;
        }
        let mut sum = 0;
        for c in count.iter_mut() {
            let n = *c;
            *c = sum;
            sum += n;
        }
        for &x in v.iter() {
            let d = ((key(x) >> shift) & mask) as usize;
            tmp[count[d] as usize] = x;
            count[d] += 1;
        }
        std::mem::swap(v, tmp);
    }
}

/// Sorts `v` by `key` ascending; `tmp` is scratch. Below [`RADIX_MIN`]
/// values by comparisons; from there by a stable least-significant-digit
/// radix sort in as few passes of at most 12 bits as the largest key needs,
/// the histograms of every pass counted in one read. Values with equal keys
/// may come out in any order. Hand-written for the fit's millions of
/// n-gram candidates (see `merge`), where a comparison sort was a tenth of
/// a uni+bigram fit.
pub(crate) fn sort_by_u64_key<T: Copy + Default>(
    v: &mut Vec<T>,
    tmp: &mut Vec<T>,
    key: impl Fn(&T) -> u64,
) {
    const DIGIT: u32 = 12;
    if v.len() < RADIX_MIN {
        v.sort_unstable_by_key(|x| key(x));
        return;
    }
    let max = v.iter().map(&key).max().unwrap_or(0);
    let bits = 64 - max.leading_zeros();
    let passes = bits.div_ceil(DIGIT).max(1) as usize;
    let width = bits.div_ceil(passes as u32).max(1);
    let mask = (1u64 << width) - 1;
    let mut counts = vec![0u32; passes << width];
    for x in v.iter() {
        let k = key(x);
        for (p, count) in counts.chunks_exact_mut(1 << width).enumerate() {
            count[((k >> (p as u32 * width)) & mask) as usize] += 1;
        }
    }
    tmp.clear();
    tmp.resize(v.len(), T::default());
    for (p, count) in counts.chunks_exact_mut(1 << width).enumerate() {
        let shift = p as u32 * width;
        let mut sum = 0;
        for c in count.iter_mut() {
            let n = *c;
            *c = sum;
            sum += n;
        }
        for x in v.iter() {
            let d = ((key(x) >> shift) & mask) as usize;
            tmp[count[d] as usize] = *x;
            count[d] += 1;
        }
        std::mem::swap(v, tmp);
    }
}

// ------------------------------------------------------------ fixed columns

/// Counts documents against a fixed vocabulary (transform, or fitting IDF
/// with a user-given vocabulary). Per document it collects the matched
/// columns and sorts them, so it needs no array as wide as the vocabulary
/// and is cheap to create for a single short document.
pub(crate) struct ColumnCounter<'a> {
    analyzer: &'a Analyzer,
    index: &'a LookupIndex,
    scratch: Scratch,
    min_n: usize,
    max_n: usize,
    hot: HotWords,
    surface: WordTable,
    hits: Vec<u32>,
    /// Scratch for sorting `hits`.
    sort_tmp: Vec<u32>,
    /// Word ids of the current document (stop words dropped).
    ids: Vec<u32>,
    /// Word spans of the current document.
    spans: Vec<(usize, usize)>,
    /// The current document's words the hot table missed.
    pending: Vec<Pending>,
    /// The current document's bigram keys, and scratch for looking them up.
    keys: Vec<u64>,
    again: Vec<u64>,
    pub(crate) rows: Rows,
}

impl<'a> ColumnCounter<'a> {
    /// A counter for about `bytes` of text.
    pub(crate) fn new(analyzer: &'a Analyzer, index: &'a LookupIndex, bytes: usize) -> Self {
        let (min_n, max_n) = analyzer.config().ngram_range;
        let big = bytes >= BIG_TRANSFORM;
        let mut surface = surface_cache();
        let mut rows = Rows::new();
        if big {
            // Reserved but untouched memory costs nothing; growing copies.
            surface.reserve(expected_words(bytes) * 5 / 4);
            let nnz = (bytes / 6) * if max_n >= 2 { 2 } else { 1 };
            rows.feats.reserve(nnz);
            rows.counts.reserve(nnz);
        }
        ColumnCounter {
            analyzer,
            index,
            scratch: analyzer.scratch(),
            min_n,
            max_n,
            hot: HotWords::new(if big { FIT_HOT_BITS } else { HOT_BITS }),
            surface,
            hits: Vec::new(),
            sort_tmp: Vec::new(),
            ids: Vec::new(),
            spans: Vec::new(),
            pending: Vec::new(),
            keys: Vec::new(),
            again: Vec::new(),
            rows,
        }
    }

    /// The word id of a word the hot table missed (`hash` and `k0` are its
    /// [`hash_str`] and [`head8`]).
    fn word_of_cold(&mut self, doc: &str, tok: Token<'_>, hash: u64, k0: u64) -> u32 {
        let cache = cacheable(tok.text);
        if cache {
            if let Some(w) = self.surface.get(tok.text.as_bytes(), hash, k0) {
                return w;
            }
        }
        let w = match self.analyzer.normalize_uncached(doc, tok, &mut self.scratch) {
            None => DROPPED,
            Some(term) => self.index.word_id(term).unwrap_or(UNKNOWN),
        };
        if cache {
            self.surface.insert(tok.text.as_bytes(), hash, k0, w);
        }
        w
    }

    /// Counts one document and appends its row (columns sorted), in passes
    /// over it (find the words, resolve their ids, then look up unigram and
    /// n-gram columns): the lookups' loop is short and its iterations do not
    /// wait on each other, so the processor overlaps their cache misses. In
    /// one loop, the bigram table's miss was over half of this function's
    /// time when predicting with a uni+bigram model. The bigrams are looked
    /// up together ([`PairTable::find_all`]) with no branch on a table read:
    /// predicting the 20 Newsgroups test texts with the default model on
    /// one thread (`predictphases MODEL 2`, the two builds alternating, 8
    /// runs each), the transform took 266-372 ms (median 340) against
    /// 332-459 ms (median 406) looking each up with [`PairTable::get`], the
    /// whole prediction 299-423 (median 380) against 357-499 ms (447).
    pub(crate) fn add(&mut self, doc: &str) {
        let mut spans = std::mem::take(&mut self.spans);
        spans.clear();
        self.analyzer.word_spans(doc, &mut spans);
        let mut ids = std::mem::take(&mut self.ids);
        let mut pending = std::mem::take(&mut self.pending);
        find_hot(doc, &spans, &self.hot, &self.surface, &mut ids, &mut pending);
        for &(k, hash, k0) in &pending {
            let tok = pending_token(doc, spans[k as usize]);
            let w = self.word_of_cold(doc, tok, hash, k0);
            self.hot.put_word(tok.text, k0, w);
            ids[k as usize] = w;
        }
        self.pending = pending;
        // Dropped words (stop words) are left out without a branch, and
        // words outside the vocabulary below (`extend_kept`). Measured
        // (examples/predictphases, the 20 Newsgroups test texts with a
        // default model, 8 alternating runs, best of 3 each): 210-234 ->
        // 198-235 ms, lower at most ranks; the same output.
        drop_dropped(&mut ids);
        self.spans = spans;
        if self.min_n == 1 {
            let index = self.index;
            extend_kept(&mut self.hits, ids.iter(), |&w| {
                let col = if w == UNKNOWN { NONE } else { index.word_column(w) };
                (col, col != NONE)
            });
        }
        for n in self.min_n.max(2)..=self.max_n {
            if n == 2 {
                self.keys.clear();
                for pair in ids.windows(2) {
                    if pair[0] != UNKNOWN && pair[1] != UNKNOWN {
                        self.keys.push(pack2(pair[0], pair[1]));
                    }
                }
                self.index.bigrams.find_all(&self.keys, &mut self.hits, &mut self.again);
            } else {
                for words in ids.windows(n) {
                    if !words.contains(&UNKNOWN) {
                        if let Some(&col) = self.index.long.get(words) {
                            self.hits.push(col);
                        }
                    }
                }
            }
        }
        self.ids = ids;
        sort_by_u32_key(&mut self.hits, &mut self.sort_tmp, |c| c);
        let mut i = 0;
        while i < self.hits.len() {
            let c = self.hits[i];
            let mut j = i + 1;
            while j < self.hits.len() && self.hits[j] == c {
                j += 1;
            }
            self.rows.feats.push(c);
            self.rows.counts.push((j - i) as u32);
            i = j;
        }
        self.hits.clear();
        self.rows.indptr.push(self.rows.feats.len());
    }
}

// ------------------------------------------------------------------ hashing

/// Counts documents into hashed columns with signed counts.
pub(crate) struct HashCounter<'a> {
    analyzer: &'a Analyzer,
    scratch: Scratch,
    n_features: u32,
    alternate_sign: bool,
    min_n: usize,
    max_n: usize,
    /// Raw word -> packed (column, sign) with its analyzed term as suffix.
    surface: ArenaCache<u32>,
    /// Packed (column, sign) of each hashed term of the current document.
    hits: Vec<u32>,
    /// Scratch for sorting `hits`.
    sort_tmp: Vec<u32>,
    /// Unigrams only: short raw words -> packed (column, sign) or
    /// [`DROPPED`], in front of `surface`.
    hot: HotWords,
    /// Unigrams only: word spans of the current document.
    spans: Vec<(usize, usize)>,
    terms: Vec<String>,
    gram: String,
    pub(crate) indptr: Vec<usize>,
    pub(crate) cols: Vec<u32>,
    pub(crate) values: Vec<f64>,
}

const SIGN_BIT: u32 = 1 << 31;

/// A term's hashed column, with [`SIGN_BIT`] set for a negative sign
/// (columns are below 2^31 - 1, so this is never [`DROPPED`]).
fn pack_hashed(term: &str, n_features: u32) -> u32 {
    let (col, positive) = hashed_feature(term, n_features);
    if positive {
        col
    } else {
        col | SIGN_BIT
    }
}

impl<'a> HashCounter<'a> {
    pub(crate) fn new(analyzer: &'a Analyzer, n_features: u32, alternate_sign: bool) -> Self {
        let (min_n, max_n) = analyzer.config().ngram_range;
        HashCounter {
            analyzer,
            scratch: analyzer.scratch(),
            n_features,
            alternate_sign,
            min_n,
            max_n,
            surface: ArenaCache::new(1 << 21, 1 << 28),
            hits: Vec::new(),
            sort_tmp: Vec::new(),
            hot: HotWords::new(HOT_BITS),
            spans: Vec::new(),
            terms: vec![String::new(); MAX_NGRAM],
            gram: String::new(),
            indptr: vec![0],
            cols: Vec::new(),
            values: Vec::new(),
        }
    }

    #[inline]
    fn add_hashed(&mut self, packed: u32) {
        self.hits.push(packed);
    }

    fn pack(&self, term: &str) -> u32 {
        pack_hashed(term, self.n_features)
    }

    /// Counts one document and appends its row (columns sorted).
    pub(crate) fn add(&mut self, doc: &str) {
        if self.max_n == 1 {
            self.add_unigrams(doc);
        } else {
            self.add_ngrams(doc);
        }
        self.finish_row();
    }

    /// Unigrams only, the common hashing setting: as the other counters, a
    /// direct-mapped table of short words in front of the surface cache, so
    /// most words need no string hash. A word's packed (column, sign) is a
    /// pure function of its text, so the tables only cache it.
    /// Hand-written; a unigram hashing fit took about a third less time.
    fn add_unigrams(&mut self, doc: &str) {
        let mut spans = std::mem::take(&mut self.spans);
        spans.clear();
        self.analyzer.word_spans(doc, &mut spans);
        let bytes = doc.as_bytes();
        for &(start, end) in &spans {
            let k0 = head8_at(bytes, start, end);
            let packed = match HotWords::holds(end - start).then(|| self.hot.get(k0)).flatten() {
                Some(p) => p,
                None => {
                    let tok = pending_token(doc, (start, end));
                    let p = self.packed_cold(doc, tok);
                    self.hot.put_word(tok.text, k0, p);
                    p
                }
            };
            if packed != DROPPED {
                self.hits.push(packed);
            }
        }
        self.spans = spans;
    }

    /// The packed (column, sign) of a word, or [`DROPPED`] (the cache
    /// behind [`HotWords`]).
    fn packed_cold(&mut self, doc: &str, tok: Token<'_>) -> u32 {
        let hash = hash_str(tok.text);
        let cache = cacheable(tok.text);
        if cache {
            if let Some(slot) = self.surface.find(tok.text, hash) {
                return slot.value;
            }
        }
        let n_features = self.n_features;
        let packed = match self.analyzer.normalize_uncached(doc, tok, &mut self.scratch) {
            None => DROPPED,
            Some(term) => pack_hashed(term, n_features),
        };
        if cache {
            self.surface.insert(tok.text, hash, packed);
        }
        packed
    }

    fn add_ngrams(&mut self, doc: &str) {
        let mut filled = 0usize;
        for tok in self.analyzer.words(doc) {
            let hash = hash_str(tok.text);
            let cache = cacheable(tok.text);
            let found = if cache { self.surface.find(tok.text, hash) } else { None };
            let packed = match found {
                Some(slot) => {
                    if slot.value == DROPPED {
                        continue;
                    }
                    if self.max_n >= 2 {
                        self.terms.rotate_left(1);
                        let last = &mut self.terms[MAX_NGRAM - 1];
                        last.clear();
                        last.push_str(self.surface.suffix(slot));
                    }
                    slot.value
                }
                None => {
                    let Some(term) = self.analyzer.normalize_uncached(doc, tok, &mut self.scratch)
                    else {
                        if cache {
                            self.surface.insert(tok.text, hash, DROPPED);
                        }
                        continue;
                    };
                    let term = term.to_string();
                    let packed = self.pack(&term);
                    if cache {
                        self.surface.insert_with_suffix(tok.text, hash, &term, packed);
                    }
                    if self.max_n >= 2 {
                        self.terms.rotate_left(1);
                        self.terms[MAX_NGRAM - 1] = term;
                    }
                    packed
                }
            };
            if self.min_n == 1 {
                self.add_hashed(packed);
            }
            if self.max_n >= 2 {
                filled = (filled + 1).min(MAX_NGRAM);
                for n in self.min_n.max(2)..=self.max_n.min(filled) {
                    self.gram.clear();
                    for (k, t) in self.terms[MAX_NGRAM - n..].iter().enumerate() {
                        if k > 0 {
                            self.gram.push(' ');
                        }
                        self.gram.push_str(t);
                    }
                    let p = self.pack(&self.gram);
                    self.add_hashed(p);
                }
            }
        }
    }

    fn finish_row(&mut self) {
        // Sort by column, then sum the signed counts of each column.
        // (The signs of a column's hits may come in any order: their sum,
        // of whole numbers, is exact.)
        sort_by_u32_key(&mut self.hits, &mut self.sort_tmp, |p| p & !SIGN_BIT);
        let mut i = 0;
        while i < self.hits.len() {
            let col = self.hits[i] & !SIGN_BIT;
            let mut sum = 0.0;
            while i < self.hits.len() && self.hits[i] & !SIGN_BIT == col {
                sum += if self.alternate_sign && self.hits[i] & SIGN_BIT != 0 { -1.0 } else { 1.0 };
                i += 1;
            }
            // Collisions can cancel to zero: nothing is stored then.
            if sum != 0.0 {
                self.cols.push(col);
                self.values.push(sum);
            }
        }
        self.hits.clear();
        self.indptr.push(self.cols.len());
    }
}

// ---------------------------------------------------------------- weighting

/// Counts below this take their sublinear tf from [`SUBLINEAR`].
const SUBLINEAR_TABLE: usize = 256;

/// `1 + ln(k)` for the counts `k` below [`SUBLINEAR_TABLE`], computed as
/// [`sublinear`] computes every other value, so the table changes no bit.
/// Hand-written, measured: the logarithm was 1% of a 20 Newsgroups training
/// with scikit-learn's settings (`perf`, one thread); with the table it is
/// gone from the profile (`weigh` itself went from 0.9% to 1.2%).
static SUBLINEAR: std::sync::LazyLock<[f64; SUBLINEAR_TABLE]> =
    std::sync::LazyLock::new(|| std::array::from_fn(|k| sublinear_formula(k as f64)));

#[inline]
fn sublinear_formula(v: f64) -> f64 {
    v.signum() * (v.abs().ln() + 1.0)
}

/// scikit-learn's sublinear tf, `sign(v) (1 + ln |v|)`.
#[inline]
pub(crate) fn sublinear(v: f64) -> f64 {
    // A count: a whole number in the table's range (1.0 -> 1, not 0.999...).
    let k = v as usize;
    if v >= 1.0 && k < SUBLINEAR_TABLE && k as f64 == v {
        SUBLINEAR[k]
    } else {
        sublinear_formula(v)
    }
}

/// The term frequency of a whole count as [`weigh`] makes it (binary,
/// sublinear or raw), the same bits, with no test on the value beyond the
/// table's bound: the fit's rows hold counts, and `weigh`'s tests of a
/// float (whole, in range) took a third of its samples (`perf`, 20
/// Newsgroups with scikit-learn's training settings, where `weigh` was 5%
/// of the fit). Make one per row or more.
pub(crate) struct CountTf<'a> {
    binary: bool,
    table: Option<&'a [f64; SUBLINEAR_TABLE]>,
}

impl CountTf<'_> {
    pub(crate) fn new(s: &crate::TfidfSettings) -> Self {
        CountTf { binary: s.binary, table: s.sublinear_tf.then(|| &*SUBLINEAR) }
    }

    #[inline(always)]
    pub(crate) fn of(&self, count: u32) -> f64 {
        // Binary and sublinear: 1 + ln 1 = 1.
        if self.binary {
            return 1.0;
        }
        match self.table {
            None => count as f64,
            Some(t) => match t.get(count as usize) {
                Some(&v) => v,
                None => sublinear_formula(count as f64),
            },
        }
    }
}

/// Turns a row of raw counts (sorted columns) into TF-IDF values in place.
pub(crate) fn weigh(
    values: &mut [f64],
    cols: &[u32],
    s: &crate::TfidfSettings,
    idf: Option<&[f64]>,
) {
    if s.binary {
        // As scikit-learn: every stored value becomes 1, sign included.
        values.fill(1.0);
    }
    if s.sublinear_tf {
        for v in values.iter_mut() {
            *v = sublinear(*v);
        }
    }
    weigh_tf(values, cols, s, idf);
}

/// [`weigh`] for a row whose values are already term frequencies (binary
/// and sublinear applied, as [`CountTf`] does).
pub(crate) fn weigh_tf(
    values: &mut [f64],
    cols: &[u32],
    s: &crate::TfidfSettings,
    idf: Option<&[f64]>,
) {
    if let Some(idf) = idf {
        for (v, &c) in values.iter_mut().zip(cols) {
            *v *= idf[c as usize];
        }
    }
    match s.norm {
        crate::Norm::L2 => {
            let mut sum = 0.0;
            for v in values.iter() {
                sum += v * v;
            }
            if sum != 0.0 {
                let n = sum.sqrt();
                for v in values.iter_mut() {
                    *v /= n;
                }
            }
        }
        crate::Norm::L1 => {
            let mut sum = 0.0;
            for v in values.iter() {
                sum += v.abs();
            }
            if sum != 0.0 {
                for v in values.iter_mut() {
                    *v /= sum;
                }
            }
        }
        crate::Norm::None => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// Radix or comparison sort by a `u64` key, short and long vectors,
        /// keys of few or many bits: the keys come out sorted, with the
        /// same values.
        #[test]
        fn sort_by_u64_key_sorts(
            v in proptest::collection::vec(
                proptest::prop_oneof![0u64..300, 0u64..(1 << 36), proptest::prelude::any::<u64>()],
                0..1500,
            ),
        ) {
            let mut want: Vec<u64> = v.clone();
            want.sort_unstable();
            let with_index: Vec<(u64, usize)> = v.iter().copied().zip(0..).collect();
            let (mut got, mut tmp) = (with_index.clone(), vec![(1, 2); 5]);
            sort_by_u64_key(&mut got, &mut tmp, |p| p.0);
            let keys: Vec<u64> = got.iter().map(|p| p.0).collect();
            proptest::prop_assert_eq!(keys, want);
            got.sort_unstable();
            let mut all = with_index;
            all.sort_unstable();
            proptest::prop_assert_eq!(got, all);
        }

        /// Radix or comparison sort, any values, short and long vectors:
        /// the same as `sort_unstable`; by a key, sorted by it with the
        /// same values.
        #[test]
        fn sort_by_u32_key_sorts(
            v in proptest::collection::vec(
                proptest::prop_oneof![0u32..300, 0u32..400_000, proptest::prelude::any::<u32>()],
                0..1200,
            ),
            small in proptest::prelude::any::<bool>(),
        ) {
            let v: Vec<u32> = if small { v.iter().map(|x| x % 1000).collect() } else { v };
            let mut want = v.clone();
            want.sort_unstable();
            let (mut got, mut tmp) = (v.clone(), vec![7; 3]);
            sort_by_u32_key(&mut got, &mut tmp, |x| x);
            proptest::prop_assert_eq!(&got, &want);
            // Packed as the counters pack them: the key in the high half.
            let packed: Vec<u64> = v.iter().enumerate().map(|(i, &x)| (x as u64) << 32 | i as u64).collect();
            let (mut got, mut tmp) = (packed.clone(), Vec::new());
            sort_by_u32_key(&mut got, &mut tmp, |p| (p >> 32) as u32);
            let keys: Vec<u32> = got.iter().map(|p| (p >> 32) as u32).collect();
            proptest::prop_assert_eq!(keys, want);
            let (mut a, mut b) = (got, packed);
            a.sort_unstable();
            b.sort_unstable();
            proptest::prop_assert_eq!(a, b);
        }
    }

    #[test]
    fn sort_by_u32_key_handles_zeros_and_the_largest_keys() {
        for v in
            [vec![0u32; 600], vec![u32::MAX; 600], (0..700).rev().map(|i| i * 6_000_000).collect()]
        {
            let mut want = v.clone();
            want.sort_unstable();
            let (mut got, mut tmp) = (v, Vec::new());
            sort_by_u32_key(&mut got, &mut tmp, |x| x);
            assert_eq!(got, want);
        }
    }

    #[test]
    fn count_tf_is_weigh_s_tf() {
        for (binary, sublinear_tf) in [(false, false), (false, true), (true, false), (true, true)] {
            let s = crate::TfidfSettings {
                binary,
                sublinear_tf,
                norm: crate::Norm::None,
                ..Default::default()
            };
            let tf = CountTf::new(&s);
            for count in (0..600).chain([u32::MAX - 1, u32::MAX]) {
                let mut want = [count as f64];
                weigh(&mut want, &[0], &s, None);
                assert_eq!(
                    tf.of(count).to_bits(),
                    want[0].to_bits(),
                    "{count} {binary} {sublinear_tf}"
                );
            }
        }
    }

    #[test]
    fn the_sublinear_table_changes_no_bit() {
        for k in 0..2 * SUBLINEAR_TABLE {
            for v in [k as f64, -(k as f64), k as f64 + 0.5] {
                let want = v.signum() * (v.abs().ln() + 1.0);
                assert_eq!(sublinear(v).to_bits(), want.to_bits(), "{v}");
            }
        }
        assert_eq!(sublinear(1.0), 1.0);
        assert!((sublinear(3.0) - (1.0 + 3f64.ln())).abs() < 1e-15);
    }
}
