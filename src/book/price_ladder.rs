//! One side of a book as a price ladder: levels indexed directly by price
//! tick in a window of [`SLOTS`] ticks that contains the best price, with a
//! bitmap of occupied slots to find the next best level when the best one
//! empties. Adding to or taking from a level is an index computation, not a
//! search, and never moves other levels.
//!
//! The levels' cells are stored inside the ladder, each at the index its
//! price has in ticks, modulo [`SLOTS`] (a circular buffer: a window of
//! `SLOTS` consecutive ticks maps onto every cell once). So the address of
//! a price's cell follows from the ladder's address and the price alone,
//! and `add` and `reduce` start loading it before they read the ladder's
//! header: with a thousand symbols both are usually cache misses, and this
//! way they overlap instead of following each other.
//!
//! Prices outside the window (far from the market) or off the tick grid
//! live in a sorted [`PriceLevels`] beside it; those are rare. When a new
//! best price falls outside the window, the window is re-centred on it (a
//! rebuild, O(levels)). When levels pile up outside the window it is
//! re-centred on the best price, and the next such re-centre waits until
//! the far levels have doubled: a book deeper than the window keeps many
//! far levels whatever the window does, and re-centring it on every far
//! order would cost O(levels) per message.
//!
//! The tick is $0.01 (100 in Price(4)) for a side whose first price is at
//! least $1.00, else $0.0001, following the sub-penny rule.

use super::cache_prefetch::prefetch_line;
use super::price_levels::{Level, PriceLevels};

pub const SLOTS: usize = 256;
const WORDS: usize = SLOTS / 64;
/// Levels outside the window that trigger a re-centre (at least; see
/// `far_limit`).
const MAX_FAR_LEVELS: usize = 32;

/// One level: its aggregate size in shares, 4 bytes, so a cache line holds
/// sixteen adjacent price levels; a level is empty when its size is 0. The
/// size is a u32 with saturating arithmetic: 4.29 billion shares resting at
/// one price does not happen on a real feed (if it did, the level would
/// show less than it holds, and could empty before its last order left),
/// and each order's own quantity is kept exactly in the order store. The
/// number of orders at a level is not kept: it is counted from the order
/// store when a depth is shown (`level_order_counts`). Halving the cells
/// took about 8% off decode plus books at 1,000 symbols (BENCHMARKS.md).
type Cell = u32;

const NO_SLOT: u16 = u16::MAX;

/// The fields every add and reduce reads sit in the first cache line
/// (`repr(C)`, 64-byte aligned): the window's position, the best slot and
/// its level, and the occupancy bitmap. With 1,000 symbols the books do not
/// fit in the first-level cache, so each line a message touches is a miss;
/// this way a message touches the side's header line and one line of
/// cells. The levels far from the market are in the second line, read only
/// when `far_levels` says there are any; the cells follow.
#[derive(Clone, Debug)]
#[repr(C, align(64))]
pub struct PriceLadder {
    tick: u32,
    /// Price of slot 0 (a multiple of `tick`).
    anchor: u32,
    /// Cell of slot 0: `(anchor / tick) % SLOTS`.
    anchor_cell: u16,
    /// Best occupied slot, or [`NO_SLOT`].
    best_slot: u16,
    levels_in_window: u16,
    bids: bool,
    /// `far` holds at least one level.
    far_levels: bool,
    /// The best slot's cell, copied so that reading the top of the book
    /// does not touch the cells.
    best_cell: Cell,
    occupied: [u64; WORDS],
    far: PriceLevels,
    /// Far levels that trigger a re-centre: twice as many as the last
    /// re-centre left, and at least [`MAX_FAR_LEVELS`].
    far_limit: u32,
    /// Window re-centres so far.
    recentres: u32,
    /// The level at price `p` in the window is `cells[(p / tick) % SLOTS]`.
    cells: [Cell; SLOTS],
}

impl PriceLadder {
    pub fn bids() -> Self {
        Self::new(true)
    }

    pub fn asks() -> Self {
        Self::new(false)
    }

