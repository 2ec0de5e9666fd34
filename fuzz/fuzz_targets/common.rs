//! What both model targets check on a model that loads: it labels a text,
//! with one probability per label for every paragraph.

use sift_classify::{LabelOptions, Model};

pub fn labels_a_text(m: &Model) {
    let out = m.label_articles(
        &["Title\n\nHackers stole tariff data.\n\nSpies."],
        LabelOptions::default(),
    );
    assert_eq!(out.len(), 1);
    for p in &out[0].paragraphs {
        assert_eq!(p.prediction.probabilities.len(), m.labels().len());
    }
}
