//! End-to-end tests of `sift vectorize`: Matrix Market output equal to the
//! library's, and bad input reported with file, line and exit code.

use std::process::Command;

fn sift() -> Command {
    Command::new(env!("CARGO_BIN_EXE_sift"))
}

fn write(dir: &tempfile::TempDir, name: &str, content: &str) -> String {
    let p = dir.path().join(name);
    std::fs::write(&p, content).unwrap();
    p.display().to_string()
}

const DOCS: &[&str] = &[
    "China's exports of steel rose 3.6% as tariffs bit.",
    "Hackers stole the records of 3,600 staff, the firm said.",
    "Steel tariffs and a data breach: a busy week for regulators.",
];

fn jsonl() -> String {
    DOCS.iter().map(|d| serde_json::json!({ "id": 1, "text": d }).to_string() + "\n").collect()
}

#[test]
fn matrix_market_equals_library_output() {
    let dir = tempfile::tempdir().unwrap();
    let input = write(&dir, "docs.jsonl", &jsonl());
    let out = dir.path().join("x.mtx");
    let vocab = dir.path().join("vocab.txt");
    let status = sift()
        .args(["vectorize", "--input", &input, "--out"])
        .arg(&out)
        .arg("--vocab-out")
        .arg(&vocab)
        .args(["--ngram-range", "1,2", "--sublinear-tf", "--tokenizer", "sklearn", "--f64"])
        .status()
        .unwrap();
    assert!(status.success());
    let params =
        sift_tfidf::TfidfParams::new().ngram_range(1, 2).sublinear_tf(true).check().unwrap();
    let (v, x) = params.fit_transform_as::<_, f64>(DOCS).unwrap();
    let terms: Vec<String> =
        std::fs::read_to_string(&vocab).unwrap().lines().map(str::to_string).collect();
    assert_eq!(terms, v.vocabulary().iter().collect::<Vec<_>>());
    let mtx = std::fs::read_to_string(&out).unwrap();
    let mut lines = mtx.lines().filter(|l| !l.starts_with('%'));
    assert!(mtx.starts_with("%%MatrixMarket matrix coordinate real general\n"));
    let header: Vec<usize> = lines.next().unwrap().split(' ').map(|n| n.parse().unwrap()).collect();
    assert_eq!(header, [3, v.vocabulary().len(), x.nnz()]);
    let mut dense = vec![vec![0.0f64; header[1]]; 3];
    for l in lines {
        let f: Vec<&str> = l.split(' ').collect();
        dense[f[0].parse::<usize>().unwrap() - 1][f[1].parse::<usize>().unwrap() - 1] =
            f[2].parse().unwrap();
    }
    let expected = x.to_dense();
    for r in 0..3 {
        for c in 0..header[1] {
            assert!((dense[r][c] - expected[[r, c]]).abs() < 1e-12);
        }
    }
}

#[test]
fn default_tokenizer_stems_and_hashes() {
    let dir = tempfile::tempdir().unwrap();
    let input = write(&dir, "docs.jsonl", &jsonl());
    let out = dir.path().join("x.mtx");
    let vocab = dir.path().join("v.txt");
    let ok = sift()
        .args(["vectorize", "--input", &input, "--stem", "english", "--out"])
        .arg(&out)
        .arg("--vocab-out")
        .arg(&vocab)
        .status()
        .unwrap();
    assert!(ok.success());
    let terms = std::fs::read_to_string(&vocab).unwrap();
    assert!(terms.lines().any(|t| t == "tariff") && !terms.lines().any(|t| t == "the"), "{terms}");
    let ok = sift()
        .args(["vectorize", "--input", &input, "--hashing", "64", "--out"])
        .arg(&out)
        .status()
        .unwrap();
    assert!(ok.success());
    let mtx = std::fs::read_to_string(&out).unwrap();
    assert!(mtx.lines().nth(2).unwrap().starts_with("3 64 "));
}

fn failure(args: &[&str]) -> (i32, String) {
    let o = sift().args(args).output().unwrap();
    (o.status.code().unwrap(), String::from_utf8_lossy(&o.stderr).into_owned())
}

