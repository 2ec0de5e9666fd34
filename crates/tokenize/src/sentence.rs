//! Sentence splitting with byte spans.
//!
//! The splitter is rule-based and needs no training. Within each paragraph
//! (see [`crate::paragraphs`]; sentences never cross a paragraph break, and
//! a blank line is one unless it falls inside a sentence) it looks at
//! every `.`, `!`, `?` and ellipsis, takes the closing quotes and brackets that
//! follow, and decides from the word before and the word after:
//!
//! * `!` and `?` followed by a space end a sentence, as in Punkt and in the
//!   reference segmentations of news corpora: `"Why?" he asked.` gives two
//!   sentences.
//! * An ellipsis ends a sentence when the next word starts with a capital.
//! * A full stop ends a sentence unless:
//!   - the word before is a capitalised title (`Mr.`, `Dr.`, `Gen.`,
//!     `Sen.`) or never ends a sentence (`vs.`, `cf.`, `approx.`);
//!   - it is a number prefix before a number (`No. 10`, `pp. 4`);
//!   - it follows a month (`Jan. 5`) or an abbreviation that may end a
//!     sentence (`Inc.`, `Ltd.`, `etc.`, `U.S.`, `a.m.`), a single capital
//!     (`George W. Bush`) or a dotted word, and the next word is not a common
//!     sentence opener (`The`, `He`, `But`...);
//!   - the next word starts in lowercase;
//!   - it sits between two digits (`3.6`).
//! * Text glued after a full stop, `!` or `?` with no space
//!   (`$10.9bn.For the full year`, as in real scraped data) is split when the
//!   full stop follows a lowercase letter, a digit, `%` or a closing bracket
//!   and a capitalised word follows.
//! * The sentence-final marks of other scripts end a sentence wherever they
//!   stand, with or without a space after them (see [`is_script_terminator`]):
//!   `。`, `！` and `？` in Chinese and Japanese, the Devanagari danda `।`,
//!   the Arabic `؟` and `۔`, and a few more. Closing brackets and quotes of
//!   those scripts (`」`, `』`, `）`, `》`...) stay with the sentence, and a
//!   quotation closed that way and followed by hiragana is part of a longer
//!   sentence (`「明日から始まる。」と述べた。` is one: `と` marks the quote).
//! * A line break inside a paragraph ends a sentence when the next line starts
//!   a list item (`-`, `*`, `•`, `1.`, `a)`), so unpunctuated list items and
//!   headlines on their own paragraph are sentences of their own.
//!
//! Spans are trimmed of surrounding whitespace (and of a byte-order mark)
//! and include closing quotes and brackets. A straight double quote glued to
//! the next word after a sentence end closes the sentence when a quote is
//! open in the paragraph (counting quotes) and opens the next one otherwise
//! (`pleased."It is`); a lone quote between spaces after a sentence end
//! closes it (`...a year. " And`).

use crate::paragraph::paragraphs;
use crate::span::{is_blank, Span};
use crate::word::decode;
use rustc_hash::{FxHashMap, FxHashSet};
use std::sync::OnceLock;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Abbrev {
    /// Precedes a name when capitalised (`Mr`): then never ends a sentence.
    Title,
    /// Never ends a sentence (`vs.`, `cf.`, `approx.`).
    NeverEnd,
    /// Precedes a number (`No. 5`).
    BeforeNumber,
    /// A month: before a number or lowercase word it does not end a sentence.
    Month,
    /// May end a sentence; does when a sentence opener follows.
    MayEnd,
}

const TITLES: &[&str] = &[
    "mr", "mrs", "ms", "messrs", "mme", "mlle", "dr", "prof", "gen", "lt", "col", "capt", "cmdr",
    "cdr", "sgt", "cpl", "pte", "maj", "adm", "brig", "gov", "sen", "rep", "reps", "sens", "pres",
    "rev", "hon", "supt", "insp", "det", "fr", "sr", "st", "mt", "amb", "atty", "lieut", "gens",
    "drs", "profs",
];

const NEVER_END: &[&str] = &["vs", "v", "cf", "viz", "ca", "approx", "incl", "excl", "esp", "resp"];

