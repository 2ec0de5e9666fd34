//! `sift vectorize`: TF-IDF features of JSON Lines records, as a Matrix
//! Market file and a vocabulary list, for use in other tools.

use super::{analyzer_config, parse_range, Tokenizer};
use crate::error::{input, usage};
use crate::input::{for_each_record, text_field};
use crate::output::write_atomic;
use anyhow::Result;
use sift_tfidf::{DocFreq, Hashing, Norm, TfidfParams};

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
    #[arg(long, value_name = "N|F", value_parser = parse_df)]
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
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum NormArg {
    L1,
    L2,
    None,
}

fn parse_df(s: &str) -> Result<DocFreq, String> {
    if s.contains(['.', 'e', 'E']) {
        let f: f64 =
            s.parse().map_err(|_| format!("'{s}': expected a count (2) or a fraction (0.5)"))?;
        if !(0.0..=1.0).contains(&f) {
            return Err(format!("'{s}': a fraction must be within 0.0..=1.0"));
        }
        Ok(DocFreq::Fraction(f))
    } else {
        s.parse()
            .map(DocFreq::Count)
            .map_err(|_| format!("'{s}': expected a count (2) or a fraction (0.5)"))
    }
}

pub fn run(a: Args) -> Result<()> {
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
    let params = params.check().map_err(|e| usage(e.to_string()))?;
    let mut texts = Vec::new();
    for_each_record(&a.input, |line, rec| {
        texts.push(text_field(&a.input, line, &rec, &a.text_field)?);
        Ok(())
    })?;
    if texts.is_empty() {
        return Err(input(format!(
            "{}: no records, expected JSON Lines with a \"{}\" field",
            a.input, a.text_field
        )));
    }
    let fit = |e: sift_tfidf::Error| input(format!("{}: {e}", a.input));
    if a.f64 {
        let (v, x) = params.fit_transform_as::<_, f64>(&texts).map_err(fit)?;
        write_mtx(&a.out, &x)?;
        write_vocab(a.vocab_out.as_deref(), &v)
    } else {
        let (v, x) = params.fit_transform(&texts).map_err(fit)?;
        write_mtx(&a.out, &x)?;
        write_vocab(a.vocab_out.as_deref(), &v)
    }
}

fn write_mtx<T: Copy + std::fmt::Display>(path: &str, x: &sift_tfidf::Csr<T>) -> Result<()> {
    write_atomic(path, |w| {
        writeln!(w, "%%MatrixMarket matrix coordinate real general")?;
        writeln!(w, "% TF-IDF features written by sift {}", env!("CARGO_PKG_VERSION"))?;
        writeln!(w, "{} {} {}", x.nrows(), x.ncols(), x.nnz())?;
        for (r, (cols, vals)) in x.rows().enumerate() {
            for (c, v) in cols.iter().zip(vals) {
                writeln!(w, "{} {} {}", r + 1, c + 1, v)?;
            }
        }
        Ok(())
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
