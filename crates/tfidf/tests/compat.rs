//! Compatibility fixtures: vectorizer files (`sift vectorize
//! --save-vectorizer`, formats 2 and 3) and the matrix those runs wrote
//! (`tests/compat/README.md` says how they were made). The files must keep
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
fn saved_vectorizers_of_formats_2_and_3_still_give_the_same_features() {
    let dir = root().join("tests/compat");
    let data = std::fs::read_to_string(root().join("../../datasets/themes/mixed.jsonl")).unwrap();
    let texts: Vec<String> = data
        .lines()
        .map(|l| {
            let r: serde_json::Value = serde_json::from_str(l).unwrap();
            r["text"].as_str().unwrap().to_string()
        })
        .collect();
    // Both runs wrote the same matrix (format 3 changed how the state is
    // stored, not what it holds).
    let (rows, cols, want) =
        read_mtx(&std::fs::read_to_string(dir.join("mixed-vec2.mtx")).unwrap());
    let mut current = Vec::new();
    for (file, format) in [("mixed-vec2.vec", 2), ("mixed-vec3.vec", 3)] {
        let bytes = std::fs::read(dir.join(file)).unwrap();
        assert_eq!(u32::from_le_bytes(bytes[8..12].try_into().unwrap()), format, "{file}");
        let v = TfidfVectorizer::from_file_bytes(&bytes).unwrap();
        let x = v.transform(&texts);
        assert_eq!((x.nrows(), x.ncols()), (rows, cols), "{file}");
        let mut got = Vec::new();
        for (i, (idx, vals)) in x.rows().enumerate() {
            got.extend(idx.iter().zip(vals).map(|(&c, &x)| (i + 1, c as usize + 1, x)));
        }
        assert_eq!(got.len(), want.len(), "{file}: nonzeros");
        for (g, w) in got.iter().zip(&want) {
            assert!(
                g.0 == w.0 && g.1 == w.1 && g.2.to_bits() == w.2.to_bits(),
                "{file}: {g:?} != {w:?}"
            );
        }
        // Saved again, it is a current-format file with the same features.
        let again = v.to_file_bytes();
        assert_eq!(
            TfidfVectorizer::from_file_bytes(&again).unwrap().transform(&texts).data(),
            x.data()
        );
        current.push(again);
    }
    assert_eq!(current[0], current[1], "both save as the same current-format bytes");
    assert_eq!(FORMAT_VERSION, 3, "a new vectorizer format needs its fixture here");
}
