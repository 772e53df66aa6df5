//! Resting orders by ITCH order reference number: open addressing with
//! linear probing and backward-shift deletion (no tombstones), so lookups
//! stay short however many orders come and go. Grows by doubling at 50%
//! load; after warm-up no message allocates.

use super::cache_prefetch::prefetch_line;

/// What the book remembers about one resting order.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RestingOrder {
    pub price: u32,
    pub qty: u32,
    /// Index of the symbol's book.
    pub book: u32,
    pub side: u8,
}

#[derive(Clone, Copy, Default)]
struct Slot {
    /// Order reference + 1; 0 marks an empty slot.
    key: u64,
    order: RestingOrder,
}

pub struct OrderRefMap {
    slots: Vec<Slot>,
    mask: usize,
    len: usize,
}

#[inline(always)]
fn hash(key: u64) -> u64 {
    // Fibonacci hashing; order references are near-sequential, which this
    // spreads evenly.
    key.wrapping_mul(0x9e37_79b9_7f4a_7c15)
}

impl Default for OrderRefMap {
    fn default() -> Self {
        Self::with_capacity(1 << 16)
    }
}

impl OrderRefMap {
    /// Room for `orders` live orders before the first growth.
    pub fn with_capacity(orders: usize) -> Self {
        let slots = (orders * 2).next_power_of_two().max(16);
        OrderRefMap {
            slots: vec![Slot::default(); slots],
            mask: slots - 1,
            len: 0,
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    #[inline(always)]
    fn home(&self, key: u64) -> usize {
        (hash(key) >> 20) as usize & self.mask
    }

    #[inline]
    fn find(&self, reference: u64) -> Option<usize> {
        let key = reference.wrapping_add(1);
        let mut i = self.home(key);
        loop {
            let k = self.slots[i].key;
            if k == key {
                return Some(i);
            }
            if k == 0 {
                return None;
            }
            i = (i + 1) & self.mask;
        }
    }

    /// Starts loading the slot where a lookup of `reference` begins. A
    /// hint; nothing changes.
    #[inline(always)]
    pub fn prefetch(&self, reference: u64) {
        prefetch_line(&self.slots[self.home(reference.wrapping_add(1))]);
    }

    #[inline]
    pub fn get(&self, reference: u64) -> Option<&RestingOrder> {
        self.find(reference).map(|i| &self.slots[i].order)
    }

    #[inline]
    pub fn get_mut(&mut self, reference: u64) -> Option<&mut RestingOrder> {
        self.find(reference).map(|i| &mut self.slots[i].order)
    }

    /// Inserts or overwrites. Reference `u64::MAX` cannot be stored (its
    /// key would be the empty marker) and is refused.
    #[inline]
    pub fn insert(&mut self, reference: u64, order: RestingOrder) -> bool {
        if reference == u64::MAX {
            return false;
        }
        if (self.len + 1) * 2 > self.slots.len() {
            self.grow();
        }
        let key = reference + 1;
        let mut i = self.home(key);
        loop {
            let k = self.slots[i].key;
            if k == 0 {
                self.slots[i] = Slot { key, order };
                self.len += 1;
                return true;
            }
            if k == key {
                self.slots[i].order = order;
                return true;
            }
            i = (i + 1) & self.mask;
        }
    }

    /// Removes and returns the order.
    #[inline]
    pub fn remove(&mut self, reference: u64) -> Option<RestingOrder> {
        let mut hole = self.find(reference)?;
        let removed = self.slots[hole].order;
        self.len -= 1;
        // Backward-shift: pull later entries of the probe run into the hole
        // when the hole lies between their home and their position.
        let mut i = hole;
        loop {
            i = (i + 1) & self.mask;
            let k = self.slots[i].key;
            if k == 0 {
                break;
            }
            let home = self.home(k);
            let dist_home_to_i = i.wrapping_sub(home) & self.mask;
            let dist_hole_to_i = i.wrapping_sub(hole) & self.mask;
            if dist_hole_to_i <= dist_home_to_i {
                self.slots[hole] = self.slots[i];
                hole = i;
            }
        }
        self.slots[hole] = Slot::default();
        Some(removed)
    }

    /// Every order with its reference, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = (u64, &RestingOrder)> {
        self.slots
            .iter()
            .filter(|s| s.key != 0)
            .map(|s| (s.key - 1, &s.order))
    }

    fn grow(&mut self) {
        let old = std::mem::take(&mut self.slots);
        let n = old.len() * 2;
        self.slots = vec![Slot::default(); n];
        self.mask = n - 1;
        self.len = 0;
        for s in old.into_iter().filter(|s| s.key != 0) {
            self.insert(s.key - 1, s.order);
        }
    }

    pub fn clear(&mut self) {
        self.slots.iter_mut().for_each(|s| *s = Slot::default());
        self.len = 0;
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
    fn insert_get_remove() {
        let mut m = OrderRefMap::with_capacity(4);
        assert!(m.insert(0, order(1)));
        assert!(m.insert(42, order(2)));
        assert_eq!(m.get(42).unwrap().qty, 2);
        m.get_mut(42).unwrap().qty = 5;
        assert_eq!(m.remove(42).unwrap().qty, 5);
        assert!(m.get(42).is_none());
        assert_eq!(m.len(), 1);
        assert!(!m.insert(u64::MAX, order(1)));
    }

    proptest! {
        #[test]
        fn behaves_like_a_hash_map(ops in proptest::collection::vec((0u8..3, 0u64..64), 0..2_000)) {
            let mut m = OrderRefMap::with_capacity(2);
            let mut model = HashMap::new();
            for (i, (op, key)) in ops.into_iter().enumerate() {
                match op {
                    0 => { m.insert(key, order(i as u32)); model.insert(key, i as u32); }
                    1 => { prop_assert_eq!(m.remove(key).map(|o| o.qty), model.remove(&key)); }
                    _ => { prop_assert_eq!(m.get(key).map(|o| o.qty), model.get(&key).copied()); }
                }
                prop_assert_eq!(m.len(), model.len());
            }
            for (k, v) in &model {
                prop_assert_eq!(m.get(*k).map(|o| o.qty), Some(*v));
            }
            let mut listed: Vec<(u64, u32)> = m.iter().map(|(r, o)| (r, o.qty)).collect();
            listed.sort_unstable();
            let mut want: Vec<(u64, u32)> = model.into_iter().collect();
            want.sort_unstable();
            prop_assert_eq!(listed, want);
        }
    }
}