#[test]
fn bad_input_names_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x.mtx").display().to_string();
    let bad = write(&dir, "bad.jsonl", "{\"text\": \"fine\"}\n{\"text\": \"also fine\"\n");
    let (code, err) = failure(&["vectorize", "--input", &bad, "--out", &out]);
    assert_eq!(code, 3);
    assert!(err.contains("bad.jsonl:2: invalid JSON"), "{err}");
    let missing = write(&dir, "missing.jsonl", "{\"text\": \"a b\"}\n{\"body\": \"c d\"}\n");
    let (code, err) = failure(&["vectorize", "--input", &missing, "--out", &out]);
    assert_eq!(code, 3);
    assert!(err.contains("missing.jsonl:2: missing field \"text\""), "{err}");
    let number = write(&dir, "number.jsonl", "{\"text\": 7}\n");
    let (_, err) = failure(&["vectorize", "--input", &number, "--out", &out]);
    assert!(err.contains("number.jsonl:1: field \"text\" is a number, expected a string"), "{err}");
    let (code, err) = failure(&["vectorize", "--input", "/no/such/file.jsonl", "--out", &out]);
    assert_eq!(code, 3);
    assert!(err.contains("no such file"), "{err}");
    let (code, err) =
        failure(&["vectorize", "--input", dir.path().to_str().unwrap(), "--out", &out]);
    assert_eq!(code, 3);
    assert!(err.contains("is a directory"), "{err}");
    assert!(!std::path::Path::new(&out).exists(), "no output is written on failure");
}

#[test]
fn bad_flags_are_usage_errors() {
    let (code, err) = failure(&["vectorize", "--input", "x", "--out", "y", "--ngram-range", "2,1"]);
    assert_eq!(code, 2);
    assert!(err.contains("MIN <= MAX"), "{err}");
    let (code, err) = failure(&["vectorize", "--input", "x", "--out", "y", "--min-df", "1.5"]);
    assert_eq!(code, 2);
    assert!(err.contains("0.0..=1.0"), "{err}");
    let (code, err) = failure(&["vectorize", "--input", "x", "--out", "y", "--stem", "klingon"]);
    assert_eq!(code, 2);
    assert!(err.contains("unknown language"), "{err}");
}

/// Lines `range` of the 20 Newsgroups training file (real posts), as JSON
/// Lines text.
fn posts(range: std::ops::Range<usize>) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/20newsgroups-bydate/train.jsonl.gz");
    let file = std::fs::File::open(&path).unwrap();
    std::io::BufRead::lines(std::io::BufReader::new(flate2::read::GzDecoder::new(file)))
        .skip(range.start)
        .take(range.len())
        .map(|l| l.unwrap() + "\n")
        .collect()
}

