//! The fitted vocabulary and the index that maps words to columns.

use crate::error::{Error, Result};
use crate::wordtable::{head8, PairTable, WordTable, MAX_TEXT};
use rayon::prelude::*;
use rustc_hash::FxBuildHasher;
use sift_tokenize::hash_str;

/// No column: a word that is only part of n-gram terms.
pub(crate) const NONE: u32 = u32::MAX;

/// Terms in column order, stored in one string.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Vocabulary {
    text: String,
    ends: Vec<u32>,
}

impl Vocabulary {
    /// A vocabulary from terms in column order.
    pub fn from_terms<I, S>(terms: I) -> Result<Self>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut v = Vocabulary::default();
        for t in terms {
            v.push(t.as_ref())?;
        }
        Ok(v)
    }

    pub(crate) fn from_raw(text: String, ends: Vec<u32>) -> Result<Self> {
        let mut last = 0u32;
        for &e in &ends {
            if e < last || e as usize > text.len() || !text.is_char_boundary(e as usize) {
                return Err(Error::Format("vocabulary term boundaries are invalid".into()));
            }
            last = e;
        }
        if last as usize != text.len() {
            return Err(Error::Format("vocabulary text has trailing bytes".into()));
        }
        if text.len() > MAX_TEXT {
            return Err(Error::VocabularyTooLarge);
        }
        Ok(Vocabulary { text, ends })
    }

    pub(crate) fn raw(&self) -> (&str, &[u32]) {
        (&self.text, &self.ends)
    }

    pub(crate) fn push(&mut self, term: &str) -> Result<()> {
        // At most `MAX_TEXT` (2 GiB) of text, here and in `from_raw`: past
        // it, the lookup index's word table would empty itself and forget
        // words.
        if self.text.len() + term.len() > MAX_TEXT || self.ends.len() >= u32::MAX as usize - 1 {
            return Err(Error::VocabularyTooLarge);
        }
        self.text.push_str(term);
        self.ends.push(self.text.len() as u32);
        Ok(())
    }

    /// Number of terms (columns).
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// `true` when there is no term.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The term of column `i`.
    pub fn term(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        &self.text[start..self.ends[i] as usize]
    }

    /// Terms in column order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        (0..self.len()).map(move |i| self.term(i))
    }
}

/// Maps analyzed words to columns: each word that appears in a term gets an
/// id (and its column when it is a unigram term); n-gram terms are keyed by
/// their words' ids.
#[derive(Default)]
pub(crate) struct LookupIndex {
    words: WordTable,
    /// Word id -> its column as a unigram term, or [`NONE`].
    word_col: Vec<u32>,
    pub(crate) bigrams: PairTable,
    pub(crate) long: hashbrown::HashMap<Box<[u32]>, u32, FxBuildHasher>,
}

impl std::fmt::Debug for LookupIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LookupIndex").field("words", &self.word_col.len()).finish_non_exhaustive()
    }
}

/// Whether a term has a space (is an n-gram). On bytes: `str::contains`
/// with a `char` pattern went through a general searcher, 4% of loading a
/// million-term vocabulary.
#[inline]
fn has_space(term: &str) -> bool {
    term.as_bytes().contains(&b' ')
}

/// The byte offset of a term's first space.
#[inline]
fn find_space(term: &str) -> Option<usize> {
    term.bytes().position(|b| b == b' ')
}

/// Each term's number of spaces, at most 2 (0: a unigram, 1: a bigram, 2:
/// a longer n-gram), in column order: one `memchr` pass over the terms'
/// text. Testing each term for a space took 3.7 ms of loading a
/// 315,000-term vocabulary on one thread.
fn spaces(vocab: &Vocabulary) -> Vec<u8> {
    let (text, ends) = vocab.raw();
    let mut spaces = vec![0u8; ends.len()];
    let mut col = 0;
    for at in memchr::memchr_iter(b' ', text.as_bytes()) {
        // The term holding byte `at`: the first whose end is past it.
        while ends[col] as usize <= at {
            col += 1;
        }
        spaces[col] = (spaces[col] + 1).min(2);
    }
    spaces
}

#[inline]
pub(crate) fn pack2(a: u32, b: u32) -> u64 {
    ((a as u64) << 32) | b as u64
}

