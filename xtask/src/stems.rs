//! `cargo xtask stem-check`: sift's English stemmer against rust-stemmers on
//! every distinct word of every corpus in `../shared/data`.

use crate::data::{data_dir, read_jsonl};
use anyhow::{bail, Result};
use sift_tokenize::{words, Language, Pattern, Stemmer};
use std::collections::HashSet;

fn strings<'a>(v: &'a serde_json::Value, out: &mut Vec<&'a str>) {
    match v {
        serde_json::Value::String(s) => out.push(s),
        serde_json::Value::Array(a) => a.iter().for_each(|x| strings(x, out)),
        serde_json::Value::Object(o) => o.values().for_each(|x| strings(x, out)),
        _ => {}
    }
}

pub fn run() -> Result<()> {
    let mut files = Vec::new();
    for dir in std::fs::read_dir(data_dir())? {
        let dir = dir?.path();
        if dir.is_dir() {
            for f in std::fs::read_dir(&dir)? {
                let f = f?.path();
                if f.to_string_lossy().ends_with(".jsonl.gz") {
                    files.push(f);
                }
            }
        }
    }
    files.sort();
    let mut seen = HashSet::new();
    for f in &files {
        let rel = f.strip_prefix(data_dir())?.to_string_lossy().into_owned();
        for rec in read_jsonl(&rel)? {
            let mut texts = Vec::new();
            strings(&rec, &mut texts);
            for t in texts {
                for p in [Pattern::Sift, Pattern::Sklearn] {
                    for w in words(t, p) {
                        if !seen.contains(w.text) {
                            seen.insert(w.text.to_string());
                        }
                        seen.insert(w.text.to_lowercase());
                    }
                }
            }
        }
    }
    let ours = Stemmer::new(Language::English);
    let reference = rust_stemmers::Stemmer::create(rust_stemmers::Algorithm::English);
    let mut differ: Vec<_> = seen
        .iter()
        .filter(|w| ours.stem(w) != reference.stem(w))
        .map(|w| format!("{w:?}: sift {:?}, rust-stemmers {:?}", ours.stem(w), reference.stem(w)))
        .collect();
    differ.sort();
    println!(
        "{} distinct words (as written and lowercased) of {} corpus files: {} stems differ",
        seen.len(),
        files.len(),
        differ.len()
    );
    for d in differ.iter().take(30) {
        println!("  {d}");
    }
    if !differ.is_empty() {
        bail!("sift's English stems differ from rust-stemmers' on {} words", differ.len());
    }
    Ok(())
}
