//! The fitted vocabulary and the index that maps words to columns.

use crate::error::{Error, Result};
use crate::wordtable::PairTable;
use rustc_hash::FxBuildHasher;
use sift_tokenize::StrMap;

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

/// Maps analyzed words to columns: unigram words to their index (and
/// column), and sequences of word indices to n-gram columns.
#[derive(Clone, Debug, Default)]
pub(crate) struct LookupIndex {
    /// Word -> its column as a unigram term, or [`NONE`].
    pub(crate) words: StrMap<u32>,
    pub(crate) bigrams: PairTable,
    pub(crate) long: hashbrown::HashMap<Box<[u32]>, u32, FxBuildHasher>,
}

#[inline]
pub(crate) fn pack2(a: u32, b: u32) -> u64 {
    ((a as u64) << 32) | b as u64
}

impl LookupIndex {
    /// Builds the index of `vocab`. Terms are split into words on spaces
    /// (words never contain one).
    pub(crate) fn build(vocab: &Vocabulary) -> Result<Self> {
        let mut index = LookupIndex {
            words: StrMap::with_capacity(vocab.len().min(1 << 22), vocab.text.len().min(1 << 26)),
            ..Default::default()
        };
        let mut ids: Vec<u32> = Vec::with_capacity(8);
        // Sorted vocabularies repeat first words: remember the last one.
        let mut last_first: Option<(&str, u32)> = None;
        for (col, term) in vocab.iter().enumerate() {
            let col = col as u32;
            if !term.contains(' ') {
                let i = index.words.entry(term, || NONE).map_err(|_| Error::VocabularyTooLarge)?;
                *index.words.value_mut(i) = col;
                continue;
            }
            ids.clear();
            for (k, w) in term.split(' ').enumerate() {
                let id = match last_first {
                    Some((lw, lid)) if k == 0 && lw == w => lid,
                    _ => {
                        index.words.entry(w, || NONE).map_err(|_| Error::VocabularyTooLarge)? as u32
                    }
                };
                if k == 0 {
                    last_first = Some((w, id));
                }
                ids.push(id);
            }
            if ids.len() == 2 {
                index.bigrams.insert(pack2(ids[0], ids[1]), col);
            } else {
                index.long.insert(ids.as_slice().into(), col);
            }
        }
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
        let trade = idx.words.index_of("trade").unwrap() as u32;
        let deal = idx.words.index_of("deal").unwrap() as u32;
        let war = idx.words.index_of("war").unwrap();
        assert_eq!(*idx.words.value(trade as usize), 1);
        assert_eq!(*idx.words.value(war), NONE);
        assert_eq!(idx.bigrams.get(pack2(trade, deal)), Some(2));
        let us = idx.words.index_of("us").unwrap() as u32;
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
