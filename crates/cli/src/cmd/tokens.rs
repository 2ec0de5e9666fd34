//! `sift tokens`: the words of a text with byte spans and the terms sift
//! makes of them.

use super::{analyzer_config, inputs, source_name, Tokenizer};
use crate::input::read_text;
use anyhow::Result;
use serde::Serialize;
use sift_tokenize::Analyzer;
use std::io::Write;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Text files (stdin when none or `-`).
    files: Vec<String>,
    /// How text becomes terms.
    #[arg(long, value_enum, default_value_t = Tokenizer::Default)]
    tokenizer: Tokenizer,
    /// Snowball stemming in this language.
    #[arg(long, value_name = "LANG")]
    stem: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = crate::Format::Text)]
    format: crate::Format,
}

#[derive(Serialize)]
struct Row<'a> {
    start: usize,
    end: usize,
    text: &'a str,
    kind: sift_tokenize::TokenKind,
    /// The term after filters; null when a filter dropped the word.
    term: Option<String>,
}

pub fn run(a: Args, out: &mut dyn Write) -> Result<()> {
    let analyzer = Analyzer::new(analyzer_config(a.tokenizer, a.stem.as_deref(), None)?)?;
    let mut scratch = analyzer.scratch();
    for path in inputs(&a.files) {
        let text = read_text(&path)?;
        let rows: Vec<Row<'_>> = analyzer
            .words(&text)
            .map(|t| Row {
                start: t.span.start,
                end: t.span.end,
                text: t.text,
                kind: t.kind,
                term: analyzer.normalize(&text, t, &mut scratch).map(str::to_string),
            })
            .collect();
        match a.format {
            crate::Format::Json => {
                let doc = serde_json::json!({ "source": source_name(&path), "tokens": rows });
                writeln!(out, "{}", serde_json::to_string_pretty(&doc)?)?;
            }
            crate::Format::Text => {
                for r in &rows {
                    writeln!(
                        out,
                        "{}..{}\t{}\t{}",
                        r.start,
                        r.end,
                        r.text,
                        r.term.as_deref().unwrap_or("-")
                    )?;
                }
            }
        }
    }
    Ok(())
}
