//! Snapshot tests (insta) of every subcommand's output in each format, on
//! the sample article shipped in `datasets/samples` and small inputs written
//! here. A change of output shows up as a snapshot diff to review; after a
//! deliberate change, `INSTA_UPDATE=always cargo test -p sift-cli --test
//! snapshots` rewrites them (retraining the default model changes the
//! `label`, `inspect` and `eval` snapshots).

use std::path::PathBuf;
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Runs sift in the workspace root; returns stdout, asserting success and
/// an empty stderr.
fn run(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_sift"))
        .current_dir(root())
        .env_remove("NO_COLOR")
        .args(args)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "sift {args:?} failed: {stderr}");
    assert!(stderr.is_empty(), "sift {args:?} wrote to stderr: {stderr}");
    String::from_utf8(out.stdout).unwrap()
}

const SAMPLE: &str = "datasets/samples/chip-export-curbs.txt";

fn settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_prepend_module_to_snapshot(false);
    s.set_snapshot_path(root().join("crates/cli/tests/snapshots"));
    s
}

macro_rules! snap {
    ($name:expr, $value:expr) => {
        settings().bind(|| insta::assert_snapshot!($name, $value))
    };
}

#[test]
fn label_text() {
    snap!("label_text", run(&["label", SAMPLE]));
}

#[test]
fn label_html() {
    snap!("label_html", run(&["label", SAMPLE, "--format", "html", "--explain", "3"]));
}

#[test]
fn label_json() {
    let out = run(&["label", SAMPLE, "--format", "json", "--explain", "2"]);
    // The documented shape, then the exact bytes.
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["source"], SAMPLE);
    let text = std::fs::read_to_string(root().join(SAMPLE)).unwrap();
    for p in v["paragraphs"].as_array().unwrap() {
        let (s, e) = (p["start"].as_u64().unwrap() as usize, p["end"].as_u64().unwrap() as usize);
        assert_eq!(p["text"], &text[s..e], "offsets point at the paragraph");
        for t in p["top_terms"].as_array().unwrap() {
            assert!(t["weight"].as_f64().unwrap() > 0.0);
            assert!(
                p["labels"].as_array().unwrap().contains(&t["label"])
                    || p["labels"] == serde_json::json!([])
            );
        }
    }
    snap!("label_json", out);
}

#[test]
fn label_jsonl_and_csv() {
    snap!("label_jsonl", run(&["label", SAMPLE, "--format", "jsonl", "--explain", "1"]));
    snap!("label_csv", run(&["label", SAMPLE, "--format", "csv", "--explain", "2"]));
}

/// Two JSON Lines records in `dir` (ids "a1" and 7, text in "body"): one on
/// trade, one on a data breach. Returns the file's path.
fn two_records(dir: &std::path::Path) -> String {
    let input = dir.join("records.jsonl");
    std::fs::write(
        &input,
        concat!(
            r#"{"id": "a1", "body": "The trade ministry raised tariffs on imported steel to 25 percent.\n\nExporters said they would lose orders."}"#,
            "\n",
            r#"{"id": 7, "body": "Hackers stole the names and card numbers of 40,000 customers from the retailer's website."}"#,
            "\n"
        ),
    )
    .unwrap();
    input.display().to_string()
}

#[test]
fn label_batch_of_records() {
    let dir = tempfile::tempdir().unwrap();
    let path = two_records(dir.path());
    let args = ["label", "--jsonl", &path, "--text-field", "body", "--id-field", "id"];
    let jsonl = run(&[&args[..], &["--format", "jsonl", "--explain", "0"]].concat());
    let ids: Vec<serde_json::Value> = jsonl
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["source"].clone())
        .collect();
    assert_eq!(ids, [serde_json::json!("a1"), serde_json::json!(7)], "input order, ids kept");
    snap!("label_batch_jsonl", jsonl);
    snap!("label_batch_text", run(&[&args[..], &["--explain", "2"]].concat()));
    let json = run(&[&args[..], &["--format", "json", "--explain", "0"]].concat());
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&json).unwrap().as_array().unwrap().len(),
        2
    );
}

