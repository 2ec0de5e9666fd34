//! `cargo xtask bench-peers`: sift's TF-IDF against scikit-learn on the 20
//! Newsgroups train texts, in the same run on the same core.
//!
//! scikit-learn runs through `../shared/peers/vec_bench.py` (set up as its
//! README says; the interpreter is `$SIFT_PYTHON`, default `python3`). sift
//! runs in a child process of this xtask (`vec-child`) so that both report
//! their own peak memory (VmHWM / ru_maxrss). Both are pinned with `taskset`
//! when it exists: one core for one thread, two cores for two. sift's
//! one- and two-thread children alternate in rounds, so both halves of each
//! speed-up see the same host load.

use crate::data::{data_dir, read_jsonl, str_field, workspace_root};
use anyhow::{bail, Context, Result};
use serde_json::Value;
use sift_classify::{train, Example, Model, TrainParams};
use sift_tfidf::TfidfParams;
use std::process::Command;
use std::time::Instant;

/// (our name, vec_bench.py variant, what it is)
const VARIANTS: &[(&str, &str, &str)] = &[
    ("unigram", "tfidf_uni", "TfidfVectorizer()"),
    ("uni+bigram", "tfidf_bi", "TfidfVectorizer(ngram_range=(1, 2))"),
    ("stemmed", "tfidf_snowball_memo", "Snowball-stemmed (NLTK with a memo cache)"),
    ("hashing", "hashing", "HashingVectorizer(n_features=2**20)"),
];

fn params(name: &str) -> Result<TfidfParams> {
    match sift_benches::tfidf_configs().into_iter().find(|(n, _)| *n == name) {
        Some((_, p)) => Ok(p),
        None => bail!("unknown variant {name}"),
    }
}

fn peak_rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .map(|l| l.split_whitespace().nth(1).unwrap_or("0").parse().unwrap_or(0))
        })
        .unwrap_or(0)
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(|a, b| a.total_cmp(b));
    let n = xs.len();
    if n % 2 == 1 {
        xs[n / 2]
    } else {
        (xs[n / 2 - 1] + xs[n / 2]) / 2.0
    }
}

/// The child: fit_transform `runs` times on `threads` threads; one JSON line.
pub fn child(name: &str, threads: usize, runs: usize) -> Result<()> {
    let docs: Vec<String> = read_jsonl("20newsgroups-bydate/train.jsonl.gz")?
        .iter()
        .map(|r| str_field(r, "text").to_string())
        .collect();
    let params = params(name)?.check()?;
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build()?;
    let mut times = Vec::new();
    let mut out = None;
    for _ in 0..runs {
        let t = Instant::now();
        let r = pool.install(|| params.fit_transform_as::<_, f64>(&docs))?;
        times.push(t.elapsed().as_secs_f64());
        out = Some(r);
    }
    let (v, x) = out.context("no run")?;
    let sum: f64 = x.data().iter().sum();
    let json = serde_json::json!({
        "median_s": median(times.clone()), "min_s": times.iter().cloned().fold(f64::MAX, f64::min),
        "nnz": x.nnz(), "vocabulary_size": v.vocabulary().len(), "sum_data": sum, "peak_rss_kb": peak_rss_kb(),
    });
    println!("{json}");
    Ok(())
}

fn taskset(cores: &str) -> Option<Vec<String>> {
    Command::new("taskset")
        .arg("--version")
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|_| vec!["taskset".into(), "-c".into(), cores.into()])
}

