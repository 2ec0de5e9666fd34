//! `sift vectorize`: TF-IDF features of JSON Lines records, as a Matrix
//! Market file and a vocabulary list, for use in other tools.

use super::{analyzer_config, parse_df, parse_max_df, parse_range, Tokenizer};
use crate::error::{input, output, usage};
use crate::input::{for_each_record, io_reason, text_field};
use crate::output::write_atomic;
use anyhow::Result;
use sift_tfidf::{DocFreq, Hashing, Norm, TfidfParams, TfidfValidParams, TfidfVectorizer};
use std::io::{BufWriter, Seek, Write};
use std::path::Path;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// JSON Lines file, one object per line (.gz is read transparently).
    #[arg(long, value_name = "FILE")]
    input: String,
    /// The field holding each record's text.
    #[arg(long, default_value = "text", value_name = "NAME")]
    text_field: String,
    /// Matrix Market output (coordinate real general, 1-based, one row per input line).
    #[arg(long, value_name = "FILE")]
    out: String,
    /// Vocabulary output: one term per line, in column order.
    #[arg(long, value_name = "FILE")]
    vocab_out: Option<String>,
    /// Word n-grams from MIN to MAX words.
    #[arg(long, value_name = "MIN,MAX", value_parser = parse_range)]
    ngram_range: Option<(usize, usize)>,
    /// Drop terms in fewer documents: a count (2) or a fraction (0.01).
    #[arg(long, value_name = "N|F", value_parser = parse_df)]
    min_df: Option<DocFreq>,
    /// Drop terms in more documents: a count (500) or a fraction (0.9).
    #[arg(long, value_name = "N|F", value_parser = parse_max_df)]
    max_df: Option<DocFreq>,
    /// Keep only the N most frequent terms (ties: alphabetical).
    #[arg(long, value_name = "N")]
    max_features: Option<usize>,
    /// Count each term once per document.
    #[arg(long)]
    binary: bool,
    /// Use 1 + ln(tf) instead of tf.
    #[arg(long)]
    sublinear_tf: bool,
    /// Plain IDF, ln(n/df) + 1, instead of the smoothed one.
    #[arg(long)]
    no_smooth_idf: bool,
    /// Term frequencies only, no IDF.
    #[arg(long)]
    no_idf: bool,
    /// Row normalization.
    #[arg(long, value_enum, default_value_t = NormArg::L2)]
    norm: NormArg,
    /// How text becomes terms.
    #[arg(long, value_enum, default_value_t = Tokenizer::Default)]
    tokenizer: Tokenizer,
    /// Snowball stemming in this language (english, french, ...).
    #[arg(long, value_name = "LANG")]
    stem: Option<String>,
    /// Hashing mode with N columns (no vocabulary).
    #[arg(long, value_name = "N")]
    hashing: Option<u32>,
    /// With --hashing: do not give terms a sign from their hash.
    #[arg(long, requires = "hashing")]
    unsigned: bool,
    /// Write values in double precision.
    #[arg(long)]
    f64: bool,
    /// Bounded memory for corpora larger than memory: read the input twice
    /// (learn the vocabulary and IDF, then transform batch by batch), holding
    /// only the vocabulary and one batch. Same output, slower (one thread
    /// learns the vocabulary).
    #[arg(long)]
    stream: bool,
    /// With --stream: records per batch.
    #[arg(long, value_name = "N", default_value_t = 4096, requires = "stream")]
    batch: usize,
    /// Also save the fitted vectorizer (its settings, vocabulary and IDF) to
    /// FILE, to give other data the same columns later with --vectorizer.
    #[arg(long, value_name = "FILE")]
    save_vectorizer: Option<String>,
    /// Transform the input with a vectorizer saved by --save-vectorizer
    /// instead of fitting one on it: the same columns and IDF, so that, for
    /// instance, test features line up with training features. A model file
    /// (sift train) lends its vectorizer: the features the model sees. The
    /// fitting flags do not apply.
    #[arg(long, value_name = "FILE", conflicts_with_all = [
        "save_vectorizer", "ngram_range", "min_df", "max_df", "max_features", "binary",
        "sublinear_tf", "no_smooth_idf", "no_idf", "norm", "tokenizer", "stem", "hashing",
    ])]
    vectorizer: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum NormArg {
    L1,
    L2,
    None,
}

