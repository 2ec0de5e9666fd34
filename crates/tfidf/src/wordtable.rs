//! The vectorizer's table from raw words to ids: open addressing with linear
//! probing, where each 16-byte slot holds the word's first 8 bytes, its
//! length (words of up to 8 bytes) or where the rest of it is (longer
//! words), and the value. A word of up to 8 bytes is found with one memory
//! access, a longer one with two (the rest of the key is in an arena).
//! Hand-written for the counting loop: hashbrown's layout took three
//! dependent cache misses per lookup of a rare word (control bytes, slot,
//! key text), and rare words dominate the lookup time of real corpora.
//!
//! Slots were 24 bytes, with a hash tag and the length beside the offset.
//! At 16, four share a cache line (probes stay in one line more often) and
//! a table is two thirds the size: predicting the 20 Newsgroups test texts,
//! the surface cache grows to 2^19 slots, 12.6 -> 8.4 MB. The first 8
//! bytes already tell most words apart, so the tag saved little.

use sift_tokenize::hash_str;

#[derive(Clone, Copy, Default)]
struct Slot {
    /// First 8 bytes of the word, zero-padded.
    k0: u64,
    /// 0: empty. [`SHORT`] | length: a word of 1 to 8 bytes (all in `k0`).
    /// Otherwise 1 + the arena offset of the longer word's length (`u32`,
    /// little-endian) followed by its bytes 8...
    meta: u32,
    value: u32,
}

// Four slots to a cache line.
const _: () = assert!(std::mem::size_of::<Slot>() == 16);

/// Marks [`Slot::meta`] of a word of at most 8 bytes.
const SHORT: u32 = 1 << 31;

/// A bounded map from words to `u32` values; emptied when it reaches
/// `max_entries` words or `max_text` bytes of long-word text.
#[derive(Default)]
pub(crate) struct WordTable {
    slots: Vec<Slot>,
    len: usize,
    arena: Vec<u8>,
    max_entries: usize,
    max_text: usize,
}

/// The first 8 bytes of `w`, zero-padded, little-endian.
#[inline(always)]
pub(crate) fn head8(w: &[u8]) -> u64 {
    let mut a = [0u8; 8];
    let n = w.len().min(8);
    a[..n].copy_from_slice(&w[..n]);
    u64::from_le_bytes(a)
}

/// The most long-word text a table holds (offsets + 1 stay below
/// [`SHORT`]). A long word takes 4 + its length - 8 bytes of it, so a table
/// of distinct words never needs more than their total length.
pub(crate) const MAX_TEXT: usize = SHORT as usize - 2;

impl WordTable {
    pub(crate) fn new(max_entries: usize, max_text: usize) -> Self {
        WordTable {
            slots: vec![Slot::default(); 1024],
            len: 0,
            arena: Vec::new(),
            max_entries,
            max_text: max_text.min(MAX_TEXT),
        }
    }

    /// A table that never empties itself (for indexes, not caches), as
    /// long as its words total at most [`MAX_TEXT`] bytes: the caller
    /// checks that.
    pub(crate) fn unbounded() -> Self {
        WordTable::new(usize::MAX, usize::MAX)
    }

    /// Makes room for about `n` words without growing on the way.
    pub(crate) fn reserve(&mut self, n: usize) {
        let want = (n.min(self.max_entries).max(512) * 2).next_power_of_two();
        if want > self.slots.len() {
            self.rehash(want);
        }
    }

    /// The bytes 8.. of the long word whose slot has `meta`.
    #[inline(always)]
    fn rest(&self, meta: u32) -> &[u8] {
        let at = (meta - 1) as usize;
        let mut n = [0u8; 4];
        n.copy_from_slice(&self.arena[at..at + 4]);
        &self.arena[at + 4..at + 4 + u32::from_le_bytes(n) as usize]
    }

