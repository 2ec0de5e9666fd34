//! Property tests: no input panics, every span is valid, and the optimized
//! scanners agree with naive reference implementations written from the
//! documented rules (char by char, no lookup tables, no byte tricks).

use proptest::prelude::*;
use sift_tokenize::{
    article, blocks, paragraphs, sentences, words, Analyzer, AnalyzerConfig, Filter, Language,
    Pattern, Span, StopList,
};
use unicode_general_category::{get_general_category, GeneralCategory as Gc};

// ---------------------------------------------------------------- strategies

const ALPHABET: &[char] = &[
    'a', 'b', 'Z', 'é', '\u{301}', 'ж', 'Σ', 'İ', '中', 'カ', '1', '9', '٣', '²', '\'', '’', 'ʼ',
    '-', '‐', '.', ',', '!', '?', '…', '"', '“', '”', '(', ')', '_', ' ', ' ', ' ', '\n', '\n',
    '\t', '\r', '$', '%', '€', '🚀', '\u{200d}', '\u{a0}', ':', ';', '*', '•',
];

fn tricky_text() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(ALPHABET), 0..80)
        .prop_map(|v| v.into_iter().collect())
}

fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![
        tricky_text(),
        any::<String>(),
        "[A-Za-z .,'!?\n-]{0,120}",
        "[A-Za-z0-9_ .,é-]{60,400}",
        // Words longer than a 64-byte block, rare non-ASCII letters and
        // separators: runs that cross blocks of either kind.
        "([a-zA-Z0-9_]{1,150}[ .,é中İ\n]{1,3}){1,10}",
        // Short words with joiners and combining marks over several blocks
        // (the sift scan reads plain words off a block mask and leaves
        // these to the char-by-char rules).
        "([a-zA-Z0-9]{1,12}['’\u{301}., \n-]{1,2}){5,40}"
    ]
}

// ---------------------------------------------------------------- references

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum C {
    Sep,
    L,
    D,
    M,
    Ideo,
    Apos,
    Hyph,
    Period,
    Comma,
}

fn ref_class(c: char) -> C {
    match c {
        '\'' | '\u{2019}' | '\u{02BC}' => return C::Apos,
        '-' | '\u{2010}' | '\u{2011}' => return C::Hyph,
        '.' => return C::Period,
        ',' => return C::Comma,
        '\u{200C}' | '\u{200D}' => return C::M,
        _ => {}
    }
    let u = c as u32;
    if (0x3040..=0x30FF).contains(&u)
        || (0x31F0..=0x31FF).contains(&u)
        || (0x3400..=0x4DBF).contains(&u)
        || (0x4E00..=0x9FFF).contains(&u)
        || (0xF900..=0xFAFF).contains(&u)
        || (0xFF66..=0xFF9F).contains(&u)
        || (0x20000..=0x3134F).contains(&u)
    {
        return C::Ideo;
    }
    match get_general_category(c) {
        Gc::UppercaseLetter
        | Gc::LowercaseLetter
        | Gc::TitlecaseLetter
        | Gc::ModifierLetter
        | Gc::OtherLetter => C::L,
        Gc::DecimalNumber | Gc::LetterNumber | Gc::OtherNumber => C::D,
        Gc::NonspacingMark | Gc::SpacingMark | Gc::EnclosingMark => C::M,
        _ => C::Sep,
    }
}

/// The sift word rules, char by char.
fn ref_sift(text: &str) -> Vec<(usize, usize)> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let pos = |i: usize| {
        if i < chars.len() {
            chars[i].0
        } else {
            text.len()
        }
    };
    let cls = |i: usize| {
        if i < chars.len() {
            ref_class(chars[i].1)
        } else {
            C::Sep
        }
    };
    let n = chars.len();
    let mut out = Vec::new();
    let mut i = 0;
    while i < n {
        let c = cls(i);
        if c == C::Ideo {
            let mut e = i + 1;
            while e < n && cls(e) == C::M {
                e += 1;
            }
            out.push((pos(i), pos(e)));
            i = e;
            continue;
        }
        if c != C::L && c != C::D {
            i += 1;
            continue;
        }
        let start = i;
        let mut prev = c;
        let mut seg = 1;
        i += 1;
        while i < n {
            match cls(i) {
                k @ (C::L | C::D) => {
                    prev = k;
                    seg += 1;
                    i += 1;
                }
                C::M => i += 1,
                j @ (C::Apos | C::Hyph | C::Period | C::Comma) => {
                    if i + 1 >= n {
                        break;
                    }
                    let next = cls(i + 1);
                    let alnum = |k: C| k == C::L || k == C::D;
                    let join = match j {
                        C::Apos => alnum(prev) && next == C::L,
                        C::Hyph => alnum(prev) && alnum(next),
                        C::Comma => prev == C::D && next == C::D,
                        _ => {
                            (prev == C::D && next == C::D)
                                || (prev == C::L
                                    && seg == 1
                                    && next == C::L
                                    && !matches!(cls(i + 2), C::L | C::D | C::M))
                        }
                    };
                    if !join {
                        break;
                    }
                    i += 1;
                    seg = 0;
                }
                _ => break,
            }
        }
        out.push((pos(start), pos(i)));
    }
    out
}

fn py_word(c: char) -> bool {
    c == '_'
        || matches!(
            get_general_category(c),
            Gc::UppercaseLetter
                | Gc::LowercaseLetter
                | Gc::TitlecaseLetter
                | Gc::ModifierLetter
                | Gc::OtherLetter
                | Gc::DecimalNumber
                | Gc::LetterNumber
                | Gc::OtherNumber
        )
}

