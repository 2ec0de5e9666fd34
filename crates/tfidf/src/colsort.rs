//! Sorting a row's (column, value) entries by column through a bit set of
//! the columns instead of comparisons.
//!
//! Hand-written, measured: the fit sorted each row's entries by comparisons
//! after mapping its local features to columns, and that sort was half of
//! the matrix assembly (20 Newsgroups, unigrams, one thread: the assembly
//! took 30-36 ms with the sort, 16-19 ms without). A row here costs a few
//! bit operations per entry, in a set whose summary levels stay in the
//! first-level cache, and no branch that depends on how the columns
//! compare. On rows like 20 Newsgroups' (a standalone loop), 4.7 ns per
//! entry against 8.2 for the comparison sort. With `CountTf` (the same
//! commit), the fit of the like-for-like training's vectorizer
//! (`examples/quicktime like-sklearn 1`, 6 alternating runs, best of 3
//! each) went from 159-167 to 150-163 ms, stemmed from 172-185 to 166-174
//! ms, unigrams the same within noise; the same matrices to the bit.

/// Bits per word of the set.
const W: usize = 64;

/// The widest vocabulary a [`ColumnSort`] takes. Its values then take 1 MiB,
/// within the second-level cache with the set's words; beyond, their
/// random writes and reads missed it (20 Newsgroups uni+bigrams, 1,181,803
/// columns: the assembly took 119-183 ms with the set, 103-151 ms with
/// comparisons, one thread).
pub(crate) const MAX_COLUMNS: usize = 1 << 18;

/// Rows shorter than this are sorted by comparisons (a short sort costs
/// little either way: 8, 24 and 64 timed the same within noise on 20
/// Newsgroups).
pub(crate) const MIN_ENTRIES: usize = 24;

/// A reusable bit set of columns and a value per column, empty between
/// rows (every bit a row sets is cleared when its entries are read back).
pub(crate) struct ColumnSort {
    /// Bit `c % 64` of `leaf[c / 64]`: column `c` is in the row.
    leaf: Vec<u64>,
    /// Bit `i % 64` of `mid[i / 64]`: `leaf[i]` is not 0.
    mid: Vec<u64>,
    /// Bit `j`: `mid[j]` is not 0.
    top: Vec<u64>,
    /// The value of each column in the row (meaningful where its bit is set).
    value: Vec<u32>,
    /// Number of columns in the row.
    len: usize,
}

impl ColumnSort {
    /// A set for columns `0..ncols` (at most [`MAX_COLUMNS`]).
    pub(crate) fn new(ncols: usize) -> Self {
        debug_assert!(ncols <= MAX_COLUMNS);
        let leaves = ncols.div_ceil(W).max(1);
        let mids = leaves.div_ceil(W);
        ColumnSort {
            leaf: vec![0; leaves],
            mid: vec![0; mids],
            top: vec![0; mids.div_ceil(W)],
            value: vec![0; ncols.max(1)],
            len: 0,
        }
    }

    /// Adds column `c` (below the set's width, and not in the row yet) with
    /// its value.
    #[inline(always)]
    pub(crate) fn insert(&mut self, c: u32, v: u32) {
        let c = c as usize;
        self.value[c] = v;
        self.len += 1;
        let i = c / W;
        self.leaf[i] |= 1 << (c % W);
        let j = i / W;
        self.mid[j] |= 1 << (i % W);
        self.top[j / W] |= 1 << (j % W);
    }

    /// Appends every column of the row to `cols`, in increasing order, and
    /// empties the set; [`ColumnSort::value`] gives their values until the
    /// next insert.
    ///
    /// A leaf word's columns are written four at a time whatever their
    /// number, and the end of the list moves on by that number: a loop
    /// over each word's set bits mispredicted its exit at nearly every word
    /// (most hold one or two columns of a row), and was no faster than the
    /// comparison sort.
    #[inline(always)]
    pub(crate) fn drain_into(&mut self, cols: &mut Vec<u32>) {
        let base = cols.len();
        // Room for every column plus the slack of the last four-slot write.
        cols.resize(base + self.len + 4, 0);
        let out = &mut cols[base..];
        let mut n = 0;
        for t in 0..self.top.len() {
            let mut tb = std::mem::take(&mut self.top[t]);
            while tb != 0 {
                let j = t * W + tb.trailing_zeros() as usize;
                tb &= tb - 1;
                let mut mb = std::mem::take(&mut self.mid[j]);
                while mb != 0 {
                    let i = j * W + mb.trailing_zeros() as usize;
                    mb &= mb - 1;
                    let mut lb = std::mem::take(&mut self.leaf[i]);
                    let at = (i * W) as u32;
                    loop {
                        let ones = lb.count_ones() as usize;
                        // Four slots written whatever `ones` is (a bit
                        // index of 64 marks a slot past the word's
                        // columns, overwritten or cut off).
                        if let Some(slots) = out.get_mut(n..n + 4) {
                            for slot in slots {
                                *slot = at + lb.trailing_zeros();
                                lb &= lb.wrapping_sub(1);
                            }
                        }
                        n += ones.min(4);
                        if ones <= 4 {
                            break;
                        }
                    }
                }
            }
        }
        debug_assert_eq!(n, self.len);
        self.len = 0;
        cols.truncate(base + n);
        debug_assert!(cols[base..].windows(2).all(|w| w[0] < w[1]));
    }

    /// The value of column `c`, inserted since the last drain.
    #[inline(always)]
    pub(crate) fn value(&self, c: u32) -> u32 {
        self.value[c as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Against a comparison sort, over widths of one leaf word, of one
        /// summary word and of many, rows reusing the same set.
        #[test]
        fn drains_in_column_order(
            ncols in prop_oneof![1usize..70, 60usize..5000, 4000usize..=MAX_COLUMNS],
            rows in prop::collection::vec(prop::collection::vec((any::<u32>(), any::<u32>()), 0..200), 1..4),
        ) {
            let mut set = ColumnSort::new(ncols);
            for row in rows {
                let mut want: Vec<(u32, u32)> = Vec::new();
                for (c, v) in row {
                    let c = c % ncols as u32;
                    if !want.iter().any(|&(w, _)| w == c) {
                        want.push((c, v));
                        set.insert(c, v);
                    }
                }
                want.sort_unstable();
                let mut cols = vec![9];
                set.drain_into(&mut cols);
                let got: Vec<(u32, u32)> = cols[1..].iter().map(|&c| (c, set.value(c))).collect();
                prop_assert_eq!(got, want);
            }
        }
    }

    #[test]
    fn the_widest_set_sorts_its_last_column() {
        let mut set = ColumnSort::new(MAX_COLUMNS);
        set.insert(MAX_COLUMNS as u32 - 1, 7);
        set.insert(3, 1);
        let mut cols = Vec::new();
        set.drain_into(&mut cols);
        let got: Vec<(u32, u32)> = cols.iter().map(|&c| (c, set.value(c))).collect();
        assert_eq!(got, vec![(3, 1), (MAX_COLUMNS as u32 - 1, 7)]);
    }
}
