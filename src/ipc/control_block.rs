//! The control block: one shared-memory page holding the trading state, the
//! kill switch (with reason and time), the appliance's heartbeat and
//! counters. `breakwater kill`, `resume` and `status` act on it; the
//! appliance's loop reads the kill switch on every iteration.

use super::shm_dir::ensure_shm_dir;
use super::shm_file::{ShmError, ShmFile};
use super::spsc_ring::process_alive;
use super::strategy_slot::{
    StrategySlot, StrategyStatus, MAX_STRATEGIES, SLOT_DISCONNECTED, SLOT_FREE,
};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, AtomicU64, AtomicU8, Ordering};

pub const CONTROL_MAGIC: u64 = u64::from_le_bytes(*b"BWCTRL01");
pub const CONTROL_VERSION: u32 = 2;
pub const CONTROL_FILE: &str = "control";
const REASON_LEN: usize = 120;
/// An appliance whose heartbeat is older than this is reported as not running.
pub const HEARTBEAT_STALE_NS: u64 = 2_000_000_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub enum TradingState {
    Active = 0,
    /// Only orders that reduce exposure pass.
    Reducing = 1,
    /// Nothing passes; working orders are cancelled.
    Halted = 2,
}

impl TradingState {
    pub fn from_u32(v: u32) -> TradingState {
        match v {
            0 => TradingState::Active,
            1 => TradingState::Reducing,
            _ => TradingState::Halted,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            TradingState::Active => "ACTIVE",
            TradingState::Reducing => "REDUCING",
            TradingState::Halted => "HALTED",
        }
    }
}

/// The layout of the control block in shared memory. All-zero bytes are a
/// valid value of every field (atomics), so a zero-filled file can be viewed
/// as this struct before it is initialised.
#[repr(C, align(128))]
pub struct ControlLayout {
    magic: AtomicU64,
    version: AtomicU32,
    appliance_pid: AtomicU32,
    appliance_started_unix_ns: AtomicU64,
    appliance_heartbeat_unix_ns: AtomicU64,
    _pad0: [u8; 96],
    // The loop reads this line every iteration: keep it apart.
    kill_engaged: AtomicU32,
    trading_state: AtomicU32,
    /// Odd while the kill fields below are being written (a seqlock).
    kill_seq: AtomicU64,
    kill_unix_ns: AtomicU64,
    kill_tsc: AtomicU64,
    kill_reason: [AtomicU8; REASON_LEN],
    // Counters written by the appliance.
    orders_received: AtomicU64,
    orders_accepted: AtomicU64,
    orders_rejected: AtomicU64,
    loop_iterations: AtomicU64,
    kill_observed_latency_ns: AtomicU64,
    feed_frames: AtomicU64,
    strategies: [StrategySlot; MAX_STRATEGIES],
}

/// What `breakwater status` prints.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ControlStatus {
    pub appliance_running: bool,
    pub appliance_pid: u32,
    pub heartbeat_age_ms: Option<u64>,
    pub trading_state: &'static str,
    pub kill_engaged: bool,
    pub kill_reason: String,
    pub kill_unix_ns: u64,
    pub orders_received: u64,
    pub orders_accepted: u64,
    pub orders_rejected: u64,
    pub loop_iterations: u64,
    pub feed_frames: u64,
    pub kill_observed_latency_ns: u64,
    /// Strategies that have connected since the control block was made.
    pub strategies: Vec<StrategyStatus>,
}

pub struct ControlBlock {
    file: ShmFile,
}

pub fn unix_now_ns() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64)
}

impl ControlBlock {
    pub fn path() -> PathBuf {
        super::shm_dir::shm_dir().join(CONTROL_FILE)
    }

    const LEN: usize = 4096;

