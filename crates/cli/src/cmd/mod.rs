//! One module per subcommand; each turns parsed flags into library calls.

pub mod generate;
pub mod inspect;
pub mod label;
pub mod sentences;
pub mod summarize;
pub mod tokens;
pub mod train;
pub mod vectorize;

use crate::error::{input, usage};
use crate::input::{for_each_line, read_text, record_id, text_field};
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

/// Parses a document-frequency bound: a count (`2`) or a fraction (`0.5`).
pub fn parse_df(s: &str) -> Result<sift_tfidf::DocFreq, String> {
    use sift_tfidf::DocFreq;
    if s.contains(['.', 'e', 'E']) {
        let f: f64 =
            s.parse().map_err(|_| format!("'{s}': expected a count (2) or a fraction (0.5)"))?;
        if !(0.0..=1.0).contains(&f) {
            return Err(format!("'{s}': a fraction must be within 0.0..=1.0"));
        }
        Ok(DocFreq::Fraction(f))
    } else {
        s.parse()
            .map(DocFreq::Count)
            .map_err(|_| format!("'{s}': expected a count (2) or a fraction (0.5)"))
    }
}

/// Parses `--max-df`: as [`parse_df`], without the bounds that would drop
/// every term whatever the data (a count of 0, a fraction of 0).
pub fn parse_max_df(s: &str) -> Result<sift_tfidf::DocFreq, String> {
    use sift_tfidf::DocFreq;
    match parse_df(s)? {
        DocFreq::Count(0) | DocFreq::Fraction(0.0) => {
            Err(format!("'{s}': would drop every term, expected at least 1 or a fraction above 0"))
        }
        d => Ok(d),
    }
}