    #[inline(always)]
    fn matches(&self, s: &Slot, w: &[u8], k0: u64) -> bool {
        if s.k0 != k0 {
            return false;
        }
        if w.len() <= 8 {
            s.meta == SHORT | w.len() as u32
        } else {
            s.meta & SHORT == 0 && self.rest(s.meta) == &w[8..]
        }
    }

    /// The value of `w` (`hash` = [`hash_str`] of it, `k0` = [`head8`]).
    #[inline]
    pub(crate) fn get(&self, w: &[u8], hash: u64, k0: u64) -> Option<u32> {
        let mask = self.slots.len() - 1;
        let mut i = hash as usize & mask;
        loop {
            let s = &self.slots[i];
            if s.meta == 0 {
                return None;
            }
            if self.matches(s, w, k0) {
                return Some(s.value);
            }
            i = (i + 1) & mask;
        }
    }

    /// Starts loading the home slot of the word whose [`hash_str`] is
    /// `hash` into the cache.
    #[inline(always)]
    pub(crate) fn prefetch(&self, hash: u64) {
        crate::prefetch(&self.slots[hash as usize & (self.slots.len() - 1)]);
    }

    /// Inserts `w` (absent) with `value`.
    pub(crate) fn insert(&mut self, w: &[u8], hash: u64, k0: u64, value: u32) {
        let text = if w.len() > 8 { w.len() - 8 + 4 } else { 0 };
        if self.len >= self.max_entries || self.arena.len() + text > self.max_text {
            self.slots.iter_mut().for_each(|s| *s = Slot::default());
            self.arena.clear();
            self.len = 0;
        }
        if (self.len + 1) * 2 > self.slots.len() {
            let n = self.slots.len() * 2;
            self.rehash(n);
        }
        let meta = if w.len() <= 8 {
            SHORT | w.len() as u32
        } else {
            let at = self.arena.len() as u32;
            self.arena.extend_from_slice(&((w.len() - 8) as u32).to_le_bytes());
            self.arena.extend_from_slice(&w[8..]);
            at + 1
        };
        self.place(hash, Slot { k0, meta, value });
        self.len += 1;
    }

    fn place(&mut self, hash: u64, slot: Slot) {
        let mask = self.slots.len() - 1;
        let mut i = hash as usize & mask;
        while self.slots[i].meta != 0 {
            i = (i + 1) & mask;
        }
        self.slots[i] = slot;
    }

