//! The model loader on arbitrary bytes: an error or a model, never a panic;
//! a model that loads can label a text. Seed the corpus with
//! `models/themes.sift` (and truncated or edited copies) to start from a
//! valid file: `cp models/themes.sift fuzz/corpus/model/`.
#![no_main]

use libfuzzer_sys::fuzz_target;
mod common;

use sift_classify::Model;

fuzz_target!(|data: &[u8]| {
    if let Ok(m) = Model::from_bytes(data, "<fuzz>") {
        common::labels_a_text(&m);
    }
});
