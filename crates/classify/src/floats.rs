//! Where a linear model's weights live: an owned vector, or the very memory
//! a model file was read into.
//!
//! A 20 Newsgroups model file is 35 MB, 25 MB of it weights. Read into
//! freshly allocated memory, every 4 KiB page of it is a page fault on
//! first touch (about 8,600 of them, half the cost of loading the model in
//! a new process). [`read_file`] reads a large file into an anonymous
//! mapping instead, advised on Linux to use transparent huge pages (one
//! fault per 2 MiB), and the weights stay there as `f32`s
//! ([`FileBuf::into_floats`]). The default 20 Newsgroups model (35 MB),
//! loaded and indexed in fresh processes (`xtask load-child`, 15 alternating
//! processes each, 2026-11-27): median 47.9 -> 39.5 ms on one thread, 46.1
//! -> 39.2 ms on two; 17,300 -> 9,100 page faults. Huge pages have a cost
//! on this virtual machine: about one load in 20-40 took 75-130 ms (the
//! kernel counted no compaction; probably the host backing fresh memory),
//! where 4 KiB pages stayed under 55 ms.
//!
//! Only safe code: `memmap2`'s anonymous mappings are private memory, not a
//! view of the file (a mapped file could change under the model).

use std::io::Read;

/// Files at least this large are read into a mapping; smaller ones into an
/// ordinary vector (a mapping costs two system calls and gains nothing
/// below the 2 MiB of a huge page).
pub(crate) const MAP_AT: usize = 4 << 20;

/// A model's weights.
pub(crate) enum Floats {
    /// Computed or decoded into a vector of their own.
    Owned(Vec<f32>),
    /// `len` values from byte `start` (a multiple of 4) of the buffer a
    /// model file was read into; the rest of the file's bytes are kept with
    /// them, unused.
    InFile { map: memmap2::MmapMut, start: usize, len: usize },
}

impl Floats {
    /// The values.
    #[inline]
    pub(crate) fn as_slice(&self) -> &[f32] {
        match self {
            Floats::Owned(v) => v,
            Floats::InFile { map, start, len } => {
                // `start` is a multiple of 4 and the mapping is page-aligned
                // (checked where it is built), so this cannot fail.
                bytemuck::cast_slice(&map[*start..*start + *len * 4])
            }
        }
    }
}

impl std::ops::Deref for Floats {
    type Target = [f32];
    #[inline]
    fn deref(&self) -> &[f32] {
        self.as_slice()
    }
}

impl From<Vec<f32>> for Floats {
    fn from(v: Vec<f32>) -> Self {
        Floats::Owned(v)
    }
}

impl Clone for Floats {
    fn clone(&self) -> Self {
        Floats::Owned(self.as_slice().to_vec())
    }
}

impl PartialEq for Floats {
    fn eq(&self, other: &Self) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl std::fmt::Debug for Floats {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.as_slice().fmt(f)
    }
}

/// A whole file in memory.
pub(crate) enum FileBuf {
    /// `f32`-aligned, so that the weights can become `f32`s where they lie.
    Vec(Vec<f32>, usize),
    /// The file's bytes from byte `shift` (0-3) of a page-aligned mapping.
    Map { map: memmap2::MmapMut, shift: usize, len: usize },
}

impl FileBuf {
    /// The file's bytes.
    pub(crate) fn bytes(&self) -> &[u8] {
        match self {
            FileBuf::Vec(v, len) => &bytemuck::cast_slice::<f32, u8>(v)[..*len],
            FileBuf::Map { map, shift, len } => &map[*shift..*shift + *len],
        }
    }

    /// The `n_bytes / 4` little-endian `f32`s at byte `offset` of the file,
    /// made `f32`s where they lie: moved down to the nearest multiple of 4
    /// if they do not start on one (to the start of the vector of a small
    /// file), never copied into new memory. A 20 Newsgroups model's 25 MB
    /// of weights were copied into a fresh vector once, whose page faults
    /// cost more than the copy.
    pub(crate) fn into_floats(self, offset: usize, n_bytes: usize) -> Floats {
        let n = n_bytes / 4;
        match self {
            FileBuf::Vec(mut v, _) => {
                bytemuck::cast_slice_mut::<f32, u8>(&mut v).copy_within(offset..offset + n * 4, 0);
                v.truncate(n);
                from_le(&mut v);
                // The allocator keeps the block (less than halving it moves
                // nothing).
                v.shrink_to_fit();
                Floats::Owned(v)
            }
            FileBuf::Map { mut map, shift, .. } => {
                let at = shift + offset;
                let start = at & !3;
                if start != at {
                    map.copy_within(at..at + n * 4, start);
                }
                from_le(bytemuck::cast_slice_mut(&mut map[start..start + n * 4]));
                Floats::InFile { map, start, len: n }
            }
        }
    }
}

