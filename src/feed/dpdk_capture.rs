//! Replaying a capture file through DPDK: the file becomes a `net_pcap`
//! virtual device, hot-plugged for the replay and removed after, and the
//! pinned poll loop reads it until it runs dry.

use super::dpdk::{DpdkError, Eal, Mempool, Port};
use super::poll_loop::{run_poll_loop, PollConfig, PollHandler, PollSummary};
use std::path::Path;
use std::sync::atomic::{AtomicU32, Ordering};

static VDEV_SEQ: AtomicU32 = AtomicU32::new(0);

/// Idle polls that mean a `net_pcap` rx device has reached the end of its
/// file: it reads the file synchronously, so one empty poll already means
/// EOF; the margin costs microseconds.
pub const CAPTURE_END_IDLE_POLLS: u64 = 64;

/// Replays `path` through a fresh `net_pcap` port into `handler`.
pub fn replay_capture(
    eal: &'static Eal,
    pool: &Mempool,
    path: &Path,
    core: Option<usize>,
    handler: &mut impl PollHandler,
) -> Result<PollSummary, DpdkError> {
    let path_text = path
        .canonicalize()
        .map_err(|e| DpdkError::message(format!("capture {}", path.display()), e.to_string()))?
        .display()
        .to_string();
    if path_text.contains(',') || path_text.contains('=') {
        return Err(DpdkError::message(
            "net_pcap",
            format!("capture path {path_text} contains ',' or '=', which DPDK device arguments cannot carry"),
        ));
    }
    let name = format!("net_pcap_bw{}", VDEV_SEQ.fetch_add(1, Ordering::Relaxed));
    let mut port = Port::open_vdev(eal, &name, &format!("rx_pcap={path_text}"), pool, 1, 1)?;
    let config = PollConfig {
        core,
        stop_after_idle_polls: Some(CAPTURE_END_IDLE_POLLS),
        queue: 0,
    };
    run_poll_loop(&mut port, config, handler).map_err(|e| DpdkError::message("poll loop", e))
}
