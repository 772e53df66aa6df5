//! One symbol's book on one venue: both sides, the last trade and the
//! trading state the venue announced.

use super::price_ladder::PriceLadder;
use super::price_levels::Level;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Trade {
    pub price: u32,
    pub qty: u32,
    /// Feed time, nanoseconds since midnight.
    pub time_ns: u64,
}

/// Laid out in order of use (`repr(C)`): the two sides (each a header
/// line, its far levels and its cells), then the last trade and volume that
/// executions update, then the names the hot path does not read.
#[derive(Clone, Debug)]
#[repr(C)]
pub struct SymbolBook {
    pub bids: PriceLadder,
    pub asks: PriceLadder,
    pub last_trade: Option<Trade>,
    /// Shares traded (printable executions and trades).
    pub volume: u64,
    pub symbol: [u8; 8],
    pub locate: u16,
}

impl SymbolBook {
    pub fn new(locate: u16, symbol: [u8; 8]) -> Self {
        SymbolBook {
            symbol,
            locate,
            bids: PriceLadder::bids(),
            asks: PriceLadder::asks(),
            last_trade: None,
            volume: 0,
        }
    }

    pub fn symbol_str(&self) -> &str {
        crate::ipc::ring_messages::symbol_str(&self.symbol)
    }

    pub fn best_bid(&self) -> Option<Level> {
        self.bids.best()
    }

    pub fn best_ask(&self) -> Option<Level> {
        self.asks.best()
    }

    #[inline]
    pub fn side(&self, side: u8) -> &PriceLadder {
        if side == b'B' {
            &self.bids
        } else {
            &self.asks
        }
    }

    #[inline]
    pub fn side_mut(&mut self, side: u8) -> &mut PriceLadder {
        if side == b'B' {
            &mut self.bids
        } else {
            &mut self.asks
        }
    }

    #[inline]
    pub fn record_trade(&mut self, price: u32, qty: u32, time_ns: u64) {
        self.last_trade = Some(Trade {
            price,
            qty,
            time_ns,
        });
        self.volume += u64::from(qty);
    }
}
