//! A small container for sift's binary files: magic number, format version,
//! payload length and CRC-32, then the payload. Written atomically (a
//! temporary file in the same folder, then a rename), so a crash never
//! leaves a half-written file where a good one was.
//!
//! Layout (little-endian): `magic[8] | version u32 | length u64 | crc32 u32 |
//! payload[length]`.

use std::io::Write;
use std::path::Path;

/// Bytes before the payload.
pub const HEADER_LEN: usize = 8 + 4 + 8 + 4;

/// What is wrong with a container.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ContainerError {
    /// Not this kind of file.
    #[error("not a {kind} file (wrong magic number)")]
    Magic {
        /// What was expected ("sift model", ...).
        kind: &'static str,
    },
    /// Shorter than its header says.
    #[error("truncated: expected {expected} bytes, found {found}")]
    Truncated {
        /// Bytes the header announces.
        expected: u64,
        /// Bytes present.
        found: u64,
    },
    /// Longer than its header says.
    #[error("{0} unexpected bytes after the payload")]
    Trailing(u64),
    /// The payload does not match its checksum.
    #[error("checksum mismatch: the file is corrupt")]
    Checksum,
    /// Written by a newer sift.
    #[error("format version {found} is newer than this sift supports ({supported}); upgrade sift")]
    NewerVersion {
        /// Version in the file.
        found: u32,
        /// Newest version this build reads.
        supported: u32,
    },
}

/// Wraps `payload` in a container.
pub fn encode(magic: &[u8; 8], version: u32, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER_LEN + payload.len());
    out.extend_from_slice(magic);
    out.extend_from_slice(&version.to_le_bytes());
    out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    out.extend_from_slice(&crc32fast::hash(payload).to_le_bytes());
    out.extend_from_slice(payload);
    out
}

/// Checks a container and returns `(version, payload)`. Nothing is allocated:
/// the payload borrows `bytes`.
pub fn decode<'b>(
    bytes: &'b [u8],
    magic: &[u8; 8],
    kind: &'static str,
    supported: u32,
) -> Result<(u32, &'b [u8]), ContainerError> {
    if bytes.len() < 8 || &bytes[..8] != magic {
        return Err(ContainerError::Magic { kind });
    }
    if bytes.len() < HEADER_LEN {
        return Err(ContainerError::Truncated {
            expected: HEADER_LEN as u64,
            found: bytes.len() as u64,
        });
    }
    let u32_at =
        |i: usize| u32::from_le_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]);
    let version = u32_at(8);
    let mut len = [0u8; 8];
    len.copy_from_slice(&bytes[12..20]);
    let len = u64::from_le_bytes(len);
    let crc = u32_at(20);
    if version > supported {
        return Err(ContainerError::NewerVersion { found: version, supported });
    }
    let have = (bytes.len() - HEADER_LEN) as u64;
    if have < len {
        return Err(ContainerError::Truncated {
            expected: (HEADER_LEN as u64).saturating_add(len),
            found: bytes.len() as u64,
        });
    }
    if have > len {
        return Err(ContainerError::Trailing(have - len));
    }
    let payload = &bytes[HEADER_LEN..];
    if checksum(payload) != crc {
        return Err(ContainerError::Checksum);
    }
    Ok((version, payload))
}

/// CRC-32 of `bytes`; from 4 MiB on, in one piece per thread, combined in
/// order (the same value whatever the number of threads). A 35 MB model
/// takes about 2.5 ms on one core.
fn checksum(bytes: &[u8]) -> u32 {
    use rayon::prelude::*;
    let threads = rayon::current_num_threads();
    if bytes.len() < 4 << 20 || threads == 1 {
        return crc32fast::hash(bytes);
    }
    let piece = bytes.len().div_ceil(threads);
    let parts: Vec<crc32fast::Hasher> = bytes
        .par_chunks(piece)
        .map(|c| {
            let mut h = crc32fast::Hasher::new();
            h.update(c);
            h
        })
        .collect();
    let mut whole = crc32fast::Hasher::new();
    for p in &parts {
        whole.combine(p);
    }
    whole.finalize()
}

