//! `cargo xtask print-tokens FILE`: shows how sift reads a text: title,
//! paragraphs, sentences with byte spans, and the terms of each sentence.

use anyhow::{Context, Result};
use sift_tokenize::{article, Analyzer, AnalyzerConfig, SentenceSplitter};

pub fn run(path: &str) -> Result<()> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {path}"))?;
    let analyzer = Analyzer::new(AnalyzerConfig::default())?;
    let art = article(&text);
    if let Some(t) = art.title {
        println!("title {}..{}: {}", t.start, t.end, t.text(&text));
    }
    let splitter = SentenceSplitter::shared();
    for (pi, p) in art.paragraphs.iter().enumerate() {
        println!("\nparagraph {pi} ({}..{})", p.start, p.end);
        let mut spans = Vec::new();
        splitter.split_span(&text, *p, &mut spans);
        for s in spans {
            let sentence = s.text(&text);
            println!("  sentence {}..{}: {}", s.start, s.end, sentence.replace('\n', " "));
            let terms: Vec<String> = analyzer.terms(sentence).into_iter().map(|t| t.text).collect();
            println!("    terms: {}", terms.join(" "));
        }
    }
    Ok(())
}
