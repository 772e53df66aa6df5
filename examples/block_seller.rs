//! A block seller as its own process: sells `--qty` shares of `--symbol` at
//! `--participation` percent of the market's volume, with no price or time
//! limit (`strategies::block_seller`, May 6, 2010's algorithm).
//!
//!     breakwater replay --no-strategy --strategy seller &
//!     cargo run --release --example block_seller -- --name seller --symbol SPY --qty 50000
//!
//! It prints a line for every order it sends, and a summary when the
//! appliance stops.

use breakwater::client::{Strategy, StrategyClient};
use breakwater::ipc::ring_messages::{MarketSnapshot, Report};
use breakwater::strategies::block_seller::{BlockSeller, BlockSellerConfig};
use clap::Parser;
use std::io::Write;
use std::sync::atomic::AtomicBool;

#[derive(Parser)]
struct Args {
    /// Seconds to wait for the appliance to create this strategy's rings.
    #[arg(long, default_value_t = 30)]
    wait_s: u64,
    #[arg(long, default_value = "seller")]
    name: String,
    #[arg(long, default_value = "SPY")]
    symbol: String,
    /// Shares to sell in all.
    #[arg(long, default_value_t = 50_000)]
    qty: u64,
    /// Percent of the market's volume to sell.
    #[arg(long, default_value_t = 9)]
    participation: u64,
}

struct Printing(BlockSeller);

impl Strategy for Printing {
    fn on_snapshot(&mut self, client: &mut StrategyClient, s: &MarketSnapshot) {
        let before = client.orders_sent();
        self.0.on_snapshot(client, s);
        if client.orders_sent() > before {
            println!(
                "orders sent: {} ({} shares left)",
                client.orders_sent(),
                self.0.remaining()
            );
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
    let mut strategy = Printing(BlockSeller::new(BlockSellerConfig {
        symbol: args.symbol,
        total_qty: args.qty,
        participation_pct: args.participation,
        lot: 100,
    }));
    let summary = client.run(&mut strategy, &AtomicBool::new(false))?;
    println!(
        "{} (unsold: {} shares)",
        serde_json::to_string(&summary)?,
        strategy.0.remaining()
    );
    Ok(())
}
