//! Words, filters and n-grams on arbitrary UTF-8: no panic, every span is
//! in bounds, on char boundaries, increasing, and the exact source text, and
//! the span scan (`Words::spans_into`) finds the same spans as the iterator.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sift_tokenize::{words, Analyzer, AnalyzerConfig, Language, Pattern, Words};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    for pattern in [Pattern::Sift, Pattern::Sklearn] {
        let mut last = 0;
        for t in words(text, pattern) {
            assert!(t.span.start >= last && t.span.start < t.span.end);
            assert_eq!(&text[t.span.range()], t.text);
            last = t.span.end;
        }
        for lowercase in [false, true] {
            let want: Vec<(usize, usize)> =
                Words::new(text, pattern, lowercase).map(|t| (t.span.start, t.span.end)).collect();
            let mut got = Vec::new();
            Words::new(text, pattern, lowercase).spans_into(&mut got);
            assert_eq!(got, want);
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
