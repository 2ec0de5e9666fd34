//! Training-data readers: JSON Lines, CSV/TSV with a header, fastText, and a
//! folder per label. Every malformed row is reported as `file:line` with
//! what was expected, unless the caller opts into skipping bad rows.

use crate::error::{Error, Result};
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

/// One labelled text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Example {
    /// The text.
    pub text: String,
    /// Its labels (one for single-label data; zero or more for multi-label).
    pub labels: Vec<String>,
}

/// Training-data file formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// One JSON object per line with a text field and a `label` (string) or
    /// `labels` (list of strings) field.
    Jsonl,
    /// Comma-separated with a header row.
    Csv,
    /// Tab-separated with a header row.
    Tsv,
    /// `__label__a __label__b text...` per line.
    FastText,
    /// A folder with one sub-folder per label holding `.txt` files.
    Dir,
}

impl Format {
    /// The format a path's extension suggests (a folder: [`Format::Dir`]).
    pub fn guess(path: &Path) -> Format {
        if path.is_dir() {
            return Format::Dir;
        }
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("").to_ascii_lowercase();
        let name = name.strip_suffix(".gz").unwrap_or(&name);
        if name.ends_with(".csv") {
            Format::Csv
        } else if name.ends_with(".tsv") || name.ends_with(".tab") {
            Format::Tsv
        } else if name.ends_with(".ft") || name.ends_with(".fasttext") || name.ends_with(".txt") {
            Format::FastText
        } else {
            Format::Jsonl
        }
    }
}

/// How to read training data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReadOptions {
    /// The field (JSONL) or column (CSV/TSV) with the text.
    pub text_field: String,
    /// The field or column with the label(s); for JSONL, `label` or
    /// `labels` are both accepted when this is `label`.
    pub label_field: String,
    /// Skip malformed rows (with a count) instead of failing on the first.
    pub skip_bad_rows: bool,
    /// Single-label data: a row must carry exactly one label; a row with
    /// none (an empty label cell, `null`, `[]`) or several (`a|b`, a list)
    /// is malformed, reported at its line (or skipped). Off, a row may
    /// carry any number, as multi-label data does.
    pub single_label: bool,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            text_field: "text".into(),
            label_field: "label".into(),
            skip_bad_rows: false,
            single_label: false,
        }
    }
}

/// Examples read from files, and how many rows were skipped as malformed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Loaded {
    /// The examples, in file order.
    pub examples: Vec<Example>,
    /// Malformed rows skipped (only with `skip_bad_rows`), with their errors.
    pub skipped: Vec<String>,
    /// Folder-per-label data: entries that were not read (files not ending
    /// in `.txt`, nested folders, files beside the label folders, label
    /// folders without a `.txt` file), sorted;
    /// hidden entries (`.DS_Store`) are not listed.
    pub ignored: Vec<std::path::PathBuf>,
}

fn io_err(path: &Path, e: std::io::Error) -> Error {
    Error::Io { path: path.display().to_string(), source: e }
}

fn open(path: &Path) -> Result<Box<dyn BufRead>> {
    if path.is_dir() {
        return Err(Error::Io {
            path: path.display().to_string(),
            source: std::io::Error::other("is a directory, expected a file"),
        });
    }
    let f = std::fs::File::open(path).map_err(|e| io_err(path, e))?;
    if path.extension().is_some_and(|e| e == "gz") {
        Ok(Box::new(BufReader::new(flate2::read::MultiGzDecoder::new(f))))
    } else {
        Ok(Box::new(BufReader::new(f)))
    }
}

/// Reads examples from `path` in `format`.
pub fn read(path: &Path, format: Format, opts: &ReadOptions) -> Result<Loaded> {
    match format {
        Format::Dir => read_dir(path, opts),
        Format::Jsonl => read_jsonl_from(open(path)?, &path.display().to_string(), opts),
        Format::Csv => read_delimited(open(path)?, &path.display().to_string(), b',', opts),
        Format::Tsv => read_delimited(open(path)?, &path.display().to_string(), b'\t', opts),
        Format::FastText => read_fasttext(open(path)?, &path.display().to_string(), opts),
    }
}

struct Collector<'o> {
    name: String,
    opts: &'o ReadOptions,
    out: Loaded,
}

impl Collector<'_> {
    fn push(&mut self, line: usize, r: std::result::Result<Example, String>) -> Result<()> {
        let r = r.and_then(|e| {
            // A label is printed in reports and on terminals.
            if let Some(l) = e.labels.iter().find(|l| l.chars().any(char::is_control)) {
                return Err(format!(
                    "label {l:?} holds a control character, expected a printable name"
                ));
            }
            match (self.opts.single_label, e.labels.len()) {
                (true, 0) => {
                    Err("no label, expected exactly one (multi-label mode accepts none)"
                        .to_string())
                }
                (true, n) if n > 1 => Err(format!(
                    "{n} labels ({}), expected exactly one (multi-label mode accepts several)",
                    e.labels.join(", ")
                )),
                _ => Ok(e),
            }
        });
        match r {
            Ok(e) => self.out.examples.push(e),
            Err(message) if self.opts.skip_bad_rows => {
                self.out.skipped.push(format!("{}:{line}: {message}", self.name))
            }
            Err(message) => return Err(Error::Input { path: self.name.clone(), line, message }),
        }
        Ok(())
    }
}

