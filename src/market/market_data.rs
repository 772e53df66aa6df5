//! The market as the appliance sees it: one ITCH session per venue, each
//! with its own books; a consolidated view per symbol (NBBO, locked/crossed,
//! last trade across venues); and each symbol's market state (trading state,
//! LULD reference price and bands, auction collars, realized volatility),
//! the market-wide circuit breaker, and each venue's health (stale after an
//! unrecovered gap; silent for too long).
//!
//! Venues are told apart by MoldUDP64 session id; sessions not named in the
//! configuration become venues named after their session id. Symbols are
//! matched across venues by name (stock locate codes are per venue).

use super::luld::LuldParams;
use super::market_state::{AuctionCollar, CircuitBreaker, SymbolMarket};
use super::nbbo::{MarketCondition, Nbbo};
use crate::book::level_order_counts::{DepthLevel, LevelOrderCounts};
use crate::book::symbol_book::{SymbolBook, Trade};
use crate::book::venue_book::{BookUpdate, VenueBook, VenueBookSizing};
use crate::feed::frame_decoder::{MessageOrigin, SessionEvent};
use crate::feed::message_sink::MessageSink;
use crate::ipc::ring_messages::{symbol_bytes, symbol_str};
use crate::wire::itch::ItchMessage;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::rc::Rc;

pub const MAX_VENUES: usize = 8;
const NO_BOOK: u32 = u32::MAX;
const NO_SYMBOL: u32 = u32::MAX;

/// Market-data settings.
#[derive(Clone, Debug, Default)]
pub struct MarketDataConfig {
    /// Venue names by MoldUDP64 session id, e.g. ("NASDAQ", *b"000010059B").
    pub venues: Vec<(String, [u8; 10])>,
    /// Prior closes (Price(4)) by symbol; others start from their first trade.
    pub prior_closes: HashMap<String, u32>,
    pub luld: LuldParams,
    /// Tier assumed until a stock directory message says otherwise.
    pub default_tier: u8,
    /// Order-store sizing for each venue's book.
    pub book_sizing: VenueBookSizing,
}

pub struct VenueFeed {
    pub name: String,
    pub session: [u8; 10],
    pub book: VenueBook,
    /// Book index → symbol id.
    book_symbol: Vec<u32>,
    /// After an unrecovered gap (or while recovering): its books may be wrong.
    pub stale: bool,
    pub recovering: bool,
    pub gaps: u64,
    pub last_message_ns: u64,
    pub messages: u64,
}

/// A market event one message raised. Its details are in the market state
/// as the message left it, where each variant says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MarketEvent {
    None,
    /// An `H` message set the symbol's trading state:
    /// [`SymbolMarket::status`] holds the state, the one before and the
    /// reason.
    TradingAction,
    /// A `W` message announced a breach: [`CircuitBreaker::announced`].
    CircuitBreaker,
    /// A `J` message announced an auction collar: [`SymbolMarket::collar`].
    LuldCollar,
    /// A trade moved the LULD reference price: [`SymbolMarket::luld`]
    /// holds the reference and the bands.
    LuldBands,
    /// The consolidated market became locked or crossed:
    /// [`SymbolMarket::condition`].
    Condition,
}

/// What one message changed: which symbol, whether its quotes or last
/// trade did, and the event it raised. Twelve bytes, returned in
/// registers: the details are in the market state it names
/// ([`MarketData::symbol`]), so a consumer reads only what it needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MarketUpdate {
    /// The symbol the message concerned, if any.
    pub symbol: Option<u32>,
    /// The symbol's book or consolidated quote may have changed.
    pub quote: bool,
    /// A print: [`SymbolMarket::last_trade`].
    pub trade: bool,
    pub event: MarketEvent,
}

// The size the documentation above promises.
const _: () = assert!(std::mem::size_of::<MarketUpdate>() == 12);

impl MarketUpdate {
    const NONE: MarketUpdate = MarketUpdate {
        symbol: None,
        quote: false,
        trade: false,
        event: MarketEvent::None,
    };
}

