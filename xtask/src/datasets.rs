//! The four classification benchmarks, split exactly as the peers' protocol
//! (../shared/peers/README.md, common.py) splits them.

use crate::data::{read_jsonl, str_field, workspace_root};
use anyhow::{ensure, Context, Result};
use serde_json::Value;
use std::collections::BTreeSet;

/// A labelled corpus split into train and test.
pub struct Benchmark {
    pub name: &'static str,
    pub labels: Vec<String>,
    pub multi_label: bool,
    pub train_texts: Vec<String>,
    /// Label indices per example (one for single-label).
    pub train_labels: Vec<Vec<usize>>,
    pub test_texts: Vec<String>,
    pub test_labels: Vec<Vec<usize>>,
}

impl Benchmark {
    /// `(text, label indices)` pairs of this benchmark as labelled examples.
    pub fn examples(&self, texts: &[String], labels: &[Vec<usize>]) -> Vec<sift_classify::Example> {
        texts
            .iter()
            .zip(labels)
            .map(|(t, ls)| sift_classify::Example {
                text: t.clone(),
                labels: ls.iter().map(|&l| self.labels[l].clone()).collect(),
            })
            .collect()
    }
}

fn single(name: &'static str, train: Vec<Value>, test: Vec<Value>) -> Benchmark {
    let labels: Vec<String> = train
        .iter()
        .chain(&test)
        .map(|r| str_field(r, "label").to_string())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let idx =
        |r: &Value| vec![labels.binary_search(&str_field(r, "label").to_string()).unwrap_or(0)];
    Benchmark {
        name,
        multi_label: false,
        train_texts: train.iter().map(|r| str_field(r, "text").to_string()).collect(),
        train_labels: train.iter().map(idx).collect(),
        test_texts: test.iter().map(|r| str_field(r, "text").to_string()).collect(),
        test_labels: test.iter().map(idx).collect(),
        labels,
    }
}

pub fn load(name: &str) -> Result<Benchmark> {
    Ok(match name {
        "20ng" => single(
            "20ng",
            read_jsonl("20newsgroups-bydate/train.jsonl.gz")?,
            read_jsonl("20newsgroups-bydate/test.jsonl.gz")?,
        ),
        "ag" => single(
            "ag",
            read_jsonl("ag-news/train_subset.jsonl.gz")?,
            read_jsonl("ag-news/test.jsonl.gz")?,
        ),
        "bbc" => {
            let all = read_jsonl("bbc-news/all.jsonl.gz")?;
            let mut seen = std::collections::HashMap::<String, usize>::new();
            let (mut train, mut test) = (Vec::new(), Vec::new());
            for r in all {
                let c = seen.entry(str_field(&r, "label").to_string()).or_default();
                if *c % 5 == 4 {
                    test.push(r)
                } else {
                    train.push(r)
                }
                *c += 1;
            }
            let split: Value = serde_json::from_str(
                &std::fs::read_to_string(workspace_root().join("../shared/peers/bbc_split.json"))
                    .context("bbc_split.json")?,
            )?;
            let want: Vec<&str> = split["test_ids"]
                .as_array()
                .context("test_ids")?
                .iter()
                .filter_map(|v| v.as_str())
                .collect();
            let got: Vec<&str> = test.iter().map(|r| str_field(r, "id")).collect();
            ensure!(got == want, "BBC split differs from ../shared/peers/bbc_split.json");
            single("bbc", train, test)
        }
        "reuters" => {
            let keep = |v: Vec<Value>| {
                v.into_iter()
                    .filter(|r| r["in_aptemod90"].as_bool() == Some(true))
                    .collect::<Vec<_>>()
            };
            let train = keep(read_jsonl("reuters21578-modapte/train.jsonl.gz")?);
            let test = keep(read_jsonl("reuters21578-modapte/test.jsonl.gz")?);
            let topics = |rs: &[Value]| -> BTreeSet<String> {
                rs.iter()
                    .flat_map(|r| r["topics"].as_array().cloned().unwrap_or_default())
                    .filter_map(|t| t.as_str().map(str::to_string))
                    .collect()
            };
            let labels: Vec<String> =
                topics(&train).intersection(&topics(&test)).cloned().collect();
            let idx = |r: &Value| -> Vec<usize> {
                r["topics"]
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .filter_map(|t| t.as_str())
                            .filter_map(|t| labels.binary_search(&t.to_string()).ok())
                            .collect()
                    })
                    .unwrap_or_default()
            };
            Benchmark {
                name: "reuters",
                multi_label: true,
                train_texts: train.iter().map(|r| str_field(r, "text").to_string()).collect(),
                train_labels: train.iter().map(idx).collect(),
                test_texts: test.iter().map(|r| str_field(r, "text").to_string()).collect(),
                test_labels: test.iter().map(idx).collect(),
                labels,
            }
        }
        other => anyhow::bail!("unknown dataset {other}: expected 20ng, ag, bbc or reuters"),
    })
}
