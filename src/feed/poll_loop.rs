//! The pinned, busy-polling receive loop. One iteration: one rx burst, each
//! frame handed to the handler with its receive TSC, then the handler's
//! per-iteration work (strategy rings, kill switch). The loop never sleeps;
//! in bounded mode it ends by itself after a run of idle polls (the end of a
//! replayed capture) or when the handler says so.

use super::dpdk::{Port, RxBurst};
use crate::telemetry::tsc::rdtsc;
use std::ops::ControlFlow;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PollConfig {
    /// The CPU core to pin the polling thread to; `None` leaves it unpinned.
    pub core: Option<usize>,
    /// Stop after this many consecutive empty polls; `None` polls forever
    /// (until the handler breaks).
    pub stop_after_idle_polls: Option<u64>,
    pub queue: u16,
}

impl Default for PollConfig {
    fn default() -> Self {
        PollConfig {
            core: None,
            stop_after_idle_polls: Some(100_000),
            queue: 0,
        }
    }
}

/// Why the loop returned, and what it did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PollSummary {
    pub frames: u64,
    pub segmented_frames: u64,
    pub polls: u64,
    pub idle_polls: u64,
    pub stopped_by_handler: bool,
}

pub trait PollHandler {
    /// One received frame (its first segment) and the TSC when its burst
    /// arrived. `segments > 1` means the frame is longer than the slice.
    fn on_frame(&mut self, frame: &[u8], segments: u16, rx_tsc: u64);

    /// Called after every poll, busy or idle; `Break` stops the loop.
    fn after_poll(&mut self, received: usize) -> ControlFlow<()>;
}

/// A busy wait that stays polite when it shares its core: it spins for a
/// while, then yields to the scheduler between polls.
#[derive(Default)]
pub struct SpinWait {
    spins: u32,
}

impl SpinWait {
    const SPINS_BEFORE_YIELD: u32 = 1 << 14;

    #[inline]
    pub fn wait(&mut self) {
        if self.spins < Self::SPINS_BEFORE_YIELD {
            self.spins += 1;
            std::hint::spin_loop();
        } else {
            std::thread::yield_now();
        }
    }

    pub fn reset(&mut self) {
        self.spins = 0;
    }
}

/// Pins the calling thread to `core`. Fails when the core does not exist.
pub fn pin_current_thread(core: usize) -> Result<(), String> {
    let ids = core_affinity::get_core_ids().ok_or("cannot read this machine's cores")?;
    let id = ids
        .into_iter()
        .find(|c| c.id == core)
        .ok_or_else(|| format!("core {core} does not exist on this machine"))?;
    if core_affinity::set_for_current(id) {
        Ok(())
    } else {
        Err(format!("sched_setaffinity to core {core} failed"))
    }
}

/// Runs the loop on the calling thread until it ends (see [`PollConfig`]).
pub fn run_poll_loop(
    port: &mut Port<'_>,
    config: PollConfig,
    handler: &mut impl PollHandler,
) -> Result<PollSummary, String> {
    if let Some(core) = config.core {
        pin_current_thread(core)?;
    }
    let mut burst = RxBurst::default();
    let mut summary = PollSummary::default();
    let mut idle_run = 0u64;
    loop {
        let n = port.rx_burst(config.queue, &mut burst);
        summary.polls += 1;
        if n == 0 {
            summary.idle_polls += 1;
            idle_run += 1;
        } else {
            idle_run = 0;
            let rx_tsc = rdtsc();
            for i in 0..n {
                if let Some((frame, segments)) = burst.packet(i) {
                    if segments > 1 {
                        summary.segmented_frames += 1;
                    }
                    handler.on_frame(frame, segments, rx_tsc);
                }
            }
            summary.frames += n as u64;
            burst.clear();
        }
        if handler.after_poll(n).is_break() {
            summary.stopped_by_handler = true;
            break;
        }
        if config
            .stop_after_idle_polls
            .is_some_and(|limit| idle_run >= limit)
        {
            break;
        }
    }
    Ok(summary)
}
