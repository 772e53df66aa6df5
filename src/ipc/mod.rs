//! Shared memory between the appliance and strategy processes: the
//! single-producer single-consumer record ring, its message types, the
//! control block, and the folder they live in.

pub mod control_block;
pub mod ring_messages;
pub mod shm_dir;
pub mod shm_file;
pub mod spsc_ring;
pub mod strategy_rings;
pub mod strategy_slot;
pub mod write_prefetch;
