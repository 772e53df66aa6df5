//! A generated flash crash, modelled on May 6, 2010 (REFERENCE.md and the
//! seed timeline): a calm market from 14:30, a 1.5% drop by 14:40, 3% by
//! 14:42, 7% at 14:45 with a market-wide circuit breaker (level 1: a 15
//! minute halt), then a recovery after the reopening at 15:00.
//!
//! Each symbol is made by market makers quoting a ladder of orders around a
//! fair price. When the fair price moves through resting orders they are
//! executed (the trades of the crash); during the crash the bid ladder thins
//! out (liquidity withdrawal) and, for the weakest names, vanishes, leaving
//! only a $0.01 stub bid to trade against, as ACN did in 2010. A stock that
//! moves past its LULD band is paused (`H` state P, reason LUDP, with a `J`
//! collar). The feed is ITCH 5.0 over MoldUDP64, written as a nanosecond
//! pcap stamped with the feed's own times, so DPDK replays it as captured.

use super::capture_writer::CaptureWriter;
use super::itch_encoder::{self as itch, Header};
use super::mold_frame_builder::{MoldFrameBuilder, MoldSessionConfig};
use crate::market::luld::{LuldParams, LuldState};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use std::path::Path;

pub const NS_PER_SEC: u64 = 1_000_000_000;

/// Nanoseconds since midnight for h:m:s.
pub const fn clock_ns(h: u64, m: u64, s: u64) -> u64 {
    ((h * 60 + m) * 60 + s) * NS_PER_SEC
}

/// `hh:mm:ss.mmm` for nanoseconds since midnight.
pub fn format_clock(ns: u64) -> String {
    let ms = ns / 1_000_000;
    format!(
        "{:02}:{:02}:{:02}.{:03}",
        ms / 3_600_000,
        ms / 60_000 % 60,
        ms / 1_000 % 60,
        ms % 1_000
    )
}

#[derive(Clone, Debug, PartialEq)]
pub struct ScenarioSymbol {
    pub name: String,
    pub locate: u16,
    /// Prior close, Price(4).
    pub prior_close: u32,
    /// LULD tier ('1' or '2').
    pub tier: u8,
    /// How far the fair price falls at the bottom (0.07 = 7%).
    pub crash_depth: f64,
    /// True when the bid ladder vanishes at the bottom (stub-quote prints).
    pub liquidity_void: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct FlashCrashScenario {
    pub symbols: Vec<ScenarioSymbol>,
    pub start_ns: u64,
    pub end_ns: u64,
    /// Time between market-maker updates.
    pub step_ns: u64,
    pub seed: u64,
    pub mwcb_halt_ns: u64,
    pub mwcb_resume_ns: u64,
}

impl Default for FlashCrashScenario {
    fn default() -> Self {
        let sym =
            |name: &str, locate, prior_close, tier, crash_depth, liquidity_void| ScenarioSymbol {
                name: name.into(),
                locate,
                prior_close,
                tier,
                crash_depth,
                liquidity_void,
            };
        FlashCrashScenario {
            symbols: vec![
                sym("SPY", 1, 1_150_000, b'1', 0.07, false),
                sym("AAPL", 2, 2_500_000, b'1', 0.08, false),
                sym("PG", 3, 620_000, b'1', 0.30, false),
                sym("ACN", 4, 410_000, b'1', 0.60, true),
                sym("RSTR", 5, 200_000, b'2', 0.05, false),
            ],
            start_ns: clock_ns(14, 30, 0),
            end_ns: clock_ns(15, 15, 0),
            step_ns: 250_000_000,
            seed: 20_100_506,
            mwcb_halt_ns: clock_ns(14, 45, 0),
            mwcb_resume_ns: clock_ns(15, 0, 0),
        }
    }
}

/// What the generator wrote.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ScenarioStats {
    pub frames: u64,
    pub messages: u64,
    pub trades: u64,
}

/// The fraction of the prior close the market trades at, at time `t`:
/// the 2010 shape, scaled to each symbol's crash depth.
pub fn crash_path(t: u64, depth: f64, resume_ns: u64) -> f64 {
    // Knots: (time, drop as a fraction of the 7% index drop).
    let knots: [(u64, f64); 7] = [
        (clock_ns(14, 30, 0), 0.0),
        (clock_ns(14, 40, 0), 1.5 / 7.0),
        (clock_ns(14, 42, 0), 3.0 / 7.0),
        (clock_ns(14, 44, 30), 1.0),
        (resume_ns, 0.8),
        (clock_ns(15, 8, 0), 2.0 / 7.0),
        (clock_ns(15, 15, 0), 2.0 / 7.0),
    ];
    let drop = if t <= knots[0].0 {
        0.0
    } else if t >= knots[knots.len() - 1].0 {
        knots[knots.len() - 1].1
    } else {
        let i = knots.windows(2).position(|w| t < w[1].0).unwrap_or(0);
        let (t0, d0) = knots[i];
        let (t1, d1) = knots[i + 1];
        d0 + (d1 - d0) * (t - t0) as f64 / (t1 - t0) as f64
    };
    1.0 - drop * depth
}

