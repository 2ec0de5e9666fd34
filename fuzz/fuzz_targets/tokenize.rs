//! Words, filters and n-grams on arbitrary UTF-8: no panic, and every span is
//! in bounds, on char boundaries, increasing, and the exact source text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sift_tokenize::{words, Analyzer, AnalyzerConfig, Language, Pattern};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    for pattern in [Pattern::Sift, Pattern::Sklearn] {
        let mut last = 0;
        for t in words(text, pattern) {
            assert!(t.span.start >= last && t.span.start < t.span.end);
            assert_eq!(&text[t.span.range()], t.text);
            last = t.span.end;
        }
    }
    let config = AnalyzerConfig::default().with_stemming(Language::English).with_ngram_range(1, 3);
    let analyzer = Analyzer::new(config).expect("valid config");
    for term in analyzer.terms(text) {
        assert!(!term.text.is_empty());
        assert!(text.get(term.span.range()).is_some());
    }
    let sk = Analyzer::new(AnalyzerConfig::sklearn()).expect("valid config");
    let _ = sk.terms(text);
});
