//! sift's English stemmer (hand-written Porter2 for lowercase ASCII words,
//! rust-stemmers for the rest) against rust-stemmers on arbitrary strings,
//! as given and lowercased: the same stem, and no panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sift_tokenize::{Language, Stemmer};

fuzz_target!(|data: &[u8]| {
    let Ok(word) = std::str::from_utf8(data) else { return };
    let ours = Stemmer::new(Language::English);
    let reference = rust_stemmers::Stemmer::create(rust_stemmers::Algorithm::English);
    for w in [word.to_string(), word.to_lowercase()] {
        assert_eq!(ours.stem(&w), reference.stem(&w), "{w:?}");
    }
});
