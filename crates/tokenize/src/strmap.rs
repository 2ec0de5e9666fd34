//! Arena-backed string maps for the hot paths.
//!
//! Hand-written (rather than `HashMap<Box<str>, V>`) because the analyzer's
//! caches and sift-tfidf's vocabularies hold hundreds of thousands of short
//! keys: one allocation per key made building and dropping them dominate the
//! profile, and each lookup went through three dependent memory loads. Here
//! every key lives in one `String` arena and each `hashbrown::HashTable` slot
//! holds the key's location, so a lookup touches the table and the key text
//! only; short keys are compared inline without a `memcmp` call.

use hashbrown::HashTable;
use std::hash::BuildHasher;

/// Hashes a string the way the maps here do (FxHash of its bytes).
#[inline]
pub fn hash_str(s: &str) -> u64 {
    rustc_hash::FxBuildHasher.hash_one(s.as_bytes())
}

#[inline(always)]
fn load8(a: &[u8], at: usize) -> u64 {
    let mut x = [0u8; 8];
    x.copy_from_slice(&a[at..at + 8]);
    u64::from_ne_bytes(x)
}

#[inline(always)]
fn load4(a: &[u8], at: usize) -> u32 {
    let mut x = [0u8; 4];
    x.copy_from_slice(&a[at..at + 4]);
    u32::from_ne_bytes(x)
}

/// Byte equality with overlapping word loads for keys up to 16 bytes.
#[inline(always)]
pub(crate) fn eq_bytes(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    if n >= 8 {
        if n > 16 {
            return a == b;
        }
        load8(a, 0) == load8(b, 0) && load8(a, n - 8) == load8(b, n - 8)
    } else if n >= 4 {
        load4(a, 0) == load4(b, 0) && load4(a, n - 4) == load4(b, n - 4)
    } else {
        n == 0 || (a[0] == b[0] && a[n - 1] == b[n - 1] && a[n / 2] == b[n / 2])
    }
}

/// The arena is full: keys are limited to 4 GiB of text in all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("string map is full: keys would exceed 4 GiB of text or 4 billion entries")]
pub struct StrMapFull;

#[derive(Clone, Copy, Debug)]
struct Slot {
    start: u32,
    len: u32,
    index: u32,
}

/// A map from strings to values of type `V`, with keys stored in one arena
/// and entries numbered `0..len()` in insertion order.
#[derive(Clone, Debug, Default)]
pub struct StrMap<V> {
    table: HashTable<Slot>,
    /// Per entry: (start, end) of the key in `arena`.
    keys: Vec<(u32, u32)>,
    values: Vec<V>,
    arena: String,
}

impl<V> StrMap<V> {
    /// An empty map.
    pub fn new() -> Self {
        StrMap {
            table: HashTable::new(),
            keys: Vec::new(),
            values: Vec::new(),
            arena: String::new(),
        }
    }

    /// Makes room for `n` more keys of `bytes` total length.
    pub fn reserve(&mut self, n: usize, bytes: usize) {
        let arena = &self.arena;
        self.table.reserve(n, |s| hash_str(&arena[s.start as usize..(s.start + s.len) as usize]));
        self.keys.reserve(n);
        self.values.reserve(n);
        self.arena.reserve(bytes);
    }

    /// An empty map with room for `n` keys of `bytes` total length.
    pub fn with_capacity(n: usize, bytes: usize) -> Self {
        StrMap {
            table: HashTable::with_capacity(n),
            keys: Vec::with_capacity(n),
            values: Vec::with_capacity(n),
            arena: String::with_capacity(bytes),
        }
    }

    /// Number of keys.
    #[inline]
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// `true` when the map holds no key.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Total bytes of key text.
    pub fn text_len(&self) -> usize {
        self.arena.len()
    }

    /// Removes every key, keeping the allocations.
    pub fn clear(&mut self) {
        self.table.clear();
        self.keys.clear();
        self.values.clear();
        self.arena.clear();
    }

    /// The index of `key` whose [`hash_str`] is `hash`, if present.
    #[inline]
    pub fn index_of_hashed(&self, key: &str, hash: u64) -> Option<usize> {
        let arena = self.arena.as_bytes();
        self.table
            .find(hash, |s| {
                eq_bytes(&arena[s.start as usize..(s.start + s.len) as usize], key.as_bytes())
            })
            .map(|s| s.index as usize)
    }

    /// The index of `key`, if present.
    #[inline]
    pub fn index_of(&self, key: &str) -> Option<usize> {
        self.index_of_hashed(key, hash_str(key))
    }

    /// The value of `key`, if present.
    #[inline]
    pub fn get(&self, key: &str) -> Option<&V> {
        self.index_of(key).map(|i| &self.values[i])
    }

    /// The key of entry `i`.
    #[inline]
    pub fn key(&self, i: usize) -> &str {
        let (s, e) = self.keys[i];
        &self.arena[s as usize..e as usize]
    }

