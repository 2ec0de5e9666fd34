//! The analyzer: words -> filters -> terms (and word n-grams).
//!
//! An [`Analyzer`] is built from an [`AnalyzerConfig`], which is plain data
//! (serde, tagged enums): saving the configuration with a model and loading it
//! again rebuilds exactly the same pipeline. Nothing in it is a closure.
//!
//! Per-call state (scratch buffers, the stem cache, the n-gram window) lives in
//! a [`Scratch`] that callers keep and reuse, one per thread, so the hot path
//! allocates nothing per token.

use crate::case::push_lowercase_in_context;
use crate::error::Error;
use crate::span::Span;
use crate::stem::{Language, StemCache, Stemmer};
use crate::stopwords::{StopList, StopSet};
use crate::strmap::{hash_str, ArenaCache};
use crate::word::{Pattern, Token, Words};
use serde::{Deserialize, Serialize};

/// Largest n-gram order accepted.
pub const MAX_NGRAM: usize = 8;

/// One step of the filter chain, applied to each word in order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Filter {
    /// Unicode lowercase (ASCII fast path). With [`Pattern::Sift`] the
    /// typographic apostrophes `’` and `ʼ` also become `'`.
    Lowercase,
    /// Removes an English possessive ending: `china's` -> `china`.
    Possessive,
    /// Drops stop words: a built-in list plus the user's words.
    StopWords {
        /// The built-in list to start from.
        #[serde(default)]
        list: StopList,
        /// More words to drop, compared as they are after earlier filters.
        #[serde(default)]
        extra: Vec<String>,
    },
    /// Snowball stemming (each distinct word is stemmed once per [`Scratch`]).
    /// Words holding a full stop (abbreviations such as "u.s", "e.u",
    /// "a.m") are kept as they are: Snowball is made for words, and would
    /// turn "u.s" into "u.".
    Stem {
        /// The stemmer's language.
        language: Language,
    },
    /// Keeps words whose length in characters is within `min..=max`.
    Length {
        /// Shortest length kept.
        #[serde(default)]
        min: usize,
        /// Longest length kept (no limit when absent).
        #[serde(default)]
        max: Option<usize>,
    },
}

/// Everything that defines how text becomes terms. Plain, versionable data.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnalyzerConfig {
    /// How words are found.
    pub pattern: Pattern,
    /// Filters applied to each word, in order.
    pub filters: Vec<Filter>,
    /// Word n-grams from `.0` to `.1` words (inclusive), joined by one space.
    pub ngram_range: (usize, usize),
}

impl Default for AnalyzerConfig {
    /// sift's default for English news: sift words, lowercase, possessives
    /// removed, English stop words, unigrams.
    fn default() -> Self {
        AnalyzerConfig {
            pattern: Pattern::Sift,
            filters: vec![
                Filter::Lowercase,
                Filter::Possessive,
                Filter::StopWords { list: StopList::English, extra: Vec::new() },
            ],
            ngram_range: (1, 1),
        }
    }
}

impl AnalyzerConfig {
    /// scikit-learn's `TfidfVectorizer` analysis: `(?u)\b\w\w+\b`, lowercase,
    /// no stop words, unigrams.
    pub fn sklearn() -> Self {
        AnalyzerConfig {
            pattern: Pattern::Sklearn,
            filters: vec![Filter::Lowercase],
            ngram_range: (1, 1),
        }
    }

    /// The same configuration with another n-gram range.
    pub fn with_ngram_range(mut self, min: usize, max: usize) -> Self {
        self.ngram_range = (min, max);
        self
    }

    /// The same configuration with a filter appended.
    pub fn with_filter(mut self, filter: Filter) -> Self {
        self.filters.push(filter);
        self
    }

    /// The same configuration with Snowball stemming in `language` appended.
    pub fn with_stemming(self, language: Language) -> Self {
        self.with_filter(Filter::Stem { language })
    }

    /// Checks the configuration.
    pub fn check(&self) -> Result<(), Error> {
        let (min, max) = self.ngram_range;
        if min == 0 || min > max {
            return Err(Error::NgramRange { min, max });
        }
        if max > MAX_NGRAM {
            return Err(Error::NgramTooLarge(max));
        }
        for f in &self.filters {
            if let Filter::Length { min, max: Some(max) } = *f {
                if min > max {
                    return Err(Error::LengthRange { min, max });
                }
            }
        }
        Ok(())
    }
}

