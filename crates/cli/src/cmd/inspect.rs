//! `sift inspect`: what a model file holds: labels, vocabulary, tokenizer
//! settings, training metadata and metrics, and the top terms per label; or
//! what a vectorizer file (`sift vectorize --save-vectorizer`) or a
//! summarizer model (`sift train-summarizer`) holds.

use anyhow::Result;
use serde_json::json;
use sift_classify::metrics::Report;
use sift_tokenize::{Filter, Pattern};
use std::io::Write;

use super::train::algorithm_flag;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Model file (default: the theme model built into sift), a vectorizer
    /// file from `sift vectorize --save-vectorizer`, or a summarizer model
    /// from `sift train-summarizer`.
    model: Option<String>,
    /// Top terms to list per label (for a vectorizer: the commonest terms).
    #[arg(long, value_name = "N", default_value_t = 15)]
    top: usize,
    /// Output format.
    #[arg(long, value_enum, default_value_t = crate::Format::Text)]
    format: crate::Format,
}

pub fn run(a: Args, out: &mut dyn Write) -> Result<()> {
    if let Some(p) = a.model.as_deref().filter(|p| crate::input::starts_with(p, sift_tfidf::MAGIC))
    {
        return vectorizer(p, &a, out);
    }
    if let Some(p) = a
        .model
        .as_deref()
        .filter(|p| crate::input::starts_with(p, sift_summarize::supervised::MAGIC))
    {
        return summarizer(p, &a, out);
    }
    let m = crate::models::load(a.model.as_deref())?;
    let name = crate::models::name(a.model.as_deref());
    let bytes = match &a.model {
        Some(p) => std::fs::metadata(p).map(|md| md.len()).unwrap_or(0),
        None => crate::models::DEFAULT_THEMES.len() as u64,
    };
    let meta = m.metadata();
    let top: Vec<Vec<(String, f32)>> =
        (0..m.labels().len()).map(|c| m.top_terms(c, a.top)).collect();
    match a.format {
        crate::Format::Json => {
            let labels: Vec<_> = m
                .labels()
                .iter()
                .enumerate()
                .map(|(c, l)| {
                    json!({
                        "label": l,
                        "threshold": m.thresholds().map(|t| t[c]),
                        "examples": meta.label_counts.get(l),
                        "top_terms": top[c].iter().map(|(t, w)| json!({"term": t, "weight": w})).collect::<Vec<_>>(),
                    })
                })
                .collect();
            let v = json!({
                "model": name,
                "bytes": bytes,
                "format_version": m.format_version(),
                "multi_label": m.is_multi_label(),
                "features": m.vectorizer().n_features(),
                "calibration": m.calibration().and_then(|c| c.first()).map(|c| c.method()),
                "labels": labels,
                "metadata": meta,
            });
            writeln!(out, "{}", serde_json::to_string_pretty(&v)?)?;
        }
        crate::Format::Text => {
            let p = &meta.params;
            let v = &p.vectorizer;
            writeln!(out, "model        {name} ({bytes} bytes, format {})", m.format_version())?;
            writeln!(
                out,
                "kind         {} classifier, algorithm {}, {} labels",
                if m.is_multi_label() { "multi-label" } else { "single-label" },
                algorithm_flag(p.algorithm),
                m.labels().len()
            )?;
            writeln!(out, "features     {}", m.vectorizer().n_features())?;
            writeln!(out, "tokenizer    {}", describe_analyzer(&v.analyzer))?;
            writeln!(
                out,
                "weighting    min_df {}, max_df {}, {}tf, idf {}, norm {}",
                v.min_df,
                v.max_df,
                if v.sublinear_tf { "sublinear " } else { "" },
                if v.use_idf { "on" } else { "off" },
                v.norm
            )?;
            writeln!(
                out,
                "trained      by sift {} on {} examples ({} for training), seed {}, data {}",
                meta.sift_version, meta.n_examples, meta.n_train, p.seed, meta.data_hash
            )?;
            writeln!(out, "calibration  {}", describe_calibration(&m))?;
            if let Some(r) = &meta.cross_validation {
                writeln!(out, "cross-val    {}", summary(r, Some(p.folds)))?;
            }
            if let Some(r) = &meta.validation {
                writeln!(out, "validation   {}", summary(r, None))?;
            }
            let w = m.labels().iter().map(|l| l.chars().count()).max().unwrap_or(5).max(5);
            writeln!(
                out,
                "\n{:<w$}  {:>8}  {:>9}  {:>6}  {:>6}",
                "label", "examples", "threshold", "CV P", "CV R"
            )?;
            for (c, l) in m.labels().iter().enumerate() {
                let cv = meta
                    .cross_validation
                    .as_ref()
                    .and_then(|r| r.per_label.iter().find(|s| &s.label == l));
                writeln!(
                    out,
                    "{l:<w$}  {:>8}  {:>9}  {:>6}  {:>6}",
                    meta.label_counts.get(l).copied().unwrap_or(0),
                    m.thresholds().map_or("-".to_string(), |t| format!("{:.3}", t[c])),
                    cv.map_or("-".to_string(), |s| format!("{:.3}", s.precision)),
                    cv.map_or("-".to_string(), |s| format!("{:.3}", s.recall)),
                )?;
            }
            for (c, l) in m.labels().iter().enumerate() {
                writeln!(out, "\ntop terms for {l}:")?;
                let terms: Vec<String> =
                    top[c].iter().map(|(t, w)| format!("{t} ({w:.2})")).collect();
                for line in wrap(&terms, 76) {
                    writeln!(out, "  {line}")?;
                }
            }
        }
    }
    Ok(())
}

