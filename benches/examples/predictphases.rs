//! Development probe: prediction with a saved model from raw text on one
//! thread, for profiling (`perf record`). `predictphases MODEL [RUNS]`
//! predicts the 20 Newsgroups test texts and prints the fastest run.
use sift_classify::Model;
use std::time::Instant;

fn main() {
    let path = std::env::args().nth(1).expect("predictphases MODEL [RUNS]");
    let runs: usize = std::env::args().nth(2).and_then(|r| r.parse().ok()).unwrap_or(5);
    // MMAP=1: as `sift` loads it (weights in the mapped file).
    let model = if std::env::var_os("MMAP").is_some() {
        Model::load(std::path::Path::new(&path)).expect("model")
    } else {
        let bytes = std::fs::read(&path).expect("model file");
        Model::from_bytes(&bytes, &path).expect("model")
    };
    let texts = sift_benches::read_field("20newsgroups-bydate/test.jsonl.gz", "text");
    let one = rayon::ThreadPoolBuilder::new().num_threads(1).build().expect("pool");
    one.install(|| model.vectorizer().prepare());
    let mut best = f64::MAX;
    for _ in 0..runs {
        let t = Instant::now();
        let p = one.install(|| model.predict(&texts, None));
        best = best.min(t.elapsed().as_secs_f64());
        assert_eq!(p.len(), texts.len());
    }
    let mut best_t = f64::MAX;
    for _ in 0..runs {
        let t = Instant::now();
        let x = one.install(|| model.vectorizer().transform(&texts));
        best_t = best_t.min(t.elapsed().as_secs_f64());
        assert_eq!(x.nrows(), texts.len());
    }
    println!("transform alone: best {:.1} ms", best_t * 1e3);
    println!(
        "{} docs, best {:.1} ms, {:.0} docs/s",
        texts.len(),
        best * 1e3,
        texts.len() as f64 / best
    );
}
