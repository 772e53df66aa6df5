//! Every symbol's book on one venue, built from that venue's ITCH stream.
//! Symbols are found by stock locate through a flat 65,536-entry index;
//! orders by reference through [`OrderRefMap`].

use super::order_ref_map::{OrderRefMap, RestingOrder};
use super::symbol_book::SymbolBook;
use crate::wire::itch::ItchMessage;

const NO_BOOK: u32 = u32::MAX;

/// What a message changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BookUpdate {
    None,
    /// The book of `book` changed (possibly its BBO).
    Quote {
        book: u32,
    },
    /// A print on `book` (which may also have changed its quotes).
    Trade {
        book: u32,
        price: u32,
        qty: u32,
    },
}

/// Feed inconsistencies the book tolerated.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BookStats {
    /// Executions, cancels, deletes or replaces of an order not in the book
    /// (e.g. after a sequence gap or when joining mid-day).
    pub unknown_order_refs: u64,
    /// Adds whose reference was already live.
    pub duplicate_order_refs: u64,
    /// Adds or replaces for zero shares (nothing rests).
    pub zero_share_orders: u64,
    pub messages_applied: u64,
}

pub struct VenueBook {
    locate_index: Vec<u32>,
    books: Vec<SymbolBook>,
    orders: OrderRefMap,
    stats: BookStats,
}

impl Default for VenueBook {
    fn default() -> Self {
        Self::new(1 << 16)
    }
}

impl VenueBook {
    /// A venue book sized for `live_orders` resting orders before growing.
    pub fn new(live_orders: usize) -> Self {
        VenueBook {
            locate_index: vec![NO_BOOK; 1 << 16],
            books: Vec::with_capacity(1024),
            orders: OrderRefMap::with_capacity(live_orders),
            stats: BookStats::default(),
        }
    }

    pub fn books(&self) -> &[SymbolBook] {
        &self.books
    }

    pub fn book(&self, index: u32) -> Option<&SymbolBook> {
        self.books.get(index as usize)
    }

    pub fn book_by_locate(&self, locate: u16) -> Option<&SymbolBook> {
        self.book(self.locate_index[usize::from(locate)])
    }

    pub fn book_index_of_locate(&self, locate: u16) -> Option<u32> {
        let b = self.locate_index[usize::from(locate)];
        (b != NO_BOOK).then_some(b)
    }

    pub fn book_by_symbol(&self, symbol: &str) -> Option<&SymbolBook> {
        self.books.iter().find(|b| b.symbol_str() == symbol)
    }

    pub fn stats(&self) -> BookStats {
        self.stats
    }

    pub fn live_orders(&self) -> usize {
        self.orders.len()
    }

    /// The book for `locate`, created on first sight (named by `symbol`).
    #[inline]
    fn book_index(&mut self, locate: u16, symbol: Option<&str>) -> u32 {
        let slot = &mut self.locate_index[usize::from(locate)];
        if *slot != NO_BOOK {
            return *slot;
        }
        let mut name = [b' '; 8];
        if let Some(s) = symbol {
            for (d, c) in name.iter_mut().zip(s.bytes()) {
                *d = c;
            }
        }
        *slot = self.books.len() as u32;
        self.books.push(SymbolBook::new(locate, name));
        *slot
    }

    #[inline]
    fn add(
        &mut self,
        locate: u16,
        symbol: &str,
        reference: u64,
        side: u8,
        qty: u32,
        price: u32,
    ) -> BookUpdate {
        let book = self.book_index(locate, Some(symbol));
        self.insert_order(book, reference, side, qty, price);
        BookUpdate::Quote { book }
    }

    /// Rests an order (from an add or a replace). A reference that is still
    /// live replaces its old order rather than double-counting; a zero-share
    /// order rests nothing.
    #[inline]
    fn insert_order(&mut self, book: u32, reference: u64, side: u8, qty: u32, price: u32) {
        if let Some(old) = self.orders.remove(reference) {
            self.stats.duplicate_order_refs += 1;
            self.books[old.book as usize]
                .side_mut(old.side)
                .reduce(old.price, old.qty, true);
        }
        if qty == 0 {
            self.stats.zero_share_orders += 1;
            return;
        }
        self.orders.insert(
            reference,
            RestingOrder {
                price,
                qty,
                book,
                side,
            },
        );
        self.books[book as usize].side_mut(side).add(price, qty);
    }

