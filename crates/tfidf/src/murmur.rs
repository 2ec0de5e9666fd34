//! MurmurHash3 (x86, 32-bit), as scikit-learn's `HashingVectorizer` uses it.
//! Hand-written: a dozen lines, and the exact variant (signed, seed 0, UTF-8
//! bytes) matters for equivalence.

/// MurmurHash3_x86_32 of `data` with `seed`.
pub fn murmur3_32(data: &[u8], seed: u32) -> u32 {
    const C1: u32 = 0xcc9e_2d51;
    const C2: u32 = 0x1b87_3593;
    let mut h = seed;
    let mut chunks = data.chunks_exact(4);
    for c in &mut chunks {
        let mut k = u32::from_le_bytes([c[0], c[1], c[2], c[3]]);
        k = k.wrapping_mul(C1).rotate_left(15).wrapping_mul(C2);
        h ^= k;
        h = h.rotate_left(13).wrapping_mul(5).wrapping_add(0xe654_6b64);
    }
    let tail = chunks.remainder();
    let mut k = 0u32;
    for (i, &b) in tail.iter().enumerate() {
        k |= (b as u32) << (8 * i);
    }
    if !tail.is_empty() {
        k = k.wrapping_mul(C1).rotate_left(15).wrapping_mul(C2);
        h ^= k;
    }
    h ^= data.len() as u32;
    h ^= h >> 16;
    h = h.wrapping_mul(0x85eb_ca6b);
    h ^= h >> 13;
    h = h.wrapping_mul(0xc2b2_ae35);
    h ^ (h >> 16)
}

/// The column and sign scikit-learn gives `term` among `n_features`.
#[inline]
pub fn hashed_feature(term: &str, n_features: u32) -> (u32, bool) {
    let h = murmur3_32(term.as_bytes(), 0) as i32;
    let index = if h == i32::MIN {
        // abs(i32::MIN) overflows; scikit-learn defines this case so.
        (i32::MAX as u32 - (n_features - 1)) % n_features
    } else {
        h.unsigned_abs() % n_features
    };
    (index, h >= 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values() {
        // Reference values of MurmurHash3_x86_32 (seed 0 unless stated).
        assert_eq!(murmur3_32(b"", 0), 0);
        assert_eq!(murmur3_32(b"", 1), 0x514E_28B7);
        assert_eq!(murmur3_32(b"hello", 0), 0x248B_FA47);
        assert_eq!(murmur3_32(b"Hello, world!", 1234), 0xFAF6_CDB3);
        assert_eq!(murmur3_32(b"The quick brown fox jumps over the lazy dog", 0), 0x2E4F_F723);
    }

    #[test]
    fn same_as_scikit_learn() {
        // sklearn.utils.murmurhash3_32(word, seed=0), signed.
        for (w, h) in [
            ("hello", 613153351i32),
            ("trade", -340530258),
            ("données", 681940034),
            ("a b", 1033158525),
        ] {
            assert_eq!(murmur3_32(w.as_bytes(), 0) as i32, h, "{w}");
        }
        // HashingVectorizer(n_features=16): "trade" -> column 2, negative.
        assert_eq!(hashed_feature("trade", 16), (2, false));
        assert_eq!(hashed_feature("hello", 16), (613153351 % 16, true));
    }
}
