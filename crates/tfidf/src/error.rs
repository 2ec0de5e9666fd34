//! Errors of the vectorizer crate.

/// Everything that can go wrong when configuring, fitting, applying, saving
/// or loading a vectorizer.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The tokenizer configuration is invalid.
    #[error(transparent)]
    Tokenizer(#[from] sift_tokenize::Error),
    /// A parameter is out of range.
    #[error("invalid parameter {name}: {reason}")]
    Param {
        /// The parameter.
        name: &'static str,
        /// What was expected.
        reason: String,
    },
    /// `max_df` keeps fewer documents than `min_df` requires.
    #[error("max_df corresponds to {max} documents, fewer than min_df's {min}: lower min_df or raise max_df")]
    DfRange {
        /// Documents allowed by `max_df`.
        max: f64,
        /// Documents required by `min_df`.
        min: f64,
    },
    /// No term was found at all.
    #[error("empty vocabulary: the documents contain no terms (only stop words, or no text?)")]
    EmptyVocabulary,
    /// Pruning by document frequency removed every term.
    #[error("{}", no_terms_message(*min, *max, *docs, "min_df", "max_df"))]
    NoTermsAfterPruning {
        /// Documents required by `min_df`.
        min: f64,
        /// Documents allowed by `max_df`.
        max: f64,
        /// Documents fitted.
        docs: usize,
    },
    /// Fitting needs at least one document.
    #[error("cannot fit on zero documents")]
    NoDocuments,
    /// A term of a fixed vocabulary appears twice.
    #[error("the fixed vocabulary repeats the term '{0}'")]
    DuplicateTerm(String),
    /// The vocabulary outgrew the 2 GiB / 4 billion term limit.
    #[error(
        "the vocabulary is too large: at most 4 billion terms and 2 GiB of text are supported"
    )]
    VocabularyTooLarge,
    /// A matrix had an inconsistent structure.
    #[error("invalid sparse matrix: {0}")]
    Matrix(String),
    /// The input to `transform` differs from what the vectorizer expects.
    #[error("shape mismatch: {0}")]
    Shape(String),
    /// Saved bytes are not a vectorizer, are damaged, or come from a newer sift.
    #[error("invalid vectorizer data: {0}")]
    Format(String),
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: std::path::PathBuf,
        /// What failed.
        source: std::io::Error,
    },
}

/// A `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The message of [`Error::NoTermsAfterPruning`], naming the two settings
/// as the caller calls them (`min_df`, or a CLI's `--min-df`). When `max_df`
/// allows every document it pruned nothing, and only `min_df` is named.
pub fn no_terms_message(min: f64, max: f64, docs: usize, min_name: &str, max_name: &str) -> String {
    if max >= docs as f64 {
        format!(
            "after pruning, no terms remain: every term is in fewer than {min} of the {docs} \
             documents (lower {min_name})"
        )
    } else {
        format!(
            "after pruning, no terms remain: every term is in fewer than {min} or more than {max} \
             of the {docs} documents (lower {min_name} or raise {max_name})"
        )
    }
}