const BEFORE_NUMBER: &[&str] = &[
    "no", "nos", "vol", "vols", "p", "pp", "art", "arts", "fig", "figs", "sec", "ch", "para", "ed",
    "eq", "tel", "ext",
];

const MONTHS: &[&str] =
    &["jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec"];

const MAY_END: &[&str] = &[
    "inc", "corp", "co", "cos", "ltd", "plc", "llc", "llp", "bros", "jr", "al", "dept", "univ",
    "assn", "ave", "blvd", "rd", "est", "govt", "intl", "mfg", "mins", "hrs", "yrs",
];

/// Words that commonly open a sentence: after an abbreviation that may end
/// a sentence, they signal that it did.
const OPENERS: &[&str] = &[
    "the",
    "a",
    "an",
    "he",
    "she",
    "it",
    "they",
    "we",
    "i",
    "you",
    "this",
    "that",
    "these",
    "those",
    "there",
    "here",
    "his",
    "her",
    "its",
    "their",
    "our",
    "my",
    "your",
    "but",
    "and",
    "or",
    "so",
    "yet",
    "in",
    "on",
    "at",
    "for",
    "from",
    "with",
    "by",
    "to",
    "as",
    "if",
    "when",
    "while",
    "after",
    "before",
    "since",
    "although",
    "though",
    "however",
    "meanwhile",
    "what",
    "why",
    "how",
    "who",
    "where",
    "which",
    "some",
    "many",
    "most",
    "all",
    "both",
    "one",
    "no",
    "not",
    "now",
    "then",
    "also",
    "last",
    "earlier",
    "later",
    "such",
    "each",
    "every",
    "other",
    "another",
    "according",
    "despite",
    "instead",
    "still",
    "even",
    "only",
    "yes",
    "officials",
    "analysts",
    "shares",
    "sales",
    "mr",
    "mrs",
    "ms",
    "dr",
    "during",
    "under",
    "over",
];

/// A sentence splitter. [`SentenceSplitter::english`] is the default.
#[derive(Clone, Debug)]
pub struct SentenceSplitter {
    abbreviations: FxHashMap<Box<str>, Abbrev>,
    openers: FxHashSet<Box<str>>,
}

impl Default for SentenceSplitter {
    fn default() -> Self {
        SentenceSplitter::english()
    }
}

/// The sentences of `text` with the default English splitter.
///
/// ```
/// let text = "Mr. Smith paid $10.9bn. The U.S. firm said so.\n\nNext paragraph";
/// let s: Vec<&str> = sift_tokenize::sentences(text).iter().map(|s| s.text(text)).collect();
/// assert_eq!(s, ["Mr. Smith paid $10.9bn.", "The U.S. firm said so.", "Next paragraph"]);
/// ```
pub fn sentences(text: &str) -> Vec<Span> {
    SentenceSplitter::shared().split(text)
}

const INTERESTING: [bool; 256] = {
    let mut t = [false; 256];
    t[b'.' as usize] = true;
    t[b'!' as usize] = true;
    t[b'?' as usize] = true;
    t[b'\n' as usize] = true;
    t[0xE2] = true; // first byte of '…'
    let mut i = 0;
    while i < SCRIPT_LEADS.len() {
        t[SCRIPT_LEADS[i] as usize] = true;
        i += 1;
    }
    t
};

/// The longest word the full-stop rules look at, in bytes: an abbreviation,
/// an initial or a dotted abbreviation (`U.S`, `Ph.D`) is far shorter, and a
/// longer word before a full stop is taken for an ordinary word.
const MAX_WORD_BEFORE: usize = 64;

/// The first UTF-8 bytes of the characters [`is_script_terminator`] accepts.
const SCRIPT_LEADS: [u8; 7] = [0xD6, 0xD8, 0xDB, 0xE0, 0xE1, 0xE3, 0xEF];