pub fn run(a: Args) -> Result<()> {
    if a.stream && a.batch == 0 {
        return Err(usage("--batch: expected at least 1"));
    }
    if let Some(path) = &a.vectorizer {
        return transform_only(&a, path);
    }
    let analyzer = analyzer_config(a.tokenizer, a.stem.as_deref(), a.ngram_range)?;
    if a.hashing.is_some() && a.vocab_out.is_some() {
        return Err(usage("--vocab-out: hashing mode keeps no vocabulary"));
    }
    let mut params = TfidfParams::new()
        .analyzer(analyzer)
        .binary(a.binary)
        .sublinear_tf(a.sublinear_tf)
        .smooth_idf(!a.no_smooth_idf)
        .use_idf(!a.no_idf)
        .norm(match a.norm {
            NormArg::L1 => Norm::L1,
            NormArg::L2 => Norm::L2,
            NormArg::None => Norm::None,
        })
        .max_features(a.max_features)
        .hashing(a.hashing.map(|n| Hashing { n_features: n, alternate_sign: !a.unsigned }));
    if let Some(d) = a.min_df {
        params = params.min_df(d);
    }
    if let Some(d) = a.max_df {
        params = params.max_df(d);
    }
    let params = params.check().map_err(super::tfidf_usage)?;
    check_outputs(&a, &[])?;
    if a.stream {
        return stream(&a, &params);
    }
    let mut texts = Vec::new();
    for_each_record(&a.input, |line, rec| {
        texts.push(text_field(&a.input, line, &rec, &a.text_field)?);
        Ok(())
    })?;
    if texts.is_empty() {
        return Err(no_records(&a));
    }
    let fit = |e: sift_tfidf::Error| input(format!("{}: {}", a.input, super::tfidf_data_error(&e)));
    let v = if a.f64 {
        let (v, x) = params.fit_transform_as::<_, f64>(&texts).map_err(fit)?;
        write_mtx(&a.out, &x)?;
        v
    } else {
        let (v, x) = params.fit_transform(&texts).map_err(fit)?;
        write_mtx(&a.out, &x)?;
        v
    };
    write_fitted(&a, &v)
}

/// Refuses bad outputs up front, so that a bad --vocab-out does not leave
/// a matrix without its vocabulary after the whole corpus was read.
fn check_outputs(a: &Args, more_inputs: &[(&str, &str)]) -> Result<()> {
    let mut outputs = vec![("--out", a.out.as_str())];
    outputs.extend(a.vocab_out.as_deref().map(|v| ("--vocab-out", v)));
    outputs.extend(a.save_vectorizer.as_deref().map(|v| ("--save-vectorizer", v)));
    let mut inputs = vec![("--input", a.input.as_str())];
    inputs.extend_from_slice(more_inputs);
    crate::output::check_outputs(&outputs, &inputs)
}

/// Writes what describes the fitted vectorizer: the vocabulary
/// (`--vocab-out`) and the vectorizer itself (`--save-vectorizer`).
fn write_fitted(a: &Args, v: &TfidfVectorizer) -> Result<()> {
    write_vocab(a.vocab_out.as_deref(), v)?;
    let Some(path) = a.save_vectorizer.as_deref() else { return Ok(()) };
    let bytes = v.to_file_bytes();
    write_atomic(path, |w| w.write_all(&bytes))
}

/// What a `--vectorizer` file is, in messages.
pub const VECTORIZER_FILE: &str = "a vectorizer file (--save-vectorizer) or a model file";

