//! Classifier training and prediction on 20 Newsgroups (bydate).
//!
//! * `train/like-sklearn`: the same job as scikit-learn's TF-IDF + LinearSVC
//!   pipeline of ../shared/peers (its token pattern, unigrams, sublinear tf,
//!   min_df 2; a linear SVM with LinearSVC's settings, tolerance 1e-4), from
//!   raw text.
//! * `train/default`: sift's default (`TrainParams::default`: stemmed uni+
//!   bigrams, NB-scaled SVM + complement NB, 3-fold calibration).
//! * `predict`: the default model on the 7,532 test texts from raw text,
//!   one thread (throughput in documents per second).
//! * `load`: decoding the default model's bytes; reading or mapping its
//!   file (in the system's cache) and building the index.
//! * `themes/label`: the default theme model (`models/themes.sift`) labelling
//!   the 2,225 BBC News articles paragraph by paragraph with explanations
//!   (`Model::label_articles`), one thread; throughput in paragraphs.
//! * `themes/load`: decoding the theme model and building its index.
//!
//! `cargo bench -p sift-benches --bench classify`

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use sift_benches::{like_sklearn, newsgroups};
use sift_classify::{train, Example, Model, TrainParams};
use std::hint::black_box;
use std::time::Duration;

fn examples(split: &str) -> Vec<Example> {
    let (texts, labels) = newsgroups(split);
    texts.into_iter().zip(labels).map(|(text, l)| Example { text, labels: vec![l] }).collect()
}

fn bench(c: &mut Criterion) {
    let train_ex = examples("train");
    let (test_texts, _) = newsgroups("test");
    let mut g = c.benchmark_group("classify/20ng");
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(10));
    for (name, params) in
        [("train/like-sklearn", like_sklearn()), ("train/default", TrainParams::default())]
    {
        g.bench_function(name, |b| {
            b.iter(|| {
                let m = train(&params, black_box(&train_ex)).unwrap().model;
                assert_eq!(m.labels().len(), 20);
            })
        });
    }
    let model = train(&TrainParams::default(), &train_ex).unwrap().model;
    model.vectorizer().prepare();
    let one = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
    g.throughput(Throughput::Elements(test_texts.len() as u64));
    g.bench_function("predict/1-thread", |b| {
        b.iter(|| {
            let p = one.install(|| model.predict(black_box(&test_texts), None));
            assert_eq!(p.len(), test_texts.len());
        })
    });
    let bytes = model.to_bytes();
    g.throughput(Throughput::Bytes(bytes.len() as u64));
    g.bench_function("load/default-model", |b| {
        b.iter(|| {
            let m = Model::from_bytes(black_box(&bytes), "20ng.sift").unwrap();
            assert_eq!(m.labels().len(), 20);
        })
    });
    g.bench_function("load/default-model+index", |b| {
        b.iter(|| {
            let m = Model::from_bytes(black_box(&bytes), "20ng.sift").unwrap();
            m.vectorizer().prepare();
        })
    });
    // From a file (in the system's cache): read, its weights decoded where
    // they were read (`Model::load`); and mapped, as `sift label --model`
    // loads it (`Model::load_mapped`).
    let dir = std::env::temp_dir().join(format!("sift-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("20ng.sift");
    model.save(&file).unwrap();
    g.bench_function("load/default-model-file+index", |b| {
        b.iter(|| {
            let m = Model::load(black_box(&file)).unwrap();
            m.vectorizer().prepare();
        })
    });
    g.bench_function("load/default-model-file-mapped+index", |b| {
        b.iter(|| {
            // SAFETY: the file is this benchmark's own; nothing rewrites it.
            #[allow(unsafe_code)]
            let m = unsafe { Model::load_mapped(black_box(&file)) }.unwrap();
            m.vectorizer().prepare();
        })
    });
    std::fs::remove_dir_all(&dir).unwrap();
    g.finish();
}

fn themes(c: &mut Criterion) {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let bytes = std::fs::read(root.join("models/themes.sift")).unwrap();
    let articles = sift_benches::read_field("bbc-news/all.jsonl.gz", "text");
    let paragraphs: usize =
        articles.iter().map(|a| sift_tokenize::article(a).paragraphs.len()).sum();
    let model = Model::from_bytes(&bytes, "themes.sift").unwrap();
    model.vectorizer().prepare();
    let one = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
    let mut g = c.benchmark_group("classify/themes");
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(10));
    g.throughput(Throughput::Elements(paragraphs as u64));
    g.bench_function("label/1-thread", |b| {
        b.iter(|| {
            let out = one.install(|| {
                model.label_articles(black_box(&articles), sift_classify::LabelOptions::default())
            });
            assert_eq!(out.len(), articles.len());
        })
    });
    g.throughput(Throughput::Bytes(bytes.len() as u64));
    g.bench_function("load+index", |b| {
        b.iter(|| {
            let m = Model::from_bytes(black_box(&bytes), "themes.sift").unwrap();
            m.vectorizer().prepare();
        })
    });
    g.finish();
}

criterion_group!(benches, bench, themes);
criterion_main!(benches);