    /// The value of entry `i`.
    #[inline]
    pub fn value(&self, i: usize) -> &V {
        &self.values[i]
    }

    /// Mutable value of entry `i`.
    #[inline]
    pub fn value_mut(&mut self, i: usize) -> &mut V {
        &mut self.values[i]
    }

    /// All values in entry order.
    pub fn values(&self) -> &[V] {
        &self.values
    }

    /// Mutable values in entry order.
    pub fn values_mut(&mut self) -> &mut [V] {
        &mut self.values
    }

    /// The index of `key`, inserting it with the value `make()` if absent.
    /// `hash` must be [`hash_str`]`(key)`.
    #[inline]
    pub fn entry_with_hash(
        &mut self,
        key: &str,
        hash: u64,
        make: impl FnOnce() -> V,
    ) -> Result<usize, StrMapFull> {
        if let Some(i) = self.index_of_hashed(key, hash) {
            return Ok(i);
        }
        self.insert_new(key, hash, make())
    }

    /// The index of `key`, inserting it with the value `make()` if absent.
    #[inline]
    pub fn entry(&mut self, key: &str, make: impl FnOnce() -> V) -> Result<usize, StrMapFull> {
        self.entry_with_hash(key, hash_str(key), make)
    }

    /// Inserts a key known to be absent.
    fn insert_new(&mut self, key: &str, hash: u64, value: V) -> Result<usize, StrMapFull> {
        let start = self.arena.len();
        let end = start + key.len();
        if end > u32::MAX as usize || self.keys.len() >= u32::MAX as usize {
            return Err(StrMapFull);
        }
        self.arena.push_str(key);
        let index = self.keys.len() as u32;
        self.keys.push((start as u32, end as u32));
        self.values.push(value);
        let arena = &self.arena;
        let slot = Slot { start: start as u32, len: key.len() as u32, index };
        self.table.insert_unique(hash, slot, |s| {
            hash_str(&arena[s.start as usize..(s.start + s.len) as usize])
        });
        Ok(index as usize)
    }

    /// Iterates over `(key, value)` in entry order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&str, &V)> + '_ {
        (0..self.len()).map(move |i| (self.key(i), &self.values[i]))
    }
}

/// A bounded cache from strings to small `Copy` values, for the words of
/// running text: keys live in one arena, each table slot holds the key's
/// location and the value, and a small direct-mapped front table keeps the
/// most recent slot of each hash bucket so frequent words skip the probe.
///
/// Callers may also store a string right after a key (see
/// [`ArenaCache::insert_with_suffix`]), which keeps a derived string next to
/// its key.
#[derive(Clone, Debug, Default)]
pub struct ArenaCache<T: Copy> {
    table: HashTable<CacheSlot<T>>,
    arena: String,
    front: Vec<(u64, CacheSlot<T>)>,
    use_front: bool,
    max_entries: usize,
    max_text: usize,
}

/// A cache entry: where its key (and suffix) sit in the arena, and its value.
#[derive(Clone, Copy, Debug)]
pub struct CacheSlot<T: Copy> {
    start: u32,
    key_len: u32,
    suffix_len: u32,
    /// The cached value.
    pub value: T,
}

const FRONT_BITS: u32 = 12;
/// The front table is only worth its 96 KiB once the cache is this large.
const FRONT_AFTER: usize = 4096;

impl<T: Copy> ArenaCache<T> {
    /// A cache that empties itself when it holds `max_entries` keys or
    /// `max_text` bytes of text (at most 4 GiB).
    pub fn new(max_entries: usize, max_text: usize) -> Self {
        ArenaCache {
            table: HashTable::new(),
            arena: String::new(),
            front: Vec::new(),
            use_front: true,
            max_entries,
            max_text: max_text.min(u32::MAX as usize - (1 << 20)),
        }
    }

    /// The same cache without its front table, for callers that keep their
    /// own table of frequent keys in front of it.
    pub fn without_front(mut self) -> Self {
        self.use_front = false;
        self.front = Vec::new();
        self
    }

    /// Makes room for `entries` keys of `text` bytes in all, so a cache
    /// expected to grow large does not rehash on the way.
    pub fn reserve(&mut self, entries: usize, text: usize) {
        let entries = entries.min(self.max_entries);
        let arena = &self.arena;
        self.table.reserve(entries, |s| {
            hash_str(&arena[s.start as usize..(s.start + s.key_len) as usize])
        });
        self.arena.reserve(text.min(self.max_text));
    }

    /// Number of cached keys.
    pub fn len(&self) -> usize {
        self.table.len()
    }

    /// `true` when nothing is cached.
    pub fn is_empty(&self) -> bool {
        self.table.is_empty()
    }

