//! Compatibility fixture: a vectorizer file (`sift vectorize
//! --save-vectorizer`, format 2) and the matrix that run wrote
//! (`tests/compat/README.md` says how they were made). The file must keep
//! loading and giving the same features, to the bit: users keep such files
//! to transform new data into the columns of an old matrix.

use sift_tfidf::{TfidfVectorizer, FORMAT_VERSION};
use std::path::PathBuf;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The Matrix Market coordinate file as (rows, columns, entries).
fn read_mtx(text: &str) -> (usize, usize, Vec<(usize, usize, f32)>) {
    let mut lines = text.lines().filter(|l| !l.starts_with('%'));
    let size: Vec<usize> =
        lines.next().unwrap().split_whitespace().map(|x| x.parse().unwrap()).collect();
    let entries: Vec<(usize, usize, f32)> = lines
        .map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            (f[0].parse().unwrap(), f[1].parse().unwrap(), f[2].parse().unwrap())
        })
        .collect();
    assert_eq!(entries.len(), size[2]);
    (size[0], size[1], entries)
}

#[test]
fn a_saved_vectorizer_of_format_2_still_gives_the_same_features() {
    let dir = root().join("tests/compat");
    let bytes = std::fs::read(dir.join("mixed-vec2.vec")).unwrap();
    let v = TfidfVectorizer::from_file_bytes(&bytes).unwrap();
    let data = std::fs::read_to_string(root().join("../../datasets/themes/mixed.jsonl")).unwrap();
    let texts: Vec<String> = data
        .lines()
        .map(|l| {
            let r: serde_json::Value = serde_json::from_str(l).unwrap();
            r["text"].as_str().unwrap().to_string()
        })
        .collect();
    let x = v.transform(&texts);
    let (rows, cols, want) =
        read_mtx(&std::fs::read_to_string(dir.join("mixed-vec2.mtx")).unwrap());
    assert_eq!((x.nrows(), x.ncols()), (rows, cols));
    let mut got = Vec::new();
    for (i, (idx, vals)) in x.rows().enumerate() {
        got.extend(idx.iter().zip(vals).map(|(&c, &x)| (i + 1, c as usize + 1, x)));
    }
    assert_eq!(got.len(), want.len(), "nonzeros");
    for (g, w) in got.iter().zip(&want) {
        assert!(g.0 == w.0 && g.1 == w.1 && g.2.to_bits() == w.2.to_bits(), "{g:?} != {w:?}");
    }
    // Saved again, it is a current-format file with the same features.
    let again = TfidfVectorizer::from_file_bytes(&v.to_file_bytes()).unwrap();
    assert_eq!(again.transform(&texts).data(), x.data());
    assert_eq!(FORMAT_VERSION, 2, "a new vectorizer format needs its fixture here");
}