/// `sift inspect V` for a vectorizer file: its columns, settings, how many
/// documents it was fitted on, and its commonest terms (lowest IDF).
/// A supervised summarizer model (`sift train-summarizer`): its training
/// and each feature's standardization and weight.
fn summarizer(path: &str, a: &Args, out: &mut dyn Write) -> Result<()> {
    let bytes = crate::input::read_file(path, "a summarizer model file")?;
    let m = sift_summarize::supervised::SupervisedModel::from_bytes(&bytes)
        .map_err(|e| crate::error::model(format!("{path}: {e}")))?;
    match a.format {
        crate::Format::Json => {
            let j = json!({"summarizer": path, "bytes": bytes.len(), "model": m});
            writeln!(out, "{}", serde_json::to_string_pretty(&j)?)?;
        }
        crate::Format::Text => {
            writeln!(out, "summarizer   {path} ({} bytes, format {})", bytes.len(), m.format)?;
            writeln!(
                out,
                "trained on   {} article and summary pairs (oracle ROUGE-1 {:.1})",
                m.n_pairs, m.oracle_rouge1
            )?;
            writeln!(out, "\n{:<24} {:>9} {:>9} {:>9}", "feature", "mean", "scale", "weight")?;
            for (i, f) in m.features.iter().enumerate() {
                writeln!(
                    out,
                    "{f:<24} {:>9.4} {:>9.4} {:>9.4}",
                    m.mean[i], m.scale[i], m.weights[i]
                )?;
            }
            writeln!(out, "{:<24} {:>9} {:>9} {:>9.4}", "(bias)", "", "", m.bias)?;
        }
    }
    Ok(())
}

