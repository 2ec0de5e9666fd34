//! Sentences and paragraphs of arbitrary UTF-8: no panic, valid trimmed
//! spans, and together they cover every non-whitespace character.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sift_tokenize::{article, paragraphs, sentences, Span};

fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

fn check(text: &str, spans: &[Span]) {
    let mut last = 0;
    for s in spans {
        assert!(s.start >= last && s.start < s.end);
        let t = &text[s.range()];
        assert_eq!(t.trim(), t);
        last = s.end;
    }
    let joined: String = spans.iter().map(|s| &text[s.range()]).collect();
    assert_eq!(squash(&joined), squash(text));
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    check(text, &sentences(text));
    check(text, &paragraphs(text));
    let _ = article(text);
});