pub struct MarketData {
    config: MarketDataConfig,
    venues: Vec<VenueFeed>,
    session_venue: Vec<usize>,
    symbol_ids: HashMap<[u8; 8], u32>,
    symbols: Vec<SymbolMarket>,
    /// Per symbol, its book index in each venue.
    venue_books: Vec<[u32; MAX_VENUES]>,
    pub circuit_breaker: CircuitBreaker,
    /// Feed time of the latest message on any venue.
    pub feed_time_ns: u64,
}

impl Default for MarketData {
    fn default() -> Self {
        Self::new(MarketDataConfig {
            default_tier: 2,
            ..Default::default()
        })
    }
}

impl MarketData {
    pub fn new(config: MarketDataConfig) -> Self {
        MarketData {
            config,
            venues: Vec::new(),
            session_venue: Vec::new(),
            symbol_ids: HashMap::new(),
            symbols: Vec::new(),
            venue_books: Vec::new(),
            circuit_breaker: CircuitBreaker::default(),
            feed_time_ns: 0,
        }
    }

    pub fn venues(&self) -> &[VenueFeed] {
        &self.venues
    }

    pub fn symbol_count(&self) -> usize {
        self.symbols.len()
    }

    pub fn symbol(&self, id: u32) -> &SymbolMarket {
        &self.symbols[id as usize]
    }

    pub fn symbol_id(&self, name: &str) -> Option<u32> {
        self.symbol_ids.get(&symbol_bytes(name)).copied()
    }

    pub fn live_orders(&self) -> usize {
        self.venues.iter().map(|v| v.book.live_orders()).sum()
    }

    pub fn unknown_order_refs(&self) -> u64 {
        self.venues
            .iter()
            .map(|v| v.book.stats().unknown_order_refs)
            .sum()
    }

    /// The symbol's book on `venue`, if the venue has one.
    pub fn venue_book(&self, symbol: u32, venue: usize) -> Option<&SymbolBook> {
        let b = *self.venue_books.get(symbol as usize)?.get(venue)?;
        (b != NO_BOOK)
            .then(|| self.venues[venue].book.book(b))
            .flatten()
    }

    /// True when any venue is stale or has been silent for `max_silence_ns`
    /// of feed time while another venue spoke.
    pub fn feed_degraded(&self, max_silence_ns: u64) -> bool {
        self.venues.iter().any(|v| {
            v.stale || self.feed_time_ns.saturating_sub(v.last_message_ns) > max_silence_ns
        })
    }

    #[inline]
    fn venue_for_session(&mut self, session_index: usize, session: Option<&[u8; 10]>) -> usize {
        if let Some(&v) = self.session_venue.get(session_index) {
            return v;
        }
        self.add_venues(session_index, session)
    }

    #[cold]
    fn add_venues(&mut self, session_index: usize, session: Option<&[u8; 10]>) -> usize {
        while self.session_venue.len() <= session_index {
            let id = session.copied().unwrap_or([0; 10]);
            let name = self
                .config
                .venues
                .iter()
                .find(|(_, s)| *s == id)
                .map(|(n, _)| n.clone())
                .unwrap_or_else(|| {
                    let text = String::from_utf8_lossy(&id)
                        .trim_matches(char::from(0))
                        .trim()
                        .to_string();
                    if text.is_empty() {
                        format!("venue{}", self.venues.len())
                    } else {
                        text
                    }
                });
            let venue = self.venues.len().min(MAX_VENUES - 1);
            if self.venues.len() < MAX_VENUES {
                self.venues.push(VenueFeed {
                    name,
                    session: id,
                    book: VenueBook::with_sizing(self.config.book_sizing),
                    book_symbol: Vec::new(),
                    stale: false,
                    recovering: false,
                    gaps: 0,
                    last_message_ns: 0,
                    messages: 0,
                });
            }
            self.session_venue.push(venue);
        }
        self.session_venue[session_index]
    }

    /// Names venues after the decoder's sessions (configured names first,
    /// else the session id). Cheap when no session is new.
    pub fn sync_sessions(&mut self, sessions: &[crate::feed::mold_session::MoldSession]) {
        for (i, s) in sessions.iter().enumerate() {
            let v = self.venue_for_session(i, Some(&s.id));
            let venue = &mut self.venues[v];
            if venue.session != s.id {
                venue.session = s.id;
                venue.name = self
                    .config
                    .venues
                    .iter()
                    .find(|(_, id)| *id == s.id)
                    .map_or_else(
                        || {
                            let text = String::from_utf8_lossy(&s.id)
                                .trim_matches(char::from(0))
                                .trim()
                                .to_string();
                            if text.is_empty() {
                                format!("venue{v}")
                            } else {
                                text
                            }
                        },
                        |(n, _)| n.clone(),
                    );
            }
        }
    }

