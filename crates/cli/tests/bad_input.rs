//! Bad input: every case gets one line on stderr that names the file (and
//! line, or byte offset) and what was expected, the documented exit code, and
//! never a panic or a half-written output file.

use std::io::{Read, Write};
use std::process::{Command, Stdio};

fn sift() -> Command {
    Command::new(env!("CARGO_BIN_EXE_sift"))
}

struct Outcome {
    code: i32,
    stdout: String,
    stderr: String,
}

fn outcome(out: std::process::Output) -> Outcome {
    Outcome {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn run(args: &[&str]) -> Outcome {
    outcome(sift().args(args).output().unwrap())
}

/// [`run`] with `input` on stdin.
fn run_with_stdin(args: &[&str], input: &[u8]) -> Outcome {
    let mut child = sift()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    outcome(child.wait_with_output().unwrap())
}

/// Exit `code` with exactly one line on stderr containing every `needle`.
fn assert_fails(o: &Outcome, code: i32, needles: &[&str]) {
    assert_eq!(o.code, code, "stderr: {}", o.stderr);
    assert_eq!(o.stderr.lines().count(), 1, "one line: {:?}", o.stderr);
    assert!(o.stderr.starts_with("sift: error: "), "{}", o.stderr);
    for n in needles {
        assert!(o.stderr.contains(n), "{n:?} not in {:?}", o.stderr);
    }
    assert!(!o.stderr.contains("panicked"));
}

/// JSON Lines training data: `n` examples of a "trade" and a "sport" label.
fn trade_and_sport(n: usize) -> String {
    let mut rows = String::new();
    for i in 0..n {
        rows += &format!("{{\"text\": \"steel tariffs on imports {i}\", \"label\": \"trade\"}}\n");
        rows +=
            &format!("{{\"text\": \"football goal in the match {i}\", \"label\": \"sport\"}}\n");
    }
    rows
}

fn write(dir: &tempfile::TempDir, name: &str, content: &[u8]) -> String {
    let p = dir.path().join(name);
    std::fs::write(&p, content).unwrap();
    p.display().to_string()
}

#[test]
fn missing_file_directory_and_empty_input() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope.txt").display().to_string();
    assert_fails(&run(&["label", &missing]), 3, &[&missing, "no such file"]);
    let d = dir.path().display().to_string();
    assert_fails(&run(&["label", &d]), 3, &[&d, "is a directory"]);
    let empty = write(&dir, "empty.txt", b" \n\n ");
    assert_fails(&run(&["label", &empty]), 3, &[&empty, "empty input"]);
    let no_records = write(&dir, "none.jsonl", b"");
    assert_fails(&run(&["label", "--jsonl", &no_records]), 3, &[&no_records, "no records"]);
    assert_fails(&run(&["summarize", &missing]), 3, &[&missing]);
    assert_fails(&run(&["summarize", &empty]), 3, &[&empty, "empty input"]);
}

#[test]
fn invalid_utf8_is_decoded_lossily_with_a_warning_and_offsets_into_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let bytes: &[u8] = b"Caf\xe9 owners said tariffs on imported coffee would rise.\n\n\
        Prices at the d\xe9p\xf4t rose by a fifth. Officials said exporters would pay more.";
    let f = write(&dir, "latin1.txt", bytes);
    let o = run(&["label", &f, "--format", "json"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(o.stderr.contains(&f) && o.stderr.contains("byte 3"), "{}", o.stderr);
    assert!(o.stderr.starts_with("sift: warning: "));
    // Every span printed is a span of the file on disk: the valid bytes
    // come back as they are, each bad byte as one U+001A.
    let check = |start: usize, end: usize, text: &str| {
        assert_eq!(text.len(), end - start, "{text:?}");
        for (a, b) in bytes[start..end].iter().zip(text.bytes()) {
            assert!(a == &b || (*a >= 0x80 && b == 0x1A), "{:?} vs {text:?}", &bytes[start..end]);
        }
    };
    let v: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    let paragraphs = v["paragraphs"].as_array().unwrap();
    assert_eq!(paragraphs.len(), 2, "{}", o.stdout);
    for p in paragraphs {
        let (s, e) = (p["start"].as_u64().unwrap() as usize, p["end"].as_u64().unwrap() as usize);
        check(s, e, p["text"].as_str().unwrap());
    }
    let o = run(&["summarize", &f, "--format", "json", "--sentences", "3"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let v: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    let sentences = v["sentences"].as_array().unwrap();
    assert_eq!(sentences.len(), 3, "{}", o.stdout);
    for x in sentences {
        let (s, e) = (x["start"].as_u64().unwrap() as usize, x["end"].as_u64().unwrap() as usize);
        check(s, e, x["text"].as_str().unwrap());
    }
    assert!(o.stdout.contains("d\\u001ap\\u001at"), "{}", o.stdout);
}

#[test]
fn control_characters_are_shown_not_sent_to_the_terminal_in_text_outputs() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = b"Spies \x1b[2J\x1b[31mstole\x07 secret\tfiles from the ministry.\r\n\
        Officials said the breach began in May.\n";
    let f = write(&dir, "esc.txt", bytes);
    for args in [
        vec!["label", &f[..]],
        vec!["summarize", &f[..], "--sentences", "2"],
        vec!["sentences", &f[..]],
    ] {
        let o = run(&args);
        assert_eq!(o.code, 0, "{args:?}: {}", o.stderr);
        assert!(!o.stdout.contains('\x1b') && !o.stdout.contains('\x07'), "{:?}", o.stdout);
        assert!(o.stdout.contains("Spies ␛[2J␛[31mstole␇ secret"), "{args:?}: {}", o.stdout);
        assert!(!o.stdout.contains('\r'), "{:?}", o.stdout);
    }
    // Structured outputs keep the exact text, escaped.
    let o = run(&["summarize", &f, "--format", "json"]);
    assert!(
        o.stdout.contains("Spies \\u001b[2J\\u001b[31mstole\\u0007 secret\\tfiles"),
        "{}",
        o.stdout
    );
}

#[test]
fn bad_records_name_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(&dir, "r.jsonl", b"{\"text\": \"ok\"}\n{\"text\": 3}\n");
    assert_fails(&run(&["label", "--jsonl", &f]), 3, &[&format!("{f}:2"), "expected a string"]);
    let f = write(&dir, "r2.jsonl", b"{\"text\": \"ok\"}\nnot json\n");
    assert_fails(&run(&["label", "--jsonl", &f]), 3, &[&format!("{f}:2"), "invalid JSON"]);
    // The output holds every record before the bad one, even within a batch.
    let mut records = String::new();
    for i in 0..5 {
        records += &format!("{{\"text\": \"Tariffs rose on steel.\", \"id\": {i}}}\n");
    }
    let f = write(&dir, "r5.jsonl", format!("{records}[]\n{records}").as_bytes());
    for cmd in ["label", "summarize"] {
        let o = run(&[cmd, "--jsonl", &f, "--format", "jsonl", "--batch", "64"]);
        assert_fails(&o, 3, &[&format!("{f}:6"), "expected a JSON object"]);
        let ids: Vec<u64> = o
            .stdout
            .lines()
            .map(|l| {
                serde_json::from_str::<serde_json::Value>(l).unwrap()["source"].as_u64().unwrap()
            })
            .collect();
        assert_eq!(ids, [0, 1, 2, 3, 4], "{cmd}");
    }
    let f = write(
        &dir,
        "r4.jsonl",
        b"{\"text\": \"ok\", \"id\": 1}\n{\"text\": \"ok\", \"id\": [2]}\n",
    );
    assert_fails(
        &run(&["summarize", "--jsonl", &f, "--id-field", "id"]),
        3,
        &[&format!("{f}:2"), "expected a string or a number"],
    );
    assert_fails(&run(&["summarize", &f, "--id-field", "id"]), 2, &["apply to --jsonl input only"]);
    let f = write(&dir, "r3.jsonl", b"{\"body\": \"ok\"}\n");
    assert_fails(
        &run(&["label", "--jsonl", &f]),
        3,
        &[&format!("{f}:1"), "missing field \"text\""],
    );
    assert_fails(
        &run(&["summarize", "--jsonl", &f]),
        3,
        &[&format!("{f}:1"), "missing field \"text\""],
    );
}

#[test]
fn skip_bad_rows_skips_malformed_records_with_one_warning() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        &dir,
        "mixed.jsonl",
        b"{\"text\": \"Hackers stole the card numbers of 40,000 customers.\"}\n\
          {\"body\": \"no text field\"}\n\
          not json\n\
          \n\
          [1, 2]\n\
          {\"text\": 7}\n\
          {\"id\": \"tariffs\", \"text\": \"The government raised tariffs on imported steel.\"}\n",
    );
    for cmd in ["label", "summarize"] {
        // Strict by default: the first bad record stops the run.
        assert_fails(
            &run(&[cmd, "--jsonl", "--format", "jsonl", &f]),
            3,
            &[&format!("{f}:2"), "missing field \"text\""],
        );
        let o = run(&[cmd, "--jsonl", "--skip-bad-rows", "--format", "jsonl", &f]);
        assert_eq!(o.code, 0, "{}", o.stderr);
        let sources: Vec<serde_json::Value> = o
            .stdout
            .lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["source"].clone())
            .collect();
        // The good records keep their own names: the line, or the id.
        assert_eq!(sources, [serde_json::json!(format!("{f}:1")), serde_json::json!("tariffs")]);
        assert_eq!(o.stderr.lines().count(), 1, "{}", o.stderr);
        assert!(
            o.stderr.starts_with(&format!(
                "sift: warning: skipped 5 malformed records in {f}, the first: {f}:2: missing field"
            )),
            "{}",
            o.stderr
        );
        // --quiet silences the warning, not the skipping.
        let q = run(&[cmd, "--jsonl", "--skip-bad-rows", "--quiet", "--format", "jsonl", &f]);
        assert_eq!((q.code, q.stdout.as_str(), q.stderr.as_str()), (0, o.stdout.as_str(), ""));
    }
    // Every record bad: the warning, then the error that there were none.
    let bad = write(&dir, "bad.jsonl", b"[]\n");
    let o = run(&["label", "--jsonl", "--skip-bad-rows", &bad]);
    assert_eq!(o.code, 3);
    assert!(o.stderr.contains("skipped 1 malformed record in"), "{}", o.stderr);
    assert!(o.stderr.contains("no records"), "{}", o.stderr);
    assert_fails(
        &run(&["label", "--skip-bad-rows", &bad]),
        2,
        &["--skip-bad-rows applies to --jsonl input only"],
    );
}

