//! Test vectors for the hardware checks: random limits and orders, with
//! orders aimed at every boundary the checks have (exactly on the collar and
//! the LULD band and one tick past, zero, maximum values, notional at and
//! past its limit). Shared by the Verilator differential test and the
//! golden-vector files replayed by the Icarus testbenches.

use super::order_checks::{SymbolLimits, BPS_PER_UNIT};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

/// A deterministic source of limits and orders.
pub struct CheckVectors {
    rng: StdRng,
}

impl CheckVectors {
    pub fn new(seed: u64) -> Self {
        CheckVectors {
            rng: StdRng::seed_from_u64(seed),
        }
    }

    /// Limits for one symbol: mostly realistic, sometimes extreme (zero,
    /// maximum values, restricted, no band).
    pub fn limits(&mut self) -> SymbolLimits {
        let r = &mut self.rng;
        match r.random_range(0..10u32) {
            0 => SymbolLimits::default(),
            1 => SymbolLimits {
                reference_price: u32::MAX,
                collar_bps: u16::MAX,
                max_order_qty: u32::MAX,
                max_notional: u64::MAX,
                luld_lower: 0,
                luld_upper: u32::MAX,
                restricted: r.random_bool(0.5),
            },
            2 => SymbolLimits {
                reference_price: r.random(),
                collar_bps: r.random(),
                max_order_qty: r.random(),
                max_notional: r.random(),
                luld_lower: r.random(),
                luld_upper: r.random(),
                restricted: r.random_bool(0.5),
            },
            _ => {
                let reference_price = r.random_range(100..50_000_000u32);
                let band_pct = [5u32, 10, 20][r.random_range(0..3)];
                let band = reference_price / 100 * band_pct;
                let has_band = r.random_bool(0.8);
                SymbolLimits {
                    reference_price,
                    collar_bps: r.random_range(0..2_000),
                    max_order_qty: r.random_range(1..100_000),
                    max_notional: r.random_range(1..1_000_000_000_000u64),
                    luld_lower: if has_band { reference_price - band } else { 0 },
                    luld_upper: if has_band { reference_price + band } else { 0 },
                    restricted: r.random_bool(0.05),
                }
            }
        }
    }

    /// An order (price, quantity) against `limits`, aimed at a boundary half
    /// of the time.
    pub fn order(&mut self, l: &SymbolLimits) -> (u32, u32) {
        let r = &mut self.rng;
        let qty = match r.random_range(0..8u32) {
            0 => 0,
            1 => l.max_order_qty,
            2 => l.max_order_qty.saturating_add(1),
            3 => u32::MAX,
            4 => r.random(),
            _ => r.random_range(1..=l.max_order_qty.clamp(1, 50_000)),
        };
        let collar = (u64::from(l.reference_price) * u64::from(l.collar_bps) / BPS_PER_UNIT)
            .min(u64::from(u32::MAX)) as u32;
        let price = match r.random_range(0..16u32) {
            0 => 0,
            1 => u32::MAX,
            2 => l.reference_price.saturating_add(collar),
            3 => l.reference_price.saturating_add(collar).saturating_add(1),
            4 => l.reference_price.saturating_sub(collar),
            5 => l.reference_price.saturating_sub(collar).saturating_sub(1),
            6 => l.luld_lower,
            7 => l.luld_lower.saturating_sub(1),
            8 => l.luld_upper,
            9 => l.luld_upper.saturating_add(1),
            10 => r.random(),
            11 if qty > 0 => (l.max_notional / u64::from(qty)).min(u64::from(u32::MAX)) as u32,
            12 if qty > 0 => {
                ((l.max_notional / u64::from(qty)) + 1).min(u64::from(u32::MAX)) as u32
            }
            _ => {
                let lo = l.reference_price.saturating_sub(collar.saturating_mul(2));
                let hi = l.reference_price.saturating_add(collar.saturating_mul(2));
                r.random_range(lo..=hi)
            }
        };
        (price, qty)
    }

    pub fn bool(&mut self, p: f64) -> bool {
        self.rng.random_bool(p)
    }

    pub fn below(&mut self, n: usize) -> usize {
        self.rng.random_range(0..n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::risk::order_checks::{check_order, OrderToCheck, RejectReasons};

    #[test]
    fn vectors_are_deterministic_per_seed() {
        let mut a = CheckVectors::new(7);
        let mut b = CheckVectors::new(7);
        for _ in 0..100 {
            let la = a.limits();
            assert_eq!(la, b.limits());
            assert_eq!(a.order(&la), b.order(&la));
        }
    }

    #[test]
    fn vectors_exercise_every_reason_and_acceptance() {
        let mut v = CheckVectors::new(1);
        let mut seen = 0u8;
        let mut accepted = 0;
        for _ in 0..2_000 {
            let l = v.limits();
            for _ in 0..20 {
                let (price, qty) = v.order(&l);
                let r = check_order(OrderToCheck { price, qty }, &l);
                seen |= r.0;
                accepted += usize::from(r.is_accept());
            }
        }
        assert_eq!(seen, RejectReasons::HW_MASK);
        assert!(accepted > 1_000, "only {accepted} accepted");
    }
}
