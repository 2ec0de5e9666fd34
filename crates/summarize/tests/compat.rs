//! Compatibility fixture: a supervised summarizer model of format 1, as
//! `sift train-summarizer` wrote it (`tests/compat/README.md`), must keep
//! loading and choosing the same sentences. Its expected summaries of the
//! articles in `test_data` are in `tests/compat/supervised-format1.expected`
//! (`UPDATE_EXPECT=1` rewrites them; only a deliberate change of the
//! supervised scorer's output may).

use sift_summarize::supervised::{SupervisedModel, SUPERVISED_FORMAT};
use sift_summarize::{Algorithm, Budget, Summarizer, SummarizerParams};
use std::path::{Path, PathBuf};

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/compat")
}

#[test]
fn a_supervised_model_of_format_1_still_loads_and_summarizes_the_same() {
    let json = std::fs::read_to_string(dir().join("supervised-format1.json")).unwrap();
    let model: SupervisedModel = serde_json::from_str(&json).unwrap();
    assert_eq!(model.format, 1);
    let params = SummarizerParams {
        algorithm: Algorithm::Supervised,
        budget: Budget::Sentences(3),
        ..Default::default()
    };
    let s = Summarizer::new(params).unwrap().with_supervised(model).unwrap();
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("test_data");
    let mut inputs: Vec<PathBuf> = std::fs::read_dir(&data)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    inputs.sort();
    let mut actual = String::new();
    for input in &inputs {
        let text = std::fs::read_to_string(input).unwrap();
        actual += &format!("{}\n", input.file_name().unwrap().to_string_lossy());
        for x in &s.summarize(&text).sentences {
            actual += &format!("  {}..{} {}\n", x.span.start, x.span.end, x.text(&text));
        }
    }
    let path = dir().join("supervised-format1.expected");
    if std::env::var_os("UPDATE_EXPECT").is_some() {
        std::fs::write(&path, &actual).unwrap();
    }
    assert_eq!(actual, std::fs::read_to_string(&path).unwrap());
    assert_eq!(SUPERVISED_FORMAT, 1, "a new supervised format needs its fixture here");
}
