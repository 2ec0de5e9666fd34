//! `cargo xtask eval-summaries`: sift's summarizers on BBC News Summary
//! (all 2,225 articles) under the protocol of ../shared/peers/summarize.py,
//! beside Lead and sumy's scores from ../shared/peers/results.json.
//!
//! Protocol: the first line (title) is not a candidate; the budget is the
//! reference's whitespace word count N; sentences are taken in rank order
//! until at least N words, put in document order and cut to the first N
//! words; ROUGE F1 with stemming (ROUGE-1, ROUGE-2, ROUGE-Lsum, sentences
//! joined by newlines). The reference's glued sentences ("$10.9bn.For") get
//! a space after the full stop, then it is split into sentences (sift's
//! splitter here; the peers used Punkt, which only affects ROUGE-Lsum).

use crate::data::{read_jsonl, str_field, workspace_root};
use anyhow::{Context, Result};
use sift_summarize::{rouge, Algorithm, Budget, Summarizer, SummarizerParams, TitleMode};
use sift_tokenize::sentences;
use std::time::Instant;

/// Inserts a space where a sentence end is glued to the next sentence.
pub fn unglue(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len() + 16);
    for i in 0..chars.len() {
        out.push(chars[i]);
        let end = matches!(chars[i], '.' | '!' | '?');
        let before = i > 0
            && (chars[i - 1].is_ascii_lowercase()
                || chars[i - 1].is_ascii_digit()
                || matches!(chars[i - 1], '%' | ')' | ']'));
        let after = match chars.get(i + 1) {
            Some('"') | Some('\'') => chars.get(i + 2).is_some_and(|c| c.is_ascii_uppercase()),
            Some(c) => c.is_ascii_uppercase(),
            None => false,
        };
        if end && before && after {
            out.push(' ');
        }
    }
    out
}

/// The reference's sentences (one per line) and its word count.
pub fn reference(summary: &str) -> (String, usize) {
    let flat = unglue(summary).split_whitespace().collect::<Vec<_>>().join(" ");
    let sents: Vec<&str> = sentences(&flat).iter().map(|s| s.text(&flat)).collect();
    let words = flat.split_whitespace().count();
    (sents.join("\n"), words)
}

/// Sentences cut to the first `n` words, one per line.
pub fn cut(sents: &[&str], n: usize) -> String {
    let mut out = Vec::new();
    let mut left = n;
    for s in sents {
        if left == 0 {
            break;
        }
        let ws: Vec<&str> = s.split_whitespace().collect();
        if ws.len() > left {
            out.push(ws[..left].join(" "));
            left = 0;
        } else {
            out.push(ws.join(" "));
            left -= ws.len();
        }
    }
    out.join("\n")
}

pub struct Scores {
    pub r1: f64,
    pub r2: f64,
    pub rlsum: f64,
    pub ms_median: f64,
}

/// Runs one algorithm over `records` (article, summary).
pub fn evaluate(
    records: &[(String, String)],
    algorithm: Algorithm,
    mmr: Option<f64>,
    model: Option<&sift_summarize::supervised::SupervisedModel>,
) -> Result<Scores> {
    let (mut r1, mut r2, mut rl) = (0.0, 0.0, 0.0);
    let mut times = Vec::with_capacity(records.len());
    for (article, summary) in records {
        let (refr, n) = reference(summary);
        let params = SummarizerParams {
            algorithm,
            budget: Budget::Words(n.max(1)),
            mmr_lambda: mmr,
            title: TitleMode::FirstLine,
            ..Default::default()
        };
        let t = Instant::now();
        let mut summarizer = Summarizer::new(params)?;
        if let Some(m) = model {
            summarizer = summarizer.with_supervised(m.clone())?;
        }
        let s = summarizer.summarize(article);
        times.push(t.elapsed().as_secs_f64());
        let picked: Vec<&str> = s.sentences.iter().map(|x| x.text(article)).collect();
        let cand = cut(&picked, n);
        let sc = rouge::score(&refr, &cand, true);
        r1 += sc.rouge1.fmeasure;
        r2 += sc.rouge2.fmeasure;
        rl += sc.rouge_lsum.fmeasure;
    }
    times.sort_by(|a, b| a.total_cmp(b));
    let k = records.len().max(1) as f64;
    Ok(Scores {
        r1: 100.0 * r1 / k,
        r2: 100.0 * r2 / k,
        rlsum: 100.0 * rl / k,
        ms_median: 1e3 * times.get(times.len() / 2).copied().unwrap_or(0.0),
    })
}