/// `--only`: the unfiltered output's articles and paragraphs that have one
/// of the themes, paragraphs keeping their index, in every format.
#[test]
fn label_only_some_themes() {
    let json = |args: &[&str]| -> serde_json::Value {
        serde_json::from_str(&run(&[&["label", SAMPLE, "--format", "json"], args].concat()))
            .unwrap()
    };
    let all = json(&[]);
    for theme in ["espionage", "data_breach", "trade_policy"] {
        let mut expected = all.clone();
        let kept: Vec<serde_json::Value> = all["paragraphs"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["labels"].as_array().unwrap().iter().any(|l| l == theme))
            .cloned()
            .collect();
        assert!(!kept.is_empty() && kept.len() < 6, "{theme}: the sample has some");
        expected["paragraphs"] = serde_json::Value::Array(kept);
        assert_eq!(json(&["--only", theme]), expected, "{theme}");
    }
    let two = json(&["--only", "data_breach", "--only", "espionage"]);
    let indices: Vec<u64> = two["paragraphs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["index"].as_u64().unwrap())
        .collect();
    assert_eq!(json(&["--only", "espionage,data_breach"]), two, "repeated = comma-separated");
    let csv = run(&["label", SAMPLE, "--format", "csv", "--only", "data_breach,espionage"]);
    let rows: Vec<u64> =
        csv.lines().skip(1).map(|r| r.split(',').nth(1).unwrap().parse().unwrap()).collect();
    assert_eq!(rows, indices, "CSV rows are the same paragraphs");
    snap!("label_only_text", run(&["label", SAMPLE, "--only", "espionage", "--explain", "2"]));
    // An article without the theme is left out altogether.
    let dir = tempfile::tempdir().unwrap();
    let path = two_records(dir.path());
    let ids = |only: &str, format: &str| -> String {
        let out = run(&[
            "label",
            "--jsonl",
            &path,
            "--text-field",
            "body",
            "--format",
            format,
            "--only",
            only,
        ]);
        match format {
            "jsonl" => out
                .lines()
                .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["source"].clone())
                .map(|v| v.to_string())
                .collect::<Vec<_>>()
                .join(" "),
            _ => out,
        }
    };
    assert_eq!(ids("data_breach", "jsonl"), "7");
    assert_eq!(ids("trade_policy", "jsonl"), "\"a1\"");
    assert_eq!(ids("trade_policy,data_breach", "jsonl"), "\"a1\" 7");
    assert_eq!(ids("espionage", "jsonl"), "");
    assert_eq!(ids("espionage", "json"), "[]\n", "still a JSON array");
    assert_eq!(ids("espionage", "text"), "");
    let header = "source,paragraph,start,end,labels,p_data_breach,p_espionage,p_other,\
                  p_trade_policy,top_terms\n";
    assert_eq!(ids("espionage", "csv"), header, "still a CSV header");
    // A single file's JSON object, left out: null.
    let text = dir.path().join("cup.txt");
    std::fs::write(&text, "The team won the cup final on Sunday with two late goals.\n").unwrap();
    let text = text.display().to_string();
    assert_eq!(run(&["label", &text, "--format", "json", "--only", "espionage"]), "null\n");
    let kept = run(&["label", &text, "--format", "json", "--only", "other"]);
    assert_eq!(serde_json::from_str::<serde_json::Value>(&kept).unwrap()["labels"][0], "other");
}