    fn new(bids: bool) -> Self {
        PriceLadder {
            tick: 0,
            anchor: 0,
            anchor_cell: 0,
            best_slot: NO_SLOT,
            levels_in_window: 0,
            bids,
            far_levels: false,
            best_cell: 0,
            occupied: [0; WORDS],
            far: if bids {
                PriceLevels::bids()
            } else {
                PriceLevels::asks()
            },
            far_limit: MAX_FAR_LEVELS as u32,
            recentres: 0,
            cells: [0; SLOTS],
        }
    }

    #[inline(always)]
    fn better(&self, a: u32, b: u32) -> bool {
        if self.bids {
            a > b
        } else {
            a < b
        }
    }

    #[inline(always)]
    fn slot_of(&self, price: u32) -> Option<usize> {
        if self.tick == 0 || price < self.anchor {
            return None;
        }
        let offset = price - self.anchor;
        // The tick is 100 or 1: constant divisors compile to multiplies.
        let slot = if self.tick == 100 {
            if offset % 100 != 0 {
                return None;
            }
            (offset / 100) as usize
        } else {
            offset as usize
        };
        (slot < SLOTS).then_some(slot)
    }

    #[inline(always)]
    fn price_of(&self, slot: usize) -> u32 {
        self.anchor + slot as u32 * self.tick
    }

    /// The cell that holds window slot `slot`.
    #[inline(always)]
    fn cell_index(&self, slot: usize) -> usize {
        (usize::from(self.anchor_cell) + slot) % SLOTS
    }

    #[inline(always)]
    fn cell(&self, slot: usize) -> Cell {
        self.cells[self.cell_index(slot)]
    }

    #[inline(always)]
    fn cell_mut(&mut self, slot: usize) -> &mut Cell {
        &mut self.cells[self.cell_index(slot)]
    }

    /// Starts loading the cell where `price`'s level would be, without
    /// reading anything of the ladder: the address depends only on where
    /// the ladder is and on the price (in the tick a side at that price
    /// almost always has). A hint; nothing changes.
    #[inline(always)]
    pub fn prefetch_level(&self, price: u32) {
        let ticks = if price >= 10_000 { price / 100 } else { price };
        prefetch_line(&self.cells[ticks as usize % SLOTS]);
    }

    #[inline(always)]
    fn best_slot(&self) -> Option<usize> {
        (self.best_slot != NO_SLOT).then_some(usize::from(self.best_slot))
    }

    /// The best level of the window alone.
    #[inline(always)]
    fn window_best(&self) -> Option<Level> {
        self.best_slot().map(|s| Level {
            price: self.price_of(s),
            qty: u64::from(self.best_cell),
        })
    }

    /// The best far level, looked up only when there is one.
    #[inline(always)]
    fn far_best(&self) -> Option<Level> {
        if self.far_levels {
            self.far.best()
        } else {
            None
        }
    }

    /// Centres the window on `price` (which becomes reachable), moving every
    /// level to where it now belongs.
    #[cold]
    fn recentre(&mut self, price: u32) {
        let levels = self.levels();
        if self.tick == 0 {
            self.tick = if price >= 10_000 { 100 } else { 1 };
        }
        self.cells.fill(0);
        self.occupied = [0; WORDS];
        self.levels_in_window = 0;
        self.best_slot = NO_SLOT;
        self.far.clear();
        let half = (SLOTS as u32 / 2) * self.tick;
        let aligned = price - price % self.tick;
        self.anchor = aligned.saturating_sub(half);
        self.anchor -= self.anchor % self.tick;
        self.anchor_cell = ((self.anchor / self.tick) as usize % SLOTS) as u16;
        for l in levels {
            self.place(l);
        }
        self.far_levels = !self.far.is_empty();
        self.refresh_best();
        self.far_limit = (2 * self.far.len()).clamp(MAX_FAR_LEVELS, u32::MAX as usize) as u32;
        self.recentres += 1;
    }

    /// True for the bid side.
    pub fn is_bids(&self) -> bool {
        self.bids
    }