    fn symbol_for_name(&mut self, name: &str) -> u32 {
        let key = symbol_bytes(name);
        if let Some(&id) = self.symbol_ids.get(&key) {
            return id;
        }
        let id = self.symbols.len() as u32;
        let prior = self.config.prior_closes.get(name).copied().unwrap_or(0);
        self.symbols
            .push(SymbolMarket::new(key, self.config.default_tier, prior));
        self.venue_books.push([NO_BOOK; MAX_VENUES]);
        self.symbol_ids.insert(key, id);
        id
    }

    /// The symbol of book `book` on `venue`.
    #[inline]
    fn symbol_of_book(&mut self, venue: usize, book: u32) -> u32 {
        match self.venues[venue].book_symbol.get(book as usize) {
            Some(&s) if s != NO_SYMBOL => s,
            _ => self.bind_book(venue, book),
        }
    }

    #[cold]
    fn bind_book(&mut self, venue: usize, book: u32) -> u32 {
        let name = self.venues[venue]
            .book
            .book(book)
            .map(|b| b.symbol_str().to_string())
            .unwrap_or_default();
        let s = self.symbol_for_name(&name);
        let map = &mut self.venues[venue].book_symbol;
        if map.len() <= book as usize {
            map.resize(book as usize + 1, NO_SYMBOL);
        }
        map[book as usize] = s;
        self.venue_books[s as usize][venue] = book;
        s
    }

    fn symbol_of_locate(&mut self, venue: usize, locate: u16, name: &str) -> u32 {
        match self.venues[venue].book.book_index_of_locate(locate) {
            Some(b) => self.symbol_of_book(venue, b),
            None => self.symbol_for_name(name),
        }
    }

    fn refresh_nbbo(&mut self, symbol: u32) -> MarketEvent {
        let books = self.venue_books[symbol as usize];
        let venues = &self.venues;
        let quotes = books[..venues.len()]
            .iter()
            .enumerate()
            .filter_map(|(v, &b)| {
                if b == NO_BOOK || venues[v].stale {
                    return None;
                }
                let book = venues[v].book.book(b)?;
                Some((
                    v as u8,
                    book.best_bid().map(|l| (l.price, l.qty)),
                    book.best_ask().map(|l| (l.price, l.qty)),
                ))
            });
        let nbbo = Nbbo::from_venues(quotes);
        let m = &mut self.symbols[symbol as usize];
        m.nbbo = nbbo;
        let condition = nbbo.condition();
        let changed = condition != m.condition;
        m.condition = condition;
        if changed
            && matches!(
                condition,
                MarketCondition::Locked | MarketCondition::Crossed
            )
        {
            if condition == MarketCondition::Locked {
                m.locked_events += 1;
            } else {
                m.crossed_events += 1;
            }
            return MarketEvent::Condition;
        }
        MarketEvent::None
    }

    fn on_trade(
        &mut self,
        symbol: u32,
        venue: usize,
        price: u32,
        qty: u32,
        time_ns: u64,
    ) -> MarketEvent {
        let params = self.config.luld;
        let m = &mut self.symbols[symbol as usize];
        m.last_trade = Some(Trade {
            price,
            qty,
            time_ns,
        });
        m.volume += u64::from(qty);
        m.last_trade_venue = venue as u8;
        m.volatility.on_trade(price, time_ns);
        if m.luld.on_trade(price, time_ns, &params) {
            MarketEvent::LuldBands
        } else {
            MarketEvent::None
        }
    }

    /// Starts loading what `message` from session `session_index` will
    /// touch in its venue's books ([`VenueBook::prefetch`]). A hint;
    /// nothing changes.
    #[inline]
    pub fn prefetch(&self, session_index: usize, message: &ItchMessage<'_>) {
        if let Some(&venue) = self.session_venue.get(session_index) {
            self.venues[venue].book.prefetch(message);
        }
    }

