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
mod common;

use sift_classify::{Model, FORMAT_VERSION, MAGIC};

fuzz_target!(|payload: &[u8]| {
    let bytes = sift_tfidf::container::encode(MAGIC, FORMAT_VERSION, payload);
    if let Ok(m) = Model::from_bytes(&bytes, "<fuzz>") {
        common::labels_a_text(&m);
    }
});
