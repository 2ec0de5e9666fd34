//! Vectorizer parameters: an unchecked builder ([`TfidfParams`]) validated
//! into [`TfidfValidParams`], in the style of linfa's `ParamGuard`.
//!
//! Defaults are those of scikit-learn's `TfidfVectorizer`: its token pattern
//! and lowercasing, unigrams, `min_df=1`, `max_df=1.0`, no `max_features`,
//! raw counts, smooth IDF, L2-normalized rows.

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use sift_tokenize::{AnalyzerConfig, Filter, Language};

/// A document-frequency bound: an absolute number of documents or a fraction
/// of the corpus (as scikit-learn's int / float `min_df` and `max_df`).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum DocFreq {
    /// A number of documents.
    Count(u64),
    /// A fraction of the documents, in `0.0..=1.0`.
    Fraction(f64),
}

impl DocFreq {
    /// The bound as a number of documents out of `n_docs` (a fraction is not
    /// rounded, as in scikit-learn).
    pub fn resolve(self, n_docs: usize) -> f64 {
        match self {
            DocFreq::Count(c) => c as f64,
            DocFreq::Fraction(f) => f * n_docs as f64,
        }
    }
}

/// `2` for a count of documents, `50%` for a fraction, as messages and
/// model summaries show a bound.
impl std::fmt::Display for DocFreq {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match *self {
            DocFreq::Count(n) => write!(f, "{n}"),
            DocFreq::Fraction(x) => write!(f, "{}%", (x * 1e4).round() / 1e2),
        }
    }
}

/// `l1`, `l2` or `none`, as `sift vectorize --norm` takes it.
impl std::fmt::Display for Norm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Norm::L1 => "l1",
            Norm::L2 => "l2",
            Norm::None => "none",
        })
    }
}

/// Row normalization.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Norm {
    /// Each row divided by the sum of its absolute values.
    L1,
    /// Each row divided by its Euclidean length.
    #[default]
    L2,
    /// No normalization.
    None,
}

/// Hashing mode: features are `murmur3(term) mod n_features`, as
/// scikit-learn's `HashingVectorizer`; no vocabulary is kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hashing {
    /// Number of columns.
    pub n_features: u32,
    /// Give each term a sign from its hash so collisions tend to cancel.
    pub alternate_sign: bool,
}

impl Hashing {
    /// Most columns a hashing vectorizer may have (column indices stay
    /// within `i32`, as scikit-learn's).
    pub const MAX_FEATURES: u32 = i32::MAX as u32;

    /// Whether `n_features` is within 1..=[`Hashing::MAX_FEATURES`].
    pub fn has_valid_size(&self) -> bool {
        (1..=Self::MAX_FEATURES).contains(&self.n_features)
    }
}

/// The settings of a vectorizer: plain data, saved with every model.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TfidfSettings {
    /// How text becomes terms (pattern, filters, n-gram range).
    pub analyzer: AnalyzerConfig,
    /// Drop terms in fewer documents than this.
    pub min_df: DocFreq,
    /// Drop terms in more documents than this.
    pub max_df: DocFreq,
    /// Keep only the most frequent terms (ties: alphabetical order).
    pub max_features: Option<usize>,
    /// Count each term once per document.
    pub binary: bool,
    /// Use `1 + ln(tf)` instead of `tf`.
    pub sublinear_tf: bool,
    /// Multiply by inverse document frequency.
    pub use_idf: bool,
    /// Add one to document counts, as if a document held every term once.
    pub smooth_idf: bool,
    /// Row normalization.
    pub norm: Norm,
    /// Hashing mode instead of a vocabulary.
    pub hashing: Option<Hashing>,
}

impl Default for TfidfSettings {
    fn default() -> Self {
        TfidfSettings {
            analyzer: AnalyzerConfig::sklearn(),
            min_df: DocFreq::Count(1),
            max_df: DocFreq::Fraction(1.0),
            max_features: None,
            binary: false,
            sublinear_tf: false,
            use_idf: true,
            smooth_idf: true,
            norm: Norm::L2,
            hashing: None,
        }
    }
}

/// Unchecked vectorizer parameters; [`TfidfParams::check`] validates them.
///
/// ```
/// use sift_tfidf::{DocFreq, TfidfParams};
/// let params = TfidfParams::new().ngram_range(1, 2).min_df(DocFreq::Count(2)).sublinear_tf(true);
/// let (vectorizer, x) = params.check().unwrap().fit_transform(&["a trade deal", "a trade war", "war"]).unwrap();
/// assert_eq!(vectorizer.vocabulary().iter().collect::<Vec<_>>(), ["trade", "war"]);
/// assert_eq!(x.shape(), (3, 2));
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TfidfParams {
    settings: TfidfSettings,
    vocabulary: Option<Vec<String>>,
}

/// Validated parameters, ready to fit.
#[derive(Clone, Debug, PartialEq)]
pub struct TfidfValidParams {
    pub(crate) settings: TfidfSettings,
    pub(crate) vocabulary: Option<Vec<String>>,
}

impl TfidfValidParams {
    /// The settings.
    pub fn settings(&self) -> &TfidfSettings {
        &self.settings
    }

    /// The fixed vocabulary, when one was given.
    pub fn fixed_vocabulary(&self) -> Option<&[String]> {
        self.vocabulary.as_deref()
    }
}

