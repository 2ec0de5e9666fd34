//! Loading classifier models: a file given with `--model`, or the default
//! theme model embedded in the binary (`models/themes.sift`, trained by
//! `cargo xtask train-default`).

use crate::error::{input, model};
use anyhow::Result;
use sift_classify::Model;
use std::path::Path;

/// The default theme model's file bytes.
pub static DEFAULT_THEMES: &[u8] = include_bytes!("../../../models/themes.sift");

/// How the default model is named in messages and output.
pub const DEFAULT_NAME: &str = "<default theme model>";

/// Loads `path`, or the embedded default model when `None`. A missing or
/// unreadable file, or a directory, is an input error (exit 3); a damaged,
/// truncated or incompatible one a model error (exit 4).
///
/// A model file is mapped rather than read (`Model::load_mapped`): the
/// default 20 Newsgroups model (35 MB) loads and indexes in a fresh process
/// in 30-32 ms instead of 44-48 ms (`xtask load-child`, 15 processes).
#[allow(unsafe_code)]
pub fn load(path: Option<&str>) -> Result<Model> {
    match path {
        None => Model::from_bytes(DEFAULT_THEMES, DEFAULT_NAME).map_err(|e| model(e.to_string())),
        Some(p) if Path::new(p).is_dir() => {
            Err(input(format!("{p}: is a directory, expected a model file")))
        }
        // SAFETY: every sift command is one short process that loads its
        // model at the start and exits when done; sift replaces model
        // files by renaming (never in place), and a user rewriting the
        // file in place during that run is told of in the README.
        Some(p) => unsafe { Model::load_mapped(Path::new(p)) }.map_err(|e| match e {
            sift_classify::Error::Io { path, source } => {
                input(format!("{path}: cannot read: {}", crate::input::io_reason(&source)))
            }
            other => model(other.to_string()),
        }),
    }
}

/// The name of a model for output.
pub fn name(path: Option<&str>) -> &str {
    path.unwrap_or(DEFAULT_NAME)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_embedded_model_loads_and_has_the_four_themes() {
        let m = super::load(None).unwrap();
        assert_eq!(m.labels(), ["data_breach", "espionage", "other", "trade_policy"]);
        assert!(m.is_multi_label());
    }
}
