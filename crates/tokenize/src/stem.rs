//! Snowball stemming through `rust-stemmers`, with a per-session cache.

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
        self.inner.stem(word)
    }
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
