//! Resting orders by ITCH order reference number, laid out for the way
//! references behave: Nasdaq assigns them in increasing order, and most
//! orders are deleted, replaced or executed soon after they are added.
//!
//! Recent references live in a direct-mapped window (`reference & mask`):
//! consecutive adds fill consecutive slots, and the quick cancels that
//! dominate the feed touch cache lines that are already hot. When a new
//! reference runs past the window's end, the window slides forward a
//! quarter at a time and the still-live orders it leaves behind move to an
//! open-addressing hash map ([`OrderRefMap`]), where the rare long-lived
//! orders are found. Each reference number is passed over by the window at
//! most once, so sliding costs O(1) per reference, amortised. After warm-up
//! nothing allocates unless the long-lived set grows.

use super::cache_prefetch::prefetch_line;
use super::huge_page_array::HugePageArray;
use super::order_ref_map::{OrderRefMap, RestingOrder};

pub struct OrderStore {
    /// Slot `r & mask` holds reference `r` for `r` in `[base, base + len)`;
    /// a slot with qty 0 is empty (zero-share orders never rest). On huge
    /// pages: a slot is read at random, and the default window (32 MiB)
    /// spans more small pages than the data TLB holds.
    window: HugePageArray<RestingOrder>,
    mask: u64,
    base: u64,
    overflow: OrderRefMap,
    len: usize,
    /// Orders moved from the window to the overflow map.
    pub spilled: u64,
}

