//! The Verilated `risk_check` (hdl/rtl/risk_check.v), driven cycle by cycle
//! through the C shim in hdl/shim. One FFI call runs a whole batch of cycles.
//!
//! The model is single-threaded C++ state: [`HwRiskCheck`] holds a raw
//! pointer and is therefore neither `Send` nor `Sync`.

use super::order_checks::{RejectReasons, SymbolLimits};

/// Cycles from an accepted order to its verdict (`BW_LATENCY` in
/// hdl/rtl/bw_defines.vh).
pub const LATENCY_CYCLES: u64 = 3;
/// Symbols in the hardware limits table (`1 << BW_SYM_BITS`).
pub const SYMBOLS: usize = 1024;

/// Register-map field numbers (address = symbol << 3 | field).
pub mod field {
    pub const REF_PRICE: u32 = 0;
    pub const COLLAR_BPS: u32 = 1;
    pub const MAX_QTY: u32 = 2;
    pub const NOTIONAL_LO: u32 = 3;
    pub const NOTIONAL_HI: u32 = 4;
    pub const LULD_LOWER: u32 = 5;
    pub const LULD_UPPER: u32 = 6;
    pub const FLAGS: u32 = 7;
}

pub fn register_address(symbol: u16, field: u32) -> u32 {
    (u32::from(symbol) << 3) | (field & 7)
}

#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HwOrder {
    pub tag: u32,
    pub symbol: u16,
    pub reserved: u16,
    pub price: u32,
    pub qty: u32,
}

#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HwVerdict {
    pub tag: u32,
    pub accept: u8,
    pub reasons: u8,
    pub reserved: u16,
    /// The cycle the verdict was taken in.
    pub out_cycle: u64,
}

impl HwVerdict {
    pub fn reasons(&self) -> RejectReasons {
        RejectReasons(self.reasons)
    }
}

/// Per-cycle control bits for [`HwRiskCheck::run`].
pub const OFFER: u8 = 1;
pub const OUT_READY: u8 = 2;

#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RunResult {
    pub orders_taken: usize,
    pub verdicts: usize,
    pub cycles: usize,
}

#[repr(C)]
struct RawRiskCheck {
    _opaque: [u8; 0],
}

extern "C" {
    fn bw_rc_new() -> *mut RawRiskCheck;
    fn bw_rc_free(rc: *mut RawRiskCheck);
    fn bw_rc_reset(rc: *mut RawRiskCheck);
    fn bw_rc_write_reg(rc: *mut RawRiskCheck, addr: u32, data: u32);
    fn bw_rc_cycle(rc: *const RawRiskCheck) -> u64;
    fn bw_rc_run(
        rc: *mut RawRiskCheck,
        orders: *const HwOrder,
        n_orders: usize,
        control: *const u8,
        n_cycles: usize,
        accept_cycles: *mut u64,
        verdicts: *mut HwVerdict,
        verdict_cap: usize,
    ) -> RunResult;
}

/// One instance of the Verilated pipeline.
pub struct HwRiskCheck {
    raw: *mut RawRiskCheck,
}

/// Compile-time proof that `HwRiskCheck` is not `Send`: if it were, both
/// impls below would apply and the call would be ambiguous.
const _: () = {
    trait AmbiguousIfSend<A> {
        fn check() {}
    }
    impl<T: ?Sized> AmbiguousIfSend<()> for T {}
    impl<T: ?Sized + Send> AmbiguousIfSend<u8> for T {}
    let _ = <HwRiskCheck as AmbiguousIfSend<_>>::check;
};

impl Default for HwRiskCheck {
    fn default() -> Self {
        Self::new()
    }
}

impl HwRiskCheck {
    /// A fresh model, reset; its limits table reads as zero (every order
    /// fails the collar and size checks until limits are written).
    pub fn new() -> Self {
        // SAFETY: bw_rc_new allocates and resets a model, never returns NULL
        // (C++ new throws, which aborts across extern "C").
        let raw = unsafe { bw_rc_new() };
        assert!(!raw.is_null(), "bw_rc_new returned NULL");
        let mut hw = HwRiskCheck { raw };
        for symbol in 0..SYMBOLS as u16 {
            hw.write_limits(symbol, &SymbolLimits::default());
        }
        hw
    }

    /// Clears the pipeline (rst for two cycles); the limits table is kept.
    pub fn reset(&mut self) {
        // SAFETY: raw is a live model owned by self.
        unsafe { bw_rc_reset(self.raw) }
    }

    pub fn write_register(&mut self, addr: u32, data: u32) {
        // SAFETY: raw is a live model owned by self.
        unsafe { bw_rc_write_reg(self.raw, addr, data) }
    }

    /// Writes all eight registers of one symbol.
    pub fn write_limits(&mut self, symbol: u16, l: &SymbolLimits) {
        let a = |f| register_address(symbol, f);
        self.write_register(a(field::REF_PRICE), l.reference_price);
        self.write_register(a(field::COLLAR_BPS), u32::from(l.collar_bps));
        self.write_register(a(field::MAX_QTY), l.max_order_qty);
        self.write_register(a(field::NOTIONAL_LO), l.max_notional as u32);
        self.write_register(a(field::NOTIONAL_HI), (l.max_notional >> 32) as u32);
        self.write_register(a(field::LULD_LOWER), l.luld_lower);
        self.write_register(a(field::LULD_UPPER), l.luld_upper);
        self.write_register(a(field::FLAGS), u32::from(l.restricted));
    }

