//! Packet sources and the decoding pipeline from frames to ITCH messages.

pub mod capture_file;
pub mod dpdk;
pub mod dpdk_capture;
pub mod feed_stats;
pub mod frame_decoder;
pub mod gap_recovery;
pub mod message_sink;
pub mod mold_session;
pub mod poll_loop;
