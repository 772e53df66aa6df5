//! A strategy's pair of rings: `strategy-<name>.orders` (strategy →
//! appliance) and `strategy-<name>.reports` (appliance → strategy), in the
//! shared-memory folder. The appliance creates them (mode 0600) or, after a
//! restart, reattaches to the ones it finds.

use super::shm_dir::{ensure_shm_dir, shm_dir, validate_name};
use super::shm_file::ShmError;
use super::spsc_ring::{Ring, RingError};
use std::path::PathBuf;

pub const DEFAULT_RING_BYTES: usize = 1 << 22;

pub fn orders_path(name: &str) -> PathBuf {
    shm_dir().join(format!("strategy-{name}.orders"))
}

pub fn reports_path(name: &str) -> PathBuf {
    shm_dir().join(format!("strategy-{name}.reports"))
}

#[derive(Debug, thiserror::Error)]
pub enum StrategyRingsError {
    #[error("{0}")]
    BadName(String),
    #[error("strategy {name}: {source}")]
    Ring { name: String, source: RingError },
    #[error(
        "no rings for strategy {name} in {dir} (is the appliance running with that strategy?)"
    )]
    NotFound { name: String, dir: String },
}

/// Opens the pair if it exists, else creates it (appliance side).
pub fn open_or_create(name: &str, capacity: usize) -> Result<(Ring, Ring), StrategyRingsError> {
    validate_name(name).map_err(StrategyRingsError::BadName)?;
    let wrap = |source| StrategyRingsError::Ring {
        name: name.to_string(),
        source,
    };
    ensure_shm_dir().map_err(|source| {
        wrap(RingError::Shm(ShmError::Io {
            path: shm_dir(),
            source,
        }))
    })?;
    let open_or_new = |path: PathBuf, ring_name: String| match Ring::open(&path) {
        Ok(r) => Ok(r),
        Err(RingError::Shm(ShmError::Missing { .. })) => Ring::create(&path, &ring_name, capacity),
        Err(e) => Err(e),
    };
    let orders = open_or_new(orders_path(name), format!("{name}.orders")).map_err(wrap)?;
    let reports = open_or_new(reports_path(name), format!("{name}.reports")).map_err(wrap)?;
    Ok((orders, reports))
}

/// Opens an existing pair (strategy side).
pub fn open_existing(name: &str) -> Result<(Ring, Ring), StrategyRingsError> {
    validate_name(name).map_err(StrategyRingsError::BadName)?;
    let wrap = |source| StrategyRingsError::Ring {
        name: name.to_string(),
        source,
    };
    let open = |path: PathBuf| match Ring::open(&path) {
        Err(RingError::Shm(ShmError::Missing { .. })) => Err(StrategyRingsError::NotFound {
            name: name.to_string(),
            dir: shm_dir().display().to_string(),
        }),
        other => other.map_err(wrap),
    };
    Ok((open(orders_path(name))?, open(reports_path(name))?))
}