#[test]
fn usage_errors_exit_2_on_one_line() {
    let sample =
        concat!(env!("CARGO_MANIFEST_DIR"), "/../../datasets/samples/chip-export-curbs.txt");
    assert_fails(
        &run(&["label", sample, "--threshold", "1.5"]),
        2,
        &["--threshold", "between 0 and 1"],
    );
    assert_fails(&run(&["label", sample, "--threshold", "-0.2"]), 2, &["--threshold"]);
    assert_fails(&run(&["label", sample, "--format", "xml"]), 2, &["xml"]);
    assert_fails(&run(&["label", sample, "--id-field", "id"]), 2, &["--jsonl"]);
    assert_fails(&run(&["summarize", sample, "--theme", "weather"]), 2, &["weather", "espionage"]);
    assert_fails(
        &run(&["label", sample, "--only", "espionage,weather"]),
        2,
        &["--only", "'weather'", "espionage, other"],
    );
    for (flag, value, needle) in [
        ("--sentences", "0", "must be at least 1"),
        ("--words", "0", "must be at least 1"),
        ("--ratio", "1.5", "a ratio must be within 0 (excluded) and 1"),
        ("--mmr", "2", "must be within 0..=1"),
    ] {
        let o = run(&["summarize", sample, flag, value]);
        assert_fails(&o, 2, &[&format!("{flag}: {needle}")]);
    }
    assert_fails(&run(&["frobnicate"]), 2, &["frobnicate"]);
    let out = std::env::temp_dir().join("sift-never-written.sift").display().to_string();
    assert_fails(
        &run(&["train", "--data", sample, "--out", &out, "--patience", "3"]),
        2,
        &["--early-stopping"],
    );
    assert_fails(
        &run(&["train", "--data", sample, "--out", &out, "--early-stopping", "0.9"]),
        2,
        &["--early-stopping: must be a fraction in 0.05..=0.5"],
    );
    let train = |flags: &[&str]| {
        let mut args = vec!["train", "--data", sample, "--out", &out];
        args.extend_from_slice(flags);
        run(&args)
    };
    assert_fails(&train(&["--nb-scaling", "none"]), 2, &["--nb-scaling", "'none'", "off"]);
    assert_fails(&train(&["--nb-scaling=-1"]), 2, &["--nb-scaling", "positive"]);
    assert_fails(&train(&["--tol", "0"]), 2, &["--tol: must be a positive number"]);
    assert_fails(&train(&["--relaxation", "2"]), 2, &["--relaxation: must be between 0 and 2"]);
    assert_fails(&train(&["--validation", "0.95"]), 2, &["--validation: must be a fraction"]);
    assert_fails(&train(&["--folds", "1"]), 2, &["--folds: must be 0 (off) or 2 to 20"]);
    assert_fails(&train(&["--c", "0"]), 2, &["--c: must be a positive number"]);
    assert_fails(
        &train(&["--calibration", "isotonic", "--folds", "0"]),
        2,
        &["--calibration", "--folds is 0"],
    );
    assert_fails(&train(&["--calibration", "beta"]), 2, &["--calibration", "beta"]);
    // eval refuses a bad --folds before reading any data.
    for k in ["1", "21"] {
        assert_fails(
            &run(&["eval", "--data", "/nonexistent/data.jsonl", "--folds", k]),
            2,
            &["--folds: must be 2 to 20"],
        );
    }
    for r in ["0", "101"] {
        assert_fails(
            &run(&["eval", "--data", "/nonexistent/data.jsonl", "--folds", "3", "--repeats", r]),
            2,
            &["--repeats: must be 1 to 100"],
        );
    }
    assert_fails(&run(&["eval", "--data", sample, "--repeats", "3"]), 2, &["--folds"]);
    let mtx = std::env::temp_dir().join("sift-never-written.mtx").display().to_string();
    assert_fails(
        &run(&["vectorize", "--input", sample, "--out", &mtx, "--hashing", "0"]),
        2,
        &["--hashing: 0 is not within"],
    );
    assert!(!std::path::Path::new(&mtx).exists());
    assert_fails(&train(&["--max-df", "1.5"]), 2, &["--max-df", "0.0..=1.0"]);
    assert_fails(&train(&["--ngram-range", "1,9"]), 2, &["--ngram-range", "1 <= MIN <= MAX <= 8"]);
    assert_fails(&train(&["--loss", "log"]), 2, &["--loss", "log"]);
    assert!(!std::path::Path::new(&out).exists());
}

