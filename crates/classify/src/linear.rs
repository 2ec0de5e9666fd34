//! The fitted form shared by every learner: one weight vector and bias per
//! class (a linear scorer), applied to sparse rows.

use crate::floats::Floats;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use sift_tfidf::Csr;

/// Writes weights as one byte string of little-endian `f32`s (model format
/// 2), so reading them is one pass over borrowed bytes instead of one
/// deserializer call per weight (format 1's sequence of `f32`s took about
/// half of the decoding time of a 25 MB weight vector).
fn floats_as_bytes<S: serde::Serializer>(w: &Floats, s: S) -> Result<S::Ok, S::Error> {
    let mut bytes = Vec::with_capacity(w.len() * 4);
    for x in w.as_slice() {
        bytes.extend_from_slice(&x.to_le_bytes());
    }
    s.serialize_bytes(&bytes)
}

/// Reads what [`floats_as_bytes`] wrote; a length that is not a whole number
/// of `f32`s is an error.
fn floats_from_bytes<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Floats, D::Error> {
    struct V;
    impl serde::de::Visitor<'_> for V {
        type Value = Vec<f32>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("little-endian f32 bytes")
        }
        fn visit_bytes<E: serde::de::Error>(self, b: &[u8]) -> Result<Vec<f32>, E> {
            if b.len() % 4 != 0 {
                return Err(E::invalid_length(b.len(), &self));
            }
            Ok(floats_le(b))
        }
    }
    d.deserialize_bytes(V).map(Floats::Owned)
}

/// Deserializes a `Vec<f32>` allocated once at its stated length: serde's
/// own `Vec` grows from at most 1 MiB by doubling, which copied and faulted
/// in a 25 MB weight vector several times over. postcard states a length
/// only when that many bytes remain in the input, so a damaged length
/// cannot make this allocate more than the file's size justifies.
fn floats_exact<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<f32>, D::Error> {
    struct V;
    impl<'de> serde::de::Visitor<'de> for V {
        type Value = Vec<f32>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a sequence of f32")
        }
        fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<f32>, A::Error> {
            let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0));
            while let Some(x) = seq.next_element::<f32>()? {
                out.push(x);
            }
            Ok(out)
        }
    }
    d.deserialize_seq(V)
}

/// Per class `c`: `score_c(x) = w_c · x + b_c`.
///
/// Weights are stored feature-major (the weights of all classes for one
/// feature side by side), so scoring a sparse row reads one contiguous run
/// per nonzero.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LinearModel {
    n_features: usize,
    n_classes: usize,
    /// Feature-major: `weights[j * n_classes + c]`.
    #[serde(serialize_with = "floats_as_bytes", deserialize_with = "floats_from_bytes")]
    weights: Floats,
    bias: Vec<f32>,
}

/// A [`LinearModel`] as model format 1 wrote it: the weights as a sequence
/// of `f32`s. Read for old model files (written only by tests).
#[derive(Deserialize)]
#[cfg_attr(test, derive(Serialize))]
pub(crate) struct LinearModelV1 {
    n_features: usize,
    n_classes: usize,
    #[serde(deserialize_with = "floats_exact")]
    weights: Vec<f32>,
    bias: Vec<f32>,
}

impl From<LinearModelV1> for LinearModel {
    fn from(m: LinearModelV1) -> Self {
        LinearModel {
            n_features: m.n_features,
            n_classes: m.n_classes,
            weights: m.weights.into(),
            bias: m.bias,
        }
    }
}

#[cfg(test)]
impl From<&LinearModel> for LinearModelV1 {
    fn from(m: &LinearModel) -> Self {
        LinearModelV1 {
            n_features: m.n_features,
            n_classes: m.n_classes,
            weights: m.weights.to_vec(),
            bias: m.bias.clone(),
        }
    }
}

/// A [`LinearModel`] as formats 2 and 3 store it, its weights still the
/// file's little-endian bytes (borrowed), so that [`Model::load`] can turn
/// them into `f32`s where they lie instead of copying them.
///
/// [`Model::load`]: crate::Model::load
#[derive(Deserialize)]
pub(crate) struct RawLinearModel<'a> {
    n_features: usize,
    n_classes: usize,
    #[serde(borrow)]
    weights: &'a [u8],
    bias: Vec<f32>,
}

impl<'a> RawLinearModel<'a> {
    /// The weights' bytes.
    pub(crate) fn weights(&self) -> &'a [u8] {
        self.weights
    }

    /// The weights' bytes, and the rest of the model.
    pub(crate) fn split(self) -> (&'a [u8], ScorerShape) {
        let shape =
            ScorerShape { n_features: self.n_features, n_classes: self.n_classes, bias: self.bias };
        (self.weights, shape)
    }
}

