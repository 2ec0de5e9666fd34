//! Reading the shared corpora (gzip JSON Lines) from `../shared/data`.

use anyhow::{Context, Result};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

/// `$SIFT_DATA`, or `../shared/data` beside the workspace.
pub fn data_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("SIFT_DATA") {
        return PathBuf::from(d);
    }
    workspace_root().join("../shared/data")
}

/// The workspace root (parent of `xtask/`).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(Path::to_path_buf).unwrap_or_default()
}

/// All records of a gzip JSON Lines file under [`data_dir`].
pub fn read_jsonl(rel: &str) -> Result<Vec<serde_json::Value>> {
    let path = data_dir().join(rel);
    let file =
        std::fs::File::open(&path).with_context(|| format!("cannot open {}", path.display()))?;
    let mut out = Vec::new();
    for (i, line) in BufReader::new(flate2::read::GzDecoder::new(file)).lines().enumerate() {
        let line = line.with_context(|| format!("{}:{}: cannot read", path.display(), i + 1))?;
        if line.trim().is_empty() {
            continue;
        }
        let v = serde_json::from_str(&line)
            .with_context(|| format!("{}:{}: invalid JSON", path.display(), i + 1))?;
        out.push(v);
    }
    Ok(out)
}

/// The string field `key` of a record ("" when absent).
pub fn str_field<'a>(v: &'a serde_json::Value, key: &str) -> &'a str {
    v.get(key).and_then(|x| x.as_str()).unwrap_or("")
}
