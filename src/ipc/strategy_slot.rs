//! One strategy's entry in the control block: its name, process, state,
//! order counters and last heartbeat, written by the appliance and read by
//! `breakwater status`.

use std::sync::atomic::{AtomicU32, AtomicU64, AtomicU8, Ordering};

pub const MAX_STRATEGIES: usize = 16;
const NAME_LEN: usize = 32;
const REASON_LEN: usize = 48;

/// Slot states.
pub const SLOT_FREE: u32 = 0;
pub const SLOT_CONNECTED: u32 = 1;
pub const SLOT_DISCONNECTED: u32 = 2;

/// The shared-memory layout of one slot (all-zero is a free slot).
#[repr(C, align(64))]
pub struct StrategySlot {
    name: [AtomicU8; NAME_LEN],
    state: AtomicU32,
    pid: AtomicU32,
    orders: AtomicU64,
    accepted: AtomicU64,
    rejected: AtomicU64,
    cancelled: AtomicU64,
    reports_dropped: AtomicU64,
    last_heartbeat_unix_ns: AtomicU64,
    reason: [AtomicU8; REASON_LEN],
}

/// A slot as `status` shows it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct StrategyStatus {
    pub name: String,
    pub state: &'static str,
    pub pid: u32,
    pub orders: u64,
    pub accepted: u64,
    pub rejected: u64,
    pub cancelled: u64,
    pub reports_dropped: u64,
    pub heartbeat_age_ms: Option<u64>,
    pub disconnect_reason: String,
}

fn store_text(dst: &[AtomicU8], text: &str) {
    let bytes = text.as_bytes();
    for (i, slot) in dst.iter().enumerate() {
        slot.store(bytes.get(i).copied().unwrap_or(0), Ordering::Relaxed);
    }
}

fn load_text(src: &[AtomicU8]) -> String {
    let raw: Vec<u8> = src
        .iter()
        .map(|b| b.load(Ordering::Relaxed))
        .take_while(|&b| b != 0)
        .collect();
    String::from_utf8_lossy(&raw).into_owned()
}

impl StrategySlot {
    pub fn name(&self) -> String {
        load_text(&self.name)
    }

    pub fn state(&self) -> u32 {
        self.state.load(Ordering::Acquire)
    }

    /// Takes the slot for `name` (counters reset).
    pub fn connect(&self, name: &str, pid: u32) {
        store_text(&self.name, name);
        for c in [
            &self.orders,
            &self.accepted,
            &self.rejected,
            &self.cancelled,
            &self.reports_dropped,
            &self.last_heartbeat_unix_ns,
        ] {
            c.store(0, Ordering::Relaxed);
        }
        store_text(&self.reason, "");
        self.pid.store(pid, Ordering::Relaxed);
        self.state.store(SLOT_CONNECTED, Ordering::Release);
    }

    pub fn disconnect(&self, reason: &str) {
        store_text(&self.reason, reason);
        self.state.store(SLOT_DISCONNECTED, Ordering::Release);
    }

    pub fn set_pid(&self, pid: u32) {
        self.pid.store(pid, Ordering::Relaxed);
    }

    #[inline]
    pub fn count_order(&self, accepted: bool) {
        self.orders.fetch_add(1, Ordering::Relaxed);
        let c = if accepted {
            &self.accepted
        } else {
            &self.rejected
        };
        c.fetch_add(1, Ordering::Relaxed);
    }

    #[inline]
    pub fn count_cancel(&self) {
        self.cancelled.fetch_add(1, Ordering::Relaxed);
    }

    pub fn set_reports_dropped(&self, n: u64) {
        self.reports_dropped.store(n, Ordering::Relaxed);
    }

    pub fn heartbeat(&self, unix_ns: u64) {
        self.last_heartbeat_unix_ns
            .store(unix_ns, Ordering::Relaxed);
    }

    pub fn status(&self, now_unix_ns: u64) -> StrategyStatus {
        let hb = self.last_heartbeat_unix_ns.load(Ordering::Relaxed);
        StrategyStatus {
            name: self.name(),
            state: match self.state() {
                SLOT_CONNECTED => "connected",
                SLOT_DISCONNECTED => "disconnected",
                _ => "free",
            },
            pid: self.pid.load(Ordering::Relaxed),
            orders: self.orders.load(Ordering::Relaxed),
            accepted: self.accepted.load(Ordering::Relaxed),
            rejected: self.rejected.load(Ordering::Relaxed),
            cancelled: self.cancelled.load(Ordering::Relaxed),
            reports_dropped: self.reports_dropped.load(Ordering::Relaxed),
            heartbeat_age_ms: (hb != 0).then(|| now_unix_ns.saturating_sub(hb) / 1_000_000),
            disconnect_reason: load_text(&self.reason),
        }
    }
}
