//! The appliance's TOML configuration: the symbols it trades and their risk
//! limits. Prices are written in dollars as strings ("115.00") and parsed
//! exactly into Price(4) integers; every error names the field at fault.
//!
//! ```toml
//! [risk]                      # defaults for every symbol
//! collar_bps = 500            # ±5% around the reference price
//! max_order_qty = 10000
//! max_notional = "1000000.00"
//!
//! [[symbol]]
//! name = "SPY"
//! prior_close = "115.00"
//! collar_bps = 300            # any default can be overridden
//! restricted = false
//! ```

use crate::risk::hw_risk_check::SYMBOLS;
use crate::risk::order_checks::SymbolLimits;
use serde::Deserialize;
use std::path::Path;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("config {path}: {message}")]
    Parse { path: String, message: String },
    #[error("config: {0}")]
    Invalid(String),
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RiskDefaults {
    #[serde(default = "default_collar_bps")]
    pub collar_bps: u32,
    #[serde(default = "default_max_order_qty")]
    pub max_order_qty: u32,
    #[serde(default = "default_max_notional")]
    pub max_notional: String,
}

fn default_collar_bps() -> u32 {
    500
}
fn default_max_order_qty() -> u32 {
    10_000
}
fn default_max_notional() -> String {
    "1000000.00".into()
}

impl Default for RiskDefaults {
    fn default() -> Self {
        RiskDefaults {
            collar_bps: default_collar_bps(),
            max_order_qty: default_max_order_qty(),
            max_notional: default_max_notional(),
        }
    }
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SymbolEntry {
    pub name: String,
    pub prior_close: String,
    pub collar_bps: Option<u32>,
    pub max_order_qty: Option<u32>,
    pub max_notional: Option<String>,
    #[serde(default)]
    pub restricted: bool,
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    risk: RiskDefaults,
    #[serde(default)]
    symbol: Vec<SymbolEntry>,
}

/// One symbol, validated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SymbolConfig {
    pub name: String,
    pub prior_close: u32,
    pub limits: SymbolLimits,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApplianceConfig {
    pub symbols: Vec<SymbolConfig>,
}

/// Parses a dollar amount ("115", "115.5", "0.0001") into Price(4) units,
/// exactly; at most four decimals.
pub fn parse_price4(text: &str) -> Result<u64, String> {
    let t = text.trim().trim_start_matches('$');
    let (whole, frac) = t.split_once('.').unwrap_or((t, ""));
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) || !(frac.is_empty() || digits(frac)) {
        return Err(format!("{text:?} is not a dollar amount like \"115.00\""));
    }
    if frac.len() > 4 {
        return Err(format!(
            "{text:?} has more than 4 decimals (ITCH prices are 1/10,000 dollar)"
        ));
    }
    let whole: u64 = whole
        .parse()
        .map_err(|_| format!("{text:?} is too large"))?;
    let frac_units: u64 = format!("{frac:0<4}").parse().unwrap_or(0);
    whole
        .checked_mul(10_000)
        .and_then(|w| w.checked_add(frac_units))
        .ok_or_else(|| format!("{text:?} is too large"))
}

