//! A strategy's event loop: reports and market snapshots in, orders out,
//! a `Sync` after each snapshot (so lockstep replays are deterministic),
//! heartbeats to the appliance, and an end when the appliance goes away.

use super::strategy_client::StrategyClient;
use crate::feed::poll_loop::SpinWait;
use crate::ipc::control_block::unix_now_ns;
use crate::ipc::ring_messages::{MarketSnapshot, Report};
use crate::ipc::spsc_ring::{process_alive, RingError};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// What a strategy does with what the appliance sends.
pub trait Strategy {
    /// A market snapshot; orders may be sent through `client`.
    fn on_snapshot(&mut self, client: &mut StrategyClient, snapshot: &MarketSnapshot);

    /// Any other report: ack, reject (with reasons), fill, cancelled.
    fn on_report(&mut self, _client: &mut StrategyClient, _report: &Report) {}
}

/// What a run saw.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct RunSummary {
    pub snapshots: u64,
    pub acks: u64,
    pub rejects: u64,
    pub fills: u64,
    pub cancels: u64,
    pub orders_sent: u64,
}

const HEARTBEAT_EVERY: Duration = Duration::from_millis(100);

impl StrategyClient {
    /// Serves `strategy` until `stop` is set or the appliance has gone (it
    /// released its role or its process died) and every report is read. A
    /// slow appliance (starting up, or busy) is waited for.
    pub fn run(
        &mut self,
        strategy: &mut impl Strategy,
        stop: &AtomicBool,
    ) -> Result<RunSummary, RingError> {
        let mut summary = RunSummary::default();
        let mut spin = SpinWait::default();
        let mut last_heartbeat = Instant::now() - HEARTBEAT_EVERY;
        let mut idle_polls = 0u32;
        loop {
            match self.poll_report()? {
                Some(Report::MarketSnapshot(s)) => {
                    summary.snapshots += 1;
                    strategy.on_snapshot(self, &s);
                    // Everything sent above answered this snapshot.
                    let _ = self.sync(s.seq);
                    spin.reset();
                    idle_polls = 0;
                }
                Some(report) => {
                    match report {
                        Report::Ack(_) => summary.acks += 1,
                        Report::Reject(_) => summary.rejects += 1,
                        Report::Fill(_) => summary.fills += 1,
                        Report::Cancelled(_) => summary.cancels += 1,
                        _ => {}
                    }
                    strategy.on_report(self, &report);
                    spin.reset();
                    idle_polls = 0;
                }
                None => {
                    idle_polls = idle_polls.wrapping_add(1);
                    // The clock and the control block are read now and then,
                    // not on every empty poll.
                    if idle_polls % 1024 == 0 {
                        if last_heartbeat.elapsed() >= HEARTBEAT_EVERY {
                            let _ = self.heartbeat(unix_now_ns());
                            last_heartbeat = Instant::now();
                        }
                        let pid = self.control().appliance_pid();
                        let appliance_gone = pid == 0 || !process_alive(pid);
                        if stop.load(Ordering::Acquire) || appliance_gone {
                            break;
                        }
                    }
                    spin.wait();
                }
            }
        }
        summary.orders_sent = self.orders_sent();
        Ok(summary)
    }
}
