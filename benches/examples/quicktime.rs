//! Quick timing for development: runs each TF-IDF configuration several
//! times on 20 Newsgroups train and prints the fastest run (the minimum is
//! robust to noise from other tenants). The figures to report come from
//! the criterion benches and `cargo xtask bench-peers`.
//!
//! `cargo run --release -p sift-benches --example quicktime [filter] [threads]`

use sift_benches::{newsgroups_train, tfidf_configs};
use std::time::Instant;

fn main() {
    let filter = std::env::args().nth(1).unwrap_or_default();
    let threads: usize = std::env::args().nth(2).and_then(|t| t.parse().ok()).unwrap_or(1);
    let docs = newsgroups_train();

    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("thread pool");
    let mut configs = tfidf_configs();
    // The vectorizer of the like-for-like training comparison.
    let like = sift_tfidf::TfidfParams::from_settings(sift_benches::like_sklearn().vectorizer);
    configs.push(("like-sklearn", like));
    for (name, params) in configs {
        if !name.contains(filter.as_str()) {
            continue;
        }
        let params = params.check().expect("valid params");
        let mut best = f64::MAX;
        let mut shape = (0, 0);
        let mut faults = Vec::new();
        for _ in 0..std::env::var("RUNS").ok().and_then(|r| r.parse().ok()).unwrap_or(7) {
            let f0 = minor_faults();
            let t = Instant::now();
            let (_, x) = pool.install(|| params.fit_transform(&docs).expect("fit"));
            best = best.min(t.elapsed().as_secs_f64());
            faults.push(minor_faults() - f0);
            shape = x.shape();
        }
        println!(
            "{name:12} threads={threads} min {:8.1} ms  shape {shape:?}  page faults per run {faults:?}",
            best * 1e3
        );
    }
}

/// Minor page faults of this process so far (Linux; 0 elsewhere): each
/// costs about 1.7 us on the development machine, so they show where memory
/// first touched, rather than computation, sets the time.
fn minor_faults() -> u64 {
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            let rest = &s[s.rfind(')')? + 2..];
            rest.split(' ').nth(7)?.parse().ok()
        })
        .unwrap_or(0)
}