/// Splits a label cell: `a|b` or `a,b` inside one cell give several labels.
fn split_labels(s: &str) -> Vec<String> {
    s.split(['|', ';']).map(str::trim).filter(|l| !l.is_empty()).map(str::to_string).collect()
}

/// U+FEFF, the byte-order mark some editors (Notepad, Excel's "UTF-8"
/// exports) put at the start of a file; readers skip it there (for CSV and
/// TSV, `QuoteWatch` drops it before the csv crate reads).
const BOM: char = '\u{FEFF}';
/// [`BOM`] in UTF-8.
const BOM_BYTES: [u8; 3] = [0xEF, 0xBB, 0xBF];

/// Removes a UTF-8 byte-order mark from the start of `bytes`.
fn strip_bom(bytes: &mut Vec<u8>) {
    if bytes.starts_with(&BOM_BYTES) {
        bytes.drain(..3);
    }
}

/// "a number", "an empty string"... for messages.
fn json_kind(v: &serde_json::Value) -> &'static str {
    use serde_json::Value;
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(s) if s.trim().is_empty() => "an empty string",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// Reads JSON Lines from any reader (`name` is used in messages).
pub fn read_jsonl_from(reader: impl Read, name: &str, opts: &ReadOptions) -> Result<Loaded> {
    let mut c = Collector { name: name.to_string(), opts, out: Loaded::default() };
    let mut reader = BufReader::new(reader);
    let mut buf = Vec::new();
    let mut line = 0;
    loop {
        buf.clear();
        let n = reader.read_until(b'\n', &mut buf).map_err(|e| io_err(Path::new(name), e))?;
        if n == 0 {
            break;
        }
        line += 1;
        if line == 1 {
            strip_bom(&mut buf);
        }
        let r = (|| -> std::result::Result<Example, String> {
            let s = std::str::from_utf8(&buf)
                .map_err(|e| format!("invalid UTF-8 at byte {} of the line", e.valid_up_to()))?;
            if s.trim().is_empty() {
                return Err("empty line, expected a JSON object".into());
            }
            let v: serde_json::Value = serde_json::from_str(s)
                .map_err(|e| format!("invalid JSON ({e}), expected one object per line"))?;
            let text = match v.get(&opts.text_field) {
                Some(serde_json::Value::String(t)) => t.clone(),
                Some(_) => return Err(format!("field \"{}\" must be a string", opts.text_field)),
                None => return Err(format!("missing field \"{}\"", opts.text_field)),
            };
            let (field, label_value) = match v.get(&opts.label_field) {
                None if opts.label_field == "label" => ("labels", v.get("labels")),
                found => (opts.label_field.as_str(), found),
            };
            let labels = match label_value {
                Some(serde_json::Value::String(l)) if !l.trim().is_empty() => {
                    vec![l.trim().to_string()]
                }
                Some(serde_json::Value::String(_)) => {
                    return Err(format!(
                        "field \"{field}\" is empty, expected a label name (null or [] for none)"
                    ))
                }
                Some(serde_json::Value::Array(a)) => {
                    let mut ls = Vec::new();
                    for x in a {
                        match x.as_str() {
                            Some(l) if !l.trim().is_empty() => ls.push(l.trim().to_string()),
                            _ => {
                                return Err(format!(
                                    "field \"{field}\" must hold non-empty strings, found {}",
                                    json_kind(x)
                                ))
                            }
                        }
                    }
                    ls
                }
                Some(serde_json::Value::Null) => Vec::new(),
                Some(other) => {
                    return Err(format!(
                        "field \"{field}\" must be a string or a list of strings, found {}",
                        json_kind(other)
                    ))
                }
                None => {
                    return Err(format!("missing field \"{}\" (or \"labels\")", opts.label_field))
                }
            };
            Ok(Example { text, labels })
        })();
        c.push(line, r)?;
    }
    Ok(c.out)
}