fn run_json(mut argv: Vec<String>) -> Result<Value> {
    let prog = argv.remove(0);
    let out =
        Command::new(&prog).args(&argv).output().with_context(|| format!("cannot run {prog}"))?;
    if !out.status.success() {
        bail!("{prog} {} failed:\n{}", argv.join(" "), String::from_utf8_lossy(&out.stderr));
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    let last =
        stdout.lines().rev().find(|l| l.starts_with('{')).context("no JSON line in output")?;
    Ok(serde_json::from_str(last)?)
}

fn sklearn(python: &str, variant: &str, runs: usize) -> Result<(Value, u64)> {
    let peers = workspace_root().join("../shared/peers");
    let script = peers.join("vec_bench.py");
    // A tiny wrapper reports the child's peak memory (ru_maxrss, KiB).
    let wrapper = "import resource,subprocess,sys,json\n\
        r=subprocess.run(sys.argv[1:],capture_output=True,text=True)\n\
        sys.stderr.write(r.stderr)\n\
        last=[l for l in r.stdout.splitlines() if l.startswith('{')][-1] if r.returncode==0 else None\n\
        print(json.dumps({'rc':r.returncode,'out':json.loads(last) if last else None,'maxrss_kb':resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))";
    let tmp = std::env::temp_dir().join(format!("sift-vec-bench-{variant}.json"));
    let mut argv = taskset("0").unwrap_or_default();
    argv.extend([python.to_string(), "-c".into(), wrapper.into(), python.to_string()]);
    argv.extend([
        script.display().to_string(),
        "--data-dir".into(),
        data_dir().display().to_string(),
    ]);
    argv.extend([
        "--runs".into(),
        runs.to_string(),
        "--variants".into(),
        variant.into(),
        "--out".into(),
        tmp.display().to_string(),
    ]);
    let v = run_json(argv)?;
    if v["rc"].as_i64() != Some(0) {
        bail!("vec_bench.py failed for {variant}; is scikit-learn installed for {python}? See ../shared/peers/README.md");
    }
    Ok((v["out"]["variants"][variant].clone(), v["maxrss_kb"].as_u64().unwrap_or(0)))
}

/// sift in a child process, pinned to one core for one thread, two for two.
fn sift(name: &str, threads: usize, runs: usize) -> Result<Value> {
    let me = std::env::current_exe()?;
    let cores = if threads == 1 { "0" } else { "0,1" };
    let mut argv = taskset(cores).unwrap_or_default();
    argv.extend([
        me.display().to_string(),
        "vec-child".into(),
        name.into(),
        threads.to_string(),
        runs.to_string(),
    ]);
    run_json(argv)
}

/// Runs per child in [`sift_rounds`].
const RUNS_PER_CHILD: usize = 3;

/// sift on one thread and on two, in `rounds` rounds of one child process
/// each (alternating which goes first; each child reports the median of
/// [`RUNS_PER_CHILD`] runs). Returns the median one-thread and two-thread
/// times, the median of the rounds' speed-ups, the one-thread children's
/// peak memory (KiB), and the last one-thread child's report (its output
/// checks). Rounds a few seconds apart see the same host load, so
/// load that drifts over the minutes of a whole comparison cannot decide the
/// speed-up, as it could when all one-thread runs came before all two-thread
/// runs. Each child holds one thread pool, as a user's process does.
fn sift_rounds(name: &str, rounds: usize) -> Result<(f64, f64, f64, u64, Value)> {
    let (mut one, mut two, mut ratios, mut rss) = (Vec::new(), Vec::new(), Vec::new(), 0);
    let mut last = Value::Null;
    let secs = |v: &Value| v["median_s"].as_f64().unwrap_or(f64::NAN);
    for round in 0..rounds.max(1) {
        let (a, b) = if round % 2 == 0 {
            let a = sift(name, 1, RUNS_PER_CHILD)?;
            (a, sift(name, 2, RUNS_PER_CHILD)?)
        } else {
            let b = sift(name, 2, RUNS_PER_CHILD)?;
            (sift(name, 1, RUNS_PER_CHILD)?, b)
        };
        rss = rss.max(a["peak_rss_kb"].as_u64().unwrap_or(0));
        one.push(secs(&a));
        two.push(secs(&b));
        ratios.push(secs(&a) / secs(&b));
        last = a;
    }
    Ok((median(one), median(two), median(ratios), rss, last))
}

pub fn run(runs: usize, only: Option<&str>) -> Result<()> {
    let python = std::env::var("SIFT_PYTHON").unwrap_or_else(|_| "python3".into());
    println!("TF-IDF fit_transform on 20 Newsgroups train (11,314 docs, 22 MB); median of {runs} runs; same machine, same run.");
    println!("scikit-learn via ../shared/peers/vec_bench.py with {python}; sift in a child process; one core unless noted.");
    println!("sift: {runs} rounds of a one-thread child (one core) and a two-thread child (two cores), {RUNS_PER_CHILD} runs each,");
    println!("alternating which goes first; times are medians, 2t/1t is the median of the rounds' ratios.\n");
    println!(
        "{:<11} {:>10} {:>10} {:>7} {:>10} {:>8} {:>10} {:>10}  checks (vocabulary, nnz, sum of values: sklearn / sift)",
        "variant", "sklearn s", "sift 1t s", "ratio", "sift 2t s", "2t/1t", "sk MiB", "sift MiB"
    );
    for &(name, variant, _) in VARIANTS {
        if only.is_some_and(|o| !name.contains(o)) {
            continue;
        }
        let (sk, sk_rss) = sklearn(&python, variant, runs)?;
        let (one_s, two_s, speedup, one_rss, one) = sift_rounds(name, runs)?;
        let sk_s = sk["median_s"].as_f64().unwrap_or(f64::NAN);
        let vocab =
            |v: &Value| v["vocabulary_size"].as_u64().map_or("-".to_string(), |x| x.to_string());
        println!(
            "{:<11} {:>10.3} {:>10.3} {:>6.1}x {:>10.3} {:>7.2}x {:>10.0} {:>10.0}  {}/{}, {}/{}, {:.2}/{:.2}",
            name,
            sk_s,
            one_s,
            sk_s / one_s,
            two_s,
            speedup,
            sk_rss as f64 / 1024.0,
            one_rss as f64 / 1024.0,
            vocab(&sk),
            vocab(&one),
            sk["nnz"],
            one["nnz"],
            sk["sum_data"].as_f64().unwrap_or(f64::NAN),
            one["sum_data"].as_f64().unwrap_or(f64::NAN),
        );
    }
    Ok(())
}

// ------------------------------------------------------------ classification

/// The child: trains `which` ("like-sklearn", "like-sklearn-tol0.1" or
/// "default") on 20 Newsgroups
/// train `runs` times on `threads` threads, then predicts the test set on
/// one thread; one JSON line.
pub fn classify_child(which: &str, threads: usize, runs: usize) -> Result<()> {
    let load = |split: &str| -> Result<(Vec<String>, Vec<String>)> {
        let rs = read_jsonl(&format!("20newsgroups-bydate/{split}.jsonl.gz"))?;
        Ok((
            rs.iter().map(|r| str_field(r, "text").to_string()).collect(),
            rs.iter().map(|r| str_field(r, "label").to_string()).collect(),
        ))
    };
    let (tt, tl) = load("train")?;
    let (xt, xl) = load("test")?;
    let examples: Vec<Example> =
        tt.into_iter().zip(tl).map(|(text, l)| Example { text, labels: vec![l] }).collect();
    let params = match which {
        "default" => TrainParams::default(),
        "like-sklearn" => sift_benches::like_sklearn(),
        "like-sklearn-tol0.1" => sift_benches::like_sklearn_with_tol(0.1),
        other => anyhow::bail!("unknown pipeline {other}"),
    };
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build()?;
    let mut times = Vec::new();
    let mut model = None;
    for _ in 0..runs {
        let t = Instant::now();
        let m = pool.install(|| train(&params, &examples))?.model;
        times.push(t.elapsed().as_secs_f64());
        model = Some(m);
    }
    // As a user gets it: the model file loaded from disk (the system's
    // cache) and indexed on the run's threads, once per fresh process
    // (`load-child`, median of `runs`: one load in this process read 30 ms
    // in one run and 70 ms in the next on this shared host); then the test
    // texts predicted from raw text on one thread.
    let file =
        std::env::temp_dir().join(format!("sift-classify-child-{}.sift", std::process::id()));
    model.context("no run")?.save(&file)?;
    let me = std::env::current_exe()?;
    let mut load_times = Vec::new();
    for _ in 0..runs {
        let out = Command::new(&me)
            .args(["load-child".into(), file.display().to_string(), threads.to_string()])
            .output()?;
        let text = String::from_utf8_lossy(&out.stdout);
        if !out.status.success() {
            bail!("load-child failed: {}", String::from_utf8_lossy(&out.stderr));
        }
        load_times.push(text.trim().parse::<f64>().context("load-child printed no time")?);
    }
    let load_s = median(load_times);
    let model = Model::load(&file);
    std::fs::remove_file(&file)?;
    let model = model?;
    let one = rayon::ThreadPoolBuilder::new().num_threads(1).build()?;
    let mut predict_times = Vec::new();
    let mut preds = Vec::new();
    for _ in 0..runs {
        let t = Instant::now();
        preds = one.install(|| model.predict(&xt, None));
        predict_times.push(t.elapsed().as_secs_f64());
    }
    let predict_s = median(predict_times);
    let correct = preds.iter().zip(&xl).filter(|(p, l)| &model.labels()[p.labels[0]] == *l).count();
    println!(
        "{}",
        serde_json::json!({"train_s": median(times), "load_s": load_s, "predict_s": predict_s, "docs_per_s": xt.len() as f64 / predict_s, "accuracy": correct as f64 / xt.len() as f64})
    );
    Ok(())
}

/// The child of the child: loads the model `file` and indexes it on
/// `threads` threads, once, and prints the seconds that took.
pub fn load_child(file: &str, threads: usize) -> Result<()> {
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build()?;
    // On the run's threads, as the CLI loads (its global pool is built
    // first): the checksum and the weights' check run in parallel pieces.
    let t = Instant::now();
    // SAFETY: the file is this benchmark's own, and nothing writes it
    // while this process lives.
    // (Dropped after the time is printed: unmapping is not loading.)
    #[allow(unsafe_code)]
    let _model = pool.install(|| {
        let model = unsafe { Model::load_mapped(std::path::Path::new(file)) }?;
        model.vectorizer().prepare();
        anyhow::Ok(model)
    })?;
    println!("{}", t.elapsed().as_secs_f64());
    Ok(())
}

pub fn run_classify(runs: usize) -> Result<()> {
    let python = std::env::var("SIFT_PYTHON").unwrap_or_else(|_| "python3".into());
    let peers = workspace_root().join("../shared/peers");
    println!("20 Newsgroups: vectorize + train from raw text (median of {runs}), predict the 7,532 test texts from raw text.");
    println!(
        "Peers via ../shared/peers with {python}, pinned to one core; sift in child processes.\n"
    );
    let mut argv = taskset("0").unwrap_or_default();
    argv.extend([
        python.clone(),
        peers.join("classify_sklearn.py").display().to_string(),
        "--data-dir".into(),
        data_dir().display().to_string(),
    ]);
    argv.extend([
        "--datasets".into(),
        "20ng".into(),
        "--ngrams".into(),
        "1".into(),
        "--models".into(),
        "linearsvc".into(),
        "--repeats".into(),
        runs.to_string(),
    ]);
    argv.extend([
        "--out".into(),
        std::env::temp_dir().join("sift-peer-sklearn.json").display().to_string(),
    ]);
    let sk = run_json(argv)?;
    let skr = &sk["results"][0];
    let mut argv = taskset("0").unwrap_or_default();
    argv.extend([
        python.clone(),
        peers.join("classify_fasttext.py").display().to_string(),
        "--data-dir".into(),
        data_dir().display().to_string(),
    ]);
    argv.extend([
        "--datasets".into(),
        "20ng".into(),
        "--repeats".into(),
        "1".into(),
        "--thread".into(),
        "1".into(),
    ]);
    argv.extend([
        "--out".into(),
        std::env::temp_dir().join("sift-peer-fasttext.json").display().to_string(),
    ]);
    let ft = run_json(argv)?;
    let ftr = &ft["results"][0];
    let me = std::env::current_exe()?;
    let mut rows = Vec::new();
    for (which, threads, cores) in [
        ("like-sklearn", 1, "0"),
        ("like-sklearn", 2, "0,1"),
        ("like-sklearn-tol0.1", 1, "0"),
        ("like-sklearn-tol0.1", 2, "0,1"),
        ("default", 1, "0"),
        ("default", 2, "0,1"),
    ] {
        let mut argv = taskset(cores).unwrap_or_default();
        argv.extend([
            me.display().to_string(),
            "classify-child".into(),
            which.into(),
            threads.to_string(),
            runs.to_string(),
        ]);
        rows.push((which, threads, run_json(argv)?));
    }
    println!(
        "{:<40} {:>9} {:>10} {:>10} {:>9}",
        "system", "train s", "predict s", "docs/s", "accuracy"
    );
    let f = |v: &Value, k: &str| v[k].as_f64().unwrap_or(f64::NAN);
    println!(
        "{:<40} {:>9.2} {:>10.2} {:>10.0} {:>9.4}",
        "scikit-learn TF-IDF + LinearSVC (1,1)",
        f(skr, "train_s"),
        f(skr, "predict_s"),
        7532.0 / f(skr, "predict_s"),
        f(skr, "accuracy")
    );
    println!(
        "{:<40} {:>9.2} {:>10.2} {:>10.0} {:>9.4}",
        "fastText supervised (tutorial, 1 thread)",
        f(ftr, "train_s"),
        f(ftr, "predict_s"),
        7532.0 / f(ftr, "predict_s"),
        f(ftr, "accuracy")
    );
    for (which, threads, v) in &rows {
        println!(
            "{:<40} {:>9.2} {:>10.2} {:>10.0} {:>9.4}   (load + index, fresh process, median: {:.1} ms)",
            format!("sift {which}, {threads} thread(s)"),
            f(v, "train_s"),
            f(v, "predict_s"),
            f(v, "docs_per_s"),
            f(v, "accuracy"),
            f(v, "load_s") * 1000.0
        );
    }
    println!("(sift predicts on one thread, median of {runs}; scikit-learn and fastText as their scripts time it)");
    let ratio = |i: usize| f(skr, "train_s") / f(&rows[i].2, "train_s");
    println!("\nratios (scikit-learn train s / sift train s), 1 thread / 2 threads:");
    println!("  like-for-like (LinearSVC's tolerance 1e-4):  {:.1}x / {:.1}x", ratio(0), ratio(1));
    println!("  like-for-like at LIBLINEAR's tolerance 0.1:  {:.1}x / {:.1}x", ratio(2), ratio(3));
    println!("  sift's default pipeline:                     {:.1}x / {:.1}x", ratio(4), ratio(5));
    println!(
        "fastText train s / sift default train s, 1 thread each: {:.1}x",
        f(ftr, "train_s") / f(&rows[4].2, "train_s")
    );
    Ok(())
}