    /// Applies a run of messages from session `session_index` (a packet's,
    /// say) in order, calling `each` with every message's update: the same
    /// as [`MarketData::on_message`] on each in turn, except that every
    /// message's cache misses are started before the first is applied, so
    /// that they overlap instead of following one another. `each` sees the
    /// market as that message left it (where an update's details are).
    #[inline]
    pub fn on_messages<'a>(
        &mut self,
        session_index: usize,
        messages: &[ItchMessage<'a>],
        mut each: impl FnMut(&MarketData, &ItchMessage<'a>, MarketUpdate),
    ) {
        let venue = self.venue_for_session(session_index, None);
        let book = &self.venues[venue].book;
        for m in messages {
            book.prefetch(m);
        }
        for m in messages {
            let update = self.apply(venue, m);
            each(self, m, update);
        }
    }

    /// Applies one message from session `session_index`.
    #[inline]
    pub fn on_message(&mut self, session_index: usize, message: &ItchMessage<'_>) -> MarketUpdate {
        let venue = self.venue_for_session(session_index, None);
        self.apply(venue, message)
    }

    /// Applies one message from venue `venue` (an index into `venues`).
    #[inline(always)]
    fn apply(&mut self, venue: usize, message: &ItchMessage<'_>) -> MarketUpdate {
        let time_ns = message.timestamp_ns();
        self.feed_time_ns = self.feed_time_ns.max(time_ns);
        let v = &mut self.venues[venue];
        v.last_message_ns = time_ns;
        v.messages += 1;
        let (book, top, trade) = match v.book.apply(message) {
            BookUpdate::Quote { book, top } => (book, top, None),
            BookUpdate::Trade {
                book,
                top,
                price,
                qty,
            } => (book, top, Some((price, qty))),
            BookUpdate::None => return self.on_other_message(venue, time_ns, message),
        };
        if let Some(other) = v.book.take_other_top_change() {
            self.refresh_other_book(venue, other);
        }
        let symbol = self.symbol_of_book(venue, book);
        // Only a change at the top of a venue's book moves the NBBO.
        let mut event = if top {
            self.refresh_nbbo(symbol)
        } else {
            MarketEvent::None
        };
        if let Some((price, qty)) = trade {
            let luld = self.on_trade(symbol, venue, price, qty, time_ns);
            if luld != MarketEvent::None {
                event = luld;
            }
        }
        MarketUpdate {
            symbol: Some(symbol),
            quote: true,
            trade: trade.is_some(),
            event,
        }
    }

    /// The NBBO of the symbol of `book` on `venue`, whose best level a
    /// message naming another book changed (a feed error). A locked or
    /// crossed market it makes is counted in that symbol's state; the
    /// message's update names the symbol the message named.
    #[cold]
    fn refresh_other_book(&mut self, venue: usize, book: u32) {
        let symbol = self.symbol_of_book(venue, book);
        self.refresh_nbbo(symbol);
    }

    /// A message that changed no book: symbol directory and trading state,
    /// LULD collars, the circuit breaker.
    #[inline(never)]
    fn on_other_message(
        &mut self,
        venue: usize,
        time_ns: u64,
        message: &ItchMessage<'_>,
    ) -> MarketUpdate {
        match message {
            ItchMessage::StockDirectory(m) => {
                let symbol = self.symbol_of_locate(venue, m.stock_locate(), m.stock());
                let tier = match m.luld_reference_price_tier() {
                    b'1' => 1,
                    b'2' => 2,
                    _ => 0,
                };
                let s = &mut self.symbols[symbol as usize];
                if tier != 0 {
                    s.luld.tier = tier;
                    s.tier_known = true;
                }
                MarketUpdate {
                    symbol: Some(symbol),
                    ..MarketUpdate::NONE
                }
            }
            ItchMessage::StockTradingAction(m) => {
                let symbol = self.symbol_of_locate(venue, m.stock_locate(), m.stock());
                let mut reason = [b' '; 4];
                reason.copy_from_slice(&m.bytes()[21..25]);
                let s = &mut self.symbols[symbol as usize].status;
                s.previous_state = s.trading_state;
                s.trading_state = m.trading_state();
                s.reason = reason;
                s.since_ns = time_ns;
                MarketUpdate {
                    symbol: Some(symbol),
                    quote: true,
                    trade: false,
                    event: MarketEvent::TradingAction,
                }
            }
            ItchMessage::LuldAuctionCollar(m) => {
                let symbol = self.symbol_of_locate(venue, m.stock_locate(), m.stock());
                let collar = AuctionCollar {
                    reference: m.auction_collar_reference_price(),
                    upper: m.upper_auction_collar_price(),
                    lower: m.lower_auction_collar_price(),
                    extension: m.auction_collar_extension(),
                };
                self.symbols[symbol as usize].collar = Some(collar);
                MarketUpdate {
                    symbol: Some(symbol),
                    event: MarketEvent::LuldCollar,
                    ..MarketUpdate::NONE
                }
            }
            ItchMessage::MwcbDeclineLevel(m) => {
                self.circuit_breaker.levels = [m.level_1(), m.level_2(), m.level_3()];
                MarketUpdate::NONE
            }
            ItchMessage::MwcbStatus(m) => {
                let level = m.breached_level().wrapping_sub(b'0');
                let cb = &mut self.circuit_breaker;
                cb.announced = level;
                if level > cb.breached {
                    cb.breached = level;
                    cb.breached_at_ns = time_ns;
                }
                MarketUpdate {
                    event: MarketEvent::CircuitBreaker,
                    ..MarketUpdate::NONE
                }
            }
            _ => MarketUpdate::NONE,
        }
    }

    /// Marks venues stale on a gap and fresh when it is recovered; the
    /// consolidated quotes of every symbol the venue shows are recomputed.
    pub fn on_session_event(&mut self, event: SessionEvent) {
        let session_index = match event {
            SessionEvent::Gap { session_index, .. }
            | SessionEvent::Recovered { session_index }
            | SessionEvent::Lost { session_index, .. } => session_index,
        };
        self.apply_session_event(event);
        let v = self.venue_for_session(session_index, None);
        self.refresh_venue_symbols(v);
    }

    fn refresh_venue_symbols(&mut self, venue: usize) {
        for s in 0..self.symbols.len() {
            if self.venue_books[s][venue] != NO_BOOK {
                self.refresh_nbbo(s as u32);
            }
        }
    }

    fn apply_session_event(&mut self, event: SessionEvent) {
        match event {
            SessionEvent::Gap { session_index, .. } => {
                let v = self.venue_for_session(session_index, None);
                let venue = &mut self.venues[v];
                venue.stale = true;
                venue.recovering = true;
                venue.gaps += 1;
            }
            SessionEvent::Recovered { session_index } => {
                let v = self.venue_for_session(session_index, None);
                let venue = &mut self.venues[v];
                venue.stale = false;
                venue.recovering = false;
            }
            SessionEvent::Lost { session_index, .. } => {
                let v = self.venue_for_session(session_index, None);
                // Stays stale: its books missed messages (a snapshot, e.g.
                // GLIMPSE, would rebuild them; see `mark_rebuilt`).
                self.venues[v].recovering = false;
                self.venues[v].stale = true;
            }
        }
    }

    /// After a venue's books were rebuilt from a snapshot.
    pub fn mark_rebuilt(&mut self, venue: usize) {
        if let Some(v) = self.venues.get_mut(venue) {
            v.stale = false;
            self.refresh_venue_symbols(venue);
        }
    }

    /// Every symbol with its books, sorted by name (for `decode --books`).
    /// Counts the orders at every level of every venue (one pass over each
    /// venue's order store).
    pub fn symbol_views(&self) -> Vec<SymbolView<'_>> {
        let order_counts: Vec<Rc<LevelOrderCounts>> = self
            .venues
            .iter()
            .map(|v| Rc::new(LevelOrderCounts::of(&v.book)))
            .collect();
        let mut views: Vec<SymbolView> = (0..self.symbols.len() as u32)
            .map(|id| SymbolView {
                market: &self.symbols[id as usize],
                venue_books: (0..self.venues.len())
                    .filter_map(|v| {
                        let index = self.venue_books[id as usize][v];
                        self.venue_book(id, v).map(|book| VenueSymbolBook {
                            venue: self.venues[v].name.as_str(),
                            book,
                            index,
                            order_counts: Rc::clone(&order_counts[v]),
                        })
                    })
                    .collect(),
                venue_names: self.venues.iter().map(|v| v.name.as_str()).collect(),
            })
            .collect();
        views.sort_by(|a, b| a.market.symbol_str().cmp(b.market.symbol_str()));
        views
    }
}

