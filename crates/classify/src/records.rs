//! Sparse records for linfa: TF-IDF rows in CSR form.

use crate::error::{Error, Result};
use linfa::dataset::DatasetBase;
use ndarray::Array1;
use sift_tfidf::Csr;

/// Checks that a dataset has rows and one target per row.
pub(crate) fn check_shapes(n_rows: usize, n_targets: usize) -> Result<()> {
    if n_rows != n_targets {
        return Err(Error::Data(format!("{n_rows} rows but {n_targets} targets")));
    }
    if n_rows == 0 {
        return Err(Error::Data("no examples".into()));
    }
    Ok(())
}

/// A single-label dataset (targets are class indices) as the learners take
/// it: the matrix, the number of classes (at least 2) and every row index.
pub(crate) fn single_label(
    ds: &DatasetBase<SparseRecords, Array1<usize>>,
) -> Result<(&Csr<f32>, usize, Vec<usize>)> {
    let x = ds.records.matrix();
    check_shapes(x.nrows(), ds.targets.len())?;
    let k = ds.targets.iter().max().map_or(0, |&m| m + 1).max(2);
    Ok((x, k, (0..x.nrows()).collect()))
}

/// A sparse design matrix (rows = documents) that linfa's traits accept as
/// `Records`, so sift's learners plug into `linfa::DatasetBase`, `Fit` and
/// `Predict` like linfa's own.
#[derive(Clone, Debug, PartialEq)]
pub struct SparseRecords {
    x: Csr<f32>,
}

impl SparseRecords {
    /// Wraps a CSR matrix.
    pub fn new(x: Csr<f32>) -> Self {
        SparseRecords { x }
    }

    /// The matrix.
    pub fn matrix(&self) -> &Csr<f32> {
        &self.x
    }

    /// The matrix, by value.
    pub fn into_matrix(self) -> Csr<f32> {
        self.x
    }

    /// A new set holding the rows `rows` (in that order).
    pub fn select(&self, rows: &[usize]) -> SparseRecords {
        let mut indptr = Vec::with_capacity(rows.len() + 1);
        indptr.push(0);
        let mut indices = Vec::new();
        let mut data = Vec::new();
        for &r in rows {
            let (c, v) = self.x.row(r);
            indices.extend_from_slice(c);
            data.extend_from_slice(v);
            indptr.push(indices.len());
        }
        // Rows of a valid matrix stay valid.
        let x = Csr::new(rows.len(), self.x.ncols(), indptr, indices, data)
            .unwrap_or_else(|_| Csr::empty(self.x.ncols()));
        SparseRecords { x }
    }
}

impl linfa::dataset::Records for SparseRecords {
    type Elem = f32;

    fn nsamples(&self) -> usize {
        self.x.nrows()
    }

    fn nfeatures(&self) -> usize {
        self.x.ncols()
    }
}

impl From<Csr<f32>> for SparseRecords {
    fn from(x: Csr<f32>) -> Self {
        SparseRecords::new(x)
    }
}

/// `model.predict(&records)` for sift's fitted models, as linfa offers for
/// dense arrays.
macro_rules! predict_sparse {
    ($($model:ty),*) => {$(
        impl<'a, T> linfa::traits::Predict<&'a SparseRecords, T> for $model
        where
            $model: linfa::traits::PredictInplace<SparseRecords, T>,
        {
            fn predict(&self, x: &'a SparseRecords) -> T {
                let mut y = linfa::traits::PredictInplace::default_target(self, x);
                linfa::traits::PredictInplace::predict_inplace(self, x, &mut y);
                y
            }
        }
    )*};
}

predict_sparse!(crate::LinearSvc, crate::Logistic, crate::NaiveBayes);
