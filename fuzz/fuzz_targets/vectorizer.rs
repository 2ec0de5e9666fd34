//! The stand-alone vectorizer file (`sift vectorize --save-vectorizer`,
//! read back by `--vectorizer`) behind its checksum: the fuzzer's bytes
//! become the payload of a well-formed container, so mutations reach the
//! settings, vocabulary and IDF decoders. An error or a vectorizer, never a
//! panic; one that loads transforms texts into rows within its columns.
//!
//! Seed it with a small vectorizer's payload (the file after its 24-byte
//! header), for example:
//! `sift vectorize --input docs.jsonl --out x.mtx --save-vectorizer v.vec` then
//! `mkdir -p fuzz/corpus/vectorizer && tail -c +25 v.vec > fuzz/corpus/vectorizer/v`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sift_tfidf::{container, TfidfVectorizer, FORMAT_VERSION, MAGIC};

fuzz_target!(|payload: &[u8]| {
    let bytes = container::encode(MAGIC, FORMAT_VERSION, payload);
    let Ok(v) = TfidfVectorizer::from_file_bytes(&bytes) else { return };
    let x = v.transform(&["Steel tariffs rose; hackers stole 3,600 records.", "", "a b"]);
    assert_eq!(x.nrows(), 3);
    assert_eq!(x.ncols(), v.n_features());
    for (cols, vals) in x.rows() {
        assert!(cols.windows(2).all(|w| w[0] < w[1]));
        assert!(cols.iter().all(|&c| (c as usize) < v.n_features()));
        assert!(vals.iter().all(|x| x.is_finite()));
    }
});
