//! `sift sentences`: title, paragraphs and sentences of a text, with byte
//! spans.

use super::{inputs, source_name};
use crate::input::read_text;
use crate::output::one_line;
use anyhow::Result;
use serde::Serialize;
use sift_tokenize::{article, SentenceSplitter};
use std::io::Write;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Text files (stdin when none or `-`).
    files: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = crate::Format::Text)]
    format: crate::Format,
}

#[derive(Serialize)]
struct Sentence<'a> {
    index: usize,
    paragraph: usize,
    start: usize,
    end: usize,
    text: &'a str,
}

pub fn run(a: Args, out: &mut dyn Write) -> Result<()> {
    let splitter = SentenceSplitter::shared();
    for path in inputs(&a.files) {
        let text = read_text(&path)?;
        let art = article(&text);
        let mut sentences = Vec::new();
        let mut spans = Vec::new();
        for (pi, p) in art.paragraphs.iter().enumerate() {
            spans.clear();
            splitter.split_span(&text, *p, &mut spans);
            for s in &spans {
                sentences.push(Sentence {
                    index: sentences.len(),
                    paragraph: pi,
                    start: s.start,
                    end: s.end,
                    text: s.text(&text),
                });
            }
        }
        match a.format {
            crate::Format::Json => {
                let title = art.title.map(|t| serde_json::json!({ "start": t.start, "end": t.end, "text": t.text(&text) }));
                let doc = serde_json::json!({ "source": source_name(&path), "title": title, "sentences": sentences });
                writeln!(out, "{}", serde_json::to_string_pretty(&doc)?)?;
            }
            crate::Format::Text => {
                if let Some(t) = art.title {
                    writeln!(out, "title\t{}..{}\t{}", t.start, t.end, one_line(t.text(&text)))?;
                }
                for s in &sentences {
                    writeln!(out, "{}\t{}..{}\t{}", s.paragraph, s.start, s.end, one_line(s.text))?;
                }
            }
        }
    }
    Ok(())
}