const TICK: u32 = 100; // $0.01 in Price(4)
const LEVELS: usize = 5;
const STUB_BID: u32 = 100; // $0.01
const STUB_ASK: u32 = 1_000_000_000; // $100,000.00

struct Resting {
    reference: u64,
    side: u8,
    price: u32,
    qty: u32,
}

struct SymbolSim {
    cfg: ScenarioSymbol,
    orders: Vec<Resting>,
    halted_until: u64,
    /// The same LULD rules the appliance applies (market::luld).
    luld: LuldState,
}

impl SymbolSim {
    fn tier(&self) -> u8 {
        self.cfg.tier - b'0'
    }
}

struct Emitter {
    builder: MoldFrameBuilder,
    writer: CaptureWriter,
    msg: Vec<u8>,
    stats: ScenarioStats,
    next_reference: u64,
    next_match: u64,
    time_ns: u64,
}

impl Emitter {
    fn emit(&mut self, f: impl FnOnce(&mut Vec<u8>)) -> anyhow::Result<()> {
        self.msg.clear();
        f(&mut self.msg);
        self.stats.messages += 1;
        if let Some(frame) = self.builder.push(&self.msg) {
            self.writer.write(self.time_ns, &frame)?;
            self.stats.frames += 1;
        }
        Ok(())
    }

    fn flush(&mut self) -> anyhow::Result<()> {
        if let Some(frame) = self.builder.flush() {
            self.writer.write(self.time_ns, &frame)?;
            self.stats.frames += 1;
        }
        Ok(())
    }

    fn header(&self, locate: u16) -> Header {
        Header {
            locate,
            tracking: 0,
            timestamp_ns: self.time_ns,
        }
    }
}

impl FlashCrashScenario {
    /// Writes the scenario's feed to `path` as a nanosecond pcap.
    pub fn write_capture(&self, path: &Path) -> anyhow::Result<ScenarioStats> {
        let mut rng = StdRng::seed_from_u64(self.seed);
        let mut e = Emitter {
            builder: MoldFrameBuilder::new(MoldSessionConfig {
                session: *b"BWNASDAQ01",
                ..Default::default()
            }),
            writer: CaptureWriter::create(path)?,
            msg: Vec::with_capacity(64),
            stats: ScenarioStats::default(),
            next_reference: 1,
            next_match: 1,
            time_ns: self.start_ns - 60 * NS_PER_SEC,
        };
        // Start of day: system events, MWCB levels, the stock directory.
        e.emit(|o| itch::system_event(o, Header::default(), b'O'))?;
        e.emit(|o| itch::system_event(o, Header::default(), b'S'))?;
        e.emit(|o| itch::system_event(o, Header::default(), b'Q'))?;
        // S&P 500 at 1,150 (Price(8)): levels at 7%, 13%, 20% below.
        e.emit(|o| {
            itch::mwcb_decline_level(
                o,
                Header::default(),
                106_950_000_000,
                100_050_000_000,
                92_000_000_000,
            )
        })?;
        let mut sims: Vec<SymbolSim> = Vec::new();
        for s in &self.symbols {
            let h = e.header(s.locate);
            e.emit(|o| {
                itch::stock_directory(
                    o,
                    h,
                    &s.name,
                    b'Q',
                    100,
                    s.tier,
                    if s.name == "SPY" { b'Y' } else { b'N' },
                )
            })?;
            e.emit(|o| itch::trading_action(o, h, &s.name, b'T', ""))?;
            sims.push(SymbolSim {
                cfg: s.clone(),
                orders: Vec::new(),
                halted_until: 0,
                luld: LuldState::new(s.tier - b'0', s.prior_close),
            });
        }
        // Stub quotes: a $0.01 bid and a $100,000 ask that nobody expects to trade.
        for sim in &mut sims {
            let (locate, name) = (sim.cfg.locate, sim.cfg.name.clone());
            for (side, price) in [(b'B', STUB_BID), (b'S', STUB_ASK)] {
                let reference = e.next_reference;
                e.next_reference += 1;
                let h = e.header(locate);
                e.emit(|o| itch::add_order_mpid(o, h, reference, side, 100, &name, price, "STUB"))?;
                sim.orders.push(Resting {
                    reference,
                    side,
                    price,
                    qty: 100,
                });
            }
        }
        e.flush()?;

        let mut t = self.start_ns;
        let mut mwcb_done = false;
        while t <= self.end_ns {
            e.time_ns = t;
            if !mwcb_done && t >= self.mwcb_halt_ns {
                mwcb_done = true;
                let h = e.header(0);
                e.emit(|o| itch::mwcb_status(o, h, b'1'))?;
                for sim in &mut sims {
                    let h = e.header(sim.cfg.locate);
                    e.emit(|o| itch::trading_action(o, h, &sim.cfg.name, b'H', "MWC1"))?;
                    sim.halted_until = self.mwcb_resume_ns;
                }
            }
            for sim in &mut sims {
                self.step_symbol(sim, t, &mut e, &mut rng)?;
            }
            e.flush()?;
            t += self.step_ns;
        }
        e.time_ns = self.end_ns;
        let end = e.header(0);
        e.emit(|o| itch::system_event(o, end, b'M'))?;
        e.emit(|o| itch::system_event(o, end, b'C'))?;
        e.flush()?;
        let stats = e.stats;
        e.writer.finish()?;
        Ok(stats)
    }

