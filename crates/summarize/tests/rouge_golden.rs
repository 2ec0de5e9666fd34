//! ROUGE equals rouge-score 0.1.2 on the 60 BBC pairs of
//! ../shared/golden/rouge-bbc-60, plain and stemmed, within 1e-6.

use sift_summarize::rouge;
use std::path::PathBuf;

#[test]
fn equals_rouge_score() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/golden/rouge-bbc-60/scores.json.gz");
    let f = std::fs::File::open(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let g: serde_json::Value = serde_json::from_reader(flate2::read::GzDecoder::new(f)).unwrap();
    let pairs = g["pairs"].as_array().unwrap();
    assert_eq!(pairs.len(), 60);
    let mut checked = 0;
    for p in pairs {
        let (cand, refr) = (p["candidate"].as_str().unwrap(), p["reference"].as_str().unwrap());
        for (variant, stem) in [("plain", false), ("stemmed", true)] {
            let ours = rouge::score(refr, cand, stem);
            let exp = &p[variant];
            for (name, s) in [
                ("rouge1", ours.rouge1),
                ("rouge2", ours.rouge2),
                ("rougeL", ours.rouge_l),
                ("rougeLsum", ours.rouge_lsum),
            ] {
                for (field, v) in
                    [("precision", s.precision), ("recall", s.recall), ("fmeasure", s.fmeasure)]
                {
                    let want = exp[name][field]
                        .as_f64()
                        .unwrap_or_else(|| panic!("{variant} {name} {field} missing"));
                    assert!(
                        (v - want).abs() < 1e-6,
                        "{} {variant} {name} {field}: {v} vs rouge-score {want}",
                        p["id"]
                    );
                    checked += 1;
                }
            }
        }
    }
    assert_eq!(checked, 60 * 2 * 4 * 3);
}
