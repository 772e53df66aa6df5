//! Every symbol's book on one venue, built from that venue's ITCH stream.
//! Symbols are found by stock locate through a flat 65,536-entry index;
//! orders by reference through the [`OrderStore`].

use super::order_ref_map::RestingOrder;
use super::order_store::OrderStore;
use super::symbol_book::SymbolBook;
use crate::wire::itch::ItchMessage;

const NO_BOOK: u32 = u32::MAX;

/// What a message changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BookUpdate {
    None,
    /// The book of `book` changed; `top` when its best bid or ask did.
    Quote {
        book: u32,
        top: bool,
    },
    /// A print on `book` (which may also have changed its quotes).
    Trade {
        book: u32,
        top: bool,
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

/// Sizing of a venue book.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VenueBookSizing {
    /// Reference numbers the direct-mapped window covers.
    pub window_refs: usize,
    /// Long-lived orders (older than the window) before the map grows.
    pub long_lived_orders: usize,
}

impl Default for VenueBookSizing {
    /// A window of 2M references (32 MiB of 16-byte slots, on huge pages):
    /// orders that outlive it move to the long-lived map, whose inserts and
    /// removals cost more than the window's. After the bench's 20M-message
    /// feed a 512K window left 21,961 orders in that map and a 2M window
    /// 668, and decode plus books ran about 11% faster (BENCHMARKS.md,
    /// issue 3, eighteenth session).
    fn default() -> Self {
        VenueBookSizing {
            window_refs: 1 << 21,
            long_lived_orders: 1 << 16,
        }
    }
}

pub struct VenueBook {
    locate_index: Vec<u32>,
    books: Vec<SymbolBook>,
    orders: OrderStore,
    stats: BookStats,
    /// A book other than the one the last message named whose best level
    /// that message changed, or [`NO_BOOK`]: only a feed error does this
    /// (an add reusing the reference of an order resting on another
    /// symbol). See [`VenueBook::take_other_top_change`].
    other_top_change: u32,
}

impl Default for VenueBook {
    fn default() -> Self {
        Self::with_sizing(VenueBookSizing::default())
    }
}

impl VenueBook {
    /// A small book (tests, one-off decodes): a 64k-reference window.
    pub fn new(long_lived_orders: usize) -> Self {
        Self::with_sizing(VenueBookSizing {
            window_refs: 1 << 16,
            long_lived_orders,
        })
    }