impl LookupIndex {
    /// The id of an analyzed word, if it appears in any term.
    #[inline]
    pub(crate) fn word_id(&self, w: &str) -> Option<u32> {
        self.words.get(w.as_bytes(), hash_str(w), head8(w.as_bytes()))
    }

    /// The column of word `id` as a unigram term, or [`NONE`].
    #[inline]
    pub(crate) fn word_column(&self, id: u32) -> u32 {
        self.word_col[id as usize]
    }

    fn id_or_insert(&mut self, w: &str) -> u32 {
        let (h, k0) = (hash_str(w), head8(w.as_bytes()));
        if let Some(id) = self.words.get(w.as_bytes(), h, k0) {
            return id;
        }
        let id = self.word_col.len() as u32;
        self.words.insert(w.as_bytes(), h, k0, id);
        self.word_col.push(NONE);
        id
    }

    /// Builds the index of `vocab`. Terms are split into words on spaces
    /// (words never contain one).
    ///
    /// In passes that keep the slow part parallel: looking up the words of
    /// a million n-grams is a cache miss each into a table of megabytes.
    /// (1) In column order, unigram terms get ids (the only inserts in the
    /// common case). (2) In parallel, the table is only read: each bigram's
    /// words are looked up. (3) In column order, words not found get ids,
    /// and longer n-grams are keyed. Ids depend only on the vocabulary,
    /// never on the thread count.
    pub(crate) fn build(vocab: &Vocabulary) -> Result<Self> {
        let (mut index, unigrams) = Self::with_unigrams(vocab, &spaces(vocab))?;
        let n_ngrams = vocab.len() - unigrams.len();
        // 2. Each bigram's key (both words' ids); `LATER` for a bigram with
        // a word that has no id yet, and for longer n-grams; `UNIGRAM` for
        // unigram terms. In sorted order a word's n-grams follow each other,
        // so each piece remembers its last first word.
        const LATER: u64 = u64::MAX;
        const UNIGRAM: u64 = u64::MAX - 1;
        let mut keys: Vec<u64> = Vec::with_capacity(vocab.len());
        (0..vocab.len())
            .into_par_iter()
            .with_min_len(4096)
            .map_init(
                || None::<(&str, Option<u32>)>,
                |last, col| {
                    let term = vocab.term(col);
                    let Some(space) = find_space(term) else { return UNIGRAM };
                    let (first, rest) = (&term[..space], &term[space + 1..]);
                    if has_space(rest) {
                        return LATER;
                    }
                    let a = match *last {
                        Some((w, id)) if w == first => id,
                        _ => {
                            let id = index.word_id(first);
                            *last = Some((first, id));
                            id
                        }
                    };
                    match (a, index.word_id(rest)) {
                        (Some(a), Some(b)) => pack2(a, b),
                        _ => LATER,
                    }
                },
            )
            .collect_into_vec(&mut keys);
        // 3. In column order: the words not found, and longer n-grams.
        let mut ids: Vec<u32> = Vec::with_capacity(8);
        for (col, key) in keys.iter_mut().enumerate() {
            if *key != LATER {
                continue;
            }
            let term = vocab.term(col);
            let Some(space) = find_space(term) else { continue };
            let rest = &term[space + 1..];
            let first = index.id_or_insert(&term[..space]);
            if !has_space(rest) {
                *key = pack2(first, index.id_or_insert(rest));
                continue;
            }
            ids.clear();
            ids.push(first);
            for w in rest.split(' ') {
                ids.push(index.id_or_insert(w));
            }
            index.long.insert(ids.as_slice().into(), col as u32);
        }
        let bigrams = || {
            keys.iter()
                .enumerate()
                .filter(|&(_, &k)| k != UNIGRAM && k != LATER)
                .map(|(col, &k)| (k, col as u32))
        };
        index.bigrams = PairTable::from_pairs(n_ngrams - index.long.len(), bigrams);
        Ok(index)
    }

