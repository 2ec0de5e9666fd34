//! Errors of the command line and their exit codes.
//!
//! | code | meaning |
//! |---|---|
//! | 0 | success (also when the reader of our output goes away: a closed pipe) |
//! | 1 | unexpected internal error |
//! | 2 | usage error: unknown flag, bad value, conflicting options |
//! | 3 | input error: missing or unreadable file, a directory where a file was expected, bad JSON/CSV line, missing field, bad labels |
//! | 4 | model error: corrupt, truncated or incompatible model file (or `--vectorizer` file) |
//! | 5 | output error: the output file cannot be written |

use std::fmt;

/// What kind of failure, which decides the exit code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Internal = 1,
    Usage = 2,
    Input = 3,
    Model = 4,
    Output = 5,
}

/// An error with its exit code; the message is one line for stderr.
#[derive(Debug)]
pub struct CliError {
    pub kind: Kind,
    pub message: String,
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CliError {}

/// Shorthands that build a [`CliError`] inside an `anyhow::Error`.
pub fn input(message: impl Into<String>) -> anyhow::Error {
    CliError { kind: Kind::Input, message: message.into() }.into()
}

pub fn usage(message: impl Into<String>) -> anyhow::Error {
    CliError { kind: Kind::Usage, message: message.into() }.into()
}

pub fn model(message: impl Into<String>) -> anyhow::Error {
    CliError { kind: Kind::Model, message: message.into() }.into()
}

pub fn output(message: impl Into<String>) -> anyhow::Error {
    CliError { kind: Kind::Output, message: message.into() }.into()
}

/// The exit code and message of any error: a [`CliError`] anywhere in the
/// chain decides the code; a broken pipe is not an error.
pub fn classify(err: &anyhow::Error) -> Option<(i32, String)> {
    for cause in err.chain() {
        if let Some(io) = cause.downcast_ref::<std::io::Error>() {
            if io.kind() == std::io::ErrorKind::BrokenPipe {
                return None;
            }
        }
    }
    let code =
        err.chain().find_map(|c| c.downcast_ref::<CliError>()).map_or(Kind::Internal, |c| c.kind)
            as i32;
    Some((code, format!("{err:#}")))
}