/// Reads CSV or TSV with a header row naming the text and label columns.
pub fn read_delimited(
    reader: impl Read,
    name: &str,
    delimiter: u8,
    opts: &ReadOptions,
) -> Result<Loaded> {
    let watch = QuoteWatch::new(reader, delimiter).map_err(|e| Error::Input {
        path: name.into(),
        line: 1,
        message: format!("cannot read the header row: {e}"),
    })?;
    let mut rdr = csv::ReaderBuilder::new().delimiter(delimiter).flexible(true).from_reader(watch);
    let headers = rdr
        .headers()
        .map_err(|e| Error::Input {
            path: name.into(),
            line: 1,
            message: format!("cannot read the header row: {e}"),
        })?
        .clone();
    let col = |want: &str| headers.iter().position(|h| h.trim() == want);
    let (Some(tc), Some(lc)) = (col(&opts.text_field), col(&opts.label_field)) else {
        return Err(Error::Input {
            path: name.into(),
            line: 1,
            message: format!(
                "the header must name a \"{}\" and a \"{}\" column (found: {})",
                opts.text_field,
                opts.label_field,
                headers.iter().collect::<Vec<_>>().join(", ")
            ),
        });
    };
    // A column named twice would silently read the first one.
    for (want, at) in [(&opts.text_field, tc), (&opts.label_field, lc)] {
        if let Some(again) = headers.iter().skip(at + 1).position(|h| h.trim() == want.as_str()) {
            return Err(Error::Input {
                path: name.into(),
                line: 1,
                message: format!(
                    "the header names \"{want}\" twice (columns {} and {}), expected it once",
                    at + 1,
                    at + 2 + again
                ),
            });
        }
    }
    let width = headers.len();
    let mut c = Collector { name: name.to_string(), opts, out: Loaded::default() };
    let mut rec = csv::StringRecord::new();
    loop {
        let (line, r) = match rdr.read_record(&mut rec) {
            Ok(false) => break,
            Err(e) => {
                let line = e.position().map_or(rdr.position().line(), |p| p.line()) as usize;
                if matches!(e.kind(), csv::ErrorKind::Io(_)) {
                    // The reader cannot go on past a failed read.
                    return Err(Error::Input {
                        path: name.into(),
                        line,
                        message: format!("cannot read: {e}"),
                    });
                }
                (line, Err(format!("malformed row: {e}")))
            }
            Ok(true) => {
                let line = rec.position().map_or(0, |p| p.line() as usize);
                let end = rdr.position().line() as usize;
                // A quote left open swallows the rest of the file into the
                // last row, whose column count may even look right: the csv
                // reader accepts it, so the watch on the bytes tells.
                let (from, to) = (rec.position().map_or(0, |p| p.byte()), rdr.position().byte());
                let unclosed = rdr
                    .get_ref()
                    .unclosed()
                    .filter(|&(_, at)| (from..to).contains(&at))
                    .map(|(q, _)| q);
                let r = if let (Some(q), true) = (unclosed, rec.len() == width) {
                    Err(format!(
                        "a quote opened on line {q} is never closed, so this row runs to the end \
                         of the file, expected a closing quote"
                    ))
                } else if rec.len() != width {
                    let hint = if let Some(q) = unclosed {
                        format!(
                            " (a quote opened on line {q} is never closed, so the row runs to the \
                             end of the file)"
                        )
                    } else if end > line + 1 && rec.iter().any(|f| f.contains('\n')) {
                        // A quoted field spanning lines that still leaves
                        // the count wrong: probably a quote closed late.
                        format!(
                            " (the row runs to line {}: is a quote opened on line {line} \
                             never closed?)",
                            end - 1
                        )
                    } else if rec.len() > width {
                        format!(
                            " (is there a {} in an unquoted field?)",
                            if delimiter == b'\t' { "tab" } else { "comma" }
                        )
                    } else {
                        String::new()
                    };
                    Err(format!(
                        "expected {width} columns as in the header, found {}{hint}",
                        rec.len()
                    ))
                } else {
                    Ok(Example { text: rec[tc].to_string(), labels: split_labels(&rec[lc]) })
                };
                (line, r)
            }
        };
        c.push(line, r)?;
    }
    Ok(c.out)
}

/// Passes bytes through to the csv reader while following CSV's quoting
/// (a quote opens a field only at its start; a doubled quote inside is one
/// quote), to tell whether the input ends inside a quoted field and on
/// which line that field opened. The csv crate ends such a field silently
/// at the end of input, and its records keep no trace of the quotes.
///
/// It also drops a byte-order mark at the start, whatever the sizes of the
/// reads: the csv reader skips one only when its first read holds all three
/// bytes.
struct QuoteWatch<R> {
    /// The first bytes (read ahead for a byte-order mark), then the rest.
    inner: std::io::Chain<std::io::Cursor<Vec<u8>>, R>,
    delimiter: u8,
    state: QuoteState,
    line: usize,
    /// Bytes passed on so far.
    passed: u64,
    /// Line and byte offset of the last quote that opened a field.
    opened: (usize, u64),
    eof: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum QuoteState {
    FieldStart,
    Unquoted,
    Quoted,
    /// A quote inside a quoted field: a closing quote, or the first half
    /// of a doubled one.
    QuoteInQuoted,
}

impl<R: Read> QuoteWatch<R> {
    fn new(mut inner: R, delimiter: u8) -> std::io::Result<Self> {
        let head = read_head(&mut inner)?;
        Ok(QuoteWatch {
            inner: std::io::Cursor::new(head).chain(inner),
            delimiter,
            state: QuoteState::FieldStart,
            line: 1,
            passed: 0,
            opened: (0, 0),
            eof: false,
        })
    }

