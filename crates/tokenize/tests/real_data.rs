//! Tests on small slices of the real corpora in `../shared/data`.

use sift_tokenize::{paragraphs, SentenceSplitter, Span};
use std::io::{BufRead, BufReader};
use std::path::PathBuf;

fn data_file(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data").join(rel)
}

fn records(rel: &str, n: usize) -> Vec<serde_json::Value> {
    let path = data_file(rel);
    let file = std::fs::File::open(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    BufReader::new(flate2::read::GzDecoder::new(file))
        .lines()
        .take(n)
        .map(|l| serde_json::from_str(&l.unwrap()).unwrap())
        .collect()
}

fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

fn covers(target: &str, pieces: &[String], used: &mut [bool]) -> bool {
    if target.is_empty() {
        return true;
    }
    (0..pieces.len()).any(|i| {
        if used[i] || pieces[i].is_empty() || !target.starts_with(pieces[i].as_str()) {
            return false;
        }
        used[i] = true;
        let ok = covers(&target[pieces[i].len()..], pieces, used);
        used[i] = ok;
        ok
    })
}

/// Every 10th BBC News Summary pair (223 articles): the reference summary is a
/// concatenation of whole sentences of the body, as the splitter finds them.
#[test]
fn bbc_summaries_are_made_of_our_sentences() {
    let recs = records("bbc-news-summary/all.jsonl.gz", 2225);
    let splitter = SentenceSplitter::english();
    let (mut ok, mut n) = (0, 0);
    for r in recs.iter().step_by(10) {
        let article = r["article"].as_str().unwrap();
        let body = article.find('\n').map_or(article.len(), |i| i + 1);
        let mut spans = Vec::new();
        for p in paragraphs(&article[body..]) {
            splitter.split_span(article, Span::new(p.start + body, p.end + body), &mut spans);
        }
        let pieces: Vec<String> = spans.iter().map(|s| squash(s.text(article))).collect();
        let mut used = vec![false; pieces.len()];
        n += 1;
        ok += covers(&squash(r["summary"].as_str().unwrap()), &pieces, &mut used) as usize;
    }
    assert!(ok * 1000 >= n * 990, "{ok}/{n} summaries reconstructed");
}

/// Offsets survive real, messy text (Usenet headers, quoting, control
/// characters): spans are exact and sentences cover every word.
#[test]
fn newsgroups_spans_are_exact() {
    let analyzer = sift_tokenize::Analyzer::new(sift_tokenize::AnalyzerConfig::default()).unwrap();
    for r in records("20newsgroups-bydate/train.jsonl.gz", 150) {
        let text = r["text"].as_str().unwrap();
        for pattern in [sift_tokenize::Pattern::Sift, sift_tokenize::Pattern::Sklearn] {
            let words = sift_tokenize::Words::new(text, pattern, true);
            let want: Vec<(usize, usize)> =
                words.clone().map(|t| (t.span.start, t.span.end)).collect();
            let mut got = Vec::new();
            words.spans_into(&mut got);
            assert_eq!(got, want, "{pattern:?}");
        }
        for t in analyzer.terms(text) {
            assert!(text.is_char_boundary(t.span.start) && text.is_char_boundary(t.span.end));
        }
        let sentences = sift_tokenize::sentences(text);
        let joined: String = sentences.iter().map(|s| s.text(text)).collect();
        assert_eq!(squash(&joined), squash(text));
    }
}

/// sift's English stemmer (its own Porter2 for lowercase ASCII words, a
/// shortcut for words without vowels, rust-stemmers for the rest) gives
/// rust-stemmers' Snowball stems on every distinct word of 1,000 20 Newsgroups
/// posts and 500 theme paragraphs, as the sift pattern finds them and split
/// at apostrophes and hyphens, as written and lowercased. (`cargo xtask
/// stem-check` does the same over every corpus.)
#[test]
fn english_stems_equal_snowball_on_real_words() {
    let ours = sift_tokenize::Stemmer::new(sift_tokenize::Language::English);
    let theirs = rust_stemmers::Stemmer::create(rust_stemmers::Algorithm::English);
    let mut words = std::collections::BTreeSet::new();
    let texts = records("20newsgroups-bydate/train.jsonl.gz", 1000)
        .into_iter()
        .chain(records("themes-real/dev.jsonl.gz", 500));
    for r in texts {
        let text = r["text"].as_str().unwrap();
        for w in sift_tokenize::words(text, sift_tokenize::Pattern::Sift) {
            for w in [w.text.to_string(), w.text.to_lowercase()] {
                words.extend(
                    w.split(|c: char| !c.is_alphanumeric() && c != '\'').map(str::to_string),
                );
                words.insert(w);
            }
        }
    }
    let without_vowels =
        words.iter().filter(|w| !w.contains(['a', 'e', 'i', 'o', 'u', 'y'])).count();
    let lower_ascii =
        words.iter().filter(|w| w.bytes().all(|b| b.is_ascii() && !b.is_ascii_uppercase())).count();
    assert!(without_vowels > 1500, "{without_vowels} of {}", words.len());
    assert!(lower_ascii > 20_000, "{lower_ascii} of {}", words.len());
    for w in &words {
        assert_eq!(ours.stem(w), theirs.stem(w), "{w:?}");
    }
}
