//! Reading inputs: text files (or stdin), JSON Lines records, gzip.

use crate::error::input;
use anyhow::Result;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

/// Opens a file for reading (transparently gunzipping `.gz`), with clear
/// errors for missing files and directories. `-` is stdin.
pub fn open(path: &str) -> Result<Box<dyn BufRead>> {
    if path == "-" {
        return Ok(Box::new(BufReader::new(std::io::stdin())));
    }
    let p = Path::new(path);
    if p.is_dir() {
        return Err(input(format!("{path}: is a directory, expected a file")));
    }
    let file = std::fs::File::open(p)
        .map_err(|e| input(format!("{path}: cannot open: {}", io_reason(&e))))?;
    if path.ends_with(".gz") {
        Ok(Box::new(BufReader::with_capacity(1 << 16, flate2::read::MultiGzDecoder::new(file))))
    } else {
        Ok(Box::new(BufReader::with_capacity(1 << 16, file)))
    }
}

/// Whether the file at `path` starts with `magic` (false when it cannot
/// be read: its reader reports why).
pub fn starts_with(path: &str, magic: &[u8]) -> bool {
    let mut head = vec![0u8; magic.len()];
    std::fs::File::open(path).and_then(|mut f| f.read_exact(&mut head)).is_ok_and(|_| head == magic)
}

/// The bytes of a file that `what` names ("a vectorizer file"), with the
/// errors of [`open`] (no stdin, no gunzipping).
pub fn read_file(path: &str, what: &str) -> Result<Vec<u8>> {
    if Path::new(path).is_dir() {
        return Err(input(format!("{path}: is a directory, expected {what}")));
    }
    std::fs::read(path).map_err(|e| input(format!("{path}: cannot read: {}", io_reason(&e))))
}

/// A short reason for an I/O error ("no such file", "permission denied").
pub fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

/// A whole text input. Each byte that is not part of valid UTF-8 becomes
/// U+001A SUBSTITUTE, one byte for one byte, so every byte offset sift
/// prints still points into the file as it is on disk (U+FFFD takes three
/// bytes and would shift every later offset). A warning names the file and
/// the first bad byte (lenient: a stray Latin-1 byte should not stop an
/// analyst's batch).
pub fn read_text(path: &str) -> Result<String> {
    let name = crate::cmd::source_name(path);
    let mut bytes = Vec::new();
    open(path)?
        .read_to_end(&mut bytes)
        .map_err(|e| input(format!("{name}: cannot read: {}", io_reason(&e))))?;
    Ok(match String::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            eprintln!(
                "sift: warning: {name}: invalid UTF-8 at byte {at}; \
                 each bad byte read as U+001A (offsets still match the file)"
            );
            substitute_invalid(e.as_bytes())
        }
    })
}

/// `bytes` as a string with each byte outside valid UTF-8 replaced by
/// U+001A (one byte), so the result has the same length and offsets.
pub fn substitute_invalid(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        out.push_str(chunk.valid());
        out.extend(std::iter::repeat_n('\u{1A}', chunk.invalid().len()));
    }
    out
}

/// Reads JSON Lines records, calling `f(line_number, record)` for each;
/// every line must be a JSON object (an empty line is an error too, so that
/// records and output rows line up). A byte-order mark at the start of the
/// file is skipped.
pub fn for_each_record(
    path: &str,
    mut f: impl FnMut(usize, serde_json::Value) -> Result<()>,
) -> Result<()> {
    for_each_line(path, |line, record| f(line, record?))
}

/// [`for_each_record`] for callers that may skip a malformed line: `f`
/// receives each line's record or the error that names the line, and
/// decides. Errors reading the file itself end the loop.
pub fn for_each_line(
    path: &str,
    mut f: impl FnMut(usize, Result<serde_json::Value>) -> Result<()>,
) -> Result<()> {
    let mut reader = open(path)?;
    let name = crate::cmd::source_name(path);
    let mut buf = Vec::new();
    let mut line_no = 0usize;
    loop {
        buf.clear();
        let n = reader
            .read_until(b'\n', &mut buf)
            .map_err(|e| input(format!("{name}: cannot read: {}", io_reason(&e))))?;
        if n == 0 {
            break;
        }
        line_no += 1;
        // A byte-order mark (Notepad, Excel) may start the file.
        let line =
            if line_no == 1 { buf.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&buf) } else { &buf };
        f(line_no, parse_line(name, line_no, line))?;
    }
    Ok(())
}

/// One line of a JSON Lines file as a JSON object, or an input error that
/// names the file and line and says what was expected.
fn parse_line(path: &str, line_no: usize, line: &[u8]) -> Result<serde_json::Value> {
    let text = std::str::from_utf8(line).map_err(|e| {
        input(format!(
            "{path}:{line_no}: invalid UTF-8 at byte {} of the line, expected UTF-8 JSON",
            e.valid_up_to()
        ))
    })?;
    let text = text.trim_end_matches(['\n', '\r']);
    if text.trim().is_empty() {
        return Err(input(format!("{path}:{line_no}: empty line, expected a JSON object")));
    }
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        input(format!("{path}:{line_no}: invalid JSON ({e}), expected one JSON object per line"))
    })?;
    if !value.is_object() {
        return Err(input(format!(
            "{path}:{line_no}: expected a JSON object, found {}",
            json_kind(&value)
        )));
    }
    Ok(value)
}

/// "a string", "a number"... for messages.
pub fn json_kind(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

/// How a JSON Lines record is named in the output: the string or number in
/// `id_field` (an error naming the line when it is missing or of another
/// kind), or without `id_field` the record's "id" when it is a string or a
/// number, else `FILE:LINE`.
pub fn record_id(
    path: &str,
    line: usize,
    record: &serde_json::Value,
    id_field: Option<&str>,
) -> Result<serde_json::Value> {
    use serde_json::Value;
    let path = crate::cmd::source_name(path);
    match id_field {
        Some(f) => match record.get(f) {
            Some(v @ (Value::String(_) | Value::Number(_))) => Ok(v.clone()),
            Some(v) => Err(input(format!(
                "{path}:{line}: field \"{f}\" is {}, expected a string or a number",
                json_kind(v)
            ))),
            None => Err(input(format!("{path}:{line}: missing field \"{f}\""))),
        },
        None => match record.get("id") {
            Some(v @ (Value::String(_) | Value::Number(_))) => Ok(v.clone()),
            _ => Ok(Value::String(format!("{path}:{line}"))),
        },
    }
}

/// The string field `field` of a record, or an input error naming the line.
pub fn text_field(
    path: &str,
    line: usize,
    record: &serde_json::Value,
    field: &str,
) -> Result<String> {
    let path = crate::cmd::source_name(path);
    match record.get(field) {
        Some(serde_json::Value::String(s)) => Ok(s.clone()),
        Some(other) => Err(input(format!(
            "{path}:{line}: field \"{field}\" is {}, expected a string",
            json_kind(other)
        ))),
        None => Err(input(format!("{path}:{line}: missing field \"{field}\""))),
    }
}

#[cfg(test)]
mod tests {
    use super::substitute_invalid;

    #[test]
    fn substitution_keeps_length_and_valid_text() {
        let bytes = b"na\xefve \xe2\x82 caf\xc3\xa9 \xff\xfe end";
        let s = substitute_invalid(bytes);
        assert_eq!(s.len(), bytes.len());
        assert_eq!(s, "na\u{1A}ve \u{1A}\u{1A} caf\u{e9} \u{1A}\u{1A} end");
        assert_eq!(substitute_invalid("plain \u{2014} text".as_bytes()), "plain \u{2014} text");
    }
}