    /// The line and byte offset (as the csv reader counts them) at which a
    /// still-open quoted field began, once the input has ended inside it.
    fn unclosed(&self) -> Option<(usize, u64)> {
        (self.eof && self.state == QuoteState::Quoted).then_some(self.opened)
    }

    /// Follows the quoting state over bytes passed on (csv-core's states
    /// for its defaults: `"` quotes, doubled quotes, no escape character,
    /// `\r`, `\n` or both end a record).
    fn follow(&mut self, bytes: &[u8]) {
        use QuoteState::*;
        for &b in bytes {
            let boundary = b == self.delimiter || b == b'\n' || b == b'\r';
            self.state = match (self.state, b) {
                (FieldStart, b'"') => {
                    self.opened = (self.line, self.passed);
                    Quoted
                }
                (Quoted, b'"') => QuoteInQuoted,
                (Quoted, _) | (QuoteInQuoted, b'"') => Quoted,
                (_, _) if boundary => FieldStart,
                _ => Unquoted,
            };
            self.line += usize::from(b == b'\n');
            self.passed += 1;
        }
    }
}

/// Up to three bytes from the start of `inner`, without a byte-order mark.
fn read_head(inner: &mut impl Read) -> std::io::Result<Vec<u8>> {
    let mut head = Vec::with_capacity(3);
    inner.take(3).read_to_end(&mut head)?;
    strip_bom(&mut head);
    Ok(head)
}

impl<R: Read> Read for QuoteWatch<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.eof |= n == 0 && !buf.is_empty();
        self.follow(&buf[..n]);
        Ok(n)
    }
}

/// Reads fastText's format: leading `__label__x` tokens, then the text.
pub fn read_fasttext(reader: impl Read, name: &str, opts: &ReadOptions) -> Result<Loaded> {
    let mut c = Collector { name: name.to_string(), opts, out: Loaded::default() };
    for (i, line) in BufReader::new(reader).lines().enumerate() {
        let line_no = i + 1;
        let r = match line {
            Err(e) => Err(format!("cannot read: {e}")),
            Ok(l) => {
                let l = if line_no == 1 { l.strip_prefix(BOM).unwrap_or(&l) } else { &l };
                if l.trim().is_empty() {
                    continue;
                }
                let mut labels = Vec::new();
                let mut rest = l.trim_start();
                let mut nameless = false;
                while let Some(after) = rest.strip_prefix("__label__") {
                    let end = after.find(char::is_whitespace).unwrap_or(after.len());
                    nameless |= end == 0;
                    labels.push(after[..end].to_string());
                    rest = after[end..].trim_start();
                }
                if labels.is_empty() {
                    Err("expected `__label__NAME` before the text".into())
                } else if nameless {
                    Err("`__label__` without a name, expected `__label__NAME`".into())
                } else {
                    Ok(Example { text: rest.to_string(), labels })
                }
            }
        };
        c.push(line_no, r)?;
    }
    Ok(c.out)
}