    /// Opens the control block, creating it (mode 0600) when absent, so that
    /// a kill engaged before the appliance starts is still honoured.
    pub fn open_or_create() -> Result<ControlBlock, ShmError> {
        let dir = ensure_shm_dir().map_err(|source| ShmError::Io {
            path: super::shm_dir::shm_dir(),
            source,
        })?;
        let path = dir.join(CONTROL_FILE);
        let file = match ShmFile::create_new(&path, Self::LEN) {
            Ok(f) => f,
            Err(ShmError::Io { source, .. })
                if source.kind() == std::io::ErrorKind::AlreadyExists =>
            {
                ShmFile::open(&path, Self::LEN)?
            }
            Err(e) => return Err(e),
        };
        let cb = ControlBlock { file };
        cb.init_or_check()?;
        Ok(cb)
    }

    /// Opens an existing control block; `Missing` when there is none.
    pub fn open_existing() -> Result<ControlBlock, ShmError> {
        let cb = ControlBlock {
            file: ShmFile::open(&Self::path(), Self::LEN)?,
        };
        cb.init_or_check()?;
        Ok(cb)
    }

    fn init_or_check(&self) -> Result<(), ShmError> {
        let l = self.layout();
        match l.magic.load(Ordering::Acquire) {
            0 => {
                l.version.store(CONTROL_VERSION, Ordering::Relaxed);
                // Racing creators both write the same values.
                l.magic.store(CONTROL_MAGIC, Ordering::Release);
                Ok(())
            }
            CONTROL_MAGIC => {
                let v = l.version.load(Ordering::Acquire);
                if v == CONTROL_VERSION {
                    Ok(())
                } else {
                    Err(ShmError::Invalid {
                        path: self.file.path.clone(),
                        what: format!(
                            "control block version {v}, this build speaks {CONTROL_VERSION}"
                        ),
                    })
                }
            }
            other => Err(ShmError::Invalid {
                path: self.file.path.clone(),
                what: format!("not a Breakwater control block (magic {other:#018x})"),
            }),
        }
    }

    fn layout(&self) -> &ControlLayout {
        const _: () = assert!(std::mem::size_of::<ControlLayout>() <= ControlBlock::LEN);
        // SAFETY: the mapping is LEN >= size_of::<ControlLayout>() bytes,
        // page-aligned (>= 128), and every bit pattern is a valid value of
        // the struct's atomic fields; all access goes through atomics.
        unsafe { &*(self.file.map.as_ptr() as *const ControlLayout) }
    }

    /// Claims the appliance role for this process; refused while another
    /// live appliance holds it.
    pub fn claim_appliance(&self) -> Result<(), String> {
        let l = self.layout();
        let me = std::process::id();
        loop {
            let current = l.appliance_pid.load(Ordering::Acquire);
            if current != 0 && current != me && process_alive(current) {
                return Err(format!(
                    "another appliance (pid {current}) is running on {}",
                    self.file.path.display()
                ));
            }
            if l.appliance_pid
                .compare_exchange(current, me, Ordering::AcqRel, Ordering::Acquire)
                .is_ok()
            {
                let now = unix_now_ns();
                // A new appliance starts its counters afresh.
                for c in [
                    &l.orders_received,
                    &l.orders_accepted,
                    &l.orders_rejected,
                    &l.loop_iterations,
                    &l.feed_frames,
                ] {
                    c.store(0, Ordering::Relaxed);
                }
                l.appliance_started_unix_ns.store(now, Ordering::Relaxed);
                l.appliance_heartbeat_unix_ns.store(now, Ordering::Release);
                return Ok(());
            }
        }
    }

    /// Gives up the appliance role (at a clean exit).
    pub fn release_appliance(&self) {
        let me = std::process::id();
        let _ = self.layout().appliance_pid.compare_exchange(
            me,
            0,
            Ordering::AcqRel,
            Ordering::Acquire,
        );
    }

    /// The process holding the appliance role (0: none).
    pub fn appliance_pid(&self) -> u32 {
        self.layout().appliance_pid.load(Ordering::Acquire)
    }

    pub fn heartbeat(&self, unix_ns: u64) {
        self.layout()
            .appliance_heartbeat_unix_ns
            .store(unix_ns, Ordering::Release);
    }

