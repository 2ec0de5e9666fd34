//! The training-data readers (JSON Lines, CSV, TSV, fastText) on arbitrary
//! bytes, strict and lenient: examples or an error naming the line, never a
//! panic. The first byte picks the field names (default, or custom ones
//! the data may lack) and single-label mode; a lenient read that succeeds
//! returns at least as many examples as a strict one, and single-label
//! examples carry exactly one label. CSV and TSV read the same through
//! reads of a few bytes at a time (the quote watch and the byte-order mark
//! see every split).
#![no_main]

use libfuzzer_sys::fuzz_target;
use sift_classify::{read_delimited, read_fasttext, read_jsonl_from, Loaded, ReadOptions};
use std::io::Read;

/// Hands out at most `step` bytes per read.
struct Chunked<'a> {
    rest: &'a [u8],
    step: usize,
}

impl Read for Chunked<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.step.min(buf.len()).min(self.rest.len());
        buf[..n].copy_from_slice(&self.rest[..n]);
        self.rest = &self.rest[n..];
        Ok(n)
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&flags, body)) = data.split_first() else { return };
    let mut opts = ReadOptions::default();
    if flags & 1 == 1 {
        opts.text_field = "body".into();
        opts.label_field = "topics".into();
    }
    opts.single_label = flags & 2 == 2;
    let read = |opts: &ReadOptions| -> [Option<Loaded>; 4] {
        [
            read_jsonl_from(body, "f.jsonl", opts).ok(),
            read_delimited(body, "f.csv", b',', opts).ok(),
            read_delimited(body, "f.tsv", b'\t', opts).ok(),
            read_fasttext(body, "f.ft", opts).ok(),
        ]
    };
    let strict = read(&opts);
    let step = usize::from(flags >> 2) % 7 + 1;
    for (delim, name) in [(b',', "f.csv"), (b'\t', "f.tsv")] {
        let whole = read_delimited(body, name, delim, &opts).map_err(|e| e.to_string());
        let chunked = read_delimited(Chunked { rest: body, step }, name, delim, &opts)
            .map_err(|e| e.to_string());
        assert_eq!(whole, chunked, "reads of {step} bytes");
    }
    opts.skip_bad_rows = true;
    let lenient = read(&opts);
    for (s, l) in strict.iter().zip(&lenient) {
        if let (Some(s), Some(l)) = (s, l) {
            assert!(l.examples.len() >= s.examples.len());
            assert!(s.skipped.is_empty());
        }
        if opts.single_label {
            for e in s.iter().chain(l).flat_map(|r| &r.examples) {
                assert_eq!(e.labels.len(), 1);
            }
        }
    }
});
