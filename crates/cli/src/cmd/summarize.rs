//! `sift summarize`: the sentences that best summarize each input text, in
//! document order with byte offsets; with `--jsonl`, each record of JSON
//! Lines files, summarized in parallel batches and written in input order.
//! `sift train-summarizer`: learns a summarizer from (article, summary)
//! pairs.

use super::{inputs, Article, Batching};
use crate::error::{input, model, output, usage};
use crate::input::{for_each_record, text_field};
use crate::output::one_line;
use anyhow::Result;
use rayon::prelude::*;
use serde::Serialize;
use serde_json::Value;
use sift_summarize::{
    supervised::SupervisedModel, train_summarizer, Algorithm, Budget, Summarizer, SummarizerParams,
    Summary,
};
use std::io::Write;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum AlgorithmArg {
    /// The lead (minus fragments), then the most central sentences.
    Default,
    Lead,
    Textrank,
    Lexrank,
    /// LexRank on the graph of sentence pairs with cosine above 0.1.
    LexrankThreshold,
    Centroid,
    Luhn,
    /// A model trained with `sift train-summarizer` (--summarizer-model).
    Supervised,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Text files (stdin when none or `-`). The first line is the title when it
    /// stands alone and does not end with a full stop; it is never summarized.
    /// With --jsonl, JSON Lines files with one article per record (`.gz` read
    /// transparently).
    files: Vec<String>,
    #[command(flatten)]
    batching: Batching,
    /// Summary length in sentences (default 3).
    #[arg(long, value_name = "N", conflicts_with_all = ["words", "ratio"])]
    sentences: Option<usize>,
    /// Summary length in words: sentences are added until at least N words.
    #[arg(long, value_name = "N", conflicts_with = "ratio")]
    words: Option<usize>,
    /// Summary length as a fraction of the article's words (0 < R <= 1).
    #[arg(long, value_name = "R")]
    ratio: Option<f64>,
    /// Sentence scorer.
    #[arg(long, value_enum, default_value_t = AlgorithmArg::Default)]
    algorithm: AlgorithmArg,
    /// Redundancy control: maximal marginal relevance trade-off in 0..=1 (1: off).
    #[arg(long, value_name = "LAMBDA")]
    mmr: Option<f64>,
    /// Prefer sentences from paragraphs about this theme (uses --model, or the default theme model).
    #[arg(long, value_name = "LABEL")]
    theme: Option<String>,
    /// Theme model for --theme.
    #[arg(long, value_name = "MODEL", requires = "theme")]
    model: Option<String>,
    /// Supervised summarizer from `sift train-summarizer`.
    #[arg(long, value_name = "FILE")]
    summarizer_model: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = SummaryFormat::Text)]
    format: SummaryFormat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum SummaryFormat {
    /// The summary's sentences, one per line (a `== SOURCE` line before each
    /// input when there are several).
    Text,
    /// One pretty-printed JSON document per input.
    Json,
    /// One JSON object per line per input.
    Jsonl,
}

#[derive(Serialize)]
struct OutSentence<'a> {
    text: &'a str,
    start: usize,
    end: usize,
    score: f64,
    paragraph: usize,
}

pub fn run(a: Args, quiet: bool, out: &mut dyn Write) -> Result<()> {
    let budget = match (a.sentences, a.words, a.ratio) {
        (_, Some(w), _) => Budget::Words(w),
        (_, _, Some(r)) => Budget::Ratio(r),
        (Some(s), _, _) => Budget::Sentences(s),
        _ => Budget::Sentences(3),
    };
    let algorithm = match a.algorithm {
        AlgorithmArg::Default => Algorithm::Default,
        AlgorithmArg::Lead => Algorithm::Lead,
        AlgorithmArg::Textrank => Algorithm::TextRank,
        AlgorithmArg::Lexrank => Algorithm::LexRank { threshold: None },
        AlgorithmArg::LexrankThreshold => Algorithm::LexRank { threshold: Some(0.1) },
        AlgorithmArg::Centroid => Algorithm::Centroid,
        AlgorithmArg::Luhn => Algorithm::Luhn,
        AlgorithmArg::Supervised => Algorithm::Supervised,
    };
    let defaults = SummarizerParams::default();
    let params = SummarizerParams {
        algorithm,
        budget,
        mmr_lambda: a.mmr.or(defaults.mmr_lambda),
        ..defaults
    };
    // The budget is one library parameter behind three flags.
    let budget_flag = match (a.words, a.ratio) {
        (Some(_), _) => "--words",
        (_, Some(_)) => "--ratio",
        _ => "--sentences",
    };
    let mut summarizer = Summarizer::new(params).map_err(|e| match &e {
        sift_summarize::Error::Param { name: "budget", reason } => {
            usage(format!("{budget_flag}: {reason}"))
        }
        sift_summarize::Error::Param { name, reason } => {
            super::param_usage(name, reason, e.to_string())
        }
        _ => usage(e.to_string()),
    })?;
    match (&a.summarizer_model, a.algorithm) {
        (Some(path), _) => {
            let bytes = crate::input::read_file(path, "a summarizer model file")?;
            let m =
                SupervisedModel::from_bytes(&bytes).map_err(|e| model(format!("{path}: {e}")))?;
            summarizer =
                summarizer.with_supervised(m).map_err(|e| model(format!("{path}: {e}")))?;
        }
        (None, AlgorithmArg::Supervised) => {
            return Err(usage("--algorithm supervised needs --summarizer-model FILE"))
        }
        _ => {}
    }
    // --theme: the theme model's probability of the theme for each
    // paragraph weighs its sentences.
    let theme = match &a.theme {
        Some(theme) => {
            let m = crate::models::load(a.model.as_deref())?;
            let Some(c) = m.labels().iter().position(|l| l == theme) else {
                return Err(usage(format!(
                    "--theme: {} has no label '{theme}', expected one of {}",
                    crate::models::name(a.model.as_deref()),
                    m.labels().join(", ")
                )));
            };
            Some((m, c))
        }
        None => None,
    };
    a.batching.check()?;
    let files = inputs(&a.files);
    let headers = a.batching.jsonl || files.len() > 1;
    let job = Job { summarizer: &summarizer, theme: theme.as_ref().map(|(m, c)| (m, *c)) };
    a.batching
        .run(&files, quiet, "summarized", |batch| job.write_batch(batch, a.format, headers, out))
}

