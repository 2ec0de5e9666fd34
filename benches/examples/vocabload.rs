//! Development probe: loading the 1,181,803-term uni+bigram vectorizer of
//! 20 Newsgroups train (decoding plus the word -> column index), 40 times
//! in one process; prints the minimum, the first quartile and the median
//! (the minimum resists other tenants' noise). The figure to report comes
//! from `cargo bench -p sift-benches --bench tfidf -- load`.
//!
//! `cargo run --release -p sift-benches --example vocabload`

use sift_benches::newsgroups_train;
use sift_tfidf::{TfidfParams, TfidfVectorizer};
use std::time::Instant;

fn main() {
    let docs = newsgroups_train();
    let fitted = TfidfParams::new().ngram_range(1, 2).check().expect("params").fit(&docs);
    let bytes = fitted.expect("fit").to_bytes();
    let mut ms = Vec::new();
    for _ in 0..40 {
        let t = Instant::now();
        let v = TfidfVectorizer::from_bytes(&bytes).expect("decode");
        v.prepare();
        ms.push(t.elapsed().as_secs_f64() * 1e3);
        std::hint::black_box(v.column_of("the"));
    }
    ms.sort_by(f64::total_cmp);
    println!("load+index: min {:.1} ms, p25 {:.1} ms, median {:.1} ms", ms[0], ms[10], ms[20]);
}
