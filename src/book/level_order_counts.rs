//! How many orders rest at each price level of one venue's books, counted
//! from the venue's order store when a depth is shown.
//!
//! The ladders keep only each level's aggregate size: every message touches
//! one level, and a 4-byte level instead of an 8-byte one (size and order
//! count) halves the memory the books keep hot. The count is still exact:
//! the order store holds every live order with its book, side and price, so
//! one pass over it gives every level's count. That pass reads the whole
//! store (milliseconds), which is right for a display and wrong for the
//! message path.

use super::price_ladder::PriceLadder;
use super::venue_book::VenueBook;
use std::collections::HashMap;

/// One level of a displayed depth.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DepthLevel {
    pub price: u32,
    /// Aggregate size in shares.
    pub qty: u64,
    /// Orders resting at the price.
    pub orders: u32,
}

/// Order counts by (book index, bid side, price).
#[derive(Clone, Debug, Default)]
pub struct LevelOrderCounts {
    counts: HashMap<(u32, bool, u32), u32>,
}

impl LevelOrderCounts {
    /// Counts every live order of `venue`.
    pub fn of(venue: &VenueBook) -> Self {
        let mut counts = HashMap::new();
        for (_, o) in venue.resting_orders() {
            *counts.entry((o.book, o.side == b'B', o.price)).or_insert(0) += 1;
        }
        LevelOrderCounts { counts }
    }

    /// Orders resting at `price` on one side of book `book`.
    pub fn orders_at(&self, book: u32, bids: bool, price: u32) -> u32 {
        self.counts.get(&(book, bids, price)).copied().unwrap_or(0)
    }

    /// `side`'s levels from the best outward, with their order counts;
    /// `book` is the index of the side's symbol book in the venue.
    pub fn depth<'a>(
        &'a self,
        book: u32,
        side: &'a PriceLadder,
    ) -> impl Iterator<Item = DepthLevel> + 'a {
        let bids = side.is_bids();
        side.depth().map(move |l| DepthLevel {
            price: l.price,
            qty: l.qty,
            orders: self.orders_at(book, bids, l.price),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::itch_encoder::{add_order, order_delete, Header};
    use crate::wire::itch::ItchMessage;

    const H: Header = Header {
        locate: 7,
        tracking: 0,
        timestamp_ns: 0,
    };

    fn add(reference: u64, side: u8, shares: u32, price: u32) -> Vec<u8> {
        let mut m = Vec::new();
        add_order(&mut m, H, reference, side, shares, "TEST", price);
        m
    }

    fn delete(reference: u64) -> Vec<u8> {
        let mut m = Vec::new();
        order_delete(&mut m, H, reference);
        m
    }

    #[test]
    fn each_level_counts_the_orders_resting_at_its_price_on_its_side() {
        let mut venue = VenueBook::new(4);
        for m in [
            add(1, b'B', 100, 1_000_000),
            add(2, b'B', 200, 1_000_000),
            add(3, b'B', 300, 999_900),
            add(4, b'S', 50, 1_000_000),
            add(5, b'S', 60, 1_000_100),
            delete(2),
        ] {
            venue.apply(&ItchMessage::parse(&m).unwrap());
        }
        let counts = LevelOrderCounts::of(&venue);
        let index = venue.book_index_of_locate(7).unwrap();
        let book = venue.book(index).unwrap();
        let bids: Vec<DepthLevel> = counts.depth(index, &book.bids).collect();
        let asks: Vec<DepthLevel> = counts.depth(index, &book.asks).collect();
        let level = |price, qty, orders| DepthLevel { price, qty, orders };
        assert_eq!(
            bids,
            [level(1_000_000, 100, 1), level(999_900, 300, 1)],
            "the deleted order is not counted"
        );
        assert_eq!(
            asks,
            [level(1_000_000, 50, 1), level(1_000_100, 60, 1)],
            "an ask at a bid's price is counted on its own side"
        );
    }
}
