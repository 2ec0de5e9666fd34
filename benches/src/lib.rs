//! Shared helpers for sift's criterion benchmarks: locating and loading the
//! real corpora in `../shared/data`.
#![deny(missing_docs)]

use std::io::{BufRead, BufReader};

/// The allocator the `sift` binary uses (see `crates/cli/src/main.rs`), so
/// that the benchmarks, the examples and `cargo xtask` (which links this
/// crate) time the library as the command line runs it.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
use std::path::PathBuf;

/// The shared data folder: `$SIFT_DATA` or `<workspace>/../shared/data`.
pub fn data_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("SIFT_DATA") {
        return PathBuf::from(d);
    }
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/data")
}

/// Reads the string field `field` of every record of a gzip JSON Lines file
/// under [`data_dir`]; panics with the path when it cannot (benchmarks only).
pub fn read_field(rel: &str, field: &str) -> Vec<String> {
    let path = data_dir().join(rel);
    let file = std::fs::File::open(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    BufReader::new(flate2::read::GzDecoder::new(file))
        .lines()
        .map(|l| {
            let l = l.unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let v: serde_json::Value =
                serde_json::from_str(&l).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            v[field].as_str().unwrap_or_default().to_string()
        })
        .collect()
}

/// The 20 Newsgroups bydate training texts (11,314 documents, about 22 MB).
pub fn newsgroups_train() -> Vec<String> {
    read_field("20newsgroups-bydate/train.jsonl.gz", "text")
}

/// Texts and labels of a 20 Newsgroups split ("train" or "test").
pub fn newsgroups(split: &str) -> (Vec<String>, Vec<String>) {
    let rel = format!("20newsgroups-bydate/{split}.jsonl.gz");
    (read_field(&rel, "text"), read_field(&rel, "label"))
}

/// Total UTF-8 bytes of `docs`.
pub fn total_bytes(docs: &[String]) -> u64 {
    docs.iter().map(|d| d.len() as u64).sum()
}

/// The TF-IDF settings compared with scikit-learn (../shared/peers/
/// vec_bench.py), by name: its defaults, uni+bigrams, Snowball-stemmed
/// unigrams and hashing (2^20 signed columns, no IDF). Shared by the
/// criterion benches, the development timer and `cargo xtask bench-peers`.
pub fn tfidf_configs() -> Vec<(&'static str, sift_tfidf::TfidfParams)> {
    use sift_tfidf::{Hashing, TfidfParams};
    vec![
        ("unigram", TfidfParams::new()),
        ("uni+bigram", TfidfParams::new().ngram_range(1, 2)),
        ("stemmed", TfidfParams::new().stem(sift_tokenize::Language::English)),
        (
            "hashing",
            TfidfParams::new()
                .hashing(Some(Hashing { n_features: 1 << 20, alternate_sign: true }))
                .use_idf(false),
        ),
    ]
}

/// scikit-learn's peer classification pipeline (TfidfVectorizer with
/// sublinear tf and min_df 2, then `LinearSVC()`: C = 1, squared hinge, and
/// its stopping tolerance 1e-4), in sift: the like-for-like speed
/// comparison.
pub fn like_sklearn() -> sift_classify::TrainParams {
    like_sklearn_with_tol(1e-4)
}

/// [`like_sklearn`] with another SVM stopping tolerance: 0.1 is LIBLINEAR's
/// own default for this solver, and sift's.
pub fn like_sklearn_with_tol(tol: f64) -> sift_classify::TrainParams {
    use sift_classify::{Algorithm, TrainParams};
    use sift_tfidf::{DocFreq, TfidfParams};
    let vectorizer =
        TfidfParams::new().sublinear_tf(true).min_df(DocFreq::Count(2)).settings().clone();
    let mut p =
        TrainParams { vectorizer, algorithm: Algorithm::Svm, folds: 0, ..TrainParams::default() };
    p.svm.nb_alpha = None;
    p.svm.tol = tol;
    p
}
