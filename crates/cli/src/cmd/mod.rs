//! One module per subcommand; each turns parsed flags into library calls.

pub mod inspect;
pub mod label;
pub mod sentences;
pub mod summarize;
pub mod tokens;
pub mod train;
pub mod vectorize;

use crate::error::usage;
use anyhow::Result;
use sift_tokenize::{AnalyzerConfig, Language};

/// The tokenizer choices shared by several subcommands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Tokenizer {
    /// sift's words (apostrophes, hyphens, numbers), lowercase, possessives
    /// removed, English stop words.
    Default,
    /// scikit-learn's `(?u)\b\w\w+\b` and lowercase, nothing else.
    Sklearn,
}

/// The analyzer for `--tokenizer`, `--stem` and `--ngram-range`.
pub fn analyzer_config(
    tokenizer: Tokenizer,
    stem: Option<&str>,
    ngrams: Option<(usize, usize)>,
) -> Result<AnalyzerConfig> {
    let mut c = match tokenizer {
        Tokenizer::Default => AnalyzerConfig::default(),
        Tokenizer::Sklearn => AnalyzerConfig::sklearn(),
    };
    if let Some(lang) = stem {
        let l = Language::parse(lang).ok_or_else(|| {
            usage(format!(
                "--stem: unknown language '{lang}', expected one of {}",
                Language::ALL.map(|l| l.name()).join(", ")
            ))
        })?;
        c = c.with_stemming(l);
    }
    if let Some((a, b)) = ngrams {
        c = c.with_ngram_range(a, b);
    }
    c.check().map_err(|e| usage(e.to_string()))?;
    Ok(c)
}

/// Parses "1,2" as an n-gram range.
pub fn parse_range(s: &str) -> Result<(usize, usize), String> {
    let (a, b) = s.split_once(',').ok_or_else(|| format!("'{s}': expected MIN,MAX such as 1,2"))?;
    let a: usize = a.trim().parse().map_err(|_| format!("'{s}': expected MIN,MAX such as 1,2"))?;
    let b: usize = b.trim().parse().map_err(|_| format!("'{s}': expected MIN,MAX such as 1,2"))?;
    if a == 0 || a > b {
        return Err(format!("'{s}': expected 1 <= MIN <= MAX"));
    }
    Ok((a, b))
}

/// The inputs of a text subcommand: files, or stdin when none or `-`.
pub fn inputs(files: &[String]) -> Vec<String> {
    if files.is_empty() {
        vec!["-".to_string()]
    } else {
        files.to_vec()
    }
}

/// Where a text came from, for output: the path, or `<stdin>`.
pub fn source_name(path: &str) -> &str {
    if path == "-" {
        "<stdin>"
    } else {
        path
    }
}

/// A record counter on stderr for batch modes, shown only when stderr is a
/// terminal (indicatif hides it otherwise) and not `--quiet`.
pub fn record_counter(quiet: bool, verb: &str) -> indicatif::ProgressBar {
    let bar = if quiet {
        indicatif::ProgressBar::hidden()
    } else {
        indicatif::ProgressBar::with_draw_target(None, indicatif::ProgressDrawTarget::stderr())
    };
    bar.set_style(
        indicatif::ProgressStyle::with_template(&format!(
            "{{spinner}} {verb} {{pos}} records [{{elapsed}}, {{per_sec}}]"
        ))
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
    );
    bar
}