/// A vectorizer file's contents and format version from its bytes; a
/// damaged or foreign file is a model error (exit 4) naming `path`.
pub fn load_vectorizer(path: &str, bytes: &[u8]) -> Result<(TfidfVectorizer, u32)> {
    let damaged = |e: sift_tfidf::Error| crate::error::model(format!("{path}: {e}"));
    // The container is checked once (magic, version, length, checksum),
    // then its payload decoded: as `TfidfVectorizer::from_file_bytes`, which
    // does not return the version.
    let (version, payload) = sift_tfidf::container::decode(
        bytes,
        sift_tfidf::MAGIC,
        "sift vectorizer",
        sift_tfidf::FORMAT_VERSION,
    )
    .map_err(|e| damaged(sift_tfidf::Error::Format(e.to_string())))?;
    Ok((TfidfVectorizer::from_bytes(payload).map_err(damaged)?, version))
}

/// `--vectorizer FILE`: the input transformed by a saved vectorizer, in
/// batches (memory holds the vectorizer and one batch; one reading).
fn transform_only(a: &Args, path: &str) -> Result<()> {
    if a.unsigned {
        return Err(usage("--unsigned: the saved vectorizer decides hashing and signs"));
    }
    check_outputs(a, &[("--vectorizer", path)])?;
    // A model file lends its vectorizer: the features the model sees.
    let (model, own);
    let v: &TfidfVectorizer = if crate::input::starts_with(path, sift_classify::MAGIC) {
        model = crate::models::load(Some(path))?;
        model.vectorizer()
    } else {
        own = load_vectorizer(path, &crate::input::read_file(path, VECTORIZER_FILE)?)?.0;
        &own
    };
    if a.vocab_out.is_some() && v.hashing().is_some() {
        return Err(usage(format!(
            "--vocab-out: {path} is a hashing vectorizer, with no vocabulary"
        )));
    }
    v.prepare();
    write_transformed(a, v, if a.stream { a.batch } else { 4096 })?;
    write_vocab(a.vocab_out.as_deref(), v)
}

/// The input's records transformed by `v`, `batch` at a time, into a
/// temporary body file; the Matrix Market header (which needs the number
/// of entries) is written last, then the body is copied after it. An input
/// without records is an error, and writes nothing.
fn write_transformed(a: &Args, v: &TfidfVectorizer, batch: usize) -> Result<()> {
    let fail = |e: std::io::Error| output(format!("{}: cannot write: {}", a.out, io_reason(&e)));
    let mut body = sift_tfidf::container::temp_beside(Path::new(&a.out))
        .map_err(crate::output::cannot_create(&a.out))?;
    let (written, n) = with_texts(a, |texts| {
        let mut w = BufWriter::with_capacity(1 << 16, body.as_file_mut());
        let counts = if a.f64 {
            write_batches::<f64>(v, texts, batch, &mut w)
        } else {
            write_batches::<f32>(v, texts, batch, &mut w)
        };
        counts.and_then(|c| w.flush().map(|_| c))
    })?;
    if n == 0 {
        return Err(no_records(a));
    }
    let (rows, nnz) = written.map_err(fail)?;
    body.as_file_mut().rewind().map_err(fail)?;
    write_atomic(&a.out, |w| {
        write_header(w, rows, v.n_features(), nnz)?;
        std::io::copy(body.as_file_mut(), w)?;
        Ok(())
    })
}

fn no_records(a: &Args) -> anyhow::Error {
    input(format!("{}: no records, expected JSON Lines with a \"{}\" field", a.input, a.text_field))
}

/// The reader's signal that the consumer went away.
#[derive(Debug)]
struct Stopped;

impl std::fmt::Display for Stopped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("stopped")
    }
}

impl std::error::Error for Stopped {}

