//! Development probe: where the like-for-like training time goes.
use sift_classify::{train_with_progress, Example};
use std::time::Instant;

fn main() {
    let texts = sift_benches::newsgroups_train();
    let labels = sift_benches::read_field("20newsgroups-bydate/train.jsonl.gz", "label");
    // LIMIT=N: only the first N examples (for slow tools such as cachegrind).
    let limit = std::env::var("LIMIT").ok().and_then(|n| n.parse().ok()).unwrap_or(usize::MAX);
    let examples: Vec<Example> = texts
        .into_iter()
        .zip(labels)
        .take(limit)
        .map(|(text, l)| Example { text, labels: vec![l] })
        .collect();
    // DEFAULT=1: sift's default pipeline instead of the like-for-like one.
    let mut p = if std::env::var("DEFAULT").is_ok() {
        sift_classify::TrainParams::default()
    } else {
        sift_benches::like_sklearn()
    };
    if let Some(tol) = std::env::var("TOL").ok().and_then(|t| t.parse().ok()) {
        p.svm.tol = tol;
    }
    // RELAX=W: the SVM's over-relaxation factor (default: automatic).
    if let Some(w) = std::env::var("RELAX").ok().and_then(|t| t.parse().ok()) {
        p.svm.relaxation = Some(w);
    }
    let runs: usize = std::env::var("RUNS").ok().and_then(|r| r.parse().ok()).unwrap_or(3);
    for _ in 0..runs {
        let t = Instant::now();
        let mut last = 0.0;
        let mut line = String::new();
        train_with_progress(&p, &examples, &mut |step, done, _| {
            let now = t.elapsed().as_secs_f64();
            line += &format!("{step}:{done} +{:.0}ms  ", (now - last) * 1e3);
            last = now;
        })
        .expect("train");
        println!(
            "{line} end +{:.0}ms total {:.0}ms",
            (t.elapsed().as_secs_f64() - last) * 1e3,
            t.elapsed().as_secs_f64() * 1e3
        );
    }
}