    /// Finds `key` (whose [`hash_str`] is `hash`). The slot is a plain value,
    /// so the caller may insert after a miss without a borrow held.
    #[inline]
    pub fn find(&mut self, key: &str, hash: u64) -> Option<CacheSlot<T>> {
        let arena = self.arena.as_bytes();
        let f = (hash >> (64 - FRONT_BITS)) as usize;
        if let Some(&(h, s)) = self.front.get(f) {
            if h == hash
                && eq_bytes(
                    &arena[s.start as usize..(s.start + s.key_len) as usize],
                    key.as_bytes(),
                )
            {
                return Some(s);
            }
        }
        let slot = self
            .table
            .find(hash, |s| {
                eq_bytes(&arena[s.start as usize..(s.start + s.key_len) as usize], key.as_bytes())
            })
            .copied()?;
        if self.use_front && self.front.is_empty() && self.table.len() >= FRONT_AFTER {
            // Each bucket starts with a hash that cannot land in it.
            self.front =
                (0..1u64 << FRONT_BITS).map(|i| (!(i << (64 - FRONT_BITS)), slot)).collect();
        }
        if let Some(e) = self.front.get_mut(f) {
            *e = (hash, slot);
        }
        Some(slot)
    }

    /// The string stored after the key of `slot`.
    #[inline]
    pub fn suffix(&self, slot: CacheSlot<T>) -> &str {
        let v = (slot.start + slot.key_len) as usize;
        &self.arena[v..v + slot.suffix_len as usize]
    }

    /// Caches `key -> value` (`key` must be absent).
    #[inline]
    pub fn insert(&mut self, key: &str, hash: u64, value: T) -> CacheSlot<T> {
        self.insert_with_suffix(key, hash, "", value)
    }

    /// Caches `key -> value` with `suffix` stored right after the key
    /// (`key` must be absent); empties the cache first when it is full.
    pub fn insert_with_suffix(
        &mut self,
        key: &str,
        hash: u64,
        suffix: &str,
        value: T,
    ) -> CacheSlot<T> {
        if self.table.len() >= self.max_entries
            || self.arena.len() + key.len() + suffix.len() > self.max_text
        {
            self.table.clear();
            self.arena.clear();
            self.front.clear();
        }
        let start = self.arena.len();
        self.arena.push_str(key);
        self.arena.push_str(suffix);
        let slot = CacheSlot {
            start: start as u32,
            key_len: key.len() as u32,
            suffix_len: suffix.len() as u32,
            value,
        };
        let arena = &self.arena;
        self.table.insert_unique(hash, slot, |s| {
            hash_str(&arena[s.start as usize..(s.start + s.key_len) as usize])
        });
        slot
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insert_find_and_grow() {
        let mut m: StrMap<u32> = StrMap::new();
        for i in 0..5000u32 {
            let k = format!("key{i}");
            assert_eq!(m.entry(&k, || i * 2).unwrap(), i as usize);
        }
        assert_eq!(m.len(), 5000);
        for i in (0..5000u32).rev() {
            let k = format!("key{i}");
            assert_eq!(m.get(&k), Some(&(i * 2)));
            assert_eq!(m.entry(&k, || 0).unwrap(), i as usize);
            assert_eq!(m.key(i as usize), k);
        }
        assert_eq!(m.get("nope"), None);
        assert_eq!(m.get(""), None);
        assert_eq!(m.entry("", || 7).unwrap(), 5000);
        assert_eq!(m.get(""), Some(&7));
        m.clear();
        assert!(m.is_empty() && m.get("key1").is_none());
    }

    #[test]
    fn eq_bytes_all_lengths() {
        let base: Vec<u8> = (0..40u8).collect();
        for n in 0..40 {
            let a = &base[..n];
            assert!(eq_bytes(a, a));
            for k in 0..n {
                let mut b = a.to_vec();
                b[k] ^= 1;
                assert!(!eq_bytes(a, &b), "n={n} k={k}");
            }
            assert!(!eq_bytes(a, &base[..n + 1]));
        }
    }

    #[test]
    fn arena_cache() {
        let mut c: ArenaCache<u32> = ArenaCache::new(2500, 1 << 20);
        for i in 0..2000u32 {
            let k = format!("Word{i}");
            assert!(c.find(&k, hash_str(&k)).is_none());
            let slot = c.insert_with_suffix(&k, hash_str(&k), &format!("w{i}"), i);
            assert_eq!(c.suffix(slot), format!("w{i}"));
        }
        for i in (0..2000u32).rev() {
            let k = format!("Word{i}");
            let slot = c.find(&k, hash_str(&k)).unwrap();
            assert_eq!((slot.value, c.suffix(slot)), (i, format!("w{i}").as_str()));
        }
        assert_eq!(c.len(), 2000);
        // Full: the next insert empties the cache first.
        for i in 2000..2600u32 {
            let k = format!("Word{i}");
            c.insert(&k, hash_str(&k), i);
        }
        assert!(c.len() < 2500);
        assert!(c.find("Word1", hash_str("Word1")).is_none());
    }
}