#[test]
fn label_colour_only_when_asked() {
    let plain = run(&["label", SAMPLE]);
    assert!(!plain.contains('\x1b'), "no colour when stdout is not a terminal");
    let coloured = run(&["label", SAMPLE, "--color", "always"]);
    assert!(coloured.contains("\x1b["));
    let stripped: String = {
        let mut out = String::new();
        let mut it = coloured.chars().peekable();
        while let Some(c) = it.next() {
            if c == '\x1b' {
                for d in it.by_ref() {
                    if d == 'm' {
                        break;
                    }
                }
            } else {
                out.push(c);
            }
        }
        out
    };
    assert_eq!(stripped, plain, "colour changes nothing but colour");
}

#[test]
fn inspect_default_model() {
    snap!("inspect_text", run(&["inspect", "--top", "8"]));
    let json = run(&["inspect", "--top", "3", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["labels"].as_array().unwrap().len(), 4);
    assert_eq!(v["metadata"]["params"]["none_label"], "other");
    snap!("inspect_json", json);
}

#[test]
fn summarize_formats_and_theme() {
    snap!("summarize_text", run(&["summarize", SAMPLE]));
    snap!("summarize_json", run(&["summarize", SAMPLE, "--format", "json", "--sentences", "2"]));
    let focused = run(&["summarize", SAMPLE, "--theme", "data_breach", "--sentences", "1"]);
    assert!(focused.contains("stolen the names"), "{focused}");
    snap!("summarize_theme", focused);
}

/// `summarize --jsonl`: records summarized in parallel batches, written in
/// input order, each the same summary as the article alone gives.
#[test]
fn summarize_batch_of_records() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("records.jsonl");
    let article = std::fs::read_to_string(root().join(SAMPLE)).unwrap();
    let records = [
        serde_json::json!({"id": "chip", "body": article}),
        serde_json::json!({"id": 7, "body": "Hackers stole the names of 40,000 customers. The retailer said card numbers were safe. Police are investigating."}),
        serde_json::json!({"body": ""}),
    ];
    let lines: Vec<String> = records.iter().map(|r| r.to_string()).collect();
    std::fs::write(&input, lines.join("\n") + "\n").unwrap();
    let path = input.display().to_string();
    let args = ["summarize", "--jsonl", &path, "--text-field", "body", "--sentences", "2"];
    let jsonl = run(&[&args[..], &["--format", "jsonl"]].concat());
    let docs: Vec<serde_json::Value> =
        jsonl.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(docs.len(), 3);
    assert_eq!(docs[0]["source"], "chip");
    assert_eq!(docs[1]["source"], 7);
    assert_eq!(docs[2]["source"], format!("{path}:3"), "no id: FILE:LINE");
    assert_eq!(docs[2]["sentences"], serde_json::json!([]), "an empty record has no summary");
    // The record's summary is the file's summary, offsets included.
    let alone: serde_json::Value =
        serde_json::from_str(&run(&["summarize", SAMPLE, "--format", "json", "--sentences", "2"]))
            .unwrap();
    assert_eq!(docs[0]["sentences"], alone["sentences"]);
    assert_eq!(docs[0]["title"], alone["title"]);
    // Batch size and thread count change nothing.
    for extra in [&["--batch", "1"][..], &["--threads", "1"][..]] {
        let again = if extra[0] == "--threads" {
            run(&[extra, &args[..], &["--format", "jsonl"]].concat())
        } else {
            run(&[&args[..], extra, &["--format", "jsonl"]].concat())
        };
        assert_eq!(again, jsonl, "{extra:?}");
    }
    let text = run(&args);
    snap!("summarize_batch_text", text.replace(&path, "records.jsonl"));
}