/// Sentence-final marks of scripts other than Latin, which end a sentence
/// wherever they stand (no abbreviation or number uses them, and Chinese and
/// Japanese put no space after them): the ideographic full stop `。` and its
/// half-width form `｡`, the full-width `！` and `？`, the Devanagari danda
/// `।` and double danda `॥`, the Arabic question mark `؟` and full stop `۔`
/// (Urdu), the Armenian full stop `։`, the Ethiopic full stop `።` and the
/// Myanmar section mark `။`. The full-width full stop `．` is not among them:
/// it is also a decimal point (`３．５`).
pub fn is_script_terminator(c: char) -> bool {
    matches!(
        c,
        '\u{3002}'
            | '\u{FF61}'
            | '\u{FF01}'
            | '\u{FF1F}'
            | '\u{0964}'
            | '\u{0965}'
            | '\u{061F}'
            | '\u{06D4}'
            | '\u{0589}'
            | '\u{1362}'
            | '\u{104B}'
    )
}

/// Closing quotes and brackets, kept with the sentence they end (CJK ones
/// included: `」`, `』`, `）`, `】`, `〉`, `》`, `〕`).
#[inline]
pub(crate) fn is_closer(c: char) -> bool {
    matches!(
        c,
        '"' | '\''
            | ')'
            | ']'
            | '}'
            | '\u{201D}'
            | '\u{2019}'
            | '\u{00BB}'
            | '\u{203A}'
            | '\u{300D}'
            | '\u{300F}'
            | '\u{FF09}'
            | '\u{3011}'
            | '\u{3009}'
            | '\u{300B}'
            | '\u{3015}'
    )
}

#[inline]
fn is_opener(c: char) -> bool {
    matches!(
        c,
        '"' | '\''
            | '('
            | '['
            | '{'
            | '\u{201C}'
            | '\u{2018}'
            | '\u{00AB}'
            | '\u{2039}'
            | '\u{300C}'
            | '\u{300E}'
            | '\u{FF08}'
            | '\u{3010}'
            | '\u{3008}'
            | '\u{300A}'
            | '\u{3014}'
    )
}

impl SentenceSplitter {
    /// The English splitter (abbreviation lists written for sift).
    pub fn english() -> Self {
        let mut abbreviations = FxHashMap::default();
        for (list, kind) in [
            (MAY_END, Abbrev::MayEnd),
            (MONTHS, Abbrev::Month),
            (BEFORE_NUMBER, Abbrev::BeforeNumber),
            (TITLES, Abbrev::Title),
            (NEVER_END, Abbrev::NeverEnd),
        ] {
            for w in list {
                abbreviations.insert(Box::from(*w), kind);
            }
        }
        let openers = OPENERS.iter().map(|w| Box::from(*w)).collect();
        SentenceSplitter { abbreviations, openers }
    }