/// Little-endian `f32` bits to native ones (nothing to do on little-endian
/// machines).
fn from_le(v: &mut [f32]) {
    if cfg!(target_endian = "big") {
        for w in v {
            *w = f32::from_bits(u32::from_le(w.to_bits()));
        }
    }
}

/// Reads the `len` bytes of `file` (a regular file of that length) into a
/// [`FileBuf`]: a mapping advised to use huge pages from `map_at` bytes on
/// ([`MAP_AT`] but in tests), an ordinary vector below that or where no
/// mapping can be made. In a mapping, the file starts 0-3 bytes in, so that
/// byte `weights_at` of the file (a hint) lies on a multiple of 4 and the
/// weights need not be moved ([`FileBuf::into_floats`]).
pub(crate) fn read_file(
    file: &mut std::fs::File,
    len: usize,
    map_at: usize,
    weights_at: Option<usize>,
) -> std::io::Result<FileBuf> {
    if len >= map_at.max(1) {
        let shift = weights_at.map_or(0, |o| (4 - o % 4) % 4);
        if let Ok(mut map) = memmap2::MmapOptions::new().len(len + shift).map_anon() {
            // Page-aligned, as every mapping; `as_slice` relies on it.
            if map.as_ptr().align_offset(std::mem::align_of::<f32>()) == 0 {
                #[cfg(target_os = "linux")]
                {
                    // Advice only: without huge pages the read still works.
                    let _ = map.advise(memmap2::Advice::HugePage);
                }
                file.read_exact(&mut map[shift..])?;
                return Ok(FileBuf::Map { map, shift, len });
            }
        }
    }
    let mut v = vec![0f32; len.div_ceil(4)];
    file.read_exact(&mut bytemuck::cast_slice_mut::<f32, u8>(&mut v)[..len])?;
    Ok(FileBuf::Vec(v, len))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// A file of `pad` filler bytes, then `values` as little-endian `f32`s,
    /// then a tail; read back, the values come out where they lay.
    fn roundtrip(pad: usize, values: &[f32], size: usize, hint: Option<usize>) -> Floats {
        let mut bytes = vec![0xA5u8; pad];
        for v in values {
            bytes.extend_from_slice(&v.to_le_bytes());
        }
        bytes.resize(size.max(bytes.len() + 3), 0x5A);
        let mut f = tempfile::tempfile().unwrap();
        f.write_all(&bytes).unwrap();
        let mut f2 = f.try_clone().unwrap();
        std::io::Seek::rewind(&mut f2).unwrap();
        let buf = read_file(&mut f2, bytes.len(), MAP_AT, hint).unwrap();
        assert_eq!(buf.bytes(), &bytes[..]);
        if let (FileBuf::Map { shift, .. }, Some(h)) = (&buf, hint) {
            assert_eq!((shift + h) % 4, 0, "the hint is placed on a multiple of 4");
        }
        buf.into_floats(pad, values.len() * 4)
    }

    #[test]
    fn weights_read_in_place_at_any_offset_from_small_and_large_files() {
        let values: Vec<f32> = (0..3000).map(|i| i as f32 * 0.5 - 7.25).collect();
        for pad in 0..9 {
            let small = roundtrip(pad, &values, 0, None);
            assert!(matches!(small, Floats::Owned(_)));
            assert_eq!(small.as_slice(), &values[..], "pad {pad}");
            // No hint, the right one, a wrong one (the weights are moved).
            for hint in [None, Some(pad), Some(pad + 1)] {
                let large = roundtrip(pad, &values, MAP_AT + 1, hint);
                assert!(matches!(large, Floats::InFile { .. }), "a large file is mapped");
                assert_eq!(large.as_slice(), &values[..], "pad {pad}");
                assert_eq!(large, small);
                assert_eq!(large.clone().as_slice(), &values[..]);
            }
        }
    }
}
