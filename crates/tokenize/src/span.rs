//! Byte spans into the original text.

use serde::{Deserialize, Serialize};

/// A half-open byte range `start..end` into the text a token, sentence or
/// paragraph was read from.
///
/// **Invariant:** every span produced by this crate lies on `char` boundaries
/// of the text it was produced from, so `&text[span.range()]` never panics and
/// is exactly the source of the item.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
pub struct Span {
    /// First byte of the item.
    pub start: usize,
    /// One past the last byte of the item.
    pub end: usize,
}

impl Span {
    /// A span from `start` to `end` (bytes).
    #[inline]
    pub const fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }

    /// The span as a `Range<usize>`, for slicing.
    #[inline]
    pub const fn range(self) -> std::ops::Range<usize> {
        self.start..self.end
    }

    /// Length in bytes.
    #[inline]
    pub const fn len(self) -> usize {
        self.end - self.start
    }

    /// `true` when the span covers no byte.
    #[inline]
    pub const fn is_empty(self) -> bool {
        self.start >= self.end
    }

    /// The text this span covers in `text`.
    ///
    /// # Panics
    /// Panics when the span does not come from `text` (out of bounds or not on
    /// a `char` boundary), like any out-of-range slice.
    #[inline]
    pub fn text(self, text: &str) -> &str {
        &text[self.range()]
    }

    /// The smallest span covering both `self` and `other`.
    #[inline]
    pub fn cover(self, other: Span) -> Span {
        Span { start: self.start.min(other.start), end: self.end.max(other.end) }
    }
}

impl From<std::ops::Range<usize>> for Span {
    fn from(r: std::ops::Range<usize>) -> Self {
        Span { start: r.start, end: r.end }
    }
}

/// Characters that paragraph and sentence spans are trimmed of: whitespace,
/// and U+FEFF, the byte-order mark that many Windows editors put at the
/// start of a file (it is not whitespace to Unicode, but it is invisible
/// and belongs to no sentence).
#[inline]
pub(crate) fn is_blank(c: char) -> bool {
    c.is_whitespace() || c == '\u{FEFF}'
}
