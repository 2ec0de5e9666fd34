//! Development probe: does dropping the training examples that inner
//! cross-validation gets wrong (`eval --folds K --errors N` lists them) make
//! a better model? Nested cross-validation on the BBC training split only
//! (6 seeds x 5 outer folds; inner: 5 folds x REPS repeats, dropping those
//! wrong in at least MINW repeats). Measured: no. Out-of-fold errors 203
//! without pruning against 262 (MINW=2, 888 dropped over the 30 outer folds)
//! and 256 (MINW=3, 665 dropped): the articles the model finds hard are
//! ambiguous, not mislabelled, and they teach it the borders.
//! `cargo run --release -p sift-benches --example pruneprobe`
use sift_classify::{
    metrics::stratified_folds, repeated_cross_validate, train, Example, TrainParams,
};

fn main() {
    let texts = sift_benches::read_field("bbc-news/all.jsonl.gz", "text");
    let labels = sift_benches::read_field("bbc-news/all.jsonl.gz", "label");
    let mut seen = std::collections::HashMap::new();
    let mut ex = Vec::new();
    for (t, l) in texts.into_iter().zip(labels) {
        let c = seen.entry(l.clone()).or_insert(0usize);
        if *c % 5 != 4 {
            ex.push(Example { text: t, labels: vec![l] });
        }
        *c += 1;
    }
    let names: Vec<String> = {
        let mut v: Vec<String> = ex.iter().map(|e| e.labels[0].clone()).collect();
        v.sort();
        v.dedup();
        v
    };
    let strata: Vec<usize> =
        ex.iter().map(|e| names.binary_search(&e.labels[0]).unwrap()).collect();
    let p = TrainParams::default();
    let min_wrong: usize = std::env::var("MINW").ok().and_then(|v| v.parse().ok()).unwrap_or(2);
    let reps: usize = std::env::var("REPS").ok().and_then(|v| v.parse().ok()).unwrap_or(3);
    let (mut base_err, mut prune_err, mut dropped) = (0usize, 0usize, 0usize);
    for seed in 100..106u64 {
        let fold = stratified_folds(&strata, 5, seed);
        let (mut b, mut q) = (0, 0);
        for f in 0..5 {
            let tr: Vec<Example> =
                (0..ex.len()).filter(|&i| fold[i] != f).map(|i| ex[i].clone()).collect();
            let te: Vec<Example> =
                (0..ex.len()).filter(|&i| fold[i] == f).map(|i| ex[i].clone()).collect();
            let m = train(&p, &tr).unwrap().model;
            let (r, _) = m.evaluate(&te).unwrap();
            b += te.len() - (r.accuracy * te.len() as f64).round() as usize;
            let cv = repeated_cross_validate(&p, &tr, 5, reps, &mut |_, _, _| {}).unwrap();
            let keep: Vec<Example> = tr
                .iter()
                .enumerate()
                .filter(|(i, e)| {
                    let truth = cv.labels.binary_search(&e.labels[0]).unwrap();
                    let wrong = cv.held_out.iter().filter(|h| h[*i].labels != [truth]).count();
                    wrong < min_wrong
                })
                .map(|(_, e)| e.clone())
                .collect();
            dropped += tr.len() - keep.len();
            let m = train(&p, &keep).unwrap().model;
            let (r, _) = m.evaluate(&te).unwrap();
            q += te.len() - (r.accuracy * te.len() as f64).round() as usize;
        }
        println!("seed {seed}: base {b} errors, pruned {q} errors");
        base_err += b;
        prune_err += q;
    }
    println!("total: base {base_err}, pruned {prune_err}, dropped {dropped} (over 30 outer folds)");
}
