//! Breakwater: a kernel-bypass pre-trade risk and smart-order-routing
//! appliance. See README.md and ARCHITECTURE notes in each module.

pub mod book;
pub mod cli;
pub mod client;
pub mod config;
pub mod engine;
pub mod feed;
pub mod gateway;
pub mod ipc;
pub mod journal;
pub mod market;
pub mod risk;
pub mod scenario;
pub mod strategies;
pub mod telemetry;
pub mod wire;
