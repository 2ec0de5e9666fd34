//! `cargo xtask eval-sentences`: the BBC reconstruction rate of the sentence
//! splitter.
//!
//! For each of the 2,225 BBC News Summary pairs, the article body (the first
//! line is the title) is split into paragraphs and each paragraph into
//! sentences. A pair counts when the reference summary, whitespace removed,
//! is a concatenation of distinct body sentences (whitespace removed) in any
//! order.

use crate::data::{read_jsonl, str_field};
use anyhow::Result;
use sift_tokenize::{paragraphs, SentenceSplitter, Span};

fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// `true` when `target` is a concatenation of distinct `pieces`.
fn covers(target: &str, pieces: &[String], used: &mut [bool]) -> bool {
    if target.is_empty() {
        return true;
    }
    for i in 0..pieces.len() {
        if !used[i] && !pieces[i].is_empty() && target.starts_with(pieces[i].as_str()) {
            used[i] = true;
            if covers(&target[pieces[i].len()..], pieces, used) {
                return true;
            }
            used[i] = false;
        }
    }
    false
}

/// The body sentences of a BBC article (first line = title, excluded).
pub fn body_sentences(article: &str) -> Vec<String> {
    let body_start = article.find('\n').map_or(article.len(), |i| i + 1);
    let splitter = SentenceSplitter::shared();
    let mut spans: Vec<Span> = Vec::new();
    for p in paragraphs(&article[body_start..]) {
        let p = Span::new(p.start + body_start, p.end + body_start);
        splitter.split_span(article, p, &mut spans);
    }
    spans.iter().map(|s| s.text(article).to_string()).collect()
}

pub fn run(verbose: bool) -> Result<()> {
    let records = read_jsonl("bbc-news-summary/all.jsonl.gz")?;
    let mut ok = 0usize;
    let mut failures = Vec::new();
    for r in &records {
        let sents = body_sentences(str_field(r, "article"));
        let pieces: Vec<String> = sents.iter().map(|s| squash(s)).collect();
        let target = squash(str_field(r, "summary"));
        let mut used = vec![false; pieces.len()];
        if covers(&target, &pieces, &mut used) {
            ok += 1;
        } else {
            failures.push(str_field(r, "id").to_string());
            if verbose {
                println!("--- {}", str_field(r, "id"));
                // Sentences the summary holds only in part point at a split
                // that differs from the reference's.
                for s in &sents {
                    let q = squash(s);
                    let head: String = q.chars().take(25).collect();
                    let tail: String =
                        q.chars().rev().take(25).collect::<Vec<_>>().into_iter().rev().collect();
                    if !target.contains(&q) && (target.contains(&head) || target.contains(&tail)) {
                        println!("  partly in summary: {s}");
                    }
                }
            }
        }
    }
    let n = records.len();
    println!(
        "BBC reconstruction rate: {ok}/{n} = {:.2}% (target >= 99.3%; Punkt 99.15%, naive [.!?]+space 60.5%)",
        100.0 * ok as f64 / n as f64
    );
    if !failures.is_empty() {
        println!("failing ids ({}): {}", failures.len(), failures.join(" "));
    }
    Ok(())
}
