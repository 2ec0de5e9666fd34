//! Word scanners: find words in text without allocating.
//!
//! Two patterns are available ([`Pattern`]):
//!
//! * [`Pattern::Sift`], the default, for news and reports. A word is a run of
//!   letters, digits and combining marks, where some punctuation joins two
//!   runs into one word:
//!   - an apostrophe (`'`, `’`, `ʼ`) between a letter or digit and a letter:
//!     `China's`, `don't`, `O'Brien`, `1990's`;
//!   - a hyphen (`-`, `‐`, `‑`) between letters or digits: `state-sponsored`,
//!     `covid-19`, `2004-05`;
//!   - `.` or `,` between two digits: `3.6`, `1,000`, and so `$10.9bn` gives
//!     the word `10.9bn`;
//!   - `.` between single letters, for acronyms: `U.S.` gives `U.S`, `e.g.`
//!     gives `e.g`.
//!
//!   Han, Hiragana and Katakana characters are words of one character each,
//!   as those scripts do not separate words by spaces (word n-grams then give
//!   character bigrams). Everything else (spaces, other punctuation, symbols,
//!   emoji, controls) separates words.
//! * [`Pattern::Sklearn`] reproduces scikit-learn's default `token_pattern`
//!   `(?u)\b\w\w+\b`: maximal runs of at least two Python word characters
//!   (Unicode letters and numbers, and `_`). When the analyzer lowercases, the
//!   runs are those of the lowercased text, as in scikit-learn, which only
//!   matters for `İ` (its lowercase `i̇` ends a run).
//!
//! Both scanners walk bytes through a lookup table while the text is ASCII and
//! decode a `char` only for other bytes: this is hand-written rather than a
//! `regex` because it runs at several hundred MB/s and the patterns above are
//! not expressible with `regex`'s Unicode classes (Python's `\w` differs from
//! Rust's).

use crate::charclass::{class_of, is_python_word, Class, ASCII_CLASS, PY_WORD_ASCII};
use crate::span::Span;
use serde::{Deserialize, Serialize};

/// Which rules find words in text.
///
/// `Sift` joins words across apostrophes (`China's`), hyphens
/// (`state-sponsored`), number separators (`3.6`, `1,000`) and acronym dots
/// (`U.S`), and makes each Han or kana character a word; `Sklearn` is
/// scikit-learn's `(?u)\b\w\w+\b`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Pattern {
    /// sift's rules for news text (apostrophes, hyphens, numbers, acronyms).
    #[default]
    Sift,
    /// scikit-learn's default `(?u)\b\w\w+\b`.
    Sklearn,
}

/// What a token is made of.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenKind {
    /// Contains at least one letter.
    Word,
    /// Digits only, possibly with `.`, `,` or `-` between them.
    Number,
    /// A single Han, Hiragana or Katakana character.
    Ideograph,
}

/// A word found in a text: a slice of that text and its byte span.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token<'a> {
    /// The exact source text, `&text[span.range()]`.
    pub text: &'a str,
    /// Byte offsets into the original text.
    pub span: Span,
    /// What the token is made of.
    pub kind: TokenKind,
}

/// Iterator over the words of a text; created by [`words`] or
/// [`crate::Analyzer::words`].
#[derive(Clone, Debug)]
pub struct Words<'a> {
    text: &'a str,
    pos: usize,
    pattern: Pattern,
    lowercase_boundaries: bool,
    block: Block,
}

/// The word-byte mask of a 64-byte ASCII block, kept between tokens.
#[derive(Clone, Copy, Debug, Default)]
struct Block {
    start: usize,
    /// Bit i set: byte `start + i` is a word byte.
    word: u64,
    /// Bit i set: byte `start + i` is an ASCII digit.
    digit: u64,
    /// The mask is valid for `start..start + 64`.
    valid: bool,
}

/// The words of `text` under `pattern`, with byte offsets.
///
/// ```
/// use sift_tokenize::{words, Pattern};
/// let text = "China's exports rose 3.6% to $10.9bn in the U.S.";
/// let w: Vec<&str> = words(text, Pattern::Sift).map(|t| t.text).collect();
/// assert_eq!(w, ["China's", "exports", "rose", "3.6", "to", "10.9bn", "in", "the", "U.S"]);
/// ```
pub fn words(text: &str, pattern: Pattern) -> Words<'_> {
    Words { text, pos: 0, pattern, lowercase_boundaries: false, block: Block::default() }
}

