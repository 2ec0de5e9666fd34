//! `cargo xtask eval`: trains sift's default classifier on the train split
//! of each benchmark, evaluates it on the test split (the peers' protocol,
//! ../shared/peers/README.md), and prints the scores beside the best peer
//! recorded in ../shared/peers/results.json and the targets.

use crate::data::workspace_root;
use crate::datasets::load;
use anyhow::{Context, Result};
use serde_json::Value;
use sift_classify::{train, CalibrationMethod, TrainParams};
use std::time::Instant;

/// (dataset, target for accuracy or micro-F1, target macro-F1 for Reuters)
const TARGETS: &[(&str, f64, f64)] =
    &[("20ng", 0.870, 0.0), ("ag", 0.885, 0.0), ("bbc", 0.993, 0.0), ("reuters", 0.875, 0.45)];

fn best_peer(results: &Value, dataset: &str, multi: bool) -> (String, f64, f64) {
    let mut best = ("-".to_string(), 0.0, 0.0);
    for group in ["classification_sklearn", "classification_fasttext"] {
        for r in results[group]["results"].as_array().into_iter().flatten() {
            if r["dataset"].as_str() != Some(dataset) {
                continue;
            }
            let (main, second) = if multi {
                (r["micro_f1"].as_f64().unwrap_or(0.0), r["macro_f1"].as_f64().unwrap_or(0.0))
            } else {
                (r["accuracy"].as_f64().unwrap_or(0.0), r["macro_f1"].as_f64().unwrap_or(0.0))
            };
            if main > best.1 {
                let ng = r["ngram_range"]
                    .as_array()
                    .map(|a| format!(" ({},{})", a[0], a[1]))
                    .unwrap_or_default();
                best = (format!("{}{ng}", r["model"].as_str().unwrap_or("?")), main, second);
            }
        }
    }
    best
}

pub fn run(datasets: &str, calibration: CalibrationMethod) -> Result<()> {
    let results: Value = serde_json::from_str(
        &std::fs::read_to_string(workspace_root().join("../shared/peers/results.json"))
            .context("../shared/peers/results.json")?,
    )?;
    println!(
        "sift default classifier (TrainParams::default) on the test splits of the peers' protocol."
    );
    println!(
        "Train time = vectorize + 3-fold calibration ({calibration:?}) + final fit, all threads.\n"
    );
    println!(
        "{:<8} {:>9} {:>9} {:>9} {:>8} {:>8}   {:<28} {:>9} {:>9}   metric",
        "dataset",
        "sift",
        "macro-F1",
        "target",
        "log loss",
        "train s",
        "best peer",
        "peer",
        "macro-F1",
    );
    for name in datasets.split(',') {
        let b = load(name)?;
        let examples = b.examples(&b.train_texts, &b.train_labels);
        let params =
            TrainParams { multi_label: b.multi_label, calibration, ..TrainParams::default() };
        let t = Instant::now();
        let trained = train(&params, &examples)?;
        let secs = t.elapsed().as_secs_f64();
        let model = trained.model;
        // Map the benchmark's label indices to the model's.
        let truth: Vec<Vec<usize>> = b
            .test_labels
            .iter()
            .map(|ls| {
                ls.iter().filter_map(|&l| model.labels().binary_search(&b.labels[l]).ok()).collect()
            })
            .collect();
        // Test labels the model never saw count as misses (evaluate()
        // reports them); none of the four benchmarks has any.
        let (report, unknown) = model.evaluate(&b.examples(&b.test_texts, &b.test_labels))?;
        if !unknown.is_empty() {
            println!("  ({name}: test labels not in training, counted as misses: {unknown:?})");
        }
        if std::env::var_os("SIFT_EVAL_DEBUG").is_some() && b.multi_label {
            let thr = model.thresholds().unwrap_or(&[]);
            let cv = model.metadata().cross_validation.as_ref();
            for (c, l) in report.per_label.iter().enumerate() {
                let cvf = cv.map_or(0.0, |r| r.per_label[c].f1);
                println!("  {:<14} thr {:.3} test P {:.2} R {:.2} F {:.2} support {:>4}  train n {:>4} cv F {:.2}", l.label, thr.get(c).copied().unwrap_or(0.0), l.precision, l.recall, l.f1, l.support, model.metadata().label_counts.get(&l.label).copied().unwrap_or(0), cvf);
            }
            let p5: Vec<Vec<usize>> =
                model.predict(&b.test_texts, Some(0.5)).into_iter().map(|p| p.labels).collect();
            let r5 = sift_classify::metrics::multi_label(model.labels(), &truth, &p5);
            println!(
                "  with threshold 0.5 everywhere: micro {:.4} macro {:.4}",
                r5.micro_f1, r5.macro_f1
            );
        }
        let main = if b.multi_label { report.micro_f1 } else { report.accuracy };
        let (peer, pm, pmacro) = best_peer(&results, name, b.multi_label);
        let (_, target, target_macro) =
            TARGETS.iter().find(|t| t.0 == name).copied().unwrap_or((name, 0.0, 0.0));
        let ok = main >= target && report.macro_f1 >= target_macro;
        println!(
            "{:<8} {:>9.4} {:>9.4} {:>9} {:>8} {:>8.2}   {:<28} {:>9.4} {:>9.4}   {}{}",
            name,
            main,
            report.macro_f1,
            if target_macro > 0.0 {
                format!("{target:.3}/{target_macro:.2}")
            } else {
                format!("{target:.3}")
            },
            report.probabilities.as_ref().map_or("-".to_string(), |p| format!("{:.4}", p.log_loss)),
            secs,
            peer,
            pm,
            pmacro,
            if b.multi_label { "micro-F1" } else { "accuracy" },
            if ok { "  met" } else { "  NOT met" }
        );
    }
    Ok(())
}
