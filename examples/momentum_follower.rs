//! A momentum follower as its own process: connects to the appliance by
//! name and trades with `strategies::momentum_follower`.
//!
//!     breakwater replay --no-strategy --strategy momo &
//!     cargo run --release --example momentum_follower -- --name momo
//!
//! It prints a line for every order it sends, and a summary when the
//! appliance stops.

use breakwater::client::{Strategy, StrategyClient};
use breakwater::ipc::ring_messages::{MarketSnapshot, Report};
use breakwater::strategies::momentum_follower::{MomentumConfig, MomentumFollower};
use clap::Parser;
use std::io::Write;
use std::sync::atomic::AtomicBool;

#[derive(Parser)]
struct Args {
    /// Seconds to wait for the appliance to create this strategy's rings.
    #[arg(long, default_value_t = 30)]
    wait_s: u64,
    /// The strategy's name (its rings are `strategy-<name>.*`).
    #[arg(long, default_value = "momentum")]
    name: String,
    /// Seconds of feed time between decisions.
    #[arg(long, default_value_t = 15)]
    interval_s: u64,
    /// Move, in basis points, that triggers an order.
    #[arg(long, default_value_t = 20)]
    threshold_bps: i64,
    /// Shares per order.
    #[arg(long, default_value_t = 200)]
    qty: u32,
}

/// Prints each order as it is sent.
struct Printing(MomentumFollower);

impl Strategy for Printing {
    fn on_snapshot(&mut self, client: &mut StrategyClient, s: &MarketSnapshot) {
        let before = client.orders_sent();
        self.0.on_snapshot(client, s);
        if client.orders_sent() > before {
            println!("orders sent: {}", client.orders_sent());
            let _ = std::io::stdout().flush();
        }
    }

    fn on_report(&mut self, client: &mut StrategyClient, report: &Report) {
        self.0.on_report(client, report);
    }
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let mut client =
        StrategyClient::connect_within(&args.name, std::time::Duration::from_secs(args.wait_s))?;
    let mut strategy = Printing(MomentumFollower::new(MomentumConfig {
        interval_ns: args.interval_s * 1_000_000_000,
        threshold_bps: args.threshold_bps,
        qty: args.qty,
        ..Default::default()
    }));
    let summary = client.run(&mut strategy, &AtomicBool::new(false))?;
    println!("{}", serde_json::to_string(&summary)?);
    Ok(())
}
