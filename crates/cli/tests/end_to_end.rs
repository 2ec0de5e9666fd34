//! The whole loop an analyst runs: train a theme model on a small labelled
//! set, evaluate it on paragraphs it did not see, label an article with it,
//! summarize the article with a theme focus, retrain from the model's own
//! settings (`--base`), and get the same model bytes again.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn sift(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_sift")).args(args).output().unwrap();
    assert!(out.status.success(), "sift {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// Lines `range` of each theme file of `datasets/themes`, as one JSONL file.
fn slice(dir: &Path, name: &str, range: std::ops::Range<usize>) -> String {
    let mut out = String::new();
    for f in ["espionage", "trade_policy", "data_breach", "other", "mixed"] {
        let text =
            std::fs::read_to_string(root().join(format!("datasets/themes/{f}.jsonl"))).unwrap();
        for l in text.lines().skip(range.start).take(range.len()) {
            out += l;
            out.push('\n');
        }
    }
    let p = dir.join(name);
    std::fs::write(&p, out).unwrap();
    p.display().to_string()
}

#[test]
fn train_eval_label_summarize() {
    let dir = tempfile::tempdir().unwrap();
    let train = slice(dir.path(), "train.jsonl", 0..70);
    let test = slice(dir.path(), "test.jsonl", 100..140);
    let model = dir.path().join("themes.sift").display().to_string();

    let said = sift(&[
        "--quiet",
        "train",
        "--data",
        &train,
        "--out",
        &model,
        "--multi-label",
        "--none-label",
        "other",
        "--label-field",
        "labels",
    ]);
    assert!(said.contains("multi-label") && said.contains("4 labels"), "{said}");

    // Paragraphs the model never saw.
    let eval = |extra: &[&str]| -> String {
        let mut args = vec!["--quiet", "eval", "--model", &model, "--data", &test];
        args.extend(["--label-field", "labels"]);
        args.extend_from_slice(extra);
        sift(&args)
    };
    let eval_json = |extra: &[&str]| -> serde_json::Value {
        serde_json::from_str(&eval(&[extra, &["--format", "json"]].concat())).unwrap()
    };
    let report = eval_json(&[]);
    let micro = report["micro_f1"].as_f64().unwrap();
    assert!(micro > 0.7, "micro-F1 {micro} on held-out paragraphs");
    for l in report["per_label"].as_array().unwrap() {
        assert!(l["f1"].as_f64().unwrap() > 0.5, "{l}");
    }
    // Cross-validation of the model's settings on the test slice: every
    // example scored once, by a model trained on the other folds.
    let cv = eval_json(&["--folds", "3"]);
    assert_eq!(cv["n"], report["n"], "{cv}");
    assert!(cv["micro_f1"].as_f64().unwrap() > 0.3, "{cv}");
    assert_ne!(cv["micro_f1"], report["micro_f1"], "not the model's own score");
    // Repeated: the first repeat is the cross-validation above (the model's
    // seed, 42 by default), the next uses seed 43; the report pools both.
    let rep = eval_json(&["--folds", "3", "--repeats", "2"]);
    let runs = rep["repeats"]["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 2, "{rep}");
    assert_eq!((&runs[0]["seed"], &runs[1]["seed"]), (&42.into(), &43.into()));
    assert_eq!(runs[0]["micro_f1"], cv["micro_f1"], "{rep}");
    assert_eq!(rep["n"].as_u64().unwrap(), 2 * cv["n"].as_u64().unwrap());
    let spread = &rep["repeats"]["spread"]["micro_f1"];
    let (a, b) = (runs[0]["micro_f1"].as_f64().unwrap(), runs[1]["micro_f1"].as_f64().unwrap());
    assert_eq!(spread["min"].as_f64().unwrap(), a.min(b), "{spread}");
    assert!((spread["mean"].as_f64().unwrap() - (a + b) / 2.0).abs() < 1e-12, "{spread}");
    // The misclassified examples: as many as the report's subset accuracy
    // leaves, the first three listed, each with other labels than its own.
    let errors = eval_json(&["--errors", "3"]);
    let n = report["n"].as_u64().unwrap();
    let exact = (report["accuracy"].as_f64().unwrap() * n as f64).round() as u64;
    assert_eq!(errors["misclassified"].as_u64().unwrap(), n - exact, "{errors}");
    assert!(n > exact, "some paragraphs are missed: {report}");
    let listed = errors["errors"].as_array().unwrap();
    assert_eq!(listed.len() as u64, (n - exact).min(3));
    let test_lines: Vec<serde_json::Value> = std::fs::read_to_string(&test)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let mut last = 0;
    for e in listed {
        let k = e["example"].as_u64().unwrap();
        assert!(k > last, "in data order: {e}");
        last = k;
        let source = &test_lines[k as usize - 1];
        assert_eq!(e["truth"], source["labels"], "{e}");
        assert_ne!(e["predicted"], e["truth"], "{e}");
        let words: Vec<&str> = source["text"].as_str().unwrap().split_whitespace().collect();
        let snippet = e["text"].as_str().unwrap();
        assert!(words.join(" ").starts_with(snippet) && snippet.chars().count() > 20, "{e}");
    }
    // Out of fold: every miss listed, each counted in the repeats it was
    // wrong in, the most often wrong first; together they are the pooled
    // report's misses.
    let oof = eval_json(&["--folds", "3", "--repeats", "2", "--errors", "1000"]);
    let pooled = oof["n"].as_u64().unwrap();
    let right = (oof["accuracy"].as_f64().unwrap() * pooled as f64).round() as u64;
    let listed = oof["errors"].as_array().unwrap();
    assert_eq!(oof["misclassified"].as_u64().unwrap(), listed.len() as u64);
    let wrong_in: Vec<u64> = listed.iter().map(|e| e["wrong_in"].as_u64().unwrap()).collect();
    assert_eq!(wrong_in.iter().sum::<u64>(), pooled - right, "{oof}");
    assert!(
        wrong_in.windows(2).all(|w| w[0] >= w[1]) && wrong_in.iter().all(|w| (1..=2).contains(w))
    );
    for e in listed {
        let k = e["example"].as_u64().unwrap() as usize;
        assert_eq!(e["truth"], test_lines[k - 1]["labels"], "{e}");
        assert_ne!(e["predicted"], e["truth"], "{e}");
    }
    let text = eval(&["--folds", "3", "--errors", "2"]);
    let once = eval_json(&["--folds", "3", "--errors", "2"]);
    let head = format!(
        "misclassified out of fold: {} of {n} (the first 2,",
        once["misclassified"].as_u64().unwrap()
    );
    assert!(text.contains(&head), "{text}");
    assert!(once["errors"][0]["wrong_in"] == 1 && !text.contains("wrong in"), "{once}");
    let text = eval(&["--errors", "1"]);
    assert!(text.contains(&format!("misclassified: {} of {n}", n - exact)), "{text}");
    let text = eval(&["--folds", "3", "--repeats", "2"]);
    let head = "2 repeats of 3-fold cross-validation (seeds 42 to 43); over the repeats:";
    assert!(text.starts_with(head), "{text}");
    let line = text.lines().find(|l| l.trim_start().starts_with("micro-F1")).unwrap();
    let lowest = format!("lowest {:.4}", a.min(b));
    assert!(line.contains(&lowest), "{line}");
    assert!(text.contains(&format!("pooled (2 predictions of each example):\nexamples {}", 2 * n)));

    // Label the sample article with the new model.
    let sample = root().join("datasets/samples/chip-export-curbs.txt").display().to_string();
    let labelled: serde_json::Value =
        serde_json::from_str(&sift(&["label", &sample, "--model", &model, "--format", "json"]))
            .unwrap();
    let paragraphs = labelled["paragraphs"].as_array().unwrap();
    assert_eq!(paragraphs.len(), 6);
    let breach = &paragraphs[4];
    assert_eq!(breach["labels"], serde_json::json!(["data_breach"]), "{breach}");
    let trade = &paragraphs[1];
    assert!(trade["labels"].as_array().unwrap().contains(&"trade_policy".into()), "{trade}");
    for p in paragraphs {
        let labels = p["labels"].as_array().unwrap();
        assert!(!labels.is_empty(), "the none label fills in when no theme is chosen");
        assert!(
            labels.len() == 1 || !labels.contains(&"other".into()),
            "other never comes with a theme: {labels:?}"
        );
    }

    // A theme-focused summary from the same model picks the breach sentence.
    let summary = sift(&[
        "summarize",
        &sample,
        "--theme",
        "data_breach",
        "--model",
        &model,
        "--sentences",
        "1",
    ]);
    assert!(summary.contains("stolen the names"), "{summary}");

    // Retraining from the model's settings gives the same bytes.
    let again = dir.path().join("again.sift").display().to_string();
    sift(&[
        "--quiet",
        "train",
        "--data",
        &train,
        "--out",
        &again,
        "--base",
        &model,
        "--label-field",
        "labels",
    ]);
    assert_eq!(std::fs::read(&model).unwrap(), std::fs::read(&again).unwrap());
}

/// The learner and weighting flags of `sift train` reach the model: the
/// like-for-like scikit-learn pipeline (TfidfVectorizer(sublinear_tf=True,
/// min_df=2) + LinearSVC()) is expressible with flags alone, and the
/// model records it.
#[test]
fn training_flags_are_recorded_in_the_model() {
    let dir = tempfile::tempdir().unwrap();
    let train = slice(dir.path(), "train.jsonl", 0..40);
    let model = dir.path().join("plain.sift").display().to_string();
    let flags = [
        "--quiet",
        "train",
        "--data",
        &train,
        "--out",
        &model,
        "--label-field",
        "labels",
        "--multi-label",
        "--tokenizer",
        "sklearn",
        "--ngram-range",
        "1,1",
        "--min-df",
        "2",
        "--max-df",
        "0.9",
        "--max-features",
        "500",
        "--no-sublinear-tf",
        "--algorithm",
        "svm",
        "--nb-scaling",
        "off",
        "--loss",
        "hinge",
        "--tol",
        "0.0001",
        "--relaxation",
        "1.25",
        "--folds",
        "0",
    ];
    sift(&flags);
    let info: serde_json::Value =
        serde_json::from_str(&sift(&["inspect", &model, "--format", "json"])).unwrap();
    let p = &info["metadata"]["params"];
    assert_eq!(p["svm"]["nb_alpha"], serde_json::Value::Null, "{p}");
    assert_eq!(p["svm"]["tol"], 0.0001);
    assert_eq!(p["svm"]["loss"], "hinge");
    assert_eq!(p["svm"]["relaxation"], 1.25);
    assert_eq!(p["vectorizer"]["sublinear_tf"], false);
    assert_eq!(p["vectorizer"]["max_features"], 500);
    assert!(info["features"].as_u64().unwrap() <= 500, "{}", info["features"]);
    assert!(p["vectorizer"]["max_df"].to_string().contains("0.9"), "{}", p["vectorizer"]);
    assert_eq!(info["calibration"], serde_json::Value::Null, "--folds 0: no calibration");

    // The default keeps sublinear tf and naive-Bayes scaling; the flags turn
    // them back on over a base model's settings.
    let again = dir.path().join("again.sift").display().to_string();
    sift(&[
        "--quiet",
        "train",
        "--data",
        &train,
        "--out",
        &again,
        "--label-field",
        "labels",
        "--base",
        &model,
        "--sublinear-tf",
        "--nb-scaling",
        "0.25",
        "--folds",
        "3",
        "--calibration",
        "isotonic",
    ]);
    let info: serde_json::Value =
        serde_json::from_str(&sift(&["inspect", &again, "--format", "json"])).unwrap();
    let q = &info["metadata"]["params"];
    assert_eq!(q["vectorizer"]["sublinear_tf"], true);
    assert_eq!(q["svm"]["nb_alpha"], 0.25);
    assert_eq!(q["svm"]["tol"], 0.0001, "the rest comes from the base model");
    assert_eq!(q["svm"]["relaxation"], 1.25);
    assert_eq!((&q["calibration"], &info["calibration"]), (&"isotonic".into(), &"isotonic".into()));
    let text = sift(&["inspect", &again]);
    assert!(
        text.contains("calibration  isotonic, fitted on out-of-fold scores (3 folds)"),
        "{text}"
    );
}

/// Files saved by Notepad or exported by Excel start with a byte-order mark:
/// JSON Lines readers skip it, and text spans start after it (their offsets
/// still count its three bytes, as in the file).
#[test]
fn files_that_start_with_a_byte_order_mark() {
    let dir = tempfile::tempdir().unwrap();
    let bom = "\u{FEFF}";
    let text = dir.path().join("a.txt");
    std::fs::write(&text, format!("{bom}Hackers stole card numbers.\r\n\r\nTariffs rose.\r\n"))
        .unwrap();
    let out: serde_json::Value =
        serde_json::from_str(&sift(&["label", "--format", "json", text.to_str().unwrap()]))
            .unwrap();
    let first = &out["paragraphs"][0];
    assert_eq!(
        (&first["start"], &first["text"]),
        (&3.into(), &"Hackers stole card numbers.".into())
    );

    let jsonl = dir.path().join("a.jsonl");
    std::fs::write(&jsonl, format!("{bom}{{\"text\": \"Tariffs rose.\", \"label\": \"t\"}}\n"))
        .unwrap();
    let out = sift(&["label", "--jsonl", "--format", "jsonl", jsonl.to_str().unwrap()]);
    assert_eq!(out.lines().count(), 1, "{out}");
    let mtx = dir.path().join("x.mtx").display().to_string();
    let vocab = dir.path().join("v.txt").display().to_string();
    sift(&["vectorize", "--input", jsonl.to_str().unwrap(), "--out", &mtx, "--vocab-out", &vocab]);
    assert_eq!(std::fs::read_to_string(&vocab).unwrap(), "rose\ntariffs\n");
}

/// `label --only` on 614 real incident reports (the CFR cyber operations
/// tracker in ../shared/data): exactly the unfiltered run's records that
/// have the theme, as a whole or in a paragraph, with exactly their
/// paragraphs that have it; the text report says when only the whole
/// article has it.
#[test]
fn label_only_keeps_the_articles_and_paragraphs_with_the_theme() {
    let data = root().join("../shared/data/cfr-cyber-operations/incidents.jsonl.gz");
    let data = data.display().to_string();
    let records = |extra: &[&str]| -> Vec<serde_json::Value> {
        let args = [&["label", "--jsonl", &data, "--format", "jsonl", "--explain", "0"], extra];
        sift(&args.concat()).lines().map(|l| serde_json::from_str(l).unwrap()).collect()
    };
    let all = records(&[]);
    assert_eq!(all.len(), 614);
    let has =
        |v: &serde_json::Value| v["labels"].as_array().unwrap().iter().any(|l| l == "espionage");
    let expected: Vec<serde_json::Value> = all
        .iter()
        .filter_map(|r| {
            let mut r = r.clone();
            let kept: Vec<serde_json::Value> =
                r["paragraphs"].as_array().unwrap().iter().filter(|p| has(p)).cloned().collect();
            let keep = has(&r) || !kept.is_empty();
            r["paragraphs"] = serde_json::Value::Array(kept);
            keep.then_some(r)
        })
        .collect();
    let only = records(&["--only", "espionage"]);
    assert!(only.len() > 50 && only.len() < 614, "{} records", only.len());
    let sources = |v: &[serde_json::Value]| -> Vec<String> {
        v.iter().map(|r| r["source"].to_string()).collect()
    };
    assert_eq!(sources(&only), sources(&expected), "the same records");
    for (got, want) in only.iter().zip(&expected) {
        assert!(got == want, "{}: not the expected paragraphs", got["source"]);
    }
    let whole_only = only.iter().filter(|r| r["paragraphs"] == serde_json::json!([])).count();
    assert!(whole_only > 0, "some reports have the theme as a whole only");
    let text = sift(&["label", "--jsonl", &data, "--only", "espionage", "--explain", "0"]);
    assert_eq!(text.matches("(no paragraph has these themes on its own").count(), whole_only);
}