pub fn bbc_records(every: usize) -> Result<Vec<(String, String)>> {
    Ok(read_jsonl("bbc-news-summary/all.jsonl.gz")?
        .iter()
        .step_by(every.max(1))
        .map(|r| (str_field(r, "article").to_string(), str_field(r, "summary").to_string()))
        .collect())
}

pub fn run(every: usize, only: Option<&str>) -> Result<()> {
    let records = bbc_records(every)?;
    let results: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(workspace_root().join("../shared/peers/results.json"))
            .context("results.json")?,
    )?;
    println!("BBC News Summary: {} articles, protocol of ../shared/peers/summarize.py (ROUGE F1 x100, stemmed).", records.len());
    println!("Targets for sift's default: ROUGE-1 >= 78.0, ROUGE-2 >= 70.0.\n");
    println!(
        "{:<28} {:>8} {:>8} {:>10} {:>12}",
        "system", "ROUGE-1", "ROUGE-2", "ROUGE-Lsum", "ms/article"
    );
    let systems: Vec<(&str, Algorithm, Option<f64>)> = vec![
        ("sift default", Algorithm::Default, SummarizerParams::default().mmr_lambda),
        ("sift lead", Algorithm::Lead, None),
        ("sift textrank", Algorithm::TextRank, None),
        ("sift lexrank", Algorithm::LexRank { threshold: None }, None),
        ("sift lexrank (t=0.1)", Algorithm::LexRank { threshold: Some(0.1) }, None),
        ("sift centroid", Algorithm::Centroid, None),
        ("sift luhn", Algorithm::Luhn, None),
    ];
    for (name, alg, mmr) in systems {
        if only.is_some_and(|o| !name.contains(o)) {
            continue;
        }
        let s = evaluate(&records, alg, mmr, None)?;
        println!(
            "{:<28} {:>8.2} {:>8.2} {:>10.2} {:>12.3}",
            name, s.r1, s.r2, s.rlsum, s.ms_median
        );
    }
    if only.is_none_or(|o| "sift supervised".contains(o)) {
        // Supervised: 2-fold cross-validation by article parity (trained on
        // one half, scored on the other), so no article scores its own labels.
        let (mut r1, mut r2, mut rl, mut n) = (0.0, 0.0, 0.0, 0.0);
        for fold in 0..2 {
            let train: Vec<(String, String)> = records
                .iter()
                .enumerate()
                .filter(|(i, _)| i % 2 != fold)
                .map(|(_, p)| p.clone())
                .collect();
            let test: Vec<(String, String)> = records
                .iter()
                .enumerate()
                .filter(|(i, _)| i % 2 == fold)
                .map(|(_, p)| p.clone())
                .collect();
            let params = SummarizerParams { title: TitleMode::FirstLine, ..Default::default() };
            let model = sift_summarize::train_summarizer(&train, &params)?;
            let s = evaluate(&test, Algorithm::Supervised, params.mmr_lambda, Some(&model))?;
            let k = test.len() as f64;
            r1 += s.r1 * k;
            r2 += s.r2 * k;
            rl += s.rlsum * k;
            n += k;
        }
        println!(
            "{:<28} {:>8.2} {:>8.2} {:>10.2} {:>12}",
            "sift supervised (2-fold CV)",
            r1 / n,
            r2 / n,
            rl / n,
            ""
        );
    }
    if every == 1 {
        if let Some(systems) = results["summarization"]["datasets"]["bbc"]["systems"].as_object() {
            for (name, v) in systems {
                let f = |k: &str| v[k].as_f64().unwrap_or(f64::NAN);
                println!(
                    "{:<28} {:>8.2} {:>8.2} {:>10.2} {:>12.3}",
                    format!("peer: {name}"),
                    f("rouge1_f"),
                    f("rouge2_f"),
                    f("rougeLsum_f"),
                    f("time_ms_median")
                );
            }
        }
    }
    Ok(())
}
