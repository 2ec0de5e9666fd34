//! Lowercasing with an ASCII fast path.

use crate::charclass::{is_case_ignorable, is_cased};
use crate::span::Span;

/// Appends the Unicode lowercase of `s` to `out`.
///
/// ASCII text is lowercased byte by byte; other text goes through
/// [`char::to_lowercase`], with a capital sigma at the end of a word becoming
/// `ς` as in [`str::to_lowercase`].
#[inline]
pub fn push_lowercase(s: &str, out: &mut String) {
    if s.is_ascii() {
        push_ascii_lowercase(s, out);
    } else {
        out.push_str(&s.to_lowercase());
    }
}

/// Lowercases an ASCII word byte by byte: for the short words of running
/// text this beats `push_str` + `make_ascii_lowercase` (no `memcpy` call).
#[inline(always)]
fn push_ascii_lowercase(s: &str, out: &mut String) {
    out.reserve(s.len());
    for b in s.bytes() {
        out.push(b.to_ascii_lowercase() as char);
    }
}

/// Appends the lowercase of `doc[span]` to `out`, deciding a capital sigma's
/// form from the text around it in `doc` (as Python's `str.lower` does on the
/// whole document). With `fold_apostrophes`, `’` and `ʼ` become `'`; with
/// `drop_dot_above`, the combining dot that `İ` lowercases to is left out
/// (scikit-learn's tokens never contain it).
#[inline]
pub(crate) fn push_lowercase_in_context(
    doc: &str,
    span: Span,
    fold_apostrophes: bool,
    drop_dot_above: bool,
    out: &mut String,
) {
    let token = &doc[span.range()];
    if token.is_ascii() {
        push_ascii_lowercase(token, out);
        return;
    }
    for (off, c) in token.char_indices() {
        match c {
            '\u{03A3}' => {
                let at = span.start + off;
                let final_sigma = preceded_by_cased(doc, at) && !followed_by_cased(doc, at + 2);
                out.push(if final_sigma { '\u{03C2}' } else { '\u{03C3}' });
            }
            '\u{0130}' if drop_dot_above => out.push('i'),
            '\u{2019}' | '\u{02BC}' if fold_apostrophes => out.push('\''),
            c if c.is_ascii() => out.push(c.to_ascii_lowercase()),
            c => out.extend(c.to_lowercase()),
        }
    }
}

fn preceded_by_cased(doc: &str, at: usize) -> bool {
    doc[..at].chars().rev().find(|&c| !is_case_ignorable(c)).is_some_and(is_cased)
}

fn followed_by_cased(doc: &str, at: usize) -> bool {
    doc.get(at..)
        .and_then(|rest| rest.chars().find(|&c| !is_case_ignorable(c)))
        .is_some_and(is_cased)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lower_ctx(doc: &str, start: usize, end: usize) -> String {
        let mut s = String::new();
        push_lowercase_in_context(doc, Span::new(start, end), true, false, &mut s);
        s
    }

    #[test]
    fn ascii_and_unicode() {
        let mut s = String::new();
        push_lowercase("HeLLo", &mut s);
        push_lowercase(" ÉTÉ", &mut s);
        assert_eq!(s, "hello été");
    }

    #[test]
    fn sigma_uses_document_context() {
        // "ΟΔΟΣ" at the end of a word: final sigma.
        let doc = "ΟΔΟΣ ΑΘΗΝΑ";
        assert_eq!(lower_ctx(doc, 0, 8), "οδος");
        // Followed by a case-ignorable period and a letter: not final.
        let doc = "ΟΔΟΣ.Α";
        assert_eq!(lower_ctx(doc, 0, 8), "οδοσ");
        // Agrees with std on a whole string.
        assert_eq!(lower_ctx("ΟΔΟΣ ΑΘΗΝΑ", 0, 19), "ΟΔΟΣ ΑΘΗΝΑ".to_lowercase());
    }

    #[test]
    fn apostrophes_fold() {
        assert_eq!(lower_ctx("China’s", 0, "China’s".len()), "china's");
    }
}