/// Runs `consume` over the texts of the input's records, read on another
/// thread and passed through a bounded channel (so memory holds a few
/// records, whatever the file's size). Returns its result and the number of
/// records; a malformed record is an error naming its line.
fn with_texts<R: Send>(
    a: &Args,
    consume: impl FnOnce(&mut dyn Iterator<Item = String>) -> R + Send,
) -> Result<(R, usize)> {
    let (tx, rx) = std::sync::mpsc::sync_channel::<String>(256);
    std::thread::scope(|scope| {
        let reader = scope.spawn(move || -> Result<usize> {
            let mut n = 0usize;
            let read = for_each_record(&a.input, |line, rec| {
                // A closed channel: the consumer stopped (an output error,
                // reported by it); stop reading.
                tx.send(text_field(&a.input, line, &rec, &a.text_field)?)
                    .map_err(|_| anyhow::Error::new(Stopped))?;
                n += 1;
                Ok(())
            });
            match read {
                Err(e) if !e.is::<Stopped>() => Err(e),
                _ => Ok(n),
            }
        });
        let result = {
            let rx = rx;
            consume(&mut rx.into_iter())
        };
        let n = reader.join().map_err(|_| anyhow::anyhow!("the input reader failed"))??;
        Ok((result, n))
    })
}

/// `--stream`: fit in one pass, then transform batch by batch (a second
/// reading).
fn stream(a: &Args, params: &TfidfValidParams) -> Result<()> {
    let (fitted, n) = with_texts(a, |texts| params.fit_iter(texts))?;
    if n == 0 {
        return Err(no_records(a));
    }
    let v = fitted.map_err(|e| input(format!("{}: {}", a.input, super::tfidf_data_error(&e))))?;
    write_transformed(a, &v, a.batch)?;
    write_fitted(a, &v)
}

/// Writes the entries of `texts`, transformed `batch` at a time; returns
/// the numbers of rows and entries.
fn write_batches<T: num_traits::Float + Send + std::fmt::Display>(
    v: &TfidfVectorizer,
    texts: &mut dyn Iterator<Item = String>,
    batch: usize,
    w: &mut dyn Write,
) -> std::io::Result<(usize, usize)> {
    let (mut rows, mut nnz) = (0usize, 0usize);
    loop {
        let docs: Vec<String> = texts.take(batch).collect();
        if docs.is_empty() {
            return Ok((rows, nnz));
        }
        let x = v.transform_as::<_, T>(&docs);
        write_entries(w, &x, rows)?;
        rows += x.nrows();
        nnz += x.nnz();
    }
}

fn write_header(w: &mut dyn Write, rows: usize, cols: usize, nnz: usize) -> std::io::Result<()> {
    writeln!(w, "%%MatrixMarket matrix coordinate real general")?;
    writeln!(w, "% TF-IDF features written by sift {}", env!("CARGO_PKG_VERSION"))?;
    writeln!(w, "{rows} {cols} {nnz}")
}

/// The entries of `x`, its first row numbered `first + 1`.
fn write_entries<T: Copy + std::fmt::Display>(
    w: &mut dyn Write,
    x: &sift_tfidf::Csr<T>,
    first: usize,
) -> std::io::Result<()> {
    for (r, (cols, vals)) in x.rows().enumerate() {
        for (c, v) in cols.iter().zip(vals) {
            writeln!(w, "{} {} {}", first + r + 1, c + 1, v)?;
        }
    }
    Ok(())
}

fn write_mtx<T: Copy + std::fmt::Display>(path: &str, x: &sift_tfidf::Csr<T>) -> Result<()> {
    write_atomic(path, |w| {
        write_header(w, x.nrows(), x.ncols(), x.nnz())?;
        write_entries(w, x, 0)
    })
}

fn write_vocab(path: Option<&str>, v: &sift_tfidf::TfidfVectorizer) -> Result<()> {
    let Some(path) = path else { return Ok(()) };
    write_atomic(path, |w| {
        for t in v.vocabulary().iter() {
            writeln!(w, "{t}")?;
        }
        Ok(())
    })
}
