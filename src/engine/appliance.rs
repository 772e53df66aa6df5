//! The appliance's hot loop, as a [`PollHandler`] on the pinned DPDK core:
//!
//! 1. each frame: decode → venue book → market state; symbols whose quote,
//!    last trade or trading state changed get a market snapshot sent to
//!    every strategy;
//! 2. strategies' requests (new order, cancel, replace) are decided at once:
//!    kill switch (L4), symbol halted, then the L1 checks in the Rust golden
//!    model and, with `--checks hdl-sim`, the Verilated RTL beside it;
//! 3. every poll iteration reads the kill switch from the control block; on
//!    engagement every working order is cancelled and everything blocked.
//!
//! In lockstep mode (replays) the loop waits, after each frame that sent
//! snapshots, until every strategy has answered them (a `Sync` record after
//! its orders), so a replay of the same inputs gives the same decisions.
//! Nothing on this path reads a wall clock: time is the feed's.

use super::strategy_link::{StrategyLink, WorkingOrder};
use super::symbol_table::SymbolTable;
use crate::feed::frame_decoder::{FrameDecoder, MessageOrigin, SessionEvent};
use crate::feed::message_sink::MessageSink;
use crate::feed::poll_loop::{PollHandler, SpinWait};
use crate::ipc::control_block::{unix_now_ns, ControlBlock};
use crate::ipc::ring_messages::{
    Ack, Cancelled, MarketSnapshot, NewOrder, Reject, Replace, StrategyRequest,
};
use crate::ipc::spsc_ring::process_alive;
use crate::journal::journal_entry::{JournalEntry, Outcome};
use crate::market::market_data::{MarketData, MarketDataConfig, MarketEvent, MarketUpdate};
use crate::market::nbbo::MarketCondition;
use crate::risk::reject_reason;
use crate::risk::risk_engine::{ChecksMode, RiskEngine};
use crate::telemetry::latency_histogram::LatencyHistogram;
use crate::telemetry::tsc::{rdtsc, TscClock};
use crate::wire::itch::ItchMessage;
use crate::wire::DecodeError;
use std::ops::ControlFlow;

/// A control action scheduled at a feed time (replays script the risk
/// manager's kill and resume this way; they go through the control block
/// exactly as `breakwater kill` and `breakwater resume` do).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ScriptedControl {
    Kill { at_ns: u64, reason: String },
    Resume { at_ns: u64 },
}

impl ScriptedControl {
    fn at_ns(&self) -> u64 {
        match self {
            ScriptedControl::Kill { at_ns, .. } | ScriptedControl::Resume { at_ns } => *at_ns,
        }
    }
}

#[derive(Clone, Debug)]
pub struct ApplianceSettings {
    pub checks: ChecksMode,
    /// Wait for strategies to answer each frame's snapshots.
    pub lockstep: bool,
    /// A lockstep strategy silent for this long is disconnected.
    pub sync_timeout_ns: u64,
    /// A strategy that has sent heartbeats and then stops for this long is
    /// disconnected (one that never sends any is watched by its process only).
    pub heartbeat_timeout_ns: u64,
    pub scripted_controls: Vec<ScriptedControl>,
}

impl Default for ApplianceSettings {
    fn default() -> Self {
        ApplianceSettings {
            checks: ChecksMode::Software,
            lockstep: true,
            sync_timeout_ns: 5_000_000_000,
            heartbeat_timeout_ns: 2_000_000_000,
            scripted_controls: Vec::new(),
        }
    }
}

/// The last snapshot sent for a symbol, to send only changes.
#[derive(Clone, Copy, Default, PartialEq, Eq)]
struct SnapshotKey {
    bid: (u32, u32),
    ask: (u32, u32),
    last: (u32, u32),
    state: u8,
}

/// Counters reported at the end of a run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct ApplianceCounters {
    pub orders: u64,
    pub accepted: u64,
    pub rejected: u64,
    pub cancelled: u64,
    pub replaced: u64,
    pub snapshots_sent: u64,
    pub kill_engagements: u64,
    pub check_disagreements: u64,
    pub hw_cycles_per_check: u64,
    pub reports_dropped: u64,
    pub strategies_disconnected: u64,
}

