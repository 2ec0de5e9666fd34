//! `cargo xtask <task>`: everything beyond `cargo build` and `cargo test`.
//!
//! Tasks read the real corpora in `../shared/data` (or `$SIFT_DATA`). The
//! global allocator (mimalloc, as in the `sift` binary) comes from the
//! `sift-benches` crate it links.

mod data;
mod datasets;
mod eval;
mod explore;
mod label_speed;
mod peers;
mod select;
mod sentences;
mod stems;
mod summaries;
mod themes;
mod tidy;
mod tokens;

use anyhow::{bail, Result};

const HELP: &str = "\
usage: cargo xtask <task> [options]

tasks:
  eval-sentences [--verbose]   BBC reconstruction rate of the sentence splitter
  print-tokens FILE            title, paragraphs, sentences (byte spans) and terms of FILE
  train-default [--skip-cv]    trains models/themes.sift and writes its model card models/README.md
                               (--skip-cv: the model only, without the held-out evaluations)
  bench-label [--runs N]       whole-process speed of sift label: one 1,000-word article, and
                               batch paragraphs per second on one core
  eval-summaries [--every K] [--only NAME]
                               summarizers on BBC News Summary, beside Lead and sumy
  eval [--datasets 20ng,ag,bbc,reuters] [--calibration platt|isotonic]
                               default classifier on the benchmarks' test splits, beside the peers
                               (log loss of single-label models' probabilities too)
  explore [--set key=value]... [--test]
                               configuration experiments (held-out training folds by default)
  select [--datasets bbc] [--folds K] [--repeats R]
                               per-dataset flags chosen by K-fold (default 5) cross-validation of
                               whole training runs on the training split, averaged over R seeds
                               (default 1); then the test score, once
  stem-check                   sift's English stemmer against rust-stemmers on every distinct word
                               of every corpus
  tidy                         architecture checks (dependency direction, module docs, CI)
  bench-peers [--runs N] [--only NAME] [--classify]
                               TF-IDF speed, memory and output checks against scikit-learn;
                               with --classify: training and prediction against scikit-learn and fastText;
                               N rounds (default 5), each timing scikit-learn then sift, ratios taken
                               within a round (set SIFT_PYTHON to a Python with ../shared/peers set up)
";

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let flag = |name: &str| args.iter().any(|a| a == name);
    let opt =
        |name: &str| args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned();
    match args.first().map(String::as_str) {
        Some("eval-sentences") => sentences::run(flag("--verbose")),
        Some("print-tokens") => match args.get(1) {
            Some(path) => tokens::run(path),
            None => bail!("usage: cargo xtask print-tokens FILE"),
        },
        Some("tidy") => tidy::run(),
        Some("stem-check") => stems::run(),
        Some("bench-peers") => {
            let runs = opt("--runs").map(|r| r.parse()).transpose()?.unwrap_or(5);
            if flag("--classify") {
                peers::run_classify(runs)
            } else {
                peers::run(runs, opt("--only").as_deref())
            }
        }
        Some("classify-child") => {
            let arg = |i: usize| args.get(i).cloned().unwrap_or_default();
            let runs = arg(3).parse()?;
            let predict_runs = args.get(4).map_or(Ok(runs), |r| r.parse())?;
            peers::classify_child(&arg(1), arg(2).parse()?, runs, predict_runs)
        }
        Some("load-child") => {
            let arg = |i: usize| args.get(i).cloned().unwrap_or_default();
            peers::load_child(&arg(1), arg(2).parse()?)
        }
        Some("train-default") => themes::run(flag("--skip-cv")),
        Some("bench-label") => {
            label_speed::run(opt("--runs").map(|r| r.parse()).transpose()?.unwrap_or(50))
        }
        Some("eval-summaries") => {
            let every = opt("--every").map(|r| r.parse()).transpose()?.unwrap_or(1);
            summaries::run(every, opt("--only").as_deref())
        }
        Some("eval") => {
            let calibration = match opt("--calibration") {
                None => sift_classify::CalibrationMethod::Platt,
                Some(name) => match sift_classify::CalibrationMethod::parse(&name) {
                    Some(m) => m,
                    None => bail!("--calibration: '{name}', expected platt or isotonic"),
                },
            };
            eval::run(
                &opt("--datasets").unwrap_or_else(|| "20ng,ag,bbc,reuters".into()),
                calibration,
            )
        }
        Some("explore") => {
            let sets: Vec<String> =
                args.windows(2).filter(|w| w[0] == "--set").map(|w| w[1].clone()).collect();
            explore::run(
                &opt("--datasets").unwrap_or_else(|| "20ng,ag,bbc,reuters".into()),
                &sets,
                flag("--test"),
            )
        }
        Some("select") => select::run(
            &opt("--datasets").unwrap_or_else(|| "bbc".into()),
            opt("--folds").map_or(Ok(5), |k| k.parse())?,
            opt("--repeats").map_or(Ok(1), |r| r.parse())?,
        ),
        Some("vec-child") => {
            let arg = |i: usize| args.get(i).cloned().unwrap_or_default();
            peers::child(&arg(1), arg(2).parse()?, arg(3).parse()?)
        }
        Some("help") | Some("--help") | Some("-h") | None => {
            print!("{HELP}");
            Ok(())
        }
        Some(other) => bail!("unknown task '{other}'\n{HELP}"),
    }
}