impl<'a> Words<'a> {
    /// Like [`words`], but for [`Pattern::Sklearn`] finds the runs of the
    /// lowercased text (scikit-learn lowercases before matching).
    pub fn new(text: &'a str, pattern: Pattern, lowercase: bool) -> Self {
        Words { text, pos: 0, pattern, lowercase_boundaries: lowercase, block: Block::default() }
    }
}

impl<'a> Iterator for Words<'a> {
    type Item = Token<'a>;

    #[inline(always)]
    fn next(&mut self) -> Option<Token<'a>> {
        let (start, end, kind) = match self.pattern {
            Pattern::Sift => next_sift(self.text, self.pos)?,
            Pattern::Sklearn => self.next_sklearn_blocks()?,
        };
        self.pos = end;
        Some(Token { text: &self.text[start..end], span: Span::new(start, end), kind })
    }
}

impl std::iter::FusedIterator for Words<'_> {}

impl Words<'_> {
    /// The scikit-learn scanner over 64-byte blocks: while a block is ASCII,
    /// its word bytes form a bitmask and each token is a run of ones found
    /// with `trailing_zeros`; blocks with other bytes, and tokens running
    /// past a block, take the char-by-char path ([`next_sklearn`]).
    #[inline]
    fn next_sklearn_blocks(&mut self) -> Option<(usize, usize, TokenKind)> {
        let bytes = self.text.as_bytes();
        let n = bytes.len();
        let mut pos = self.pos;
        loop {
            if !(self.block.valid && pos >= self.block.start && pos < self.block.start + 64) {
                if pos + 64 > n {
                    break;
                }
                let (word, digit, non_ascii) = block_masks(&bytes[pos..pos + 64]);
                if non_ascii != 0 {
                    self.block.valid = false;
                    break;
                }
                self.block = Block { start: pos, word, digit, valid: true };
            }
            let off = (pos - self.block.start) as u32;
            let m = self.block.word >> off;
            if m == 0 {
                pos = self.block.start + 64;
                continue;
            }
            let s = m.trailing_zeros();
            let run = (!(m >> s)).trailing_zeros();
            let start = pos + s as usize;
            if off + s + run >= 64 {
                // The run reaches the block's end: finish it char by char.
                self.block.valid = false;
                return next_sklearn(self.text, start, self.lowercase_boundaries);
            }
            let end = start + run as usize;
            if run >= 2 {
                let run_mask = ((1u64 << run) - 1) << (off + s);
                let kind = if self.block.digit & run_mask == run_mask {
                    TokenKind::Number
                } else {
                    TokenKind::Word
                };
                return Some((start, end, kind));
            }
            pos = end;
        }
        next_sklearn(self.text, pos, self.lowercase_boundaries)
    }
}

impl Words<'_> {
    /// Appends the byte spans of the remaining words to `out`: the same
    /// spans as the iterator, without building a [`Token`] per word.
    ///
    /// For [`Pattern::Sklearn`] this is the hot loop of the vectorizer: each
    /// ASCII 64-byte block becomes a word-byte mask once, and all its runs
    /// are read off the mask in a tight loop (a run reaching the block's end
    /// stays open into the next block); blocks with other bytes go char by
    /// char. Hand-written: per word it runs a fraction of the instructions
    /// of the iterator, which re-checks its block and slices the text for
    /// every token.
    pub fn spans_into(self, out: &mut Vec<(usize, usize)>) {
        match self.pattern {
            Pattern::Sift => sift_spans(self.text, self.pos, out),
            Pattern::Sklearn => sklearn_spans(self.text, self.pos, self.lowercase_boundaries, out),
        }
    }
}

