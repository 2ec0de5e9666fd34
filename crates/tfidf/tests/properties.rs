//! Property tests: the optimized vectorizer equals a naive dense reference
//! written from the definitions (string n-grams from the analyzer, ordered
//! maps, dense rows) for random small corpora and every parameter
//! combination; the output does not depend on the number of threads; saved
//! vectorizers load back identical; damaged bytes never panic.

use proptest::prelude::*;
use sift_tfidf::{
    hashed_feature, DocFreq, Hashing, Norm, TfidfParams, TfidfSettings, TfidfVectorizer,
};
use sift_tokenize::{Analyzer, AnalyzerConfig, Filter, Language, Pattern, StopList};
use std::collections::{BTreeMap, BTreeSet};

const WORDS: &[&str] = &[
    "trade",
    "Trade",
    "tariff",
    "tariffs",
    "the",
    "of",
    "spy",
    "spies",
    "data",
    "breach",
    "China's",
    "U.S.",
    "3.6",
    "state-sponsored",
    "ΟΔΟΣ",
    "naïve",
    "東京",
    "a",
    "hacking",
    "hacked",
    "x",
    "é",
];

fn corpus() -> impl Strategy<Value = Vec<String>> {
    let word = prop::sample::select(WORDS).prop_map(str::to_string);
    let doc = prop::collection::vec(prop_oneof![9 => word, 1 => "[a-c .,!]{0,6}"], 0..14)
        .prop_map(|ws| ws.join(" "));
    prop::collection::vec(doc, 1..9)
}

fn settings() -> impl Strategy<Value = TfidfSettings> {
    (
        (any::<bool>(), any::<bool>(), any::<bool>(), 1usize..3, 0usize..2),
        (prop_oneof![
            Just(DocFreq::Count(1)),
            Just(DocFreq::Count(2)),
            Just(DocFreq::Fraction(0.2))
        ]),
        (prop_oneof![
            Just(DocFreq::Fraction(1.0)),
            Just(DocFreq::Fraction(0.7)),
            Just(DocFreq::Count(4))
        ]),
        (prop_oneof![Just(None), Just(Some(3usize)), Just(Some(8))]),
        (any::<bool>(), any::<bool>(), any::<bool>(), any::<bool>()),
        prop_oneof![Just(Norm::L2), Just(Norm::L1), Just(Norm::None)],
    )
        .prop_map(
            |(
                (sift, stop, stem, min_n, extra),
                min_df,
                max_df,
                max_features,
                (binary, sublinear, use_idf, smooth),
                norm,
            )| {
                let mut filters = vec![Filter::Lowercase];
                if stop {
                    filters.push(Filter::StopWords {
                        list: StopList::English,
                        extra: vec!["spy".into()],
                    });
                }
                if stem {
                    filters.push(Filter::Stem { language: Language::English });
                }
                let pattern = if sift { Pattern::Sift } else { Pattern::Sklearn };
                TfidfSettings {
                    analyzer: AnalyzerConfig {
                        pattern,
                        filters,
                        ngram_range: (min_n, min_n + extra),
                    },
                    min_df,
                    max_df,
                    max_features,
                    binary,
                    sublinear_tf: sublinear,
                    use_idf,
                    smooth_idf: smooth,
                    norm,
                    hashing: None,
                }
            },
        )
}

/// Counts of each term per document, with n-grams as joined strings.
fn naive_counts(analyzer: &Analyzer, docs: &[String]) -> Vec<BTreeMap<String, f64>> {
    docs.iter()
        .map(|d| {
            let mut m = BTreeMap::new();
            for t in analyzer.terms(d) {
                *m.entry(t.text).or_insert(0.0) += 1.0;
            }
            m
        })
        .collect()
}

fn naive_weigh(row: &mut [f64], cols: &[usize], s: &TfidfSettings, idf: Option<&[f64]>) {
    for (v, &c) in row.iter_mut().zip(cols) {
        if s.binary {
            *v = 1.0;
        }
        if s.sublinear_tf {
            *v = v.ln() + 1.0;
        }
        if let Some(idf) = idf {
            *v *= idf[c];
        }
    }
    let n = match s.norm {
        Norm::L2 => row.iter().map(|v| v * v).sum::<f64>().sqrt(),
        Norm::L1 => row.iter().map(|v| v.abs()).sum(),
        Norm::None => 1.0,
    };
    if n != 0.0 {
        row.iter_mut().for_each(|v| *v /= n);
    }
}