/// A [`LinearModel`] waiting for its weights.
pub(crate) struct ScorerShape {
    n_features: usize,
    n_classes: usize,
    bias: Vec<f32>,
}

impl ScorerShape {
    /// The model (its shapes are checked by the caller, as for any loaded
    /// model).
    pub(crate) fn with_weights(self, weights: Floats) -> LinearModel {
        LinearModel {
            n_features: self.n_features,
            n_classes: self.n_classes,
            weights,
            bias: self.bias,
        }
    }
}

/// Little-endian `f32` bytes into `f32`s (a trailing partial value is
/// dropped: the caller rejects lengths that are not a multiple of 4).
pub(crate) fn floats_le(b: &[u8]) -> Vec<f32> {
    b.chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect()
}

/// `true` when no value is infinite or NaN. On the bits, hand-written: a
/// value is not finite exactly when its exponent bits are all ones, so when
/// its magnitude's bits plus the exponent's lowest bit reach the sign bit.
/// Integer `and`, `add` and `or` with no early exit vectorize; a fold of
/// `f32::is_finite` did not (cachegrind: 2.1 instructions per weight, 13.4
/// of the 94 million of loading a 20 Newsgroups model).
fn all_finite(v: &[f32]) -> bool {
    let mark = |x: &f32| (x.to_bits() & 0x7fff_ffff) + 0x0080_0000;
    // Sixteen lanes at a time: the loop's own counting was as many
    // instructions as the test, four lanes per iteration.
    let blocks = v.chunks_exact(16);
    let tail = blocks.remainder().iter().fold(0, |acc, x| acc | mark(x));
    let lanes = blocks.fold([0u32; 16], |mut acc, b| {
        for (a, x) in acc.iter_mut().zip(b) {
            *a |= mark(x);
        }
        acc
    });
    (lanes.iter().fold(tail, |acc, &l| acc | l)) & 0x8000_0000 == 0
}

impl LinearModel {
    /// A model from class-major weights (`weights[c * n_features + j]`) and
    /// one bias per class.
    pub fn new(n_features: usize, class_major: Vec<f32>, bias: Vec<f32>) -> Self {
        let k = bias.len();
        debug_assert_eq!(class_major.len(), n_features * k);
        let mut weights = vec![0.0f32; n_features * k];
        if k > 0 {
            // Written in order, read from k sequential streams, in blocks of
            // features in parallel (class by class, every write landed on
            // another cache line of the whole output: a quarter of a second
            // per default 20 Newsgroups fit).
            const BLOCK: usize = 4096;
            weights.par_chunks_mut(BLOCK * k).enumerate().for_each(|(b, out)| {
                for (i, row) in out.chunks_exact_mut(k).enumerate() {
                    let j = b * BLOCK + i;
                    for (c, o) in row.iter_mut().enumerate() {
                        *o = class_major[c * n_features + j];
                    }
                }
            });
        }
        LinearModel { n_features, n_classes: k, weights: weights.into(), bias }
    }

    /// A model from feature-major weights (`weights[j * n_classes + c]`, the
    /// layout it keeps) and one bias per class: no copy.
    pub(crate) fn from_feature_major(n_features: usize, weights: Vec<f32>, bias: Vec<f32>) -> Self {
        debug_assert_eq!(weights.len(), n_features * bias.len());
        LinearModel { n_features, n_classes: bias.len(), weights: weights.into(), bias }
    }

    /// The weights of feature `j` for every class.
    #[inline]
    pub(crate) fn feature_weights(&self, j: usize) -> &[f32] {
        &self.weights[j * self.n_classes..(j + 1) * self.n_classes]
    }

    /// Whether the weights lie in a mapped model file.
    #[cfg(test)]
    pub(crate) fn weights_in_file(&self) -> bool {
        matches!(self.weights, Floats::InFile { .. })
    }

    /// Number of input columns.
    pub fn n_features(&self) -> usize {
        self.n_features
    }

    /// Number of classes (scores per row).
    pub fn n_classes(&self) -> usize {
        self.n_classes
    }

    /// The weight of feature `j` for class `c`.
    #[inline]
    pub fn weight(&self, c: usize, j: usize) -> f32 {
        self.weights[j * self.n_classes + c]
    }

    /// The weights of class `c` (a copy, in feature order).
    pub fn class_weights(&self, c: usize) -> Vec<f32> {
        (0..self.n_features).map(|j| self.weight(c, j)).collect()
    }

    /// The bias of class `c`.
    pub fn class_bias(&self, c: usize) -> f32 {
        self.bias[c]
    }