impl ApplianceConfig {
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.display().to_string(),
            source,
        })?;
        Self::parse(&text).map_err(|e| match e {
            ConfigError::Parse { message, .. } => ConfigError::Parse {
                path: path.display().to_string(),
                message,
            },
            other => other,
        })
    }

    pub fn parse(text: &str) -> Result<Self, ConfigError> {
        let raw: RawConfig = toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: "<text>".into(),
            message: e.to_string(),
        })?;
        Self::validate(raw)
    }

    /// A configuration from entries (for built-in scenarios).
    pub fn from_entries(
        risk: RiskDefaults,
        symbols: Vec<SymbolEntry>,
    ) -> Result<Self, ConfigError> {
        Self::validate(RawConfig {
            risk,
            symbol: symbols,
        })
    }

    fn validate(raw: RawConfig) -> Result<Self, ConfigError> {
        let bad = |m: String| ConfigError::Invalid(m);
        if raw.symbol.is_empty() {
            return Err(bad("no [[symbol]] entries".into()));
        }
        if raw.symbol.len() > SYMBOLS {
            return Err(bad(format!(
                "{} symbols; the hardware table holds {SYMBOLS}",
                raw.symbol.len()
            )));
        }
        let mut symbols = Vec::with_capacity(raw.symbol.len());
        for (i, s) in raw.symbol.iter().enumerate() {
            let at = format!("symbol[{i}] ({})", s.name);
            if s.name.is_empty()
                || s.name.len() > 8
                || !s
                    .name
                    .bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'.')
            {
                return Err(bad(format!("{at}: name must be 1 to 8 of A-Z, 0-9 or '.'")));
            }
            if symbols.iter().any(|x: &SymbolConfig| x.name == s.name) {
                return Err(bad(format!("{at}: listed twice")));
            }
            let prior_close =
                parse_price4(&s.prior_close).map_err(|e| bad(format!("{at}: prior_close {e}")))?;
            let prior_close = u32::try_from(prior_close)
                .ok()
                .filter(|&p| p > 0)
                .ok_or_else(|| {
                    bad(format!(
                        "{at}: prior_close must be above 0 and at most $429,496.7295"
                    ))
                })?;
            let collar_bps = s.collar_bps.unwrap_or(raw.risk.collar_bps);
            let collar_bps = u16::try_from(collar_bps)
                .map_err(|_| bad(format!("{at}: collar_bps {collar_bps} is above 65,535")))?;
            let max_order_qty = s.max_order_qty.unwrap_or(raw.risk.max_order_qty);
            if max_order_qty == 0 {
                return Err(bad(format!("{at}: max_order_qty must be above 0")));
            }
            let notional_text = s.max_notional.as_deref().unwrap_or(&raw.risk.max_notional);
            let max_notional =
                parse_price4(notional_text).map_err(|e| bad(format!("{at}: max_notional {e}")))?;
            symbols.push(SymbolConfig {
                name: s.name.clone(),
                prior_close,
                limits: SymbolLimits {
                    reference_price: prior_close,
                    collar_bps,
                    max_order_qty,
                    max_notional,
                    luld_lower: 0,
                    luld_upper: 0,
                    restricted: s.restricted,
                },
            });
        }
        Ok(ApplianceConfig { symbols })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_parse_exactly() {
        assert_eq!(parse_price4("115.00"), Ok(1_150_000));
        assert_eq!(parse_price4("$0.0001"), Ok(1));
        assert_eq!(parse_price4("7"), Ok(70_000));
        assert!(parse_price4("1.00001").is_err());
        assert!(parse_price4("1e3").is_err());
        assert!(parse_price4("").is_err());
        assert!(parse_price4("-1").is_err());
    }

    #[test]
    fn a_full_config_parses_with_defaults_and_overrides() {
        let c = ApplianceConfig::parse(
            r#"
            [risk]
            collar_bps = 400
            [[symbol]]
            name = "SPY"
            prior_close = "115.00"
            [[symbol]]
            name = "RSTR"
            prior_close = "20"
            collar_bps = 100
            max_notional = "5000.00"
            restricted = true
            "#,
        )
        .unwrap();
        assert_eq!(c.symbols.len(), 2);
        assert_eq!(c.symbols[0].limits.collar_bps, 400);
        assert_eq!(c.symbols[0].limits.max_order_qty, 10_000);
        assert_eq!(c.symbols[0].limits.max_notional, 10_000_000_000);
        assert_eq!(c.symbols[1].limits.collar_bps, 100);
        assert_eq!(c.symbols[1].limits.max_notional, 50_000_000);
        assert!(c.symbols[1].limits.restricted);
    }

    #[test]
    fn bad_configs_name_the_field_at_fault() {
        let cases = [
            ("[[symbol]]\nname = \"spy\"\nprior_close = \"1\"", "name must be"),
            ("[[symbol]]\nname = \"SPY\"\nprior_close = \"abc\"", "prior_close"),
            ("[[symbol]]\nname = \"SPY\"\nprior_close = \"1\"\ncollar_bps = 70000", "collar_bps 70000"),
            ("[[symbol]]\nname = \"SPY\"\nprior_close = \"1\"\nmax_order_qty = 0", "max_order_qty"),
            ("[[symbol]]\nname = \"SPY\"\nprior_close = \"1\"\n[[symbol]]\nname = \"SPY\"\nprior_close = \"1\"", "listed twice"),
            ("[[symbol]]\nname = \"SPY\"\nprior_close = \"1\"\ncolar_bps = 5", "unknown field"),
            ("", "no [[symbol]]"),
        ];
        for (text, expected) in cases {
            let err = ApplianceConfig::parse(text).unwrap_err().to_string();
            assert!(err.contains(expected), "{text:?}: {err}");
        }
    }
}
