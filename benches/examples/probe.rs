//! Development probe: costs of the counting loop's parts (not a benchmark).
use sift_benches::newsgroups_train;
use sift_tokenize::{hash_str, words, ArenaCache, Pattern};
use std::time::Instant;

fn best<F: FnMut() -> usize>(name: &str, mut f: F) {
    let mut b = f64::MAX;
    let mut r = 0;
    for _ in 0..5 {
        let t = Instant::now();
        r = f();
        b = b.min(t.elapsed().as_secs_f64());
    }
    println!("{name:30} {:7.1} ms  ({r})", b * 1e3);
}

fn main() {
    let docs = newsgroups_train();
    best("scan", || docs.iter().map(|d| words(d, Pattern::Sklearn).count()).sum());
    let mut spans = Vec::new();
    best("scan spans (iterator)", || {
        let mut n = 0;
        for d in &docs {
            spans.clear();
            spans.extend(words(d, Pattern::Sklearn).map(|t| (t.span.start, t.span.end)));
            n += spans.len();
        }
        n
    });
    best("scan spans (spans_into)", || {
        let mut n = 0;
        for d in &docs {
            spans.clear();
            words(d, Pattern::Sklearn).spans_into(&mut spans);
            n += spans.len();
        }
        n
    });
    best("scan+hash", || {
        docs.iter()
            .map(|d| {
                words(d, Pattern::Sklearn).map(|t| hash_str(t.text) as usize & 1).sum::<usize>()
            })
            .sum()
    });
    best("scan+hash+cache", || {
        let mut c: ArenaCache<u32> = ArenaCache::new(1 << 21, 1 << 28);
        let mut n = 0u32;
        let mut acc = 0usize;
        for d in &docs {
            for t in words(d, Pattern::Sklearn) {
                let h = hash_str(t.text);
                let v = match c.find(t.text, h) {
                    Some(s) => s.value,
                    None => {
                        n += 1;
                        c.insert(t.text, h, n).value
                    }
                };
                acc += v as usize & 1;
            }
        }
        acc
    });
    best("scan+hash+std hashmap", || {
        let mut c: std::collections::HashMap<&str, u32, rustc_hash::FxBuildHasher> =
            Default::default();
        let mut acc = 0usize;
        for d in &docs {
            for t in words(d, Pattern::Sklearn) {
                let n = c.len() as u32;
                acc += *c.entry(t.text).or_insert(n) as usize & 1;
            }
        }
        acc
    });
}