#[test]
fn eval_default_model_with_report() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("labelled.jsonl");
    let rows = [
        ("Customs will charge a new 15 percent duty on imported cars from July.", "trade_policy"),
        (
            "The two countries signed a free trade agreement removing tariffs on wine.",
            "trade_policy",
        ),
        (
            "Prosecutors say the engineer sold missile designs to a foreign intelligence officer.",
            "espionage",
        ),
        ("The embassy's military attache was expelled for spying on a naval base.", "espionage"),
        ("A misconfigured server exposed the medical records of 80,000 patients.", "data_breach"),
        (
            "Hackers stole customers' passwords and card numbers from the online shop.",
            "data_breach",
        ),
        ("The striker scored twice as the home side won the cup final.", "other"),
        ("Heavy snow closed schools and roads across the north on Monday.", "other"),
    ];
    let body: String = rows
        .iter()
        .map(|(t, l)| serde_json::json!({"text": t, "label": l}).to_string() + "\n")
        .collect();
    std::fs::write(&data, body).unwrap();
    let data = data.display().to_string();
    let report = dir.path().join("report.html");
    let text = run(&["eval", "--data", &data, "--report", &report.display().to_string()]);
    snap!("eval_text", text);
    snap!("eval_json", run(&["eval", "--data", &data, "--format", "json"]));
    let page = std::fs::read_to_string(&report).unwrap();
    assert!(page.contains("<svg") && page.contains("Confusion matrix"));
}

#[test]
fn tokens_and_sentences() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("short.txt");
    std::fs::write(&f, "Export curbs\n\nThe U.S. tightened rules on chips. Officials said so.")
        .unwrap();
    let f = f.display().to_string();
    let strip = |s: String| s.replace(&f, "short.txt");
    snap!("tokens_text", strip(run(&["tokens", &f])));
    snap!("tokens_json", strip(run(&["tokens", &f, "--format", "json", "--stem", "english"])));
    snap!("sentences_text", strip(run(&["sentences", &f])));
    snap!("sentences_json", strip(run(&["sentences", &f, "--format", "json"])));
}

/// Train a model and a summarizer in a scratch folder (relative paths, so
/// the output does not depend on where the folder is), and vectorize.
#[test]
fn train_train_summarizer_and_vectorize() {
    let dir = tempfile::tempdir().unwrap();
    let sift_in = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_sift"))
            .current_dir(dir.path())
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    // Each class shares a few words, so min_df 2 keeps real terms.
    let mut rows = String::new();
    for (a, b) in [
        ("Steel tariffs rose in the trade dispute", "Hackers stole customer data records"),
        ("The trade deal cut tariffs on wine", "Patient data was stolen from a database"),
        (
            "Tariffs on imported cars were lifted by the trade minister",
            "Passwords leaked in a data breach",
        ),
        ("Exporters need licences as trade tariffs bite", "Card numbers were stolen in a breach"),
    ] {
        rows += &format!("{{\"text\": \"{a}\", \"label\": \"trade\"}}\n");
        rows += &format!("{{\"text\": \"{b}\", \"label\": \"breach\"}}\n");
    }
    std::fs::write(dir.path().join("train.jsonl"), &rows).unwrap();
    snap!(
        "train_text",
        sift_in(&["--quiet", "train", "--data", "train.jsonl", "--out", "m.sift", "--folds", "2"])
    );
    // A single-label model's report scores its probabilities too.
    snap!(
        "eval_single_label_text",
        sift_in(&["--quiet", "eval", "--model", "m.sift", "--data", "train.jsonl"])
    );
    let pairs = concat!(
        r#"{"article": "Tariffs rise\n\nThe government raised steel tariffs. Importers complained. Prices rose.", "summary": "The government raised steel tariffs."}"#,
        "\n",
        r#"{"article": "Data stolen\n\nHackers stole customer data. The firm apologised. Shares fell.", "summary": "Hackers stole customer data."}"#,
        "\n"
    );
    std::fs::write(dir.path().join("pairs.jsonl"), pairs).unwrap();
    snap!(
        "train_summarizer_text",
        sift_in(&["train-summarizer", "--data", "pairs.jsonl", "--out", "summarizer.sift"])
    );
    // The model summarizes, and inspect shows its weights.
    let summary = sift_in(&[
        "summarize",
        "--algorithm",
        "supervised",
        "--summarizer-model",
        "summarizer.sift",
        "--sentences",
        "1",
        "--format",
        "jsonl",
        "--jsonl",
        "pairs.jsonl",
        "--text-field",
        "article",
    ]);
    let picked: Vec<String> = summary
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            assert_eq!(v["sentences"].as_array().unwrap().len(), 1, "{l}");
            v["sentences"][0]["text"].as_str().unwrap().to_string()
        })
        .collect();
    assert_eq!(picked, ["The government raised steel tariffs.", "Hackers stole customer data."]);
    let shown = sift_in(&["inspect", "summarizer.sift"]);
    assert!(shown.starts_with("summarizer   summarizer.sift ("), "{shown}");
    assert!(shown.contains("trained on   2 article and summary pairs"), "{shown}");
    assert_eq!(shown.lines().filter(|l| l.split_whitespace().count() == 4).count(), 11, "{shown}");
    let json: serde_json::Value =
        serde_json::from_str(&sift_in(&["inspect", "summarizer.sift", "--format", "json"]))
            .unwrap();
    assert_eq!(json["model"]["format"], 2);
    assert_eq!(json["model"]["weights"].as_array().unwrap().len(), 10);
    sift_in(&[
        "vectorize",
        "--input",
        "train.jsonl",
        "--out",
        "x.mtx",
        "--vocab-out",
        "vocab.txt",
        "--min-df",
        "2",
    ]);
    let mtx = std::fs::read_to_string(dir.path().join("x.mtx")).unwrap();
    let vocab = std::fs::read_to_string(dir.path().join("vocab.txt")).unwrap();
    snap!("vectorize_mtx", mtx);
    snap!("vectorize_vocab", vocab);
}