#[test]
fn corrupt_truncated_or_foreign_models_exit_4() {
    let dir = tempfile::tempdir().unwrap();
    let sample =
        concat!(env!("CARGO_MANIFEST_DIR"), "/../../datasets/samples/chip-export-curbs.txt");
    let good =
        std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../../models/themes.sift")).unwrap();
    let truncated = write(&dir, "truncated.sift", &good[..good.len() / 2]);
    assert_fails(&run(&["label", sample, "--model", &truncated]), 4, &[&truncated]);
    let mut flipped = good.clone();
    let mid = flipped.len() / 3;
    flipped[mid] ^= 0x40;
    let corrupt = write(&dir, "corrupt.sift", &flipped);
    assert_fails(&run(&["label", sample, "--model", &corrupt]), 4, &[&corrupt]);
    let foreign = write(&dir, "notes.sift", b"these are my notes, not a model");
    assert_fails(&run(&["inspect", &foreign]), 4, &[&foreign]);
    let missing = dir.path().join("gone.sift").display().to_string();
    assert_fails(&run(&["eval", "--model", &missing, "--data", sample]), 3, &[&missing]);
    // A folder is an input error (exit 3), as for every other input.
    let folder = dir.path().display().to_string();
    let expected = format!("{folder}: is a directory, expected a model file");
    assert_fails(&run(&["inspect", &folder]), 3, &[&expected]);
    assert_fails(&run(&["label", sample, "--model", &folder]), 3, &[&expected]);
    // Summarizer models: damaged, truncated or foreign files exit 4 too.
    let pairs = write(
        &dir,
        "pairs.jsonl",
        b"{\"article\": \"Tariffs rise\\n\\nSteel tariffs rose. Buyers complained.\", \
          \"summary\": \"Steel tariffs rose.\"}\n",
    );
    let summarizer = dir.path().join("s.sift").display().to_string();
    let o = run(&["train-summarizer", "--data", &pairs, "--out", &summarizer]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let good = std::fs::read(&summarizer).unwrap();
    let mut flipped = good.clone();
    let last = flipped.len() - 10;
    flipped[last] ^= 0x01;
    let summarize = |model: &str| {
        run(&["summarize", sample, "--algorithm", "supervised", "--summarizer-model", model])
    };
    let corrupt = write(&dir, "corrupt-s.sift", &flipped);
    assert_fails(&summarize(&corrupt), 4, &[&corrupt, "checksum"]);
    assert_fails(&run(&["inspect", &corrupt]), 4, &[&corrupt, "checksum"]);
    let truncated = write(&dir, "truncated-s.sift", &good[..good.len() - 4]);
    assert_fails(&summarize(&truncated), 4, &[&truncated, "truncated"]);
    let theme_model = concat!(env!("CARGO_MANIFEST_DIR"), "/../../models/themes.sift");
    assert_fails(&summarize(theme_model), 4, &["themes.sift", "not a summarizer model"]);
    assert_fails(&summarize(&folder), 3, &[&folder, "is a directory"]);
}

#[test]
fn training_data_errors_and_warnings() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("m.sift").display().to_string();
    // A malformed line: file:line and what was expected.
    let bad =
        write(&dir, "bad.jsonl", b"{\"text\": \"a b c\", \"label\": \"x\"}\n{\"text\": \"d e\"\n");
    let o = run(&["train", "--data", &bad, "--out", &out]);
    assert_fails(&o, 3, &[&format!("{bad}:2")]);
    assert!(!std::path::Path::new(&out).exists(), "no model written");
    // Single-label training: a row with no label or two is named by its line.
    let csv = write(&dir, "l.csv", b"text,label\nsteel tariffs,trade\nstolen data,\n");
    assert_fails(
        &run(&["train", "--data", &csv, "--out", &out]),
        3,
        &[&format!("{csv}:3: no label, expected exactly one")],
    );
    let csv = write(&dir, "l2.csv", b"text,label\nsteel tariffs,trade\nstolen data,breach|spy\n");
    assert_fails(
        &run(&["train", "--data", &csv, "--out", &out]),
        3,
        &[&format!("{csv}:3: 2 labels (breach, spy), expected exactly one")],
    );
    // A quote left open would make one text of the rows after it.
    let csv = write(&dir, "q.csv", b"label,text\ntrade,steel tariffs\nbreach,\"stolen\nspy,data\n");
    assert_fails(
        &run(&["train", "--data", &csv, "--out", &out]),
        3,
        &[&format!("{csv}:3: a quote opened on line 3 is never closed")],
    );
    assert!(!std::path::Path::new(&out).exists(), "no model written");
    // A single label in the whole data.
    let one = write(
        &dir,
        "one.jsonl",
        b"{\"text\": \"a b\", \"label\": \"x\"}\n{\"text\": \"c d\", \"label\": \"x\"}\n",
    );
    assert_fails(&run(&["train", "--data", &one, "--out", &out]), 3, &["\"x\"", "two labels"]);
    assert_fails(&run(&["train", "--multi-label", "--data", &one, "--out", &out]), 3, &["\"x\""]);
    // Pruning that leaves nothing: the hint names the flags.
    let two = write(
        &dir,
        "two.jsonl",
        b"{\"text\": \"steel tariffs\", \"label\": \"x\"}\n{\"text\": \"stolen data\", \"label\": \"y\"}\n",
    );
    // --max-df (all documents by default) pruned nothing: only --min-df is named.
    let hint = "of the 2 documents (lower --min-df)";
    let o = run(&["train", "--data", &two, "--out", &out]);
    assert_fails(&o, 3, &["no terms remain", hint]);
    assert!(!o.stderr.contains("max-df"), "{}", o.stderr);
    // Both bounds pruned: both are named.
    let three = write(
        &dir,
        "three.jsonl",
        b"{\"text\": \"steel tariffs\", \"label\": \"x\"}\n{\"text\": \"steel data\", \"label\": \"y\"}\n\
          {\"text\": \"steel leak\", \"label\": \"y\"}\n",
    );
    assert_fails(
        &run(&["train", "--data", &three, "--out", &out, "--max-df", "2"]),
        3,
        &["fewer than 2 or more than 2 of the 3 documents (lower --min-df or raise --max-df)"],
    );
    let mtx = dir.path().join("x.mtx").display().to_string();
    for stream in [false, true] {
        let mut args = vec!["vectorize", "--input", &two, "--out", &mtx, "--min-df", "2"];
        if stream {
            args.push("--stream");
        }
        assert_fails(&run(&args), 3, &[&format!("{two}: after pruning"), hint]);
        // Bounds that contradict each other on this data: the flags again.
        args[6] = "1";
        args.extend(["--max-df", "0.4"]);
        assert_fails(
            &run(&args),
            3,
            &[&format!("{two}: --max-df allows terms in at most 0.8 documents"), "--min-df"],
        );
    }
    assert_fails(
        &run(&["train", "--data", &two, "--out", &out, "--max-df", "1"]),
        3,
        &["--max-df allows terms in at most 1 document, fewer than the 2 that --min-df requires"],
    );
    // Bounds that drop every term whatever the data are usage errors.
    for zero in ["0", "0.0"] {
        let o = run(&["train", "--data", &two, "--out", &out, "--max-df", zero]);
        assert_fails(&o, 2, &["--max-df", "would drop every term"]);
    }
    // Folder-per-label data: what is not read is named.
    let folder = dir.path().join("labelled");
    for (label, text) in [("x", "steel tariffs"), ("y", "stolen data")] {
        std::fs::create_dir_all(folder.join(label)).unwrap();
        std::fs::write(folder.join(label).join("a.txt"), text).unwrap();
        std::fs::write(folder.join(label).join("b.txt"), text).unwrap();
    }
    std::fs::write(folder.join("y").join("c.md"), "stolen data").unwrap();
    let f = folder.display().to_string();
    let o = run(&["train", "--data", &f, "--out", &out, "--folds", "0"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(
        o.stderr.contains("ignored 1 entry (not a .txt file in a label folder"),
        "{}",
        o.stderr
    );
    assert!(o.stderr.contains("c.md"), "{}", o.stderr);
    // Skipped rows are counted in the singular too.
    let rows = write(&dir, "rows.csv", b"text,label\nsteel tariffs,x\nbad row\nstolen data,y\n");
    let o = run(&["train", "--data", &rows, "--out", &out, "--skip-bad-rows", "--min-df", "1"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(o.stderr.contains("skipped 1 malformed row in"), "{}", o.stderr);
    // A label with one example: a warning, and a model.
    let mut rows = trade_and_sport(6);
    rows += "{\"text\": \"a spy was arrested\", \"label\": \"spying\"}\n";
    let rare = write(&dir, "rare.jsonl", rows.as_bytes());
    let o = run(&["train", "--data", &rare, "--out", &out, "--folds", "0"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(o.stderr.contains("\"spying\" has only one example"), "{}", o.stderr);
    assert!(std::path::Path::new(&out).exists());
}

#[test]
fn an_output_may_not_overwrite_an_input_or_another_output() {
    let dir = tempfile::tempdir().unwrap();
    let rows = trade_and_sport(4);
    let data = write(&dir, "data.jsonl", rows.as_bytes());
    // The same file under another spelling.
    let again = dir.path().join(".").join("data.jsonl").display().to_string();
    let unchanged = || assert_eq!(std::fs::read_to_string(&data).unwrap(), rows);
    let o = run(&["vectorize", "--input", &data, "--out", &again]);
    assert_fails(&o, 2, &["--out", "the same file as --input", "write the output elsewhere"]);
    unchanged();
    let mtx = dir.path().join("x.mtx").display().to_string();
    let o = run(&["vectorize", "--input", &data, "--out", &mtx, "--vocab-out", &mtx]);
    assert_fails(&o, 2, &["--vocab-out", "the same file as --out"]);
    assert!(!std::path::Path::new(&mtx).exists());
    let o = run(&["train", "--data", &data, "--out", &again, "--folds", "0"]);
    assert_fails(&o, 2, &["--out", "the same file as --data"]);
    unchanged();
    let o = run(&["train-summarizer", "--data", &data, "--out", &data]);
    assert_fails(&o, 2, &["the same file as --data"]);
    unchanged();
    // Retraining a model in place from its own settings is allowed.
    let model = dir.path().join("m.sift").display().to_string();
    assert_eq!(run(&["train", "--data", &data, "--out", &model, "--folds", "0"]).code, 0);
    let o = run(&["train", "--data", &data, "--base", &model, "--out", &model, "--folds", "0"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let before = std::fs::read(&model).unwrap();
    let o = run(&["eval", "--model", &model, "--data", &data, "--report", &model]);
    assert_fails(&o, 2, &["--report", "the same file as --model"]);
    assert_eq!(std::fs::read(&model).unwrap(), before);
}

#[test]
fn the_theme_models_none_label_does_not_block_training_on_other_labels() {
    let dir = tempfile::tempdir().unwrap();
    let rows = trade_and_sport(6);
    let data = write(&dir, "data.jsonl", rows.as_bytes());
    let theme = concat!(env!("CARGO_MANIFEST_DIR"), "/../../models/themes.sift");
    let model = dir.path().join("m.sift").display().to_string();
    // The theme model's settings name "other" as the none label; this data
    // has no "other": train warns and goes on without one.
    let o = run(&["train", "--data", &data, "--base", theme, "--out", &model, "--folds", "2"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(o.stderr.contains("none label \"other\" is not a label of the data"), "{}", o.stderr);
    // Naming one of the data's labels is still checked.
    let o = run(&["train", "--data", &data, "--multi-label", "--none-label", "x", "--out", &model]);
    assert_fails(&o, 2, &["--none-label", "\"x\" is not a label of the data"]);
    // Cross-validating the theme model's own settings needs its none label.
    let o = run(&["eval", "--data", &data, "--folds", "2"]);
    assert_fails(&o, 3, &["--folds retrains", "none label \"other\"", "sift train"]);
}

#[test]
fn a_label_folder_file_that_is_not_utf8_is_malformed_and_skippable() {
    let dir = tempfile::tempdir().unwrap();
    for (label, words) in [("trade", "steel tariffs on imports"), ("sport", "football goal")] {
        std::fs::create_dir_all(dir.path().join(label)).unwrap();
        for i in 0..3 {
            std::fs::write(dir.path().join(label).join(format!("{i}.txt")), format!("{words} {i}"))
                .unwrap();
        }
    }
    let bad = dir.path().join("trade").join("latin1.txt");
    std::fs::write(&bad, b"caf\xe9 tariffs").unwrap();
    let data = dir.path().display().to_string();
    let model = dir.path().join("m.sift").display().to_string();
    let o = run(&["train", "--data", &data, "--out", &model, "--folds", "0"]);
    let bad = bad.display().to_string();
    assert_fails(&o, 3, &[&bad, "invalid UTF-8 at byte 3, expected UTF-8 text"]);
    let o = run(&["train", "--data", &data, "--out", &model, "--folds", "0", "--skip-bad-rows"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(o.stderr.contains("skipped 1 malformed file in"), "{}", o.stderr);
    assert!(o.stdout.contains("6 examples"), "{}", o.stdout);
}

#[test]
fn a_failed_run_leaves_existing_output_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let out = write(&dir, "m.sift", b"previous model bytes");
    let bad = write(&dir, "bad.jsonl", b"oops\n");
    assert_eq!(run(&["train", "--data", &bad, "--out", &out]).code, 3);
    assert_eq!(std::fs::read(&out).unwrap(), b"previous model bytes");
    // An output path in a folder that does not exist: exit 5.
    let nowhere = dir.path().join("no/such/dir/m.sift").display().to_string();
    let rows = trade_and_sport(4);
    let ok = write(&dir, "ok.jsonl", rows.as_bytes());
    let folder = dir.path().join("no/such/dir").display().to_string();
    let missing = format!("folder {folder} does not exist");
    assert_fails(
        &run(&["train", "--data", &ok, "--out", &nowhere, "--folds", "0"]),
        5,
        &[&nowhere, &missing],
    );
    let mtx = dir.path().join("no/such/dir/x.mtx").display().to_string();
    let vocab = dir.path().join("v.txt").display().to_string();
    let o = run(&["vectorize", "--input", &ok, "--out", &mtx, "--vocab-out", &vocab]);
    assert_fails(&o, 5, &[&mtx, &missing]);
    assert!(!o.stderr.contains(".sift-"), "the temporary file is not the user's concern");
    // A bad --vocab-out is refused before the matrix is written.
    let good_mtx = dir.path().join("x.mtx");
    let bad_vocab = dir.path().join("no/such/dir/v.txt").display().to_string();
    let o = run(&[
        "vectorize",
        "--input",
        &ok,
        "--out",
        &good_mtx.display().to_string(),
        "--vocab-out",
        &bad_vocab,
    ]);
    assert_fails(&o, 5, &[&bad_vocab, &missing]);
    assert!(!good_mtx.exists(), "no matrix without its vocabulary");
    // eval --report and train-summarizer refuse their outputs before working.
    let report = dir.path().join("no/such/dir/r.html").display().to_string();
    assert_fails(&run(&["eval", "--data", &ok, "--report", &report]), 5, &[&report, &missing]);
    assert_fails(&run(&["generate", "man", "--out-dir", &folder]), 5, &[&folder, &missing]);
    let here = dir.path().display().to_string();
    assert_fails(&run(&["generate", "zsh", "--out-dir", &here]), 2, &["--out-dir", "man"]);
    let o = run(&["train", "--data", &ok, "--out", &here, "--folds", "0"]);
    assert_fails(&o, 5, &[&here, "is a directory, expected a file path"]);
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "no temporary files left behind");
}

#[test]
fn a_closed_pipe_is_not_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let mut rows = String::new();
    for i in 0..4000 {
        rows += &format!("{{\"text\": \"Tariffs on steel rose again, report {i} said.\"}}\n");
    }
    let input = write(&dir, "many.jsonl", rows.as_bytes());
    let mut child = sift()
        .args(["label", "--jsonl", &input, "--format", "jsonl"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 64];
    child.stdout.as_mut().unwrap().read_exact(&mut first).unwrap();
    drop(child.stdout.take());
    let mut stderr = String::new();
    child.stderr.as_mut().unwrap().read_to_string(&mut stderr).unwrap();
    let status = child.wait().unwrap();
    assert!(status.success(), "exit {status:?}, stderr {stderr}");
    assert!(stderr.is_empty(), "{stderr}");
}

#[test]
fn stdin_is_read_when_no_file_is_given() {
    let o = run_with_stdin(
        &["label", "--format", "jsonl", "--explain", "0"],
        b"Hackers stole the card numbers of 40,000 customers.\n",
    );
    assert!(o.code == 0);
    let v: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    assert_eq!(v["source"], "<stdin>");
    assert_eq!(v["paragraphs"][0]["labels"][0], "data_breach");
}

#[test]
fn stdin_records_are_named_stdin_in_errors() {
    for (input, needle) in [
        (&b"{\"body\": \"x\"}\n"[..], "<stdin>:1: missing field \"text\""),
        (&b"{\"text\": \"x\"}\nnot json\n"[..], "<stdin>:2: invalid JSON"),
    ] {
        assert_fails(&run_with_stdin(&["label", "--jsonl"], input), 3, &[needle]);
    }
}

#[test]
fn invalid_utf8_on_stdin_is_named_stdin_in_the_warning() {
    let o = run_with_stdin(&["label"], b"Caf\xe9 owners said tariffs would rise.");
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(
        o.stderr.starts_with("sift: warning: <stdin>: invalid UTF-8 at byte 3;"),
        "{}",
        o.stderr
    );
}