fn vectorizer(path: &str, a: &Args, out: &mut dyn Write) -> Result<()> {
    let bytes = crate::input::read_file(path, super::vectorize::VECTORIZER_FILE)?;
    let (v, version) = super::vectorize::load_vectorizer(path, &bytes)?;
    let s = v.settings();
    // The commonest terms: lowest IDF first, ties in column (term) order.
    let common: Vec<(String, f64)> = match (v.hashing(), v.idf()) {
        (None, Some(idf)) => {
            let mut cols: Vec<usize> = (0..idf.len()).collect();
            cols.sort_by(|&x, &y| idf[x].total_cmp(&idf[y]).then(x.cmp(&y)));
            let vocab = v.vocabulary();
            cols.into_iter().take(a.top).map(|c| (vocab.term(c).to_string(), idf[c])).collect()
        }
        _ => Vec::new(),
    };
    match a.format {
        crate::Format::Json => {
            let j = json!({
                "vectorizer": path,
                "bytes": bytes.len(),
                "format_version": version,
                "features": v.n_features(),
                "documents": v.n_docs(),
                "settings": s,
                "common_terms": common.iter().map(|(t, i)| json!({"term": t, "idf": i})).collect::<Vec<_>>(),
            });
            writeln!(out, "{}", serde_json::to_string_pretty(&j)?)?;
        }
        crate::Format::Text => {
            writeln!(out, "vectorizer   {path} ({} bytes, format {version})", bytes.len())?;
            match v.hashing() {
                Some(h) => writeln!(
                    out,
                    "features     {} (hashing{})",
                    h.n_features,
                    if h.alternate_sign { ", signed" } else { ", unsigned" }
                )?,
                None => writeln!(out, "features     {} (vocabulary)", v.n_features())?,
            }
            writeln!(out, "tokenizer    {}", describe_analyzer(&s.analyzer))?;
            writeln!(
                out,
                "weighting    min_df {}, max_df {}, {}{}tf, idf {}, norm {}",
                s.min_df,
                s.max_df,
                if s.binary { "binary " } else { "" },
                if s.sublinear_tf { "sublinear " } else { "" },
                match (s.use_idf, s.smooth_idf) {
                    (false, _) => "off",
                    (true, true) => "on (smoothed)",
                    (true, false) => "on",
                },
                s.norm
            )?;
            writeln!(out, "fitted on    {} documents", v.n_docs())?;
            if !common.is_empty() {
                writeln!(
                    out,
                    "
commonest terms (lowest IDF):"
                )?;
                let terms: Vec<String> =
                    common.iter().map(|(t, i)| format!("{t} ({i:.2})")).collect();
                for line in wrap(&terms, 76) {
                    writeln!(out, "  {line}")?;
                }
            }
        }
    }
    Ok(())
}

/// How the model turns scores into probabilities.
fn describe_calibration(m: &sift_classify::Model) -> String {
    match m.calibration().and_then(|c| c.first()) {
        Some(c) => format!(
            "{}, fitted on out-of-fold scores ({} folds)",
            c.method().name(),
            m.metadata().params.folds
        ),
        None if m.is_multi_label() => {
            "none: a sigmoid of each score (trained with --folds 0)".into()
        }
        None => "none: a softmax of the scores (trained with --folds 0)".into(),
    }
}

fn summary(r: &Report, folds: Option<usize>) -> String {
    let what = folds.map_or(format!("{} examples", r.n), |k| format!("{k} folds"));
    format!(
        "{what}: accuracy {:.4}, micro-F1 {:.4}, macro-F1 {:.4}",
        r.accuracy, r.micro_f1, r.macro_f1
    )
}

/// "sift words, lowercase, possessive, stop words (english), stem (english), 1-2-grams".
pub fn describe_analyzer(a: &sift_tokenize::AnalyzerConfig) -> String {
    let mut parts = vec![match a.pattern {
        Pattern::Sift => "sift words".to_string(),
        Pattern::Sklearn => "scikit-learn words".to_string(),
        other => format!("{other:?} words"),
    }];
    for f in &a.filters {
        parts.push(match f {
            Filter::Lowercase => "lowercase".into(),
            Filter::Possessive => "possessives removed".into(),
            Filter::StopWords { list, extra } if extra.is_empty() => {
                format!("stop words ({list:?})")
            }
            Filter::StopWords { list, extra } => {
                format!("stop words ({list:?} + {} more)", extra.len())
            }
            Filter::Stem { language } => format!("stemming ({})", language.name()),
            Filter::Length { min, max } => {
                format!("length {min}..{}", max.map_or("".into(), |m| m.to_string()))
            }
            other => format!("{other:?}"),
        });
    }
    let (lo, hi) = a.ngram_range;
    parts.push(if lo == hi { format!("{lo}-grams") } else { format!("{lo}- to {hi}-grams") });
    parts.join(", ")
}

/// Joins items with ", " into lines of at most `width` characters.
fn wrap(items: &[String], width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut cur = String::new();
    for it in items {
        if !cur.is_empty() && cur.chars().count() + 2 + it.chars().count() > width {
            lines.push(std::mem::take(&mut cur) + ",");
        }
        if !cur.is_empty() {
            cur += ", ";
        }
        cur += it;
    }
    if !cur.is_empty() {
        lines.push(cur);
    }
    lines
}
