//! `breakwater kill`, `resume` and `status`: act on the control block in
//! shared memory. They work whether or not an appliance is running: a kill
//! engaged before the appliance starts is honoured when it starts.

use crate::ipc::control_block::{ControlBlock, ControlStatus};
use crate::ipc::shm_file::ShmError;
use crate::telemetry::tsc::rdtsc;
use anyhow::{Context, Result};
use std::io::Write;

pub fn kill(reason: &str, out: &mut impl Write) -> Result<()> {
    let cb = ControlBlock::open_or_create().context("opening the control block")?;
    cb.kill(reason, rdtsc());
    let s = cb.status();
    writeln!(
        out,
        "kill switch ENGAGED ({reason}); trading state {}{}",
        s.trading_state,
        if s.appliance_running {
            format!(
                "; appliance pid {} cancels every working order and blocks new ones",
                s.appliance_pid
            )
        } else {
            "; no appliance is running: it will start halted".to_string()
        }
    )?;
    Ok(())
}

pub fn resume(out: &mut impl Write) -> Result<()> {
    let cb = ControlBlock::open_or_create().context("opening the control block")?;
    cb.resume();
    writeln!(
        out,
        "kill switch released; trading state {}",
        cb.trading_state().name()
    )?;
    Ok(())
}

pub fn status(json: bool, out: &mut impl Write) -> Result<()> {
    let status = match ControlBlock::open_existing() {
        Ok(cb) => Some(cb.status()),
        Err(ShmError::Missing { .. }) => None,
        Err(e) => return Err(e).context("reading the control block"),
    };
    if json {
        let value = match &status {
            Some(s) => serde_json::to_value(s)?,
            None => serde_json::json!({"appliance_running": false, "control_block": null}),
        };
        writeln!(out, "{value}")?;
        return Ok(());
    }
    match status {
        None => writeln!(
            out,
            "no appliance is running: there is no control block at {} (no appliance has run with this BREAKWATER_SHM_DIR)",
            ControlBlock::path().display()
        )?,
        Some(s) => write_status(out, &s)?,
    }
    Ok(())
}

fn write_status(out: &mut impl Write, s: &ControlStatus) -> Result<()> {
    if s.appliance_running {
        writeln!(
            out,
            "appliance running: pid {}, heartbeat {} ms ago",
            s.appliance_pid,
            s.heartbeat_age_ms.unwrap_or(0)
        )?;
    } else {
        writeln!(
            out,
            "no appliance is running (control block at {})",
            ControlBlock::path().display()
        )?;
    }
    writeln!(out, "trading state: {}", s.trading_state)?;
    if s.kill_engaged {
        writeln!(out, "kill switch: ENGAGED ({})", s.kill_reason)?;
    } else {
        writeln!(out, "kill switch: off")?;
    }
    writeln!(
        out,
        "orders: {} received, {} accepted, {} rejected; feed frames {}; loop iterations {}",
        s.orders_received, s.orders_accepted, s.orders_rejected, s.feed_frames, s.loop_iterations
    )?;
    for st in &s.strategies {
        write!(
            out,
            "strategy {}: {} (pid {}), {} orders, {} accepted, {} rejected, {} cancelled",
            st.name, st.state, st.pid, st.orders, st.accepted, st.rejected, st.cancelled
        )?;
        if let Some(age) = st.heartbeat_age_ms {
            write!(out, ", heartbeat {age} ms ago")?;
        }
        if !st.disconnect_reason.is_empty() {
            write!(out, "; disconnected: {}", st.disconnect_reason)?;
        }
        writeln!(out)?;
    }
    if s.kill_observed_latency_ns > 0 {
        writeln!(
            out,
            "last kill observed by the loop {} ns after it was engaged",
            s.kill_observed_latency_ns
        )?;
    }
    Ok(())
}