    /// How many times the window has been re-centred.
    pub fn recentres(&self) -> u32 {
        self.recentres
    }

    /// Puts a whole level where it belongs (window or far).
    fn place(&mut self, l: Level) {
        match self.slot_of(l.price) {
            Some(s) => {
                *self.cell_mut(s) = l.qty.min(u64::from(u32::MAX)) as u32;
                self.mark_added(s, true);
            }
            None => self.far.add_level(l),
        }
    }

    /// Re-reads the cached best level after its slot or its cell changed.
    #[inline(always)]
    fn refresh_best(&mut self) {
        if let Some(s) = self.best_slot() {
            self.best_cell = self.cell(s);
        }
    }

    /// Records that slot `s` holds shares, which it did not before when
    /// `new_level` (an add, or a level placed by a re-centre). No branch on `new_level` (whether an add opens a
    /// level is a coin toss to the branch predictor): the bit of a level
    /// that exists is already set, and such a level is never better than
    /// the best, so only the count depends on it.
    #[inline(always)]
    fn mark_added(&mut self, s: usize, new_level: bool) {
        self.occupied[s / 64] |= 1 << (s % 64);
        self.levels_in_window += u16::from(new_level);
        let better = match self.best_slot() {
            None => true,
            Some(b) => (self.bids && s > b) || (!self.bids && s < b),
        };
        if better {
            self.best_slot = s as u16;
        }
    }

    /// Records that a reduce left `left` shares in slot `s`. No branch on
    /// whether that emptied the level (as unpredictable as an add's new
    /// level) except where it empties the best level, which needs the next
    /// one found.
    #[inline(always)]
    fn unmark_reduced(&mut self, s: usize, left: Cell) {
        let emptied = left == 0;
        self.occupied[s / 64] &= !(u64::from(emptied) << (s % 64));
        self.levels_in_window -= u16::from(emptied);
        // "Emptied and best" as one test of one word (written with `&&`
        // or `&`, the compiler branches on each part).
        if (usize::from(self.best_slot) ^ s) | left as usize == 0 {
            self.unmark_best(s);
        }
    }

    /// The best level, slot `s`, is gone: the next best becomes it.
    #[inline(always)]
    fn unmark_best(&mut self, s: usize) {
        let next = if self.bids {
            self.highest_below(s)
        } else {
            self.lowest_above(s)
        };
        self.best_slot = next.map_or(NO_SLOT, |n| n as u16);
    }

    fn highest_below(&self, s: usize) -> Option<usize> {
        let mut w = s / 64;
        let mut bits = self.occupied[w] & ((1u64 << (s % 64)) - 1);
        loop {
            if bits != 0 {
                return Some(w * 64 + 63 - bits.leading_zeros() as usize);
            }
            if w == 0 {
                return None;
            }
            w -= 1;
            bits = self.occupied[w];
        }
    }

    fn lowest_above(&self, s: usize) -> Option<usize> {
        let mut w = s / 64;
        let mut bits = if s % 64 == 63 {
            0
        } else {
            self.occupied[w] & !((2u64 << (s % 64)) - 1)
        };
        loop {
            if bits != 0 {
                return Some(w * 64 + bits.trailing_zeros() as usize);
            }
            w += 1;
            if w == WORDS {
                return None;
            }
            bits = self.occupied[w];
        }
    }

    /// The best level.
    #[inline]
    pub fn best(&self) -> Option<Level> {
        match (self.window_best(), self.far_best()) {
            (Some(w), Some(f)) => Some(if self.better(f.price, w.price) { f } else { w }),
            (w, f) => w.or(f),
        }
    }