/// Reads a folder with one sub-folder per label, each holding `.txt` files
/// (sorted by path, so the order is stable). A file that is not UTF-8 is
/// malformed (skipped with `opts.skip_bad_rows`); the other options are
/// for rows and do not apply.
pub fn read_dir(path: &Path, opts: &ReadOptions) -> Result<Loaded> {
    let mut out = Loaded::default();
    let hidden = |p: &Path| p.file_name().is_some_and(|n| n.as_encoded_bytes().starts_with(b"."));
    let (mut dirs, beside): (Vec<_>, Vec<_>) = std::fs::read_dir(path)
        .map_err(|e| io_err(path, e))?
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| !hidden(p))
        .partition(|p| p.is_dir());
    dirs.sort();
    out.ignored.extend(beside);
    if dirs.is_empty() {
        return Err(Error::Input {
            path: path.display().to_string(),
            line: 0,
            message: "expected one sub-folder per label".into(),
        });
    }
    for d in dirs {
        let Some(label) = d.file_name().and_then(|n| n.to_str()).map(str::to_string) else {
            return Err(Error::Input {
                path: d.display().to_string(),
                line: 0,
                message: "the folder's name (the label) is not valid UTF-8".into(),
            });
        };
        let (mut files, other): (Vec<_>, Vec<_>) = std::fs::read_dir(&d)
            .map_err(|e| io_err(&d, e))?
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .filter(|p| !hidden(p))
            .partition(|p| p.is_file() && p.extension().is_some_and(|e| e == "txt"));
        files.sort();
        out.ignored.extend(other);
        if files.is_empty() {
            // A label folder with nothing to read gives no label.
            out.ignored.push(d.clone());
        }
        for f in files {
            let mut bytes = std::fs::read(&f).map_err(|e| io_err(&f, e))?;
            strip_bom(&mut bytes);
            match String::from_utf8(bytes) {
                Ok(text) => out.examples.push(Example { text, labels: vec![label.clone()] }),
                Err(e) => {
                    let message = format!(
                        "invalid UTF-8 at byte {}, expected UTF-8 text",
                        e.utf8_error().valid_up_to()
                    );
                    if !opts.skip_bad_rows {
                        let path = f.display().to_string();
                        return Err(Error::Input { path, line: 0, message });
                    }
                    out.skipped.push(format!("{}: {message}", f.display()));
                }
            }
        }
    }
    out.ignored.sort();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts() -> ReadOptions {
        ReadOptions::default()
    }

    #[test]
    fn jsonl_single_and_multi() {
        let data = "{\"text\": \"a\", \"label\": \"x\"}\n{\"text\": \"b\", \"labels\": [\"x\", \"y\"]}\n{\"text\": \"c\", \"labels\": []}\n";
        let l = read_jsonl_from(data.as_bytes(), "d.jsonl", &opts()).unwrap();
        assert_eq!(l.examples[1].labels, ["x", "y"]);
        assert!(l.examples[2].labels.is_empty());
        let bad = "{\"text\": \"a\", \"label\": \"x\"}\n{\"text\": 3, \"label\": \"x\"}\n";
        let e = read_jsonl_from(bad.as_bytes(), "d.jsonl", &opts()).unwrap_err();
        assert_eq!(e.to_string(), "d.jsonl:2: field \"text\" must be a string");
        let lenient = ReadOptions { skip_bad_rows: true, ..opts() };
        let l = read_jsonl_from(bad.as_bytes(), "d.jsonl", &lenient).unwrap();
        assert_eq!((l.examples.len(), l.skipped.len()), (1, 1));
    }

    #[test]
    fn single_label_rows_need_exactly_one_label() {
        let single = ReadOptions { single_label: true, ..opts() };
        let csv = "text,label\na,x\nb,\nc,x|y\n";
        let e = read_delimited(csv.as_bytes(), "d.csv", b',', &single).unwrap_err();
        assert_eq!(
            e.to_string(),
            "d.csv:3: no label, expected exactly one (multi-label mode accepts none)"
        );
        let lenient = ReadOptions { skip_bad_rows: true, ..single.clone() };
        let l = read_delimited(csv.as_bytes(), "d.csv", b',', &lenient).unwrap();
        assert_eq!(l.examples, [Example { text: "a".into(), labels: vec!["x".into()] }]);
        assert_eq!(
            l.skipped,
            [
                "d.csv:3: no label, expected exactly one (multi-label mode accepts none)",
                "d.csv:4: 2 labels (x, y), expected exactly one (multi-label mode accepts several)",
            ]
        );
        // The same rows are fine for multi-label data.
        let l = read_delimited(csv.as_bytes(), "d.csv", b',', &opts()).unwrap();
        assert_eq!(l.examples.iter().map(|e| e.labels.len()).collect::<Vec<_>>(), [1, 0, 2]);
        let jsonl = "{\"text\": \"a\", \"labels\": [\"x\", \"y\"]}\n";
        let e = read_jsonl_from(jsonl.as_bytes(), "d.jsonl", &single).unwrap_err();
        assert!(e.to_string().starts_with("d.jsonl:1: 2 labels (x, y), expected exactly one"));
        let ft = "__label__x a\n__label__x __label__y b\n";
        let e = read_fasttext(ft.as_bytes(), "d.ft", &single).unwrap_err();
        assert!(e.to_string().starts_with("d.ft:2: 2 labels (x, y)"), "{e}");
    }

    #[test]
    fn empty_label_names_are_malformed() {
        for (data, message) in [
            (
                "{\"text\": \"a\", \"label\": \" \"}\n",
                "field \"label\" is empty, expected a label name",
            ),
            (
                "{\"text\": \"a\", \"labels\": [\"x\", \"\"]}\n",
                "field \"labels\" must hold non-empty strings, found an empty string",
            ),
            (
                "{\"text\": \"a\", \"labels\": 3}\n",
                "field \"labels\" must be a string or a list of strings, found a number",
            ),
        ] {
            let e = read_jsonl_from(data.as_bytes(), "d.jsonl", &opts()).unwrap_err();
            assert!(e.to_string().starts_with(&format!("d.jsonl:1: {message}")), "{e}");
        }
        let e = read_jsonl_from(
            "{\"text\": \"a\", \"label\": \"x\\u001b[2J\"}\n".as_bytes(),
            "d.jsonl",
            &opts(),
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "d.jsonl:1: label \"x\\u{1b}[2J\" holds a control character, expected a printable name"
        );
        let e = read_delimited("text,label\na,\"x\ny\"\n".as_bytes(), "d.csv", b',', &opts())
            .unwrap_err();
        assert!(e.to_string().starts_with("d.csv:2: label \"x\\ny\" holds a control"), "{e}");
        let e = read_fasttext("__label__ text\n".as_bytes(), "d.ft", &opts()).unwrap_err();
        assert_eq!(e.to_string(), "d.ft:1: `__label__` without a name, expected `__label__NAME`");
    }

    #[test]
    fn csv_rows_must_match_the_header() {
        let read = |data: &str, delim: u8| {
            read_delimited(data.as_bytes(), "d.csv", delim, &opts()).unwrap_err().to_string()
        };
        assert_eq!(
            read("text,label,text\na,x,b\n", b','),
            "d.csv:1: the header names \"text\" twice (columns 1 and 3), expected it once"
        );
        // An unquoted comma would have cut the text and shifted the label.
        assert_eq!(
            read("text,label\nok,x\nsteel, tariffs,trade\n", b','),
            "d.csv:3: expected 2 columns as in the header, found 3 (is there a comma in an \
             unquoted field?)"
        );
        assert_eq!(
            read("text\tlabel\nok\tx\nno label\n", b'\t'),
            "d.csv:3: expected 2 columns as in the header, found 1"
        );
        let unclosed = "text,label\nok,x\n\"steel,trade\nmore,x\nlast,y\n";
        assert_eq!(
            read(unclosed, b','),
            "d.csv:3: expected 2 columns as in the header, found 1 (a quote opened on line 3 is \
             never closed, so the row runs to the end of the file)"
        );
        // A quote closed too late: the row spans lines, but the file goes on.
        assert_eq!(
            read("text,label\n\"steel\nmore,x\nlast\",y,z\nok,x\n", b','),
            "d.csv:2: expected 2 columns as in the header, found 3 (the row runs to line 4: is \
             a quote opened on line 2 never closed?)"
        );
        // A quoted field may hold newlines and delimiters.
        let fine = "text,label\n\"two\nlines, one text\",x\nnext,y\n";
        let l = read_delimited(fine.as_bytes(), "d.csv", b',', &opts()).unwrap();
        assert_eq!(l.examples[0].text, "two\nlines, one text");
        assert_eq!(l.examples[1].labels, ["y"]);
        // Lenient mode skips the bad row and keeps the rest.
        let lenient = ReadOptions { skip_bad_rows: true, ..opts() };
        let data = "text,label\nok,x\nsteel, tariffs,trade\nfine,y\n";
        let l = read_delimited(data.as_bytes(), "d.csv", b',', &lenient).unwrap();
        assert_eq!(l.examples.len(), 2);
        assert_eq!(l.skipped.len(), 1);
    }

    /// Hands out one byte per read, so the quote watch sees every split.
    struct ByteAtATime<'a>(&'a [u8]);

    impl Read for ByteAtATime<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            match (self.0.split_first(), buf.first_mut()) {
                (Some((&b, rest)), Some(out)) => {
                    *out = b;
                    self.0 = rest;
                    Ok(1)
                }
                _ => Ok(0),
            }
        }
    }

    #[test]
    fn a_quote_left_open_on_the_last_row_is_named() {
        let read = |data: &str| {
            read_delimited(data.as_bytes(), "d.csv", b',', &opts()).unwrap_err().to_string()
        };
        let count = "d.csv:3: expected 2 columns as in the header, found 1 (a quote opened on \
                     line 3 is never closed, so the row runs to the end of the file)";
        // The last row alone, with and without a final newline, and read a
        // byte at a time.
        assert_eq!(read("text,label\nok,x\n\"steel,trade\n"), count);
        assert_eq!(read("text,label\nok,x\n\"steel,trade"), count);
        let e = read_delimited(
            ByteAtATime(b"text,label\nok,x\n\"steel,trade\n"),
            "d.csv",
            b',',
            &opts(),
        );
        assert_eq!(e.unwrap_err().to_string(), count);
        // The column count looks right, and the rows after it would be lost
        // in its text: the csv reader alone accepts this.
        let swallow = "label,text\nx,ok\ny,\"steel\nz,more\n";
        assert_eq!(
            read(swallow),
            "d.csv:3: a quote opened on line 3 is never closed, so this row runs to the end of \
             the file, expected a closing quote"
        );
        let lenient = ReadOptions { skip_bad_rows: true, ..opts() };
        let l = read_delimited(swallow.as_bytes(), "d.csv", b',', &lenient).unwrap();
        assert_eq!(l.examples, [Example { text: "ok".into(), labels: vec!["x".into()] }]);
        assert_eq!(l.skipped.len(), 1);
        // The row starts on line 2; its second field opens on line 3.
        assert_eq!(
            read("text,label\n\"two\nlines\",\"x\n"),
            "d.csv:2: a quote opened on line 3 is never closed, so this row runs to the end of \
             the file, expected a closing quote"
        );
        // Closed quotes in every form the csv reader knows are not flagged:
        // doubled quotes, a quote inside an unquoted field, text after a
        // closing quote, CRLF endings, a byte-order mark before a quoted
        // header, tabs.
        for (data, delim) in [
            ("text,label\n\"a \"\"b\"\", c\",x\n", b','),
            ("text,label\n5\" pipe,x\n", b','),
            ("text,label\n\"a\"b,x\n", b','),
            ("text,label\r\n\"a\r\nb\",x\r\n", b','),
            ("\u{feff}\"text\",label\n\"a\",x\n", b','),
            ("text\tlabel\n\"a\tb\"\tx\n", b'\t'),
            ("text,label\n\"\"\"\",x\n", b','),
        ] {
            let l = read_delimited(data.as_bytes(), "d.csv", delim, &opts());
            assert!(l.is_ok(), "{data:?}: {:?}", l.err());
            let l = read_delimited(ByteAtATime(data.as_bytes()), "d.csv", delim, &opts());
            assert!(l.is_ok(), "{data:?} a byte at a time: {:?}", l.err());
        }
    }

    proptest::proptest! {
        /// Whatever the fields hold, rows written by a CSV writer read back
        /// as written, and a row then left with an open quote is named at
        /// its line.
        #[test]
        fn written_rows_read_back_and_an_open_quote_is_found(
            rows in proptest::collection::vec(("[ab ,\"\n\r\t]{1,8}", "[a-z]{1,3}"), 1..12),
            tab in proptest::bool::ANY,
        ) {
            let delim = if tab { b'\t' } else { b',' };
            let mut w = csv::WriterBuilder::new().delimiter(delim).from_writer(Vec::new());
            w.write_record(["text", "label"]).unwrap();
            for (text, label) in &rows {
                w.write_record([text, label]).unwrap();
            }
            let mut data = w.into_inner().unwrap();
            let l = read_delimited(&data[..], "d.csv", delim, &opts()).unwrap();
            let back: Vec<(String, String)> =
                l.examples.into_iter().map(|e| (e.text, e.labels.join("|"))).collect();
            proptest::prop_assert_eq!(&back, &rows);

            let line = 1 + data.iter().filter(|&&b| b == b'\n').count();
            data.extend_from_slice(b"\"never closed");
            data.push(delim);
            data.extend_from_slice(b"x\nmore");
            data.push(delim);
            data.extend_from_slice(b"y\n");
            let e = read_delimited(&data[..], "d.csv", delim, &opts()).unwrap_err().to_string();
            let want = format!(
                "d.csv:{line}: expected 2 columns as in the header, found 1 (a quote opened on \
                 line {line} is never closed"
            );
            proptest::prop_assert!(e.starts_with(&want), "{}", e);
        }
    }

    #[test]
    fn csv_tsv_fasttext() {
        let csv = "id,text,label\n1,\"Steel, tariffs\",trade\n2,hack,breach|espionage\n";
        let l = read_delimited(csv.as_bytes(), "d.csv", b',', &opts()).unwrap();
        assert_eq!(l.examples[0].text, "Steel, tariffs");
        assert_eq!(l.examples[1].labels, ["breach", "espionage"]);
        let e = read_delimited("id,body\n1,x\n".as_bytes(), "d.csv", b',', &opts()).unwrap_err();
        assert!(e.to_string().starts_with("d.csv:1: the header must name"), "{e}");
        let tsv = "text\tlabel\nsome text\tx\n";
        assert_eq!(
            read_delimited(tsv.as_bytes(), "d.tsv", b'\t', &opts()).unwrap().examples.len(),
            1
        );
        let ft =
            "__label__trade __label__other Steel tariffs rose\n\n__label__breach data stolen\n";
        let l = read_fasttext(ft.as_bytes(), "d.ft", &opts()).unwrap();
        assert_eq!(l.examples[0].labels, ["trade", "other"]);
        assert_eq!(l.examples[0].text, "Steel tariffs rose");
        let e = read_fasttext("no label here\n".as_bytes(), "d.ft", &opts()).unwrap_err();
        assert_eq!(e.to_string(), "d.ft:1: expected `__label__NAME` before the text");
    }

    #[test]
    fn a_byte_order_mark_at_the_start_of_a_file_is_skipped() {
        let bom = "\u{FEFF}";
        let jsonl = format!("{bom}{{\"text\": \"a\", \"label\": \"x\"}}\n");
        let l = read_jsonl_from(jsonl.as_bytes(), "d.jsonl", &opts()).unwrap();
        assert_eq!(l.examples, [Example { text: "a".into(), labels: vec!["x".into()] }]);
        // Only at the start of the file: elsewhere it is still an error.
        let later = format!("{{\"text\": \"a\", \"label\": \"x\"}}\n{jsonl}");
        let e = read_jsonl_from(later.as_bytes(), "d.jsonl", &opts()).unwrap_err();
        assert!(e.to_string().starts_with("d.jsonl:2: invalid JSON"), "{e}");
        let ft = format!("{bom}__label__x steel\n");
        let l = read_fasttext(ft.as_bytes(), "d.ft", &opts()).unwrap();
        assert_eq!(l.examples, [Example { text: "steel".into(), labels: vec!["x".into()] }]);
        let csv = format!("{bom}text,label\nsteel,x\n");
        let l = read_delimited(csv.as_bytes(), "d.csv", b',', &opts()).unwrap();
        assert_eq!(l.examples, [Example { text: "steel".into(), labels: vec!["x".into()] }]);
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("x")).unwrap();
        std::fs::write(dir.path().join("x").join("a.txt"), format!("{bom}steel")).unwrap();
        assert_eq!(read_dir(dir.path(), &opts()).unwrap().examples[0].text, "steel");
    }

    #[test]
    fn folder_per_label() {
        let dir = tempfile::tempdir().unwrap();
        for (label, file, text) in [
            ("trade", "a.txt", "tariffs"),
            ("trade", "b.txt", "quotas"),
            ("breach", "c.txt", "leak"),
        ] {
            std::fs::create_dir_all(dir.path().join(label)).unwrap();
            std::fs::write(dir.path().join(label).join(file), text).unwrap();
        }
        let l = read_dir(dir.path(), &opts()).unwrap();
        assert_eq!(l.examples.len(), 3);
        assert_eq!(l.examples[0], Example { text: "leak".into(), labels: vec!["breach".into()] });
        assert!(l.ignored.is_empty());
        assert_eq!(Format::guess(dir.path()), Format::Dir);
        // What is not read is listed (hidden entries are not).
        std::fs::write(dir.path().join("trade").join("notes.md"), "quotas").unwrap();
        std::fs::create_dir_all(dir.path().join("trade").join("more")).unwrap();
        std::fs::write(dir.path().join("README.txt"), "about").unwrap();
        std::fs::write(dir.path().join("trade").join(".DS_Store"), "x").unwrap();
        std::fs::create_dir_all(dir.path().join("sport")).unwrap();
        let l = read_dir(dir.path(), &opts()).unwrap();
        assert_eq!(l.examples.len(), 3);
        let names: Vec<_> =
            l.ignored.iter().map(|p| p.strip_prefix(dir.path()).unwrap().to_owned()).collect();
        let want: Vec<std::path::PathBuf> = ["README.txt", "sport", "trade/more", "trade/notes.md"]
            .iter()
            .map(Into::into)
            .collect();
        assert_eq!(names, want);
        std::fs::remove_dir(dir.path().join("sport")).unwrap();
        for p in ["README.txt", "trade/notes.md"] {
            std::fs::remove_file(dir.path().join(p)).unwrap();
        }
        std::fs::remove_dir(dir.path().join("trade").join("more")).unwrap();
        // A file that is not UTF-8 is named, with no line number.
        let bad = dir.path().join("breach").join("d.txt");
        std::fs::write(&bad, b"leak \xff").unwrap();
        let e = read_dir(dir.path(), &opts()).unwrap_err().to_string();
        assert_eq!(e, format!("{}: invalid UTF-8 at byte 5, expected UTF-8 text", bad.display()));
        // Lenient: skipped and reported, the other files read.
        let lenient = ReadOptions { skip_bad_rows: true, ..opts() };
        let l = read_dir(dir.path(), &lenient).unwrap();
        assert_eq!(l.examples.len(), 3);
        assert_eq!(
            l.skipped,
            [format!("{}: invalid UTF-8 at byte 5, expected UTF-8 text", bad.display())]
        );
        std::fs::remove_file(&bad).unwrap();
        // A folder name that is not UTF-8 is refused, not read as label "".
        #[cfg(target_os = "linux")]
        {
            use std::os::unix::ffi::OsStrExt;
            let odd = dir.path().join(std::ffi::OsStr::from_bytes(b"caf\xe9"));
            std::fs::create_dir_all(&odd).unwrap();
            std::fs::write(odd.join("e.txt"), "quotas").unwrap();
            let e = read_dir(dir.path(), &opts()).unwrap_err().to_string();
            assert!(e.ends_with(": the folder's name (the label) is not valid UTF-8"), "{e}");
        }
    }
}
