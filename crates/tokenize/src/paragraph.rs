//! Paragraphs (blocks separated by blank lines) and article titles.

use crate::span::{is_blank, Span};

/// The paragraphs of `text`: maximal runs of non-blank lines, where a blank
/// line holds only whitespace. Spans are trimmed of surrounding whitespace
/// (and of a byte-order mark); `\r\n` line ends are handled.
///
/// ```
/// let text = "Title\n\nFirst paragraph,\nstill first.\n  \nSecond.";
/// let p: Vec<&str> = sift_tokenize::paragraphs(text).iter().map(|s| s.text(text)).collect();
/// assert_eq!(p, ["Title", "First paragraph,\nstill first.", "Second."]);
/// ```
pub fn paragraphs(text: &str) -> Vec<Span> {
    let mut out = Vec::new();
    let mut para: Option<Span> = None;
    let mut line_start = 0;
    let bytes = text.as_bytes();
    loop {
        let line_end =
            memchr::memchr(b'\n', &bytes[line_start..]).map_or(text.len(), |i| line_start + i);
        let line = &text[line_start..line_end];
        let trimmed_start = line.len() - line.trim_start_matches(is_blank).len();
        if trimmed_start == line.len() {
            // Blank line: close the paragraph.
            if let Some(p) = para.take() {
                out.push(p);
            }
        } else {
            let s = line_start + trimmed_start;
            let e = line_start + line.trim_end_matches(is_blank).len();
            para = Some(match para {
                Some(p) => Span::new(p.start, e),
                None => Span::new(s, e),
            });
        }
        if line_end >= text.len() {
            break;
        }
        line_start = line_end + 1;
    }
    if let Some(p) = para {
        out.push(p);
    }
    out
}

/// An article: an optional title line and the body paragraphs.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Article {
    /// The title line, when the text starts with one (see [`article`]).
    pub title: Option<Span>,
    /// Body paragraphs, in order (the title is not among them).
    pub paragraphs: Vec<Span>,
}

/// Splits `text` into an optional title and paragraphs.
///
/// The first line is the title when it is a paragraph of its own (followed by
/// a blank line), is a single line, and does not end with a full stop, a
/// colon or a comma (headlines may end with `?` or `!`); a text that is only
/// one line has no title.
pub fn article(text: &str) -> Article {
    let mut paragraphs = paragraphs(text);
    let title = match paragraphs.first() {
        Some(&first) if paragraphs.len() > 1 && is_title(first.text(text)) => {
            paragraphs.remove(0);
            Some(first)
        }
        _ => None,
    };
    Article { title, paragraphs }
}

fn is_title(line: &str) -> bool {
    !line.contains('\n') && !line.ends_with(['.', ':', ',', ';']) && !line.ends_with("...")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts<'a>(text: &'a str, spans: &[Span]) -> Vec<&'a str> {
        spans.iter().map(|s| s.text(text)).collect()
    }

    #[test]
    fn a_byte_order_mark_is_not_part_of_the_first_paragraph() {
        let t = "\u{FEFF}Spies\r\n\r\nTariffs rose.\r\n";
        let p = paragraphs(t);
        assert_eq!(texts(t, &p), ["Spies", "Tariffs rose."]);
        assert_eq!(p[0].start, 3, "the span starts after the three bytes of the mark");
        assert!(paragraphs("\u{FEFF}\n \n").is_empty());
        let s = crate::sentences(t);
        assert_eq!(texts(t, &s), ["Spies", "Tariffs rose."]);
    }

    #[test]
    fn blank_lines_and_crlf() {
        let t = "  a\r\nb \r\n\r\n\t\r\nc\n\n\n";
        assert_eq!(texts(t, &paragraphs(t)), ["a\r\nb", "c"]);
        assert!(paragraphs("").is_empty());
        assert!(paragraphs(" \n\n \t").is_empty());
    }

    #[test]
    fn titles() {
        let t = "Ad sales boost profit\n\nBody one.\n\nBody two.";
        let a = article(t);
        assert_eq!(a.title.map(|s| s.text(t)), Some("Ad sales boost profit"));
        assert_eq!(texts(t, &a.paragraphs), ["Body one.", "Body two."]);
        let t = "Is this a headline?\n\nYes.";
        assert!(article(t).title.is_some());
        let t = "A full sentence.\n\nAnother.";
        assert!(article(t).title.is_none());
        let t = "Two\nlines\n\nBody.";
        assert!(article(t).title.is_none());
        assert!(article("Only one line").title.is_none());
    }
}