/// Vocabulary, IDF and dense matrix.
type Reference = (Vec<String>, Option<Vec<f64>>, Vec<Vec<f64>>);

/// The reference: vocabulary, idf, dense matrix (or None when it must fail).
fn reference(s: &TfidfSettings, docs: &[String]) -> Option<Reference> {
    let analyzer = Analyzer::new(s.analyzer.clone()).unwrap();
    let counts = naive_counts(&analyzer, docs);
    let n = docs.len() as f64;
    let mut df: BTreeMap<&str, f64> = BTreeMap::new();
    let mut tf: BTreeMap<&str, f64> = BTreeMap::new();
    for row in &counts {
        for (t, c) in row {
            *df.entry(t).or_insert(0.0) += 1.0;
            *tf.entry(t).or_insert(0.0) += if s.binary { 1.0 } else { *c };
        }
    }
    let resolve = |d: DocFreq| match d {
        DocFreq::Count(c) => c as f64,
        DocFreq::Fraction(f) => f * n,
    };
    let (high, low) = (resolve(s.max_df), resolve(s.min_df));
    if df.is_empty() || high < low {
        return None;
    }
    let mut vocab: Vec<&str> =
        df.iter().filter(|(_, &d)| d <= high && d >= low).map(|(t, _)| *t).collect();
    if let Some(limit) = s.max_features {
        if vocab.len() > limit {
            let mut by: Vec<(usize, &str)> = vocab.iter().copied().enumerate().collect();
            by.sort_by(|a, b| tf[b.1].partial_cmp(&tf[a.1]).unwrap().then(a.0.cmp(&b.0)));
            let keep: BTreeSet<&str> = by[..limit].iter().map(|x| x.1).collect();
            vocab.retain(|t| keep.contains(t));
        }
    }
    if vocab.is_empty() {
        return None;
    }
    let sm = if s.smooth_idf { 1.0 } else { 0.0 };
    let idf: Option<Vec<f64>> =
        s.use_idf.then(|| vocab.iter().map(|t| ((n + sm) / (df[t] + sm)).ln() + 1.0).collect());
    let mut dense = Vec::new();
    for row in &counts {
        let mut cols = Vec::new();
        let mut vals = Vec::new();
        for (c, t) in vocab.iter().enumerate() {
            if let Some(&v) = row.get(*t) {
                cols.push(c);
                vals.push(v);
            }
        }
        naive_weigh(&mut vals, &cols, s, idf.as_deref());
        let mut full = vec![0.0; vocab.len()];
        for (c, v) in cols.into_iter().zip(vals) {
            full[c] = v;
        }
        dense.push(full);
    }
    Some((vocab.into_iter().map(str::to_string).collect(), idf, dense))
}

