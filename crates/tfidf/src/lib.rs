//! # sift-tfidf
//!
//! The performance-critical core of sift: text in, sparse TF-IDF vectors
//! out, equal to scikit-learn's `TfidfVectorizer` when configured the same
//! way, and many times faster.
//!
//! * [`TfidfParams`] is an unchecked builder (scikit-learn's defaults),
//!   validated by [`TfidfParams::check`] into [`TfidfValidParams`], which
//!   fits a [`TfidfVectorizer`].
//! * Output is a [`Csr`] matrix with sorted `u32` column indices (`f32` by
//!   default, `f64` on request), movable into `sprs` without copying.
//! * Vocabulary columns are in sorted term order, so they line up with
//!   scikit-learn's. A hashing mode ([`Hashing`]) keeps no vocabulary.
//! * Fitting and transforming run on rayon's thread pool; the output is the
//!   same whatever the number of threads.
//! * A fitted vectorizer saves to a compact, versioned binary form
//!   ([`TfidfVectorizer::to_bytes`]) used inside sift's model files.
//!
//! ```
//! use sift_tfidf::TfidfParams;
//!
//! let docs = ["Tariffs on steel rose.", "Hackers stole records.", "Steel tariffs and hackers."];
//! let (vectorizer, x) = TfidfParams::new().check().unwrap().fit_transform(&docs).unwrap();
//! assert_eq!(x.shape(), (3, vectorizer.vocabulary().len()));
//! let steel = vectorizer.column_of("steel").unwrap();
//! let (cols, _) = x.row(0);
//! assert!(cols.contains(&(steel as u32)));
//! ```
//!
//! How it is fast: words are scanned without allocation, each distinct raw
//! word is analyzed once per worker (a word -> id cache), n-grams are keyed by
//! word ids rather than joined strings, and the vocabulary is sorted by word
//! ranks instead of comparing n-gram strings.
#![deny(missing_docs)]
#![warn(clippy::unwrap_used)]
#![cfg_attr(test, allow(clippy::unwrap_used))]

mod colsort;
pub mod container;
mod count;
mod csr;
mod error;
mod murmur;
mod params;
mod vectorizer;
mod vocab;
mod wordtable;

pub use csr::Csr;

pub use error::{no_terms_message, Error, Result};
pub use murmur::{hashed_feature, murmur3_32};
pub use params::{DocFreq, Hashing, Norm, TfidfParams, TfidfSettings, TfidfValidParams};
pub use vectorizer::{TfidfVectorizer, FORMAT_VERSION, MAGIC};
pub use vocab::Vocabulary;

/// Asks the processor to start loading the cache line of `r` into its
/// caches, without waiting for it; a no-op on other architectures than
/// x86-64. Shared with `sift-classify`'s SVM solver; not part of the
/// vectorizer's API.
///
/// A plain read ahead (`std::hint::black_box(*r)`) starts the load too, but
/// the processor cannot retire past it until it arrives, which stalled the
/// SVM solver (perf put 17% of its samples on such reads).
#[doc(hidden)]
#[inline(always)]
#[allow(unsafe_code)]
pub fn prefetch<T>(r: &T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch is only a hint to the cache: it never faults and
    // changes nothing the program can observe, and `r` is a live reference.
    // SSE, which has the instruction, is part of the x86-64 baseline.
    unsafe {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        _mm_prefetch::<_MM_HINT_T0>(r as *const T as *const i8);
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = r;
}
