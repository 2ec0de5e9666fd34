//! Snowball stemming, with a per-session cache: rust-stemmers for every
//! language, and sift's own Porter2 (`porter2.rs`) for lowercase ASCII
//! English words, where it is several times faster.

use serde::{Deserialize, Serialize};

/// A language with a Snowball stemmer (every algorithm `rust-stemmers` has).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum Language {
    Arabic,
    Danish,
    Dutch,
    English,
    Finnish,
    French,
    German,
    Greek,
    Hungarian,
    Italian,
    Norwegian,
    Portuguese,
    Romanian,
    Russian,
    Spanish,
    Swedish,
    Tamil,
    Turkish,
}

impl Language {
    /// Every supported language.
    pub const ALL: [Language; 18] = [
        Language::Arabic,
        Language::Danish,
        Language::Dutch,
        Language::English,
        Language::Finnish,
        Language::French,
        Language::German,
        Language::Greek,
        Language::Hungarian,
        Language::Italian,
        Language::Norwegian,
        Language::Portuguese,
        Language::Romanian,
        Language::Russian,
        Language::Spanish,
        Language::Swedish,
        Language::Tamil,
        Language::Turkish,
    ];

    /// The lowercase English name, as used in configuration (`"english"`).
    pub fn name(self) -> &'static str {
        match self {
            Language::Arabic => "arabic",
            Language::Danish => "danish",
            Language::Dutch => "dutch",
            Language::English => "english",
            Language::Finnish => "finnish",
            Language::French => "french",
            Language::German => "german",
            Language::Greek => "greek",
            Language::Hungarian => "hungarian",
            Language::Italian => "italian",
            Language::Norwegian => "norwegian",
            Language::Portuguese => "portuguese",
            Language::Romanian => "romanian",
            Language::Russian => "russian",
            Language::Spanish => "spanish",
            Language::Swedish => "swedish",
            Language::Tamil => "tamil",
            Language::Turkish => "turkish",
        }
    }

    /// Parses a language name or ISO 639-1 code (`"english"`, `"en"`), any case.
    pub fn parse(s: &str) -> Option<Language> {
        let s = s.trim().to_ascii_lowercase();
        let code = |l: Language| match l {
            Language::Arabic => "ar",
            Language::Danish => "da",
            Language::Dutch => "nl",
            Language::English => "en",
            Language::Finnish => "fi",
            Language::French => "fr",
            Language::German => "de",
            Language::Greek => "el",
            Language::Hungarian => "hu",
            Language::Italian => "it",
            Language::Norwegian => "no",
            Language::Portuguese => "pt",
            Language::Romanian => "ro",
            Language::Russian => "ru",
            Language::Spanish => "es",
            Language::Swedish => "sv",
            Language::Tamil => "ta",
            Language::Turkish => "tr",
        };
        Language::ALL.into_iter().find(|&l| l.name() == s || code(l) == s)
    }

    fn algorithm(self) -> rust_stemmers::Algorithm {
        use rust_stemmers::Algorithm as A;
        match self {
            Language::Arabic => A::Arabic,
            Language::Danish => A::Danish,
            Language::Dutch => A::Dutch,
            Language::English => A::English,
            Language::Finnish => A::Finnish,
            Language::French => A::French,
            Language::German => A::German,
            Language::Greek => A::Greek,
            Language::Hungarian => A::Hungarian,
            Language::Italian => A::Italian,
            Language::Norwegian => A::Norwegian,
            Language::Portuguese => A::Portuguese,
            Language::Romanian => A::Romanian,
            Language::Russian => A::Russian,
            Language::Spanish => A::Spanish,
            Language::Swedish => A::Swedish,
            Language::Tamil => A::Tamil,
            Language::Turkish => A::Turkish,
        }
    }
}

impl std::fmt::Display for Language {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A Snowball stemmer for one language.
pub struct Stemmer {
    language: Language,
    inner: rust_stemmers::Stemmer,
}

impl Stemmer {
    /// The stemmer for `language`.
    pub fn new(language: Language) -> Self {
        Stemmer { language, inner: rust_stemmers::Stemmer::create(language.algorithm()) }
    }

    /// The language stemmed.
    pub fn language(&self) -> Language {
        self.language
    }

    /// The stem of `word` (which should already be lowercase).
    pub fn stem<'a>(&self, word: &'a str) -> std::borrow::Cow<'a, str> {
        if self.language == Language::English {
            if english_keeps(word) {
                return std::borrow::Cow::Borrowed(word);
            }
            if let Some(stem) = crate::porter2::stem(word) {
                return stem;
            }
        }
        self.inner.stem(word)
    }
}