/// [`Words::spans_into`] for [`Pattern::Sklearn`], from byte `pos`.
///
/// Compiled for the x86-64 baseline and for AVX2, picked at run time (the
/// `multiversion` crate): the same spans, and with AVX2 the 20 Newsgroups
/// unigram fit ran 215-223 -> 206-207 ms and the hashing fit 171-177 ->
/// 161-163 ms on one thread (examples/quicktime, best of 11, alternating).
#[multiversion::multiversion(targets("x86_64+avx2"))]
fn sklearn_spans(text: &str, mut pos: usize, lowercase: bool, out: &mut Vec<(usize, usize)>) {
    let bytes = text.as_bytes();
    let n = bytes.len();
    // Start of a word that runs past the end of the previous block.
    let mut open: Option<usize> = None;
    while pos + 64 <= n {
        let (word, _, non_ascii) = block_masks(&bytes[pos..pos + 64]);
        if non_ascii != 0 {
            // Char by char through this block, and through the word that
            // crosses its end, if any.
            let limit = pos + 64;
            let mut p = open.take().unwrap_or(pos);
            loop {
                match next_sklearn(text, p, lowercase) {
                    None => return,
                    Some((start, end, _)) => {
                        out.push((start, end));
                        p = end;
                        if end >= limit {
                            break;
                        }
                    }
                }
            }
            pos = p;
            continue;
        }
        let mut m = word;
        if let Some(start) = open {
            // The open word goes on through the block's leading word bytes.
            let lead = (!m).trailing_zeros();
            if lead == 64 {
                pos += 64;
                continue;
            }
            let end = pos + lead as usize;
            if end - start >= 2 {
                out.push((start, end));
            }
            open = None;
            m &= !((1u64 << lead) - 1);
        }
        // A run that reaches the block's end stays open into the next one.
        if m >> 63 == 1 {
            let top = (!m).leading_zeros();
            open = Some(pos + 64 - top as usize);
            m &= !(u64::MAX << (64 - top));
        }
        // Every other run from its first and last bytes: runs of two bytes
        // or more are words, so a byte that is both is dropped from both.
        // The pairs are read off the two masks with no branch but the
        // loop's: reading each run's length and testing it took a branch
        // per run that single-byte runs made hard to predict. Measured
        // (examples/quicktime, one thread, 12 alternating runs, best of 5
        // each): unigram fit 184-201 -> 167-188 ms, hashing 154-160 ->
        // 139-143 ms; the same spans (unit, property and real-data tests).
        let first = m & !(m << 1);
        let last = m & !(m >> 1);
        let (mut starts, mut ends) = (first & !last, last & !first);
        out.reserve(starts.count_ones() as usize);
        while starts != 0 {
            let (s, e) = (starts.trailing_zeros(), ends.trailing_zeros());
            out.push((pos + s as usize, pos + e as usize + 1));
            starts &= starts - 1;
            ends &= ends - 1;
        }
        pos += 64;
    }
    let mut p = open.unwrap_or(pos);
    while let Some((start, end, _)) = next_sklearn(text, p, lowercase) {
        out.push((start, end));
        p = end;
    }
}

