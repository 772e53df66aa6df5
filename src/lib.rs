//! Breakwater: a kernel-bypass pre-trade risk and smart-order-routing
//! appliance. See README.md and ARCHITECTURE notes in each module.

pub mod cli;
pub mod feed;
pub mod risk;
pub mod telemetry;
pub mod wire;
