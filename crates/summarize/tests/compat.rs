//! Compatibility fixtures: supervised summarizer models of each format, as
//! `sift train-summarizer` wrote them from the same pairs
//! (`tests/compat/README.md`), must keep loading and choosing the same
//! sentences. Their expected summaries of three articles in `test_data` are in
//! `tests/compat/supervised.expected` (`UPDATE_EXPECT=1` rewrites them; only
//! a deliberate change of the supervised scorer's output may).

use sift_summarize::supervised::{SupervisedModel, SUPERVISED_FORMAT};
use sift_summarize::{Algorithm, Budget, Summarizer, SummarizerParams};
use std::path::{Path, PathBuf};

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/compat")
}

/// The articles of `test_data` the fixtures' expectations cover.
const ARTICLES: [&str; 3] = ["byline-lead.txt", "port-strike.txt", "theme-mixed.txt"];

/// The summaries (3 sentences) of the [`ARTICLES`] by `model`.
fn summaries(model: SupervisedModel) -> String {
    let params = SummarizerParams {
        algorithm: Algorithm::Supervised,
        budget: Budget::Sentences(3),
        ..Default::default()
    };
    let s = Summarizer::new(params).unwrap().with_supervised(model).unwrap();
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("test_data");
    // The articles the expected file was recorded on: articles added to
    // `test_data` later do not change a fixture's expectations.
    let inputs: Vec<PathBuf> = ARTICLES.iter().map(|name| data.join(name)).collect();
    let mut out = String::new();
    for input in &inputs {
        let text = std::fs::read_to_string(input).unwrap();
        out += &format!("{}\n", input.file_name().unwrap().to_string_lossy());
        for x in &s.summarize(&text).sentences {
            out += &format!("  {}..{} {}\n", x.span.start, x.span.end, x.text(&text));
        }
    }
    out
}

#[test]
fn supervised_models_of_every_format_still_load_and_summarize_the_same() {
    let path = dir().join("supervised.expected");
    for (file, format) in [("supervised-format1.json", 1), ("supervised-format2.sift", 2)] {
        let bytes = std::fs::read(dir().join(file)).unwrap();
        let model = SupervisedModel::from_bytes(&bytes).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(model.format, format, "{file}");
        // Saved again, it is a current-format file with the same model.
        let again = SupervisedModel::from_bytes(&model.to_bytes()).unwrap();
        assert_eq!(again, SupervisedModel { format: SUPERVISED_FORMAT, ..model.clone() });
        let actual = summaries(model);
        if std::env::var_os("UPDATE_EXPECT").is_some() {
            std::fs::write(&path, &actual).unwrap();
        }
        assert_eq!(actual, std::fs::read_to_string(&path).unwrap(), "{file}");
    }
    assert_eq!(SUPERVISED_FORMAT, 2, "a new supervised format needs its fixture here");
}
