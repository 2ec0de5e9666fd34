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
