//! Tokenizer throughput on the 20 Newsgroups bydate train texts (11,314
//! documents, about 22 MB), one thread. Each iteration processes the whole
//! corpus and asserts the count it produced, so nothing is optimized away.
//!
//! `cargo bench -p sift-benches --bench tokenize`; the English stemmer against
//! rust-stemmers: `cargo bench -p sift-benches --bench tokenize -- stem`

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use sift_benches::{newsgroups_train, total_bytes};
use sift_tokenize::{
    words, Analyzer, AnalyzerConfig, Filter, Language, Pattern, SentenceSplitter, Stemmer, StopList,
};
use std::hint::black_box;
use std::time::Duration;

fn count_terms(analyzer: &Analyzer, docs: &[String]) -> usize {
    // A fresh scratch per pass: the stem cache starts empty, so each pass
    // stems every distinct word once.
    let mut scratch = analyzer.scratch();
    let mut n = 0usize;
    for d in docs {
        analyzer.for_each_term(d, &mut scratch, |t, _| n += t.len());
    }
    n
}

fn bench(c: &mut Criterion) {
    let docs = newsgroups_train();
    let bytes = total_bytes(&docs);
    let mut g = c.benchmark_group("tokenize/20ng-train");
    g.throughput(Throughput::Bytes(bytes));
    g.sample_size(10).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(6));

    for pattern in [Pattern::Sift, Pattern::Sklearn] {
        let expected: usize = docs.iter().map(|d| words(d, pattern).count()).sum();
        g.bench_function(format!("words/{pattern:?}"), |b| {
            b.iter(|| {
                let n: usize = docs.iter().map(|d| words(black_box(d), pattern).count()).sum();
                assert_eq!(n, expected);
            })
        });
    }

    let configs = [
        (
            "lowercase/Sift",
            AnalyzerConfig {
                pattern: Pattern::Sift,
                filters: vec![Filter::Lowercase],
                ngram_range: (1, 1),
            },
        ),
        ("lowercase/Sklearn", AnalyzerConfig::sklearn()),
        (
            "lowercase+stop+stem/Sift",
            AnalyzerConfig {
                pattern: Pattern::Sift,
                filters: vec![
                    Filter::Lowercase,
                    Filter::StopWords { list: StopList::English, extra: vec![] },
                    Filter::Stem { language: Language::English },
                ],
                ngram_range: (1, 1),
            },
        ),
    ];
    for (name, config) in configs {
        let analyzer = Analyzer::new(config).unwrap();
        let expected = count_terms(&analyzer, &docs);
        g.bench_function(name, |b| {
            b.iter(|| assert_eq!(count_terms(&analyzer, black_box(&docs)), expected))
        });
    }

    let splitter = SentenceSplitter::english();
    let expected: usize = docs.iter().map(|d| splitter.split(d).len()).sum();
    g.bench_function("sentences", |b| {
        b.iter(|| {
            let n: usize = docs.iter().map(|d| splitter.split(black_box(d)).len()).sum();
            assert_eq!(n, expected);
        })
    });
    g.finish();

    // The English stemmer on every distinct lowercase word of the corpus
    // (the stem cache's misses), against rust-stemmers, its reference.
    let mut distinct: Vec<String> =
        docs.iter().flat_map(|d| words(d, Pattern::Sift)).map(|w| w.text.to_lowercase()).collect();
    distinct.sort_unstable();
    distinct.dedup();
    let stemmer = Stemmer::new(Language::English);
    let reference = rust_stemmers::Stemmer::create(rust_stemmers::Algorithm::English);
    let expected: usize = distinct.iter().map(|w| reference.stem(w).len()).sum();
    let mut s = c.benchmark_group("stem/20ng-train-distinct-words");
    s.throughput(Throughput::Elements(distinct.len() as u64));
    s.sample_size(10).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(4));
    s.bench_function("sift", |b| {
        b.iter(|| {
            let n: usize = distinct.iter().map(|w| stemmer.stem(black_box(w)).len()).sum();
            assert_eq!(n, expected);
        })
    });
    s.bench_function("rust-stemmers", |b| {
        b.iter(|| {
            let n: usize = distinct.iter().map(|w| reference.stem(black_box(w)).len()).sum();
            assert_eq!(n, expected);
        })
    });
    s.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