    /// Adds an order's shares; true when the best level changed.
    #[inline]
    pub fn add(&mut self, price: u32, qty: u32) -> bool {
        self.prefetch_level(price);
        let slot = match self.slot_of(price) {
            Some(s) => s,
            None => {
                match self.best() {
                    Some(b) if !self.better(price, b.price) => {
                        if self.far.len() >= self.far_limit as usize {
                            // The market may have moved away from where
                            // the window was centred.
                            self.recentre(b.price);
                        }
                    }
                    _ => self.recentre(price),
                }
                match self.slot_of(price) {
                    Some(s) => s,
                    None => {
                        self.far_levels = true;
                        return self.far.add(price, qty);
                    }
                }
            }
        };
        let was_best = self.best_slot;
        let c = self.cell_mut(slot);
        let was_empty = *c == 0;
        *c = c.saturating_add(qty);
        self.mark_added(slot, was_empty);
        let top = usize::from(self.best_slot) == slot || was_best != self.best_slot;
        if top {
            self.refresh_best();
        }
        top && self.far_best().is_none_or(|f| !self.better(f.price, price))
    }

    /// Removes `qty` at `price`. Returns whether the best level changed, or
    /// `None` if there is no such level (an inconsistent feed).
    #[inline]
    pub fn reduce(&mut self, price: u32, qty: u32) -> Option<bool> {
        self.prefetch_level(price);
        let Some(slot) = self.slot_of(price) else {
            let top = self.far.reduce(price, qty);
            self.far_levels = !self.far.is_empty();
            return top;
        };
        if self.cell(slot) == 0 {
            return None;
        }
        let was_top = self.best().is_some_and(|b| b.price == price);
        let was_best_slot = self.best_slot;
        let c = self.cell_mut(slot);
        *c = c.saturating_sub(qty);
        let left = *c;
        self.unmark_reduced(slot, left);
        if usize::from(was_best_slot) == slot {
            self.refresh_best();
        }
        Some(was_top)
    }

    /// Every level, best first (for display and tests; allocates).
    pub fn levels(&self) -> Vec<Level> {
        let mut v: Vec<Level> = self.far.depth().copied().collect();
        for (w, &word) in self.occupied.iter().enumerate() {
            let mut bits = word;
            while bits != 0 {
                let s = w * 64 + bits.trailing_zeros() as usize;
                bits &= bits - 1;
                v.push(Level {
                    price: self.price_of(s),
                    qty: u64::from(self.cell(s)),
                });
            }
        }
        if self.bids {
            v.sort_unstable_by_key(|l| std::cmp::Reverse(l.price));
        } else {
            v.sort_unstable_by_key(|l| l.price);
        }
        v
    }

    /// Levels from the best outward.
    pub fn depth(&self) -> impl Iterator<Item = Level> {
        self.levels().into_iter()
    }

