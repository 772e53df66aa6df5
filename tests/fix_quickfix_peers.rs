//! Order entry against QuickFIX's own example acceptors on loopback:
//! `executor` (FIX 4.4, fills every limit order) and `ordermatch` (FIX 4.2,
//! a matching engine), built from Debian's libquickfix-doc sources.

mod support;

use breakwater::gateway::child_order::OrderState;
use breakwater::gateway::fix_session::SessionConfig;
use breakwater::gateway::gateway_event::{EventKind, GatewayEvent, OrderEvent};
use breakwater::gateway::order_gateway::{GatewayConfig, OrderGateway, VenueConfig};
use breakwater::gateway::order_messages::Side;
use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;
use support::quickfix_peer::QuickFixPeer;

fn gateway(peer: &QuickFixPeer, begin_string: &str, target: &str, store: &Path) -> OrderGateway {
    let venue = VenueConfig {
        name: peer.name.clone(),
        addr: peer.addr(),
        session: SessionConfig {
            begin_string: begin_string.into(),
            sender: "BW".into(),
            target: target.into(),
            heartbeat_s: 30,
            store_dir: store.to_path_buf(),
            reset_on_logon: false,
        },
        cancel_on_disconnect: false,
    };
    let mut config = GatewayConfig::new(vec![venue]);
    config.journal = Some(store.join("gateway.journal"));
    config.reconnect_initial_ms = 50;
    OrderGateway::new(config).unwrap()
}

fn log_on(g: &mut OrderGateway, events: &mut Vec<GatewayEvent>) {
    let ok = g
        .poll_until(Duration::from_secs(20), |g| {
            events.extend(g.take_events());
            g.is_logged_on(0)
        })
        .unwrap();
    assert!(ok, "no logon: {events:#?}");
}

/// Fill quantity per order, from the events.
fn fills(events: &[GatewayEvent]) -> HashMap<u64, u64> {
    let mut out = HashMap::new();
    for e in events {
        if let EventKind::Order {
            order,
            event: OrderEvent::Fill { qty, .. },
        } = e.kind
        {
            *out.entry(order).or_default() += qty;
        }
    }
    out
}

#[test]
fn executor_acknowledges_and_fills_every_order() {
    let dir = tempfile::tempdir().unwrap();
    let peer = QuickFixPeer::start("executor", "FIX.4.4", "EXECUTOR", "BW", &dir.path().join("peer"));
    let mut g = gateway(&peer, "FIX.4.4", "EXECUTOR", &dir.path().join("bw"));
    let mut events = Vec::new();
    log_on(&mut g, &mut events);
    let ids: Vec<u64> = (0..20)
        .map(|i| g.submit_order(0, "AAPL", if i % 2 == 0 { Side::Buy } else { Side::Sell }, 100 + i, 1_902_500).unwrap())
        .collect();
    let all_filled = g
        .poll_until(Duration::from_secs(20), |g| {
            events.extend(g.take_events());
            ids.iter().all(|&id| g.order(id).unwrap().state == OrderState::Filled)
        })
        .unwrap();
    assert!(all_filled, "{events:#?}");
    let fills = fills(&events);
    for (i, &id) in ids.iter().enumerate() {
        let o = g.order(id).unwrap();
        assert_eq!((o.cum_qty, fills[&id]), (100 + i as u64, 100 + i as u64), "order {id}");
    }
    assert_eq!(peer.incoming("D").len(), 20);
    assert_eq!(peer.incoming("D").len(), 20);
    assert!(g.shutdown(Duration::from_secs(10)).unwrap(), "logout");
    let journal = std::fs::read_to_string(dir.path().join("bw/gateway.journal")).unwrap();
    assert_eq!(journal.matches(" filled").count(), 20, "{journal}");
}
