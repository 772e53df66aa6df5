//! Breakwater: a kernel-bypass pre-trade risk and smart-order-routing
//! appliance. See README.md and ARCHITECTURE notes in each module.

pub mod book;
pub mod cli;
pub mod feed;
pub mod ipc;
pub mod risk;
pub mod scenario;
pub mod telemetry;
pub mod wire;