/// [`Words::spans_into`] for [`Pattern::Sift`], from byte `pos`.
///
/// Per 64-byte block, a mask of ASCII letters and digits and a mask of the
/// bytes that may extend a word or start one the mask cannot see (non-ASCII
/// bytes and the joiners `'`, `-`, `.`, `,`). A run of letters and digits
/// that only ASCII separators precede (since the last word) is a whole
/// word, read off the masks, when an ASCII separator ends it, or a joiner
/// that an ASCII byte other than a letter or digit follows (`word.` before a
/// space); a run reaching the block's end stays open into the next block.
/// Any other word (a joiner between letters, non-ASCII bytes next to it) is
/// found by [`next_sift`], and the scan goes on after it.
/// Hand-written: predicting the 20 Newsgroups test texts with the default
/// model, the scanner ran about 500M instructions (cachegrind) against
/// a fraction of that now.
#[multiversion::multiversion(targets("x86_64+avx2"))]
fn sift_spans(text: &str, mut pos: usize, out: &mut Vec<(usize, usize)>) {
    let bytes = text.as_bytes();
    let n = bytes.len();
    // Start of a plain run that reached the end of the previous block.
    let mut open: Option<usize> = None;
    'blocks: while pos + 64 <= n {
        let (alnum, special, non_ascii) = sift_block_masks(&bytes[pos..pos + 64]);
        // A word ends at byte `e` of the block when that byte is a plain
        // separator, or a joiner followed by a byte that cannot go on a word
        // (none of the joining rules applies then). A non-ASCII character
        // at `e` never ends it here: its next byte is non-ASCII too.
        let can_follow = alnum | non_ascii;
        let ends_at =
            |e: u32| (special >> e) & 1 == 0 || (e < 63 && (can_follow >> (e + 1)) & 1 == 0);
        // Bytes of the block before `cur` are scanned.
        let mut cur = 0u32;
        let mut slow_from = None;
        if let Some(start) = open.take() {
            let e = (!alnum).trailing_zeros();
            if e == 64 {
                open = Some(start);
                pos += 64;
                continue;
            }
            if ends_at(e) {
                out.push((start, pos + e as usize));
                cur = e;
            } else {
                slow_from = Some(start);
            }
        }
        loop {
            // With no non-ASCII byte left in the block, every run that ends
            // before the first one needing the char-by-char rules is a word:
            // those are read off masks of the runs' first bytes and of the
            // bytes just after them, in a loop with no branch but its own
            // (a run reaching the block's end stays open). Measured
            // (examples/predictphases, the 20 Newsgroups test texts with a
            // default model, 8 alternating runs, best of 3 each): 198-220 ->
            // 189-208 ms, lower at 7 ranks of 8; the same spans (unit,
            // property and real-data tests, the `tokenize` fuzz target).
            if slow_from.is_none() && non_ascii & !low_bits(cur) == 0 {
                let m = alnum & !low_bits(cur);
                let mut starts = m & !(m << 1);
                let ends = !m & (m << 1);
                let bad = ends & special & (can_follow >> 1 | 1 << 63);
                let mut good = if bad == 0 { ends } else { ends & low_bits(bad.trailing_zeros()) };
                while good != 0 {
                    let (s, e) = (starts.trailing_zeros(), good.trailing_zeros());
                    out.push((pos + s as usize, pos + e as usize));
                    cur = e;
                    starts &= starts - 1;
                    good &= good - 1;
                }
                if bad == 0 {
                    if starts != 0 {
                        open = Some(pos + starts.trailing_zeros() as usize);
                    }
                    pos += 64;
                    continue 'blocks;
                }
            }
            if slow_from.is_none() {
                let m = alnum & !low_bits(cur);
                if m == 0 {
                    if non_ascii >> cur == 0 {
                        pos += 64;
                        continue 'blocks;
                    }
                } else {
                    let s = m.trailing_zeros();
                    let e = s + (!(m >> s)).trailing_zeros();
                    if non_ascii & low_bits(s) & !low_bits(cur) == 0 {
                        if e == 64 {
                            open = Some(pos + s as usize);
                            pos += 64;
                            continue 'blocks;
                        }
                        if ends_at(e) {
                            out.push((pos + s as usize, pos + e as usize));
                            cur = e;
                            continue;
                        }
                    }
                }
            }
            // The next word needs the char-by-char rules; the scan goes on
            // in this block when the word ends in it.
            match next_sift(text, slow_from.take().unwrap_or(pos + cur as usize)) {
                None => return,
                Some((start, end, _)) => {
                    out.push((start, end));
                    if end - pos < 64 {
                        cur = (end - pos) as u32;
                    } else {
                        pos = end;
                        continue 'blocks;
                    }
                }
            }
        }
    }
    let mut pos = open.unwrap_or(pos);
    while let Some((start, end, _)) = next_sift(text, pos) {
        out.push((start, end));
        pos = end;
    }
}

/// The lowest `k` bits set (`k < 64`).
#[inline(always)]
fn low_bits(k: u32) -> u64 {
    (1u64 << k) - 1
}

/// Per 64 bytes, for [`sift_spans`]: masks of ASCII letters and digits, of
/// non-ASCII bytes and the joiners `'`, `,`, `-`, `.`, and of non-ASCII
/// bytes (SWAR, 8 bytes at a time).
#[inline(always)]
fn sift_block_masks(block: &[u8]) -> (u64, u64, u64) {
    let (mut alnum, mut special, mut non_ascii) = (0u64, 0u64, 0u64);
    lanes(block, |i, high, v, letters, digits| {
        let joiners = swar_in_range(v, b',', b'.') | swar_in_range(v, b'\'', b'\'');
        alnum |= movemask8((letters | digits) & !high) << (8 * i);
        special |= movemask8((joiners & !high) | high) << (8 * i);
        non_ascii |= movemask8(high) << (8 * i);
    });
    (alnum, special, non_ascii)
}

