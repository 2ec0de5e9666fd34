//! Summarizing the 2,225 BBC News Summary articles (about 400 words each)
//! with each scorer, one thread: throughput in articles per second. The
//! default's budget is the evaluation's (the reference's word count); the
//! others take 3 sentences.
//!
//! `cargo bench -p sift-benches --bench summarize`

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use sift_benches::read_field;
use sift_summarize::{Algorithm, Budget, Summarizer, SummarizerParams, TitleMode};
use std::hint::black_box;
use std::time::Duration;

fn bench(c: &mut Criterion) {
    let articles = read_field("bbc-news-summary/all.jsonl.gz", "article");
    let mut g = c.benchmark_group("summarize/bbc");
    g.throughput(Throughput::Elements(articles.len() as u64));
    g.sample_size(10).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(6));
    for (name, algorithm) in [
        ("default", Algorithm::Default),
        ("textrank", Algorithm::TextRank),
        ("lexrank", Algorithm::LexRank { threshold: None }),
        ("centroid", Algorithm::Centroid),
        ("luhn", Algorithm::Luhn),
    ] {
        let s = Summarizer::new(SummarizerParams {
            algorithm,
            budget: Budget::Words(170),
            title: TitleMode::FirstLine,
            ..Default::default()
        })
        .unwrap();
        g.bench_function(name, |b| {
            b.iter(|| {
                let picked: usize =
                    articles.iter().map(|a| s.summarize(black_box(a)).sentences.len()).sum();
                assert!(picked >= articles.len());
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
