//! A momentum follower: every `interval` of feed time it compares each
//! symbol's last price with the one it anchored on; after a fall of more
//! than `threshold_bps` it sells `qty` at the bid, after a rise it buys at
//! the ask, cancelling its previous order in that symbol first.

use crate::client::{Strategy, StrategyClient};
use crate::ipc::ring_messages::{
    symbol_bytes, symbol_str, MarketSnapshot, Report, SIDE_BUY, SIDE_SELL, TIF_DAY,
};
use std::collections::HashMap;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MomentumConfig {
    pub interval_ns: u64,
    pub threshold_bps: i64,
    pub qty: u32,
    /// Feed time before which it only watches.
    pub start_ns: u64,
    pub skip: Vec<String>,
}

impl Default for MomentumConfig {
    fn default() -> Self {
        MomentumConfig {
            interval_ns: 15_000_000_000,
            threshold_bps: 20,
            qty: 200,
            start_ns: 0,
            skip: Vec::new(),
        }
    }
}

#[derive(Clone, Copy, Default)]
struct Anchor {
    price: u32,
    time_ns: u64,
    working: Option<u64>,
}

pub struct MomentumFollower {
    config: MomentumConfig,
    anchors: HashMap<[u8; 8], Anchor>,
    skip: Vec<[u8; 8]>,
}

impl MomentumFollower {
    pub fn new(config: MomentumConfig) -> Self {
        let skip = config.skip.iter().map(|s| symbol_bytes(s)).collect();
        MomentumFollower {
            config,
            anchors: HashMap::new(),
            skip,
        }
    }

    /// An order that reached a terminal state is no longer ours to cancel.
    pub fn forget(&mut self, client_order_id: u64) {
        for a in self.anchors.values_mut() {
            if a.working == Some(client_order_id) {
                a.working = None;
            }
        }
    }
}

impl Strategy for MomentumFollower {
    fn on_snapshot(&mut self, client: &mut StrategyClient, s: &MarketSnapshot) {
        let price = s.last_price;
        if price == 0 || self.skip.contains(&s.symbol) {
            return;
        }
        let a = self.anchors.entry(s.symbol).or_default();
        if a.price == 0 {
            *a = Anchor {
                price,
                time_ns: s.feed_time_ns,
                working: None,
            };
            return;
        }
        if s.feed_time_ns < self.config.start_ns
            || s.feed_time_ns - a.time_ns < self.config.interval_ns
        {
            return;
        }
        let change_bps = (i64::from(price) - i64::from(a.price)) * 10_000 / i64::from(a.price);
        a.price = price;
        a.time_ns = s.feed_time_ns;
        if change_bps.abs() <= self.config.threshold_bps {
            return;
        }
        if let Some(id) = a.working.take() {
            let _ = client.cancel(id);
        }
        let (side, limit) = if change_bps < 0 {
            (SIDE_SELL, s.bid_price.max(1))
        } else {
            (SIDE_BUY, s.ask_price.max(1))
        };
        let id = client
            .send_order(symbol_str(&s.symbol), side, limit, self.config.qty, TIF_DAY)
            .ok();
        if let Some(a) = self.anchors.get_mut(&s.symbol) {
            a.working = id;
        }
    }

    fn on_report(&mut self, _client: &mut StrategyClient, report: &Report) {
        match report {
            Report::Reject(r) => self.forget(r.client_order_id),
            Report::Cancelled(c) => self.forget(c.client_order_id),
            _ => {}
        }
    }
}