/// The market as a decoder's sink: a packet's messages are prefetched,
/// then applied in order (their updates are not kept).
impl MessageSink for MarketData {
    #[inline(always)]
    fn prefetch(&mut self, session_index: usize, message: &ItchMessage<'_>) {
        MarketData::prefetch(self, session_index, message);
    }

    #[inline(always)]
    fn on_message(&mut self, origin: MessageOrigin, message: &ItchMessage<'_>) {
        MarketData::on_message(self, origin.session_index, message);
    }
}

/// One symbol for display.
pub struct SymbolView<'a> {
    pub market: &'a SymbolMarket,
    pub venue_books: Vec<VenueSymbolBook<'a>>,
    venue_names: Vec<&'a str>,
}

/// The symbol's book on one venue, for display.
pub struct VenueSymbolBook<'a> {
    pub venue: &'a str,
    pub book: &'a SymbolBook,
    /// The book's index in its venue.
    index: u32,
    order_counts: Rc<LevelOrderCounts>,
}

impl VenueSymbolBook<'_> {
    /// One side's levels from the best outward, with their order counts.
    pub fn depth(&self, bids: bool) -> impl Iterator<Item = DepthLevel> + '_ {
        let side = if bids {
            &self.book.bids
        } else {
            &self.book.asks
        };
        self.order_counts.depth(self.index, side)
    }
}

