//! Golden summaries of articles written for these tests, and properties of
//! every summary: sentences in document order, exact spans, the title never
//! included, budgets honoured.
//!
//! `UPDATE_EXPECT=1 cargo test -p sift-summarize --test summaries` rewrites
//! the expected files (review the diff).

use proptest::prelude::*;
use sift_summarize::{
    select_anchored, Algorithm, Budget, Document, Summarizer, SummarizerParams, TitleMode,
    MAX_GRAPH_SENTENCES,
};
use std::path::{Path, PathBuf};

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("test_data")
}

fn render(text: &str, algorithm: Algorithm, budget: Budget) -> String {
    let s = Summarizer::new(SummarizerParams { algorithm, budget, ..Default::default() }).unwrap();
    let summary = s.summarize(text);
    let mut out = format!("{algorithm:?} {budget:?}, {} candidates\n", summary.candidates);
    for x in &summary.sentences {
        assert_eq!(&text[x.span.range()], x.text(text));
        out.push_str(&format!(
            "  {}..{} [{}] {}\n",
            x.span.start,
            x.span.end,
            x.index,
            x.text(text)
        ));
    }
    out
}

/// Renders every `.txt` in `test_data` and compares with `<name>.summary`.
fn check(render_all: fn(&str) -> String) {
    let update = std::env::var_os("UPDATE_EXPECT").is_some();
    let mut inputs: Vec<PathBuf> = std::fs::read_dir(data_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    inputs.sort();
    assert!(!inputs.is_empty());
    let mut failures = Vec::new();
    for input in inputs {
        let text = std::fs::read_to_string(&input).unwrap();
        let actual = render_all(&text);
        let path = input.with_extension("summary");
        if update {
            std::fs::write(&path, &actual).unwrap();
        } else {
            let expected = std::fs::read_to_string(&path)
                .unwrap_or_else(|_| panic!("missing {} (UPDATE_EXPECT=1)", path.display()));
            if expected != actual {
                failures.push(format!(
                    "{}:\n--- expected\n{expected}--- actual\n{actual}",
                    path.display()
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn golden_summaries() {
    check(|text| {
        [
            (Algorithm::Default, Budget::Sentences(3)),
            (Algorithm::Default, Budget::Words(60)),
            (Algorithm::Lead, Budget::Sentences(2)),
            (Algorithm::TextRank, Budget::Sentences(2)),
            (Algorithm::LexRank { threshold: None }, Budget::Sentences(2)),
            (Algorithm::Centroid, Budget::Ratio(0.3)),
            (Algorithm::Luhn, Budget::Sentences(2)),
        ]
        .into_iter()
        .map(|(a, b)| render(text, a, b))
        .collect()
    });
}

#[test]
fn default_skips_byline_fragments_and_titles() {
    let text = std::fs::read_to_string(data_dir().join("byline-lead.txt")).unwrap();
    let s = Summarizer::new(SummarizerParams::default()).unwrap().summarize(&text);
    for x in &s.sentences {
        assert!(
            x.text(&text).split_whitespace().count() >= 6,
            "fragment chosen: {:?}",
            x.text(&text)
        );
    }
    assert!(s.sentences[0].text(&text).contains("medical records of 12,000 patients"));
    let text = std::fs::read_to_string(data_dir().join("port-strike.txt")).unwrap();
    let s = Summarizer::new(SummarizerParams::default()).unwrap().summarize(&text);
    let title = s.title.unwrap();
    assert_eq!(title.text(&text), "Dock workers end week-long strike at northern port");
    assert!(s.sentences.iter().all(|x| x.span.start > title.end));
}

#[test]
fn theme_focus_prefers_weighted_paragraphs() {
    let text = std::fs::read_to_string(data_dir().join("theme-mixed.txt")).unwrap();
    let s =
        Summarizer::new(SummarizerParams { budget: Budget::Sentences(2), ..Default::default() })
            .unwrap();
    // Weight only the hacking paragraph (body paragraph 1).
    let focused = s.summarize_weighted(&text, Some(&[0.05, 1.0, 0.05]));
    assert!(focused.sentences.iter().all(|x| x.paragraph == 1), "{:?}", focused.sentences);
    let plain = s.summarize(&text);
    assert!(plain.sentences.iter().any(|x| x.paragraph == 0));
}

const SENTENCES: &[&str] = &[
    "The central bank raised interest rates by half a point on Thursday.",
    "Officials said inflation had stayed above target for a year.",
    "Hackers stole data on 3,000 customers of a regional bank.",
    "The bank said it had notified the regulator.",
    "Exports of steel fell for the third month in a row.",
    "Analysts expect another rise in rates before the summer.",
    "He said.",
    "By . Staff Reporter .",
    "Tariffs on imported cars will double next year, ministers said.",
    "The attack was traced to servers abroad, investigators said.",
];

fn article() -> impl Strategy<Value = String> {
    let para =
        prop::collection::vec(prop::sample::select(SENTENCES), 1..5).prop_map(|v| v.join(" "));
    (any::<bool>(), prop::collection::vec(para, 1..5)).prop_map(|(title, ps)| {
        format!(
            "{}{}",
            if title { "A headline about the economy\n\n" } else { "" },
            ps.join("\n\n")
        )
    })
}

fn algorithm() -> impl Strategy<Value = Algorithm> {
    prop_oneof![
        Just(Algorithm::Default),
        Just(Algorithm::Lead),
        Just(Algorithm::TextRank),
        Just(Algorithm::LexRank { threshold: None }),
        Just(Algorithm::LexRank { threshold: Some(0.1) }),
        Just(Algorithm::Centroid),
        Just(Algorithm::Luhn),
    ]
}

fn budget() -> impl Strategy<Value = Budget> {
    prop_oneof![
        (1usize..6).prop_map(Budget::Sentences),
        (1usize..80).prop_map(Budget::Words),
        (0.05f64..1.0).prop_map(Budget::Ratio)
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn summaries_are_in_order_exact_and_within_budget(text in article(), alg in algorithm(), budget in budget(), mmr in prop::option::of(0.0f64..=1.0)) {
        let s = Summarizer::new(SummarizerParams { algorithm: alg, budget, mmr_lambda: mmr, title: TitleMode::Auto, ..Default::default() }).unwrap();
        let summary = s.summarize(&text);
        let doc = s.document(&text);
        prop_assert_eq!(summary.candidates, doc.sentences.len());
        let idx: Vec<usize> = summary.sentences.iter().map(|x| x.index).collect();
        prop_assert!(idx.windows(2).all(|w| w[0] < w[1]), "not in document order: {:?}", idx);
        for x in &summary.sentences {
            prop_assert_eq!(x.span, doc.sentences[x.index].span);
            prop_assert!(text.get(x.span.range()).is_some());
            if let Some(t) = summary.title {
                prop_assert!(x.span.start >= t.end, "the title is never in a summary");
            }
        }
        let n = doc.sentences.len();
        let words: usize = summary.sentences.iter().map(|x| doc.sentences[x.index].words).sum();
        match budget {
            Budget::Sentences(k) => prop_assert_eq!(summary.sentences.len(), k.min(n)),
            Budget::Words(w) => {
                prop_assert!(words >= w || summary.sentences.len() == n);
                // Minimal: without its last pick the summary was short of the budget.
                prop_assert!(summary.sentences.len() <= n);
            }
            Budget::Ratio(_) => prop_assert!(!summary.sentences.is_empty() || n == 0),
        }
    }
}

/// The selection as first written: a scan of every sentence per pick.
fn naive_select(
    doc: &Document,
    scores: &[f64],
    budget: Budget,
    mmr: Option<f64>,
    anchors: &[usize],
) -> Vec<usize> {
    let n = doc.sentences.len();
    let sims = doc.similarities();
    let (lo, hi) =
        scores.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &s| (a.min(s), b.max(s)));
    let scaled: Vec<f64> =
        scores.iter().map(|&s| if hi > lo { (s - lo) / (hi - lo) } else { 1.0 }).collect();
    let total: usize = doc.sentences.iter().map(|s| s.words).sum();
    let enough = |k: usize, w: usize| match budget {
        Budget::Sentences(m) => k >= m,
        Budget::Words(m) => w >= m,
        Budget::Ratio(r) => k > 0 && w as f64 >= r * total as f64,
    };
    let (mut picked, mut taken, mut max_sim, mut words) =
        (Vec::new(), vec![false; n], vec![0.0f64; n], 0);
    let mut anchors = anchors.iter().copied().filter(|&i| i < n);
    while picked.len() < n && !enough(picked.len(), words) {
        let i = match anchors.by_ref().find(|&a| !taken[a]) {
            Some(a) => a,
            None => {
                let mut best: Option<(f64, usize)> = None;
                for i in (0..n).filter(|&i| !taken[i]) {
                    let v = match mmr {
                        Some(l) if !picked.is_empty() => l * scaled[i] - (1.0 - l) * max_sim[i],
                        _ => scaled[i],
                    };
                    if best.is_none_or(|(b, _)| v > b) {
                        best = Some((v, i));
                    }
                }
                best.unwrap().1
            }
        };
        taken[i] = true;
        picked.push(i);
        words += doc.sentences[i].words;
        for j in 0..n {
            max_sim[j] = max_sim[j].max(sims[i * n + j] as f64);
        }
    }
    picked.sort_unstable();
    picked
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// The selection (one sort without MMR; MMR rows from the matrix or
    /// computed per pick) picks what the naive scan picks, ties included.
    #[test]
    fn selection_equals_the_naive_scan(
        text in article(),
        raw in prop::collection::vec(0u8..4, 40),
        budget in budget(),
        mmr in prop::option::of(0.0f64..=1.0),
        anchors in prop::collection::vec(0usize..12, 0..4),
    ) {
        let s = Summarizer::new(SummarizerParams::default()).unwrap();
        let doc = s.document(&text);
        let n = doc.sentences.len();
        // Few distinct values, so that ties are common.
        let scores: Vec<f64> = (0..n).map(|i| raw[i % raw.len()] as f64).collect();
        let want = naive_select(&doc, &scores, budget, mmr, &anchors);
        let dense = doc.similarities();
        prop_assert_eq!(&select_anchored(&doc, &scores, &dense, budget, mmr, &anchors), &want);
        prop_assert_eq!(&select_anchored(&doc, &scores, &[], budget, mmr, &anchors), &want);
    }
}

/// A text too long for the sentence graph: every scorer still summarizes it
/// (the graph-based ones as centroid does), without the n x n matrix.
#[test]
fn texts_longer_than_the_graph_limit_are_summarized_in_linear_memory() {
    let n = MAX_GRAPH_SENTENCES + 1;
    let mut text = String::from("A long report\n\n");
    for i in 0..n {
        text += SENTENCES[i % SENTENCES.len()];
        text += if i % 7 == 6 { "\n\n" } else { " " };
    }
    let run = |algorithm: Algorithm, mmr: Option<f64>| {
        let p = SummarizerParams { algorithm, mmr_lambda: mmr, ..Default::default() };
        Summarizer::new(p).unwrap().summarize(&text)
    };
    let centroid = run(Algorithm::Centroid, None);
    assert!(centroid.candidates > MAX_GRAPH_SENTENCES);
    assert_eq!(centroid.sentences.len(), 3);
    let idx = |s: &sift_summarize::Summary| s.sentences.iter().map(|x| x.index).collect::<Vec<_>>();
    for graph in [Algorithm::TextRank, Algorithm::LexRank { threshold: None }] {
        assert_eq!(idx(&run(graph, None)), idx(&centroid), "{graph:?}");
    }
    // The default anchors the lead's content sentences; with MMR too.
    let d = run(Algorithm::Default, Some(0.7));
    assert_eq!(idx(&d), [0, 1, 2]);
    assert_eq!(idx(&run(Algorithm::Lead, None)), [0, 1, 2]);
}
