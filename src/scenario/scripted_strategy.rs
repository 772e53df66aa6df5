//! The replay's built-in strategy. It connects to its rings by name through
//! the client library (as an external strategy process would), reads the
//! market snapshots the appliance sends, and sends orders:
//!
//! - a script of orders at fixed feed times that exercise each defence (a
//!   good order, a fat finger, a price typo, a restricted symbol, an unknown
//!   symbol, a reused order id, a cancel, a stale price during the crash);
//! - a momentum follower on every symbol: every 15 s of feed time it sells
//!   200 shares at the bid after a fall of more than 0.2%, or buys 200 at the
//!   ask after a rise, and cancels its previous order first.
//!
//! It answers each snapshot with a `Sync` after its orders (lockstep), so
//! replays are deterministic.

use super::flash_crash::clock_ns;
use crate::client::StrategyClient;
use crate::feed::poll_loop::SpinWait;
use crate::ipc::ring_messages::{
    self, symbol_bytes, symbol_str, MarketSnapshot, NewOrder, Report, RingMessage, SIDE_BUY,
    SIDE_SELL, TIF_DAY,
};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Step {
    /// Buy 100 at the last price.
    GoodOrder(&'static str),
    /// Buy a million shares: size and notional.
    FatFinger(&'static str),
    /// Buy at ten times the price: collar.
    PriceTypo(&'static str),
    /// Sell a restricted symbol.
    Restricted(&'static str),
    /// A symbol nobody configured.
    UnknownSymbol(&'static str),
    /// Reuse the first order's id.
    DuplicateId(&'static str),
    /// Cancel the first order.
    CancelFirst,
    /// Buy at the prior close long after the price has moved away.
    StalePrice(&'static str),
}

fn default_script() -> Vec<(u64, Step)> {
    vec![
        (clock_ns(14, 31, 0), Step::GoodOrder("SPY")),
        (clock_ns(14, 32, 0), Step::FatFinger("AAPL")),
        (clock_ns(14, 33, 0), Step::PriceTypo("AAPL")),
        (clock_ns(14, 34, 0), Step::Restricted("RSTR")),
        (clock_ns(14, 35, 0), Step::UnknownSymbol("ZZZZ")),
        (clock_ns(14, 36, 0), Step::DuplicateId("SPY")),
        (clock_ns(14, 37, 0), Step::CancelFirst),
        (clock_ns(14, 43, 30), Step::StalePrice("SPY")),
    ]
}

/// What the strategy saw of its own orders.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct StrategyStats {
    pub orders_sent: u64,
    pub acks: u64,
    pub rejects: u64,
    pub cancels: u64,
    pub snapshots: u64,
}

#[derive(Clone, Copy, Default)]
struct Momentum {
    anchor_price: u32,
    anchor_ns: u64,
    working: Option<u64>,
}

pub struct ScriptedStrategy {
    client: StrategyClient,
    script: Vec<(u64, Step)>,
    next_step: usize,
    view: HashMap<[u8; 8], MarketSnapshot>,
    momentum: HashMap<[u8; 8], Momentum>,
    /// The first trade price seen per symbol.
    opening_price: HashMap<[u8; 8], u32>,
    first_order: Option<u64>,
    stats: StrategyStats,
}

const MOMENTUM_INTERVAL_NS: u64 = 15_000_000_000;
const MOMENTUM_START_NS: u64 = clock_ns(14, 38, 0);

impl ScriptedStrategy {
    pub fn new(client: StrategyClient) -> Self {
        ScriptedStrategy {
            client,
            script: default_script(),
            next_step: 0,
            view: HashMap::new(),
            momentum: HashMap::new(),
            opening_price: HashMap::new(),
            first_order: None,
            stats: StrategyStats::default(),
        }
    }

    /// Runs until `stop` is set, then returns what it saw.
    pub fn run(mut self, stop: &AtomicBool) -> StrategyStats {
        let mut spin = SpinWait::default();
        loop {
            match self.client.poll_report() {
                Ok(Some(report)) => {
                    spin.reset();
                    self.on_report(report)
                }
                Ok(None) => {
                    if stop.load(Ordering::Acquire) {
                        break;
                    }
                    spin.wait();
                }
                Err(_) => break,
            }
        }
        self.stats
    }

    fn on_report(&mut self, report: Report) {
        match report {
            Report::MarketSnapshot(s) => {
                self.stats.snapshots += 1;
                self.view.insert(s.symbol, s);
                if s.last_price > 0 {
                    self.opening_price.entry(s.symbol).or_insert(s.last_price);
                }
                self.run_script(s.feed_time_ns);
                self.momentum(&s);
                let _ = self.client.sync(s.seq);
            }
            Report::Ack(_) => self.stats.acks += 1,
            Report::Reject(r) => {
                self.stats.rejects += 1;
                self.forget(r.client_order_id);
            }
            Report::Cancelled(c) => {
                self.stats.cancels += 1;
                self.forget(c.client_order_id);
            }
            Report::Fill(_) | Report::Heartbeat(_) | Report::Unknown { .. } => {}
        }
    }

    /// An order that reached a terminal state is no longer ours to cancel.
    fn forget(&mut self, client_order_id: u64) {
        for m in self.momentum.values_mut() {
            if m.working == Some(client_order_id) {
                m.working = None;
            }
        }
    }

    fn last_price(&self, symbol: &str) -> u32 {
        self.view.get(&symbol_bytes(symbol)).map_or(1_000_000, |s| {
            if s.last_price > 0 {
                s.last_price
            } else {
                s.bid_price.max(1)
            }
        })
    }

    fn send(&mut self, symbol: &str, side: u8, price: u32, qty: u32) -> Option<u64> {
        self.stats.orders_sent += 1;
        self.client
            .send_order(symbol, side, price, qty, TIF_DAY)
            .ok()
    }

    fn run_script(&mut self, now_ns: u64) {
        while let Some(&(at, step)) = self.script.get(self.next_step) {
            if at > now_ns {
                break;
            }
            self.next_step += 1;
            match step {
                Step::GoodOrder(s) => {
                    let p = self.last_price(s);
                    self.first_order = self.send(s, SIDE_BUY, p, 100);
                }
                Step::FatFinger(s) => {
                    let p = self.last_price(s);
                    self.send(s, SIDE_BUY, p, 1_000_000);
                }
                Step::PriceTypo(s) => {
                    let p = self.last_price(s).saturating_mul(10);
                    self.send(s, SIDE_BUY, p, 100);
                }
                Step::Restricted(s) => {
                    let p = self.last_price(s);
                    self.send(s, SIDE_SELL, p, 100);
                }
                Step::UnknownSymbol(s) => {
                    self.send(s, SIDE_BUY, 100_000, 100);
                }
                Step::DuplicateId(s) => {
                    if let Some(id) = self.first_order {
                        self.stats.orders_sent += 1;
                        let order = NewOrder {
                            client_order_id: id,
                            send_tsc: crate::telemetry::tsc::rdtsc(),
                            symbol: symbol_bytes(s),
                            price: self.last_price(s),
                            qty: 100,
                            side: SIDE_BUY,
                            tif: TIF_DAY,
                            reserved: [0; 6],
                        };
                        let _ = self
                            .client
                            .send_raw(ring_messages::kind::NEW_ORDER, order.as_payload());
                    }
                }
                Step::CancelFirst => {
                    if let Some(id) = self.first_order {
                        let _ = self.client.cancel(id);
                    }
                }
                Step::StalePrice(s) => {
                    // The price it saw at the open, long gone by now.
                    let p = match self.opening_price.get(&symbol_bytes(s)) {
                        Some(&p) => p,
                        None => self.last_price(s),
                    };
                    self.send(s, SIDE_BUY, p, 100);
                }
            }
        }
    }

    fn momentum(&mut self, s: &MarketSnapshot) {
        let price = s.last_price;
        if price == 0 || symbol_str(&s.symbol) == "RSTR" {
            return;
        }
        let m = self.momentum.entry(s.symbol).or_default();
        if m.anchor_price == 0 {
            m.anchor_price = price;
            m.anchor_ns = s.feed_time_ns;
            return;
        }
        if s.feed_time_ns < MOMENTUM_START_NS || s.feed_time_ns - m.anchor_ns < MOMENTUM_INTERVAL_NS
        {
            return;
        }
        let change =
            (i64::from(price) - i64::from(m.anchor_price)) * 10_000 / i64::from(m.anchor_price);
        let previous = m.working.take();
        m.anchor_price = price;
        m.anchor_ns = s.feed_time_ns;
        if change.abs() <= 20 {
            if let Some(id) = previous {
                m.working = Some(id);
            }
            return;
        }
        if let Some(id) = previous {
            let _ = self.client.cancel(id);
        }
        let (side, limit) = if change < 0 {
            (SIDE_SELL, s.bid_price.max(1))
        } else {
            (SIDE_BUY, s.ask_price.max(1))
        };
        let symbol = symbol_str(&s.symbol).to_string();
        let id = self.send(&symbol, side, limit, 200);
        if let Some(m) = self.momentum.get_mut(&s.symbol) {
            m.working = id;
        }
    }
}