    /// Moves every word into a table of `n` slots (hashes are recomputed
    /// from the key bytes: growth is rare, lookups are not).
    fn rehash(&mut self, n: usize) {
        let old = std::mem::replace(&mut self.slots, vec![Slot::default(); n]);
        let mut key = Vec::new();
        for s in old.into_iter().filter(|s| s.meta != 0) {
            key.clear();
            if s.meta & SHORT != 0 {
                key.extend_from_slice(&s.k0.to_le_bytes()[..(s.meta & !SHORT) as usize]);
            } else {
                key.extend_from_slice(&s.k0.to_le_bytes());
                key.extend_from_slice(self.rest(s.meta));
            }
            // Keys are the bytes of `&str` words.
            let h = hash_str(std::str::from_utf8(&key).unwrap_or_default());
            self.place(h, s);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lookup(t: &WordTable, w: &str) -> Option<u32> {
        t.get(w.as_bytes(), hash_str(w), head8(w.as_bytes()))
    }

    #[test]
    fn short_and_long_words_through_growth() {
        let mut t = WordTable::new(1 << 20, 1 << 20);
        let words: Vec<String> = (0..5000)
            .map(|i| if i % 3 == 0 { format!("w{i}") } else { format!("a-rather-long-word-{i}") })
            .collect();
        for (i, w) in words.iter().enumerate() {
            assert_eq!(lookup(&t, w), None);
            t.insert(w.as_bytes(), hash_str(w), head8(w.as_bytes()), i as u32);
        }
        for (i, w) in words.iter().enumerate() {
            assert_eq!(lookup(&t, w), Some(i as u32), "{w}");
        }
        assert_eq!(lookup(&t, "a-rather-long-word-"), None);
        assert_eq!(lookup(&t, "w"), None);
    }

    #[test]
    fn words_sharing_their_first_bytes_or_padding_stay_apart() {
        // Same first 8 bytes at lengths 8, 9 and 13; a NUL where padding
        // would be; empty and one byte. Inserted in both orders, through
        // growth (rehash recomputes each key from its slot and arena).
        let words = ["internat", "internati", "international", "ab", "ab\0", "ab\0\0", "", "a"];
        for order in [words.to_vec(), words.iter().rev().copied().collect()] {
            let mut t = WordTable::new(1 << 20, 1 << 20);
            for (i, w) in order.iter().enumerate() {
                assert_eq!(lookup(&t, w), None, "{w:?}");
                t.insert(w.as_bytes(), hash_str(w), head8(w.as_bytes()), i as u32);
            }
            t.reserve(5000);
            for (i, w) in order.iter().enumerate() {
                assert_eq!(lookup(&t, w), Some(i as u32), "{w:?}");
            }
            for absent in ["internation", "internatio", "ab\0\0\0", "b", "internax"] {
                assert_eq!(lookup(&t, absent), None, "{absent:?}");
            }
            // All in one probe run: every slot on the way is compared.
            let mut t = WordTable::new(1 << 20, 1 << 20);
            let same = |w: &str| head8(w.as_bytes());
            for (i, w) in order.iter().enumerate() {
                assert_eq!(t.get(w.as_bytes(), 7, same(w)), None, "{w:?}");
                t.insert(w.as_bytes(), 7, same(w), i as u32);
            }
            for (i, w) in order.iter().enumerate() {
                assert_eq!(t.get(w.as_bytes(), 7, same(w)), Some(i as u32), "{w:?}");
            }
            for absent in ["internation", "internatio", "ab\0\0\0", "b", "internax"] {
                assert_eq!(t.get(absent.as_bytes(), 7, same(absent)), None, "{absent:?}");
            }
        }
    }

    #[test]
    fn empties_itself_when_long_word_text_is_full() {
        // Each long word takes 4 + (len - 8) bytes of the arena.
        let mut t = WordTable::new(1 << 20, 30);
        let w = |i: u32| format!("longer-word-{i:04}");
        for i in 0..3 {
            t.insert(w(i).as_bytes(), hash_str(&w(i)), head8(w(i).as_bytes()), i);
        }
        assert_eq!(lookup(&t, &w(0)), None, "emptied at the third word's text");
        assert_eq!(lookup(&t, &w(2)), Some(2));
    }

    #[test]
    fn empties_itself_when_full() {
        let mut t = WordTable::new(100, 1 << 20);
        for i in 0..150u32 {
            let w = format!("x{i}");
            t.insert(w.as_bytes(), hash_str(&w), head8(w.as_bytes()), i);
        }
        assert_eq!(lookup(&t, "x149"), Some(149));
        assert_eq!(lookup(&t, "x1"), None);
    }
}

/// A map from packed word-id pairs to `u32`, for bigrams: open addressing
/// with the key and value in one 16-byte slot (one memory access per lookup
/// where hashbrown's layout takes two). Hand-written for the same reason as
/// [`WordTable`]. Keys are `(a << 32) | b` with `a, b < 2^31`, so
/// `u64::MAX` never occurs: a slot holds the key's complement, and 0 marks
/// an empty slot. A table then starts as zeroed memory, which the system
/// hands over untouched: filling 2 million slots with a non-zero marker
/// took 16-19 ms, mostly page faults, before the first insert.
#[derive(Clone, Debug)]
pub(crate) struct PairTable {
    slots: Vec<(u64, u32)>,
    len: usize,
}

/// A slot's stored key when it holds none (the complement of `u64::MAX`).
const EMPTY_PAIR: u64 = 0;

impl Default for PairTable {
    fn default() -> Self {
        PairTable { slots: vec![(EMPTY_PAIR, 0); 16], len: 0 }
    }
}

/// The home slot of `key` in a table of `n` slots (a power of two).
#[inline(always)]
fn home_of(key: u64, n: usize) -> usize {
    let bits = n.trailing_zeros();
    (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - bits)) as usize
}

impl PairTable {
    #[inline(always)]
    fn home(&self, key: u64) -> usize {
        home_of(key, self.slots.len())
    }

