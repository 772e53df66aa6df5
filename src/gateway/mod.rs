//! Order entry to venues: FIX 4.2/4.4 sessions over TCP, driven by one
//! io_uring event loop, with a state machine per child order.

pub mod fix_encoder;
pub mod fix_time;
pub mod seq_store;
pub mod fix_session;
pub mod child_order;
pub mod child_orders;
pub mod gateway_event;
pub mod order_messages;
pub mod venue_session;
pub mod order_gateway;
pub mod uring_journal;
pub mod venue_connection;
