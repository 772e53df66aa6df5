//! The L1 order checks that also exist as FPGA logic (`hdl/rtl/`): price
//! collar, maximum size, maximum notional, LULD band and restricted symbol.
//!
//! This file is the specification. Each check is a small pure function in
//! integer arithmetic that the Verilog reproduces bit for bit; the reason
//! codes are the HDL's reason bits. Prices are ITCH Price(4) integers
//! (1/10,000 dollar), quantities shares, notional price × quantity in
//! 1/10,000 dollar (a u32 × u32 product cannot overflow a u64).

/// Bit flags naming every check an order failed (zero: accepted).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct RejectReasons(pub u8);

impl RejectReasons {
    /// Price outside the collar around the reference price, no reference
    /// price, or a zero price.
    pub const COLLAR: u8 = 1 << 0;
    /// Zero quantity or above the symbol's maximum order size.
    pub const SIZE: u8 = 1 << 1;
    /// Price × quantity above the symbol's maximum notional.
    pub const NOTIONAL: u8 = 1 << 2;
    /// Price outside the published LULD band (when a band is known).
    pub const LULD_BAND: u8 = 1 << 3;
    /// The symbol is on the restricted list.
    pub const RESTRICTED: u8 = 1 << 4;
    /// Every bit the hardware produces.
    pub const HW_MASK: u8 = 0x1f;

    pub fn is_accept(self) -> bool {
        self.0 == 0
    }

    pub fn contains(self, bit: u8) -> bool {
        self.0 & bit != 0
    }

    /// The names of the set reasons, e.g. `["collar", "size"]`.
    pub fn names(self) -> Vec<&'static str> {
        const NAMES: [(u8, &str); 5] = [
            (RejectReasons::COLLAR, "collar"),
            (RejectReasons::SIZE, "size"),
            (RejectReasons::NOTIONAL, "notional"),
            (RejectReasons::LULD_BAND, "luld_band"),
            (RejectReasons::RESTRICTED, "restricted"),
        ];
        NAMES
            .iter()
            .filter(|(bit, _)| self.contains(*bit))
            .map(|(_, n)| *n)
            .collect()
    }
}

/// One symbol's limits, as held in the HDL's parameter registers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SymbolLimits {
    /// Reference price (last sale or prior close), Price(4). Zero: unknown.
    pub reference_price: u32,
    /// Half-width of the collar in basis points of the reference price.
    pub collar_bps: u16,
    pub max_order_qty: u32,
    /// Maximum price × quantity, in Price(4) units × shares.
    pub max_notional: u64,
    /// LULD band, Price(4); `luld_upper == 0` means no band is known.
    pub luld_lower: u32,
    pub luld_upper: u32,
    pub restricted: bool,
}

/// The order fields the checks read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OrderToCheck {
    pub price: u32,
    pub qty: u32,
}

pub const BPS_PER_UNIT: u64 = 10_000;

/// |price − reference| × 10,000 > reference × collar_bps, or no reference,
/// or a zero price. Both products fit in 48 bits.
#[inline]
pub fn collar_violation(price: u32, reference_price: u32, collar_bps: u16) -> bool {
    if reference_price == 0 || price == 0 {
        return true;
    }
    let distance = u64::from(price.abs_diff(reference_price));
    distance * BPS_PER_UNIT > u64::from(reference_price) * u64::from(collar_bps)
}

#[inline]
pub fn size_violation(qty: u32, max_order_qty: u32) -> bool {
    qty == 0 || qty > max_order_qty
}

#[inline]
pub fn notional_violation(price: u32, qty: u32, max_notional: u64) -> bool {
    u64::from(price) * u64::from(qty) > max_notional
}

/// Outside `[lower, upper]` inclusive; no band known (`upper == 0`) passes.
#[inline]
pub fn luld_band_violation(price: u32, luld_lower: u32, luld_upper: u32) -> bool {
    luld_upper != 0 && (price < luld_lower || price > luld_upper)
}

/// Every hardware check at once: the golden model of `risk_check.v`.
#[inline]
pub fn check_order(order: OrderToCheck, limits: &SymbolLimits) -> RejectReasons {
    let mut r = 0;
    if collar_violation(order.price, limits.reference_price, limits.collar_bps) {
        r |= RejectReasons::COLLAR;
    }
    if size_violation(order.qty, limits.max_order_qty) {
        r |= RejectReasons::SIZE;
    }
    if notional_violation(order.price, order.qty, limits.max_notional) {
        r |= RejectReasons::NOTIONAL;
    }
    if luld_band_violation(order.price, limits.luld_lower, limits.luld_upper) {
        r |= RejectReasons::LULD_BAND;
    }
    if limits.restricted {
        r |= RejectReasons::RESTRICTED;
    }
    RejectReasons(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> SymbolLimits {
        SymbolLimits {
            reference_price: 1_000_000, // $100.00
            collar_bps: 500,            // ±5%
            max_order_qty: 10_000,
            max_notional: 1_000_000 * 5_000, // $500,000
            luld_lower: 900_000,
            luld_upper: 1_100_000,
            restricted: false,
        }
    }

    #[test]
    fn collar_edges_are_inclusive() {
        assert!(!collar_violation(1_050_000, 1_000_000, 500));
        assert!(!collar_violation(950_000, 1_000_000, 500));
        assert!(collar_violation(1_050_001, 1_000_000, 500));
        assert!(collar_violation(949_999, 1_000_000, 500));
    }

    #[test]
    fn collar_rejects_without_reference_or_with_zero_price() {
        assert!(collar_violation(100, 0, 10_000));
        assert!(collar_violation(0, 100, 65_535));
    }

    #[test]
    fn collar_arithmetic_holds_at_maximum_values() {
        assert!(!collar_violation(u32::MAX, u32::MAX, 0));
        assert!(collar_violation(1, u32::MAX, 9_999));
        assert!(!collar_violation(1, u32::MAX, 10_000));
    }

    #[test]
    fn size_rejects_zero_and_above_maximum() {
        assert!(size_violation(0, 100));
        assert!(!size_violation(100, 100));
        assert!(size_violation(101, 100));
    }

    #[test]
    fn notional_cannot_overflow() {
        assert!(!notional_violation(u32::MAX, u32::MAX, u64::MAX));
        assert!(notional_violation(
            u32::MAX,
            u32::MAX,
            u64::from(u32::MAX) * u64::from(u32::MAX) - 1
        ));
    }

    #[test]
    fn luld_band_is_inclusive_and_off_without_a_band() {
        assert!(!luld_band_violation(900_000, 900_000, 1_100_000));
        assert!(!luld_band_violation(1_100_000, 900_000, 1_100_000));
        assert!(luld_band_violation(899_999, 900_000, 1_100_000));
        assert!(luld_band_violation(1_100_001, 900_000, 1_100_000));
        assert!(!luld_band_violation(1, 0, 0));
    }

    #[test]
    fn check_order_sets_one_bit_per_failed_check() {
        let l = limits();
        let ok = OrderToCheck {
            price: 1_000_000,
            qty: 100,
        };
        assert!(check_order(ok, &l).is_accept());
        let fat = OrderToCheck {
            price: 1_200_000,
            qty: 20_000,
        };
        let r = check_order(fat, &l);
        assert_eq!(r.names(), ["collar", "size", "notional", "luld_band"]);
        let restricted = SymbolLimits {
            restricted: true,
            ..l
        };
        assert_eq!(check_order(ok, &restricted).0, RejectReasons::RESTRICTED);
    }
}
