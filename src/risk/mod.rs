//! Pre-trade risk: the L1 order checks (the golden model of the HDL) and the
//! Verilated hardware checks.

pub mod check_vectors;
pub mod hw_risk_check;
pub mod order_checks;
pub mod reject_reason;
pub mod risk_engine;