    /// Cycles run since the model was created.
    pub fn cycle(&self) -> u64 {
        // SAFETY: raw is a live model owned by self.
        unsafe { bw_rc_cycle(self.raw) }
    }

    /// Runs `control.len()` cycles (see [`OFFER`], [`OUT_READY`]), offering
    /// `orders` in sequence. Verdicts taken are appended to `verdicts`, the
    /// cycle each order was accepted in to `accept_cycles` if given.
    pub fn run(
        &mut self,
        orders: &[HwOrder],
        control: &[u8],
        mut accept_cycles: Option<&mut Vec<u64>>,
        verdicts: &mut Vec<HwVerdict>,
    ) -> RunResult {
        // Room for every order offered plus what is still in the pipeline.
        let cap = orders.len() + LATENCY_CYCLES as usize + 1;
        let v_start = verdicts.len();
        verdicts.resize(v_start + cap, HwVerdict::default());
        let accept_ptr = match accept_cycles.as_deref_mut() {
            Some(v) => {
                let start = v.len();
                v.resize(start + orders.len(), 0);
                // SAFETY: start <= len after the resize; the pointer stays
                // inside the vector's buffer.
                unsafe { v.as_mut_ptr().add(start) }
            }
            None => std::ptr::null_mut(),
        };
        // SAFETY: every pointer/length pair describes a live buffer of at
        // least that many elements: orders and control are slices; verdicts
        // has `cap` writable slots from v_start; accept_ptr (if not NULL) has
        // orders.len() slots. The shim writes at most verdict_cap verdicts and
        // at most n_orders accept cycles.
        let r = unsafe {
            bw_rc_run(
                self.raw,
                orders.as_ptr(),
                orders.len(),
                control.as_ptr(),
                control.len(),
                accept_ptr,
                verdicts.as_mut_ptr().add(v_start),
                cap,
            )
        };
        verdicts.truncate(v_start + r.verdicts);
        if let Some(v) = accept_cycles {
            let keep = v.len() - orders.len() + r.orders_taken;
            v.truncate(keep);
        }
        r
    }

    /// Checks `orders` with the pipeline always fed and always drained, and
    /// returns their verdicts in order (plus the cycles it took).
    pub fn check_all(&mut self, orders: &[HwOrder]) -> (Vec<HwVerdict>, usize) {
        let control = vec![OFFER | OUT_READY; orders.len() + LATENCY_CYCLES as usize];
        let mut verdicts = Vec::with_capacity(orders.len());
        let r = self.run(orders, &control, None, &mut verdicts);
        (verdicts, r.cycles)
    }
}

impl Drop for HwRiskCheck {
    fn drop(&mut self) {
        // SAFETY: raw was created by bw_rc_new and is freed exactly once.
        unsafe { bw_rc_free(self.raw) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::risk::order_checks::{check_order, OrderToCheck};

    fn limits() -> SymbolLimits {
        SymbolLimits {
            reference_price: 1_000_000,
            collar_bps: 500,
            max_order_qty: 10_000,
            max_notional: 5_000_000_000,
            luld_lower: 900_000,
            luld_upper: 1_100_000,
            restricted: false,
        }
    }

    #[test]
    fn verdicts_match_the_golden_model_for_a_few_orders() {
        let mut hw = HwRiskCheck::new();
        hw.write_limits(7, &limits());
        let orders: Vec<HwOrder> = [
            (1_000_000, 100),
            (1_060_000, 100),
            (1_000_000, 0),
            (1_000_000, 9_000),
        ]
        .iter()
        .enumerate()
        .map(|(i, &(price, qty))| HwOrder {
            tag: i as u32,
            symbol: 7,
            price,
            qty,
            ..Default::default()
        })
        .collect();
        let (verdicts, _) = hw.check_all(&orders);
        assert_eq!(verdicts.len(), orders.len());
        for (o, v) in orders.iter().zip(&verdicts) {
            assert_eq!(v.tag, o.tag);
            let model = check_order(
                OrderToCheck {
                    price: o.price,
                    qty: o.qty,
                },
                &limits(),
            );
            assert_eq!(v.reasons, model.0, "order {o:?}");
            assert_eq!(v.accept == 1, model.is_accept());
        }
        assert_eq!(verdicts[0].reasons, 0);
        assert_eq!(verdicts[1].reasons(), RejectReasons(RejectReasons::COLLAR));
    }

    #[test]
    fn an_unconfigured_symbol_is_rejected() {
        let mut hw = HwRiskCheck::new();
        let (v, _) = hw.check_all(&[HwOrder {
            tag: 1,
            symbol: 3,
            price: 100,
            qty: 1,
            ..Default::default()
        }]);
        assert_eq!(v[0].accept, 0);
        assert!(v[0].reasons().contains(RejectReasons::COLLAR));
        assert!(v[0].reasons().contains(RejectReasons::SIZE));
    }
}