    fn step_symbol(
        &self,
        sim: &mut SymbolSim,
        t: u64,
        e: &mut Emitter,
        rng: &mut StdRng,
    ) -> anyhow::Result<()> {
        let name = sim.cfg.name.clone();
        let locate = sim.cfg.locate;
        if sim.halted_until != 0 {
            if t < sim.halted_until {
                // Halted: every 5 s Nasdaq disseminates the halt cross's
                // imbalance (NOII, cross type H) at the indicative price.
                if t % (5 * NS_PER_SEC) < self.step_ns {
                    let indicative = (f64::from(sim.cfg.prior_close)
                        * crash_path(t, sim.cfg.crash_depth, self.mwcb_resume_ns))
                        as u32
                        / TICK
                        * TICK;
                    let h = e.header(locate);
                    let imbalance = 100 * rng.random_range(1..=50u64);
                    e.emit(|o| {
                        itch::noii(
                            o, h, 10_000, imbalance, b'S', &name, 0, indicative, indicative, b'H',
                            b' ',
                        )
                    })?;
                }
                return Ok(());
            }
            sim.halted_until = 0;
            let h = e.header(locate);
            e.emit(|o| itch::trading_action(o, h, &name, b'T', ""))?;
            // The reopening auction sets a fresh LULD reference.
            let reopen = (f64::from(sim.cfg.prior_close)
                * crash_path(t, sim.cfg.crash_depth, self.mwcb_resume_ns))
                as u32;
            sim.luld = LuldState::new(sim.tier(), reopen);
        }
        let noise = 1.0 + (rng.random::<f64>() - 0.5) * 0.0006;
        let fair = (f64::from(sim.cfg.prior_close)
            * crash_path(t, sim.cfg.crash_depth, self.mwcb_resume_ns)
            * noise)
            .max(f64::from(TICK * 2)) as u32
            / TICK
            * TICK;
        // The crash window: liquidity thins from 14:40 to the halt.
        let stress = t >= clock_ns(14, 40, 0) && t < self.mwcb_halt_ns;
        let deep = t >= clock_ns(14, 44, 0) && t < self.mwcb_halt_ns;
        let bid_levels = if stress {
            if sim.cfg.liquidity_void && deep {
                0
            } else {
                2
            }
        } else {
            LEVELS
        };

        // Executions: resting orders the fair price moved through.
        let mut executed = Vec::new();
        for (i, r) in sim.orders.iter().enumerate() {
            let crossed = (r.side == b'B' && r.price >= fair && r.price != STUB_BID)
                || (r.side == b'S' && r.price <= fair && r.price != STUB_ASK);
            if crossed {
                executed.push(i);
            }
        }
        let luld_params = LuldParams::default();
        for &i in executed.iter().rev() {
            let r = sim.orders.remove(i);
            let (h, m) = (e.header(locate), e.next_match);
            e.next_match += 1;
            e.emit(|o| itch::order_executed(o, h, r.reference, r.qty, m))?;
            e.stats.trades += 1;
            sim.luld.on_trade(r.price, t, &luld_params);
        }
        // In a liquidity void a panic seller hits the stub bid.
        if sim.cfg.liquidity_void && deep && rng.random_bool(0.05) {
            if let Some(stub) = sim.orders.iter_mut().find(|r| r.price == STUB_BID) {
                let (h, m) = (e.header(locate), e.next_match);
                e.next_match += 1;
                e.emit(|o| itch::order_executed(o, h, stub.reference, 1, m))?;
                stub.qty -= 1;
                e.stats.trades += 1;
                sim.luld.on_trade(STUB_BID, t, &luld_params);
                if stub.qty == 0 {
                    let idx = sim
                        .orders
                        .iter()
                        .position(|r| r.price == STUB_BID)
                        .unwrap_or(0);
                    sim.orders.remove(idx);
                }
            }
        }
        // LULD: a fair price beyond the band pauses the stock for five
        // minutes, with an auction collar around the reference.
        if !sim.luld.within_bands(fair) && !deep {
            let h = e.header(locate);
            e.emit(|o| itch::trading_action(o, h, &name, b'P', "LUDP"))?;
            let (reference, upper, lower) = (sim.luld.reference, sim.luld.upper, sim.luld.lower);
            e.emit(|o| itch::luld_auction_collar(o, h, &name, reference, upper, lower, 0))?;
            sim.halted_until = t + 5 * 60 * NS_PER_SEC;
            return Ok(());
        }
        // Market makers pull orders beyond the ladder they keep.
        let mut pulled = Vec::new();
        for (i, r) in sim.orders.iter().enumerate() {
            if r.price == STUB_BID || r.price == STUB_ASK {
                continue;
            }
            let distance = r.price.abs_diff(fair) / TICK;
            let keep = if r.side == b'B' { bid_levels } else { LEVELS } as u32;
            if distance > keep * 2 + 1 || rng.random_bool(0.02) {
                pulled.push(i);
            }
        }
        for &i in pulled.iter().rev() {
            let r = sim.orders.remove(i);
            let h = e.header(locate);
            if rng.random_bool(0.3) && r.qty > 100 {
                e.emit(|o| itch::order_cancel(o, h, r.reference, 100))?;
                let h2 = e.header(locate);
                e.emit(|o| itch::order_delete(o, h2, r.reference))?;
            } else {
                e.emit(|o| itch::order_delete(o, h, r.reference))?;
            }
        }
        // Refill the ladder on both sides.
        for (side, levels) in [(b'B', bid_levels), (b'S', LEVELS)] {
            for k in 1..=levels as u32 {
                let price = if side == b'B' {
                    fair.saturating_sub(k * TICK * 2)
                } else {
                    fair + k * TICK * 2
                };
                if price == 0
                    || sim
                        .orders
                        .iter()
                        .any(|r| r.side == side && r.price == price)
                {
                    continue;
                }
                let qty = 100 * rng.random_range(1..=10u32);
                let reference = e.next_reference;
                e.next_reference += 1;
                let h = e.header(locate);
                if rng.random_bool(0.2) {
                    e.emit(|o| {
                        itch::add_order_mpid(o, h, reference, side, qty, &name, price, "MMKR")
                    })?;
                } else {
                    e.emit(|o| itch::add_order(o, h, reference, side, qty, &name, price))?;
                }
                sim.orders.push(Resting {
                    reference,
                    side,
                    price,
                    qty,
                });
            }
        }
        // Occasionally a market maker requotes its top order in place.
        if rng.random_bool(0.1) {
            if let Some(r) = sim
                .orders
                .iter_mut()
                .find(|r| r.side == b'S' && r.price != STUB_ASK)
            {
                let new_reference = e.next_reference;
                e.next_reference += 1;
                let new_qty = 100 * rng.random_range(1..=10u32);
                let h = e.header(locate);
                let (old, price) = (r.reference, r.price);
                e.emit(|o| itch::order_replace(o, h, old, new_reference, new_qty, price))?;
                r.reference = new_reference;
                r.qty = new_qty;
            }
        }
        // Hidden liquidity prints now and then.
        if rng.random_bool(0.05) {
            let (h, m) = (e.header(locate), e.next_match);
            e.next_match += 1;
            e.emit(|o| itch::trade(o, h, 0, b'B', 100, &name, fair, m))?;
            e.stats.trades += 1;
            sim.luld.on_trade(fair, t, &luld_params);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_helpers_round_trip() {
        assert_eq!(
            format_clock(clock_ns(14, 45, 27) + 123_456_789),
            "14:45:27.123"
        );
    }

    #[test]
    fn the_path_follows_the_2010_shape() {
        let r = clock_ns(15, 0, 0);
        assert_eq!(crash_path(clock_ns(14, 30, 0), 0.07, r), 1.0);
        assert!((crash_path(clock_ns(14, 40, 0), 0.07, r) - 0.985).abs() < 1e-9);
        assert!((crash_path(clock_ns(14, 42, 0), 0.07, r) - 0.97).abs() < 1e-9);
        assert!((crash_path(clock_ns(14, 44, 30), 0.07, r) - 0.93).abs() < 1e-9);
        assert!((crash_path(clock_ns(15, 10, 0), 0.07, r) - 0.98).abs() < 1e-9);
    }
}