    /// A process-wide English splitter.
    pub fn shared() -> &'static SentenceSplitter {
        static SHARED: OnceLock<SentenceSplitter> = OnceLock::new();
        SHARED.get_or_init(SentenceSplitter::english)
    }

    /// The sentences of `text`, paragraph by paragraph.
    pub fn split(&self, text: &str) -> Vec<Span> {
        let mut out = Vec::new();
        for p in paragraphs(text) {
            self.split_span(text, p, &mut out);
        }
        out
    }

    /// Appends the sentences of `text[span]` (one paragraph, or any part of
    /// `text` that should not be split at blank lines) to `out`.
    pub fn split_span(&self, text: &str, span: Span, out: &mut Vec<Span>) {
        let bytes = text.as_bytes();
        let end = span.end.min(text.len());
        let mut start = span.start;
        let mut i = span.start;
        let mut quotes = QuoteCount { pos: span.start, count: 0 };
        while i < end {
            let b = bytes[i];
            if !INTERESTING[b as usize] {
                i += 1;
                continue;
            }
            if b == b'\n' {
                let k = skip_inline_space(text, i + 1, end);
                if k < end && starts_list_item(text, k, end) && has_content(&text[start..i]) {
                    push_trimmed(text, start, i, out);
                    start = k;
                }
                i += 1;
                continue;
            }
            if b == 0xE2 && !text[i..end].starts_with('\u{2026}') {
                i += 1;
                continue;
            }
            if SCRIPT_LEADS.contains(&b) && !is_script_terminator(decode(text, i).0) {
                i += 1;
                continue;
            }
            // A run of terminators, then closing quotes and brackets.
            let t0 = i;
            let mut j = i;
            let (mut dots, mut bang, mut ellipsis, mut script) = (0usize, false, false, false);
            while j < end {
                match bytes[j] {
                    b'.' => dots += 1,
                    b'!' | b'?' => bang = true,
                    0xE2 if text[j..end].starts_with('\u{2026}') => {
                        ellipsis = true;
                        j += 3;
                        continue;
                    }
                    lead if SCRIPT_LEADS.contains(&lead) => {
                        let (c, l) = decode(text, j);
                        if !is_script_terminator(c) {
                            break;
                        }
                        script = true;
                        j += l;
                        continue;
                    }
                    _ => break,
                }
                j += 1;
            }
            ellipsis |= dots >= 2;
            let mut closed = false;
            while j < end {
                let (c, l) = decode(text, j);
                if !is_closer(c) {
                    break;
                }
                // `pleased."It is`: a straight quote glued to the next word
                // opens the next sentence unless a quote is open in this one.
                if c == '"'
                    && j + 1 < end
                    && decode(text, j + 1).0.is_alphanumeric()
                    && quotes.before(text, j) % 2 == 0
                {
                    break;
                }
                closed = true;
                j += l;
                while j < end && matches!(bytes[j], b'.' | b'!' | b'?') {
                    j += 1;
                }
            }
            if j >= end {
                break;
            }
            let (c, _) = decode(text, j);
            let (boundary, next) = if c.is_whitespace() {
                let mut k = skip_space(text, j, end);
                // A lone quote between spaces after a sentence end closes
                // that sentence: `...a year. " And then` (a stray space before
                // a closing quote, common in real news text).
                if k + 1 < end && bytes[k] == b'"' && decode(text, k + 1).0.is_whitespace() {
                    j = k + 1;
                    k = skip_space(text, j, end);
                }
                if k >= end {
                    break;
                }
                (script || self.decide_spaced(text, span.start, t0, k, end, ellipsis, bang), k)
            } else {
                // `「...。」と述べた`: a particle after a closed quotation.
                let quoted = closed && ('\u{3041}'..='\u{309F}').contains(&c);
                let glued =
                    || self.decide_glued(text, span.start, t0, j, end, ellipsis, bang, closed);
                ((script && !quoted) || glued(), j)
            };
            if boundary {
                push_trimmed(text, start, j, out);
                start = next;
                i = next;
            } else {
                i = j;
            }
        }
        push_trimmed(text, start, end, out);
    }

    /// The word just before byte `t0`, without leading opening punctuation;
    /// empty when it is longer than [`MAX_WORD_BEFORE`] bytes. The search
    /// for its start looks back at most that far: unbounded, a megabyte
    /// without spaces but with a million glued full stops (`ab.Cd` repeated)
    /// took minutes, each full stop scanning back to the paragraph's start.
    fn word_before<'t>(&self, text: &'t str, lo: usize, t0: usize) -> &'t str {
        let window = t0.saturating_sub(MAX_WORD_BEFORE + 1);
        let clipped = window > lo;
        let mut lo = lo.max(window);
        while !text.is_char_boundary(lo) {
            lo += 1;
        }
        let before = &text[lo..t0];
        if clipped && !before.contains(char::is_whitespace) {
            return "";
        }
        let ws = before
            .rfind(char::is_whitespace)
            .map_or(0, |p| p + before[p..].chars().next().map_or(1, char::len_utf8));
        before[ws..].trim_start_matches(is_opener)
    }

    fn abbrev(&self, word: &str) -> Option<Abbrev> {
        if word.len() > 8 {
            return None;
        }
        let mut buf = [0u8; 8];
        let lower = &mut buf[..word.len()];
        lower.copy_from_slice(word.as_bytes());
        lower.make_ascii_lowercase();
        std::str::from_utf8(lower).ok().and_then(|w| self.abbreviations.get(w).copied())
    }

    fn is_opener_word(&self, text: &str, k: usize, end: usize) -> bool {
        let rest = &text[k..end];
        let w_end = rest.find(|c: char| !c.is_alphanumeric()).unwrap_or(rest.len());
        let w = &rest[..w_end];
        w.len() <= 12 && self.openers.contains(w.to_ascii_lowercase().as_str())
    }

    #[allow(clippy::too_many_arguments)]
    fn decide_spaced(
        &self,
        text: &str,
        lo: usize,
        t0: usize,
        k: usize,
        end: usize,
        ellipsis: bool,
        bang: bool,
    ) -> bool {
        // First letter of the next word, after opening punctuation.
        let mut k = k;
        while k < end {
            let (c, l) = decode(text, k);
            if !is_opener(c) {
                break;
            }
            k += l;
        }
        if k >= end {
            return true;
        }
        let (nc, _) = decode(text, k);
        if bang {
            return true;
        }
        if ellipsis {
            return nc.is_uppercase() || nc.is_numeric();
        }
        if nc.is_lowercase() {
            return false;
        }
        let w = self.word_before(text, lo, t0);
        if w.is_empty() {
            return true;
        }
        match self.abbrev(w) {
            // Titles are capitalised words: "Mr", "Dr", not "MS" (a disease) or "DR".
            Some(Abbrev::Title) => !is_capitalised(w),
            Some(Abbrev::NeverEnd) => false,
            Some(Abbrev::BeforeNumber) => !nc.is_numeric(),
            Some(Abbrev::Month) => !nc.is_numeric() && self.is_opener_word(text, k, end),
            Some(Abbrev::MayEnd) => self.is_opener_word(text, k, end),
            None => {
                let mut chars = w.chars();
                let first = chars.next();
                let single_capital =
                    first.is_some_and(char::is_uppercase) && chars.next().is_none();
                if single_capital || is_dotted_abbreviation(w) {
                    self.is_opener_word(text, k, end)
                } else {
                    true
                }
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn decide_glued(
        &self,
        text: &str,
        lo: usize,
        t0: usize,
        j: usize,
        end: usize,
        ellipsis: bool,
        bang: bool,
        closed: bool,
    ) -> bool {
        let mut k = j;
        let (mut c, mut l) = decode(text, k);
        if is_opener(c) {
            k += l;
            if k >= end {
                return false;
            }
            (c, l) = decode(text, k);
        }
        // A capitalised word must follow: "For", not "NET" or "js".
        if !c.is_uppercase() || k + l >= end || !decode(text, k + l).0.is_lowercase() {
            return false;
        }
        if bang || ellipsis || closed {
            return true;
        }
        if t0 <= lo {
            return false;
        }
        let prev = text[lo..t0].chars().next_back().unwrap_or(' ');
        let prev_ok = prev.is_lowercase() || prev.is_ascii_digit() || prev == '%' || prev == ')';
        prev_ok && !matches!(self.abbrev(self.word_before(text, lo, t0)), Some(Abbrev::Title))
    }
}

/// `Mr`, `Gen`: an uppercase letter and then lowercase letters only.
fn is_capitalised(w: &str) -> bool {
    let mut chars = w.chars();
    chars.next().is_some_and(char::is_uppercase) && chars.all(char::is_lowercase)
}

/// `U.S`, `a.m`, `Ph.D`, `e.g`: letters and dots, short segments.
fn is_dotted_abbreviation(w: &str) -> bool {
    w.contains('.')
        && w.chars().all(|c| c.is_alphabetic() || c == '.')
        && w.split('.').all(|seg| seg.chars().count() <= 3)
}

/// Counts straight double quotes from the start of the paragraph, moving
/// forward only (the callers ask about increasing positions).
struct QuoteCount {
    pos: usize,
    count: usize,
}

impl QuoteCount {
    /// Number of `"` in the paragraph before byte `to`.
    fn before(&mut self, text: &str, to: usize) -> usize {
        if to > self.pos {
            self.count += memchr::memchr_iter(b'"', &text.as_bytes()[self.pos..to]).count();
            self.pos = to;
        }
        self.count
    }
}

fn skip_space(text: &str, mut k: usize, end: usize) -> usize {
    while k < end {
        let (c, l) = decode(text, k);
        if !is_blank(c) {
            break;
        }
        k += l;
    }
    k
}

fn skip_inline_space(text: &str, mut k: usize, end: usize) -> usize {
    let bytes = text.as_bytes();
    while k < end && matches!(bytes[k], b' ' | b'\t' | b'\r') {
        k += 1;
    }
    k
}

fn starts_list_item(text: &str, k: usize, end: usize) -> bool {
    let rest = &text[k..end];
    let mut chars = rest.chars();
    let Some(c) = chars.next() else { return false };
    if matches!(
        c,
        '-' | '*'
            | '+'
            | '\u{2022}'
            | '\u{00B7}'
            | '\u{2013}'
            | '\u{2014}'
            | '\u{25AA}'
            | '\u{25CF}'
    ) {
        return chars.next().is_some_and(char::is_whitespace);
    }
    // "1. ", "12) ", "a) "
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    let marker_at = if digits > 0 && digits <= 3 {
        digits
    } else if c.is_ascii_lowercase() {
        1
    } else {
        return false;
    };
    let b = rest.as_bytes();
    b.len() > marker_at + 1
        && (b[marker_at] == b')' || (digits > 0 && b[marker_at] == b'.'))
        && b[marker_at + 1] == b' '
}

fn has_content(s: &str) -> bool {
    !s.trim_matches(is_blank).is_empty()
}

fn push_trimmed(text: &str, start: usize, end: usize, out: &mut Vec<Span>) {
    let s = &text[start..end];
    let lead = s.len() - s.trim_start_matches(is_blank).len();
    let trail = s.trim_end_matches(is_blank).len();
    if trail > lead {
        out.push(Span::new(start + lead, start + trail));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(text: &str) -> Vec<&str> {
        sentences(text).iter().map(|s| s.text(text)).collect()
    }

    #[test]
    fn basics() {
        assert_eq!(split("One. Two! Three? Four"), ["One.", "Two!", "Three?", "Four"]);
        assert_eq!(split(""), Vec::<&str>::new());
        assert_eq!(split("   "), Vec::<&str>::new());
    }

    #[test]
    fn sentence_marks_of_other_scripts() {
        // Chinese: no space after `。`, `！`, `？`.
        assert_eq!(
            split("新规定下月生效。官员说明了细节！真的吗？是的"),
            ["新规定下月生效。", "官员说明了细节！", "真的吗？", "是的"]
        );
        // Japanese: closing corner brackets stay with their sentence, and
        // the half-width full stop ends one too.
        assert_eq!(
            split("彼は「明日から始まる。」と述べた。次の文です｡最後"),
            ["彼は「明日から始まる。」と述べた。", "次の文です｡", "最後"]
        );
        assert_eq!(
            split("記者は聞いた「本当ですか？」担当者は答えた"),
            ["記者は聞いた「本当ですか？」", "担当者は答えた"]
        );
        // Hindi danda, Arabic question mark, Urdu full stop: with a space.
        assert_eq!(
            split("नया नियम लागू होगा। अधिकारियों ने कहा॥ अंत"),
            ["नया नियम लागू होगा।", "अधिकारियों ने कहा॥", "अंत"]
        );
        assert_eq!(split("هل هذا صحيح؟ نعم"), ["هل هذا صحيح؟", "نعم"]);
        assert_eq!(split("یہ نیا قانون ہے۔ اگلا جملہ"), ["یہ نیا قانون ہے۔", "اگلا جملہ"]);
        // Armenian, Ethiopic, Myanmar.
        assert_eq!(split("Առաջին նախադասություն։ Երկրորդ"), ["Առաջին նախադասություն։", "Երկրորդ"]);
        assert_eq!(split("የመጀመሪያ ዓረፍተ ነገር። ሁለተኛ"), ["የመጀመሪያ ዓረፍተ ነገር።", "ሁለተኛ"]);
        assert_eq!(split("ပထမ စာကြောင်း။ ဒုတိယ"), ["ပထမ စာကြောင်း။", "ဒုတိယ"]);
        // The full-width full stop is also a decimal point: no split.
        assert_eq!(split("増加率は３．５パーセントだった。"), ["増加率は３．５パーセントだった。"]);
        // Other characters with the same first UTF-8 bytes change nothing.
        assert_eq!(
            split("Prices rose 5\u{FF05} in Tōkyō — ｢quoted｣ – ok. Next one."),
            ["Prices rose 5\u{FF05} in Tōkyō — ｢quoted｣ – ok.", "Next one."]
        );
        // Mixed English and Chinese.
        assert_eq!(
            split("The ministry said: 规定下月生效。 It gave no date."),
            ["The ministry said: 规定下月生效。", "It gave no date."]
        );
    }

    #[test]
    fn abbreviations_and_initials() {
        assert_eq!(
            split("Mr. Blair met Gen. Jackson. They spoke."),
            ["Mr. Blair met Gen. Jackson.", "They spoke."]
        );
        assert_eq!(
            split("George W. Bush won. J. K. Rowling wrote."),
            ["George W. Bush won.", "J. K. Rowling wrote."]
        );
        assert_eq!(
            split("Apple Inc. said so. Google Inc. The end."),
            ["Apple Inc. said so.", "Google Inc.", "The end."]
        );
        assert_eq!(
            split("The U.S. economy grew. In the U.S. The end."),
            ["The U.S. economy grew.", "In the U.S.", "The end."]
        );
        assert_eq!(
            split("On Jan. 5 it rained. It was No. 1 in Jan. Then it fell."),
            ["On Jan. 5 it rained.", "It was No. 1 in Jan.", "Then it fell."]
        );
    }

    #[test]
    fn numbers_quotes_ellipses() {
        assert_eq!(
            split("It rose 3.6% to $1.13bn. Profits fell."),
            ["It rose 3.6% to $1.13bn.", "Profits fell."]
        );
        assert_eq!(
            split("\"We won.\" He smiled. \"Why?\" she asked."),
            ["\"We won.\"", "He smiled.", "\"Why?\"", "she asked."]
        );
        assert_eq!(split("\"It rose. \" And then"), ["\"It rose. \"", "And then"]);
        assert_eq!(split("\"It is. It was.\"They left."), ["\"It is.", "It was.\"", "They left."]);
        assert_eq!(
            split("(It was late.) Then... Nothing. Wait... and see"),
            ["(It was late.)", "Then...", "Nothing.", "Wait... and see"]
        );
    }

    #[test]
    fn glued_sentences() {
        assert_eq!(
            split("sales rose to $10.9bn.For the full year, profit rose."),
            ["sales rose to $10.9bn.", "For the full year, profit rose."]
        );
        assert_eq!(
            split("Visit Node.js or ASP.NET or the U.S.A. today."),
            ["Visit Node.js or ASP.NET or the U.S.A. today."]
        );
        assert_eq!(split("He said \"no.\"The end."), ["He said \"no.\"", "The end."]);
    }

    #[test]
    fn the_word_before_a_full_stop_is_looked_for_within_64_bytes() {
        let s = SentenceSplitter::shared();
        let long = "x".repeat(70);
        // A word longer than the window is no abbreviation: empty.
        let t = format!("{long}.");
        assert_eq!(s.word_before(&t, 0, t.len() - 1), "");
        // A short word after a long one is found exactly, multi-byte
        // characters at the window's edge included.
        let t = format!("{} {long} Mr.", "é".repeat(40));
        assert_eq!(s.word_before(&t, 0, t.len() - 1), "Mr");
        let t = format!("{}Gen.", "é ".repeat(30));
        assert_eq!(s.word_before(&t, 0, t.len() - 1), "Gen");
        let t = format!("{} (Dr.", "é".repeat(40));
        assert_eq!(s.word_before(&t, 0, t.len() - 1), "Dr");
        // A paragraph without spaces and with a glued full stop every five
        // bytes: each full stop used to scan back to the paragraph's start
        // (quadratic; 1 MB took over a minute). 20,000 sentences, each
        // split where the rule for glued text says.
        let t = "ab.Cd".repeat(20_000);
        let got = s.split(&t);
        assert_eq!(got.len(), 20_001);
        assert_eq!(got[0].text(&t), "ab.");
        assert_eq!(got[1].text(&t), "Cdab.");
        assert_eq!(got[20_000].text(&t), "Cd");
        // Ordinary abbreviations keep their meaning after a long word.
        let t = format!("{long} and Mr. Smith left. He stayed.");
        assert_eq!(split(&t), [format!("{long} and Mr. Smith left."), "He stayed.".into()]);
    }

    #[test]
    fn lists_and_paragraphs() {
        assert_eq!(
            split("Headline without stop\n\nBody text."),
            ["Headline without stop", "Body text."]
        );
        assert_eq!(
            split("Items:\n- first item\n- second item\n1. third"),
            ["Items:", "- first item", "- second item", "1. third"]
        );
        assert_eq!(split("A line\nwrapped here."), ["A line\nwrapped here."]);
    }
}
