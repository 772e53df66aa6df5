//! Order entry to venues: FIX 4.2/4.4 sessions over TCP, driven by one
//! io_uring event loop, with a state machine per child order.

pub mod child_order;
pub mod child_orders;
pub mod fix_encoder;
pub mod fix_session;
pub mod fix_time;
pub mod frame_buffer;
pub mod gateway_event;
pub mod order_gateway;
pub mod order_messages;
pub mod sent_messages;
pub mod seq_store;
pub mod uring_journal;
pub mod venue_connection;
pub mod venue_session;