fn px(p: u32) -> String {
    format!("{}.{:04}", p / 10_000, p % 10_000)
}

impl SymbolView<'_> {
    pub fn headline(&self) -> String {
        let m = self.market;
        let side = |b: Option<super::nbbo::Best>| {
            b.map_or("-".to_string(), |b| {
                format!(
                    "{} x {} ({})",
                    px(b.price),
                    b.qty,
                    self.venue_names.get(b.venue as usize).unwrap_or(&"?")
                )
            })
        };
        let last = m
            .last_trade
            .map_or("-".to_string(), |t| format!("{} x {}", px(t.price), t.qty));
        let mut line = format!(
            "{:<8} NBBO {} / {}  last {}  state {}",
            m.symbol_str(),
            side(m.nbbo.bid),
            side(m.nbbo.ask),
            last,
            m.status.trading_state as char
        );
        if m.luld.reference > 0 {
            line += &format!("  LULD {}-{}", px(m.luld.lower), px(m.luld.upper));
        }
        if let Some(c) = m.collar {
            line += &format!(
                "  collar ref {} {}-{}",
                px(c.reference),
                px(c.lower),
                px(c.upper)
            );
        }
        match m.condition {
            MarketCondition::Locked => line += "  LOCKED",
            MarketCondition::Crossed => line += "  CROSSED",
            _ => {}
        }
        line
    }

    pub fn to_json(&self, depth: usize) -> Value {
        let m = self.market;
        let levels = |b: &VenueSymbolBook, bids: bool| -> Vec<Value> {
            b.depth(bids)
                .take(depth)
                .map(|l| json!({"price": l.price, "qty": l.qty, "orders": l.orders}))
                .collect()
        };
        let books: Vec<Value> = self
            .venue_books
            .iter()
            .map(|b| json!({"venue": b.venue, "bids": levels(b, true), "asks": levels(b, false)}))
            .collect();
        json!({
            "symbol": symbol_str(&m.symbol),
            "bid": m.nbbo.bid.map(|b| json!({"price": b.price, "qty": b.qty})),
            "ask": m.nbbo.ask.map(|a| json!({"price": a.price, "qty": a.qty})),
            "last_trade": m.last_trade.map(|t| json!({"price": t.price, "qty": t.qty, "time_ns": t.time_ns})),
            "trading_state": (m.status.trading_state as char).to_string(),
            "luld": {"reference": m.luld.reference, "lower": m.luld.lower, "upper": m.luld.upper},
            "collar": m.collar.map(|c| json!({"reference": c.reference, "upper": c.upper, "lower": c.lower})),
            "books": books,
        })
    }
}
