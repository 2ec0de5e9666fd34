//! `cargo xtask bench-label`: whole-process speed of `sift label`.
//!
//! * One article of about 1,000 words (the BBC News article closest to
//!   1,000 words), labelled by a fresh `sift` process each time, embedded
//!   model load included: the wall time of `runs` runs after 3 warm-ups.
//! * Batch labelling: every body paragraph of the 2,225 BBC News articles
//!   as JSON Lines records, `sift --threads 1 label --jsonl`, to /dev/null;
//!   paragraphs per second on one core, with and without explanations.
//!
//! When `hyperfine` is on the PATH it times the single article too.

use crate::data::{read_jsonl, str_field, workspace_root};
use anyhow::{bail, Context, Result};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

fn sift_binary() -> Result<PathBuf> {
    let status = Command::new(env!("CARGO"))
        .current_dir(workspace_root())
        .args(["build", "--release", "--quiet", "-p", "sift-cli"])
        .status()?;
    if !status.success() {
        bail!("cargo build --release -p sift-cli failed");
    }
    Ok(workspace_root().join("target/release/sift"))
}

/// Seconds of one run of `sift args` with output to /dev/null.
fn time_run(sift: &Path, args: &[&str]) -> Result<f64> {
    let t = Instant::now();
    let status = Command::new(sift)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .status()
        .with_context(|| format!("cannot run {}", sift.display()))?;
    let s = t.elapsed().as_secs_f64();
    if !status.success() {
        bail!("sift {args:?} failed");
    }
    Ok(s)
}

fn summary(mut v: Vec<f64>) -> (f64, f64, f64) {
    v.sort_by(f64::total_cmp);
    let mean = v.iter().sum::<f64>() / v.len() as f64;
    (v[0], v[v.len() / 2], mean)
}

pub fn run(runs: usize) -> Result<()> {
    let sift = sift_binary()?;
    let articles = read_jsonl("bbc-news/all.jsonl.gz")?;
    let dir = std::env::temp_dir().join(format!("sift-bench-label-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;

    // One ~1,000-word article.
    let article = articles
        .iter()
        .min_by_key(|r| (str_field(r, "text").split_whitespace().count() as i64 - 1000).abs())
        .context("no BBC articles")?;
    let text = str_field(article, "text");
    let words = text.split_whitespace().count();
    let path = dir.join("article.txt");
    std::fs::write(&path, text)?;
    let p = path.display().to_string();
    for _ in 0..3 {
        time_run(&sift, &["label", &p])?;
    }
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        times.push(time_run(&sift, &["label", &p])?);
    }
    let (min, median, mean) = summary(times);
    println!(
        "sift label, one article of {words} words ({}), whole process, {runs} runs: \
         min {:.1} ms, median {:.1} ms, mean {:.1} ms",
        str_field(article, "id"),
        min * 1e3,
        median * 1e3,
        mean * 1e3
    );
    if Command::new("hyperfine").arg("--version").stdout(Stdio::null()).status().is_ok() {
        let _ = Command::new("hyperfine")
            .args(["--warmup", "3", "--runs", &runs.to_string(), "-N", "--style", "basic"])
            .arg(format!("{} label {p}", sift.display()))
            .status();
    }

    // Batch: every body paragraph as a record.
    let jsonl = dir.join("paragraphs.jsonl");
    let mut w = std::io::BufWriter::new(std::fs::File::create(&jsonl)?);
    let mut n = 0usize;
    let mut bytes = 0usize;
    for r in &articles {
        let text = str_field(r, "text");
        for (i, span) in sift_tokenize::article(text).paragraphs.iter().enumerate() {
            let para = span.text(text);
            bytes += para.len();
            n += 1;
            let rec =
                serde_json::json!({"id": format!("{}#{i}", str_field(r, "id")), "text": para});
            writeln!(w, "{rec}")?;
        }
    }
    w.flush()?;
    drop(w);
    let j = jsonl.display().to_string();
    for (what, explain) in [("--explain 0", "0"), ("--explain 5 (default)", "5")] {
        let args =
            ["--threads", "1", "label", "--jsonl", &j, "--format", "jsonl", "--explain", explain];
        time_run(&sift, &args)?;
        let times: Vec<f64> = (0..3).map(|_| time_run(&sift, &args)).collect::<Result<_>>()?;
        let (_, median, _) = summary(times);
        println!(
            "sift --threads 1 label --jsonl, {n} BBC paragraphs ({:.1} MB), {what}: median {:.2} s = \
             {:.0} paragraphs/s on one core",
            bytes as f64 / 1e6,
            median,
            n as f64 / median
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
