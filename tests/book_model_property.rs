//! The order book after any sequence of adds, executions, cancels, replaces
//! and deletes (valid or not) equals a plain reference model: a map of live
//! orders, with each side's levels summed from it.

use breakwater::book::level_order_counts::LevelOrderCounts;
use breakwater::book::venue_book::{VenueBook, VenueBookSizing};
use breakwater::scenario::itch_encoder::{
    add_order, order_cancel, order_delete, order_executed, order_replace, Header,
};
use breakwater::wire::itch::ItchMessage;
use proptest::prelude::*;
use std::collections::{BTreeMap, HashMap};

#[derive(Clone, Debug)]
enum Op {
    Add {
        reference: u64,
        buy: bool,
        price: u32,
        qty: u32,
    },
    Execute {
        reference: u64,
        qty: u32,
    },
    Cancel {
        reference: u64,
        qty: u32,
    },
    Replace {
        reference: u64,
        new_reference: u64,
        price: u32,
        qty: u32,
    },
    Delete {
        reference: u64,
    },
}

fn op() -> impl Strategy<Value = Op> {
    // Few references and prices, so operations collide often.
    let reference = 0u64..24;
    let price = (1u32..12).prop_map(|p| p * 100);
    let qty = 0u32..500;
    prop_oneof![
        (reference.clone(), any::<bool>(), price.clone(), qty.clone()).prop_map(
            |(reference, buy, price, qty)| Op::Add {
                reference,
                buy,
                price,
                qty
            }
        ),
        (reference.clone(), qty.clone())
            .prop_map(|(reference, qty)| Op::Execute { reference, qty }),
        (reference.clone(), qty.clone()).prop_map(|(reference, qty)| Op::Cancel { reference, qty }),
        (reference.clone(), reference.clone(), price, qty).prop_map(
            |(reference, new_reference, price, qty)| {
                Op::Replace {
                    reference,
                    new_reference,
                    price,
                    qty,
                }
            }
        ),
        reference.prop_map(|reference| Op::Delete { reference }),
    ]
}

/// The reference model: live orders by reference.
#[derive(Default)]
struct Model {
    orders: HashMap<u64, (bool, u32, u32)>,
}

impl Model {
    fn rest(&mut self, reference: u64, buy: bool, price: u32, qty: u32) {
        self.orders.remove(&reference);
        if qty > 0 {
            self.orders.insert(reference, (buy, price, qty));
        }
    }

    fn apply(&mut self, op: &Op) {
        match *op {
            Op::Add {
                reference,
                buy,
                price,
                qty,
            } => self.rest(reference, buy, price, qty),
            Op::Execute { reference, qty } | Op::Cancel { reference, qty } => {
                if let Some(o) = self.orders.get_mut(&reference) {
                    o.2 -= qty.min(o.2);
                    if o.2 == 0 {
                        self.orders.remove(&reference);
                    }
                }
            }
            Op::Replace {
                reference,
                new_reference,
                price,
                qty,
            } => {
                if let Some((buy, _, _)) = self.orders.remove(&reference) {
                    self.rest(new_reference, buy, price, qty);
                }
            }
            Op::Delete { reference } => {
                self.orders.remove(&reference);
            }
        }
    }

    /// (price, total qty, order count) per side, best first.
    fn levels(&self, buy: bool) -> Vec<(u32, u64, u32)> {
        let mut m: BTreeMap<u32, (u64, u32)> = BTreeMap::new();
        for &(b, price, qty) in self.orders.values() {
            if b == buy {
                let e = m.entry(price).or_default();
                e.0 += u64::from(qty);
                e.1 += 1;
            }
        }
        let mut v: Vec<(u32, u64, u32)> = m.into_iter().map(|(p, (q, n))| (p, q, n)).collect();
        if buy {
            v.reverse();
        }
        v
    }
}

fn encode(op: &Op) -> Vec<u8> {
    let h = Header {
        locate: 7,
        ..Default::default()
    };
    let mut b = Vec::new();
    match *op {
        Op::Add {
            reference,
            buy,
            price,
            qty,
        } => add_order(
            &mut b,
            h,
            reference,
            if buy { b'B' } else { b'S' },
            qty,
            "TEST",
            price,
        ),
        Op::Execute { reference, qty } => order_executed(&mut b, h, reference, qty, 1),
        Op::Cancel { reference, qty } => order_cancel(&mut b, h, reference, qty),
        Op::Replace {
            reference,
            new_reference,
            price,
            qty,
        } => order_replace(&mut b, h, reference, new_reference, qty, price),
        Op::Delete { reference } => order_delete(&mut b, h, reference),
    }
    b
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1_000))]

    #[test]
    fn book_equals_the_reference_model_after_any_sequence(ops in proptest::collection::vec(op(), 1..300)) {
        // A 64-reference window holds every reference used here, and the
        // order counts' pass over the store stays short.
        let mut book = VenueBook::with_sizing(VenueBookSizing { window_refs: 64, long_lived_orders: 4 });
        let mut model = Model::default();
        // The symbol's book exists from the first add on.
        book.apply(&ItchMessage::parse(&encode(&Op::Add { reference: 50, buy: true, price: 1, qty: 1 })).unwrap());
        model.apply(&Op::Add { reference: 50, buy: true, price: 1, qty: 1 });
        for op in &ops {
            book.apply(&ItchMessage::parse(&encode(op)).unwrap());
            model.apply(op);
            let index = book.book_index_of_locate(7).unwrap();
            let b = book.book(index).unwrap();
            let counts = LevelOrderCounts::of(&book);
            let bids: Vec<(u32, u64, u32)> = counts.depth(index, &b.bids).map(|l| (l.price, l.qty, l.orders)).collect();
            let asks: Vec<(u32, u64, u32)> = counts.depth(index, &b.asks).map(|l| (l.price, l.qty, l.orders)).collect();
            // The level counts and the cached best levels are kept apart
            // from the depth's walk: check them too.
            prop_assert_eq!(b.bids.len(), bids.len(), "bid levels counted after {:?}", op);
            prop_assert_eq!(b.asks.len(), asks.len(), "ask levels counted after {:?}", op);
            prop_assert_eq!(b.best_bid().map(|l| (l.price, l.qty)), bids.first().map(|l| (l.0, l.1)), "best bid after {:?}", op);
            prop_assert_eq!(b.best_ask().map(|l| (l.price, l.qty)), asks.first().map(|l| (l.0, l.1)), "best ask after {:?}", op);
            prop_assert_eq!(bids, model.levels(true), "bids after {:?}", op);
            prop_assert_eq!(asks, model.levels(false), "asks after {:?}", op);
            prop_assert_eq!(book.live_orders(), model.orders.len());
        }
    }
}
