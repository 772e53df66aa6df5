//! `breakwater replay`: the main job. Replays a capture (by default a
//! generated flash crash) through DPDK into the appliance, with the built-in
//! scripted strategy trading through its shared-memory rings, every order
//! checked in Rust (and in the Verilated RTL with `--checks hdl-sim`); then
//! prints the timeline of decisions and defensive events and the latency
//! percentiles.

use crate::client::RunSummary;
use crate::client::StrategyClient;
use crate::config::{ApplianceConfig, RiskDefaults, SymbolEntry};
use crate::engine::appliance::{Appliance, ApplianceReport, ApplianceSettings, ScriptedControl};
use crate::engine::strategy_link::StrategyLink;
use crate::feed::dpdk::{Eal, EalConfig, Mempool};
use crate::feed::dpdk_capture::replay_capture;
use crate::feed::poll_loop::pin_current_thread;
use crate::ipc::control_block::ControlBlock;
use crate::ipc::strategy_rings::{self, DEFAULT_RING_BYTES};
use crate::journal::journal_entry::{JournalEntry, Outcome};
use crate::risk::reject_reason;
use crate::risk::risk_engine::ChecksMode;
use crate::scenario::flash_crash::{clock_ns, FlashCrashScenario};
use crate::scenario::scripted_strategy::ScriptedStrategy;
use crate::telemetry::tsc::TscClock;
use anyhow::{bail, Context, Result};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

pub const STRATEGY_NAME: &str = "scripted";

pub struct ReplayOptions {
    /// A capture to replay; `None` generates the flash-crash scenario.
    pub capture: Option<PathBuf>,
    pub config: Option<PathBuf>,
    pub checks: ChecksMode,
    /// Write the journal as JSON lines here.
    pub journal: Option<PathBuf>,
    /// The core to pin the poll loop to (default: the last core).
    pub core: Option<usize>,
    /// Print every decision, not only the defensive ones.
    pub all: bool,
    /// No built-in strategy.
    pub no_strategy: bool,
    /// External strategy processes to create rings for and wait for.
    pub strategies: Vec<String>,
    /// How long to wait for each external strategy to connect.
    pub connect_timeout: Duration,
}

/// The scenario's symbols and limits: RSTR is on the restricted list.
fn scenario_config(scenario: &FlashCrashScenario) -> Result<ApplianceConfig> {
    let entries = scenario
        .symbols
        .iter()
        .map(|s| SymbolEntry {
            name: s.name.clone(),
            prior_close: format!("{}.{:04}", s.prior_close / 10_000, s.prior_close % 10_000),
            collar_bps: None,
            max_order_qty: None,
            max_notional: None,
            restricted: s.name == "RSTR",
        })
        .collect();
    Ok(ApplianceConfig::from_entries(
        RiskDefaults::default(),
        entries,
    )?)
}

/// The cores this process may run on, read before DPDK's EAL narrows the
/// affinity mask to its main lcore.
fn available_cores() -> Vec<usize> {
    let mut ids: Vec<usize> = core_affinity::get_core_ids()
        .unwrap_or_default()
        .iter()
        .map(|c| c.id)
        .collect();
    ids.sort_unstable();
    ids
}

pub fn run(options: &ReplayOptions, out: &mut impl Write) -> Result<()> {
    let scenario = FlashCrashScenario::default();
    let config = match &options.config {
        Some(path) => ApplianceConfig::load(path)?,
        None => scenario_config(&scenario)?,
    };
    // The capture: given, or the generated flash crash.
    let generated = options.capture.is_none();
    let capture = match &options.capture {
        Some(p) => p.clone(),
        None => {
            let p = std::env::temp_dir().join(format!(
                "breakwater-flash-crash-{}.pcap",
                std::process::id()
            ));
            scenario.write_capture(&p).with_context(|| {
                format!("generating the flash-crash capture at {}", p.display())
            })?;
            p
        }
    };
    let result = replay(options, &config, &capture, generated, out);
    if generated {
        let _ = std::fs::remove_file(&capture);
    }
    result
}