    pub fn len(&self) -> usize {
        usize::from(self.levels_in_window) + self.far.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn clear(&mut self) {
        *self = Self::new(self.bids);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn best_bid_is_highest_and_best_ask_lowest() {
        let mut b = PriceLadder::bids();
        let mut a = PriceLadder::asks();
        for p in [1_000_000, 1_050_000, 950_000, 1_030_000] {
            b.add(p, 10);
            a.add(p, 10);
        }
        assert_eq!(b.best().unwrap().price, 1_050_000);
        assert_eq!(a.best().unwrap().price, 950_000);
        let prices: Vec<u32> = b.depth().map(|l| l.price).collect();
        assert_eq!(prices, [1_050_000, 1_030_000, 1_000_000, 950_000]);
    }

    #[test]
    fn the_next_best_level_is_found_when_the_best_empties() {
        let mut b = PriceLadder::bids();
        b.add(1_000_000, 5);
        b.add(999_900, 5);
        b.add(990_000, 5);
        assert_eq!(b.reduce(1_000_000, 5), Some(true));
        assert_eq!(b.best().unwrap().price, 999_900);
        assert_eq!(b.reduce(999_900, 5), Some(true));
        assert_eq!(b.best().unwrap().price, 990_000);
        assert_eq!(b.reduce(990_000, 5), Some(true));
        assert!(b.best().is_none() && b.is_empty());
        assert_eq!(b.reduce(990_000, 5), None);
    }

    #[test]
    fn a_market_that_moves_far_re_centres_the_window() {
        let mut a = PriceLadder::asks();
        a.add(4_100_000, 100);
        // The price collapses 60%: every new best is far below the window.
        for k in 0..500u32 {
            a.add(4_100_000 - k * 5_000, 100);
        }
        assert_eq!(a.best().unwrap().price, 4_100_000 - 499 * 5_000);
        assert_eq!(a.len(), 500);
        let prices: Vec<u32> = a.depth().map(|l| l.price).collect();
        assert!(prices.windows(2).all(|w| w[0] < w[1]));
    }

    /// A book 2,000 ticks deep always has levels outside the 256-tick
    /// window: orders coming and going far from the market must not rebuild
    /// the window each time.
    #[test]
    fn a_book_deeper_than_the_window_is_not_re_centred_on_every_far_order() {
        let mut ladder = PriceLadder::bids();
        let mut sorted = PriceLevels::bids();
        let best = 2_000_000;
        for t in 0..2_000u32 {
            ladder.add(best - t * 100, 100);
            sorted.add(best - t * 100, 100);
        }
        let settled = ladder.recentres();
        let mut x = 12_345u32;
        for _ in 0..10_000 {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            let price = best - (300 + (x >> 8) % 1_700) * 100;
            ladder.add(price, 10);
            sorted.add(price, 10);
            ladder.reduce(price, 10);
            sorted.reduce(price, 10);
        }
        assert!(
            ladder.recentres() - settled <= 1,
            "{} re-centres for 10,000 far orders",
            ladder.recentres() - settled
        );
        assert_eq!(ladder.best().unwrap().price, best);
        let a: Vec<Level> = ladder.depth().collect();
        let b: Vec<Level> = sorted.depth().copied().collect();
        assert_eq!(a, b);
    }

    #[test]
    fn sub_dollar_prices_use_the_sub_penny_tick() {
        let mut b = PriceLadder::bids();
        b.add(5_001, 1);
        b.add(5_002, 1);
        assert_eq!(b.best().unwrap().price, 5_002);
        assert_eq!(b.len(), 2);
    }

    #[test]
    fn the_fields_an_update_reads_share_one_cache_line() {
        assert_eq!(std::mem::align_of::<PriceLadder>(), 64);
        let header_end =
            std::mem::offset_of!(PriceLadder, occupied) + std::mem::size_of::<[u64; WORDS]>();
        assert!(header_end <= 64, "the header ends at byte {header_end}");
    }

    #[test]
    fn a_far_level_that_is_better_than_the_window_is_the_best() {
        let mut b = PriceLadder::bids();
        b.add(1_000_000, 5);
        // Off the cent grid: kept among the far levels although it is inside
        // the window's range.
        b.add(1_000_050, 7);
        assert_eq!(b.best().unwrap().price, 1_000_050);
        assert_eq!(b.reduce(1_000_050, 7), Some(true));
        assert_eq!(b.best().unwrap().price, 1_000_000);
        assert_eq!(b.len(), 1);
    }

    proptest! {
        /// The ladder agrees with the sorted-vector implementation.
        #[test]
        fn behaves_like_sorted_levels(ops in proptest::collection::vec((any::<bool>(), 0u32..3_000, 1u32..50, 0u8..20), 0..600)) {
            let mut ladder = PriceLadder::bids();
            let mut sorted = PriceLevels::bids();
            for (add, tick, qty, off_grid) in ops {
                // One price in twenty is off the cent grid (a far level).
                let price = 1_000_000 + tick * 100 + u32::from(off_grid == 0) * 37;
                // A change of the best level is always reported (the
                // consolidated quote is recomputed only then).
                let before = ladder.best();
                if add {
                    let top = ladder.add(price, qty);
                    sorted.add(price, qty);
                    prop_assert!(top || ladder.best() == before);
                } else {
                    let top = ladder.reduce(price, qty);
                    prop_assert_eq!(top.is_some(), sorted.reduce(price, qty).is_some());
                    prop_assert!(top == Some(true) || ladder.best() == before);
                }
                prop_assert_eq!(ladder.best(), sorted.best());
                let a: Vec<Level> = ladder.depth().collect();
                let b: Vec<Level> = sorted.depth().copied().collect();
                prop_assert_eq!(a, b);
            }
        }
    }
}