impl TfidfParams {
    /// scikit-learn's `TfidfVectorizer()` defaults.
    pub fn new() -> Self {
        TfidfParams::default()
    }

    /// Parameters from existing settings.
    pub fn from_settings(settings: TfidfSettings) -> Self {
        TfidfParams { settings, vocabulary: None }
    }

    /// The tokenizer configuration (pattern, filters, n-gram range).
    pub fn analyzer(mut self, analyzer: AnalyzerConfig) -> Self {
        self.settings.analyzer = analyzer;
        self
    }

    /// Word n-grams from `min` to `max` words.
    pub fn ngram_range(mut self, min: usize, max: usize) -> Self {
        self.settings.analyzer.ngram_range = (min, max);
        self
    }

    /// Adds Snowball stemming in `language` to the filter chain.
    pub fn stem(mut self, language: Language) -> Self {
        self.settings.analyzer.filters.retain(|f| !matches!(f, Filter::Stem { .. }));
        self.settings.analyzer.filters.push(Filter::Stem { language });
        self
    }

    /// Minimum document frequency.
    pub fn min_df(mut self, v: DocFreq) -> Self {
        self.settings.min_df = v;
        self
    }

    /// Maximum document frequency.
    pub fn max_df(mut self, v: DocFreq) -> Self {
        self.settings.max_df = v;
        self
    }

    /// Keep only the `n` most frequent terms.
    pub fn max_features(mut self, n: Option<usize>) -> Self {
        self.settings.max_features = n;
        self
    }

    /// A fixed vocabulary: columns are these terms, in this order.
    pub fn vocabulary(mut self, terms: Option<Vec<String>>) -> Self {
        self.vocabulary = terms;
        self
    }

    /// Count each term once per document.
    pub fn binary(mut self, v: bool) -> Self {
        self.settings.binary = v;
        self
    }

    /// `1 + ln(tf)` term frequencies.
    pub fn sublinear_tf(mut self, v: bool) -> Self {
        self.settings.sublinear_tf = v;
        self
    }

    /// Multiply by IDF.
    pub fn use_idf(mut self, v: bool) -> Self {
        self.settings.use_idf = v;
        self
    }

    /// Smooth IDF.
    pub fn smooth_idf(mut self, v: bool) -> Self {
        self.settings.smooth_idf = v;
        self
    }

    /// Row normalization.
    pub fn norm(mut self, v: Norm) -> Self {
        self.settings.norm = v;
        self
    }

    /// Hashing mode with `n_features` columns (`None`: vocabulary mode).
    pub fn hashing(mut self, v: Option<Hashing>) -> Self {
        self.settings.hashing = v;
        self
    }

    /// The settings so far.
    pub fn settings(&self) -> &TfidfSettings {
        &self.settings
    }

    /// Validates the parameters.
    pub fn check(self) -> Result<TfidfValidParams> {
        self.check_ref()?;
        Ok(TfidfValidParams { settings: self.settings, vocabulary: self.vocabulary })
    }

    /// Validates the parameters without consuming them.
    pub fn check_ref(&self) -> Result<()> {
        let s = &self.settings;
        s.analyzer.check()?;
        for (name, v) in [("min_df", s.min_df), ("max_df", s.max_df)] {
            if let DocFreq::Fraction(f) = v {
                if !(0.0..=1.0).contains(&f) {
                    return Err(Error::Param {
                        name,
                        reason: format!("fraction {f} is not within 0.0..=1.0"),
                    });
                }
            }
        }
        if s.max_features == Some(0) {
            return Err(Error::Param { name: "max_features", reason: "must be at least 1".into() });
        }
        if let Some(h) = s.hashing {
            if !h.has_valid_size() {
                return Err(Error::Param {
                    name: "hashing.n_features",
                    reason: format!("{} is not within 1..=2^31-1", h.n_features),
                });
            }
            if self.vocabulary.is_some() {
                return Err(Error::Param {
                    name: "hashing",
                    reason: "a fixed vocabulary cannot be used with hashing".into(),
                });
            }
            if s.max_features.is_some()
                || s.min_df != DocFreq::Count(1)
                || s.max_df != DocFreq::Fraction(1.0)
            {
                return Err(Error::Param {
                    name: "hashing",
                    reason: "min_df, max_df and max_features need a vocabulary; they cannot be used with hashing".into(),
                });
            }
        }
        if let Some(v) = &self.vocabulary {
            if v.is_empty() {
                return Err(Error::Param {
                    name: "vocabulary",
                    reason: "a fixed vocabulary must hold at least one term".into(),
                });
            }
            let mut seen = hashbrown::HashSet::with_capacity(v.len());
            for t in v {
                if !seen.insert(t.as_str()) {
                    return Err(Error::DuplicateTerm(t.clone()));
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod display_tests {
    use super::{DocFreq, Norm};

    #[test]
    fn bounds_and_norms_print_as_the_cli_takes_them() {
        assert_eq!(DocFreq::Count(2).to_string(), "2");
        assert_eq!(DocFreq::Fraction(1.0).to_string(), "100%");
        assert_eq!(DocFreq::Fraction(0.125).to_string(), "12.5%");
        let norms: Vec<String> = [Norm::L1, Norm::L2, Norm::None].map(|n| n.to_string()).into();
        assert_eq!(norms, ["l1", "l2", "none"]);
    }
}