/// `sift generate`: completion scripts know every subcommand and their
/// flags (bash's parses), and the manual pages cover each subcommand.
#[test]
fn generate_completions_and_manual_pages() {
    let help = run(&["--help"]);
    let subcommands: Vec<&str> = help
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|&s| s != "help")
        .collect();
    assert!(subcommands.len() >= 10 && subcommands.contains(&"generate"), "{subcommands:?}");
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let script = run(&["generate", shell]);
        for needle in subcommands.iter().copied().chain(["only", "save-vectorizer"]) {
            assert!(script.contains(needle), "{shell}: no {needle}");
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let bash = dir.path().join("sift.bash");
    std::fs::write(&bash, run(&["generate", "bash"])).unwrap();
    let syntax = Command::new("bash").arg("-n").arg(&bash).output().unwrap();
    assert!(syntax.status.success(), "{}", String::from_utf8_lossy(&syntax.stderr));

    let out_dir = dir.path().join("man");
    std::fs::create_dir(&out_dir).unwrap();
    let out_dir = out_dir.display().to_string();
    assert_eq!(run(&["generate", "man", "--out-dir", &out_dir]), "");
    let mut names: Vec<String> = std::fs::read_dir(&out_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    let mut expected: Vec<String> =
        subcommands.iter().map(|s| format!("sift-{s}.1")).chain(["sift.1".into()]).collect();
    expected.sort();
    assert_eq!(names, expected);
    let version = format!("\"sift {}\"", env!("CARGO_PKG_VERSION"));
    for name in &names {
        let page = std::fs::read_to_string(format!("{out_dir}/{name}")).unwrap();
        let title = format!(".TH {} 1 ", name.trim_end_matches(".1"));
        assert!(page.lines().any(|l| l.starts_with(&title) && l.contains(&version)), "{name}");
    }
    let label = std::fs::read_to_string(format!("{out_dir}/sift-label.1")).unwrap();
    assert!(label.contains("\\fB\\-\\-only\\fR") && label.contains("sift label"));
    assert_eq!(
        run(&["generate", "man"]),
        std::fs::read_to_string(format!("{out_dir}/sift.1")).unwrap(),
        "stdout gets the top page"
    );
}