    /// Takes `qty` off a resting order (execution or cancel).
    #[inline]
    fn reduce(&mut self, reference: u64, qty: u32) -> Option<RestingOrder> {
        let Some(order) = self.orders.get_mut(reference) else {
            self.stats.unknown_order_refs += 1;
            return None;
        };
        let taken = qty.min(order.qty);
        order.qty -= taken;
        let before = *order;
        let gone = order.qty == 0;
        if gone {
            self.orders.remove(reference);
        }
        self.books[before.book as usize]
            .side_mut(before.side)
            .reduce(before.price, taken, gone);
        Some(before)
    }

    #[inline]
    fn delete(&mut self, reference: u64) -> Option<RestingOrder> {
        let Some(order) = self.orders.remove(reference) else {
            self.stats.unknown_order_refs += 1;
            return None;
        };
        self.books[order.book as usize]
            .side_mut(order.side)
            .reduce(order.price, order.qty, true);
        Some(order)
    }

    /// Applies one message and says what changed.
    #[inline]
    pub fn apply(&mut self, message: &ItchMessage<'_>) -> BookUpdate {
        self.stats.messages_applied += 1;
        match message {
            ItchMessage::AddOrder(m) => self.add(
                m.stock_locate(),
                m.stock(),
                m.order_reference_number(),
                m.buy_sell_indicator(),
                m.shares(),
                m.price(),
            ),
            ItchMessage::AddOrderMpid(m) => self.add(
                m.stock_locate(),
                m.stock(),
                m.order_reference_number(),
                m.buy_sell_indicator(),
                m.shares(),
                m.price(),
            ),
            ItchMessage::OrderExecuted(m) => {
                match self.reduce(m.order_reference_number(), m.executed_shares()) {
                    Some(o) => {
                        let qty = m.executed_shares();
                        self.books[o.book as usize].record_trade(o.price, qty, m.timestamp_ns());
                        BookUpdate::Trade {
                            book: o.book,
                            price: o.price,
                            qty,
                        }
                    }
                    None => BookUpdate::None,
                }
            }
            ItchMessage::OrderExecutedWithPrice(m) => {
                match self.reduce(m.order_reference_number(), m.executed_shares()) {
                    Some(o) if m.printable() == b'Y' => {
                        let (price, qty) = (m.execution_price(), m.executed_shares());
                        self.books[o.book as usize].record_trade(price, qty, m.timestamp_ns());
                        BookUpdate::Trade {
                            book: o.book,
                            price,
                            qty,
                        }
                    }
                    Some(o) => BookUpdate::Quote { book: o.book },
                    None => BookUpdate::None,
                }
            }
            ItchMessage::OrderCancel(m) => {
                match self.reduce(m.order_reference_number(), m.cancelled_shares()) {
                    Some(o) => BookUpdate::Quote { book: o.book },
                    None => BookUpdate::None,
                }
            }
            ItchMessage::OrderDelete(m) => match self.delete(m.order_reference_number()) {
                Some(o) => BookUpdate::Quote { book: o.book },
                None => BookUpdate::None,
            },
            ItchMessage::OrderReplace(m) => {
                match self.delete(m.original_order_reference_number()) {
                    Some(o) => {
                        let reference = m.new_order_reference_number();
                        self.insert_order(o.book, reference, o.side, m.shares(), m.price());
                        BookUpdate::Quote { book: o.book }
                    }
                    None => BookUpdate::None,
                }
            }
            ItchMessage::Trade(m) => {
                let book = self.book_index(m.stock_locate(), Some(m.stock()));
                let (price, qty) = (m.price(), m.shares());
                self.books[book as usize].record_trade(price, qty, m.timestamp_ns());
                BookUpdate::Trade { book, price, qty }
            }
            ItchMessage::CrossTrade(m) if m.shares() > 0 => {
                let book = self.book_index(m.stock_locate(), Some(m.stock()));
                let price = m.cross_price();
                let qty = m.shares().min(u64::from(u32::MAX)) as u32;
                self.books[book as usize].record_trade(price, qty, m.timestamp_ns());
                BookUpdate::Trade { book, price, qty }
            }
            ItchMessage::StockDirectory(m) => {
                self.book_index(m.stock_locate(), Some(m.stock()));
                BookUpdate::None
            }
            _ => BookUpdate::None,
        }
    }
}
