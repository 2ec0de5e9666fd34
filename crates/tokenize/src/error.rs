//! Errors of the tokenizer crate.

/// An invalid tokenizer configuration.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// `ngram_range` was not `1 <= min <= max`.
    #[error("invalid n-gram range ({min}, {max}): expected 1 <= min <= max")]
    NgramRange {
        /// Smallest n.
        min: usize,
        /// Largest n.
        max: usize,
    },
    /// A length filter with `min > max`.
    #[error("invalid token length filter: min {min} is greater than max {max}")]
    LengthRange {
        /// Shortest length kept.
        min: usize,
        /// Longest length kept.
        max: usize,
    },
    /// The n-gram range is too large to be useful.
    #[error("n-gram order {0} is too large: at most {max} is supported", max = crate::analyzer::MAX_NGRAM)]
    NgramTooLarge(usize),
    /// An unknown stemmer language name.
    #[error("unknown stemmer language '{0}': expected one of {list}", list = crate::stem::Language::ALL.map(|l| l.name()).join(", "))]
    UnknownLanguage(String),
}
