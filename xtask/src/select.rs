//! `cargo xtask select`: per-dataset tuning through documented `sift train`
//! flags, chosen by K-fold cross-validation of whole training runs on the
//! TRAINING split only (`sift_classify::repeated_cross_validate`, what `sift
//! eval --folds K --repeats R` reports). The test split is read once, after the choice, to
//! score the chosen configuration beside the default one.
//!
//! `--repeats R` averages each setting's scores over R cross-validations
//! with different seeds (`--seed` 42, 43, ...: folds, calibration folds,
//! solver order). On BBC News the out-of-fold error count of one setting
//! moves by about two documents of 1,781 from one seed to the next, as much
//! as most settings differ, so one cross-validation's ranking is partly a
//! draw.
//!
//! The grid: `--algorithm ensemble|svm|cnb`, `--ngram-range 1,1|1,2`,
//! `--min-df 1|2|3`, `--c 0.5|1|2|4` (not for cnb), `--[no-]sublinear-tf`,
//! `--stem english|none`. The default configuration comes first, so it wins
//! ties.

use crate::datasets::load;
use anyhow::Result;
use sift_classify::{
    metrics::Report, repeated_cross_validate, train, Algorithm, RepeatScores, TrainParams,
};
use sift_tfidf::DocFreq;
use sift_tokenize::{AnalyzerConfig, Language};
use std::time::Instant;

#[derive(Clone, Copy, Debug, PartialEq)]
struct Config {
    algorithm: Algorithm,
    ngrams: (usize, usize),
    min_df: u64,
    c: f64,
    sublinear: bool,
    stem: bool,
}

impl Config {
    const DEFAULT: Config = Config {
        algorithm: Algorithm::Ensemble,
        ngrams: (1, 2),
        min_df: 2,
        c: 1.0,
        sublinear: true,
        stem: true,
    };

    /// The `sift train` flags of this configuration.
    fn flags(&self) -> String {
        let alg = match self.algorithm {
            Algorithm::Ensemble => "ensemble",
            Algorithm::Svm => "svm",
            Algorithm::Logistic => "logistic",
            Algorithm::ComplementNb => "cnb",
            Algorithm::MultinomialNb => "mnb",
        };
        let c = if self.algorithm == Algorithm::ComplementNb {
            String::new()
        } else {
            format!(" --c {}", self.c)
        };
        format!(
            "--algorithm {alg} --ngram-range {},{} --min-df {}{c} --{}sublinear-tf --stem {}",
            self.ngrams.0,
            self.ngrams.1,
            self.min_df,
            if self.sublinear { "" } else { "no-" },
            if self.stem { "english" } else { "none" },
        )
    }

    /// What those flags make of the default parameters (as `sift train`
    /// does).
    fn params(&self, multi_label: bool) -> TrainParams {
        let mut p = TrainParams { multi_label, algorithm: self.algorithm, ..Default::default() };
        let mut analyzer = AnalyzerConfig::default();
        if self.stem {
            analyzer = analyzer.with_stemming(Language::English);
        }
        p.vectorizer.analyzer = analyzer.with_ngram_range(self.ngrams.0, self.ngrams.1);
        p.vectorizer.min_df = DocFreq::Count(self.min_df);
        p.vectorizer.sublinear_tf = self.sublinear;
        p.svm.c = self.c;
        p.logistic.c = self.c;
        p
    }
}

fn grid() -> Vec<Config> {
    let mut out = vec![Config::DEFAULT];
    for algorithm in [Algorithm::Ensemble, Algorithm::Svm, Algorithm::ComplementNb] {
        for ngrams in [(1, 1), (1, 2)] {
            for min_df in [1, 2, 3] {
                let cs: &[f64] = if algorithm == Algorithm::ComplementNb {
                    &[1.0]
                } else {
                    &[0.5, 1.0, 2.0, 4.0]
                };
                for &c in cs {
                    for sublinear in [true, false] {
                        for stem in [true, false] {
                            let cfg = Config { algorithm, ngrams, min_df, c, sublinear, stem };
                            if cfg != Config::DEFAULT {
                                out.push(cfg);
                            }
                        }
                    }
                }
            }
        }
    }
    out
}

/// The benchmark's figure of merit: micro-F1 for multi-label data,
/// accuracy otherwise; macro-F1 breaks ties.
fn score(r: &Report, multi_label: bool) -> (f64, f64) {
    (if multi_label { r.micro_f1 } else { r.accuracy }, r.macro_f1)
}

pub fn run(datasets: &str, folds: usize, repeats: usize) -> Result<()> {
    sift_classify::check_repeats(repeats)?;
    for name in datasets.split(',') {
        let b = load(name)?;
        let train_ex = b.examples(&b.train_texts, &b.train_labels);
        let test_ex = b.examples(&b.test_texts, &b.test_labels);
        let configs = grid();
        println!(
            "{name}: {} configurations, {folds}-fold cross-validation of whole training runs on the {} training examples{}",
            configs.len(),
            train_ex.len(),
            if repeats > 1 { format!(", averaged over {repeats} seeds") } else { String::new() }
        );
        let t = Instant::now();
        let mut rows: Vec<((f64, f64), Config)> = Vec::with_capacity(configs.len());
        for cfg in configs {
            let p = cfg.params(b.multi_label);
            let cv = repeated_cross_validate(&p, &train_ex, folds, repeats, &mut |_, _, _| {})?;
            let mean = |f: fn(&RepeatScores) -> f64| cv.spread(f).map_or(0.0, |s| s.mean);
            let main = mean(if b.multi_label { |r| r.micro_f1 } else { |r| r.accuracy });
            rows.push(((main, mean(|r| r.macro_f1)), cfg));
        }
        let default_cv = rows[0].0;
        // Stable: among equal scores, the earlier configuration (the default first).
        rows.sort_by(|a, b| b.0 .0.total_cmp(&a.0 .0).then(b.0 .1.total_cmp(&a.0 .1)));
        println!("  ({:.0} s) best by cross-validation:", t.elapsed().as_secs_f64());
        for ((s, m), cfg) in rows.iter().take(5) {
            println!("  cv {s:.4} (macro-F1 {m:.4})  {}", cfg.flags());
        }
        println!("  cv {:.4} (macro-F1 {:.4})  default", default_cv.0, default_cv.1);
        // The test split, once: the chosen configuration and the default.
        let best = rows[0].1;
        for (what, cfg) in [("chosen", best), ("default", Config::DEFAULT)] {
            let model = train(&cfg.params(b.multi_label), &train_ex)?.model;
            let (r, _) = model.evaluate(&test_ex)?;
            let (s, m) = score(&r, b.multi_label);
            println!("  test {s:.4} (macro-F1 {m:.4})  {what}: {}", cfg.flags());
        }
    }
    Ok(())
}
