//! The golden vectors the Icarus testbenches in hdl/tb replay are produced
//! by the Rust model (src/risk/order_checks.rs). This test regenerates them
//! and demands the committed files be identical, so the testbenches always
//! check the RTL against the current model.
//!
//! To rewrite the files after a deliberate change to the model:
//! `BREAKWATER_WRITE_VECTORS=1 cargo test --release --test hdl_golden_vectors`

use breakwater::risk::check_vectors::CheckVectors;
use breakwater::risk::hw_risk_check::{field, register_address};
use breakwater::risk::order_checks::{
    check_order, collar_violation, luld_band_violation, notional_violation, size_violation,
    OrderToCheck, SymbolLimits,
};
use std::fmt::Write;
use std::path::PathBuf;

/// Vectors per unit testbench; must match `N` in each hdl/tb/*_tb.v.
const UNIT_VECTORS: usize = 1_000;
/// Symbols configured and orders sent by risk_check_tb.v (`NW`, `NO`).
const TB_SYMBOLS: usize = 64;
const TB_ORDERS: usize = 2_000;

fn collar() -> String {
    let mut v = CheckVectors::new(11);
    let mut out = String::new();
    for _ in 0..UNIT_VECTORS {
        let l = v.limits();
        let (price, _) = v.order(&l);
        let bad = collar_violation(price, l.reference_price, l.collar_bps);
        writeln!(
            out,
            "{price:08x}{:08x}{:04x}{:x}",
            l.reference_price,
            l.collar_bps,
            u8::from(bad)
        )
        .unwrap();
    }
    out
}

fn size() -> String {
    let mut v = CheckVectors::new(12);
    let mut out = String::new();
    for _ in 0..UNIT_VECTORS {
        let l = v.limits();
        let (_, qty) = v.order(&l);
        let bad = size_violation(qty, l.max_order_qty);
        writeln!(out, "{qty:08x}{:08x}{:x}", l.max_order_qty, u8::from(bad)).unwrap();
    }
    out
}

fn notional() -> String {
    let mut v = CheckVectors::new(13);
    let mut out = String::new();
    for _ in 0..UNIT_VECTORS {
        let l = v.limits();
        let (price, qty) = v.order(&l);
        let bad = notional_violation(price, qty, l.max_notional);
        writeln!(
            out,
            "{price:08x}{qty:08x}{:016x}{:x}",
            l.max_notional,
            u8::from(bad)
        )
        .unwrap();
    }
    out
}

fn luld_band() -> String {
    let mut v = CheckVectors::new(14);
    let mut out = String::new();
    for _ in 0..UNIT_VECTORS {
        let l = v.limits();
        let (price, _) = v.order(&l);
        let bad = luld_band_violation(price, l.luld_lower, l.luld_upper);
        writeln!(
            out,
            "{price:08x}{:08x}{:08x}{:x}",
            l.luld_lower,
            l.luld_upper,
            u8::from(bad)
        )
        .unwrap();
    }
    out
}

/// Register writes (addr, data) configuring TB_SYMBOLS symbols spread over
/// the table (first and last included), and orders with expected reasons.
fn risk_check() -> (String, String) {
    let mut v = CheckVectors::new(15);
    let symbols: Vec<u16> = (0..TB_SYMBOLS)
        .map(|i| (i * 1023 / (TB_SYMBOLS - 1)) as u16)
        .collect();
    let limits: Vec<SymbolLimits> = symbols.iter().map(|_| v.limits()).collect();
    let mut regs = String::new();
    for (&s, l) in symbols.iter().zip(&limits) {
        for (f, data) in [
            (field::REF_PRICE, l.reference_price),
            (field::COLLAR_BPS, u32::from(l.collar_bps)),
            (field::MAX_QTY, l.max_order_qty),
            (field::NOTIONAL_LO, l.max_notional as u32),
            (field::NOTIONAL_HI, (l.max_notional >> 32) as u32),
            (field::LULD_LOWER, l.luld_lower),
            (field::LULD_UPPER, l.luld_upper),
            (field::FLAGS, u32::from(l.restricted)),
        ] {
            writeln!(regs, "{:04x}{data:08x}", register_address(s, f)).unwrap();
        }
    }
    let mut orders = String::new();
    for tag in 0..TB_ORDERS as u32 {
        let k = v.below(TB_SYMBOLS);
        let (price, qty) = v.order(&limits[k]);
        let reasons = check_order(OrderToCheck { price, qty }, &limits[k]).0;
        writeln!(
            orders,
            "{tag:08x}{:04x}{price:08x}{qty:08x}{reasons:02x}",
            symbols[k]
        )
        .unwrap();
    }
    (regs, orders)
}

#[test]
fn committed_golden_vectors_match_the_rust_model() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("hdl/tb/vectors");
    let (regs, orders) = risk_check();
    let files = [
        ("collar_check.hex", collar()),
        ("size_check.hex", size()),
        ("notional_check.hex", notional()),
        ("luld_band_check.hex", luld_band()),
        ("risk_check_registers.hex", regs),
        ("risk_check_orders.hex", orders),
    ];
    let write = std::env::var_os("BREAKWATER_WRITE_VECTORS").is_some();
    if write {
        std::fs::create_dir_all(&dir).unwrap();
    }
    for (name, text) in files {
        let path = dir.join(name);
        if write {
            std::fs::write(&path, &text).unwrap();
            continue;
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == text,
            "{} differs from what the Rust model produces; regenerate with \
             BREAKWATER_WRITE_VECTORS=1 cargo test --release --test hdl_golden_vectors",
            path.display()
        );
    }
}

#[test]
fn unit_vectors_exercise_both_verdicts() {
    for text in [collar(), size(), notional(), luld_band()] {
        let pass = text.lines().filter(|l| l.ends_with('0')).count();
        let fail = text.lines().filter(|l| l.ends_with('1')).count();
        assert_eq!(pass + fail, UNIT_VECTORS);
        assert!(pass > 100 && fail > 100, "pass {pass}, fail {fail}");
    }
}