    /// `true` when the shapes are consistent (checked after loading).
    pub(crate) fn is_consistent(&self) -> bool {
        self.bias.len() == self.n_classes
            && self.n_features.checked_mul(self.n_classes) == Some(self.weights.len())
            // Millions of weights are checked on every load (25 MB of a
            // 20 Newsgroups model): in parallel pieces of 1 MiB.
            && all_finite(&self.bias)
            && self.weights.par_chunks(1 << 18).all(all_finite)
    }

    /// Scores of one sparse row (columns beyond the model are ignored).
    #[inline]
    pub fn scores_row(&self, cols: &[u32], vals: &[f32], out: &mut Vec<f32>) {
        out.clear();
        out.extend_from_slice(&self.bias);
        let weights = self.weights.as_slice();
        // A kernel per class count up to 32 (hand-written dispatch): with
        // the count known at compile time, each feature's row is a few
        // vector loads and adds into registers; the generic loop took ~57
        // instructions per stored value for 20 classes (cachegrind,
        // predicting the 20 Newsgroups test texts). Same sums in the same
        // order, so the same scores to the bit.
        macro_rules! fixed {
            ($($k:literal)*) => {
                match self.n_classes {
                    $($k => scores_fixed::<$k>(weights, self.n_features, cols, vals, out),)*
                    _ => scores_any(weights, self.n_features, cols, vals, out),
                }
            };
        }
        fixed!(1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32)
    }

    /// Scores of every row, row-major `(rows, classes)`.
    pub fn scores(&self, x: &Csr<f32>) -> Vec<f32> {
        let mut out = Vec::with_capacity(x.nrows() * self.n_classes);
        let mut row = Vec::with_capacity(self.n_classes);
        for (cols, vals) in x.rows() {
            self.scores_row(cols, vals, &mut row);
            out.extend_from_slice(&row);
        }
        out
    }
}

/// [`LinearModel::scores_row`] for `K` classes: `out` holds the biases and
/// receives the scores; `weights` is feature-major.
#[inline]
fn scores_fixed<const K: usize>(
    weights: &[f32],
    n_features: usize,
    cols: &[u32],
    vals: &[f32],
    out: &mut [f32],
) {
    let mut acc = [0f32; K];
    acc.copy_from_slice(out);
    for (&c, &v) in cols.iter().zip(vals) {
        let c = c as usize;
        if c >= n_features {
            continue;
        }
        let row = &weights[c * K..c * K + K];
        for (a, &w) in acc.iter_mut().zip(row) {
            *a += w * v;
        }
    }
    out.copy_from_slice(&acc);
}

/// [`LinearModel::scores_row`] for any number of classes.
fn scores_any(weights: &[f32], n_features: usize, cols: &[u32], vals: &[f32], out: &mut [f32]) {
    let k = out.len();
    for (&c, &v) in cols.iter().zip(vals) {
        let c = c as usize;
        if c >= n_features {
            continue;
        }
        for (o, &w) in out.iter_mut().zip(&weights[c * k..(c + 1) * k]) {
            *o += w * v;
        }
    }
}

