//! Equivalence with scikit-learn: each configuration in
//! `../shared/golden/tfidf-20ng-300` (the first 300 20 Newsgroups training
//! documents) must give the same vocabulary, the same IDF and the same matrix
//! (values within 1e-12 in f64 and 1e-6 in f32).

use sift_tfidf::{Csr, DocFreq, Norm, TfidfParams};
use std::path::PathBuf;

fn golden(name: &str) -> serde_json::Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/golden/tfidf-20ng-300")
        .join(name);
    let file = std::fs::File::open(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_reader(flate2::read::GzDecoder::new(file)).unwrap()
}

fn corpus() -> Vec<String> {
    golden("corpus.json.gz")["texts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap().to_string())
        .collect()
}

fn strings(v: &serde_json::Value) -> Vec<String> {
    v.as_array().unwrap().iter().map(|t| t.as_str().unwrap().to_string()).collect()
}

fn floats(v: &serde_json::Value) -> Vec<f64> {
    v.as_array().unwrap().iter().map(|t| t.as_f64().unwrap()).collect()
}

fn ints(v: &serde_json::Value) -> Vec<usize> {
    v.as_array().unwrap().iter().map(|t| t.as_u64().unwrap() as usize).collect()
}

fn assert_close(name: &str, what: &str, a: &[f64], b: &[f64], tol: f64) {
    assert_eq!(a.len(), b.len(), "{name}: {what} length");
    for (i, (x, y)) in a.iter().zip(b).enumerate() {
        assert!((x - y).abs() <= tol, "{name}: {what}[{i}] = {x}, scikit-learn {y}");
    }
}

fn assert_matrix(name: &str, g: &serde_json::Value, m64: &Csr<f64>, m32: &Csr<f32>) {
    assert_eq!(m64.indptr(), ints(&g["indptr"]).as_slice(), "{name}: indptr");
    let indices: Vec<usize> = m64.indices().iter().map(|&c| c as usize).collect();
    assert_eq!(indices, ints(&g["indices"]), "{name}: indices");
    let data = floats(&g["data"]);
    assert_close(name, "data (f64)", m64.data(), &data, 1e-12);
    let d32: Vec<f64> = m32.data().iter().map(|&v| v as f64).collect();
    assert_close(name, "data (f32)", &d32, &data, 1e-6);
    assert_eq!(m32.indices(), m64.indices());
}

fn check(name: &str, params: TfidfParams) {
    let g = golden(name);
    let docs = corpus();
    let params = params.check().unwrap();
    let (v, m64) = params.fit_transform_as::<_, f64>(&docs).unwrap();
    let (_, m32) = params.fit_transform(&docs).unwrap();
    let vocab: Vec<String> = v.vocabulary().iter().map(str::to_string).collect();
    assert_eq!(vocab, strings(&g["vocabulary"]), "{name}: vocabulary");
    assert_close(name, "idf", v.idf().unwrap(), &floats(&g["idf"]), 1e-12);
    assert_matrix(name, &g, &m64, &m32);
    // transform() of the fitted vectorizer gives the same matrix.
    let again = v.transform_as::<_, f64>(&docs);
    assert_eq!(again, m64, "{name}: transform after fit");
}

#[test]
fn default_params() {
    check("default.json.gz", TfidfParams::new());
}

#[test]
fn sublinear_bigrams_min_df_2() {
    check(
        "sublinear-bigram-mindf2.json.gz",
        TfidfParams::new().sublinear_tf(true).ngram_range(1, 2).min_df(DocFreq::Count(2)),
    );
}

#[test]
fn no_smooth_l1_max_df_half() {
    check(
        "nosmooth-l1-maxdf0.5.json.gz",
        TfidfParams::new().smooth_idf(false).norm(Norm::L1).max_df(DocFreq::Fraction(0.5)),
    );
}

/// `binary=True, max_features=2000`. scikit-learn picks the 2000 most
/// frequent terms with numpy's unstable, CPU-dispatched argsort, so among the
/// terms tied at the cut-off frequency its choice varies by machine (the same
/// scikit-learn 1.9.1 and numpy 2.4.6 choose differently here than in the
/// golden file). sift breaks ties by column order, the same on every machine.
/// So: every term above the cut-off is kept, as many tied terms are kept, and
/// with the golden vocabulary fixed the values are equal.
#[test]
fn binary_max_features_2000() {
    let name = "binary-maxfeatures2000.json.gz";
    let g = golden(name);
    let docs = corpus();
    let golden_vocab = strings(&g["vocabulary"]);
    let (v, _) = TfidfParams::new()
        .binary(true)
        .max_features(Some(2000))
        .check()
        .unwrap()
        .fit_transform(&docs)
        .unwrap();
    let ours: Vec<String> = v.vocabulary().iter().map(str::to_string).collect();
    assert_eq!(ours.len(), 2000);
    // Document frequencies over the whole corpus (binary: tf = df).
    let (all, x) = TfidfParams::new()
        .binary(true)
        .use_idf(false)
        .norm(Norm::None)
        .check()
        .unwrap()
        .fit_transform(&docs)
        .unwrap();
    let mut df = vec![0u32; all.vocabulary().len()];
    for &c in x.indices() {
        df[c as usize] += 1;
    }
    let df_of = |t: &str| df[all.column_of(t).unwrap()];
    let cutoff = golden_vocab.iter().map(|t| df_of(t)).min().unwrap();
    assert_eq!(ours.iter().map(|t| df_of(t)).min().unwrap(), cutoff);
    let above =
        |vocab: &[String]| vocab.iter().filter(|t| df_of(t) > cutoff).cloned().collect::<Vec<_>>();
    assert_eq!(above(&ours), above(&golden_vocab), "terms above the cut-off");
    // Ties go to the first terms in column order.
    let tied: Vec<&str> = all.vocabulary().iter().filter(|t| df_of(t) == cutoff).collect();
    let ours_tied: Vec<&str> =
        ours.iter().map(String::as_str).filter(|t| df_of(t) == cutoff).collect();
    assert_eq!(ours_tied, tied[..ours_tied.len()]);
    // With scikit-learn's vocabulary fixed, IDF and values are equal.
    let fixed =
        TfidfParams::new().binary(true).vocabulary(Some(golden_vocab.clone())).check().unwrap();
    let (fv, m64) = fixed.fit_transform_as::<_, f64>(&docs).unwrap();
    let (_, m32) = fixed.fit_transform(&docs).unwrap();
    assert_close(name, "idf", fv.idf().unwrap(), &floats(&g["idf"]), 1e-12);
    assert_matrix(name, &g, &m64, &m32);
}

/// The merge of several workers' vocabularies (one worker per thread for
/// inputs of 256 KiB and more) gives exactly what one worker gives, for
/// every n-gram path (unigrams, packed bigrams, longer n-grams in an arena)
/// and for pruning by document frequency and `max_features`; so does the
/// streaming fit.
#[test]
fn several_workers_merge_to_the_single_worker_result() {
    let docs = corpus();
    let bytes: usize = docs.iter().map(String::len).sum();
    assert!(bytes >= 1 << 18, "the corpus must be large enough to be split: {bytes} bytes");
    let configs = [
        TfidfParams::new(),
        TfidfParams::new().ngram_range(1, 2).min_df(DocFreq::Count(2)),
        TfidfParams::new().ngram_range(2, 3).max_df(DocFreq::Fraction(0.5)),
        TfidfParams::new().ngram_range(1, 2).max_features(Some(3000)).sublinear_tf(true),
    ];
    for params in configs {
        let params = params.check().unwrap();
        let run =
            |threads: usize| {
                rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap().install(
                    || params.fit_transform(&docs).map(|(v, m)| (v.to_bytes(), m)).unwrap(),
                )
            };
        let one = run(1);
        for threads in [2, 3, 4] {
            assert!(run(threads) == one, "{threads} threads differ from one: {params:?}");
        }
        // The streaming fit (batches shared among one counter per thread)
        // learns the same vectorizer.
        for threads in [1, 2, 3] {
            let streamed = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| params.fit_iter(docs.iter()).unwrap().to_bytes());
            assert!(streamed == one.0, "fit_iter on {threads} threads differs: {params:?}");
        }
    }
}