/// Everything the per-message path touches (split from the decoder so the
/// decoder's callback can borrow it).
struct Core {
    settings: ApplianceSettings,
    market: MarketData,
    symbols: SymbolTable,
    /// Market symbol id → configured slot (None: not configured).
    slot_of_symbol: Vec<Option<usize>>,
    risk: RiskEngine,
    control: ControlBlock,
    strategies: Vec<StrategyLink>,
    /// Each strategy's slot in the control block.
    slots: Vec<usize>,
    journal: Vec<JournalEntry>,
    feed_time_ns: u64,
    touched: Vec<bool>,
    touched_list: Vec<usize>,
    last_sent: Vec<SnapshotKey>,
    snapshot_seq: u64,
    next_control: usize,
    next_order_id: u64,
    kill_active: bool,
    clock: TscClock,
    burst_tsc: u64,
    feed_to_decision: LatencyHistogram,
    burst_to_decision: LatencyHistogram,
    order_to_decision: LatencyHistogram,
    kill_to_observed: LatencyHistogram,
    counters: ApplianceCounters,
    iterations_since_heartbeat: u64,
    last_heartbeat_tsc: u64,
    frames_since_heartbeat: u64,
}

pub struct Appliance {
    decoder: FrameDecoder,
    core: Core,
}

/// What a finished run reports.
pub struct ApplianceReport {
    pub journal: Vec<JournalEntry>,
    pub counters: ApplianceCounters,
    /// From the loop starting on the frame that prompted the order.
    pub feed_to_decision: LatencyHistogram,
    /// From the frame's rx burst arriving (includes queueing in the burst).
    pub burst_to_decision: LatencyHistogram,
    /// From the strategy's send (its TSC) to the decision.
    pub order_to_decision: LatencyHistogram,
    pub kill_to_observed: LatencyHistogram,
    pub feed: crate::feed::feed_stats::FeedStats,
    pub market: MarketData,
}

impl Appliance {
    /// `symbols` lists (name, limits) in slot order; `strategies` are the
    /// linked strategies. The control block is claimed for this process.
    pub fn new(
        settings: ApplianceSettings,
        symbols: &[(String, crate::risk::order_checks::SymbolLimits)],
        strategies: Vec<StrategyLink>,
        control: ControlBlock,
        clock: TscClock,
    ) -> Result<Self, String> {
        control.claim_appliance()?;
        let mut slots = Vec::with_capacity(strategies.len());
        for link in &strategies {
            let slot = control.strategy_slot(&link.name).ok_or_else(|| {
                format!(
                    "no free strategy slot for {} (at most 16 strategies)",
                    link.name
                )
            })?;
            control
                .strategy(slot)
                .connect(&link.name, link.strategy_pid());
            slots.push(slot);
        }
        let mut risk = RiskEngine::new(symbols.len(), settings.checks);
        for (slot, (_, limits)) in symbols.iter().enumerate() {
            *risk.limits_mut(slot) = *limits;
        }
        let mut scripted = settings.scripted_controls.clone();
        scripted.sort_by_key(ScriptedControl::at_ns);
        let n = symbols.len();
        let kill_active = control.kill_engaged();
        let market = MarketData::new(MarketDataConfig {
            prior_closes: symbols
                .iter()
                .map(|(s, l)| (s.clone(), l.reference_price))
                .collect(),
            default_tier: 2,
            ..Default::default()
        });
        Ok(Appliance {
            decoder: FrameDecoder::new(),
            core: Core {
                settings: ApplianceSettings {
                    scripted_controls: scripted,
                    ..settings
                },
                market,
                symbols: SymbolTable::new(symbols.iter().map(|(s, _)| s.as_str())),
                slot_of_symbol: Vec::new(),
                risk,
                control,
                strategies,
                slots,
                journal: Vec::new(),
                feed_time_ns: 0,
                touched: vec![false; n],
                touched_list: Vec::with_capacity(n),
                last_sent: vec![SnapshotKey::default(); n],
                snapshot_seq: 0,
                next_control: 0,
                next_order_id: 1,
                kill_active,
                clock,
                burst_tsc: 0,
                feed_to_decision: LatencyHistogram::new(),
                burst_to_decision: LatencyHistogram::new(),
                order_to_decision: LatencyHistogram::new(),
                kill_to_observed: LatencyHistogram::new(),
                counters: ApplianceCounters::default(),
                iterations_since_heartbeat: 0,
                last_heartbeat_tsc: rdtsc(),
                frames_since_heartbeat: 0,
            },
        })
    }

    pub fn journal(&self) -> &[JournalEntry] {
        &self.core.journal
    }

