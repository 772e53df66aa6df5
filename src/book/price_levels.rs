//! One side of a book: price levels sorted so that the best price is last
//! (bids ascending, asks descending). Activity clusters at the top of the
//! book, so searches scan from the end; the vector keeps its capacity, so
//! after warm-up nothing allocates.
//!
//! A level is its price and aggregate size; it is empty when its size is
//! zero. How many orders rest at a level is not kept here: the books touch
//! half the memory per level without it, and it is counted from the order
//! store when a depth is shown ([`super::level_order_counts`]).

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Level {
    pub price: u32,
    pub qty: u64,
}

#[derive(Clone, Debug, Default)]
pub struct PriceLevels {
    /// Best last.
    levels: Vec<Level>,
    /// True for bids (higher is better).
    bids: bool,
}

impl PriceLevels {
    pub fn bids() -> Self {
        PriceLevels {
            levels: Vec::with_capacity(64),
            bids: true,
        }
    }

    pub fn asks() -> Self {
        PriceLevels {
            levels: Vec::with_capacity(64),
            bids: false,
        }
    }

    /// True when `a` sorts before (is worse than) `b` on this side.
    #[inline(always)]
    fn worse(&self, a: u32, b: u32) -> bool {
        if self.bids {
            a < b
        } else {
            a > b
        }
    }

    /// The index of `price`, or where it would be inserted.
    #[inline]
    fn position(&self, price: u32) -> Result<usize, usize> {
        // Scan a few levels from the top, then fall back to binary search.
        let n = self.levels.len();
        let scan = n.min(8);
        for k in 0..scan {
            let i = n - 1 - k;
            let p = self.levels[i].price;
            if p == price {
                return Ok(i);
            }
            if self.worse(p, price) {
                return Err(i + 1);
            }
        }
        if scan == n {
            return Err(0);
        }
        let upper = n - scan;
        let bids = self.bids;
        self.levels[..upper].binary_search_by(|l| {
            if l.price == price {
                std::cmp::Ordering::Equal
            } else if (bids && l.price < price) || (!bids && l.price > price) {
                std::cmp::Ordering::Less
            } else {
                std::cmp::Ordering::Greater
            }
        })
    }

    /// Adds an order's shares; true when the best level changed.
    #[inline]
    pub fn add(&mut self, price: u32, qty: u32) -> bool {
        let n = self.levels.len();
        match self.position(price) {
            Ok(i) => {
                let l = &mut self.levels[i];
                l.qty += u64::from(qty);
                i + 1 == n
            }
            Err(i) => {
                self.levels.insert(
                    i,
                    Level {
                        price,
                        qty: u64::from(qty),
                    },
                );
                i == n
            }
        }
    }

    /// Removes `qty` at `price`. Returns whether the best level changed, or
    /// `None` if there is no such level (an inconsistent feed).
    #[inline]
    pub fn reduce(&mut self, price: u32, qty: u32) -> Option<bool> {
        let i = self.position(price).ok()?;
        let top = i + 1 == self.levels.len();
        let l = &mut self.levels[i];
        l.qty = l.qty.saturating_sub(u64::from(qty));
        if l.qty == 0 {
            self.levels.remove(i);
        }
        Some(top)
    }

    /// Adds a whole level (`price` must not be present yet).
    pub fn add_level(&mut self, level: Level) {
        match self.position(level.price) {
            Ok(i) => {
                let l = &mut self.levels[i];
                l.qty += level.qty;
            }
            Err(i) => self.levels.insert(i, level),
        }
    }

    #[inline]
    pub fn best(&self) -> Option<Level> {
        self.levels.last().copied()
    }

    /// Levels from the best outward.
    pub fn depth(&self) -> impl Iterator<Item = &Level> {
        self.levels.iter().rev()
    }

    pub fn len(&self) -> usize {
        self.levels.len()
    }

    pub fn is_empty(&self) -> bool {
        self.levels.is_empty()
    }

    pub fn clear(&mut self) {
        self.levels.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn best_bid_is_highest_and_best_ask_lowest() {
        let mut b = PriceLevels::bids();
        let mut a = PriceLevels::asks();
        for p in [100, 105, 95, 103] {
            b.add(p, 10);
            a.add(p, 10);
        }
        assert_eq!(b.best().unwrap().price, 105);
        assert_eq!(a.best().unwrap().price, 95);
        let bid_prices: Vec<u32> = b.depth().map(|l| l.price).collect();
        assert_eq!(bid_prices, [105, 103, 100, 95]);
    }

    #[test]
    fn orders_at_one_price_aggregate_and_levels_vanish_when_empty() {
        let mut b = PriceLevels::bids();
        b.add(100, 10);
        b.add(100, 5);
        assert_eq!(
            b.best(),
            Some(Level {
                price: 100,
                qty: 15
            })
        );
        assert_eq!(b.reduce(100, 10), Some(true));
        assert_eq!(b.best(), Some(Level { price: 100, qty: 5 }));
        assert_eq!(b.reduce(100, 5), Some(true));
        assert!(b.is_empty());
        assert_eq!(b.reduce(100, 1), None);
    }

    #[test]
    fn changes_report_whether_the_best_level_moved() {
        let mut b = PriceLevels::bids();
        assert!(b.add(100, 1), "first level is the best");
        assert!(!b.add(99, 1), "a worse level");
        assert!(b.add(101, 1), "a better level");
        assert!(b.add(101, 1), "more size at the best");
        assert_eq!(b.reduce(99, 1), Some(false));
        assert_eq!(b.reduce(101, 2), Some(true));
    }

    #[test]
    fn deep_books_stay_sorted() {
        let mut a = PriceLevels::asks();
        for p in (0..200u32).map(|i| (i * 7919) % 1000) {
            a.add(p + 1, 1);
        }
        let prices: Vec<u32> = a.depth().map(|l| l.price).collect();
        assert!(prices.windows(2).all(|w| w[0] < w[1]));
    }
}