#[derive(Clone, Debug)]
enum Step {
    Lowercase,
    Possessive,
    Stop(StopSet),
    Stem(Stemmer),
    Length { min: usize, max: usize },
}

/// A compiled [`AnalyzerConfig`]: finds words and turns them into terms.
///
/// ```
/// use sift_tokenize::{Analyzer, AnalyzerConfig};
/// let a = Analyzer::new(AnalyzerConfig::default()).unwrap();
/// let terms: Vec<String> = a.terms("China's exports to the U.S. rose").into_iter().map(|t| t.text).collect();
/// assert_eq!(terms, ["china", "exports", "u.s", "rose"]);
/// ```
#[derive(Clone, Debug)]
pub struct Analyzer {
    config: AnalyzerConfig,
    steps: Vec<Step>,
    lowercase_first: bool,
    /// The chain has a step worth caching (stop words, stemming).
    cached: bool,
}

/// Reusable per-thread state for an [`Analyzer`]: scratch buffers, the stem
/// cache, the term cache and the n-gram window.
#[derive(Debug, Default, Clone)]
pub struct Scratch {
    buf: String,
    tmp: String,
    stems: StemCache,
    terms: TermCache,
    window: Vec<(String, Span)>,
    gram: String,
}

/// Remembers what the whole filter chain made of each raw word (the term is
/// stored after the word; the value says whether the word was dropped), so a
/// repeated word costs one hash lookup however many filters there are.
#[derive(Debug, Clone)]
struct TermCache(ArenaCache<bool>);

impl Default for TermCache {
    fn default() -> Self {
        TermCache(ArenaCache::new(1 << 20, 1 << 28))
    }
}

/// A term with the byte span of the words it came from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Term {
    /// The term after filters; n-grams join their words with one space.
    pub text: String,
    /// Byte span in the original text (first word's start to last word's end).
    pub span: Span,
}

impl Analyzer {
    /// Compiles `config`.
    pub fn new(config: AnalyzerConfig) -> Result<Self, Error> {
        config.check()?;
        let steps = config
            .filters
            .iter()
            .map(|f| match f {
                Filter::Lowercase => Step::Lowercase,
                Filter::Possessive => Step::Possessive,
                Filter::StopWords { list, extra } => {
                    let builtin: &[&str] = match list {
                        StopList::None => &[],
                        StopList::English => crate::stopwords::ENGLISH,
                    };
                    Step::Stop(StopSet::new(
                        builtin.iter().map(|s| s.to_string()).chain(extra.iter().cloned()),
                    ))
                }
                Filter::Stem { language } => Step::Stem(Stemmer::new(*language)),
                Filter::Length { min, max } => {
                    Step::Length { min: *min, max: max.unwrap_or(usize::MAX) }
                }
            })
            .collect();
        let lowercase_first = matches!(config.filters.first(), Some(Filter::Lowercase));
        let cached = config
            .filters
            .iter()
            .any(|f| matches!(f, Filter::StopWords { .. } | Filter::Stem { .. }));
        Ok(Analyzer { config, steps, lowercase_first, cached })
    }

    /// The configuration this analyzer was built from.
    pub fn config(&self) -> &AnalyzerConfig {
        &self.config
    }

    /// A fresh scratch state for this analyzer.
    pub fn scratch(&self) -> Scratch {
        Scratch::default()
    }

