//! The model decoder behind the checksum: the fuzzer's bytes become the
//! payload of a well-formed container (magic, version, length, CRC-32), so
//! mutations reach the postcard decoder, the vectorizer loader, the metadata
//! JSON and the shape checks instead of stopping at the checksum. An error or
//! a model, never a panic; a model that loads can label a text.
//!
//! Seed it with the payload of a small model (a file's bytes after its
//! 24-byte header), for example:
//! `sift train --data tiny.jsonl --out tiny.sift --folds 0` then
//! `mkdir -p fuzz/corpus/model_payload && tail -c +25 tiny.sift > fuzz/corpus/model_payload/tiny`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sift_classify::{LabelOptions, Model, FORMAT_VERSION, MAGIC};

fuzz_target!(|payload: &[u8]| {
    let bytes = sift_tfidf::container::encode(MAGIC, FORMAT_VERSION, payload);
    if let Ok(m) = Model::from_bytes(&bytes, "<fuzz>") {
        let out = m.label_articles(
            &["Title\n\nHackers stole tariff data.\n\nSpies."],
            LabelOptions::default(),
        );
        assert_eq!(out.len(), 1);
        for p in &out[0].paragraphs {
            assert_eq!(p.prediction.probabilities.len(), m.labels().len());
        }
    }
});