    /// Ends the run: every order still working expires with the session
    /// (each gets its terminal outcome in the journal), the appliance role
    /// is released, and the report returned.
    pub fn finish(mut self) -> ApplianceReport {
        let core = &mut self.core;
        // Serve what strategies sent after the last frame.
        core.service_strategies(0);
        core.cancel_all_working(reject_reason::SESSION_END);
        core.control
            .add_loop_iterations(core.iterations_since_heartbeat, core.frames_since_heartbeat);
        core.control.heartbeat(unix_now_ns());
        core.control.release_appliance();
        core.counters.check_disagreements = core.risk.disagreements;
        core.counters.reports_dropped = core.strategies.iter().map(|s| s.reports_dropped).sum();
        for (link, &slot) in core.strategies.iter().zip(&core.slots) {
            let s = core.control.strategy(slot);
            s.set_reports_dropped(link.reports_dropped);
            if link.connected {
                s.disconnect("the session ended");
            }
        }
        ApplianceReport {
            journal: std::mem::take(&mut core.journal),
            counters: core.counters,
            feed_to_decision: core.feed_to_decision.clone(),
            burst_to_decision: core.burst_to_decision.clone(),
            order_to_decision: core.order_to_decision.clone(),
            kill_to_observed: core.kill_to_observed.clone(),
            feed: self.decoder.stats().clone(),
            market: std::mem::take(&mut core.market),
        }
    }
}

impl PollHandler for Appliance {
    fn on_frame(&mut self, frame: &[u8], segments: u16, rx_tsc: u64) {
        if segments > 1 {
            let s = self.decoder.stats_mut();
            s.frames += 1;
            s.count_error(DecodeError::Segmented);
            return;
        }
        let core = &mut self.core;
        // Latency is measured from when the loop starts on this frame; the
        // burst's arrival time also counts the frames queued before it.
        let frame_tsc = rdtsc();
        core.burst_tsc = rx_tsc;
        self.decoder.decode_frame_to(frame, core);
        core.market.sync_sessions(self.decoder.sessions());
        for event in self.decoder.take_events() {
            core.on_session_event(event);
        }
        core.frames_since_heartbeat += 1;
        core.after_frame(frame_tsc);
    }

    fn after_poll(&mut self, _received: usize) -> ControlFlow<()> {
        let core = &mut self.core;
        core.observe_kill_switch();
        if !core.settings.lockstep {
            core.service_strategies(0);
        }
        core.iterations_since_heartbeat += 1;
        if core.iterations_since_heartbeat % 64 == 0 {
            core.maybe_heartbeat();
        }
        if core.iterations_since_heartbeat % 1024 == 0 {
            for i in 0..core.strategies.len() {
                core.check_liveness(i);
            }
        }
        ControlFlow::Continue(())
    }
}

/// How often the appliance refreshes its heartbeat in the control block
/// (strategies and `status` call it gone after 2 s without one).
const HEARTBEAT_EVERY_NS: u64 = 100_000_000;

/// The market-data core takes a packet's messages from the decoder: their
/// books' cache lines are prefetched first, then each is applied.
impl MessageSink for Core {
    #[inline(always)]
    fn prefetch(&mut self, session_index: usize, message: &ItchMessage<'_>) {
        self.market.prefetch(session_index, message);
    }

    #[inline(always)]
    fn on_message(&mut self, origin: MessageOrigin, message: &ItchMessage<'_>) {
        Core::on_message(self, origin, message);
    }
}

impl Core {
    /// Refreshes the appliance's heartbeat and counters every 100 ms of wall
    /// time (a TSC read; the clock call only when one is due).
    fn maybe_heartbeat(&mut self) {
        let now = rdtsc();
        if self
            .clock
            .ticks_to_ns(now.saturating_sub(self.last_heartbeat_tsc))
            < HEARTBEAT_EVERY_NS
        {
            return;
        }
        self.last_heartbeat_tsc = now;
        self.control
            .add_loop_iterations(self.iterations_since_heartbeat, self.frames_since_heartbeat);
        self.control.heartbeat(unix_now_ns());
        self.iterations_since_heartbeat = 0;
        self.frames_since_heartbeat = 0;
    }

