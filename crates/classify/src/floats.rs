//! Where a linear model's weights live: an owned vector, or the mapped model
//! file they were saved in.
//!
//! A 20 Newsgroups model file is 35 MB, 25 MB of it weights. Read into
//! freshly allocated memory, every 4 KiB page of it is a page fault on
//! first touch (about 8,600 of them, half the cost of loading the model in
//! a new process), and copying the weights out of it would fault in 25 MB
//! more. So the weights stay where the file's bytes are, as `f32`s
//! ([`FileBuf::into_floats`]): in the `f32`-aligned vector the file is read
//! into ([`read_file`]), or in a mapping of the file itself ([`map_file`],
//! for [`Model::load_mapped`]: no copy and no fresh memory at all, the
//! system's file cache is mapped). Fresh processes loading and indexing the
//! default 20 Newsgroups model (`xtask load-child`, 15 each, 2026-11-27):
//! read 44-48 ms, mapped 30-32 ms (median, one or two threads).
//!
//! Tried and dropped (measured on that model):
//! - Reading into an anonymous mapping instead of a vector: 3 ms faster in
//!   a fresh process, but every load of a warm process faulted in fresh
//!   pages again where the allocator reuses freed ones (criterion
//!   `load/default-model-file+index`: 23 -> 36 ms).
//! - Advising that mapping to use transparent huge pages: the median fresh
//!   load fell to 39.5 ms, but on this virtual machine a load then took
//!   110-130 ms about as often as not right after another process had
//!   freed gigabytes (fresh 2 MiB pages the host had to back again).
//!
//! [`Model::load_mapped`]: crate::Model::load_mapped

use crate::linear::floats_le;
use std::io::Read;

/// Files at least this large are mapped by [`Model::load_mapped`]; smaller
/// ones are read (a mapping costs system calls, and they load in a few
/// milliseconds anyway).
///
/// [`Model::load_mapped`]: crate::Model::load_mapped
pub(crate) const MAP_AT: usize = 4 << 20;

/// A model's weights.
pub(crate) enum Floats {
    /// Computed, decoded or read into a vector of their own.
    Owned(Vec<f32>),
    /// `len` values from byte `start` (a multiple of 4) of a mapped model
    /// file; the rest of the file's bytes are kept with them, unused.
    InFile { map: memmap2::Mmap, start: usize, len: usize },
}