/// Calls `f(i, high, v, letters, digits)` for each 8-byte lane `i` of a
/// 64-byte block (SWAR): `high` holds the bytes' high bits, `v` the bytes
/// without them, `letters` and `digits` the high bit of each byte in the
/// ASCII ranges (before masking out non-ASCII bytes).
#[inline(always)]
fn lanes(block: &[u8], mut f: impl FnMut(usize, u64, u64, u64, u64)) {
    for (i, chunk) in block.chunks_exact(8).enumerate() {
        let mut a = [0u8; 8];
        a.copy_from_slice(chunk);
        let w = u64::from_le_bytes(a);
        let (high, v) = (w & HIGHS, w & !HIGHS);
        f(i, high, v, swar_in_range(v | (ONES * 0x20), b'a', b'z'), swar_in_range(v, b'0', b'9'));
    }
}

/// Gathers the high bit of each byte of `flags` into 8 bits (byte i ->
/// bit i): the multiply places bit `8i+7` at bit `56+i` with no carries.
#[inline(always)]
fn movemask8(flags: u64) -> u64 {
    ((flags >> 7).wrapping_mul(0x0102_0408_1020_4080)) >> 56
}

/// Per 64 bytes: a mask of Python word bytes (`[A-Za-z0-9_]`) and a mask of
/// non-ASCII bytes, 8 bytes at a time (SWAR).
#[inline(always)]
fn block_masks(block: &[u8]) -> (u64, u64, u64) {
    let (mut word, mut digit, mut non_ascii) = (0u64, 0u64, 0u64);
    lanes(block, |i, high, v, letters, digits| {
        let t = v ^ (ONES * b'_' as u64);
        let underscore = !(((t & !HIGHS) + !HIGHS) | t) & HIGHS;
        let flags = (letters | digits | underscore) & !high;
        word |= movemask8(flags) << (8 * i);
        digit |= movemask8(digits & !high) << (8 * i);
        non_ascii |= movemask8(high) << (8 * i);
    });
    (word, digit, non_ascii)
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// Per byte of `v` (all bytes < 0x80): the high bit is set when the byte is
/// within `lo..=hi` (`1 <= lo <= hi < 0x80`). No carry crosses bytes.
#[inline(always)]
fn swar_in_range(v: u64, lo: u8, hi: u8) -> u64 {
    v.wrapping_add(ONES * (0x80 - lo as u64)) & !v.wrapping_add(ONES * (0x7f - hi as u64)) & HIGHS
}

/// For 8 bytes: how many leading bytes are ASCII letters or digits, and
/// whether any of those is a letter. (SWAR: one `u64` instead of 8 lookups;
/// hand-written because it made word scanning markedly faster.)
#[inline(always)]
fn swar_alnum_prefix(chunk: &[u8]) -> (usize, bool) {
    let mut a = [0u8; 8];
    a.copy_from_slice(chunk);
    let w = u64::from_le_bytes(a);
    let ascii = !w & HIGHS; // high bit set for ASCII bytes
    let v = w & !HIGHS;
    let letters = swar_in_range(v | (ONES * 0x20), b'a', b'z') & ascii;
    let digits = swar_in_range(v, b'0', b'9') & ascii;
    let alnum = letters | digits;
    let len = ((!alnum & HIGHS).trailing_zeros() / 8) as usize;
    let prefix_mask = if len == 8 { u64::MAX } else { (1u64 << (len * 8)) - 1 };
    (len, letters & prefix_mask != 0)
}

const LETTER_BIT: u8 = 1;
const DIGIT_BIT: u8 = 2;

/// ASCII letters and digits for the hot loop of [`next_sift`] (0 for every
/// other byte, so non-ASCII bytes leave the loop).
static ALNUM_BITS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 128 {
        t[b] = match ASCII_CLASS[b] {
            Class::Letter => LETTER_BIT,
            Class::Digit => DIGIT_BIT,
            _ => 0,
        };
        b += 1;
    }
    t
};