    /// Step 1 of [`LookupIndex::build`]: an index of the unigram terms
    /// only, their words numbered in column order; and their columns.
    fn with_unigrams(vocab: &Vocabulary, spaces: &[u8]) -> Result<(Self, Vec<u32>)> {
        if vocab.len() >= NONE as usize {
            return Err(Error::VocabularyTooLarge);
        }
        let unigrams: Vec<u32> =
            (0..vocab.len() as u32).filter(|&c| spaces[c as usize] == 0).collect();
        // Size the tables up front: growing a table of a million entries
        // rehashes it about twenty times.
        let n_words = unigrams.len();
        let mut index = LookupIndex { words: WordTable::unbounded(), ..Default::default() };
        // The word table at half load (its reserve doubles): every bigram
        // looks up its second word in it, a cache miss each, so a smaller
        // table (6 MB, not 12, for 130,000 words) misses less. Words found
        // only in n-grams grow it if need be. Loading 1.18M terms, minimum
        // of 40, six alternating runs: 82 -> 73 ms on average.
        index.words.reserve(n_words + 16);
        index.word_col.reserve(n_words + n_words / 2 + 16);
        for &col in &unigrams {
            let id = index.id_or_insert(vocab.term(col as usize));
            index.word_col[id as usize] = col;
        }
        Ok((index, unigrams))
    }

    /// What a saved vectorizer keeps of this index (see [`SavedIndex`]);
    /// `None` if this is not the index [`LookupIndex::build`] gives for
    /// `vocab`.
    pub(crate) fn saved(&self, vocab: &Vocabulary) -> Option<SavedIndex> {
        let n_unigram_words = self.word_col.iter().take_while(|&&c| c != NONE).count();
        // Words that are not unigram terms got their ids in order of first
        // appearance in the n-gram terms, in column order (step 3).
        let mut extra = Vocabulary::default();
        let mut next = n_unigram_words;
        for term in vocab.iter().filter(|t| has_space(t)) {
            for w in term.split(' ') {
                if self.word_id(w) == Some(next as u32) {
                    extra.push(w).ok()?;
                    next += 1;
                }
            }
        }
        if next != self.word_col.len() {
            return None;
        }
        let mut by_column: Vec<(u32, u64)> = self.bigrams.entries().map(|(k, c)| (c, k)).collect();
        by_column.sort_unstable();
        let order =
            PairTable::insertion_order(by_column.len(), || by_column.iter().map(|&(c, k)| (k, c)));
        let mut pairs = Vec::with_capacity(order.len() * PAIR_BYTES);
        for (k, c) in order {
            pairs.extend_from_slice(&k.to_le_bytes());
            pairs.extend_from_slice(&c.to_le_bytes());
        }
        Some(SavedIndex { extra_words: extra, pairs })
    }

    /// The index of `vocab` from what [`LookupIndex::saved`] kept: the same
    /// index as [`LookupIndex::build`] gives, without looking up every
    /// bigram's words (two thirds of building a 20 Newsgroups model's
    /// index). A saved part that does not fit the vocabulary is an error.
    pub(crate) fn from_saved(vocab: &Vocabulary, saved: &SavedIndex) -> Result<Self> {
        let bad = |what: &str| Error::Format(format!("the saved lookup index {what}"));
        if saved.pairs.len() % PAIR_BYTES != 0 {
            return Err(bad("is not a whole number of pairs"));
        }
        let spaces = spaces(vocab);
        let (mut index, unigrams) = Self::with_unigrams(vocab, &spaces)?;
        let first_extra = index.word_col.len();
        for (i, w) in saved.extra_words.iter().enumerate() {
            if index.id_or_insert(w) as usize != first_extra + i {
                return Err(bad("repeats a word"));
            }
        }
        let n_words = index.word_col.len() as u64;
        let n_cols = vocab.len() as u64;
        let n_pairs = saved.pairs.len() / PAIR_BYTES;
        if n_pairs > vocab.len() - unigrams.len() {
            return Err(bad("has more bigrams than the vocabulary"));
        }
        let pair = |c: &[u8]| {
            let (k, v) = c.split_at(8);
            (
                u64::from_le_bytes(k.try_into().unwrap_or_default()),
                u32::from_le_bytes(v.try_into().unwrap_or_default()),
            )
        };
        let valid = saved.pairs.chunks_exact(PAIR_BYTES).map(pair).all(|(k, c)| {
            (k >> 32) < n_words && (k & 0xFFFF_FFFF) < n_words && u64::from(c) < n_cols
        });
        if !valid {
            return Err(bad("names a word or column that does not exist"));
        }
        index.bigrams = PairTable::from_ordered(saved.pairs.chunks_exact(PAIR_BYTES).map(pair));
        // Longer n-grams (none with the default range) are keyed here.
        if n_pairs < vocab.len() - unigrams.len() {
            let mut ids: Vec<u32> = Vec::with_capacity(8);
            for col in (0..vocab.len()).filter(|&c| spaces[c] == 2) {
                let term = vocab.term(col);
                ids.clear();
                for w in term.split(' ') {
                    ids.push(index.word_id(w).ok_or_else(|| bad("lacks a word"))?);
                }
                index.long.insert(ids.as_slice().into(), col as u32);
            }
        }
        Ok(index)
    }
}

