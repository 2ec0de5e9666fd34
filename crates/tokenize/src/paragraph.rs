//! Paragraphs (blocks separated by blank lines, unless the blank line falls
//! inside a sentence) and article titles.

use crate::sentence::{is_closer, is_script_terminator};
use crate::span::{is_blank, Span};

/// The paragraphs of `text`: maximal runs of non-blank lines, where a blank
/// line holds only whitespace. Spans are trimmed of surrounding whitespace
/// (and of a byte-order mark); `\r\n` line ends are handled.
///
/// A blank line in the middle of a sentence does not break the paragraph:
/// when a block does not end a sentence (no `.`, `!`, `?`, `:`, `;` or
/// ellipsis before any closing quotes and brackets) and the next one starts
/// with an all-lowercase word, they are one paragraph. Scraped news has such
/// breaks (65 of the 10,547 blank-line breaks of the BBC News corpus, as in
/// `like an\n\nagent provocateur\n\nand perhaps`), and a fragment labelled
/// or summarized on its own is noise. The first block, when it is a single
/// line, stays apart: it may be a title.
///
/// ```
/// let text = "Title\n\nFirst paragraph,\nstill first.\n  \nSecond, cut by a\n\nstray break.";
/// let p: Vec<&str> = sift_tokenize::paragraphs(text).iter().map(|s| s.text(text)).collect();
/// assert_eq!(p, ["Title", "First paragraph,\nstill first.", "Second, cut by a\n\nstray break."]);
/// ```
pub fn paragraphs(text: &str) -> Vec<Span> {
    let mut out: Vec<Span> = Vec::new();
    for block in blocks(text) {
        // A first block of one line may be a title: never joined.
        let maybe_title = out.len() == 1;
        match out.last_mut() {
            Some(last)
                if (!maybe_title || last.text(text).contains('\n'))
                    && !ends_sentence(last.text(text))
                    && starts_lowercase(block.text(text)) =>
            {
                last.end = block.end
            }
            _ => out.push(block),
        }
    }
    out
}

/// Whether a block ends like a sentence (or a heading with a colon): its
/// last character before closing quotes and brackets is `.`, `!`, `?`, `:`,
/// `;`, an ellipsis or another script's sentence-final mark (`。`, `।`...).
fn ends_sentence(block: &str) -> bool {
    let core = block.trim_end_matches(is_closer);
    core.ends_with(['.', '!', '?', ':', ';', '\u{2026}'])
        || core.chars().next_back().is_some_and(is_script_terminator)
}

/// Whether a block's first word is all lowercase letters (`and`, `économie`;
/// not `iPhone`, `eBay`, a number or a list marker).
fn starts_lowercase(block: &str) -> bool {
    let mut word = block.chars().take_while(|c| c.is_alphabetic()).peekable();
    word.peek().is_some() && word.all(char::is_lowercase)
}

/// The blocks of `text`: maximal runs of non-blank lines, trimmed as
/// [`paragraphs`] trims them, without joining a block that ends
/// mid-sentence to the next. A stable way to address the parts of a text
/// that no heuristic moves (the theme datasets name paragraphs of shared
/// corpora by their block number).
///
/// ```
/// let text = "One, cut by a\n\nstray break.\n\nTwo.";
/// let b: Vec<&str> = sift_tokenize::blocks(text).iter().map(|s| s.text(text)).collect();
/// assert_eq!(b, ["One, cut by a", "stray break.", "Two."]);
/// ```
pub fn blocks(text: &str) -> Vec<Span> {
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

/// A title is one line that does not end like a statement or a lead-in:
/// not with a full stop (`.`, or `。`, `।`, `۔`... in other scripts), a
/// colon, comma or semicolon (full-width ones included), or `...`. A
/// headline may end with `?` or `!`.
fn is_title(line: &str) -> bool {
    let full_stop =
        |c: char| is_script_terminator(c) && !matches!(c, '\u{FF01}' | '\u{FF1F}' | '\u{061F}');
    !line.contains('\n')
        && !line.ends_with(['.', ':', ',', ';', '\u{FF1A}', '\u{FF0C}', '\u{3001}', '\u{FF1B}'])
        && !line.chars().next_back().is_some_and(full_stop)
        && !line.ends_with("...")
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
        let t = "  a\r\nb \r\n\r\n\t\r\nC\n\n\n";
        assert_eq!(texts(t, &paragraphs(t)), ["a\r\nb", "C"]);
        assert!(paragraphs("").is_empty());
        assert!(paragraphs(" \n\n \t").is_empty());
    }

    #[test]
    fn a_blank_line_inside_a_sentence_does_not_break_the_paragraph() {
        let t = "Spy row\n\nThe role they took was like an\n\nagent provocateur\n\nand \
                 perhaps more.\n\nNext one.";
        let p = paragraphs(t);
        assert_eq!(
            texts(t, &p),
            [
                "Spy row",
                "The role they took was like an\n\nagent provocateur\n\nand perhaps more.",
                "Next one."
            ]
        );
        assert_eq!(article(t).title.map(|s| s.text(t)), Some("Spy row"), "titles stay apart");
        // A sentence end (before closing quotes and brackets), a capital or
        // mixed-case word, a number or a list marker keeps the break.
        for kept in [
            "He said: \"It ended.\"\n\nand then left",
            "It ended (finally.)\n\nand then",
            "Prices rose \u{2026}\n\nand fell",
            "Items:\n\na list",
            "No stop\n\nThen a capital",
            "No stop\n\niPhone sales",
            "No stop\n\n2 percent",
            "No stop\n\n- item",
        ] {
            let t = format!("Intro.\n\n{kept}");
            assert_eq!(paragraphs(&t).len(), 3, "{kept:?}");
        }
        let t = "Intro.\n\nNo stop\n\n\u{e9}conomie et\n\nsoci\u{e9}t\u{e9}.";
        assert_eq!(paragraphs(t).len(), 2, "lowercase beyond ASCII");
        let t = "One line\n\nlowercase start.";
        assert_eq!(paragraphs(t).len(), 2, "a first single line may be a title");
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

    #[test]
    fn titles_and_joins_in_other_scripts() {
        // A first line ending with an ideographic full stop or a danda is
        // a sentence of the body, not a title; a headline without one is.
        let t = "新规定下月生效。\n\n官员周二说明了细节。";
        assert!(article(t).title.is_none());
        let t = "नया नियम अगले महीने लागू होगा।\n\nअधिकारियों ने यह कहा।";
        assert!(article(t).title.is_none());
        let t = "出口规则收紧\n\n新规定下月生效。";
        assert_eq!(article(t).title.map(|s| s.text(t)), Some("出口规则收紧"));
        // A block ending with `。` (or `」` after it) ends a sentence, so a
        // lowercase block after it is a paragraph of its own.
        let t = "标题\n\n他说：「规定下月生效。」\n\nand then an English line.";
        assert_eq!(paragraphs(t).len(), 3);
        let t = "标题\n\n规定下月生效，\n\nand then an English line.";
        assert_eq!(paragraphs(t).len(), 2);
    }
}
