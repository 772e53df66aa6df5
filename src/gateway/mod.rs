//! Order entry to venues: FIX 4.2/4.4 sessions over TCP, driven by one
//! io_uring event loop, with a state machine per child order.

pub mod fix_encoder;
pub mod fix_time;
pub mod seq_store;
pub mod fix_session;