/// The index of the largest value (the first on ties).
pub fn argmax(v: &[f32]) -> usize {
    let mut best = 0;
    for (i, &x) in v.iter().enumerate() {
        if x > v[best] {
            best = i;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The bit test agrees with `f32::is_finite` on any bits: every
        /// NaN payload, both infinities, subnormals, the largest values.
        #[test]
        fn all_finite_is_is_finite_on_any_bits(
            bits in prop::collection::vec(
                prop_oneof![
                    any::<u32>(),
                    // Near the edges: exponent all ones or one below.
                    (0x7f7f_fff0u32..0x7f80_0010).prop_map(|b| b),
                    (0xff7f_fff0u32..0xff80_0010).prop_map(|b| b),
                ],
                0..40,
            ),
        ) {
            let v: Vec<f32> = bits.iter().map(|&b| f32::from_bits(b)).collect();
            prop_assert_eq!(all_finite(&v), v.iter().all(|x| x.is_finite()));
        }
    }

    #[test]
    fn all_finite_on_the_special_values() {
        let finite = [0.0, -0.0, f32::MAX, f32::MIN, f32::MIN_POSITIVE, 1e-45, -1e-45, 1.0];
        assert!(all_finite(&finite));
        assert!(all_finite(&[]));
        for bad in [f32::NAN, -f32::NAN, f32::INFINITY, f32::NEG_INFINITY, f32::from_bits(!0)] {
            let mut v = finite.to_vec();
            v.insert(3, bad);
            assert!(!all_finite(&v), "{bad}");
        }
    }

    #[test]
    fn a_weight_or_bias_that_is_not_finite_anywhere_is_inconsistent() {
        // More weights than one parallel piece of the check.
        let (d, k) = (150_001, 2);
        let ok = LinearModel::from_feature_major(d, vec![0.5; d * k], vec![0.0; k]);
        assert!(ok.is_consistent());
        for at in [0, (1 << 18) + 5, d * k - 1] {
            for bad in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY] {
                let mut w = vec![0.5; d * k];
                w[at] = bad;
                let m = LinearModel::from_feature_major(d, w, vec![0.0; k]);
                assert!(!m.is_consistent(), "{bad} at {at}");
            }
        }
        let m = LinearModel::from_feature_major(d, vec![0.5; d * k], vec![0.0, f32::NAN]);
        assert!(!m.is_consistent());
        let short = LinearModel {
            n_features: d,
            n_classes: k,
            weights: vec![0.5; 3].into(),
            bias: vec![0.0; k],
        };
        assert!(!short.is_consistent());
    }

    proptest! {
        /// Every class count (the fixed kernels up to 32 and the generic
        /// loop beyond) gives, to the bit, the naive per-class sum in
        /// column order; columns past the model are ignored.
        #[test]
        fn scores_row_is_the_naive_sum_for_any_class_count(
            k in 1usize..40,
            d in 1usize..30,
            seed in any::<u64>(),
            row in prop::collection::vec((0u32..40, -3.0f32..3.0), 0..25),
        ) {
            let mut x = seed | 1;
            let mut next = move || {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (x % 2001) as f32 / 1000.0 - 1.0
            };
            let weights: Vec<f32> = (0..d * k).map(|_| next()).collect();
            let bias: Vec<f32> = (0..k).map(|_| next()).collect();
            let m = LinearModel::from_feature_major(d, weights.clone(), bias.clone());
            let (cols, vals): (Vec<u32>, Vec<f32>) = row.into_iter().unzip();
            let mut got = Vec::new();
            m.scores_row(&cols, &vals, &mut got);
            for c in 0..k {
                let mut want = bias[c];
                for (&j, &v) in cols.iter().zip(&vals) {
                    if (j as usize) < d {
                        want += weights[j as usize * k + c] * v;
                    }
                }
                prop_assert_eq!(got[c].to_bits(), want.to_bits(), "class {} of {}", c, k);
            }
        }
    }

    #[test]
    fn class_major_weights_land_feature_major() {
        // More features than one parallel block, and a class count that is
        // not a power of two.
        let (d, k) = (9000, 3);
        let class_major: Vec<f32> = (0..d * k).map(|i| i as f32).collect();
        let m = LinearModel::new(d, class_major.clone(), vec![0.0; k]);
        for c in 0..k {
            assert_eq!(m.class_weights(c), &class_major[c * d..(c + 1) * d]);
        }
        assert_eq!(m.weight(2, 8999), (2 * d + 8999) as f32);
        let empty = LinearModel::new(5, Vec::new(), Vec::new());
        assert_eq!(empty.n_classes(), 0);
    }

    #[test]
    fn weights_decode_exactly_and_a_damaged_length_is_an_error() {
        let m = LinearModel::new(3, vec![1.0, -2.0, 0.25, 4.0, 5.5, -6.0], vec![0.5, -0.5]);
        let bytes = postcard::to_allocvec(&m).unwrap();
        let back: LinearModel = postcard::from_bytes(&bytes).unwrap();
        assert_eq!(back, m);
        // postcard: n_features 3, n_classes 2, then the weights' length in
        // bytes (24), then the bytes.
        assert_eq!(&bytes[..3], &[3, 2, 24]);
        assert_eq!(&bytes[3..7], &1.0f32.to_le_bytes());
        // A length of about 2^56 weights: allocated as stated, it would abort
        // the process; it is a plain decoding error.
        let mut bad = bytes.clone();
        bad.splice(2..3, [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F]);
        assert!(postcard::from_bytes::<LinearModel>(&bad).is_err());
        // A byte length that is not a whole number of f32s.
        let mut ragged = bytes.clone();
        ragged[2] = 23;
        assert!(postcard::from_bytes::<LinearModel>(&ragged).is_err());
        // Format 1 wrote a sequence of f32s: still read.
        let v1 = postcard::to_allocvec(&LinearModelV1::from(&m)).unwrap();
        assert_eq!(&v1[..3], &[3, 2, 6]);
        let old: LinearModelV1 = postcard::from_bytes(&v1).unwrap();
        assert_eq!(LinearModel::from(old), m);
    }
}