    /// The words of `text`, before filters.
    pub fn words<'a>(&self, text: &'a str) -> Words<'a> {
        Words::new(text, self.config.pattern, self.lowercase_first)
    }

    /// Appends the byte spans of [`Analyzer::words`] to `out` (faster than
    /// collecting the tokens; see [`Words::spans_into`]).
    pub fn word_spans(&self, text: &str, out: &mut Vec<(usize, usize)>) {
        self.words(text).spans_into(out);
    }

    /// Runs the filter chain on one word of `doc`; `None` when a filter drops
    /// it. The result borrows `scratch`.
    pub fn normalize<'s>(
        &self,
        doc: &str,
        token: Token<'_>,
        scratch: &'s mut Scratch,
    ) -> Option<&'s str> {
        // The chain is a pure function of the word's text, except for a
        // capital sigma (its lowercase depends on the next character).
        if self.cached && (token.text.is_ascii() || !token.text.contains('\u{03A3}')) {
            let Scratch { buf, tmp, stems, terms: TermCache(terms), .. } = scratch;
            let hash = hash_str(token.text);
            let slot = match terms.find(token.text, hash) {
                Some(slot) => slot,
                None => {
                    let term = self.run_chain(doc, token, buf, tmp, stems);
                    terms.insert_with_suffix(token.text, hash, term.unwrap_or(""), term.is_some())
                }
            };
            return if slot.value { Some(terms.suffix(slot)) } else { None };
        }
        self.normalize_uncached(doc, token, scratch)
    }

    /// Like [`Analyzer::normalize`], but always runs the filter chain, for
    /// callers that cache results themselves (the vectorizer caches word ->
    /// term id).
    pub fn normalize_uncached<'s>(
        &self,
        doc: &str,
        token: Token<'_>,
        scratch: &'s mut Scratch,
    ) -> Option<&'s str> {
        let Scratch { buf, tmp, stems, .. } = scratch;
        self.run_chain(doc, token, buf, tmp, stems)
    }

    fn run_chain<'s>(
        &self,
        doc: &str,
        token: Token<'_>,
        buf: &'s mut String,
        tmp: &mut String,
        stems: &mut StemCache,
    ) -> Option<&'s str> {
        buf.clear();
        let sift = self.config.pattern == Pattern::Sift;
        let mut steps = self.steps.iter();
        if self.lowercase_first {
            steps.next();
            push_lowercase_in_context(doc, token.span, sift, !sift, buf);
        } else {
            buf.push_str(token.text);
        }
        for step in steps {
            match step {
                Step::Lowercase => {
                    tmp.clear();
                    crate::case::push_lowercase(buf, tmp);
                    std::mem::swap(buf, tmp);
                    if sift && !buf.is_ascii() {
                        let folded = buf.replace(['\u{2019}', '\u{02BC}'], "'");
                        *buf = folded;
                    }
                }
                Step::Possessive => {
                    for ending in ["'s", "'S", "\u{2019}s", "\u{2019}S"] {
                        if buf.len() > ending.len() && buf.ends_with(ending) {
                            buf.truncate(buf.len() - ending.len());
                            break;
                        }
                    }
                }
                Step::Stop(set) => {
                    if set.contains(buf) {
                        return None;
                    }
                }
                Step::Stem(_) if buf.contains('.') => {}
                Step::Stem(stemmer) => {
                    tmp.clear();
                    if self.cached {
                        // The term cache already runs this once per distinct
                        // raw word; a second cache would cost more than it saves.
                        tmp.push_str(&stemmer.stem(buf));
                    } else {
                        tmp.push_str(stems.stem(stemmer, buf));
                    }
                    std::mem::swap(buf, tmp);
                }
                Step::Length { min, max } => {
                    let n = if buf.is_ascii() { buf.len() } else { buf.chars().count() };
                    if n < *min || n > *max {
                        return None;
                    }
                }
            }
        }
        if buf.is_empty() {
            None
        } else {
            Some(buf.as_str())
        }
    }

    /// Calls `f` with every term of `text` (unigrams after filters, then the
    /// n-grams of the configured range ending at each word), in text order.
    pub fn for_each_term<F>(&self, text: &str, scratch: &mut Scratch, mut f: F)
    where
        F: FnMut(&str, Span),
    {
        let (min_n, max_n) = self.config.ngram_range;
        let mut window = std::mem::take(&mut scratch.window);
        let mut gram = std::mem::take(&mut scratch.gram);
        let mut filled = 0usize;
        if window.len() < max_n {
            window.resize_with(max_n, Default::default);
        }
        for token in self.words(text) {
            let Some(term) = self.normalize(text, token, scratch) else {
                continue;
            };
            if max_n == 1 {
                f(term, token.span);
                continue;
            }
            // Shift the window left and append the new term.
            window.rotate_left(1);
            let last = &mut window[max_n - 1];
            last.0.clear();
            last.0.push_str(term);
            last.1 = token.span;
            filled = (filled + 1).min(max_n);
            for n in min_n..=max_n.min(filled) {
                let first = max_n - n;
                gram.clear();
                for (k, (w, _)) in window[first..].iter().enumerate() {
                    if k > 0 {
                        gram.push(' ');
                    }
                    gram.push_str(w);
                }
                f(&gram, window[first].1.cover(token.span));
            }
        }
        scratch.window = window;
        scratch.gram = gram;
    }

    /// All terms of `text`, in text order (convenience; allocates).
    pub fn terms(&self, text: &str) -> Vec<Term> {
        let mut scratch = self.scratch();
        let mut out = Vec::new();
        self.for_each_term(text, &mut scratch, |t, span| {
            out.push(Term { text: t.to_string(), span })
        });
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(config: AnalyzerConfig, text: &str) -> Vec<String> {
        Analyzer::new(config).unwrap().terms(text).into_iter().map(|t| t.text).collect()
    }

    #[test]
    fn default_pipeline() {
        assert_eq!(
            terms(AnalyzerConfig::default(), "The UK’s trade deficit WIDENED"),
            ["uk", "trade", "deficit", "widened"]
        );
    }

    #[test]
    fn sklearn_pipeline() {
        assert_eq!(
            terms(AnalyzerConfig::sklearn(), "The UK's trade-deficit, a 3.6% rise"),
            ["the", "uk", "trade", "deficit", "rise"]
        );
    }

    #[test]
    fn stemming_and_length() {
        let c = AnalyzerConfig::default()
            .with_stemming(Language::English)
            .with_filter(Filter::Length { min: 3, max: Some(6) });
        // The length filter runs after stemming: "password" (8) and "extraordinari" (13) go.
        assert_eq!(
            terms(c, "Hackers were stealing passwords at an extraordinary rate"),
            ["hacker", "steal", "rate"]
        );
    }

    #[test]
    fn abbreviations_are_not_stemmed() {
        let c = AnalyzerConfig::default().with_stemming(Language::English);
        assert_eq!(terms(c, "The U.S. and the E.U. levies"), ["u.s", "e.u", "levi"]);
    }

    #[test]
    fn ngrams_join_filtered_words() {
        let c = AnalyzerConfig::default().with_ngram_range(1, 2);
        let a = Analyzer::new(c).unwrap();
        let text = "Trade talks in Geneva";
        let got: Vec<(String, &str)> =
            a.terms(text).into_iter().map(|t| (t.text, t.span.text(text))).collect();
        assert_eq!(
            got,
            [
                ("trade".to_string(), "Trade"),
                ("talks".to_string(), "talks"),
                ("trade talks".to_string(), "Trade talks"),
                ("geneva".to_string(), "Geneva"),
                ("talks geneva".to_string(), "talks in Geneva"),
            ]
        );
        let only_bigrams = Analyzer::new(AnalyzerConfig::default().with_ngram_range(2, 2)).unwrap();
        assert_eq!(only_bigrams.terms(text).len(), 2);
    }

    #[test]
    fn invalid_configs() {
        assert!(matches!(
            Analyzer::new(AnalyzerConfig::default().with_ngram_range(0, 1)),
            Err(Error::NgramRange { .. })
        ));
        assert!(matches!(
            Analyzer::new(AnalyzerConfig::default().with_ngram_range(3, 2)),
            Err(Error::NgramRange { .. })
        ));
        assert!(matches!(
            Analyzer::new(AnalyzerConfig::default().with_ngram_range(1, 9)),
            Err(Error::NgramTooLarge(9))
        ));
        let bad = AnalyzerConfig::default().with_filter(Filter::Length { min: 5, max: Some(2) });
        assert!(matches!(Analyzer::new(bad), Err(Error::LengthRange { min: 5, max: 2 })));
    }

    #[test]
    fn config_round_trips_through_json() {
        let c = AnalyzerConfig::default()
            .with_stemming(Language::German)
            .with_filter(Filter::StopWords { list: StopList::None, extra: vec!["foo".into()] })
            .with_ngram_range(1, 3);
        let json = serde_json::to_string(&c).unwrap();
        assert!(
            json.contains(r#""type":"stem""#) && json.contains(r#""language":"german""#),
            "{json}"
        );
        let back: AnalyzerConfig = serde_json::from_str(&json).unwrap();
        assert_eq!(back, c);
    }
}