/// `true` when the Snowball English (Porter2) algorithm returns `word`
/// unchanged because it has no vowel: every byte ASCII, none of `aeiouy`,
/// no apostrophe and no uppercase letter. Every suffix Porter2 removes or
/// replaces holds a vowel except step 1a's `s` and step 5's `l`, and those
/// need a vowel before them (1a) or an R2 region (5), which a word without
/// vowels does not have; its exceptional words all have vowels; `Y` is its
/// internal marker and an apostrophe starts step 0, hence their exclusion.
/// A quarter of the distinct words of 20 Newsgroups (numbers, codes,
/// abbreviations) qualify, and the stemmer's generic Snowball machinery
/// costs far more than this scan. (Checked against rust-stemmers in tests.)
#[inline]
fn english_keeps(word: &str) -> bool {
    word.bytes().all(|b| {
        b.is_ascii()
            && !b.is_ascii_uppercase()
            && !matches!(b, b'a' | b'e' | b'i' | b'o' | b'u' | b'y' | b'\'')
    })
}

impl Clone for Stemmer {
    fn clone(&self) -> Self {
        Stemmer::new(self.language)
    }
}

impl std::fmt::Debug for Stemmer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Stemmer").field("language", &self.language).finish()
    }
}

/// Remembers stems so that each distinct word is stemmed once.
///
/// The cache is bounded: when it holds [`StemCache::CAPACITY`] words it is
/// emptied, so memory stays bounded on endless streams.
#[derive(Debug, Default, Clone)]
pub struct StemCache {
    map: crate::strmap::StrMap<(u32, u32)>,
    stems: String,
}

impl StemCache {
    /// Number of words kept before the cache is emptied.
    pub const CAPACITY: usize = 1 << 20;

    /// The stem of `word`, computed with `stemmer` on the first request.
    #[inline]
    pub fn stem<'c>(&'c mut self, stemmer: &Stemmer, word: &str) -> &'c str {
        if self.map.len() >= Self::CAPACITY || self.stems.len() >= 1 << 28 {
            self.map.clear();
            self.stems.clear();
        }
        let hash = crate::strmap::hash_str(word);
        let i = match self.map.index_of_hashed(word, hash) {
            Some(i) => i,
            None => {
                let start = self.stems.len();
                self.stems.push_str(&stemmer.stem(word));
                let range = (start as u32, self.stems.len() as u32);
                match self.map.entry_with_hash(word, hash, || range) {
                    Ok(i) => i,
                    // Unreachable in practice (emptied long before 4 GiB);
                    // stay correct without caching.
                    Err(_) => return &self.stems[start..],
                }
            }
        };
        let (s, e) = *self.map.value(i);
        &self.stems[s as usize..e as usize]
    }

    /// Number of cached words.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// `true` when nothing is cached.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_snowball() {
        let s = Stemmer::new(Language::English);
        assert_eq!(s.stem("running"), "run");
        assert_eq!(s.stem("generously"), "generous");
        let mut cache = StemCache::default();
        assert_eq!(cache.stem(&s, "nationalities"), s.stem("nationalities"));
        assert_eq!(cache.len(), 1);
        assert_eq!(cache.stem(&s, "nationalities"), "nation");
        assert_eq!(cache.len(), 1);
    }

    /// The shortcut for words without vowels agrees with rust-stemmers.
    fn same_as_snowball(word: &str) {
        let ours = Stemmer::new(Language::English);
        let theirs = rust_stemmers::Stemmer::create(rust_stemmers::Algorithm::English);
        assert_eq!(ours.stem(word), theirs.stem(word), "{word:?}");
    }

    proptest::proptest! {
        #[test]
        fn english_shortcut_agrees_with_snowball(word in "[bcdlnsxyY'aeu0-9_-]{0,8}(s|l|ll|ss|sses|ly)?") {
            same_as_snowball(&word);
        }
    }

    #[test]
    fn english_shortcut_agrees_with_snowball_on_words_without_vowels() {
        let mut n_kept = 0;
        for w in [
            "nntp", "1990s", "xss", "ll", "bll", "pls", "mrs", "dr", "ss", "xsses", "shh", "crwth",
            "tsktsks", "2nd", "c552jv", "1khz", "_", "-", "sky", "skis", "hymn", "y", "by", "dys",
            "ys", "'s", "ts'",
        ] {
            same_as_snowball(w);
            n_kept += usize::from(english_keeps(w));
        }
        assert!(n_kept >= 15, "{n_kept}");
    }

    #[test]
    fn every_language_parses_and_stems() {
        for l in Language::ALL {
            assert_eq!(Language::parse(l.name()), Some(l));
            assert_eq!(Language::parse(&l.name().to_uppercase()), Some(l));
            let _ = Stemmer::new(l).stem("abc");
        }
        assert_eq!(Language::parse("fr"), Some(Language::French));
        assert_eq!(Language::parse("klingon"), None);
    }
}