    /// The kill switch, read by the hot loop on every iteration.
    #[inline(always)]
    pub fn kill_engaged(&self) -> bool {
        self.layout().kill_engaged.load(Ordering::Acquire) != 0
    }

    pub fn trading_state(&self) -> TradingState {
        TradingState::from_u32(self.layout().trading_state.load(Ordering::Acquire))
    }

    pub fn set_trading_state(&self, state: TradingState) {
        self.layout()
            .trading_state
            .store(state as u32, Ordering::Release);
    }

    /// Engages the kill switch: HALTED, with reason and time.
    pub fn kill(&self, reason: &str, tsc: u64) {
        let l = self.layout();
        let seq = l.kill_seq.fetch_add(1, Ordering::AcqRel);
        let _ = seq;
        let bytes = reason.as_bytes();
        for (i, slot) in l.kill_reason.iter().enumerate() {
            slot.store(bytes.get(i).copied().unwrap_or(0), Ordering::Relaxed);
        }
        l.kill_unix_ns.store(unix_now_ns(), Ordering::Relaxed);
        l.kill_tsc.store(tsc, Ordering::Relaxed);
        l.kill_seq.fetch_add(1, Ordering::Release);
        l.trading_state
            .store(TradingState::Halted as u32, Ordering::Release);
        l.kill_engaged.store(1, Ordering::Release);
    }

    /// Disengages the kill switch and returns to ACTIVE.
    pub fn resume(&self) {
        let l = self.layout();
        l.kill_engaged.store(0, Ordering::Release);
        l.trading_state
            .store(TradingState::Active as u32, Ordering::Release);
    }

    /// The kill reason and its TSC, read consistently (seqlock).
    pub fn kill_details(&self) -> (String, u64, u64) {
        let l = self.layout();
        loop {
            let s0 = l.kill_seq.load(Ordering::Acquire);
            if s0 % 2 == 1 {
                std::hint::spin_loop();
                continue;
            }
            let raw: Vec<u8> = l
                .kill_reason
                .iter()
                .map(|b| b.load(Ordering::Relaxed))
                .take_while(|&b| b != 0)
                .collect();
            let unix_ns = l.kill_unix_ns.load(Ordering::Relaxed);
            let tsc = l.kill_tsc.load(Ordering::Relaxed);
            std::sync::atomic::fence(Ordering::Acquire);
            if l.kill_seq.load(Ordering::Relaxed) == s0 {
                return (String::from_utf8_lossy(&raw).into_owned(), unix_ns, tsc);
            }
        }
    }

    pub fn record_order(&self, accepted: bool) {
        let l = self.layout();
        l.orders_received.fetch_add(1, Ordering::Relaxed);
        if accepted {
            l.orders_accepted.fetch_add(1, Ordering::Relaxed);
        } else {
            l.orders_rejected.fetch_add(1, Ordering::Relaxed);
        }
    }

    pub fn add_loop_iterations(&self, n: u64, frames: u64) {
        let l = self.layout();
        l.loop_iterations.fetch_add(n, Ordering::Relaxed);
        l.feed_frames.fetch_add(frames, Ordering::Relaxed);
    }

    pub fn set_kill_observed_latency_ns(&self, ns: u64) {
        self.layout()
            .kill_observed_latency_ns
            .store(ns, Ordering::Relaxed);
    }