/// Writes `bytes` to `path` atomically: a temporary file beside it, flushed
/// and synced, then renamed over `path`.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut tmp = temp_beside(path)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// A temporary file beside `path`, to be renamed over it once written. It
/// gets the permissions `path` already has, or for a new file the ones any
/// new file gets (0666 less the umask on Unix): a plain temporary file is
/// readable by its owner only, and renaming it would have changed who can
/// read the user's file. A `path` that is a folder is refused here, before
/// any work is written beside it.
pub fn temp_beside(path: &Path) -> std::io::Result<tempfile::NamedTempFile> {
    if path.is_dir() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::IsADirectory,
            "is a directory, expected a file path",
        ));
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".sift-").suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    // tempfile's own message names the random temporary path, which means
    // nothing to the user: say which folder is missing or refused instead.
    let tmp = builder.tempfile_in(dir).map_err(|e| {
        let why = if dir.is_dir() {
            format!("cannot create a file in {}: {}", dir.display(), std::io::Error::from(e.kind()))
        } else {
            format!("folder {} does not exist", dir.display())
        };
        std::io::Error::new(e.kind(), why)
    })?;
    if let Ok(meta) = std::fs::metadata(path) {
        if meta.is_file() {
            std::fs::set_permissions(tmp.path(), meta.permissions())?;
        }
    }
    Ok(tmp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checksum_in_pieces_is_the_whole_crc_for_any_thread_count() {
        // Past the 4 MiB threshold, with a length no thread count divides.
        let bytes: Vec<u8> = (0..(4 << 20) + 12_345u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        let whole = crc32fast::hash(&bytes);
        for threads in 1..=5 {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            assert_eq!(pool.install(|| checksum(&bytes)), whole, "{threads} threads");
        }
        assert_eq!(checksum(b"sift"), crc32fast::hash(b"sift"));
    }

    #[cfg(unix)]
    #[test]
    fn written_files_get_ordinary_or_existing_permissions() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        // A new file: the mode a plain create gets in the same place.
        let plain = dir.path().join("plain");
        std::fs::write(&plain, b"x").unwrap();
        let new = dir.path().join("new.bin");
        write_atomic(&new, b"payload").unwrap();
        assert_eq!(mode(&new), mode(&plain));
        assert_eq!(std::fs::read(&new).unwrap(), b"payload");
        // Errors name the folder, not the temporary file.
        let e = write_atomic(&dir.path().join("no/such/m.bin"), b"x").unwrap_err();
        assert_eq!(
            e.to_string(),
            format!("folder {} does not exist", dir.path().join("no/such").display())
        );
        let e = write_atomic(dir.path(), b"x").unwrap_err();
        assert_eq!(e.to_string(), "is a directory, expected a file path");
        // Replacing a file keeps its permissions.
        for m in [0o640, 0o604] {
            std::fs::set_permissions(&new, std::fs::Permissions::from_mode(m)).unwrap();
            write_atomic(&new, b"again").unwrap();
            assert_eq!(mode(&new), m);
        }
        assert_eq!(std::fs::read(&new).unwrap(), b"again");
    }

    #[test]
    fn round_trip_and_damage() {
        let magic = b"SIFTTEST";
        let bytes = encode(magic, 3, b"hello");
        assert_eq!(decode(&bytes, magic, "test", 3), Ok((3, &b"hello"[..])));
        assert_eq!(
            decode(&bytes, b"OTHERMAG", "other", 3),
            Err(ContainerError::Magic { kind: "other" })
        );
        assert!(matches!(
            decode(&bytes, magic, "test", 2),
            Err(ContainerError::NewerVersion { found: 3, supported: 2 })
        ));
        assert!(matches!(
            decode(&bytes[..bytes.len() - 1], magic, "test", 3),
            Err(ContainerError::Truncated { .. })
        ));
        assert!(matches!(
            decode(&bytes[..10], magic, "test", 3),
            Err(ContainerError::Truncated { .. })
        ));
        let mut longer = bytes.clone();
        longer.push(0);
        assert_eq!(decode(&longer, magic, "test", 3), Err(ContainerError::Trailing(1)));
        let mut flipped = bytes.clone();
        *flipped.last_mut().unwrap() ^= 1;
        assert_eq!(decode(&flipped, magic, "test", 3), Err(ContainerError::Checksum));
        // A huge announced length is refused without allocating.
        let mut huge = bytes.clone();
        huge[12..20].copy_from_slice(&u64::MAX.to_le_bytes());
        assert!(matches!(decode(&huge, magic, "test", 3), Err(ContainerError::Truncated { .. })));
    }

    #[test]
    fn atomic_write_replaces_whole_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.bin");
        write_atomic(&path, b"first version").unwrap();
        write_atomic(&path, b"second").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"second");
        let leftovers = std::fs::read_dir(dir.path()).unwrap().count();
        assert_eq!(leftovers, 1, "no temporary file is left behind");
    }
}
