//! The Verilated `risk_check` against the Rust golden model: identical
//! verdicts and reason bits for every order, with random idle cycles,
//! backpressure and limit rewrites between batches.
//!
//! `BREAKWATER_HDL_ORDERS` sets the number of orders (default 10,000,000;
//! set 1000000000 for the billion-order run).

use breakwater::risk::check_vectors::CheckVectors;
use breakwater::risk::hw_risk_check::{
    HwOrder, HwRiskCheck, HwVerdict, LATENCY_CYCLES, OFFER, OUT_READY, SYMBOLS,
};
use breakwater::risk::order_checks::{check_order, OrderToCheck, SymbolLimits};

const BATCH: usize = 65_536;

fn orders_from_env() -> u64 {
    std::env::var("BREAKWATER_HDL_ORDERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000_000)
}

#[test]
fn verilated_risk_check_matches_the_golden_model_bit_for_bit() {
    let total = orders_from_env();
    let mut vectors = CheckVectors::new(0x5eed_b4ea);
    let mut hw = HwRiskCheck::new();
    let mut limits = vec![SymbolLimits::default(); SYMBOLS];
    for (s, l) in limits.iter_mut().enumerate() {
        *l = vectors.limits();
        hw.write_limits(s as u16, l);
    }

    let mut next_tag: u32 = 0;
    let mut checked: u64 = 0;
    let mut accepted: u64 = 0;
    let mut reason_hits = [0u64; 5];
    let mut expected = std::collections::VecDeque::<(u32, u8)>::new();
    let mut orders = Vec::with_capacity(BATCH);
    let mut control = Vec::with_capacity(BATCH * 2);
    let mut verdicts: Vec<HwVerdict> = Vec::with_capacity(BATCH + 8);
    let mut offered: u64 = 0;

    while checked < total {
        // Rewrite a few symbols' limits between batches.
        for _ in 0..4 {
            let s = vectors.below(SYMBOLS);
            limits[s] = vectors.limits();
            hw.write_limits(s as u16, &limits[s]);
        }
        orders.clear();
        let n = BATCH.min((total - offered) as usize);
        for _ in 0..n {
            let symbol = vectors.below(SYMBOLS);
            let (price, qty) = vectors.order(&limits[symbol]);
            let model = check_order(OrderToCheck { price, qty }, &limits[symbol]);
            expected.push_back((next_tag, model.0));
            orders.push(HwOrder {
                tag: next_tag,
                symbol: symbol as u16,
                price,
                qty,
                ..Default::default()
            });
            next_tag = next_tag.wrapping_add(1);
        }
        offered += n as u64;
        // Random idle cycles on the input and random backpressure on the
        // output; then drain with everything ready.
        control.clear();
        for _ in 0..n * 2 {
            let mut c = 0;
            if vectors.bool(0.8) {
                c |= OFFER;
            }
            if vectors.bool(0.75) {
                c |= OUT_READY;
            }
            control.push(c);
        }
        control.extend(std::iter::repeat_n(
            OFFER | OUT_READY,
            n + 2 * LATENCY_CYCLES as usize,
        ));
        verdicts.clear();
        let r = hw.run(&orders, &control, None, &mut verdicts);
        assert_eq!(r.orders_taken, n, "the pipeline took every offered order");
        for v in &verdicts {
            let (tag, reasons) = expected.pop_front().expect("no verdict without an order");
            assert_eq!(v.tag, tag, "verdicts come out in order, none lost");
            assert_eq!(
                v.reasons, reasons,
                "order tag {tag}: hardware reasons {:#07b}, model {:#07b}",
                v.reasons, reasons
            );
            assert_eq!(v.accept == 1, reasons == 0);
            accepted += u64::from(reasons == 0);
            for (bit, hits) in reason_hits.iter_mut().enumerate() {
                *hits += u64::from(reasons >> bit & 1);
            }
            checked += 1;
        }
    }
    assert!(
        expected.is_empty(),
        "{} orders without a verdict",
        expected.len()
    );
    assert_eq!(checked, total);
    assert!(accepted > total / 20, "accepted {accepted} of {total}");
    assert!(
        reason_hits.iter().all(|&h| h > total / 100),
        "every reason exercised: {reason_hits:?}"
    );
    eprintln!(
        "checked {checked} orders: {accepted} accepted; reason hits (collar, size, notional, luld, restricted) {reason_hits:?}; {} cycles",
        hw.cycle()
    );
}

fn open_limits() -> SymbolLimits {
    SymbolLimits {
        reference_price: 1_000_000,
        collar_bps: 1_000,
        max_order_qty: 1_000,
        max_notional: u64::MAX,
        luld_lower: 0,
        luld_upper: 0,
        restricted: false,
    }
}

fn order(tag: u32) -> HwOrder {
    HwOrder {
        tag,
        symbol: 1,
        price: 1_000_000,
        qty: 10,
        ..Default::default()
    }
}

#[test]
fn latency_is_exactly_the_documented_three_cycles() {
    let mut hw = HwRiskCheck::new();
    hw.write_limits(1, &open_limits());
    let mut accept = Vec::new();
    let mut verdicts = Vec::new();
    let control = vec![OFFER | OUT_READY; 10];
    hw.run(&[order(9)], &control, Some(&mut accept), &mut verdicts);
    assert_eq!(verdicts.len(), 1);
    assert_eq!(verdicts[0].out_cycle - accept[0], LATENCY_CYCLES);
    assert_eq!(LATENCY_CYCLES, 3, "hdl/README.md documents 3 cycles");
}

#[test]
fn pipeline_accepts_one_order_per_cycle_without_backpressure() {
    let mut hw = HwRiskCheck::new();
    hw.write_limits(1, &open_limits());
    let orders: Vec<HwOrder> = (0..1_000).map(order).collect();
    let mut accept = Vec::new();
    let mut verdicts = Vec::new();
    let control = vec![OFFER | OUT_READY; orders.len() + LATENCY_CYCLES as usize];
    let r = hw.run(&orders, &control, Some(&mut accept), &mut verdicts);
    assert_eq!(r.orders_taken, 1_000);
    assert_eq!(verdicts.len(), 1_000);
    for i in 1..accept.len() {
        assert_eq!(
            accept[i],
            accept[i - 1] + 1,
            "an order accepted every cycle"
        );
        assert_eq!(
            verdicts[i].out_cycle,
            verdicts[i - 1].out_cycle + 1,
            "a verdict every cycle"
        );
    }
    assert!(verdicts.iter().all(|v| v.accept == 1));
}

#[test]
fn backpressure_stalls_the_pipeline_without_losing_a_verdict() {
    let mut hw = HwRiskCheck::new();
    hw.write_limits(1, &open_limits());
    let orders: Vec<HwOrder> = (0..10).map(order).collect();
    let mut accept = Vec::new();
    let mut verdicts = Vec::new();
    // Ten cycles offering with the consumer not ready: the three stages fill.
    let r = hw.run(&orders, &[OFFER; 10], Some(&mut accept), &mut verdicts);
    assert_eq!(r.orders_taken, 3, "only the three pipeline stages fill");
    assert!(verdicts.is_empty());
    // Then the consumer takes everything.
    let r = hw.run(
        &orders[3..],
        &[OFFER | OUT_READY; 20],
        Some(&mut accept),
        &mut verdicts,
    );
    assert_eq!(r.orders_taken, 7);
    let tags: Vec<u32> = verdicts.iter().map(|v| v.tag).collect();
    assert_eq!(tags, (0..10).collect::<Vec<_>>());
}
