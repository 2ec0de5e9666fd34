//! Compressed sparse rows: the vectorizer's output.

use crate::error::{Error, Result};
use num_traits::Float;

/// A CSR matrix with `u32` column indices, sorted within each row.
///
/// It moves into a [`sprs::CsMatI`] without copying ([`Csr::into_sprs`]) and
/// expands to a dense [`ndarray::Array2`] ([`Csr::to_dense`]).
#[derive(Clone, Debug, PartialEq)]
pub struct Csr<T> {
    nrows: usize,
    ncols: usize,
    indptr: Vec<usize>,
    indices: Vec<u32>,
    data: Vec<T>,
}

impl<T: Copy> Csr<T> {
    /// A matrix from its parts, checked: `indptr` has `nrows + 1`
    /// non-decreasing entries from 0 to `nnz`, and indices are strictly
    /// increasing within each row and below `ncols`.
    pub fn new(
        nrows: usize,
        ncols: usize,
        indptr: Vec<usize>,
        indices: Vec<u32>,
        data: Vec<T>,
    ) -> Result<Self> {
        let m = Csr { nrows, ncols, indptr, indices, data };
        m.validate()?;
        Ok(m)
    }

    pub(crate) fn from_parts_unchecked(
        nrows: usize,
        ncols: usize,
        indptr: Vec<usize>,
        indices: Vec<u32>,
        data: Vec<T>,
    ) -> Self {
        debug_assert!(Csr {
            nrows,
            ncols,
            indptr: indptr.clone(),
            indices: indices.clone(),
            data: data.clone()
        }
        .validate()
        .is_ok());
        Csr { nrows, ncols, indptr, indices, data }
    }

    fn validate(&self) -> Result<()> {
        let bad = |m: &str| Err(Error::Matrix(m.to_string()));
        if self.indptr.len() != self.nrows + 1 || self.indptr.first() != Some(&0) {
            return bad("indptr must have nrows + 1 entries starting at 0");
        }
        if self.indptr.last() != Some(&self.indices.len()) || self.indices.len() != self.data.len()
        {
            return bad("indptr must end at nnz, and indices and data must have nnz entries");
        }
        for r in 0..self.nrows {
            let (a, b) = (self.indptr[r], self.indptr[r + 1]);
            if a > b {
                return bad("indptr must not decrease");
            }
            let row = &self.indices[a..b];
            if row.windows(2).any(|w| w[0] >= w[1]) {
                return bad("column indices must increase strictly within a row");
            }
            if row.last().is_some_and(|&c| c as usize >= self.ncols) {
                return bad("a column index is out of range");
            }
        }
        Ok(())
    }

    /// An empty matrix with `ncols` columns.
    pub fn empty(ncols: usize) -> Self {
        Csr { nrows: 0, ncols, indptr: vec![0], indices: Vec::new(), data: Vec::new() }
    }

    /// `(rows, columns)`.
    pub fn shape(&self) -> (usize, usize) {
        (self.nrows, self.ncols)
    }

    /// Number of rows.
    pub fn nrows(&self) -> usize {
        self.nrows
    }

    /// Number of columns.
    pub fn ncols(&self) -> usize {
        self.ncols
    }

    /// Number of stored values.
    pub fn nnz(&self) -> usize {
        self.data.len()
    }

    /// Row pointers (`nrows + 1` entries).
    pub fn indptr(&self) -> &[usize] {
        &self.indptr
    }

    /// Column indices, sorted within each row.
    pub fn indices(&self) -> &[u32] {
        &self.indices
    }

    /// Values.
    pub fn data(&self) -> &[T] {
        &self.data
    }

    /// Row `i` as (column indices, values).
    pub fn row(&self, i: usize) -> (&[u32], &[T]) {
        let (a, b) = (self.indptr[i], self.indptr[i + 1]);
        (&self.indices[a..b], &self.data[a..b])
    }