    /// The configured slot of market symbol `symbol`, if any.
    fn slot_of(&mut self, symbol: u32) -> Option<usize> {
        let i = symbol as usize;
        if i >= self.slot_of_symbol.len() {
            let start = self.slot_of_symbol.len();
            self.slot_of_symbol.resize(i + 1, None);
            for id in start..=i {
                let name = self.market.symbol(id as u32).symbol;
                let slot = self.symbols.slot_of_name(&name);
                self.slot_of_symbol[id] = slot;
                if let Some(slot) = slot {
                    self.symbols.bind_market_symbol(slot, id as u32);
                }
            }
        }
        self.slot_of_symbol[i]
    }

    #[inline]
    fn on_message(&mut self, origin: MessageOrigin, message: &ItchMessage<'_>) {
        self.feed_time_ns = message.timestamp_ns();
        self.run_scripted_controls();
        let update = self.market.on_message(origin.session_index, message);
        if let Some(symbol) = update.symbol {
            if let Some(slot) = self.slot_of(symbol) {
                self.touch(slot);
            }
        }
        let Some(text) = market_event_text(&self.market, update) else {
            return;
        };
        self.journal.push(JournalEntry::Market {
            feed_time_ns: self.feed_time_ns,
            text,
        });
    }

    fn on_session_event(&mut self, event: SessionEvent) {
        self.market.on_session_event(event);
        let venue = |m: &MarketData, session_index: usize| {
            m.venues()
                .get(session_index)
                .map_or_else(|| format!("session {session_index}"), |v| v.name.clone())
        };
        let text = match event {
            SessionEvent::Gap {
                session_index,
                from_seq,
                missing,
            } => format!(
                "feed {}: sequence gap, {missing} messages missing from {from_seq}; its books are stale",
                venue(&self.market, session_index)
            ),
            SessionEvent::Recovered { session_index } => {
                format!("feed {}: gap recovered, books fresh", venue(&self.market, session_index))
            }
            SessionEvent::Lost { session_index, missing } => format!(
                "feed {}: {missing} messages lost; books stay stale until rebuilt",
                venue(&self.market, session_index)
            ),
        };
        self.journal.push(JournalEntry::Market {
            feed_time_ns: self.feed_time_ns,
            text,
        });
    }

    #[inline]
    fn touch(&mut self, slot: usize) {
        if !self.touched[slot] {
            self.touched[slot] = true;
            self.touched_list.push(slot);
        }
    }

    fn run_scripted_controls(&mut self) {
        while let Some(c) = self.settings.scripted_controls.get(self.next_control) {
            if c.at_ns() > self.feed_time_ns {
                break;
            }
            match c {
                ScriptedControl::Kill { reason, .. } => self.control.kill(reason, rdtsc()),
                ScriptedControl::Resume { .. } => self.control.resume(),
            }
            self.next_control += 1;
            self.observe_kill_switch();
        }
    }

    /// Reads the kill switch; acts on a change.
    #[inline]
    fn observe_kill_switch(&mut self) {
        let engaged = self.control.kill_engaged();
        if engaged == self.kill_active {
            return;
        }
        self.kill_active = engaged;
        if engaged {
            let (reason, _, kill_tsc) = self.control.kill_details();
            let observed_ns = self.clock.ticks_to_ns(rdtsc().saturating_sub(kill_tsc));
            self.kill_to_observed.record_ns(observed_ns);
            self.control.set_kill_observed_latency_ns(observed_ns);
            self.counters.kill_engagements += 1;
            let cancelled = self.cancel_all_working(reject_reason::KILL_SWITCH);
            self.journal.push(JournalEntry::KillSwitch {
                feed_time_ns: self.feed_time_ns,
                engaged: true,
                reason,
                cancelled_orders: cancelled,
            });
        } else {
            self.journal.push(JournalEntry::KillSwitch {
                feed_time_ns: self.feed_time_ns,
                engaged: false,
                reason: String::new(),
                cancelled_orders: 0,
            });
        }
    }

    /// Cancels every working order of every strategy; returns how many.
    fn cancel_all_working(&mut self, reasons: u32) -> u64 {
        let mut n = 0;
        for (link, &slot) in self.strategies.iter_mut().zip(&self.slots) {
            let mut ids: Vec<u64> = link.working.keys().copied().collect();
            ids.sort_unstable();
            for id in ids {
                if let Some(w) = link.working.remove(&id) {
                    link.report(&Cancelled {
                        client_order_id: id,
                        reasons,
                        reserved: 0,
                    });
                    self.journal.push(JournalEntry::Order {
                        feed_time_ns: self.feed_time_ns,
                        strategy: link.name.clone(),
                        client_order_id: id,
                        symbol: *self.symbols.name(w.slot),
                        side: w.side,
                        qty: w.qty,
                        price: w.price,
                        outcome: Outcome::Cancelled { reasons },
                    });
                    self.control.strategy(slot).count_cancel();
                    self.counters.cancelled += 1;
                    n += 1;
                }
            }
        }
        n
    }

