//! The supervised summarizer model file (`sift train-summarizer`, read by
//! `sift summarize --summarizer-model`): the fuzzer's bytes as a whole file
//! (a bare JSON model of format 1 takes that path) and as the payload of a
//! well-formed container, so mutations reach the JSON decoder and the model
//! checks. An error or a model, never a panic; a model that loads saves and
//! loads back equal, and summarizes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sift_summarize::supervised::{SupervisedModel, MAGIC, SUPERVISED_FORMAT};
use sift_summarize::{Algorithm, Summarizer, SummarizerParams};
use sift_tfidf::container;

fn check(bytes: &[u8]) {
    let Ok(m) = SupervisedModel::from_bytes(bytes) else { return };
    let again = SupervisedModel::from_bytes(&m.to_bytes()).expect("a saved model loads");
    assert_eq!(again, SupervisedModel { format: SUPERVISED_FORMAT, ..m.clone() });
    let params = SummarizerParams { algorithm: Algorithm::Supervised, ..Default::default() };
    let s = Summarizer::new(params).unwrap().with_supervised(m).expect("a loaded model is usable");
    let text = "Tariffs rise\n\nSteel tariffs rose. Buyers complained. Prices rose.";
    let summary = s.summarize(text);
    assert!(summary.sentences.iter().all(|x| x.span.end <= text.len()));
}

fuzz_target!(|data: &[u8]| {
    check(data);
    check(&container::encode(MAGIC, SUPERVISED_FORMAT, data));
});
