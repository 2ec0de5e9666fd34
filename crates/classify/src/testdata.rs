//! Random problems for the learners' unit tests.

use crate::rng::Rng;
use sift_tfidf::Csr;

/// A small random sparse problem: `n` rows, `d` columns, `k` classes; the
/// rows (all of them) and a label per row.
pub(crate) fn problem(
    n: usize,
    d: usize,
    k: usize,
    seed: u64,
) -> (Csr<f32>, Vec<usize>, Vec<usize>) {
    let mut rng = Rng::new(seed, 0);
    let (mut indptr, mut indices, mut data) = (vec![0], Vec::new(), Vec::new());
    for _ in 0..n {
        for j in 0..d {
            if rng.below(3) == 0 {
                indices.push(j as u32);
                data.push((rng.below(1000) as f32 / 500.0) - 1.0);
            }
        }
        indptr.push(indices.len());
    }
    let x = Csr::new(n, d, indptr, indices, data).unwrap();
    let y = (0..n).map(|_| rng.below(k)).collect();
    (x, (0..n).collect(), y)
}

/// A sparse problem's matrix: `n` rows of at most three entries (positive
/// values) over `d` columns, so most columns miss most rows.
pub(crate) fn sparse(n: usize, d: usize) -> Csr<f32> {
    let (mut indptr, mut indices, mut data) = (vec![0], Vec::new(), Vec::new());
    for i in 0..n {
        let mut cols = vec![i % d, (i * 7) % d, (i * 13 + 5) % d];
        cols.sort();
        cols.dedup();
        for c in cols {
            indices.push(c as u32);
            data.push(0.25 + (i * c % 11) as f32 / 10.0);
        }
        indptr.push(indices.len());
    }
    Csr::new(n, d, indptr, indices, data).unwrap()
}