    fn snapshot(&self, slot: usize) -> Option<(SnapshotKey, MarketSnapshot)> {
        let m = self
            .market
            .symbol(self.symbols.market_symbol_of_slot(slot)?);
        let side = |b: Option<crate::market::nbbo::Best>| {
            b.map_or((0, 0), |b| (b.price, b.qty.min(u64::from(u32::MAX)) as u32))
        };
        let bid = side(m.nbbo.bid);
        let ask = side(m.nbbo.ask);
        let last = m.last_trade.map_or((0, 0), |t| (t.price, t.qty));
        let state = m.status.trading_state;
        let key = SnapshotKey {
            bid,
            ask,
            last,
            state,
        };
        Some((
            key,
            MarketSnapshot {
                seq: 0,
                feed_time_ns: self.feed_time_ns,
                symbol: *self.symbols.name(slot),
                last_price: last.0,
                last_qty: last.1,
                bid_price: bid.0,
                bid_qty: bid.1,
                ask_price: ask.0,
                ask_qty: ask.1,
                trading_state: state,
                reserved: [0; 7],
                volume: m.volume,
            },
        ))
    }

    fn after_frame(&mut self, rx_tsc: u64) {
        let mut sent = false;
        for i in 0..self.touched_list.len() {
            let slot = self.touched_list[i];
            self.touched[slot] = false;
            let Some((key, mut snap)) = self.snapshot(slot) else {
                continue;
            };
            if key == self.last_sent[slot] {
                continue;
            }
            self.last_sent[slot] = key;
            self.snapshot_seq += 1;
            snap.seq = self.snapshot_seq;
            for link in self.strategies.iter_mut().filter(|l| l.connected) {
                link.report(&snap);
            }
            self.counters.snapshots_sent += 1;
            sent = true;
        }
        self.touched_list.clear();
        if self.settings.lockstep && sent {
            self.service_strategies(rx_tsc);
        }
    }

    /// Serves every strategy's requests. In lockstep, with `rx_tsc` of the
    /// frame that sent snapshots, waits until each has answered them.
    fn service_strategies(&mut self, rx_tsc: u64) {
        let target = self.snapshot_seq;
        let wait = self.settings.lockstep && rx_tsc != 0;
        for i in 0..self.strategies.len() {
            if !self.strategies[i].connected {
                continue;
            }
            let started = rdtsc();
            let mut spin = SpinWait::default();
            let mut polls = 0u64;
            loop {
                match self.strategies[i].poll() {
                    Ok(Some(request)) => {
                        self.handle_request(i, request, rx_tsc);
                        continue;
                    }
                    Ok(None) => {}
                    Err(e) => {
                        self.disconnect(i, &format!("ring error: {e}"));
                        break;
                    }
                }
                if !wait || self.strategies[i].synced_seq >= target {
                    break;
                }
                if self.clock.ticks_to_ns(rdtsc() - started) > self.settings.sync_timeout_ns {
                    self.disconnect(i, "stopped answering market snapshots (lockstep timeout)");
                    break;
                }
                polls += 1;
                if polls % 4096 == 0 {
                    self.maybe_heartbeat();
                    if !self.check_liveness(i) {
                        break;
                    }
                }
                spin.wait();
            }
        }
    }

    /// Disconnects strategy `i` if its process has exited or its heartbeat
    /// stopped; returns whether it is still connected.
    fn check_liveness(&mut self, i: usize) -> bool {
        let link = &self.strategies[i];
        if !link.connected {
            return false;
        }
        let pid = link.strategy_pid();
        if pid != 0 && !process_alive(pid) {
            self.disconnect(i, &format!("its process (pid {pid}) exited"));
            return false;
        }
        let last = link.last_heartbeat_tsc;
        if last != 0
            && self.clock.ticks_to_ns(rdtsc().saturating_sub(last))
                > self.settings.heartbeat_timeout_ns
        {
            self.disconnect(i, "its heartbeat stopped");
            return false;
        }
        true
    }

