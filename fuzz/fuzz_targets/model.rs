//! The model loader on arbitrary bytes: an error or a model, never a panic;
//! a model that loads can label a text. Seed the corpus with
//! `models/themes.sift` (and truncated or edited copies) to start from a
//! valid file: `cp models/themes.sift fuzz/corpus/model/`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sift_classify::{LabelOptions, Model};

fuzz_target!(|data: &[u8]| {
    if let Ok(m) = Model::from_bytes(data, "<fuzz>") {
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
