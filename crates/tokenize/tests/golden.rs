//! Golden-file tests: each `test_data/<kind>/<case>.txt` input has an
//! expected `<case>.<kind>` file beside it. Run with `UPDATE_EXPECT=1` to
//! rewrite the expected files after a deliberate change, then review the diff.

use sift_tokenize::{sentences, Analyzer, AnalyzerConfig, Pattern, Words};
use std::path::{Path, PathBuf};

fn data_dir(kind: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("test_data").join(kind)
}

/// Renders every `.txt` input of `test_data/<kind>` with `render` and
/// compares with the expected file (or writes it under `UPDATE_EXPECT=1`).
fn check(kind: &str, render: fn(&str) -> String) {
    let dir = data_dir(kind);
    let mut inputs: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    inputs.sort();
    assert!(!inputs.is_empty(), "no inputs in {}", dir.display());
    let update = std::env::var_os("UPDATE_EXPECT").is_some();
    let mut failures = Vec::new();
    for input in inputs {
        let text = std::fs::read_to_string(&input).unwrap();
        let actual = render(&text);
        let expected_path = input.with_extension(kind);
        if update {
            std::fs::write(&expected_path, &actual).unwrap();
            continue;
        }
        let expected = std::fs::read_to_string(&expected_path).unwrap_or_else(|_| {
            panic!("missing {} (run with UPDATE_EXPECT=1)", expected_path.display())
        });
        if expected != actual {
            failures.push(format!(
                "{}:\n--- expected\n{expected}\n--- actual\n{actual}",
                expected_path.display()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn render_tokens(text: &str) -> String {
    let analyzer = Analyzer::new(AnalyzerConfig::default()).unwrap();
    let mut scratch = analyzer.scratch();
    let mut out = String::from(
        "# sift words: span, kind, source, term after the default filters (- when dropped)\n",
    );
    for t in analyzer.words(text) {
        assert_eq!(&text[t.span.range()], t.text);
        let term = analyzer.normalize(text, t, &mut scratch).unwrap_or("-").to_string();
        out.push_str(&format!(
            "{}..{}\t{:?}\t{}\t{}\n",
            t.span.start, t.span.end, t.kind, t.text, term
        ));
    }
    out.push_str("# scikit-learn pattern, lowercased\n");
    let sk = Analyzer::new(AnalyzerConfig::sklearn()).unwrap();
    let terms: Vec<String> = sk.terms(text).into_iter().map(|t| t.text).collect();
    out.push_str(&terms.join(" "));
    out.push('\n');
    // The raw pattern without lowercasing finds the same runs here.
    assert_eq!(Words::new(text, Pattern::Sklearn, false).count(), terms.len());
    out
}

fn render_sentences(text: &str) -> String {
    let mut out = String::new();
    for s in sentences(text) {
        out.push_str(&format!("{}..{}\t{}\n", s.start, s.end, s.text(text).replace('\n', "\\n")));
    }
    out
}

#[test]
fn golden_tokens() {
    check("tokens", render_tokens);
}

#[test]
fn golden_sentences() {
    check("sentences", render_sentences);
}