const WORD_BIT: u8 = 1;
const NON_DIGIT_BIT: u8 = 2;

/// Python word bytes for the hot loop of [`next_sklearn`]: `WORD_BIT`, plus
/// `NON_DIGIT_BIT` for letters and `_` (0 for non-ASCII bytes).
static PY_BITS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 128 {
        if PY_WORD_ASCII[b] {
            t[b] = if (b as u8).is_ascii_digit() { WORD_BIT } else { WORD_BIT | NON_DIGIT_BIT };
        }
        b += 1;
    }
    t
};

/// Decodes the char starting at byte `i` (which must be a char boundary).
#[inline]
pub(crate) fn decode(text: &str, i: usize) -> (char, usize) {
    match text[i..].chars().next() {
        Some(c) => (c, c.len_utf8()),
        None => ('\0', 1),
    }
}

#[inline]
fn class_at(text: &str, i: usize) -> (Class, usize) {
    let b = text.as_bytes()[i];
    if b < 0x80 {
        (ASCII_CLASS[b as usize], 1)
    } else {
        let (c, l) = decode(text, i);
        (class_of(c), l)
    }
}

/// Finds the next sift word at or after byte `pos`: `(start, end, kind)`.
fn next_sift(text: &str, pos: usize) -> Option<(usize, usize, TokenKind)> {
    let bytes = text.as_bytes();
    let n = bytes.len();
    let mut i = pos;
    // Skip separators.
    loop {
        if i >= n {
            return None;
        }
        let b = bytes[i];
        if b < 0x80 {
            match ASCII_CLASS[b as usize] {
                Class::Letter | Class::Digit => break,
                _ => i += 1,
            }
        } else {
            let (c, l) = decode(text, i);
            match class_of(c) {
                Class::Letter | Class::Digit => break,
                Class::Ideo => {
                    let mut e = i + l;
                    while e < n {
                        match class_at(text, e) {
                            (Class::Mark, l2) => e += l2,
                            _ => break,
                        }
                    }
                    return Some((i, e, TokenKind::Ideograph));
                }
                _ => i += l,
            }
        }
    }
    let start = i;
    let mut has_letter = false;
    let mut prev = Class::Sep; // last letter or digit class consumed
    let mut seg_len = 0usize; // letters and digits since the start or the last joiner
    while i < n {
        // ASCII letters and digits: the hot loop, 8 bytes at a time.
        let run_start = i;
        let mut bits = 0u8;
        while i + 8 <= n {
            let (len, letters) = swar_alnum_prefix(&bytes[i..i + 8]);
            if letters {
                bits |= LETTER_BIT;
            }
            i += len;
            if len < 8 {
                break;
            }
        }
        while i < n {
            let t = ALNUM_BITS[bytes[i] as usize];
            if t == 0 {
                break;
            }
            bits |= t;
            i += 1;
        }
        if i > run_start {
            has_letter |= bits & LETTER_BIT != 0;
            seg_len += i - run_start;
            prev = if ALNUM_BITS[bytes[i - 1] as usize] == LETTER_BIT {
                Class::Letter
            } else {
                Class::Digit
            };
            if i >= n {
                break;
            }
        }
        let (cls, l) = class_at(text, i);
        match cls {
            Class::Letter => {
                has_letter = true;
                prev = Class::Letter;
                seg_len += 1;
                i += l;
            }
            Class::Digit => {
                prev = Class::Digit;
                seg_len += 1;
                i += l;
            }
            Class::Mark => i += l,
            Class::Apos | Class::Hyphen | Class::Period | Class::Comma => {
                let j = i + l;
                if j >= n {
                    break;
                }
                let (next, nl) = class_at(text, j);
                let join = match cls {
                    Class::Apos => {
                        matches!(prev, Class::Letter | Class::Digit) && next == Class::Letter
                    }
                    Class::Hyphen => {
                        matches!(prev, Class::Letter | Class::Digit)
                            && matches!(next, Class::Letter | Class::Digit)
                    }
                    Class::Comma => prev == Class::Digit && next == Class::Digit,
                    _ => {
                        (prev == Class::Digit && next == Class::Digit)
                            || (prev == Class::Letter
                                && seg_len == 1
                                && next == Class::Letter
                                && (j + nl >= n
                                    || !matches!(
                                        class_at(text, j + nl).0,
                                        Class::Letter | Class::Digit | Class::Mark
                                    )))
                    }
                };
                if !join {
                    break;
                }
                i = j;
                seg_len = 0;
            }
            Class::Sep | Class::Ideo => break,
        }
    }
    let kind = if has_letter { TokenKind::Word } else { TokenKind::Number };
    Some((start, i, kind))
}

