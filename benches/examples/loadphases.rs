//! Development probe: where loading a model file goes (read, container
//! check and decode, lookup index). `loadphases MODEL`; with `REWRITE=OUT`,
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
        let bytes = std::fs::read(&path).expect("read");
        let read = t.elapsed();
        let m = Model::from_bytes(&bytes, &path).expect("model");
        let decode = t.elapsed() - read;
        m.vectorizer().prepare();
        let index = t.elapsed() - read - decode;
        println!(
            "read {:6.1} ms  decode {:6.1} ms  index {:6.1} ms  ({} bytes)",
            read.as_secs_f64() * 1e3,
            decode.as_secs_f64() * 1e3,
            index.as_secs_f64() * 1e3,
            bytes.len()
        );
    }
}