    /// Cancels a strategy's working orders and stops serving it.
    fn disconnect(&mut self, i: usize, why: &str) {
        self.control.strategy(self.slots[i]).disconnect(why);
        let link = &mut self.strategies[i];
        link.connected = false;
        self.counters.strategies_disconnected += 1;
        let name = link.name.clone();
        self.journal.push(JournalEntry::Strategy {
            feed_time_ns: self.feed_time_ns,
            strategy: name,
            text: format!("disconnected: {why}; its working orders are cancelled"),
        });
        let mut ids: Vec<u64> = self.strategies[i].working.keys().copied().collect();
        ids.sort_unstable();
        for id in ids {
            if let Some(w) = self.strategies[i].working.remove(&id) {
                // A hung strategy may still read its reports.
                self.strategies[i].report(&Cancelled {
                    client_order_id: id,
                    reasons: reject_reason::STRATEGY_DISCONNECTED,
                    reserved: 0,
                });
                self.control.strategy(self.slots[i]).count_cancel();
                self.journal_order(
                    i,
                    id,
                    w.slot,
                    w.side,
                    w.qty,
                    w.price,
                    Outcome::Cancelled {
                        reasons: reject_reason::STRATEGY_DISCONNECTED,
                    },
                );
                self.counters.cancelled += 1;
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn journal_order(
        &mut self,
        i: usize,
        id: u64,
        slot: usize,
        side: u8,
        qty: u32,
        price: u32,
        outcome: Outcome,
    ) {
        self.journal.push(JournalEntry::Order {
            feed_time_ns: self.feed_time_ns,
            strategy: self.strategies[i].name.clone(),
            client_order_id: id,
            symbol: *self.symbols.name(slot),
            side,
            qty,
            price,
            outcome,
        });
    }

    fn handle_request(&mut self, i: usize, request: StrategyRequest, rx_tsc: u64) {
        match request {
            StrategyRequest::NewOrder(o) => self.new_order(i, &o, rx_tsc),
            StrategyRequest::Cancel(c) => {
                let link = &mut self.strategies[i];
                match link.working.remove(&c.client_order_id) {
                    Some(w) => {
                        link.report(&Cancelled {
                            client_order_id: c.client_order_id,
                            reasons: 0,
                            reserved: 0,
                        });
                        self.control.strategy(self.slots[i]).count_cancel();
                        self.counters.cancelled += 1;
                        self.journal_order(
                            i,
                            c.client_order_id,
                            w.slot,
                            w.side,
                            w.qty,
                            w.price,
                            Outcome::Cancelled { reasons: 0 },
                        );
                    }
                    None => self.refuse(
                        i,
                        c.client_order_id,
                        reject_reason::UNKNOWN_ORDER,
                        "cancel of an unknown order",
                    ),
                }
            }
            StrategyRequest::Replace(r) => self.replace(i, &r),
            StrategyRequest::Heartbeat(h) => {
                self.strategies[i].last_heartbeat_tsc = rdtsc();
                self.control
                    .strategy(self.slots[i])
                    .heartbeat(h.sent_unix_ns);
            }
            StrategyRequest::Sync(s) => {
                let link = &mut self.strategies[i];
                link.synced_seq = link.synced_seq.max(s.snapshot_seq);
            }
            StrategyRequest::Malformed { kind, len } => self.refuse(
                i,
                0,
                reject_reason::MALFORMED,
                &format!("malformed record (kind {kind}, {len} bytes)"),
            ),
            StrategyRequest::Unknown { kind } => self.refuse(
                i,
                0,
                reject_reason::UNKNOWN_MESSAGE,
                &format!("record of unknown kind {kind}"),
            ),
        }
    }

    /// Rejects a request that is not an order decision.
    fn refuse(&mut self, i: usize, client_order_id: u64, reasons: u32, text: &str) {
        let link = &mut self.strategies[i];
        link.report(&Reject {
            client_order_id,
            reasons,
            reserved: 0,
        });
        self.counters.rejected += 1;
        self.journal.push(JournalEntry::Strategy {
            feed_time_ns: self.feed_time_ns,
            strategy: link.name.clone(),
            text: format!("{text}: rejected ({})", reject_reason::describe(reasons)),
        });
    }

    /// The reasons an order on `slot` at `price` x `qty` is refused now.
    fn decide(&mut self, slot: usize, price: u32, qty: u32) -> u32 {
        self.observe_kill_switch();
        if self.kill_active {
            return reject_reason::KILL_SWITCH;
        }
        if self.market.circuit_breaker.breached >= 3 {
            return reject_reason::SYMBOL_HALTED;
        }
        if let Some(symbol) = self.symbols.market_symbol_of_slot(slot) {
            let m = self.market.symbol(symbol);
            if !m.status.is_trading() {
                return reject_reason::SYMBOL_HALTED;
            }
            // The collar's reference is the last sale (the prior close until
            // the symbol trades); the LULD band is the market's current one.
            let (last, lower, upper) = (m.last_trade, m.luld.lower, m.luld.upper);
            let limits = self.risk.limits_mut(slot);
            if let Some(t) = last {
                limits.reference_price = t.price;
            }
            limits.luld_lower = lower;
            limits.luld_upper = upper;
        }
        let verdict = self.risk.check(slot, price, qty);
        if verdict.hw_cycles > 0 {
            self.counters.hw_cycles_per_check = verdict.hw_cycles;
        }
        verdict.reasons
    }

    fn new_order(&mut self, i: usize, o: &NewOrder, rx_tsc: u64) {
        self.counters.orders += 1;
        let id = o.client_order_id;
        let slot = self.symbols.slot_of_name(&o.symbol);
        let fresh_id = self.strategies[i].claim_id(id);
        // L4 first: with the kill switch engaged nothing else matters.
        self.observe_kill_switch();
        let reasons = if self.kill_active {
            reject_reason::KILL_SWITCH
        } else if !fresh_id {
            reject_reason::DUPLICATE_ORDER_ID
        } else if o.side != b'B' && o.side != b'S' {
            reject_reason::MALFORMED
        } else if let Some(slot) = slot {
            self.decide(slot, o.price, o.qty)
        } else {
            reject_reason::UNKNOWN_SYMBOL
        };
        let done = rdtsc();
        if rx_tsc != 0 {
            self.feed_to_decision
                .record_ns(self.clock.ticks_to_ns(done.saturating_sub(rx_tsc)));
            self.burst_to_decision.record_ns(
                self.clock
                    .ticks_to_ns(done.saturating_sub(self.burst_tsc.min(rx_tsc))),
            );
        }
        self.order_to_decision
            .record_ns(self.clock.ticks_to_ns(done.saturating_sub(o.send_tsc)));
        self.control.record_order(reasons == 0);
        self.control
            .strategy(self.slots[i])
            .count_order(reasons == 0);
        let link = &mut self.strategies[i];
        let outcome = if reasons == 0 {
            let order_id = self.next_order_id;
            self.next_order_id += 1;
            let slot = slot.unwrap_or(0);
            link.working.insert(
                id,
                WorkingOrder {
                    order_id,
                    slot,
                    side: o.side,
                    price: o.price,
                    qty: o.qty,
                },
            );
            link.report(&Ack {
                client_order_id: id,
                order_id,
            });
            self.counters.accepted += 1;
            Outcome::Accepted
        } else {
            link.report(&Reject {
                client_order_id: id,
                reasons,
                reserved: 0,
            });
            self.counters.rejected += 1;
            Outcome::Rejected { reasons }
        };
        let name = link.name.clone();
        self.journal.push(JournalEntry::Order {
            feed_time_ns: self.feed_time_ns,
            strategy: name,
            client_order_id: id,
            symbol: o.symbol,
            side: o.side,
            qty: o.qty,
            price: o.price,
            outcome,
        });
    }

    fn replace(&mut self, i: usize, r: &Replace) {
        let Some(w) = self.strategies[i].working.get(&r.client_order_id).copied() else {
            self.refuse(
                i,
                r.client_order_id,
                reject_reason::UNKNOWN_ORDER,
                "replace of an unknown order",
            );
            return;
        };
        let reasons = self.decide(w.slot, r.new_price, r.new_qty);
        let link = &mut self.strategies[i];
        let outcome = if reasons == 0 {
            link.working.insert(
                r.client_order_id,
                WorkingOrder {
                    price: r.new_price,
                    qty: r.new_qty,
                    ..w
                },
            );
            link.report(&Ack {
                client_order_id: r.client_order_id,
                order_id: w.order_id,
            });
            self.counters.replaced += 1;
            Outcome::Replaced
        } else {
            link.report(&Reject {
                client_order_id: r.client_order_id,
                reasons,
                reserved: 0,
            });
            self.counters.rejected += 1;
            Outcome::ReplaceRejected { reasons }
        };
        self.journal_order(
            i,
            r.client_order_id,
            w.slot,
            w.side,
            r.new_qty,
            r.new_price,
            outcome,
        );
    }
}

/// The journal line for a market event an operator should see: a change
/// of trading state, a circuit breaker, an auction collar, a locked or
/// crossed market. Its details are read from the market as the message
/// left it.
fn market_event_text(market: &MarketData, update: MarketUpdate) -> Option<String> {
    let symbol = || update.symbol.map(|s| market.symbol(s));
    Some(match update.event {
        MarketEvent::None | MarketEvent::LuldBands => return None,
        MarketEvent::CircuitBreaker => format!(
            "MARKET-WIDE CIRCUIT BREAKER level {} breached: trading halted",
            market.circuit_breaker.announced
        ),
        MarketEvent::TradingAction => {
            let m = symbol()?;
            let (name, status) = (m.symbol_str(), m.status);
            if status.trading_state == status.previous_state {
                return None;
            }
            let reason = String::from_utf8_lossy(&status.reason).trim().to_string();
            match status.trading_state {
                b'H' => format!("{name} HALTED ({reason})"),
                b'P' => format!("{name} PAUSED: LULD trading pause ({reason})"),
                b'Q' => format!("{name} quotation only"),
                _ => format!("{name} trading"),
            }
        }
        MarketEvent::LuldCollar => {
            let m = symbol()?;
            let collar = m.collar?;
            format!(
                "{} LULD auction collar: reference {}, band {} - {}",
                m.symbol_str(),
                dollars(collar.reference),
                dollars(collar.lower),
                dollars(collar.upper)
            )
        }
        MarketEvent::Condition => {
            let m = symbol()?;
            let what = if m.condition == MarketCondition::Locked {
                "LOCKED"
            } else {
                "CROSSED"
            };
            format!("{} market {what} across venues", m.symbol_str())
        }
    })
}

fn dollars(price: u32) -> String {
    format!("${}.{:02}", price / 10_000, price % 10_000 / 100)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::itch_encoder::{
        add_order, luld_auction_collar, mwcb_status, trading_action, Header,
    };
    use crate::wire::itch::ItchMessage;

    /// Applies one encoded message from `session` and gives its journal line.
    fn apply(
        market: &mut MarketData,
        session: usize,
        write: impl Fn(&mut Vec<u8>),
    ) -> Option<String> {
        let mut bytes = Vec::new();
        write(&mut bytes);
        let update = market.on_message(session, &ItchMessage::parse(&bytes).unwrap());
        market_event_text(market, update)
    }

    #[test]
    fn market_events_become_journal_lines_from_the_state_the_message_left() {
        let mut market = MarketData::default();
        let h = Header {
            locate: 7,
            ..Header::default()
        };
        let pause = |o: &mut Vec<u8>| trading_action(o, h, "ZXZZT", b'P', "LUDP");
        assert_eq!(
            apply(&mut market, 0, pause).as_deref(),
            Some("ZXZZT PAUSED: LULD trading pause (LUDP)")
        );
        assert_eq!(apply(&mut market, 0, pause), None, "the same state again");
        assert_eq!(
            apply(&mut market, 0, |o| luld_auction_collar(
                o, h, "ZXZZT", 100_000, 105_000, 95_000, 1
            ))
            .as_deref(),
            Some("ZXZZT LULD auction collar: reference $10.00, band $9.50 - $10.50")
        );
        assert_eq!(
            apply(&mut market, 0, |o| trading_action(o, h, "ZXZZT", b'T', "")).as_deref(),
            Some("ZXZZT trading")
        );
        assert_eq!(
            apply(&mut market, 0, |o| mwcb_status(o, Header::default(), b'2')).as_deref(),
            Some("MARKET-WIDE CIRCUIT BREAKER level 2 breached: trading halted")
        );
        // A quote on one venue is no event; the same price bid on another
        // locks the consolidated market.
        assert_eq!(
            apply(&mut market, 0, |o| add_order(
                o, h, 1, b'S', 100, "ZXZZT", 101_000
            )),
            None
        );
        assert_eq!(
            apply(&mut market, 1, |o| add_order(
                o, h, 1, b'B', 100, "ZXZZT", 101_000
            ))
            .as_deref(),
            Some("ZXZZT market LOCKED across venues")
        );
    }
}