fn in_pool<R: Send>(threads: usize, f: impl FnOnce() -> R + Send) -> R {
    rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap().install(f)
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * (1.0 + a.abs().max(b.abs()))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 192, ..ProptestConfig::default() })]

    #[test]
    fn equals_naive_reference(s in settings(), docs in corpus()) {
        let params = TfidfParams::from_settings(s.clone()).check().unwrap();
        let expected = reference(&s, &docs);
        let got = params.fit_transform_as::<_, f64>(&docs);
        match (expected, got) {
            (None, Err(_)) => {}
            (Some(_), Err(e)) => prop_assert!(false, "sift failed: {e}"),
            (None, Ok((v, _))) => prop_assert!(false, "sift fitted {} terms where the reference fails", v.vocabulary().len()),
            (Some((vocab, idf, dense)), Ok((v, m))) => {
                let ours: Vec<&str> = v.vocabulary().iter().collect();
                prop_assert_eq!(ours, vocab.iter().map(String::as_str).collect::<Vec<_>>());
                match (idf, v.idf()) {
                    (Some(a), Some(b)) => prop_assert!(a.iter().zip(b).all(|(x, y)| close(*x, *y))),
                    (None, None) => {}
                    _ => prop_assert!(false, "idf presence differs"),
                }
                let got = m.to_dense();
                for (r, row) in dense.iter().enumerate() {
                    for (c, &x) in row.iter().enumerate() {
                        prop_assert!(close(x, got[[r, c]]), "row {} col {}: {} vs {}", r, c, x, got[[r, c]]);
                    }
                }
                // transform() of new text agrees with a refit-free reference:
                // the same documents give the same rows.
                prop_assert_eq!(v.transform_as::<_, f64>(&docs), m);
            }
        }
    }

    /// Text the vectorizer was not fitted on: unseen words break n-grams,
    /// pruned words still join kept ones, and the fitted IDF applies.
    #[test]
    fn transform_of_new_text_equals_naive_reference(
        s in settings(),
        docs in corpus(),
        new in corpus(),
    ) {
        let params = TfidfParams::from_settings(s.clone()).check().unwrap();
        if let (Some((vocab, idf, _)), Ok((v, _))) =
            (reference(&s, &docs), params.fit_transform_as::<_, f64>(&docs))
        {
            let analyzer = Analyzer::new(s.analyzer.clone()).unwrap();
            let got = v.transform_as::<_, f64>(&new).to_dense();
            for (r, row) in naive_counts(&analyzer, &new).iter().enumerate() {
                let (mut cols, mut vals) = (Vec::new(), Vec::new());
                for (c, t) in vocab.iter().enumerate() {
                    if let Some(&x) = row.get(t) {
                        cols.push(c);
                        vals.push(x);
                    }
                }
                naive_weigh(&mut vals, &cols, &s, idf.as_deref());
                let mut full = vec![0.0; vocab.len()];
                for (c, x) in cols.into_iter().zip(vals) {
                    full[c] = x;
                }
                for (c, &x) in full.iter().enumerate() {
                    prop_assert!(close(x, got[[r, c]]), "row {} col {}: {} vs {}", r, c, x, got[[r, c]]);
                }
            }
        }
    }

    #[test]
    fn thread_count_does_not_change_output(s in settings(), docs in corpus()) {
        // Repeat the corpus so several workers really split it.
        let docs: Vec<String> = docs.iter().cycle().take(docs.len() * 40).cloned().collect();
        let params = TfidfParams::from_settings(s).check().unwrap();
        let one = in_pool(1, || params.fit_transform(&docs).map(|(v, m)| (v.to_bytes(), m)));
        let two = in_pool(2, || params.fit_transform(&docs).map(|(v, m)| (v.to_bytes(), m)));
        let three = in_pool(3, || params.fit_transform(&docs).map(|(v, m)| (v.to_bytes(), m)));
        match (one, two, three) {
            (Ok(a), Ok(b), Ok(c)) => {
                prop_assert!(a == b && b == c);
            }
            (Err(_), Err(_), Err(_)) => {}
            _ => prop_assert!(false, "thread counts disagree on failing"),
        }
    }

    #[test]
    fn hashing_equals_naive_reference(s in settings(), docs in corpus(), n in 1u32..40, alt in any::<bool>()) {
        let s = TfidfSettings {
            min_df: DocFreq::Count(1), max_df: DocFreq::Fraction(1.0), max_features: None,
            hashing: Some(Hashing { n_features: n, alternate_sign: alt }), ..s
        };
        let (v, m) = TfidfParams::from_settings(s.clone()).check().unwrap().fit_transform_as::<_, f64>(&docs).unwrap();
        let analyzer = Analyzer::new(s.analyzer.clone()).unwrap();
        let mut rows = Vec::new();
        let mut df = vec![0.0; n as usize];
        for d in &docs {
            let mut sums = BTreeMap::new();
            for t in analyzer.terms(d) {
                let (c, pos) = hashed_feature(&t.text, n);
                *sums.entry(c as usize).or_insert(0.0) += if alt && !pos { -1.0 } else { 1.0 };
            }
            sums.retain(|_, v| *v != 0.0);
            for c in sums.keys() { df[*c] += 1.0; }
            rows.push(sums);
        }
        let nd = docs.len() as f64;
        let sm = if s.smooth_idf { 1.0 } else { 0.0 };
        let idf: Option<Vec<f64>> = s.use_idf.then(|| df.iter().map(|d| ((nd + sm) / (d + sm)).ln() + 1.0).collect());
        let got = m.to_dense();
        for (r, sums) in rows.into_iter().enumerate() {
            let cols: Vec<usize> = sums.keys().copied().collect();
            let mut vals: Vec<f64> = sums.values().copied().collect();
            // Signed counts: sublinear keeps the sign, binary makes every value 1.
            for v in vals.iter_mut() {
                if s.binary { *v = 1.0; }
                if s.sublinear_tf { *v = v.signum() * (v.abs().ln() + 1.0); }
            }
            let plain = TfidfSettings { binary: false, sublinear_tf: false, ..s.clone() };
            naive_weigh(&mut vals, &cols, &plain, idf.as_deref());
            for (c, x) in cols.into_iter().zip(vals) {
                prop_assert!(close(x, got[[r, c]]), "row {} col {}: {} vs {}", r, c, x, got[[r, c]]);
            }
        }
        prop_assert_eq!(v.n_features(), n as usize);
    }

    /// Vocabulary or hashing: a saved vectorizer loads back identical, and
    /// rows of documents it was not fitted on stay finite (a hashed column
    /// no fitted document filled included, with or without smoothing).
    #[test]
    fn saved_vectorizers_load_identical(s in settings(), docs in corpus(), other in corpus(), hash in prop::option::of((1u32..64, any::<bool>()))) {
        let s = match hash {
            Some((n, alt)) => TfidfSettings {
                min_df: DocFreq::Count(1), max_df: DocFreq::Fraction(1.0), max_features: None,
                hashing: Some(Hashing { n_features: n, alternate_sign: alt }), ..s
            },
            None => s,
        };
        if let Ok((v, m)) = TfidfParams::from_settings(s).check().unwrap().fit_transform(&docs) {
            let back = TfidfVectorizer::from_bytes(&v.to_bytes()).unwrap();
            prop_assert_eq!(back.transform(&docs), m);
            prop_assert_eq!(back.to_bytes(), v.to_bytes());
            let x = back.transform(&other);
            prop_assert!(x.rows().all(|(_, vals)| vals.iter().all(|v| v.is_finite())));
        }
    }

    #[test]
    fn damaged_bytes_never_panic(docs in corpus(), cut in any::<prop::sample::Index>(), flip in any::<prop::sample::Index>()) {
        if let Ok(v) = TfidfParams::new().check().unwrap().fit(&docs) {
            let bytes = v.to_bytes();
            let _ = TfidfVectorizer::from_bytes(&bytes[..cut.index(bytes.len())]);
            let mut flipped = bytes.clone();
            let i = flip.index(flipped.len());
            flipped[i] ^= 0x5a;
            if let Ok(back) = TfidfVectorizer::from_bytes(&flipped) {
                let _ = back.transform(&docs);
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Transforming in batches (bounded memory) equals transforming at once,
    /// and fitting from an iterator equals fitting a slice.
    #[test]
    fn batches_and_streams_agree(s in settings(), docs in corpus(), batch in 1usize..5) {
        let params = TfidfParams::from_settings(s).check().unwrap();
        if let Ok(v) = params.fit(&docs) {
            let whole = v.transform(&docs);
            let parts: Vec<_> = v.transform_batches(docs.iter(), batch).collect();
            prop_assert_eq!(parts.len(), docs.len().div_ceil(batch));
            prop_assert_eq!(sift_tfidf::Csr::vstack(parts).unwrap(), whole);
            let streamed = params.fit_iter(docs.iter()).unwrap();
            prop_assert_eq!(streamed.to_bytes(), v.to_bytes());
        } else {
            prop_assert!(params.fit_iter(docs.iter()).is_err());
        }
    }
}
