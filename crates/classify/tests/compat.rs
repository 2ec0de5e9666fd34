//! Compatibility fixtures: model files written by earlier sift builds, one
//! per model and vectorizer format (see `tests/compat/README.md`), must keep
//! loading and predicting as they did. The older-format unit tests in
//! `model.rs` re-encode today's types; these files were written by the code
//! of their time, so they also catch a change in any nested serialized type
//! (a settings enum reordered, a field added) that would silently break
//! files users already have.

use sift_classify::{Model, Prediction, FORMAT_VERSION};
use std::path::PathBuf;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// (file, model format, group): files of one group hold the same weights
/// (written by commits that changed only the format) and must predict
/// identically, to the bit.
const FIXTURES: [(&str, u32, u8); 5] = [
    ("themes-model1-vec1.sift", 1, 0),
    ("themes-model2-vec1.sift", 2, 0),
    ("themes-model3-vec1.sift", 3, 1),
    ("themes-model3-vec2.sift", 3, 1),
    ("themes-model4-vec2.sift", 4, 2),
];

/// The project's own theme paragraphs (datasets/themes), with their labels.
fn paragraphs() -> Vec<(String, Vec<String>)> {
    let dir = root().join("../../datasets/themes");
    let mut out = Vec::new();
    for name in ["espionage", "trade_policy", "data_breach", "other", "mixed"] {
        let text = std::fs::read_to_string(dir.join(format!("{name}.jsonl"))).unwrap();
        for line in text.lines() {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            let labels = v["labels"].as_array().unwrap();
            out.push((
                v["text"].as_str().unwrap().to_string(),
                labels.iter().map(|l| l.as_str().unwrap().to_string()).collect(),
            ));
        }
    }
    out
}

/// A prediction's probabilities and scores as bits, and its labels.
type Bits = (Vec<u32>, Vec<u32>, Vec<usize>);

fn bits(p: &[Prediction]) -> Vec<Bits> {
    let b = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    p.iter().map(|p| (b(&p.probabilities), b(&p.scores), p.labels.clone())).collect()
}

#[test]
fn model_files_of_every_format_still_load_and_predict_as_before() {
    let data = paragraphs();
    assert!(data.len() > 700);
    let texts: Vec<&str> = data.iter().map(|(t, _)| t.as_str()).collect();
    let mut first_of_group: Vec<(u8, Vec<Bits>)> = Vec::new();
    let mut formats = Vec::new();
    for (file, format, group) in FIXTURES {
        let path = root().join("tests/compat").join(file);
        let m = Model::load(&path).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(m.format_version(), format, "{file}");
        formats.push(format);
        assert_eq!(m.labels(), ["data_breach", "espionage", "other", "trade_policy"], "{file}");
        let p = m.predict(&texts, None);
        // Each still knows its themes: the top label is one of the
        // paragraph's labels for most of these (its training) paragraphs.
        let right =
            p.iter().zip(&data).filter(|(p, (_, l))| l.contains(&m.labels()[p.top()])).count();
        assert!(right * 10 >= data.len() * 9, "{file}: {right} of {} right", data.len());
        // Saved again, it is a current-format file that predicts the same.
        let again = Model::from_bytes(&m.to_bytes(), file).unwrap();
        assert_eq!(again.format_version(), FORMAT_VERSION);
        assert_eq!(bits(&again.predict(&texts, None)), bits(&p), "{file}: re-saved");
        match first_of_group.iter().find(|(g, _)| *g == group) {
            Some((_, first)) => assert!(first == &bits(&p), "{file}: not as its group predicts"),
            None => first_of_group.push((group, bits(&p))),
        }
    }
    assert_eq!(
        formats.last(),
        Some(&FORMAT_VERSION),
        "a new model format needs its fixture here (see tests/compat/README.md)"
    );
}