    /// Number of keys.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// The number of slots of a table built for `len` pairs.
    fn slots_for(len: usize) -> usize {
        (len * 5 / 3 + 16).next_power_of_two()
    }

    /// A table holding the `len` pairs that `pairs()` yields (keys
    /// distinct, the same pairs on every call), built in one go: see
    /// [`PairTable::insertion_order`] and [`PairTable::from_ordered`].
    pub(crate) fn from_pairs<I: Iterator<Item = (u64, u32)>>(
        len: usize,
        pairs: impl Fn() -> I,
    ) -> Self {
        let ordered = Self::insertion_order(len, pairs);
        Self::from_ordered(ordered.into_iter())
    }

    /// The pairs ordered by their home slot in a table built for them, ties
    /// in the order given, so that inserting them in this order walks the
    /// table sequentially instead of missing the cache once per pair. A
    /// counting sort on coarse home buckets (64 slots each) is enough for
    /// sequential writes, and is linear. `pairs` is called twice rather
    /// than collected first: a model's 265,000 bigrams made that copy 4 MB
    /// of fresh memory on every load.
    pub(crate) fn insertion_order<I: Iterator<Item = (u64, u32)>>(
        len: usize,
        pairs: impl Fn() -> I,
    ) -> Vec<(u64, u32)> {
        let n = Self::slots_for(len);
        let shift = 6.min(n.trailing_zeros());
        let mut starts = vec![0usize; (n >> shift) + 1];
        let mut counted = 0;
        for (k, _) in pairs() {
            starts[(home_of(k, n) >> shift) + 1] += 1;
            counted += 1;
        }
        if counted != len {
            // A wrong `len` would give the wrong table size: start again.
            return Self::insertion_order(counted, pairs);
        }
        for b in 1..starts.len() {
            starts[b] += starts[b - 1];
        }
        let mut ordered = vec![(EMPTY_PAIR, 0u32); len];
        for (k, v) in pairs() {
            let b = home_of(k, n) >> shift;
            ordered[starts[b]] = (k, v);
            starts[b] += 1;
        }
        ordered
    }

    /// A table holding `pairs`, inserted in the order given: in
    /// [`PairTable::insertion_order`], the writes are sequential. Any order
    /// gives a correct table (a saved order read back from a file can only
    /// be slow, never wrong); a key given twice keeps its first value.
    pub(crate) fn from_ordered(pairs: impl ExactSizeIterator<Item = (u64, u32)>) -> Self {
        let n = Self::slots_for(pairs.len());
        let mut t = PairTable { slots: vec![(EMPTY_PAIR, 0); n], len: 0 };
        let mask = n - 1;
        // At most `n - 1` pairs are placed (a caller's iterator may yield
        // more than its length says), so an empty slot always remains.
        for (k, v) in pairs.take(n - 1) {
            if k == u64::MAX {
                continue; // never a key (word ids are below 2^31)
            }
            let mut i = t.home(k);
            let stored = !k;
            loop {
                let s = t.slots[i].0;
                if s == EMPTY_PAIR {
                    t.slots[i] = (stored, v);
                    t.len += 1;
                    break;
                }
                if s == stored {
                    break;
                }
                i = (i + 1) & mask;
            }
        }
        t
    }

    /// Every (key, value), in slot order.
    pub(crate) fn entries(&self) -> impl Iterator<Item = (u64, u32)> + '_ {
        self.slots.iter().filter(|s| s.0 != EMPTY_PAIR).map(|&(k, v)| (!k, v))
    }