/// What summarizing one text needs; shared by the threads of a batch.
struct Job<'a> {
    summarizer: &'a Summarizer,
    /// `--theme`: the theme model and the theme's label index.
    theme: Option<(&'a sift_classify::Model, usize)>,
}

impl Job<'_> {
    fn summarize(&self, text: &str) -> Summary {
        // --theme: the theme model's probability of the theme for each
        // paragraph weighs its sentences.
        let weights = self.theme.map(|(m, c)| {
            let paras = sift_tokenize::article(text);
            let ptexts: Vec<&str> = paras.paragraphs.iter().map(|p| p.text(text)).collect();
            m.predict(&ptexts, None).iter().map(|p| p.probabilities[c] as f64).collect::<Vec<_>>()
        });
        self.summarizer.summarize_weighted(text, weights.as_deref())
    }

    /// Summarizes a batch of articles in parallel and writes them in input
    /// order.
    fn write_batch(
        &self,
        batch: &[Article],
        format: SummaryFormat,
        headers: bool,
        out: &mut dyn Write,
    ) -> Result<()> {
        let summaries: Vec<Summary> = batch.par_iter().map(|a| self.summarize(&a.text)).collect();
        for (a, s) in batch.iter().zip(&summaries) {
            write_summary(&a.source, &a.text, s, format, headers, out)?;
        }
        Ok(())
    }
}

/// Writes the summary `s` of `text` (from `source`) in `format`.
fn write_summary(
    source: &Value,
    text: &str,
    s: &Summary,
    format: SummaryFormat,
    headers: bool,
    out: &mut dyn Write,
) -> Result<()> {
    let sentences: Vec<OutSentence<'_>> = s
        .sentences
        .iter()
        .map(|x| OutSentence {
            text: x.text(text),
            start: x.span.start,
            end: x.span.end,
            score: x.score,
            paragraph: x.paragraph,
        })
        .collect();
    let doc = || {
        let title = s
            .title
            .map(|t| serde_json::json!({"text": t.text(text), "start": t.start, "end": t.end}));
        serde_json::json!({"source": source, "title": title, "candidates": s.candidates, "sentences": sentences})
    };
    match format {
        SummaryFormat::Json => writeln!(out, "{}", serde_json::to_string_pretty(&doc())?)?,
        SummaryFormat::Jsonl => writeln!(out, "{}", serde_json::to_string(&doc())?)?,
        SummaryFormat::Text => {
            if headers {
                let name = match source {
                    Value::String(s) => one_line(s),
                    other => one_line(&other.to_string()),
                };
                writeln!(out, "== {name}")?;
            }
            for x in &sentences {
                writeln!(out, "{}", one_line(x.text))?;
            }
        }
    }
    Ok(())
}

#[derive(Debug, clap::Args)]
pub struct TrainArgs {
    /// JSON Lines with an article and its reference summary per line.
    #[arg(long = "data", value_name = "FILE", required = true)]
    data: Vec<String>,
    /// Field with the article.
    #[arg(long, default_value = "article")]
    article_field: String,
    /// Field with the reference summary.
    #[arg(long, default_value = "summary")]
    summary_field: String,
    /// Summarizer model to write (a versioned, checksummed file).
    #[arg(long, value_name = "FILE")]
    out: String,
}

pub fn train(a: TrainArgs, out: &mut dyn Write) -> Result<()> {
    crate::output::check_outputs(&[("--out", &a.out)], &crate::output::flagged("--data", &a.data))?;
    let mut pairs = Vec::new();
    for path in &a.data {
        for_each_record(path, |line, rec| {
            pairs.push((
                text_field(path, line, &rec, &a.article_field)?,
                text_field(path, line, &rec, &a.summary_field)?,
            ));
            Ok(())
        })?;
    }
    let m =
        train_summarizer(&pairs, &SummarizerParams::default()).map_err(|e| input(e.to_string()))?;
    crate::output::write_atomic(&a.out, |w| w.write_all(&m.to_bytes()))
        .map_err(|e| output(e.to_string()))?;
    writeln!(
        out,
        "trained a summarizer on {} pairs (oracle ROUGE-1 {:.1}) -> {}",
        m.n_pairs, m.oracle_rouge1, a.out
    )?;
    Ok(())
}
