//! Errors of the classifier crate.

/// Everything that can go wrong when training, applying, saving or loading a
/// classifier, or reading training data.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A parameter is out of range.
    #[error("invalid parameter {name}: {reason}")]
    Param {
        /// The parameter.
        name: &'static str,
        /// What was expected.
        reason: String,
    },
    /// The training data cannot train a classifier.
    #[error("cannot train: {0}")]
    Data(String),
    /// A training file has a malformed line or entry.
    #[error("{path}{}: {message}", at_line(*line))]
    Input {
        /// The file.
        path: String,
        /// 1-based line (or entry) number; 0 for the file as a whole.
        line: usize,
        /// What was wrong and what was expected.
        message: String,
    },
    /// A file or folder cannot be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The path.
        path: String,
        /// What failed.
        source: std::io::Error,
    },
    /// A model file is corrupt, truncated, or from an incompatible sift.
    #[error("{path}: {message}")]
    Model {
        /// The model file (or `<bytes>`).
        path: String,
        /// What is wrong.
        message: String,
    },
    /// The vectorizer failed.
    #[error(transparent)]
    Vectorizer(#[from] sift_tfidf::Error),
    /// An error from linfa.
    #[error(transparent)]
    Linfa(#[from] linfa::Error),
}

/// A `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// `:LINE`, or nothing for 0 (the file as a whole).
fn at_line(line: usize) -> String {
    if line == 0 {
        String::new()
    } else {
        format!(":{line}")
    }
}
