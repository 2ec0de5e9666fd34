//! `cargo xtask explore`: quick configuration experiments on the benchmark
//! training sets, scored on held-out folds of the TRAINING data only (never
//! on test data, which `cargo xtask eval` reports once a configuration is
//! chosen). Options: `--set key=value`.

use crate::datasets::{load, Benchmark};
use anyhow::Result;
use linfa::prelude::*;
use ndarray::{Array1, Array2};
use sift_classify::{
    metrics, ClassWeight, LinearSvcParams, LogisticParams, NaiveBayesParams, NbKind, SparseRecords,
    SvmLoss,
};
use sift_tfidf::{DocFreq, TfidfParams};
use sift_tokenize::{AnalyzerConfig, Language};
use std::collections::HashMap;
use std::time::Instant;

pub fn run(datasets: &str, sets: &[String], on_test: bool) -> Result<()> {
    let o: HashMap<&str, &str> = sets.iter().filter_map(|s| s.split_once('=')).collect();
    let get = |k: &str, d: &str| o.get(k).copied().unwrap_or(d).to_string();
    for name in datasets.split(',') {
        let b = load(name)?;
        let (train_x, train_y, test_x, test_y) = if on_test {
            (
                b.train_texts.clone(),
                b.train_labels.clone(),
                b.test_texts.clone(),
                b.test_labels.clone(),
            )
        } else {
            // Hold out every 5th training example.
            let pick = |keep: bool| -> (Vec<String>, Vec<Vec<usize>>) {
                b.train_texts
                    .iter()
                    .zip(&b.train_labels)
                    .enumerate()
                    .filter(|(i, _)| (i % 5 == 4) != keep)
                    .map(|(_, (t, l))| (t.clone(), l.clone()))
                    .unzip()
            };
            let (a, ay) = pick(true);
            let (c, cy) = pick(false);
            (a, ay, c, cy)
        };
        let t0 = Instant::now();
        let mut analyzer = if get("tok", "sift") == "sklearn" {
            AnalyzerConfig::sklearn()
        } else {
            AnalyzerConfig::default()
        };
        if get("stem", "") == "en" {
            analyzer = analyzer.with_stemming(Language::English);
        }
        let ng: Vec<usize> =
            get("ngrams", "1,2").split(',').map(|x| x.parse().unwrap_or(1)).collect();
        let params = TfidfParams::new()
            .analyzer(analyzer.with_ngram_range(ng[0], ng[1]))
            .sublinear_tf(get("sublinear", "1") == "1")
            .min_df(DocFreq::Count(get("min_df", "2").parse()?))
            .max_df(DocFreq::Fraction(get("max_df", "1.0").parse()?))
            .check()?;
        let (v, x) = params.fit_transform(&train_x)?;
        let xt = v.transform(&test_x);
        let t_vec = t0.elapsed();
        let c: f64 = get("c", "1").parse()?;
        let algo = get("algo", "svm");
        let cw = match get("cw", "none").as_str() {
            "none" => ClassWeight::Uniform,
            cap => ClassWeight::Balanced { cap: cap.parse()? },
        };
        let svm = LinearSvcParams::new()
            .c(c)
            .loss(if get("loss", "sq") == "hinge" { SvmLoss::Hinge } else { SvmLoss::SquaredHinge })
            .tol(get("tol", "0.1").parse()?)
            .class_weight(cw)
            .nb_alpha(o.get("nb").map(|a| a.parse()).transpose()?)
            .check()?;
        let records = SparseRecords::new(x);
        let test_records = SparseRecords::new(xt);
        let t1 = Instant::now();
        let report = if b.multi_label {
            let mut y = Array2::from_elem((train_y.len(), b.labels.len()), false);
            for (i, ls) in train_y.iter().enumerate() {
                for &l in ls {
                    y[[i, l]] = true;
                }
            }
            let m = svm.fit(&DatasetBase::new(records, y))?;
            let thr: f32 = get("thr", "0").parse()?;
            let s = m.model().scores(test_records.matrix());
            let k = b.labels.len();
            let pred: Vec<Vec<usize>> = (0..test_y.len())
                .map(|i| (0..k).filter(|&c| s[i * k + c] > thr).collect())
                .collect();
            metrics::multi_label(&b.labels, &test_y, &pred)
        } else {
            let y: Array1<usize> = train_y.iter().map(|l| l[0]).collect();
            let ds = DatasetBase::new(records, y);
            let pred: Array1<usize> = match algo.as_str() {
                "svm" => svm.fit(&ds)?.predict(&test_records),
                "lr" => LogisticParams::new().c(c).check()?.fit(&ds)?.predict(&test_records),
                "cnb" => NaiveBayesParams::new(NbKind::Complement)
                    .alpha(get("alpha", "0.1").parse()?)
                    .check()?
                    .fit(&ds)?
                    .predict(&test_records),
                "mnb" => NaiveBayesParams::new(NbKind::Multinomial)
                    .alpha(get("alpha", "0.1").parse()?)
                    .check()?
                    .fit(&ds)?
                    .predict(&test_records),
                "lin" => {
                    // One linear model: svm/sd_svm + w * centered(cnb)/sd_cnb, with the
                    // scales measured on the training rows.
                    let a = svm.fit(&ds)?;
                    let b = NaiveBayesParams::new(NbKind::Complement)
                        .alpha(get("alpha", "0.3").parse()?)
                        .check()?
                        .fit(&ds)?;
                    let w: f32 = get("w", "1").parse()?;
                    let k = a.model().n_classes();
                    let spread = |m: &sift_classify::LinearModel| -> f32 {
                        let s = m.scores(ds.records.matrix());
                        let n = s.len() / k;
                        (0..n)
                            .map(|i| {
                                let v = &s[i * k..(i + 1) * k];
                                let mu = v.iter().sum::<f32>() / k as f32;
                                (v.iter().map(|x| (x - mu) * (x - mu)).sum::<f32>() / k as f32)
                                    .sqrt()
                            })
                            .sum::<f32>()
                            / n as f32
                    };
                    let (sa, sb) = (spread(a.model()), spread(b.model()));
                    let st = a.model().scores(test_records.matrix());
                    let sn = b.model().scores(test_records.matrix());
                    (0..test_y.len())
                        .map(|i| {
                            let v = &sn[i * k..(i + 1) * k];
                            let mu = v.iter().sum::<f32>() / k as f32;
                            let comb: Vec<f32> =
                                (0..k).map(|c| st[i * k + c] / sa + w * (v[c] - mu) / sb).collect();
                            sift_classify::argmax(&comb)
                        })
                        .collect()
                }
                "ens" => {
                    let a = svm.fit(&ds)?;
                    let b = NaiveBayesParams::new(NbKind::Complement)
                        .alpha(get("alpha", "0.3").parse()?)
                        .check()?
                        .fit(&ds)?;
                    let w: f32 = get("w", "1").parse()?;
                    let sa = a.model().scores(test_records.matrix());
                    let sb = b.model().scores(test_records.matrix());
                    let k = a.model().n_classes();
                    let z = |v: &[f32]| -> Vec<f32> {
                        let m = v.iter().sum::<f32>() / v.len() as f32;
                        let sd = (v.iter().map(|x| (x - m) * (x - m)).sum::<f32>()
                            / v.len() as f32)
                            .sqrt()
                            .max(1e-9);
                        v.iter().map(|x| (x - m) / sd).collect()
                    };
                    (0..test_y.len())
                        .map(|i| {
                            let za = z(&sa[i * k..(i + 1) * k]);
                            let zb = z(&sb[i * k..(i + 1) * k]);
                            let comb: Vec<f32> =
                                za.iter().zip(&zb).map(|(x, y)| x + w * y).collect();
                            sift_classify::argmax(&comb)
                        })
                        .collect()
                }
                other => anyhow::bail!("unknown algo {other}"),
            };
            let truth: Vec<usize> = test_y.iter().map(|l| l[0]).collect();
            if o.contains_key("errors") {
                for (i, (&t, &p)) in truth.iter().zip(pred.iter()).enumerate() {
                    if t != p {
                        let head: String =
                            test_x[i].chars().take(150).collect::<String>().replace('\n', " | ");
                        println!("  ERR true={} pred={}: {head}", b.labels[t], b.labels[p]);
                    }
                }
            }
            metrics::single_label(&b.labels, &truth, &pred.to_vec())
        };
        let t_fit = t1.elapsed();
        let Benchmark { name, .. } = b;
        println!(
            "{name:8} acc {:.4} micro {:.4} macro {:.4}  vec {:.2}s fit {:.2}s  features {}  [{}]",
            report.accuracy,
            report.micro_f1,
            report.macro_f1,
            t_vec.as_secs_f64(),
            t_fit.as_secs_f64(),
            v.n_features(),
            sets.join(" ")
        );
    }
    Ok(())
}