    /// Makes room for `n` keys.
    pub(crate) fn reserve(&mut self, n: usize) {
        let want = ((self.len + n) * 2).next_power_of_two();
        if want > self.slots.len() {
            self.rehash(want);
        }
    }

    /// Starts loading the home slot of `key` into the cache.
    #[inline(always)]
    pub(crate) fn prefetch(&self, key: u64) {
        crate::prefetch(&self.slots[self.home(key)]);
    }

    /// The value of `key`.
    #[inline]
    pub(crate) fn get(&self, key: u64) -> Option<u32> {
        self.probe(key, self.home(key))
    }

    /// The value of `key`, probing from slot `i` on (its home, or a slot
    /// after it that is known not to hold it).
    #[inline]
    fn probe(&self, key: u64, mut i: usize) -> Option<u32> {
        let mask = self.slots.len() - 1;
        let stored = !key;
        loop {
            let (k, v) = self.slots[i & mask];
            if k == stored {
                return Some(v);
            }
            if k == EMPTY_PAIR {
                return None;
            }
            i = (i + 1) & mask;
        }
    }

    /// Looks up every key of `keys` and appends the values found to `out`
    /// (in no particular order; absent keys add nothing). `again` is
    /// scratch.
    ///
    /// A key's home slot is read without a branch on what it holds: the
    /// value is written at `out`'s end and kept only on a match, and a key
    /// that needs more probing is set aside for a second pass. So no branch
    /// waits on a table read, and the reads of successive keys (each a
    /// cache miss in a table of megabytes) overlap. With [`PairTable::get`]
    /// per key, the processor stopped at each miss for the hit-or-miss
    /// branch, hard to predict: predicting the 20 Newsgroups test texts
    /// with the default model, 44% of 1.1 million lookups hit.
    pub(crate) fn find_all(&self, keys: &[u64], out: &mut Vec<u32>, again: &mut Vec<u64>) {
        let base = out.len();
        out.resize(base + keys.len(), 0);
        again.clear();
        again.resize(keys.len(), 0);
        let (mut found, mut unsure) = (base, 0);
        for &key in keys {
            let (k, v) = self.slots[self.home(key)];
            let hit = k == !key;
            out[found] = v;
            found += usize::from(hit);
            again[unsure] = key;
            unsure += usize::from(!hit & (k != EMPTY_PAIR));
        }
        out.truncate(found);
        out.extend(again[..unsure].iter().filter_map(|&key| self.probe(key, self.home(key) + 1)));
    }

    /// Sets `key` to `value` (inserting or replacing).
    /// Grows at a load of 5/8 (a table built in one go is loaded to 3/5,
    /// [`PairTable::slots_for`]). At 1/2, the 1.05 million bigrams of 20
    /// Newsgroups train overflowed the 2^21 slots reserved for them by 3,000
    /// and the table doubled to 64 MiB at the end of the fit: uni+bigram
    /// fit_transform on one thread, alternating builds (`xtask vec-child
    /// uni+bigram 1 5`, 3 rounds): peak memory 486 -> 418 MiB, median time
    /// 1.11-1.35 s -> 0.84-1.30 s on a noisy host; two threads (no growth
    /// there) unchanged.
    pub(crate) fn insert(&mut self, key: u64, value: u32) {
        if (self.len + 1) * 8 > self.slots.len() * 5 {
            let n = self.slots.len() * 2;
            self.rehash(n);
        }
        debug_assert_ne!(key, u64::MAX);
        let mask = self.slots.len() - 1;
        let mut i = self.home(key);
        let stored = !key;
        loop {
            let k = self.slots[i].0;
            if k == stored {
                self.slots[i].1 = value;
                return;
            }
            if k == EMPTY_PAIR {
                self.slots[i] = (stored, value);
                self.len += 1;
                return;
            }
            i = (i + 1) & mask;
        }
    }