/// Parses "1,2" as an n-gram range.
pub fn parse_range(s: &str) -> Result<(usize, usize), String> {
    let (a, b) = s.split_once(',').ok_or_else(|| format!("'{s}': expected MIN,MAX such as 1,2"))?;
    let a: usize = a.trim().parse().map_err(|_| format!("'{s}': expected MIN,MAX such as 1,2"))?;
    let b: usize = b.trim().parse().map_err(|_| format!("'{s}': expected MIN,MAX such as 1,2"))?;
    if a == 0 || a > b || b > sift_tokenize::MAX_NGRAM {
        return Err(format!("'{s}': expected 1 <= MIN <= MAX <= {}", sift_tokenize::MAX_NGRAM));
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

/// One article of a batch: where it came from (the file, or the record's
/// id) and its text.
pub struct Article {
    /// Printed name: the file, or the record's id.
    pub source: serde_json::Value,
    pub text: String,
}

/// How `label` and `summarize` read their articles: whole files, or with
/// `--jsonl` the records of JSON Lines files, `batch` at a time. The flags
/// are flattened into both commands.
#[derive(Debug, clap::Args)]
pub struct Batching {
    /// Inputs are JSON Lines records, one article per line.
    #[arg(long)]
    pub jsonl: bool,
    /// With --jsonl: the field holding the article's text.
    #[arg(long, value_name = "FIELD", default_value = "text")]
    pub text_field: String,
    /// With --jsonl: the field identifying a record in the output (default:
    /// "id" when present, else FILE:LINE).
    #[arg(long, value_name = "FIELD")]
    pub id_field: Option<String>,
    /// With --jsonl: records processed together, in parallel (memory stays
    /// proportional).
    #[arg(long, value_name = "N", default_value_t = 256)]
    pub batch: usize,
    /// With --jsonl: skip malformed records (reported as a count and the
    /// first) instead of stopping.
    #[arg(long)]
    pub skip_bad_rows: bool,
}

impl Batching {
    /// Usage errors in the flags.
    pub fn check(&self) -> Result<()> {
        if self.batch == 0 {
            return Err(usage("--batch: expected at least 1"));
        }
        if !self.jsonl && (self.id_field.is_some() || self.text_field != "text") {
            return Err(usage("--text-field and --id-field apply to --jsonl input only"));
        }
        if !self.jsonl && self.skip_bad_rows {
            return Err(usage("--skip-bad-rows applies to --jsonl input only"));
        }
        Ok(())
    }

    /// Hands the articles of `files` to `f` in input order: each file whole
    /// (an empty one is an error), or with `--jsonl` the records in batches,
    /// with a record counter ("{verb} N records") on a terminal's stderr.
    pub fn run(
        &self,
        files: &[String],
        quiet: bool,
        verb: &str,
        mut f: impl FnMut(&[Article]) -> Result<()>,
    ) -> Result<()> {
        if !self.jsonl {
            for path in files {
                let text = read_text(path)?;
                if text.trim().is_empty() {
                    return Err(input(format!(
                        "{}: empty input, expected the text of an article",
                        source_name(path)
                    )));
                }
                f(&[Article { source: source_name(path).into(), text }])?;
            }
            return Ok(());
        }
        let bar = record_counter(quiet, verb);
        let mut batch: Vec<Article> = Vec::with_capacity(self.batch);
        let mut any = false;
        for path in files {
            let name = source_name(path);
            let (mut skipped, mut first) = (0usize, None);
            for_each_line(path, |line, rec| {
                let article = rec.and_then(|rec| {
                    let text = text_field(path, line, &rec, &self.text_field)?;
                    let source = record_id(path, line, &rec, self.id_field.as_deref())?;
                    Ok(Article { source, text })
                });
                match article {
                    Ok(article) => batch.push(article),
                    Err(e) if self.skip_bad_rows => {
                        skipped += 1;
                        first.get_or_insert_with(|| e.to_string());
                        return Ok(());
                    }
                    Err(e) => {
                        // The output is then every record before this one:
                        // a clean prefix to resume from.
                        f(&batch)?;
                        return Err(e);
                    }
                }
                any = true;
                if batch.len() == self.batch {
                    f(&batch)?;
                    bar.inc(batch.len() as u64);
                    batch.clear();
                }
                Ok(())
            })?;
            if let (false, Some(first)) = (quiet, first) {
                bar.suspend(|| eprintln!("{}", skipped_warning(skipped, "record", name, &first)));
            }
        }
        f(&batch)?;
        bar.finish_and_clear();
        if !any {
            return Err(input(format!(
                "{}: no records, expected one JSON object per line",
                files.iter().map(|f| source_name(f)).collect::<Vec<_>>().join(", ")
            )));
        }
        Ok(())
    }
}

/// The warning for rows or records skipped by `--skip-bad-rows`: their
/// count and the first one's error.
pub fn skipped_warning(n: usize, what: &str, path: &str, first: &str) -> String {
    format!(
        "sift: warning: skipped {n} malformed {what}{} in {path}, the first: {first}",
        if n == 1 { "" } else { "s" }
    )
}

/// A record counter on stderr for batch modes, shown only when stderr is a
/// terminal (indicatif hides it otherwise) and not `--quiet`.
fn record_counter(quiet: bool, verb: &str) -> indicatif::ProgressBar {
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

/// The flag behind a library parameter. The libraries name their parameters
/// ("validation", "hashing.n_features"); the user typed flags, and a usage
/// error should name the flag.
fn flag_of(name: &str) -> Option<&'static str> {
    Some(match name {
        "validation" => "--validation",
        "folds" => "--folds",
        "repeats" => "--repeats",
        "c" => "--c",
        "tol" | "max_iter/tol" => "--tol",
        "relaxation" => "--relaxation",
        "nb_alpha" => "--nb-scaling",
        "early_stopping.fraction" => "--early-stopping",
        "early_stopping.patience" => "--patience",
        "none_label" => "--none-label",
        "min_df" => "--min-df",
        "max_df" => "--max-df",
        "max_features" => "--max-features",
        "hashing" | "hashing.n_features" => "--hashing",
        "mmr_lambda" => "--mmr",
        _ => return None,
    })
}

/// A usage error for a library's parameter error, naming the flag when
/// there is one (`--validation: must be a fraction in 0.0..0.9`).
pub fn param_usage(name: &str, reason: &str, whole: String) -> anyhow::Error {
    match flag_of(name) {
        Some(flag) => usage(format!("{flag}: {reason}")),
        None => usage(whole),
    }
}

/// [`param_usage`] for the vectorizer's errors.
pub fn tfidf_usage(e: sift_tfidf::Error) -> anyhow::Error {
    match &e {
        sift_tfidf::Error::Param { name, reason } => param_usage(name, reason, e.to_string()),
        _ => usage(e.to_string()),
    }
}

/// A data error from training, in the CLI's words: the vectorizer's hint
/// about its pruning names the flags (`--min-df`) rather than the library's
/// parameters (`min_df`).
pub fn data_error(e: sift_classify::Error) -> String {
    match e {
        sift_classify::Error::Vectorizer(v) => tfidf_data_error(&v),
        other => other.to_string(),
    }
}

/// A training error: a usage error for a parameter (exit 2), an input error
/// for the data (exit 3).
pub fn train_error(e: sift_classify::Error) -> anyhow::Error {
    match e {
        sift_classify::Error::Param { .. } => classify_usage(e),
        other => input(data_error(other)),
    }
}

/// [`data_error`] for the vectorizer's errors.
pub fn tfidf_data_error(e: &sift_tfidf::Error) -> String {
    match *e {
        sift_tfidf::Error::NoTermsAfterPruning { min, max, docs } => {
            sift_tfidf::no_terms_message(min, max, docs, "--min-df", "--max-df")
        }
        sift_tfidf::Error::DfRange { max, min } => format!(
            "--max-df allows terms in at most {max} document{}, fewer than the {min} that \
             --min-df requires: lower --min-df or raise --max-df",
            if max == 1.0 { "" } else { "s" }
        ),
        ref other => other.to_string(),
    }
}

/// [`param_usage`] for the classifiers' errors (the vectorizer's included).
pub fn classify_usage(e: sift_classify::Error) -> anyhow::Error {
    match e {
        sift_classify::Error::Param { name, ref reason } => {
            param_usage(name, reason, e.to_string())
        }
        sift_classify::Error::Vectorizer(v) => tfidf_usage(v),
        _ => usage(e.to_string()),
    }
}
