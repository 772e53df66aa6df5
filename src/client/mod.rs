//! The strategy client library: a strategy process connects to its rings by
//! name, sends orders, cancels and replaces, and reads its reports (acks,
//! rejects with reasons, fills, cancels, market snapshots). [`Strategy`] and
//! [`StrategyClient::run`] give a strategy its event loop.

mod run_loop;
mod strategy_client;

pub use run_loop::{RunSummary, Strategy};
pub use strategy_client::StrategyClient;