    pub fn status(&self) -> ControlStatus {
        let l = self.layout();
        let pid = l.appliance_pid.load(Ordering::Acquire);
        let heartbeat = l.appliance_heartbeat_unix_ns.load(Ordering::Acquire);
        let age = (heartbeat != 0).then(|| unix_now_ns().saturating_sub(heartbeat) / 1_000_000);
        let running = pid != 0
            && process_alive(pid)
            && age.is_some_and(|a| a * 1_000_000 < HEARTBEAT_STALE_NS);
        let (kill_reason, kill_unix_ns, _) = self.kill_details();
        ControlStatus {
            appliance_running: running,
            appliance_pid: pid,
            heartbeat_age_ms: age,
            trading_state: self.trading_state().name(),
            kill_engaged: self.kill_engaged(),
            kill_reason,
            kill_unix_ns,
            orders_received: l.orders_received.load(Ordering::Relaxed),
            orders_accepted: l.orders_accepted.load(Ordering::Relaxed),
            orders_rejected: l.orders_rejected.load(Ordering::Relaxed),
            loop_iterations: l.loop_iterations.load(Ordering::Relaxed),
            feed_frames: l.feed_frames.load(Ordering::Relaxed),
            kill_observed_latency_ns: l.kill_observed_latency_ns.load(Ordering::Relaxed),
            strategies: l
                .strategies
                .iter()
                .filter(|s| s.state() != SLOT_FREE)
                .map(|s| s.status(unix_now_ns()))
                .collect(),
        }
    }

    /// The slot for strategy `name`: its existing one, else a free one, else
    /// the oldest disconnected one. `None` when all are connected.
    pub fn strategy_slot(&self, name: &str) -> Option<usize> {
        let slots = &self.layout().strategies;
        slots
            .iter()
            .position(|s| s.state() != SLOT_FREE && s.name() == name)
            .or_else(|| slots.iter().position(|s| s.state() == SLOT_FREE))
            .or_else(|| slots.iter().position(|s| s.state() == SLOT_DISCONNECTED))
    }

    pub fn strategy(&self, slot: usize) -> &StrategySlot {
        &self.layout().strategies[slot]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Control-block tests share the process environment; each uses its own
    /// folder and runs under this lock.
    static ENV_LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());

    fn with_temp_shm<T>(f: impl FnOnce() -> T) -> T {
        let _g = ENV_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        let dir = tempfile::tempdir().unwrap();
        // SAFETY (not unsafe in edition 2021): tests holding ENV_LOCK are the
        // only code touching this variable.
        std::env::set_var(super::super::shm_dir::SHM_DIR_ENV, dir.path());
        let r = f();
        std::env::remove_var(super::super::shm_dir::SHM_DIR_ENV);
        r
    }

    #[test]
    fn kill_then_resume_round_trips_state_and_reason() {
        with_temp_shm(|| {
            let cb = ControlBlock::open_or_create().unwrap();
            assert!(!cb.kill_engaged());
            cb.kill("manual: test", 123);
            let other = ControlBlock::open_existing().unwrap();
            assert!(other.kill_engaged());
            assert_eq!(other.trading_state(), TradingState::Halted);
            let (reason, unix_ns, tsc) = other.kill_details();
            assert_eq!(reason, "manual: test");
            assert!(unix_ns > 0);
            assert_eq!(tsc, 123);
            other.resume();
            assert!(!cb.kill_engaged());
            assert_eq!(cb.trading_state(), TradingState::Active);
        })
    }

    #[test]
    fn status_without_an_appliance_says_not_running() {
        with_temp_shm(|| {
            let cb = ControlBlock::open_or_create().unwrap();
            let s = cb.status();
            assert!(!s.appliance_running);
            cb.claim_appliance().unwrap();
            assert!(cb.status().appliance_running);
            cb.release_appliance();
            assert!(!cb.status().appliance_running);
        })
    }

    #[test]
    fn control_file_is_created_mode_0600() {
        use std::os::unix::fs::PermissionsExt;
        with_temp_shm(|| {
            ControlBlock::open_or_create().unwrap();
            let mode = std::fs::metadata(ControlBlock::path())
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        })
    }

    #[test]
    fn a_file_with_a_foreign_magic_is_refused() {
        with_temp_shm(|| {
            let dir = ensure_shm_dir().unwrap();
            std::fs::write(dir.join(CONTROL_FILE), vec![0xabu8; 4096]).unwrap();
            let err = ControlBlock::open_existing().err().unwrap();
            assert!(
                err.to_string().contains("not a Breakwater control block"),
                "{err}"
            );
        })
    }
}