/// `--stream` (two passes, one batch in memory) writes the same bytes as the
/// in-memory path, on 300 real 20 Newsgroups posts, with small batches and
/// in both precisions; a malformed line is still reported by number.
#[test]
fn streaming_writes_the_same_files() {
    let dir = tempfile::tempdir().unwrap();
    let text = posts(0..300);
    let input = write(&dir, "posts.jsonl", &text);
    let run = |tag: &str, extra: &[&str]| -> (Vec<u8>, Vec<u8>) {
        let out = dir.path().join(format!("{tag}.mtx"));
        let vocab = dir.path().join(format!("{tag}.txt"));
        let o = sift()
            .args(["vectorize", "--input", &input, "--ngram-range", "1,2", "--min-df", "2"])
            .arg("--out")
            .arg(&out)
            .arg("--vocab-out")
            .arg(&vocab)
            .args(extra)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        (std::fs::read(out).unwrap(), std::fs::read(vocab).unwrap())
    };
    let in_memory = run("memory", &[]);
    assert!(in_memory.0.len() > 100_000, "a real matrix");
    assert_eq!(run("stream", &["--stream"]), in_memory);
    assert_eq!(run("small", &["--stream", "--batch", "7"]), in_memory);
    assert_eq!(run("m64", &["--f64"]), run("s64", &["--stream", "--batch", "50", "--f64"]));
    // A bad line in the middle of a stream: file:line, exit 3, no output.
    let head: String = text.lines().take(5).map(|l| l.to_string() + "\n").collect();
    let bad = write(&dir, "bad.jsonl", &format!("{head}not json\n{}", jsonl()));
    let line = 6;
    let out = dir.path().join("never.mtx");
    let o = sift()
        .args(["vectorize", "--input", &bad, "--stream", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(3), "{err}");
    assert!(err.contains(&format!("bad.jsonl:{line}:")), "{err}");
    assert!(!out.exists());
}

/// The Matrix Market file at `path` holds `x`: its shape, and every entry
/// within 1e-12.
fn assert_same_matrix(path: &str, x: &sift_tfidf::Csr<f64>) {
    let mtx = std::fs::read_to_string(path).unwrap();
    let mut lines = mtx.lines().filter(|l| !l.starts_with('%'));
    let header: Vec<usize> = lines.next().unwrap().split(' ').map(|n| n.parse().unwrap()).collect();
    assert_eq!(header, [x.nrows(), x.ncols(), x.nnz()]);
    let entries: Vec<(usize, usize, f64)> = lines
        .map(|l| {
            let f: Vec<&str> = l.split(' ').collect();
            (
                f[0].parse::<usize>().unwrap() - 1,
                f[1].parse::<usize>().unwrap() - 1,
                f[2].parse().unwrap(),
            )
        })
        .collect();
    let want: Vec<(usize, usize, f64)> = x
        .rows()
        .enumerate()
        .flat_map(|(r, (cols, vals))| cols.iter().zip(vals).map(move |(&c, &v)| (r, c as usize, v)))
        .collect();
    assert_eq!(entries.len(), want.len());
    for (got, want) in entries.iter().zip(&want) {
        assert_eq!((got.0, got.1), (want.0, want.1));
        assert!((got.2 - want.2).abs() < 1e-12, "{path}: {got:?} against {want:?}");
    }
}

/// `--save-vectorizer` then `--vectorizer`: other data gets the training
/// data's columns and IDF, as scikit-learn's `fit` on one set and
/// `transform` on another; the training data itself comes back byte for
/// byte. Bad uses fail with their exit code and write nothing.
#[test]
fn a_saved_vectorizer_gives_other_data_the_same_columns() {
    let dir = tempfile::tempdir().unwrap();
    let (train, other) = (posts(0..200), posts(200..260));
    let train_in = write(&dir, "train.jsonl", &train);
    let other_in = write(&dir, "other.jsonl", &other);
    let path = |name: &str| dir.path().join(name).display().to_string();
    let run = |args: &[&str]| {
        let o = sift().arg("vectorize").args(args).output().unwrap();
        assert!(o.status.success(), "{args:?}: {}", String::from_utf8_lossy(&o.stderr));
    };
    let fit = ["--ngram-range", "1,2", "--min-df", "2", "--sublinear-tf", "--tokenizer", "sklearn"];
    let (saved, fitted, vocab) = (path("v.vec"), path("fit.mtx"), path("fit.txt"));
    run(&[
        &["--input", &train_in, "--out", &fitted, "--vocab-out", &vocab][..],
        &fit,
        &["--save-vectorizer", &saved],
    ]
    .concat());
    // The training data again, through the saved vectorizer.
    let (again, again_vocab) = (path("again.mtx"), path("again.txt"));
    run(&[
        "--input",
        &train_in,
        "--out",
        &again,
        "--vocab-out",
        &again_vocab,
        "--vectorizer",
        &saved,
    ]);
    assert_eq!(std::fs::read(&again).unwrap(), std::fs::read(&fitted).unwrap());
    assert_eq!(std::fs::read(&again_vocab).unwrap(), std::fs::read(&vocab).unwrap());
    // Other data: what the library's vectorizer, fitted on the training
    // texts, makes of it; streamed in small batches, the same bytes.
    let other_out = path("other.mtx");
    run(&["--input", &other_in, "--out", &other_out, "--vectorizer", &saved, "--f64"]);
    let streamed = path("streamed.mtx");
    let args = ["--input", &other_in, "--out", &streamed, "--vectorizer", &saved, "--f64"];
    run(&[&args[..], &["--stream", "--batch", "7"]].concat());
    assert_eq!(std::fs::read(&streamed).unwrap(), std::fs::read(&other_out).unwrap());
    let texts = |s: &str| -> Vec<String> {
        s.lines()
            .map(|l| {
                serde_json::from_str::<serde_json::Value>(l).unwrap()["text"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect()
    };
    let v = sift_tfidf::TfidfParams::new()
        .ngram_range(1, 2)
        .min_df(sift_tfidf::DocFreq::Count(2))
        .sublinear_tf(true)
        .check()
        .unwrap()
        .fit(&texts(&train))
        .unwrap();
    let x = v.transform_as::<_, f64>(&texts(&other));
    assert_same_matrix(&other_out, &x);
    // A model file lends its vectorizer: the features the model sees.
    let model = path("m.sift");
    // (The first posts share one newsgroup: two made-up labels instead.)
    let labelled: String = train
        .lines()
        .enumerate()
        .map(|(i, l)| {
            let mut r: serde_json::Value = serde_json::from_str(l).unwrap();
            r["label"] = (if i % 2 == 0 { "even" } else { "odd" }).into();
            r.to_string() + "\n"
        })
        .collect();
    let labelled = write(&dir, "labelled.jsonl", &labelled);
    let o = sift()
        .args(["--quiet", "train", "--data", &labelled, "--out", &model, "--folds", "0"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let (seen, seen_vocab) = (path("seen.mtx"), path("seen.txt"));
    let args = ["--input", &other_in, "--out", &seen, "--vocab-out", &seen_vocab, "--f64"];
    run(&[&args[..], &["--vectorizer", &model]].concat());
    let m = sift_classify::Model::load(std::path::Path::new(&model)).unwrap();
    let mv = m.vectorizer();
    let want: Vec<String> = mv.vocabulary().iter().map(str::to_string).collect();
    let got: Vec<String> =
        std::fs::read_to_string(&seen_vocab).unwrap().lines().map(str::to_string).collect();
    assert_eq!(got, want);
    assert_same_matrix(&seen, &mv.transform_as::<_, f64>(&texts(&other)));
    // `sift inspect` reads the file: its columns, settings, documents and
    // commonest terms (lowest IDF first, each a term of the vocabulary).
    let inspect = |args: &[&str]| {
        let o = sift().arg("inspect").args(args).output().unwrap();
        assert!(o.status.success(), "{args:?}: {}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8(o.stdout).unwrap()
    };
    let terms = std::fs::read_to_string(&vocab).unwrap();
    let text = inspect(&[&saved]);
    assert!(
        text.contains(&format!("features     {} (vocabulary)", terms.lines().count())),
        "{text}"
    );
    assert!(text.contains("fitted on    200 documents"), "{text}");
    assert!(
        text.contains("min_df 2, max_df 100%, sublinear tf, idf on (smoothed), norm l2"),
        "{text}"
    );
    let j: serde_json::Value =
        serde_json::from_str(&inspect(&[&saved, "--format", "json", "--top", "5"])).unwrap();
    assert_eq!(j["documents"], 200);
    assert_eq!(j["settings"]["sublinear_tf"], true);
    let common = j["common_terms"].as_array().unwrap();
    assert_eq!(common.len(), 5);
    let idf: Vec<f64> = common.iter().map(|t| t["idf"].as_f64().unwrap()).collect();
    assert!(idf.windows(2).all(|w| w[0] <= w[1]) && idf[0] >= 1.0, "{idf:?}");
    assert!(common.iter().all(|t| terms.lines().any(|l| l == t["term"])), "{common:?}");
    // Bad uses.
    let never = path("never.mtx");
    let with = |extra: &[&str]| {
        failure(&[&["vectorize", "--input", &other_in, "--out", &never][..], extra].concat())
    };
    let (code, err) = with(&["--vectorizer", &saved, "--min-df", "3"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--vectorizer") && err.contains("--min-df"), "{err}");
    let (code, err) = with(&["--vectorizer", &saved, "--save-vectorizer", &path("x.vec")]);
    assert_eq!(code, 2, "{err}");
    let damaged = path("damaged.vec");
    let mut bytes = std::fs::read(&saved).unwrap();
    bytes.truncate(bytes.len() / 2);
    std::fs::write(&damaged, &bytes).unwrap();
    let (code, err) = with(&["--vectorizer", &damaged]);
    assert_eq!(code, 4, "{err}");
    assert!(err.contains("damaged.vec: ") && err.contains("truncated"), "{err}");
    let (code, err) = failure(&["inspect", &damaged]);
    assert_eq!(code, 4, "{err}");
    assert!(err.contains("damaged.vec: ") && err.contains("truncated"), "{err}");
    let (code, err) = with(&["--vectorizer", &train_in]);
    assert_eq!(code, 4, "{err}");
    assert!(err.contains("not a sift vectorizer file"), "{err}");
    let (code, err) = with(&["--vectorizer", dir.path().to_str().unwrap()]);
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("is a directory, expected a vectorizer file"), "{err}");
    let (code, err) = with(&["--vectorizer", &path("missing.vec")]);
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("missing.vec: cannot read: no such file"), "{err}");
    let hashed = path("h.vec");
    run(&[
        "--input",
        &train_in,
        "--out",
        &path("h.mtx"),
        "--hashing",
        "65536",
        "--no-smooth-idf",
        "--save-vectorizer",
        &hashed,
    ]);
    assert!(inspect(&[&hashed]).contains("features     65536 (hashing, signed)"));
    // Without smoothing, columns the 200 posts never filled still get a
    // finite IDF: the saved file loads, and other posts stay finite.
    let h_out = path("h-other.mtx");
    run(&["--input", &other_in, "--out", &h_out, "--vectorizer", &hashed]);
    let mtx = std::fs::read_to_string(&h_out).unwrap();
    let values: Vec<f64> = mtx
        .lines()
        .filter(|l| !l.starts_with('%'))
        .skip(1)
        .map(|l| l.rsplit(' ').next().unwrap().parse().unwrap())
        .collect();
    assert!(values.len() > 1000 && values.iter().all(|v| v.is_finite() && v.abs() <= 1.0));
    let (code, err) = with(&["--vectorizer", &hashed, "--vocab-out", &path("h.txt")]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("hashing vectorizer"), "{err}");
    let empty = write(&dir, "empty.jsonl", "");
    let (code, err) =
        failure(&["vectorize", "--input", &empty, "--out", &never, "--vectorizer", &saved]);
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("empty.jsonl: no records"), "{err}");
    assert!(!std::path::Path::new(&never).exists(), "no output is written on failure");
}
