//! Development probe: where loading a model file goes (`Model::load`:
//! read, check and decode; then the lookup index). `loadphases MODEL`; with `REWRITE=OUT`,
//! also saves the model to OUT in the current format.
use sift_classify::Model;
use std::time::Instant;

fn main() {
    let path = std::env::args().nth(1).expect("a model path");
    if let Ok(out) = std::env::var("REWRITE") {
        let m = Model::load(std::path::Path::new(&path)).expect("model");
        m.save(std::path::Path::new(&out)).expect("save");
    }
    for _ in 0..5 {
        let t = Instant::now();
        let m = Model::load(std::path::Path::new(&path)).expect("model");
        let load = t.elapsed();
        m.vectorizer().prepare();
        let index = t.elapsed() - load;
        println!(
            "read+decode {:6.1} ms  index {:6.1} ms  total {:6.1} ms",
            load.as_secs_f64() * 1e3,
            index.as_secs_f64() * 1e3,
            (load + index).as_secs_f64() * 1e3,
        );
    }
}