    fn rehash(&mut self, n: usize) {
        let old = std::mem::replace(&mut self.slots, vec![(EMPTY_PAIR, 0); n]);
        let mask = n - 1;
        for (k, v) in old.into_iter().filter(|&(k, _)| k != EMPTY_PAIR) {
            let mut i = self.home(!k);
            while self.slots[i].0 != EMPTY_PAIR {
                i = (i + 1) & mask;
            }
            self.slots[i] = (k, v);
        }
    }
}

#[cfg(test)]
mod pair_tests {
    use super::*;

    #[test]
    fn bulk_build() {
        let pairs: Vec<(u64, u32)> =
            (0..5000u64).map(|i| (((i % 70) << 32) | (i / 70), i as u32)).collect();
        let t = PairTable::from_pairs(pairs.len(), || pairs.iter().copied());
        for (k, v) in pairs {
            assert_eq!(t.get(k), Some(v));
        }
        assert_eq!(t.get(999 << 32), None);
    }

    #[test]
    fn bulk_build_with_long_probes_and_wrap_around() {
        // 9,040 pairs in 16,384 slots, with keys crowding one slot in the
        // middle and the table's last slot: their probes run on (and wrap
        // around to the start).
        let n = 16384;
        let mut pairs: Vec<(u64, u32)> = (0..9_000u64).map(|i| (i * 7919, i as u32)).collect();
        let mut crowd = |slot: usize, how_many: usize| {
            let mut k = 1u64 << 40;
            let mut found = 0;
            while found < how_many {
                k += 1;
                if home_of(k, n) == slot && !pairs.iter().any(|p| p.0 == k) {
                    pairs.push((k, 100_000 + pairs.len() as u32));
                    found += 1;
                }
            }
        };
        crowd(8191, 20);
        crowd(n - 1, 20);
        let build = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            pool.install(|| PairTable::from_pairs(pairs.len(), || pairs.iter().copied()))
        };
        let (one, two) = (build(1), build(2));
        assert_eq!(one.slots.len(), n);
        assert_eq!(one.slots, two.slots, "the layout depends on the pairs only");
        assert_eq!(one.len(), pairs.len());
        for &(k, v) in &pairs {
            assert_eq!(one.get(k), Some(v));
        }
        // Crowded keys sit past their home, and at the table's start.
        assert_ne!(one.slots[8192].0, EMPTY_PAIR);
        assert!(one.slots[..20].iter().any(|s| home_of(!s.0, n) == n - 1));
        assert_eq!(one.get(u64::MAX - 1), None);

        // `find_all` finds what `get` finds: keys present, absent, and
        // absent but at home in a crowd (their probes run on and wrap).
        let mut keys: Vec<u64> = pairs.iter().map(|p| p.0).collect();
        keys.extend((0..3_000u64).map(|i| i * 7919 + 3));
        let mut k = 1u64 << 50;
        while keys.len() < pairs.len() + 3_040 {
            k += 1;
            if home_of(k, n) == 8191 || home_of(k, n) == n - 1 {
                keys.push(k);
            }
        }
        let mut want: Vec<u32> = keys.iter().filter_map(|&k| one.get(k)).collect();
        let (mut got, mut again) = (vec![u32::MAX], Vec::new());
        one.find_all(&keys, &mut got, &mut again);
        assert_eq!(got.remove(0), u32::MAX, "appends to what `out` held");
        got.sort_unstable();
        want.sort_unstable();
        assert_eq!(got.len(), pairs.len());
        assert_eq!(got, want);
    }

    #[test]
    fn pairs() {
        let mut t = PairTable::default();
        for a in 0..300u64 {
            for b in (0..300u64).step_by(7) {
                assert_eq!(t.get((a << 32) | b), None);
                t.insert((a << 32) | b, (a * 1000 + b) as u32);
            }
        }
        for a in 0..300u64 {
            for b in (0..300u64).step_by(7) {
                assert_eq!(t.get((a << 32) | b), Some((a * 1000 + b) as u32));
            }
        }
        t.insert((5 << 32) | 7, 1);
        assert_eq!(t.get((5 << 32) | 7), Some(1));
        assert_eq!(t.len(), 300 * 43);
    }
}
