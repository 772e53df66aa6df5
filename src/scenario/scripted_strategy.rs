//! The replay's built-in strategy. It runs through the client library's
//! event loop, as an external strategy process would, and sends:
//!
//! - a script of orders at fixed feed times that exercise each defence (a
//!   good order, a fat finger, a price typo, a restricted symbol, an unknown
//!   symbol, a reused order id, a cancel, a stale price during the crash);
//! - a momentum follower on every symbol from 14:38 (see
//!   `strategies::momentum_follower`).

use super::flash_crash::clock_ns;
use crate::client::{Strategy, StrategyClient};
use crate::ipc::ring_messages::{
    self, symbol_bytes, MarketSnapshot, NewOrder, Report, RingMessage, SIDE_BUY, SIDE_SELL, TIF_DAY,
};
use crate::strategies::momentum_follower::{MomentumConfig, MomentumFollower};
use std::collections::HashMap;

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
    /// Buy at the opening price long after the price has moved away.
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

pub struct ScriptedStrategy {
    script: Vec<(u64, Step)>,
    next_step: usize,
    view: HashMap<[u8; 8], MarketSnapshot>,
    /// The first trade price seen per symbol.
    opening_price: HashMap<[u8; 8], u32>,
    first_order: Option<u64>,
    momentum: MomentumFollower,
}

impl Default for ScriptedStrategy {
    fn default() -> Self {
        Self::new()
    }
}

impl ScriptedStrategy {
    pub fn new() -> Self {
        ScriptedStrategy {
            script: default_script(),
            next_step: 0,
            view: HashMap::new(),
            opening_price: HashMap::new(),
            first_order: None,
            momentum: MomentumFollower::new(MomentumConfig {
                start_ns: clock_ns(14, 38, 0),
                skip: vec!["RSTR".into()],
                ..Default::default()
            }),
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

    fn run_script(&mut self, client: &mut StrategyClient, now_ns: u64) {
        while let Some(&(at, step)) = self.script.get(self.next_step) {
            if at > now_ns {
                break;
            }
            self.next_step += 1;
            let buy = |client: &mut StrategyClient, s: &str, price: u32, qty: u32| {
                client.send_order(s, SIDE_BUY, price, qty, TIF_DAY).ok()
            };
            match step {
                Step::GoodOrder(s) => self.first_order = buy(client, s, self.last_price(s), 100),
                Step::FatFinger(s) => {
                    buy(client, s, self.last_price(s), 1_000_000);
                }
                Step::PriceTypo(s) => {
                    buy(client, s, self.last_price(s).saturating_mul(10), 100);
                }
                Step::Restricted(s) => {
                    let _ = client.send_order(s, SIDE_SELL, self.last_price(s), 100, TIF_DAY);
                }
                Step::UnknownSymbol(s) => {
                    buy(client, s, 100_000, 100);
                }
                Step::DuplicateId(s) => {
                    if let Some(id) = self.first_order {
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
                        let _ = client.send_raw(ring_messages::kind::NEW_ORDER, order.as_payload());
                    }
                }
                Step::CancelFirst => {
                    if let Some(id) = self.first_order {
                        let _ = client.cancel(id);
                    }
                }
                Step::StalePrice(s) => {
                    let price = self
                        .opening_price
                        .get(&symbol_bytes(s))
                        .copied()
                        .unwrap_or_else(|| self.last_price(s));
                    buy(client, s, price, 100);
                }
            }
        }
    }
}

impl Strategy for ScriptedStrategy {
    fn on_snapshot(&mut self, client: &mut StrategyClient, s: &MarketSnapshot) {
        self.view.insert(s.symbol, *s);
        if s.last_price > 0 {
            self.opening_price.entry(s.symbol).or_insert(s.last_price);
        }
        self.run_script(client, s.feed_time_ns);
        self.momentum.on_snapshot(client, s);
    }

    fn on_report(&mut self, client: &mut StrategyClient, report: &Report) {
        self.momentum.on_report(client, report);
    }
}