    /// Iterates over rows as (column indices, values).
    pub fn rows(&self) -> impl ExactSizeIterator<Item = (&[u32], &[T])> + '_ {
        (0..self.nrows).map(move |i| self.row(i))
    }

    /// The parts: `(nrows, ncols, indptr, indices, data)`.
    pub fn into_parts(self) -> (usize, usize, Vec<usize>, Vec<u32>, Vec<T>) {
        (self.nrows, self.ncols, self.indptr, self.indices, self.data)
    }

    /// Stacks matrices with the same number of columns vertically.
    pub fn vstack(mut parts: Vec<Csr<T>>) -> Result<Self> {
        let ncols = parts.first().map_or(0, |p| p.ncols);
        if parts.iter().any(|p| p.ncols != ncols) {
            return Err(Error::Shape(
                "cannot stack matrices with different numbers of columns".into(),
            ));
        }
        if parts.len() == 1 {
            return Ok(parts.remove(0));
        }
        let nnz = parts.iter().map(|p| p.nnz()).sum();
        let nrows = parts.iter().map(|p| p.nrows).sum();
        let mut indptr = Vec::with_capacity(nrows + 1);
        indptr.push(0);
        let mut indices = Vec::with_capacity(nnz);
        let mut data = Vec::with_capacity(nnz);
        for p in parts {
            let base = indices.len();
            indptr.extend(p.indptr[1..].iter().map(|&x| x + base));
            indices.extend_from_slice(&p.indices);
            data.extend_from_slice(&p.data);
        }
        Ok(Csr { nrows, ncols, indptr, indices, data })
    }

    /// Converts the values to another float type.
    pub fn cast<U: Float>(&self) -> Csr<U>
    where
        T: Float,
    {
        Csr {
            nrows: self.nrows,
            ncols: self.ncols,
            indptr: self.indptr.clone(),
            indices: self.indices.clone(),
            data: self.data.iter().map(|&v| U::from(v).unwrap_or_else(U::nan)).collect(),
        }
    }

    /// Moves into a `sprs` matrix without copying the arrays.
    pub fn into_sprs(self) -> sprs::CsMatI<T, u32, usize> {
        let (nrows, ncols) = (self.nrows, self.ncols);
        match sprs::CsMatI::try_new((nrows, ncols), self.indptr, self.indices, self.data) {
            Ok(m) => m,
            // Unreachable: the structure is validated on construction.
            Err((indptr, indices, data, e)) => {
                panic!(
                    "invalid CSR structure ({e}): {} rows, {} indptr, {} indices, {} values",
                    nrows,
                    indptr.len(),
                    indices.len(),
                    data.len()
                )
            }
        }
    }
}

impl<T: Float> Csr<T> {
    /// Expands to a dense `(rows, columns)` array (mind the memory: rows x
    /// columns values).
    pub fn to_dense(&self) -> ndarray::Array2<T> {
        let mut out = ndarray::Array2::zeros((self.nrows, self.ncols));
        for (r, mut row) in out.rows_mut().into_iter().enumerate() {
            let (idx, vals) = self.row(r);
            for (&c, &v) in idx.iter().zip(vals) {
                row[c as usize] = v;
            }
        }
        out
    }

    /// Dot product of row `i` with a dense vector.
    pub fn row_dot(&self, i: usize, w: &[T]) -> T {
        let (idx, vals) = self.row(i);
        idx.iter().zip(vals).fold(T::zero(), |acc, (&c, &v)| acc + v * w[c as usize])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Csr<f32> {
        Csr::new(3, 4, vec![0, 2, 2, 3], vec![0, 3, 1], vec![1.0, 2.0, 3.0]).unwrap()
    }

    #[test]
    fn structure_is_checked() {
        assert!(Csr::new(2, 4, vec![0, 1], vec![0], vec![1.0f32]).is_err());
        assert!(Csr::new(1, 4, vec![0, 2], vec![3, 1], vec![1.0f32, 2.0]).is_err());
        assert!(Csr::new(1, 2, vec![0, 1], vec![2], vec![1.0f32]).is_err());
        assert!(Csr::new(1, 4, vec![0, 2], vec![1, 1], vec![1.0f32, 2.0]).is_err());
    }

    #[test]
    fn conversions() {
        let m = sample();
        let d = m.to_dense();
        assert_eq!(d, ndarray::array![[1.0, 0.0, 0.0, 2.0], [0.0; 4], [0.0, 3.0, 0.0, 0.0]]);
        assert_eq!(m.row_dot(0, &[1.0, 1.0, 1.0, 0.5]), 2.0);
        let s = m.clone().into_sprs();
        assert_eq!(s.to_dense(), d);
        let stacked = Csr::vstack(vec![m.clone(), m.clone()]).unwrap();
        assert_eq!(stacked.shape(), (6, 4));
        assert_eq!(stacked.row(5), m.row(2));
        assert_eq!(m.cast::<f64>().data(), &[1.0, 2.0, 3.0]);
    }
}
