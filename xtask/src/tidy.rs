//! `cargo xtask tidy`: checks of the architecture invariants that the
//! compiler does not make. Also run by `cargo test` (see the test below).
//!
//! * Dependencies between sift crates run one way:
//!   tokenize <- tfidf <- classify / summarize <- cli.
//! * Library crates do not depend on CLI crates (clap, anyhow, indicatif) and
//!   the tokenizer does not depend on numeric crates (ndarray, linfa, sprs).
//! * Every source file of a library crate opens with a `//!` doc comment.
//! * `.ci/run` calls the test command written in README.md.

use crate::data::workspace_root;
use anyhow::{bail, Context, Result};
use std::path::Path;

/// (crate folder, sift crates it may depend on, external crates it must not use)
const RULES: &[(&str, &[&str], &[&str])] = &[
    ("tokenize", &[], &["ndarray", "linfa", "sprs", "clap", "anyhow", "indicatif"]),
    ("tfidf", &["sift-tokenize"], &["linfa", "clap", "anyhow", "indicatif"]),
    ("classify", &["sift-tokenize", "sift-tfidf"], &["clap", "anyhow", "indicatif"]),
    ("summarize", &["sift-tokenize", "sift-tfidf"], &["clap", "anyhow", "indicatif"]),
];

/// The dependency names of the `[dependencies]` table of a Cargo.toml
/// (not dev-dependencies: tests may use anything).
fn normal_dependencies(manifest: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_deps = false;
    for line in manifest.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_deps = line == "[dependencies]";
            continue;
        }
        if in_deps && !line.is_empty() && !line.starts_with('#') {
            let name = line.split(['=', '.']).next().unwrap_or("").trim();
            if !name.is_empty() {
                out.push(name.to_string());
            }
        }
    }
    out
}

pub fn check(root: &Path) -> Result<Vec<String>> {
    let mut problems = Vec::new();
    for (dir, allowed, banned) in RULES {
        let manifest_path = root.join("crates").join(dir).join("Cargo.toml");
        let Ok(manifest) = std::fs::read_to_string(&manifest_path) else {
            continue;
        };
        for dep in normal_dependencies(&manifest) {
            if dep.starts_with("sift-") && !allowed.contains(&dep.as_str()) {
                problems.push(format!("crates/{dir} depends on {dep}: dependencies must run tokenize <- tfidf <- classify / summarize <- cli"));
            }
            if banned.contains(&dep.as_str()) {
                problems.push(format!(
                    "crates/{dir} depends on {dep}, which belongs to the CLI or a later stage"
                ));
            }
        }
        let src = root.join("crates").join(dir).join("src");
        for entry in walk(&src)? {
            let text = std::fs::read_to_string(&entry)?;
            if !text.trim_start().starts_with("//!") {
                problems.push(format!(
                    "{}: a library source file must open with a `//!` doc comment",
                    entry.display()
                ));
            }
        }
    }
    let readme = std::fs::read_to_string(root.join("README.md")).context("README.md")?;
    let ci = std::fs::read_to_string(root.join(".ci/run")).context(".ci/run")?;
    match readme.lines().map(str::trim).find(|l| l.starts_with("cargo test")) {
        Some(cmd) if ci.contains(cmd) => {}
        Some(cmd) => {
            problems.push(format!(".ci/run does not call the README's test command `{cmd}`"))
        }
        None => problems.push("README.md has no `cargo test` command".to_string()),
    }
    Ok(problems)
}

fn walk(dir: &Path) -> Result<Vec<std::path::PathBuf>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))? {
        let path = entry?.path();
        if path.is_dir() {
            out.extend(walk(&path)?);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out.sort();
    Ok(out)
}

pub fn run() -> Result<()> {
    let problems = check(&workspace_root())?;
    if problems.is_empty() {
        println!("tidy: ok");
        return Ok(());
    }
    for p in &problems {
        eprintln!("tidy: {p}");
    }
    bail!("{} tidy problem(s)", problems.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workspace_is_tidy() {
        let problems = check(&workspace_root()).unwrap();
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }

    #[test]
    fn parses_dependency_tables() {
        let m = "[package]\nname = \"x\"\n[dependencies]\nsift-tfidf.workspace = true\nserde = \"1\"\n# c\n[dev-dependencies]\nanyhow = \"1\"\n";
        assert_eq!(normal_dependencies(m), ["sift-tfidf", "serde"]);
    }
}