/// scikit-learn's analysis: lowercase the whole text, then `\b\w\w+\b`.
/// (Sigma forms are folded to `σ` for the comparison: they do not change
/// word boundaries and depend on context.)
fn ref_sklearn(text: &str) -> Vec<String> {
    let lower: Vec<char> = text.chars().flat_map(char::to_lowercase).collect();
    let mut out = Vec::new();
    let mut run = String::new();
    let mut len = 0;
    for c in lower.into_iter().chain(std::iter::once(' ')) {
        if py_word(c) {
            run.push(if c == 'ς' { 'σ' } else { c });
            len += 1;
        } else {
            if len >= 2 {
                out.push(run.clone());
            }
            run.clear();
            len = 0;
        }
    }
    out
}

// ---------------------------------------------------------------- invariants

fn assert_spans_valid(text: &str, spans: &[Span], trimmed: bool) {
    let mut last_end = 0;
    for s in spans {
        assert!(s.start < s.end && s.end <= text.len(), "{s:?} out of bounds in {text:?}");
        assert!(
            text.is_char_boundary(s.start) && text.is_char_boundary(s.end),
            "{s:?} not on char boundaries"
        );
        assert!(s.start >= last_end, "{s:?} overlaps or goes backwards in {text:?}");
        last_end = s.end;
        if trimmed {
            let t = s.text(text);
            assert_eq!(t.trim(), t, "span {s:?} not trimmed in {text:?}");
        }
    }
}

fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 768, ..ProptestConfig::default() })]

    #[test]
    fn sift_words_match_reference(text in any_text()) {
        let got: Vec<(usize, usize)> = words(&text, Pattern::Sift).map(|t| (t.span.start, t.span.end)).collect();
        prop_assert_eq!(got, ref_sift(&text));
    }

    #[test]
    fn sklearn_terms_match_reference(text in any_text()) {
        let a = Analyzer::new(AnalyzerConfig::sklearn()).unwrap();
        let got: Vec<String> = a.terms(&text).into_iter().map(|t| t.text.replace('ς', "σ")).collect();
        prop_assert_eq!(got, ref_sklearn(&text));
    }

    #[test]
    fn word_spans_are_exact(text in any_text()) {
        for pattern in [Pattern::Sift, Pattern::Sklearn] {
            let toks: Vec<_> = words(&text, pattern).collect();
            let spans: Vec<Span> = toks.iter().map(|t| t.span).collect();
            assert_spans_valid(&text, &spans, false);
            for t in toks {
                prop_assert_eq!(&text[t.span.range()], t.text);
            }
        }
    }

    #[test]
    fn span_scan_matches_the_iterator(text in any_text()) {
        for pattern in [Pattern::Sift, Pattern::Sklearn] {
            for lowercase in [false, true] {
                let want: Vec<(usize, usize)> = sift_tokenize::Words::new(&text, pattern, lowercase)
                    .map(|t| (t.span.start, t.span.end))
                    .collect();
                let mut got = vec![(7, 7)];
                sift_tokenize::Words::new(&text, pattern, lowercase).spans_into(&mut got);
                prop_assert_eq!(got[0], (7, 7), "appends");
                prop_assert_eq!(&got[1..], &want[..], "{:?} lowercase {}", pattern, lowercase);
            }
        }
        // The analyzer's span scan is the same scan.
        let a = Analyzer::new(AnalyzerConfig::sklearn()).unwrap();
        let mut spans = Vec::new();
        a.word_spans(&text, &mut spans);
        let want: Vec<(usize, usize)> = a.words(&text).map(|t| (t.span.start, t.span.end)).collect();
        prop_assert_eq!(spans, want);
    }

    #[test]
    fn sentences_cover_all_text(text in any_text()) {
        let spans = sentences(&text);
        assert_spans_valid(&text, &spans, true);
        let joined: String = spans.iter().map(|s| s.text(&text)).collect();
        prop_assert_eq!(squash(&joined), squash(&text));
    }

    #[test]
    fn paragraphs_cover_all_text(text in any_text()) {
        let spans = paragraphs(&text);
        assert_spans_valid(&text, &spans, true);
        let joined: String = spans.iter().map(|s| s.text(&text)).collect();
        prop_assert_eq!(squash(&joined), squash(&text));
        let a = article(&text);
        let mut all: Vec<Span> = a.title.into_iter().collect();
        all.extend(a.paragraphs);
        prop_assert_eq!(all, spans.clone());
        // Paragraphs are runs of consecutive blocks: each starts where a
        // block starts and ends where a later one ends, in order.
        let b = blocks(&text);
        assert_spans_valid(&text, &b, true);
        let mut k = 0;
        for p in &spans {
            prop_assert!(k < b.len() && b[k].start == p.start, "{:?} starts no block", p);
            while k < b.len() && b[k].end != p.end {
                k += 1;
            }
            prop_assert!(k < b.len(), "{:?} ends no block", p);
            k += 1;
        }
        prop_assert_eq!(k, b.len(), "every block is in a paragraph");
    }

    #[test]
    fn full_pipeline_never_panics(text in any_text(), min in 1usize..3, extra in 0usize..3) {
        let config = AnalyzerConfig::default()
            .with_filter(Filter::StopWords { list: StopList::None, extra: vec!["zz".into()] })
            .with_stemming(Language::English)
            .with_filter(Filter::Length { min, max: Some(20) })
            .with_ngram_range(min, min + extra);
        let a = Analyzer::new(config).unwrap();
        for t in a.terms(&text) {
            prop_assert!(!t.text.is_empty());
            prop_assert!(t.span.end <= text.len() && text.is_char_boundary(t.span.start) && text.is_char_boundary(t.span.end));
        }
    }
}