fn replay(
    options: &ReplayOptions,
    config: &ApplianceConfig,
    capture: &std::path::Path,
    generated: bool,
    out: &mut impl Write,
) -> Result<()> {
    let control = ControlBlock::open_or_create().context("opening the control block")?;
    control.claim_appliance().map_err(anyhow::Error::msg)?;
    if control.kill_engaged() {
        let (reason, _, _) = control.kill_details();
        writeln!(
            out,
            "WARNING: the kill switch is engaged ({reason}); every order will be rejected. `breakwater resume` releases it."
        )?;
    }
    // The built-in strategy's rings start empty: remove what an earlier run left.
    let _ = std::fs::remove_file(strategy_rings::orders_path(STRATEGY_NAME));
    let _ = std::fs::remove_file(strategy_rings::reports_path(STRATEGY_NAME));
    // The poll loop gets the last core; the strategy another one if there is
    // one (two busy-polling threads on one core would take turns by the
    // scheduler's clock).
    let cores = available_cores();
    let poll_core = options.core.or_else(|| cores.last().copied());
    let strategy_core = cores.iter().copied().find(|&c| Some(c) != poll_core);
    let mut links = Vec::new();
    let stop = Arc::new(AtomicBool::new(false));
    let mut strategy_thread = None;
    if !options.no_strategy {
        links.push(StrategyLink::open(STRATEGY_NAME, DEFAULT_RING_BYTES)?);
        let client = StrategyClient::connect(STRATEGY_NAME)?;
        let stop = Arc::clone(&stop);
        strategy_thread = Some(
            std::thread::Builder::new()
                .name("strategy-scripted".into())
                .spawn(move || {
                    if let Some(core) = strategy_core {
                        let _ = pin_current_thread(core);
                    }
                    let mut client = client;
                    client.run(&mut ScriptedStrategy::new(), &stop)
                })?,
        );
    }
    for name in &options.strategies {
        if name == STRATEGY_NAME && !options.no_strategy {
            bail!("strategy name {STRATEGY_NAME:?} is the built-in strategy's; choose another or pass --no-strategy");
        }
        let _ = std::fs::remove_file(strategy_rings::orders_path(name));
        let _ = std::fs::remove_file(strategy_rings::reports_path(name));
        links.push(StrategyLink::open(name, DEFAULT_RING_BYTES)?);
    }
    // External strategies connect by name (claiming their orders ring).
    for link in links
        .iter()
        .filter(|l| options.strategies.contains(&l.name))
    {
        writeln!(out, "waiting for strategy {} to connect ...", link.name)?;
        out.flush()?;
        let started = std::time::Instant::now();
        while link.strategy_pid() == 0 {
            if started.elapsed() > options.connect_timeout {
                bail!(
                    "strategy {} did not connect within {:?}",
                    link.name,
                    options.connect_timeout
                );
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    let symbols: Vec<_> = config
        .symbols
        .iter()
        .map(|s| (s.name.clone(), s.limits))
        .collect();
    let settings = ApplianceSettings {
        checks: options.checks,
        lockstep: true,
        scripted_controls: if generated {
            // The seed's timeline: the risk manager keeps the kill switch on
            // through the halt and for 10 minutes after the 15:00 reopening.
            vec![
                ScriptedControl::Kill {
                    at_ns: clock_ns(14, 46, 0),
                    reason: "risk manager: market-wide halt, cancel everything".into(),
                },
                ScriptedControl::Resume {
                    at_ns: clock_ns(15, 10, 0),
                },
            ]
        } else {
            Vec::new()
        },
        ..Default::default()
    };
    let clock = TscClock::calibrate(Duration::from_millis(50));
    let mut appliance =
        Appliance::new(settings, &symbols, links, control, clock).map_err(anyhow::Error::msg)?;

    let eal = Eal::init(&EalConfig {
        main_lcore: poll_core.unwrap_or(0),
        ..Default::default()
    })
    .context("starting DPDK's EAL")?;
    let pool = Mempool::with_defaults(eal, 8192).context("creating the mbuf pool")?;
    let core = poll_core;
    let started = std::time::Instant::now();
    let poll = replay_capture(eal, &pool, capture, core, &mut appliance)
        .with_context(|| format!("replaying {} through DPDK", capture.display()))?;
    let elapsed = started.elapsed();
    let report = appliance.finish();
    stop.store(true, Ordering::Release);
    let strategy_stats = match strategy_thread {
        Some(t) => Some(
            t.join()
                .map_err(|_| anyhow::anyhow!("the strategy thread panicked"))?
                .context("the built-in strategy's rings")?,
        ),
        None => None,
    };

    if let Some(path) = &options.journal {
        let mut f = std::io::BufWriter::new(
            std::fs::File::create(path)
                .with_context(|| format!("creating journal {}", path.display()))?,
        );
        for e in &report.journal {
            writeln!(f, "{}", e.json())?;
        }
        f.flush()?;
    }
    print_report(
        out,
        options,
        capture,
        generated,
        &report,
        strategy_stats,
        poll.frames,
        elapsed,
        core,
    )?;
    if report.counters.check_disagreements > 0 {
        bail!(
            "{} orders got different verdicts from the Rust model and the Verilated RTL",
            report.counters.check_disagreements
        );
    }
    Ok(())
}

/// Defensive events only: routine acceptances, replaces and the strategy's
/// own cancels are counted, not listed, and a run of rejections for the
/// same reason is folded into one line.
fn write_defensive_timeline(out: &mut impl Write, journal: &[JournalEntry]) -> Result<()> {
    let routine = |e: &JournalEntry| {
        matches!(
            e,
            JournalEntry::Order {
                outcome: Outcome::Accepted | Outcome::Replaced | Outcome::Cancelled { reasons: 0 },
                ..
            }
        )
    };
    let reject_reasons = |e: &JournalEntry| match e {
        JournalEntry::Order {
            outcome: Outcome::Rejected { reasons },
            ..
        } => Some(*reasons),
        _ => None,
    };
    let shown: Vec<&JournalEntry> = journal.iter().filter(|e| !routine(e)).collect();
    let hidden = journal.len() - shown.len();
    let mut i = 0;
    while i < shown.len() {
        let e = shown[i];
        let mut j = i + 1;
        if let Some(r) = reject_reasons(e) {
            while j < shown.len() && reject_reasons(shown[j]) == Some(r) {
                j += 1;
            }
        }
        writeln!(out, "  {}", e.text())?;
        if j - i >= 3 {
            let last = shown[j - 1];
            writeln!(
                out,
                "  {}  ... {} more orders rejected ({}), the last at {}",
                " ".repeat(12),
                j - i - 1,
                reject_reason::describe(reject_reasons(e).unwrap_or(0)),
                crate::scenario::flash_crash::format_clock(last.feed_time_ns())
            )?;
        } else {
            for e in &shown[i + 1..j] {
                writeln!(out, "  {}", e.text())?;
            }
        }
        i = j;
    }
    if hidden > 0 {
        writeln!(out, "  ({hidden} routine decisions not shown: acceptances and the strategy's own cancels; --all lists them)")?;
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn print_report(
    out: &mut impl Write,
    options: &ReplayOptions,
    capture: &std::path::Path,
    generated: bool,
    r: &ApplianceReport,
    strategy: Option<RunSummary>,
    frames: u64,
    elapsed: Duration,
    core: Option<usize>,
) -> Result<()> {
    let source = if generated {
        "generated flash crash (May 6, 2010 shape)".to_string()
    } else {
        capture.display().to_string()
    };
    writeln!(out, "Breakwater replay: {source}")?;
    writeln!(
        out,
        "  feed: {} frames via DPDK net_pcap, {} MoldUDP64 packets, {} ITCH messages, {} gaps, poll loop on core {}",
        frames,
        r.feed.packets,
        r.feed.messages(),
        r.feed.gaps,
        core.map_or("-".into(), |c| c.to_string())
    )?;
    let checks = match options.checks {
        ChecksMode::Software => "software (Rust golden model)".to_string(),
        ChecksMode::HdlSim => format!(
            "hdl-sim (Verilated risk_check beside the Rust model: {} cycles per order, {} disagreements)",
            r.counters.hw_cycles_per_check, r.counters.check_disagreements
        ),
    };
    writeln!(out, "  L1 checks: {checks}")?;
    writeln!(out)?;
    writeln!(out, "Timeline (feed time, ET)")?;
    if options.all {
        for e in &r.journal {
            writeln!(out, "  {}", e.text())?;
        }
    } else {
        write_defensive_timeline(out, &r.journal)?;
    }
    writeln!(out)?;
    writeln!(out, "Summary")?;
    let c = &r.counters;
    let mut by_reason: BTreeMap<String, u64> = BTreeMap::new();
    for e in &r.journal {
        if let JournalEntry::Order {
            outcome: Outcome::Rejected { reasons },
            ..
        } = e
        {
            *by_reason
                .entry(reject_reason::describe(*reasons))
                .or_default() += 1;
        }
    }
    let reasons: Vec<String> = by_reason.iter().map(|(k, v)| format!("{k} {v}")).collect();
    writeln!(
        out,
        "  orders {}: accepted {}, rejected {} ({}), cancelled {}, replaced {}",
        c.orders,
        c.accepted,
        c.rejected,
        if reasons.is_empty() {
            "-".into()
        } else {
            reasons.join(", ")
        },
        c.cancelled,
        c.replaced
    )?;
    if let Some(s) = strategy {
        writeln!(
            out,
            "  strategy {STRATEGY_NAME}: sent {}, saw {} acks, {} rejects, {} cancels, {} market snapshots",
            s.orders_sent, s.acks, s.rejects, s.cancels, s.snapshots
        )?;
    }
    writeln!(
        out,
        "  kill switch engagements {}, snapshots sent {}, reports dropped {}",
        c.kill_engagements, c.snapshots_sent, c.reports_dropped
    )?;
    writeln!(
        out,
        "  latency feed -> decision   {}",
        r.feed_to_decision.summary()
    )?;
    writeln!(
        out,
        "  latency burst -> decision  {}",
        r.burst_to_decision.summary()
    )?;
    writeln!(
        out,
        "  latency order -> decision  {}",
        r.order_to_decision.summary()
    )?;
    writeln!(
        out,
        "  latency kill -> observed   {}",
        r.kill_to_observed.summary()
    )?;
    writeln!(
        out,
        "  replay wall time {:.3} s ({:.0} frames/s, lockstep with the strategy)",
        elapsed.as_secs_f64(),
        frames as f64 / elapsed.as_secs_f64().max(1e-9)
    )?;
    Ok(())
}