/// Bytes of one saved bigram: its key (`u64`) and column (`u32`),
/// little-endian.
const PAIR_BYTES: usize = 12;

/// What a saved vectorizer keeps of its [`LookupIndex`], so that loading
/// skips the slow part of building it: the words that are not unigram terms
/// (in id order: their ids follow the unigram terms'), and every bigram's
/// key and column, in the order the pair table inserts them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct SavedIndex {
    pub(crate) extra_words: Vocabulary,
    pub(crate) pairs: Vec<u8>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn large_vocabularies_index_every_term_whatever_the_threads() {
        // Sorted terms: most words are unigram terms, two thirds of the
        // word pairs are bigrams, a few trigrams; over the parallel pieces'
        // minimum size.
        let words: Vec<String> = (0..120).map(|i| format!("w{i:03}")).collect();
        let mut terms = std::collections::BTreeSet::new();
        for (i, a) in words.iter().enumerate() {
            if i % 7 != 0 {
                terms.insert(a.clone());
            }
            for (j, b) in words.iter().enumerate() {
                if (i * 31 + j) % 3 != 0 {
                    terms.insert(format!("{a} {b}"));
                }
                if (i + j) % 50 == 0 {
                    terms.insert(format!("{a} {b} {a}"));
                }
            }
        }
        let v = Vocabulary::from_terms(&terms).unwrap();
        assert!(v.len() > 9000);
        let build = |threads| {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            pool.install(|| LookupIndex::build(&v).unwrap())
        };
        let (one, two) = (build(1), build(2));
        for w in &words {
            assert_eq!(one.word_id(w), two.word_id(w), "{w}");
        }
        for (index, name) in [(&one, "1 thread"), (&two, "2 threads")] {
            for (col, term) in v.iter().enumerate() {
                let ids: Vec<u32> = term.split(' ').map(|w| index.word_id(w).unwrap()).collect();
                let found = match ids.len() {
                    1 => Some(index.word_column(ids[0])).filter(|&c| c != NONE),
                    2 => index.bigrams.get(pack2(ids[0], ids[1])),
                    _ => index.long.get(ids.as_slice()).copied(),
                };
                assert_eq!(found, Some(col as u32), "{term}, {name}");
            }
        }
    }

    /// Every term's column and every word's id, as `index` gives them.
    fn lookups(index: &LookupIndex, v: &Vocabulary) -> Vec<(Vec<Option<u32>>, Option<u32>)> {
        v.iter()
            .map(|term| {
                let ids: Vec<Option<u32>> = term.split(' ').map(|w| index.word_id(w)).collect();
                let found = match ids.iter().copied().collect::<Option<Vec<u32>>>() {
                    None => None,
                    Some(ids) if ids.len() == 1 => Some(index.word_column(ids[0])),
                    Some(ids) if ids.len() == 2 => index.bigrams.get(pack2(ids[0], ids[1])),
                    Some(ids) => index.long.get(ids.as_slice()).copied(),
                };
                (ids, found)
            })
            .collect()
    }

    #[test]
    fn a_saved_index_rebuilds_the_same_index() {
        let mut terms = std::collections::BTreeSet::new();
        for i in 0..300 {
            let (a, b, c) = (format!("w{:03}", i % 97), format!("w{:03}", (i * 7) % 89), i % 13);
            // Words that are multiples of 5 are never unigram terms.
            for w in [&a, &b] {
                if !w.ends_with('0') && !w.ends_with('5') {
                    terms.insert(w.clone());
                }
            }
            terms.insert(format!("{a} {b}"));
            if c == 0 {
                terms.insert(format!("{b} {a} x{i}"));
            }
        }
        let v = Vocabulary::from_terms(&terms).unwrap();
        let built = LookupIndex::build(&v).unwrap();
        let saved = built.saved(&v).unwrap();
        assert!(saved.extra_words.len() > 20, "words found only in n-grams");
        let rebuilt = LookupIndex::from_saved(&v, &saved).unwrap();
        assert_eq!(lookups(&rebuilt, &v), lookups(&built, &v));
        assert!(lookups(&built, &v).iter().enumerate().all(|(c, l)| l.1 == Some(c as u32)));
        assert_eq!(
            rebuilt.bigrams.entries().collect::<Vec<_>>(),
            built.bigrams.entries().collect::<Vec<_>>(),
            "same layout"
        );
        assert_eq!(rebuilt.saved(&v).unwrap(), saved, "saving again gives the same bytes");

        // Saved parts that do not fit the vocabulary are errors.
        let mut cut = saved.clone();
        cut.pairs.pop();
        let mut far = saved.clone();
        far.pairs[8..12].copy_from_slice(&(v.len() as u32).to_le_bytes());
        let mut repeated = saved.clone();
        repeated.extra_words = Vocabulary::from_terms(["w001"]).unwrap();
        for bad in [cut, far, repeated] {
            assert!(LookupIndex::from_saved(&v, &bad).is_err());
        }
    }

    #[test]
    fn spaces_are_counted_per_term() {
        let terms = ["", "a", " ", "a b", "", "a  b", " a", "b ", "x y z w", "é ü", "z"];
        let v = Vocabulary::from_terms(terms).unwrap();
        let naive: Vec<u8> =
            terms.iter().map(|t| t.bytes().filter(|&b| b == b' ').count().min(2) as u8).collect();
        assert_eq!(spaces(&v), naive);
        assert!(spaces(&Vocabulary::default()).is_empty());
    }

    proptest::proptest! {
        /// Against a byte-by-byte count, on terms of any length across the
        /// search's blocks, with bytes one bit away from a space (`!`,
        /// `0`, `\0`, U+00A0 whose second byte is `0xA0`) and runs of
        /// spaces.
        #[test]
        fn spaces_are_counted_as_byte_by_byte(
            terms in proptest::collection::vec("[ a!0\\x00\u{a0}é]{0,20}", 0..40),
        ) {
            let v = Vocabulary::from_terms(&terms).unwrap();
            let naive: Vec<u8> =
                terms.iter().map(|t| t.bytes().filter(|&b| b == b' ').count().min(2) as u8).collect();
            proptest::prop_assert_eq!(spaces(&v), naive);
        }
    }

    #[test]
    fn vocabulary_and_index() {
        let v =
            Vocabulary::from_terms(["deal", "trade", "trade deal", "trade war", "us trade deal"])
                .unwrap();
        assert_eq!(v.len(), 5);
        assert_eq!(v.term(2), "trade deal");
        let idx = LookupIndex::build(&v).unwrap();
        let trade = idx.word_id("trade").unwrap();
        let deal = idx.word_id("deal").unwrap();
        let war = idx.word_id("war").unwrap();
        assert_eq!(idx.word_column(trade), 1);
        assert_eq!(idx.word_column(war), NONE);
        assert_eq!(idx.bigrams.get(pack2(trade, deal)), Some(2));
        let us = idx.word_id("us").unwrap();
        assert_eq!(idx.long.get([us, trade, deal].as_slice()), Some(&4));
    }

    #[test]
    fn raw_round_trip_is_checked() {
        let v = Vocabulary::from_terms(["a", "bc"]).unwrap();
        let (t, e) = v.raw();
        assert_eq!(Vocabulary::from_raw(t.to_string(), e.to_vec()).unwrap(), v);
        assert!(Vocabulary::from_raw("abc".into(), vec![2, 1]).is_err());
        assert!(Vocabulary::from_raw("abc".into(), vec![1]).is_err());
        assert!(Vocabulary::from_raw("é".into(), vec![1, 2]).is_err());
    }
}
