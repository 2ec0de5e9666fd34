//! Character classes shared by the word scanners and the sentence splitter.
//!
//! Both scanners look bytes up in 256-entry tables while the text is ASCII
//! and fall back to a Unicode general-category lookup for other characters.
//! The char-level functions here are the specification; the tables are only
//! a faster way to answer the same question for ASCII (a property test checks
//! that they agree).

use unicode_general_category::{get_general_category, GeneralCategory as Gc};

/// What a character does inside a sift word.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Class {
    /// Separates words (space, punctuation, symbols, controls).
    Sep,
    /// A letter (any script with spaces between words).
    Letter,
    /// A digit or other number character.
    Digit,
    /// A combining mark or zero-width joiner: continues the word it follows.
    Mark,
    /// A Han, Hiragana or Katakana character: a word of its own.
    Ideo,
    /// An apostrophe (`'`, `’`, `ʼ`): joins a letter or digit to a letter.
    Apos,
    /// A hyphen (`-`, `‐`, `‑`): joins two letters or digits.
    Hyphen,
    /// `.`: joins two digits (`3.6`) and single-letter acronyms (`U.S`).
    Period,
    /// `,`: joins two digits (`1,000`).
    Comma,
}

/// The class of an ASCII byte (the fast path of [`class_of`]).
pub(crate) static ASCII_CLASS: [Class; 128] = {
    let mut t = [Class::Sep; 128];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        t[b] = if c.is_ascii_alphabetic() {
            Class::Letter
        } else if c.is_ascii_digit() {
            Class::Digit
        } else if c == b'\'' {
            Class::Apos
        } else if c == b'-' {
            Class::Hyphen
        } else if c == b'.' {
            Class::Period
        } else if c == b',' {
            Class::Comma
        } else {
            Class::Sep
        };
        b += 1;
    }
    t
};

/// `true` for Han, Hiragana and Katakana characters, which form one-character
/// words because those scripts do not put spaces between words.
#[inline]
pub(crate) fn is_ideographic(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF      // Hiragana, Katakana
        | 0x31F0..=0x31FF    // Katakana phonetic extensions
        | 0x3400..=0x4DBF    // CJK extension A
        | 0x4E00..=0x9FFF    // CJK unified ideographs
        | 0xF900..=0xFAFF    // CJK compatibility ideographs
        | 0xFF66..=0xFF9F    // half-width Katakana
        | 0x20000..=0x3134F  // CJK extensions B..G
    )
}

/// The class of any character under the sift word rules.
#[inline]
pub(crate) fn class_of(c: char) -> Class {
    if c.is_ascii() {
        return ASCII_CLASS[c as usize];
    }
    match c {
        '\u{2019}' | '\u{02BC}' => return Class::Apos,
        '\u{2010}' | '\u{2011}' => return Class::Hyphen,
        '\u{200C}' | '\u{200D}' => return Class::Mark,
        _ => {}
    }
    if is_ideographic(c) {
        return Class::Ideo;
    }
    match get_general_category(c) {
        Gc::UppercaseLetter
        | Gc::LowercaseLetter
        | Gc::TitlecaseLetter
        | Gc::ModifierLetter
        | Gc::OtherLetter => Class::Letter,
        Gc::DecimalNumber | Gc::LetterNumber | Gc::OtherNumber => Class::Digit,
        Gc::NonspacingMark | Gc::SpacingMark | Gc::EnclosingMark => Class::Mark,
        _ => Class::Sep,
    }
}

/// Python's `\w` in a Unicode pattern: `str.isalnum()` or `_`.
///
/// `isalnum` is true for the general categories L* (letters) and N*
/// (numbers); combining marks and symbols are not word characters.
#[inline]
pub(crate) fn is_python_word(c: char) -> bool {
    if c.is_ascii() {
        return PY_WORD_ASCII[c as usize];
    }
    matches!(
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

/// Python's `\w` for ASCII bytes: `[A-Za-z0-9_]`.
pub(crate) static PY_WORD_ASCII: [bool; 128] = {
    let mut t = [false; 128];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        t[b] = c.is_ascii_alphanumeric() || c == b'_';
        b += 1;
    }
    t
};

/// `true` for characters that have case (Unicode `Cased`, approximated by
/// the general categories Lu, Ll and Lt plus letters that change case).
#[inline]
pub(crate) fn is_cased(c: char) -> bool {
    c.is_uppercase() || c.is_lowercase() || matches!(get_general_category(c), Gc::TitlecaseLetter)
}

/// `true` for characters skipped when deciding whether a capital sigma ends a
/// word (Unicode `Case_Ignorable`: marks, format characters, modifier letters
/// and symbols, and the word-internal punctuation `' . : · ’`).
#[inline]
pub(crate) fn is_case_ignorable(c: char) -> bool {
    matches!(
        c,
        '\'' | '.'
            | ':'
            | '^'
            | '`'
            | '\u{00B7}'
            | '\u{2018}'
            | '\u{2019}'
            | '\u{2024}'
            | '\u{2027}'
    ) || matches!(
        get_general_category(c),
        Gc::NonspacingMark
            | Gc::EnclosingMark
            | Gc::Format
            | Gc::ModifierLetter
            | Gc::ModifierSymbol
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_table_agrees_with_char_rules() {
        for b in 0u8..128 {
            let c = b as char;
            let expected = if c.is_alphabetic() {
                Class::Letter
            } else if c.is_numeric() {
                Class::Digit
            } else {
                match c {
                    '\'' => Class::Apos,
                    '-' => Class::Hyphen,
                    '.' => Class::Period,
                    ',' => Class::Comma,
                    _ => Class::Sep,
                }
            };
            assert_eq!(ASCII_CLASS[b as usize], expected, "byte {b}");
            assert_eq!(PY_WORD_ASCII[b as usize], c.is_alphanumeric() || c == '_', "byte {b}");
        }
    }

    #[test]
    fn unicode_classes() {
        assert_eq!(class_of('é'), Class::Letter);
        assert_eq!(class_of('Ж'), Class::Letter);
        assert_eq!(class_of('\u{0301}'), Class::Mark);
        assert_eq!(class_of('中'), Class::Ideo);
        assert_eq!(class_of('カ'), Class::Ideo);
        assert_eq!(class_of('٣'), Class::Digit);
        assert_eq!(class_of('’'), Class::Apos);
        assert_eq!(class_of('€'), Class::Sep);
        assert_eq!(class_of('—'), Class::Sep);
        assert!(is_python_word('é') && is_python_word('²') && is_python_word('_'));
        assert!(!is_python_word('\u{0301}') && !is_python_word('Ⓐ') && !is_python_word('-'));
    }
}
