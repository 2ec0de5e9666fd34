//! The fitted vocabulary and the index that maps words to columns.

use crate::error::{Error, Result};
use crate::wordtable::{head8, PairTable, WordTable};
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
        Ok(Vocabulary { text, ends })
    }

    pub(crate) fn raw(&self) -> (&str, &[u32]) {
        (&self.text, &self.ends)
    }

    pub(crate) fn push(&mut self, term: &str) -> Result<()> {
        if self.text.len() + term.len() > u32::MAX as usize
            || self.ends.len() >= u32::MAX as usize - 1
        {
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
    pub(crate) fn build(vocab: &Vocabulary) -> Result<Self> {
        if vocab.len() >= NONE as usize {
            return Err(Error::VocabularyTooLarge);
        }
        // Size the tables up front: growing a table of a million entries
        // rehashes it about twenty times.
        let n_ngrams = vocab.iter().filter(|t| t.contains(' ')).count();
        let n_words = vocab.len() - n_ngrams;
        let mut index = LookupIndex { words: WordTable::unbounded(), ..Default::default() };
        index.words.reserve(n_words + n_words / 2 + 16);
        index.word_col.reserve(n_words + n_words / 2 + 16);
        let mut bigrams: Vec<(u64, u32)> = Vec::with_capacity(n_ngrams);
        let mut ids: Vec<u32> = Vec::with_capacity(8);
        // Sorted vocabularies repeat first words: remember the last one.
        let mut last_first: Option<(&str, u32)> = None;
        for (col, term) in vocab.iter().enumerate() {
            let col = col as u32;
            let Some(space) = term.find(' ') else {
                let id = index.id_or_insert(term);
                index.word_col[id as usize] = col;
                continue;
            };
            ids.clear();
            let first = &term[..space];
            let id = match last_first {
                Some((lw, lid)) if lw == first => lid,
                _ => index.id_or_insert(first),
            };
            last_first = Some((first, id));
            ids.push(id);
            for w in term[space + 1..].split(' ') {
                ids.push(index.id_or_insert(w));
            }
            if ids.len() == 2 {
                bigrams.push((pack2(ids[0], ids[1]), col));
            } else {
                index.long.insert(ids.as_slice().into(), col);
            }
        }
        index.bigrams = PairTable::from_pairs(bigrams);
        Ok(index)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
