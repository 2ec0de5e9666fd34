//! `cargo xtask bench-peers`: sift's TF-IDF against scikit-learn on the 20
//! Newsgroups train texts, in the same run on the same core.
//!
//! scikit-learn runs through `../shared/peers/vec_bench.py` (set up as its
//! README says; the interpreter is `$SIFT_PYTHON`, default `python3`). sift
//! runs in a child process of this xtask (`vec-child`) so that both report
//! their own peak memory (VmHWM / ru_maxrss). Both are pinned with `taskset`
//! when it exists: one core for one thread, two cores for two. Both
//! comparisons run in rounds (scikit-learn once, then sift's children), and
//! each ratio is the median of the rounds' own ratios, so both halves of a
//! ratio see the same host load.

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

/// The number `v[k]` of a child's JSON report (NaN when missing).
fn num(v: &Value, k: &str) -> f64 {
    v[k].as_f64().unwrap_or(f64::NAN)
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

/// This xtask's subcommand `args` in a child process, pinned to one core
/// for one thread, two for two: its JSON line.
fn xtask_child(threads: usize, args: &[String]) -> Result<Value> {
    let cores = if threads == 1 { "0" } else { "0,1" };
    let mut argv = taskset(cores).unwrap_or_default();
    argv.push(std::env::current_exe()?.display().to_string());
    argv.extend_from_slice(args);
    run_json(argv)
}

/// sift's TF-IDF in a child process (`vec-child`).
fn sift(name: &str, threads: usize, runs: usize) -> Result<Value> {
    xtask_child(threads, &["vec-child".into(), name.into(), threads.to_string(), runs.to_string()])
}

/// Runs per sift child in [`rounds`].
const RUNS_PER_CHILD: usize = 3;

/// The medians over [`rounds`] of one variant.
struct Measured {
    sklearn_s: f64,
    sklearn_kb: u64,
    one_s: f64,
    two_s: f64,
    /// The median of the rounds' scikit-learn / sift-one-thread ratios.
    ratio: f64,
    /// The median of the rounds' one-thread / two-thread ratios.
    speedup: f64,
    /// The fastest one-thread run over the fastest two-thread run, of all
    /// the rounds: the speed-up with the least interference from other
    /// tenants of the host, which a two-thread run, needing both cores,
    /// meets more often.
    best_speedup: f64,
    one_kb: u64,
    /// The last rounds' reports (their output checks).
    sklearn: Value,
    sift: Value,
}

/// `rounds` rounds, each of one scikit-learn process (one timed run), one
/// one-thread sift child and one two-thread sift child (each the median of
/// [`RUNS_PER_CHILD`] runs; which sift child goes first alternates). Each
/// ratio is taken within a round, seconds apart, and the reported ratio is
/// the median of the rounds' ratios: load on this shared host drifts over
/// minutes (the same binary read 260-490 ms for one job within an hour), so
/// timing all of scikit-learn's runs before all of sift's could let that
/// drift, not the code, decide a ratio. Each child holds one thread pool, as
/// a user's process does; peak memory is the largest of the rounds'.
fn rounds(python: &str, name: &str, variant: &str, rounds: usize) -> Result<Measured> {
    let (mut sk, mut one, mut two, mut ratios, mut speedups) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let (mut sk_kb, mut one_kb) = (0, 0);
    let (mut one_best, mut two_best) = (f64::INFINITY, f64::INFINITY);
    let (mut sk_last, mut one_last) = (Value::Null, Value::Null);
    let secs = |v: &Value| num(v, "median_s");
    for round in 0..rounds.max(1) {
        let (k, kb) = sklearn(python, variant, 1)?;
        let (a, b) = if round % 2 == 0 {
            let a = sift(name, 1, RUNS_PER_CHILD)?;
            (a, sift(name, 2, RUNS_PER_CHILD)?)
        } else {
            let b = sift(name, 2, RUNS_PER_CHILD)?;
            (sift(name, 1, RUNS_PER_CHILD)?, b)
        };
        sk_kb = sk_kb.max(kb);
        one_kb = one_kb.max(a["peak_rss_kb"].as_u64().unwrap_or(0));
        sk.push(secs(&k));
        one.push(secs(&a));
        two.push(secs(&b));
        ratios.push(secs(&k) / secs(&a));
        speedups.push(secs(&a) / secs(&b));
        one_best = one_best.min(num(&a, "min_s"));
        two_best = two_best.min(num(&b, "min_s"));
        (sk_last, one_last) = (k, a);
    }
    Ok(Measured {
        sklearn_s: median(sk),
        sklearn_kb: sk_kb,
        one_s: median(one),
        two_s: median(two),
        ratio: median(ratios),
        speedup: median(speedups),
        best_speedup: one_best / two_best,
        one_kb,
        sklearn: sk_last,
        sift: one_last,
    })
}

pub fn run(runs: usize, only: Option<&str>) -> Result<()> {
    let python = std::env::var("SIFT_PYTHON").unwrap_or_else(|_| "python3".into());
    println!(
        "TF-IDF fit_transform on 20 Newsgroups train (11,314 docs, 22 MB); same machine, same run."
    );
    println!("scikit-learn via ../shared/peers/vec_bench.py with {python}; sift in child processes; one core unless noted.");
    println!("{runs} rounds, each: scikit-learn (one process, one timed run), then a one-thread sift child (one core)");
    println!("and a two-thread one (two cores), {RUNS_PER_CHILD} runs each, alternating which goes first. Times are medians");
    println!("over the rounds; ratio and 2t/1t are the medians of the rounds' own ratios; best 2t/1t is the");
    println!("fastest one-thread run over the fastest two-thread run of all rounds.\n");
    println!(
        "{:<11} {:>10} {:>10} {:>7} {:>10} {:>8} {:>8} {:>10} {:>10}  checks (vocabulary, nnz, sum of values: sklearn / sift)",
        "variant", "sklearn s", "sift 1t s", "ratio", "sift 2t s", "2t/1t", "best", "sk MiB", "sift MiB"
    );
    for &(name, variant, _) in VARIANTS {
        if only.is_some_and(|o| !name.contains(o)) {
            continue;
        }
        let m = rounds(&python, name, variant, runs)?;
        let (sk, one) = (&m.sklearn, &m.sift);
        let vocab =
            |v: &Value| v["vocabulary_size"].as_u64().map_or("-".to_string(), |x| x.to_string());
        println!(
            "{:<11} {:>10.3} {:>10.3} {:>6.1}x {:>10.3} {:>7.2}x {:>7.2}x {:>10.0} {:>10.0}  {}/{}, {}/{}, {:.2}/{:.2}",
            name,
            m.sklearn_s,
            m.one_s,
            m.ratio,
            m.two_s,
            m.speedup,
            m.best_speedup,
            m.sklearn_kb as f64 / 1024.0,
            m.one_kb as f64 / 1024.0,
            vocab(sk),
            vocab(one),
            sk["nnz"],
            one["nnz"],
            num(sk, "sum_data"),
            num(one, "sum_data"),
        );
    }
    Ok(())
}

// ------------------------------------------------------------ classification

/// The child: trains `which` ("like-sklearn", "like-sklearn-tol0.1" or
/// "default") on 20 Newsgroups train `runs` times on `threads` threads,
/// loads the model in `runs` fresh processes, then predicts the test set
/// `predict_runs` times on one thread; one JSON line of medians.
pub fn classify_child(which: &str, threads: usize, runs: usize, predict_runs: usize) -> Result<()> {
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
    for _ in 0..predict_runs.max(1) {
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

/// Predictions per sift child in [`run_classify`] (the child reports their
/// median, as scikit-learn's script does for its own).
const PREDICT_RUNS: usize = 3;

pub fn run_classify(runs: usize) -> Result<()> {
    let python = std::env::var("SIFT_PYTHON").unwrap_or_else(|_| "python3".into());
    let peers = workspace_root().join("../shared/peers");
    println!("20 Newsgroups: vectorize + train from raw text, predict the 7,532 test texts from raw text.");
    println!(
        "Peers via ../shared/peers with {python}, pinned to one core; sift in child processes."
    );
    println!("{runs} rounds, each: scikit-learn once, then each sift child once (one training, one load in a fresh");
    println!("process, the median of {PREDICT_RUNS} predictions); figures are medians over the rounds; fastText runs once.\n");
    // A peer script on 20 Newsgroups, pinned to one core: its first result.
    let peer = |script: &str, args: &[&str], out: &str| -> Result<Value> {
        let mut argv = taskset("0").unwrap_or_default();
        argv.extend([
            python.clone(),
            peers.join(script).display().to_string(),
            "--data-dir".into(),
            data_dir().display().to_string(),
            "--datasets".into(),
            "20ng".into(),
            "--out".into(),
            std::env::temp_dir().join(out).display().to_string(),
        ]);
        argv.extend(args.iter().map(|a| a.to_string()));
        Ok(run_json(argv)?["results"][0].clone())
    };
    let sklearn_once = || {
        peer(
            "classify_sklearn.py",
            &["--ngrams", "1", "--models", "linearsvc", "--repeats", "1"],
            "sift-peer-sklearn.json",
        )
    };
    let ftr = &peer(
        "classify_fasttext.py",
        &["--repeats", "1", "--thread", "1"],
        "sift-peer-fasttext.json",
    )?;
    const CHILDREN: [(&str, usize); 6] = [
        ("like-sklearn", 1),
        ("like-sklearn", 2),
        ("like-sklearn-tol0.1", 1),
        ("like-sklearn-tol0.1", 2),
        ("default", 1),
        ("default", 2),
    ];
    // Rounds: scikit-learn once, then each sift child once (one training,
    // one load in a fresh process, PREDICT_RUNS predictions), so that every
    // ratio compares runs seconds apart rather than scikit-learn's minute
    // against sift's (see [`rounds`]); the figures are medians over the
    // rounds.
    let (mut sk_runs, mut sift_runs) = (Vec::new(), vec![Vec::new(); CHILDREN.len()]);
    for _ in 0..runs.max(1) {
        sk_runs.push(sklearn_once()?);
        for (i, (which, threads)) in CHILDREN.iter().enumerate() {
            let args = [
                "classify-child".into(),
                which.to_string(),
                threads.to_string(),
                "1".into(),
                PREDICT_RUNS.to_string(),
            ];
            sift_runs[i].push(xtask_child(*threads, &args)?);
        }
    }
    let med = |vs: &[Value], k: &str| median(vs.iter().map(|v| num(v, k)).collect());
    let skr = serde_json::json!({
        "train_s": med(&sk_runs, "train_s"),
        "predict_s": med(&sk_runs, "predict_s"),
        "accuracy": med(&sk_runs, "accuracy"),
    });
    let rows: Vec<(&str, usize, Value)> = CHILDREN
        .iter()
        .zip(&sift_runs)
        .map(|(&(which, threads), vs)| {
            let ratio = median(
                sk_runs
                    .iter()
                    .zip(vs)
                    .map(|(k, v)| num(k, "train_s") / num(v, "train_s"))
                    .collect(),
            );
            let v = serde_json::json!({
                "train_s": med(vs, "train_s"),
                "predict_s": med(vs, "predict_s"),
                "docs_per_s": med(vs, "docs_per_s"),
                "accuracy": med(vs, "accuracy"),
                "load_s": med(vs, "load_s"),
                "ratio": ratio,
            });
            (which, threads, v)
        })
        .collect();
    println!(
        "{:<40} {:>9} {:>10} {:>10} {:>9}",
        "system", "train s", "predict s", "docs/s", "accuracy"
    );
    println!(
        "{:<40} {:>9.2} {:>10.2} {:>10.0} {:>9.4}",
        "scikit-learn TF-IDF + LinearSVC (1,1)",
        num(&skr, "train_s"),
        num(&skr, "predict_s"),
        7532.0 / num(&skr, "predict_s"),
        num(&skr, "accuracy")
    );
    println!(
        "{:<40} {:>9.2} {:>10.2} {:>10.0} {:>9.4}",
        "fastText supervised (tutorial, 1 thread)",
        num(ftr, "train_s"),
        num(ftr, "predict_s"),
        7532.0 / num(ftr, "predict_s"),
        num(ftr, "accuracy")
    );
    for (which, threads, v) in &rows {
        println!(
            "{:<40} {:>9.2} {:>10.2} {:>10.0} {:>9.4}   (load + index, fresh process, median: {:.1} ms)",
            format!("sift {which}, {threads} thread(s)"),
            num(v, "train_s"),
            num(v, "predict_s"),
            num(v, "docs_per_s"),
            num(v, "accuracy"),
            num(v, "load_s") * 1000.0
        );
    }
    println!("(sift predicts on one thread; scikit-learn and fastText as their scripts time it)");
    let ratio = |i: usize| num(&rows[i].2, "ratio");
    println!("\nratios (scikit-learn train s / sift train s; medians of the rounds' ratios), 1 thread / 2 threads:");
    println!("  like-for-like (LinearSVC's tolerance 1e-4):  {:.1}x / {:.1}x", ratio(0), ratio(1));
    println!("  like-for-like at LIBLINEAR's tolerance 0.1:  {:.1}x / {:.1}x", ratio(2), ratio(3));
    println!("  sift's default pipeline:                     {:.1}x / {:.1}x", ratio(4), ratio(5));
    println!(
        "fastText train s / sift default train s, 1 thread each: {:.1}x",
        num(ftr, "train_s") / num(&rows[4].2, "train_s")
    );
    Ok(())
}