/// Finds the next scikit-learn token (`\b\w\w+\b`) at or after byte `pos`.
fn next_sklearn(text: &str, pos: usize, lowercase: bool) -> Option<(usize, usize, TokenKind)> {
    let bytes = text.as_bytes();
    let n = bytes.len();
    let mut i = pos;
    loop {
        // Skip non-word characters.
        loop {
            if i >= n {
                return None;
            }
            let b = bytes[i];
            if b < 0x80 {
                if PY_WORD_ASCII[b as usize] {
                    break;
                }
                i += 1;
            } else {
                let (c, l) = decode(text, i);
                if is_python_word(c) {
                    break;
                }
                i += l;
            }
        }
        let start = i;
        let mut chars = 0usize;
        let mut all_digits = true;
        while i < n {
            let run_start = i;
            let mut bits = 0u8;
            while i < n {
                let t = PY_BITS[bytes[i] as usize];
                if t == 0 {
                    break;
                }
                bits |= t;
                i += 1;
            }
            chars += i - run_start;
            all_digits &= bits & NON_DIGIT_BIT == 0;
            if i >= n || bytes[i] < 0x80 {
                break;
            }
            let (c, l) = decode(text, i);
            if !is_python_word(c) {
                break;
            }
            all_digits &= c.is_numeric();
            chars += 1;
            i += l;
            // The lowercase of U+0130 is "i" followed by a combining dot,
            // which is not a word character: the run ends here.
            if lowercase && c == '\u{0130}' {
                break;
            }
        }
        if chars >= 2 {
            let kind = if all_digits { TokenKind::Number } else { TokenKind::Word };
            return Some((start, i, kind));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Words of every length placed at every offset around the 64-byte
    /// block boundaries, after separators, joiners or non-ASCII letters and
    /// followed by ASCII or non-ASCII bytes or joiners: the span scan and
    /// the iterator agree.
    #[test]
    fn span_scan_across_block_boundaries() {
        for pad in 0..70 {
            for len in (1..6).chain(60..70).chain(125..131) {
                for tail in [
                    " xy z ", "é z ", "中 ", "", ".İ ab", "'s z ", "’s ", "-b ", "- ", ".b. ",
                    "3,5 ", ", ", "\u{301} ", "_x ",
                ] {
                    for lead in [" ", "é ", "-", "'"] {
                        let text = format!(
                            "{}{}{tail}{}",
                            lead.repeat(pad),
                            "a".repeat(len),
                            " ".repeat(70)
                        );
                        for pattern in [Pattern::Sklearn, Pattern::Sift] {
                            let want: Vec<(usize, usize)> = Words::new(&text, pattern, true)
                                .map(|t| (t.span.start, t.span.end))
                                .collect();
                            let mut got = Vec::new();
                            Words::new(&text, pattern, true).spans_into(&mut got);
                            assert_eq!(
                                got, want,
                                "lead {lead:?} pad {pad} len {len} tail {tail:?}"
                            );
                        }
                    }
                }
            }
        }
    }

    fn sift(text: &str) -> Vec<&str> {
        words(text, Pattern::Sift).map(|t| t.text).collect()
    }

    fn sk(text: &str) -> Vec<&str> {
        words(text, Pattern::Sklearn).map(|t| t.text).collect()
    }

    #[test]
    fn apostrophes_hyphens_numbers() {
        assert_eq!(sift("don't stop O'Brien's"), ["don't", "stop", "O'Brien's"]);
        assert_eq!(sift("China’s 'quoted' banks'"), ["China’s", "quoted", "banks"]);
        assert_eq!(
            sift("state-sponsored covid-19 2004-05 -x y-"),
            ["state-sponsored", "covid-19", "2004-05", "x", "y"]
        );
        assert_eq!(sift("1,000 3.6 $10.9bn. 1.2.3 5,"), ["1,000", "3.6", "10.9bn", "1.2.3", "5"]);
        assert_eq!(sift("U.S. e.g., U.S.The Ph.D."), ["U.S", "e.g", "U.S", "The", "Ph", "D"]);
    }

    #[test]
    fn swar_matches_table() {
        let samples: [&[u8; 8]; 6] =
            [b"abcdefgh", b"ab1 cdef", b"12345678", b"Zz9_.,'-", b" abcdefg", b"a\xc3\xa9bcdef"];
        for s in samples {
            let mut len = 0;
            let mut letters = false;
            while len < 8 && ALNUM_BITS[s[len] as usize] != 0 {
                letters |= ALNUM_BITS[s[len] as usize] == LETTER_BIT;
                len += 1;
            }
            assert_eq!(swar_alnum_prefix(s), (len, letters), "{s:?}");
        }
        for b in 0..=255u8 {
            let chunk = [b; 8];
            let expected = if ALNUM_BITS[b as usize] != 0 { 8 } else { 0 };
            assert_eq!(swar_alnum_prefix(&chunk).0, expected, "byte {b}");
        }
    }

    #[test]
    fn block_masks_match_tables() {
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        for _ in 0..2000 {
            let mut block = [0u8; 64];
            for b in block.iter_mut() {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                *b = (state >> 24) as u8;
            }
            let (word, digit, non_ascii) = block_masks(&block);
            for (i, &b) in block.iter().enumerate() {
                assert_eq!(
                    word >> i & 1 == 1,
                    b < 0x80 && PY_WORD_ASCII[b as usize],
                    "byte {b:#x}"
                );
                assert_eq!(digit >> i & 1 == 1, b.is_ascii_digit(), "byte {b:#x}");
                assert_eq!(non_ascii >> i & 1 == 1, b >= 0x80);
            }
        }
    }

    #[test]
    fn block_scanner_equals_char_scanner() {
        let text =
            "x ".repeat(40) + &"word_1 ab c dd ".repeat(20) + "é tail_end" + &"zz ".repeat(30);
        for start in 0..8 {
            let t = &text[start..];
            let fast: Vec<_> = words(t, Pattern::Sklearn).map(|w| (w.span, w.kind)).collect();
            let mut slow = Vec::new();
            let mut pos = 0;
            while let Some((s, e, k)) = next_sklearn(t, pos, false) {
                slow.push((Span::new(s, e), k));
                pos = e;
            }
            assert_eq!(fast, slow);
        }
    }

    #[test]
    fn kinds() {
        let kinds: Vec<TokenKind> =
            words("abc 12,5 中文 a1", Pattern::Sift).map(|t| t.kind).collect();
        assert_eq!(
            kinds,
            [
                TokenKind::Word,
                TokenKind::Number,
                TokenKind::Ideograph,
                TokenKind::Ideograph,
                TokenKind::Word
            ]
        );
    }

    #[test]
    fn unicode_words() {
        assert_eq!(sift("Zürich café naïve"), ["Zürich", "café", "naïve"]);
        assert_eq!(sift("cafe\u{301} Москва"), ["cafe\u{301}", "Москва"]);
        assert_eq!(sift("東京都"), ["東", "京", "都"]);
        assert_eq!(sift("hello—world…ok"), ["hello", "world", "ok"]);
    }

    #[test]
    fn sklearn_pattern() {
        assert_eq!(sk("a bb c_d 3.6 don't"), ["bb", "c_d", "don"]);
        assert_eq!(sk("e\u{301}t\u{e9}"), ["t\u{e9}"]);
        let lower: Vec<&str> = Words::new("AİB", Pattern::Sklearn, true).map(|t| t.text).collect();
        assert_eq!(lower, ["Aİ"]);
        let kept: Vec<&str> = Words::new("AİB", Pattern::Sklearn, false).map(|t| t.text).collect();
        assert_eq!(kept, ["AİB"]);
    }
}