impl OrderStore {
    /// A window of `window_slots` references (rounded up to a power of two)
    /// and room for `long_lived` orders outside it.
    pub fn new(window_slots: usize, long_lived: usize) -> Self {
        let n = window_slots.next_power_of_two().max(64);
        OrderStore {
            window: HugePageArray::new(n),
            mask: n as u64 - 1,
            base: 0,
            overflow: OrderRefMap::with_capacity(long_lived),
            len: 0,
            spilled: 0,
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Orders currently outside the window.
    pub fn long_lived(&self) -> usize {
        self.overflow.len()
    }

    #[inline(always)]
    fn in_window(&self, reference: u64) -> bool {
        reference.wrapping_sub(self.base) <= self.mask
    }

    #[inline(always)]
    fn slot(&self, reference: u64) -> usize {
        (reference & self.mask) as usize
    }

    /// Slides the window so that it ends at or after `reference`.
    #[cold]
    fn slide_to(&mut self, reference: u64) {
        let size = self.mask + 1;
        let quarter = size / 4;
        // The new base: a whole number of quarters, leaving `reference` inside.
        let wanted = reference - self.mask;
        let new_base = wanted.div_ceil(quarter) * quarter;
        let evict_end = new_base.min(self.base + size);
        for r in self.base..evict_end {
            let i = (r & self.mask) as usize;
            let o = std::mem::take(&mut self.window[i]);
            if o.qty != 0 {
                self.overflow.insert(r, o);
                self.spilled += 1;
            }
        }
        self.base = new_base;
    }

    /// Rests `order` under `reference`; returns the order it replaces if the
    /// reference was already live. `order.qty` must be non-zero.
    #[inline]
    pub fn insert(&mut self, reference: u64, order: RestingOrder) -> Option<RestingOrder> {
        debug_assert!(order.qty != 0);
        if reference >= self.base && !self.in_window(reference) {
            self.slide_to(reference);
        }
        if self.in_window(reference) {
            let i = self.slot(reference);
            let old = std::mem::replace(&mut self.window[i], order);
            if old.qty != 0 {
                return Some(old);
            }
            self.len += 1;
            return None;
        }
        let old = self.overflow.remove(reference);
        self.overflow.insert(reference, order);
        if old.is_none() {
            self.len += 1;
        }
        old
    }

    /// Every live order with its reference, in no particular order (for
    /// display: it reads the whole window).
    pub fn iter(&self) -> impl Iterator<Item = (u64, &RestingOrder)> {
        let window = (0..=self.mask).filter_map(|k| {
            let r = self.base.wrapping_add(k);
            let o = &self.window[self.slot(r)];
            (o.qty != 0).then_some((r, o))
        });
        window.chain(self.overflow.iter())
    }

    /// Starts loading where `reference` lives: its window slot, or where
    /// its lookup in the long-lived map begins. A hint; nothing changes.
    #[inline(always)]
    pub fn prefetch(&self, reference: u64) {
        if self.in_window(reference) {
            prefetch_line(&self.window[self.slot(reference)]);
        } else {
            self.overflow.prefetch(reference);
        }
    }

    #[inline]
    pub fn get(&self, reference: u64) -> Option<&RestingOrder> {
        if self.in_window(reference) {
            let o = &self.window[self.slot(reference)];
            return (o.qty != 0).then_some(o);
        }
        self.overflow.get(reference)
    }

    /// Takes `qty` off a live order (it leaves the store when no shares are
    /// left); returns the order as it was and the shares taken.
    #[inline]
    pub fn reduce(&mut self, reference: u64, qty: u32) -> Option<(RestingOrder, u32)> {
        if self.in_window(reference) {
            let i = self.slot(reference);
            let o = &mut self.window[i];
            if o.qty == 0 {
                return None;
            }
            let before = *o;
            let taken = qty.min(o.qty);
            o.qty -= taken;
            if o.qty == 0 {
                self.len -= 1;
            }
            return Some((before, taken));
        }
        let o = self.overflow.get_mut(reference)?;
        let before = *o;
        let taken = qty.min(o.qty);
        o.qty -= taken;
        if o.qty == 0 {
            self.overflow.remove(reference);
            self.len -= 1;
        }
        Some((before, taken))
    }

    #[inline]
    pub fn remove(&mut self, reference: u64) -> Option<RestingOrder> {
        if self.in_window(reference) {
            let i = self.slot(reference);
            let o = std::mem::take(&mut self.window[i]);
            if o.qty == 0 {
                return None;
            }
            self.len -= 1;
            return Some(o);
        }
        let o = self.overflow.remove(reference)?;
        self.len -= 1;
        Some(o)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashMap;

    fn order(qty: u32) -> RestingOrder {
        RestingOrder {
            price: 1,
            qty,
            book: 0,
            side: b'B',
        }
    }

    #[test]
    fn old_orders_move_out_of_the_window_and_stay_reachable() {
        let mut s = OrderStore::new(64, 4);
        s.insert(1, order(5));
        for r in 2..1_000 {
            s.insert(r, order(1));
            s.remove(r);
        }
        assert_eq!(
            s.get(1).map(|o| o.qty),
            Some(5),
            "order 1 outlived the window"
        );
        assert_eq!(s.long_lived(), 1);
        assert_eq!(s.reduce(1, 2).map(|(_, taken)| taken), Some(2));
        assert_eq!(s.get(1).map(|o| o.qty), Some(3), "order 1 is still live");
        assert_eq!(s.remove(1).map(|o| o.qty), Some(3));
        assert!(s.is_empty());
    }

    #[test]
    fn a_jump_far_ahead_spills_everything_live() {
        let mut s = OrderStore::new(64, 4);
        s.insert(10, order(1));
        s.insert(1 << 40, order(2));
        assert_eq!(s.get(10).map(|o| o.qty), Some(1));
        assert_eq!(s.get(1 << 40).map(|o| o.qty), Some(2));
        assert_eq!(s.len(), 2);
    }

    proptest! {
        #[test]
        fn behaves_like_a_hash_map(ops in proptest::collection::vec((0u8..4, 0u64..600, 1u32..5), 0..3_000)) {
            let mut s = OrderStore::new(64, 2);
            let mut model: HashMap<u64, u32> = HashMap::new();
            for (op, r, q) in ops {
                match op {
                    0 => { prop_assert_eq!(s.insert(r, order(q)).map(|o| o.qty), model.insert(r, q)); }
                    1 => { prop_assert_eq!(s.remove(r).map(|o| o.qty), model.remove(&r)); }
                    2 => {
                        let got = s.reduce(r, q).map(|(b, taken)| (b.qty, taken, s.get(r).is_none()));
                        let want = model.get(&r).copied().map(|have| {
                            let taken = q.min(have);
                            (have, taken, have == taken)
                        });
                        if let Some((_, taken, gone)) = want {
                            if gone { model.remove(&r); } else { *model.get_mut(&r).unwrap() -= taken; }
                        }
                        prop_assert_eq!(got, want);
                    }
                    _ => { prop_assert_eq!(s.get(r).map(|o| o.qty), model.get(&r).copied()); }
                }
                prop_assert_eq!(s.len(), model.len());
            }
            let mut listed: Vec<(u64, u32)> = s.iter().map(|(r, o)| (r, o.qty)).collect();
            listed.sort_unstable();
            let mut want: Vec<(u64, u32)> = model.into_iter().collect();
            want.sort_unstable();
            prop_assert_eq!(listed, want);
        }
    }
}
