//! Writing outputs: files are written atomically (a temporary file beside the
//! target, renamed over it when complete), so an interrupted run never leaves
//! a half-written file where a user's file was.

use crate::error::{output, usage};
use anyhow::Result;
use std::io::{BufWriter, Write};
use std::path::Path;

/// Writes `path` atomically through `write`, which gets a buffered writer.
pub fn write_atomic(
    path: &str,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<()> {
    let target = Path::new(path);
    let fail = |e: std::io::Error| {
        output(format!("{path}: cannot write: {}", crate::input::io_reason(&e)))
    };
    let tmp = sift_tfidf::container::temp_beside(target).map_err(cannot_create(path))?;
    {
        let mut w = BufWriter::with_capacity(1 << 16, tmp.as_file());
        write(&mut w).map_err(fail)?;
        w.flush().map_err(fail)?;
    }
    tmp.as_file().sync_all().map_err(fail)?;
    tmp.persist(target).map_err(|e| fail(e.error))?;
    Ok(())
}

/// Refuses, before any long work, an output path that could not be written
/// at the end (a missing or refused folder, a folder given as the file): a
/// temporary file is created beside it and removed at once.
fn check_writable(path: &str) -> Result<()> {
    sift_tfidf::container::temp_beside(Path::new(path)).map(drop).map_err(cannot_create(path))
}

/// Refuses, before any work, outputs that would overwrite one of the inputs
/// (the user's data) or each other, then checks each is writable.
/// `outputs` and `inputs` are (flag, path) pairs; `-` (stdin) is no file.
pub fn check_outputs(outputs: &[(&str, &str)], inputs: &[(&str, &str)]) -> Result<()> {
    for (i, &(flag, path)) in outputs.iter().enumerate() {
        for &(in_flag, in_path) in inputs.iter().filter(|(_, p)| *p != "-") {
            if same_file::is_same_file(path, in_path).unwrap_or(false) {
                return Err(usage(format!(
                    "{flag} {path}: the same file as {in_flag} {in_path}, which would be \
                     overwritten: write the output elsewhere"
                )));
            }
        }
        for &(other_flag, other) in &outputs[..i] {
            if same_target(path, other) {
                return Err(usage(format!(
                    "{flag} {path}: the same file as {other_flag} {other}: give each output \
                     its own path"
                )));
            }
        }
        check_writable(path)?;
    }
    Ok(())
}

/// `paths` paired with the `flag` that gave them, for [`check_outputs`].
pub fn flagged<'a>(flag: &'a str, paths: &'a [String]) -> Vec<(&'a str, &'a str)> {
    paths.iter().map(|p| (flag, p.as_str())).collect()
}

/// Whether two output paths name one file, existing or not.
fn same_target(a: &str, b: &str) -> bool {
    // An output that does not exist yet: its folder, resolved, and its name.
    let resolved = |p: &str| {
        let p = Path::new(p);
        let folder = p.parent().filter(|f| !f.as_os_str().is_empty()).unwrap_or(Path::new("."));
        Some(folder.canonicalize().ok()?.join(p.file_name()?))
    };
    same_file::is_same_file(a, b).unwrap_or(false)
        || resolved(a).is_some_and(|ra| Some(ra) == resolved(b))
}

/// The error for a temporary file that cannot be created beside `path`
/// (`container::temp_beside` says why: a folder given as the output, a
/// missing folder, a refused one).
pub fn cannot_create(path: &str) -> impl Fn(std::io::Error) -> anyhow::Error + '_ {
    move |e| output(format!("{path}: {e}"))
}

/// `s` on one line for a reader: runs of whitespace become one space, and
/// other control characters become visible symbols (U+2400 onwards for
/// C0 and DEL, U+FFFD for C1), so that text from a file cannot move the
/// cursor, recolour or clear the terminal, nor break a line-per-item
/// output. Only the text outputs use it: JSON and CSV escape for
/// themselves, and their text stays exact.
pub fn one_line(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars() {
        if c.is_whitespace() {
            space = !o.is_empty();
            continue;
        }
        if space {
            o.push(' ');
            space = false;
        }
        o.push(shown(c));
    }
    o
}

/// `c` as the text outputs show it: a control character as its visible
/// symbol (`␛`, `␇`; C1 controls as `�`), so that input cannot drive a
/// terminal or break a page; any other character as itself.
pub fn shown(c: char) -> char {
    match c {
        '\0'..='\x1f' => char::from_u32(0x2400 + c as u32).unwrap_or('\u{FFFD}'),
        '\x7f' => '\u{2421}',
        '\u{80}'..='\u{9f}' => '\u{FFFD}',
        c => c,
    }
}

#[cfg(test)]
mod tests {
    use super::one_line;

    #[test]
    fn one_line_collapses_space_and_shows_controls() {
        assert_eq!(one_line("  a\n\n b\t\r\nc  "), "a b c");
        assert_eq!(
            one_line("red \x1b[31mtext\x07\x08\x7f\u{9b}1m!"),
            "red ␛[31mtext␇␈␡\u{FFFD}1m!"
        );
        assert_eq!(one_line("\u{a0}é\u{2028}ü"), "é ü");
        assert_eq!(one_line(""), "");
    }
}
