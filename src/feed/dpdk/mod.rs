//! Safe wrappers over the system DPDK (through our `dpdk-sys` crate): the
//! EAL, packet mempools, ethdev ports with rx/tx queues, and mbufs.
//!
//! DPDK's EAL initialises once per process and cannot be initialised again
//! after cleanup, so [`Eal::init`] returns one process-wide handle; devices
//! (e.g. a `net_pcap` replay of one capture file) are hot-plugged and removed
//! at run time through that handle.

mod dpdk_error;
mod eal;
mod mbuf;
mod mempool;
mod port;

pub use dpdk_error::DpdkError;
pub use eal::{Eal, EalConfig};
pub use mbuf::{Mbuf, RxBurst, MAX_BURST};
pub use mempool::Mempool;
pub use port::{Port, PortStats};