impl Floats {
    /// The values.
    #[inline]
    pub(crate) fn as_slice(&self) -> &[f32] {
        match self {
            Floats::Owned(v) => v,
            Floats::InFile { map, start, len } => {
                // `start` is a multiple of 4 and the mapping page-aligned
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

/// A whole model file in memory.
pub(crate) enum FileBuf {
    /// Read into an `f32`-aligned vector (`.1` bytes of it).
    Vec(Vec<f32>, usize),
    /// Mapped (page-aligned).
    Mapped(memmap2::Mmap),
}

impl FileBuf {
    /// The file's bytes.
    pub(crate) fn bytes(&self) -> &[u8] {
        match self {
            FileBuf::Vec(v, len) => &bytemuck::cast_slice::<f32, u8>(v)[..*len],
            FileBuf::Mapped(m) => m,
        }
    }

    /// The `n_bytes / 4` little-endian `f32`s at byte `offset` of the file,
    /// made `f32`s where they lie: in a read file, moved to the start of its
    /// vector (model format 4 puts them on a multiple of 4, older formats
    /// anywhere), never copied into new memory; in a mapped file, left in
    /// place when they start on a multiple of 4 (format 4), else copied into
    /// a vector. A 20 Newsgroups model's 25 MB of weights were copied into a
    /// fresh vector once, whose page faults cost more than the copy.
    pub(crate) fn into_floats(self, offset: usize, n_bytes: usize) -> Floats {
        let n = n_bytes / 4;
        match self {
            FileBuf::Vec(mut v, _) => {
                bytemuck::cast_slice_mut::<f32, u8>(&mut v).copy_within(offset..offset + n * 4, 0);
                v.truncate(n);
                if cfg!(target_endian = "big") {
                    for w in &mut v {
                        *w = f32::from_bits(u32::from_le(w.to_bits()));
                    }
                }
                // The allocator keeps the block (less than halving it moves
                // nothing).
                v.shrink_to_fit();
                Floats::Owned(v)
            }
            FileBuf::Mapped(map) => {
                if offset % 4 != 0 || cfg!(target_endian = "big") {
                    return Floats::Owned(floats_le(&map[offset..offset + n * 4]));
                }
                Floats::InFile { map, start: offset, len: n }
            }
        }
    }
}

/// Reads the `len` bytes of `file` (a regular file of that length) into an
/// `f32`-aligned vector.
pub(crate) fn read_file(file: &mut std::fs::File, len: usize) -> std::io::Result<FileBuf> {
    let mut v = vec![0f32; len.div_ceil(4)];
    file.read_exact(&mut bytemuck::cast_slice_mut::<f32, u8>(&mut v)[..len])?;
    Ok(FileBuf::Vec(v, len))
}

/// `file` (of `len` bytes) mapped, or `None` where it cannot be (then the
/// caller reads it).
///
/// # Safety
/// The file must not be changed, truncated or written in place while the
/// returned buffer, or weights made from it, are alive: the mapping shows
/// the file's current bytes, and a truncated file's missing pages are a
/// bus error (SIGBUS) when read. Replacing it by renaming another file over
/// it, as `sift train --out` and every sift writer do, is safe.
#[allow(unsafe_code)]
pub(crate) unsafe fn map_file(file: &std::fs::File, len: usize) -> Option<FileBuf> {
    // SAFETY: the caller's promise above.
    let map = unsafe { memmap2::MmapOptions::new().len(len).map(file) }.ok()?;
    (map.as_ptr().align_offset(std::mem::align_of::<f32>()) == 0).then_some(FileBuf::Mapped(map))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// A file of `pad` filler bytes, then `values` as little-endian `f32`s,
    /// then a tail, of at least `size` bytes; read (or mapped) back, the
    /// values come out.
    #[allow(unsafe_code)]
    fn roundtrip(pad: usize, values: &[f32], size: usize, mapped: bool) -> Floats {
        let mut bytes = vec![0xA5u8; pad];
        for v in values {
            bytes.extend_from_slice(&v.to_le_bytes());
        }
        bytes.resize(size.max(bytes.len() + 3), 0x5A);
        let mut f = tempfile::tempfile().unwrap();
        f.write_all(&bytes).unwrap();
        std::io::Seek::rewind(&mut f).unwrap();
        let buf = if mapped {
            // SAFETY: the temporary file is this test's alone.
            unsafe { map_file(&f, bytes.len()) }.unwrap()
        } else {
            read_file(&mut f, bytes.len()).unwrap()
        };
        assert_eq!(buf.bytes(), &bytes[..]);
        buf.into_floats(pad, values.len() * 4)
    }

    #[test]
    fn weights_come_out_at_any_offset_from_read_and_mapped_files() {
        let values: Vec<f32> = (0..3000).map(|i| i as f32 * 0.5 - 7.25).collect();
        for pad in 0..9 {
            let small = roundtrip(pad, &values, 0, false);
            assert!(matches!(small, Floats::Owned(_)));
            assert_eq!(small.as_slice(), &values[..], "pad {pad}");
            // A mapped file's weights stay in it when they start on a
            // multiple of 4, else they are copied out.
            let mapped = roundtrip(pad, &values, 0, true);
            let in_file = matches!(mapped, Floats::InFile { .. });
            assert_eq!(in_file, pad % 4 == 0, "pad {pad}");
            assert_eq!(mapped, small);
            assert_eq!(mapped.clone().as_slice(), &values[..]);
        }
    }
}
