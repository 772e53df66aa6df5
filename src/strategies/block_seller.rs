//! A block seller working a large sell order at a fixed share of the
//! market's volume, with no price or time limit: the algorithm of May 6,
//! 2010's 75,000-contract seller (9% of volume). As the symbol trades, its
//! allowance grows by `participation_pct` of the new volume; whenever it
//! reaches a round lot it sells that much at the bid. Rejected shares go
//! back to the remaining quantity, so it keeps selling into a falling market
//! until its defences stop it.

use crate::client::{Strategy, StrategyClient};
use crate::ipc::ring_messages::{
    symbol_bytes, symbol_str, MarketSnapshot, Report, SIDE_SELL, TIF_DAY,
};
use std::collections::HashMap;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlockSellerConfig {
    pub symbol: String,
    pub total_qty: u64,
    pub participation_pct: u64,
    pub lot: u32,
}

impl Default for BlockSellerConfig {
    fn default() -> Self {
        BlockSellerConfig {
            symbol: "SPY".into(),
            total_qty: 50_000,
            participation_pct: 9,
            lot: 100,
        }
    }
}

pub struct BlockSeller {
    config: BlockSellerConfig,
    symbol: [u8; 8],
    remaining: u64,
    /// Shares it may sell now, in hundredths of a share (exact percentages).
    allowance_centi: u64,
    last_volume: Option<u64>,
    /// Quantity of each order sent, to give back what is rejected.
    sent: HashMap<u64, u32>,
}

impl BlockSeller {
    pub fn new(config: BlockSellerConfig) -> Self {
        BlockSeller {
            symbol: symbol_bytes(&config.symbol),
            remaining: config.total_qty,
            allowance_centi: 0,
            last_volume: None,
            sent: HashMap::new(),
            config,
        }
    }

    pub fn remaining(&self) -> u64 {
        self.remaining
    }
}

impl Strategy for BlockSeller {
    fn on_snapshot(&mut self, client: &mut StrategyClient, s: &MarketSnapshot) {
        if s.symbol != self.symbol {
            return;
        }
        let last = *self.last_volume.get_or_insert(s.volume);
        self.allowance_centi += s.volume.saturating_sub(last) * self.config.participation_pct;
        self.last_volume = Some(s.volume);
        let lot = u64::from(self.config.lot.max(1));
        let allowed = self.allowance_centi / 100 / lot * lot;
        let qty = allowed.min(self.remaining / lot * lot);
        if qty == 0 || s.trading_state != b'T' || s.bid_price == 0 {
            return;
        }
        let qty32 = qty.min(u64::from(u32::MAX)) as u32;
        if let Ok(id) = client.send_order(
            symbol_str(&s.symbol),
            SIDE_SELL,
            s.bid_price,
            qty32,
            TIF_DAY,
        ) {
            self.sent.insert(id, qty32);
            self.remaining -= qty;
            self.allowance_centi -= qty * 100;
        }
    }

    fn on_report(&mut self, _client: &mut StrategyClient, report: &Report) {
        if let Report::Reject(r) = report {
            if let Some(qty) = self.sent.remove(&r.client_order_id) {
                self.remaining += u64::from(qty);
            }
        }
    }
}