/// A corpus-sized transform (1 MiB or more of text: the fit's larger hot
/// table, a surface cache sized up front) gives each document the row that
/// a transform of that document alone gives, on one thread and on two.
#[test]
fn corpus_sized_transform_equals_one_document_transforms() {
    let docs = corpus();
    let params = TfidfParams::new().ngram_range(1, 2).min_df(DocFreq::Count(2)).check().unwrap();
    let (v, _) = params.fit_transform(&docs).unwrap();
    let bytes: usize = docs.iter().map(String::len).sum();
    // Over 2 MiB, so that each of two threads' blocks is corpus-sized too.
    let copies = (2 << 20) / bytes + 1;
    let big: Vec<&String> = (0..copies).flat_map(|_| docs.iter()).collect();
    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        let m = pool.install(|| v.transform(&big));
        assert_eq!(m.nrows(), big.len());
        for (i, d) in big.iter().enumerate() {
            let one = v.transform(&[d.as_str()]);
            assert_eq!(m.row(i), one.row(0), "document {i}, {threads} thread(s)");
        }
    }
}

/// Pruning every term is an error that says which bounds did it.
#[test]
fn pruning_everything_names_the_bounds() {
    let docs = ["alpha beta", "gamma delta", "epsilon zeta"];
    let params = TfidfParams::new().min_df(DocFreq::Count(2)).check().unwrap();
    let err = params.fit(&docs).unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("no terms remain"), "{msg}");
    assert!(msg.ends_with("fewer than 2 of the 3 documents (lower min_df)"), "{msg}");
    // With max_df pruning too, both bounds are named.
    let docs2 = ["alpha beta", "alpha gamma", "alpha delta"];
    let params2 =
        TfidfParams::new().min_df(DocFreq::Count(2)).max_df(DocFreq::Count(2)).check().unwrap();
    let msg2 = params2.fit(&docs2).unwrap_err().to_string();
    assert!(
        msg2.ends_with(
            "fewer than 2 or more than 2 of the 3 documents (lower min_df or raise max_df)"
        ),
        "{msg2}"
    );
    // The same corpus with min_df 1 keeps every term.
    let ok = TfidfParams::new().check().unwrap().fit(&docs).unwrap();
    assert_eq!(ok.n_features(), 6);
}
