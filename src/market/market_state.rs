//! Per-symbol market state (trading state, LULD, volatility, consolidated
//! quote, last trade) and the market-wide circuit breaker.

use super::luld::{LuldState, LULD_HEAD_BYTES};
use super::nbbo::{MarketCondition, Nbbo};
use super::realized_volatility::RealizedVolatility;
use crate::book::symbol_book::Trade;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SymbolStatus {
    /// `H` trading state: b'T' trading, b'H' halted, b'P' paused, b'Q'
    /// quotation only. Trading until told otherwise.
    pub trading_state: u8,
    /// The state before the latest `H` message (equal to `trading_state`
    /// when that message repeated it).
    pub previous_state: u8,
    pub reason: [u8; 4],
    /// Feed time of the last state change.
    pub since_ns: u64,
}

impl Default for SymbolStatus {
    fn default() -> Self {
        SymbolStatus {
            trading_state: b'T',
            previous_state: b'T',
            reason: [b' '; 4],
            since_ns: 0,
        }
    }
}

impl SymbolStatus {
    pub fn is_trading(&self) -> bool {
        self.trading_state == b'T'
    }
}

/// Market-wide circuit breaker: decline levels (`V`, Price(8)) and the
/// highest level breached today (`W`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CircuitBreaker {
    pub levels: [u64; 3],
    pub breached: u8,
    /// The level the latest `W` message announced (1 to 3).
    pub announced: u8,
    pub breached_at_ns: u64,
}

/// An auction collar announced for a paused symbol (`J`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AuctionCollar {
    pub reference: u32,
    pub upper: u32,
    pub lower: u32,
    pub extension: u32,
}

/// Everything known about one symbol across venues.
///
/// Laid out in order of use (`repr(C)`): the first two lines (an aligned
/// pair, which the adjacent-line prefetcher fetches together) hold what an
/// NBBO refresh and a trade read and write: the NBBO and its condition, the
/// last trade and volume, and the head of the LULD state. A trade also
/// touches one LULD bucket and the head of the volatility state.
#[derive(Clone, Debug)]
#[repr(C, align(128))]
pub struct SymbolMarket {
    pub nbbo: Nbbo,
    pub last_trade: Option<Trade>,
    /// Shares traded, all venues.
    pub volume: u64,
    pub condition: MarketCondition,
    pub last_trade_venue: u8,
    /// The tier came from a stock directory message (not the default).
    pub tier_known: bool,
    /// In line, not boxed: a trade's loads of these and of the fields above
    /// then have addresses known from the symbol alone and their cache
    /// misses overlap, instead of waiting for a pointer to arrive first.
    pub luld: LuldState,
    pub volatility: RealizedVolatility,
    pub status: SymbolStatus,
    pub symbol: [u8; 8],
    pub collar: Option<AuctionCollar>,
    pub locked_events: u64,
    pub crossed_events: u64,
}

// The LULD state's head (the fields before its buckets), and so every
// field before it, lies in the first two lines.
const _: () = assert!(std::mem::offset_of!(SymbolMarket, luld) + LULD_HEAD_BYTES <= 128);

impl SymbolMarket {
    pub fn new(symbol: [u8; 8], default_tier: u8, prior_close: u32) -> Self {
        SymbolMarket {
            symbol,
            status: SymbolStatus::default(),
            nbbo: Nbbo::default(),
            condition: MarketCondition::OneSided,
            last_trade: None,
            last_trade_venue: 0,
            volume: 0,
            luld: LuldState::new(default_tier, prior_close),
            tier_known: false,
            collar: None,
            volatility: RealizedVolatility::default(),
            locked_events: 0,
            crossed_events: 0,
        }
    }

    pub fn symbol_str(&self) -> &str {
        crate::ipc::ring_messages::symbol_str(&self.symbol)
    }
}
