//! The L1 decision for one order: the kill switch, symbol state, and the
//! order checks, run in the Rust golden model and (optionally) in the
//! Verilated `risk_check` side by side. With both running, any disagreement
//! rejects the order (fail safe) and is counted: it would be a bug.

use super::hw_risk_check::{HwOrder, HwRiskCheck, SYMBOLS};
use super::order_checks::{check_order, OrderToCheck, SymbolLimits};
use super::reject_reason;

/// Which implementation of the hardware checks decides.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChecksMode {
    /// The Rust golden model only.
    Software,
    /// The Verilated RTL decides; the Rust model runs beside it.
    HdlSim,
}

/// The outcome of the L1 checks for one order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct L1Verdict {
    /// `reject_reason` bits; zero means accepted.
    pub reasons: u32,
    /// Cycles the Verilated pipeline took (0 when not simulated).
    pub hw_cycles: u64,
}

pub struct RiskEngine {
    limits: Vec<SymbolLimits>,
    /// Limits as last written to the hardware table.
    hw_written: Vec<SymbolLimits>,
    hw: Option<HwRiskCheck>,
    next_tag: u32,
    pub disagreements: u64,
    pub checked: u64,
}

impl RiskEngine {
    /// `symbols` limit slots (at most the hardware table's 1,024).
    pub fn new(symbols: usize, mode: ChecksMode) -> Self {
        assert!(symbols <= SYMBOLS, "at most {SYMBOLS} symbols");
        RiskEngine {
            limits: vec![SymbolLimits::default(); symbols],
            hw_written: vec![SymbolLimits::default(); symbols],
            hw: (mode == ChecksMode::HdlSim).then(HwRiskCheck::new),
            next_tag: 0,
            disagreements: 0,
            checked: 0,
        }
    }

    pub fn mode(&self) -> ChecksMode {
        if self.hw.is_some() {
            ChecksMode::HdlSim
        } else {
            ChecksMode::Software
        }
    }

    pub fn limits(&self, symbol: usize) -> &SymbolLimits {
        &self.limits[symbol]
    }

    pub fn limits_mut(&mut self, symbol: usize) -> &mut SymbolLimits {
        &mut self.limits[symbol]
    }

    /// The L1 checks for an order on symbol slot `symbol`.
    pub fn check(&mut self, symbol: usize, price: u32, qty: u32) -> L1Verdict {
        self.checked += 1;
        let limits = self.limits[symbol];
        let model = u32::from(check_order(OrderToCheck { price, qty }, &limits).0);
        let Some(hw) = self.hw.as_mut() else {
            return L1Verdict {
                reasons: model,
                hw_cycles: 0,
            };
        };
        // Keep the hardware table in step with the limits (reference prices
        // move with every trade; write only what changed, just in time).
        if self.hw_written[symbol] != limits {
            hw.write_limits(symbol as u16, &limits);
            self.hw_written[symbol] = limits;
        }
        let tag = self.next_tag;
        self.next_tag = self.next_tag.wrapping_add(1);
        let start = hw.cycle();
        let (verdicts, _) = hw.check_all(&[HwOrder {
            tag,
            symbol: symbol as u16,
            price,
            qty,
            ..Default::default()
        }]);
        let hw_cycles = verdicts.first().map_or(0, |v| v.out_cycle - start);
        let hw_reasons = verdicts
            .first()
            .filter(|v| v.tag == tag)
            .map(|v| u32::from(v.reasons));
        match hw_reasons {
            Some(r) if r == model => L1Verdict {
                reasons: r,
                hw_cycles,
            },
            _ => {
                self.disagreements += 1;
                L1Verdict {
                    reasons: model | hw_reasons.unwrap_or(0) | reject_reason::CHECK_DISAGREEMENT,
                    hw_cycles,
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn engine(mode: ChecksMode) -> RiskEngine {
        let mut e = RiskEngine::new(4, mode);
        *e.limits_mut(1) = SymbolLimits {
            reference_price: 1_000_000,
            collar_bps: 500,
            max_order_qty: 1_000,
            max_notional: u64::MAX,
            ..Default::default()
        };
        e
    }

    #[test]
    fn software_and_hdl_modes_give_the_same_verdicts() {
        let mut sw = engine(ChecksMode::Software);
        let mut hw = engine(ChecksMode::HdlSim);
        for (price, qty) in [(1_000_000, 10), (1_100_000, 10), (1_000_000, 5_000), (0, 0)] {
            let a = sw.check(1, price, qty);
            let b = hw.check(1, price, qty);
            assert_eq!(a.reasons, b.reasons, "{price} x {qty}");
            assert_eq!(b.hw_cycles, 3);
        }
        assert_eq!(hw.disagreements, 0);
    }

    #[test]
    fn limit_changes_reach_the_hardware_before_the_next_check() {
        let mut hw = engine(ChecksMode::HdlSim);
        assert_eq!(hw.check(1, 1_100_000, 10).reasons, reject_reason::COLLAR);
        hw.limits_mut(1).reference_price = 1_100_000;
        assert_eq!(hw.check(1, 1_100_000, 10).reasons, 0);
        assert_eq!(hw.disagreements, 0);
    }
}
