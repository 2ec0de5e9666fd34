//! TF-IDF fit_transform on the 20 Newsgroups bydate train texts (11,314
//! documents, about 22 MB): unigrams, uni+bigrams, Snowball-stemmed unigrams
//! and hashing (2^20 columns), each on one and two threads. The settings
//! mirror ../shared/peers/vec_bench.py (scikit-learn's defaults).
//! Each iteration asserts the shape it produced.
//!
//! `cargo bench -p sift-benches --bench tfidf`

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use sift_benches::{newsgroups_train, tfidf_configs, total_bytes};
use sift_tfidf::TfidfParams;
use std::hint::black_box;
use std::time::Duration;

fn bench(c: &mut Criterion) {
    let docs = newsgroups_train();
    let mut g = c.benchmark_group("tfidf/20ng-train");
    g.throughput(Throughput::Bytes(total_bytes(&docs)));
    g.sample_size(10).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(8));
    for (name, params) in tfidf_configs() {
        let params = params.check().unwrap();
        for threads in [1, 2] {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            let expected = pool.install(|| params.fit_transform(&docs).unwrap().1.shape());
            g.bench_function(format!("{name}/threads={threads}"), |b| {
                b.iter(|| {
                    let (_, x) = pool.install(|| params.fit_transform(black_box(&docs)).unwrap());
                    assert_eq!(x.shape(), expected);
                })
            });
        }
    }
    g.finish();
}

/// Loading a fitted vectorizer with a vocabulary of over a million terms
/// (uni+bigrams of 20 Newsgroups train: 1,181,803 terms): decoding alone,
/// and decoding plus building the word -> column index that the first
/// transform needs.
fn bench_load(c: &mut Criterion) {
    let docs = newsgroups_train();
    let v = TfidfParams::new().ngram_range(1, 2).check().unwrap().fit(&docs).unwrap();
    assert!(v.vocabulary().len() > 1_000_000);
    let bytes = v.to_bytes();
    let the = v.vocabulary().iter().position(|t| t == "the");
    let mut g = c.benchmark_group("tfidf/load-1.18M-terms");
    g.sample_size(20).measurement_time(Duration::from_secs(8));
    // Loading, not freeing: each loaded vectorizer is dropped after its
    // timing (freeing 60 MB took several milliseconds of the loop).
    let per_load = BatchSize::PerIteration;
    g.bench_function("from_bytes", |b| {
        b.iter_batched(
            || (),
            |()| {
                let v = sift_tfidf::TfidfVectorizer::from_bytes(black_box(&bytes)).unwrap();
                assert_eq!(v.vocabulary().len(), 1_181_803);
                v
            },
            per_load,
        )
    });
    g.bench_function("from_bytes+index", |b| {
        b.iter_batched(
            || (),
            |()| {
                let v = sift_tfidf::TfidfVectorizer::from_bytes(black_box(&bytes)).unwrap();
                v.prepare();
                assert_eq!(v.column_of("the"), the);
                v
            },
            per_load,
        )
    });
    g.finish();
}

criterion_group!(benches, bench, bench_load);
criterion_main!(benches);