    pub fn with_sizing(sizing: VenueBookSizing) -> Self {
        VenueBook {
            locate_index: vec![NO_BOOK; 1 << 16],
            books: Vec::with_capacity(1024),
            orders: OrderStore::new(sizing.window_refs, sizing.long_lived_orders),
            stats: BookStats::default(),
            other_top_change: NO_BOOK,
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

    /// Every live order with its reference, in no particular order (reads
    /// the whole order store: for display, not for the message path).
    pub fn resting_orders(&self) -> impl Iterator<Item = (u64, &RestingOrder)> {
        self.orders.iter()
    }

    /// Live orders older than the direct-mapped window.
    pub fn long_lived_orders(&self) -> usize {
        self.orders.long_lived()
    }

    /// Total price levels across every book.
    pub fn price_levels(&self) -> usize {
        self.books.iter().map(|b| b.bids.len() + b.asks.len()).sum()
    }

    /// The book for `locate`, created on first sight (named by `symbol()`).
    #[inline]
    fn book_index<'a>(&mut self, locate: u16, symbol: impl FnOnce() -> &'a str) -> u32 {
        let slot = self.locate_index[usize::from(locate)];
        if slot != NO_BOOK {
            return slot;
        }
        let mut name = [b' '; 8];
        for (d, c) in name.iter_mut().zip(symbol().bytes()) {
            *d = c;
        }
        let index = self.books.len() as u32;
        self.locate_index[usize::from(locate)] = index;
        self.books.push(SymbolBook::new(locate, name));
        index
    }

    /// The book, other than the one the last applied message named, whose
    /// best level that message changed (a feed error reusing a live order's
    /// reference on another symbol); asking clears it.
    #[inline]
    pub fn take_other_top_change(&mut self) -> Option<u32> {
        if self.other_top_change == NO_BOOK {
            return None;
        }
        Some(std::mem::replace(&mut self.other_top_change, NO_BOOK))
    }

    /// Notes that `changed_book`'s best level changed while the message
    /// named `book`: true when that is `book`'s own change.
    #[inline]
    fn top_changed_in(&mut self, book: u32, changed_book: u32) -> bool {
        if changed_book == book {
            return true;
        }
        self.other_top_change = changed_book;
        false
    }

    /// Rests an order (from an add or a replace). A reference that is still
    /// live replaces its old order rather than double-counting; a zero-share
    /// order rests nothing. Returns whether `book`'s best level changed.
    #[inline]
    fn insert_order(&mut self, book: u32, reference: u64, side: u8, qty: u32, price: u32) -> bool {
        if qty == 0 {
            self.stats.zero_share_orders += 1;
            return match self.remove_order(reference) {
                Some((removed_from, true)) => self.top_changed_in(book, removed_from),
                _ => false,
            };
        }
        let mut top = false;
        if let Some(old) = self.orders.insert(
            reference,
            RestingOrder {
                price,
                qty,
                book,
                side,
            },
        ) {
            self.stats.duplicate_order_refs += 1;
            let changed = self.books[old.book as usize]
                .side_mut(old.side)
                .reduce(old.price, old.qty)
                .unwrap_or(false);
            top = changed && self.top_changed_in(book, old.book);
        }
        top | self.books[book as usize].side_mut(side).add(price, qty)
    }

    /// Removes a live order entirely: its book and whether a best level
    /// changed; `None` if unknown.
    #[inline]
    fn remove_order(&mut self, reference: u64) -> Option<(u32, bool)> {
        let order = self.orders.remove(reference)?;
        let top = self.books[order.book as usize]
            .side_mut(order.side)
            .reduce(order.price, order.qty)
            .unwrap_or(false);
        Some((order.book, top))
    }

    /// Takes `qty` off a resting order (execution or cancel): the order as
    /// it was, the shares taken, and whether a best level changed.
    #[inline]
    fn reduce(&mut self, reference: u64, qty: u32) -> Option<(RestingOrder, u32, bool)> {
        let Some((before, taken)) = self.orders.reduce(reference, qty) else {
            self.stats.unknown_order_refs += 1;
            return None;
        };
        let top = self.books[before.book as usize]
            .side_mut(before.side)
            .reduce(before.price, taken)
            .unwrap_or(false);
        Some((before, taken, top))
    }

    /// Starts loading the order slot `message` names: the order an
    /// execution, cancel, delete or replace changes, or the slot an add
    /// fills. Called for the messages of a packet before the first is
    /// applied, so that the misses of several messages overlap. A hint;
    /// nothing changes. Every type here takes the same step, so the one
    /// branch (does the message name an order?) is predictable. An add's
    /// side header and level are not prefetched: that was a second kind of
    /// step, a branch on add against the rest that a feed's mix makes
    /// unpredictable, and dropping it made decode plus books 5–7% faster
    /// (BENCHMARKS.md, issue 3, eighteenth session). The level of an order
    /// found by reference is not prefetched either: its price is in the
    /// slot, and reading the slot here would wait for the miss this starts.
    #[inline]
    pub fn prefetch(&self, message: &ItchMessage<'_>) {
        let reference = match *message {
            ItchMessage::OrderExecuted(m) => m.order_reference_number(),
            ItchMessage::OrderExecutedWithPrice(m) => m.order_reference_number(),
            ItchMessage::OrderCancel(m) => m.order_reference_number(),
            ItchMessage::OrderDelete(m) => m.order_reference_number(),
            ItchMessage::OrderReplace(m) => m.original_order_reference_number(),
            ItchMessage::AddOrder(m) => m.order_reference_number(),
            ItchMessage::AddOrderMpid(m) => m.order_reference_number(),
            _ => return,
        };
        self.orders.prefetch(reference);
    }

    /// Applies one message and says what changed.
    #[inline(always)]
    pub fn apply(&mut self, message: &ItchMessage<'_>) -> BookUpdate {
        self.stats.messages_applied += 1;
        match *message {
            ItchMessage::AddOrder(m) => {
                let book = self.book_index(m.stock_locate(), || m.stock());
                let top = self.insert_order(
                    book,
                    m.order_reference_number(),
                    m.buy_sell_indicator(),
                    m.shares(),
                    m.price(),
                );
                BookUpdate::Quote { book, top }
            }
            ItchMessage::AddOrderMpid(m) => {
                let book = self.book_index(m.stock_locate(), || m.stock());
                let top = self.insert_order(
                    book,
                    m.order_reference_number(),
                    m.buy_sell_indicator(),
                    m.shares(),
                    m.price(),
                );
                BookUpdate::Quote { book, top }
            }
            ItchMessage::OrderExecuted(m) => {
                match self.reduce(m.order_reference_number(), m.executed_shares()) {
                    Some((o, qty, top)) => {
                        self.books[o.book as usize].record_trade(o.price, qty, m.timestamp_ns());
                        BookUpdate::Trade {
                            book: o.book,
                            top,
                            price: o.price,
                            qty,
                        }
                    }
                    None => BookUpdate::None,
                }
            }
            ItchMessage::OrderExecutedWithPrice(m) => {
                match self.reduce(m.order_reference_number(), m.executed_shares()) {
                    Some((o, qty, top)) if m.printable() == b'Y' => {
                        let price = m.execution_price();
                        self.books[o.book as usize].record_trade(price, qty, m.timestamp_ns());
                        BookUpdate::Trade {
                            book: o.book,
                            top,
                            price,
                            qty,
                        }
                    }
                    Some((o, _, top)) => BookUpdate::Quote { book: o.book, top },
                    None => BookUpdate::None,
                }
            }
            ItchMessage::OrderCancel(m) => {
                match self.reduce(m.order_reference_number(), m.cancelled_shares()) {
                    Some((o, _, top)) => BookUpdate::Quote { book: o.book, top },
                    None => BookUpdate::None,
                }
            }
            ItchMessage::OrderDelete(m) => match self.remove_order(m.order_reference_number()) {
                Some((book, top)) => BookUpdate::Quote { book, top },
                None => {
                    self.stats.unknown_order_refs += 1;
                    BookUpdate::None
                }
            },
            ItchMessage::OrderReplace(m) => {
                match self.orders.remove(m.original_order_reference_number()) {
                    Some(o) => {
                        let mut top = self.books[o.book as usize]
                            .side_mut(o.side)
                            .reduce(o.price, o.qty)
                            .unwrap_or(false);
                        top |= self.insert_order(
                            o.book,
                            m.new_order_reference_number(),
                            o.side,
                            m.shares(),
                            m.price(),
                        );
                        BookUpdate::Quote { book: o.book, top }
                    }
                    None => {
                        self.stats.unknown_order_refs += 1;
                        BookUpdate::None
                    }
                }
            }
            ItchMessage::Trade(m) => {
                let book = self.book_index(m.stock_locate(), || m.stock());
                let (price, qty) = (m.price(), m.shares());
                self.books[book as usize].record_trade(price, qty, m.timestamp_ns());
                BookUpdate::Trade {
                    book,
                    top: false,
                    price,
                    qty,
                }
            }
            ItchMessage::CrossTrade(m) if m.shares() > 0 => {
                let book = self.book_index(m.stock_locate(), || m.stock());
                let price = m.cross_price();
                let qty = m.shares().min(u64::from(u32::MAX)) as u32;
                self.books[book as usize].record_trade(price, qty, m.timestamp_ns());
                BookUpdate::Trade {
                    book,
                    top: false,
                    price,
                    qty,
                }
            }
            ItchMessage::StockDirectory(m) => {
                self.book_index(m.stock_locate(), || m.stock());
                BookUpdate::None
            }
            _ => BookUpdate::None,
        }
    }
}
