//! Short-term realized volatility: the root of the sum of squared one-second
//! log returns of the last trade price over a 60-second window, in basis
//! points. Statistics may use f64 (ARCHITECTURE.md); nothing here is on the
//! order-check path.

const WINDOW: usize = 60;
const SECOND_NS: u64 = 1_000_000_000;

/// The fields every trade reads come first (`repr(C)`): a trade within the
/// same second as the last touches that one line only.
#[derive(Clone, Debug)]
#[repr(C)]
pub struct RealizedVolatility {
    sum: f64,
    last_second: u64,
    samples: u64,
    last_price: u32,
    squared: [f64; WINDOW],
}

impl Default for RealizedVolatility {
    fn default() -> Self {
        RealizedVolatility {
            squared: [0.0; WINDOW],
            sum: 0.0,
            last_second: u64::MAX,
            last_price: 0,
            samples: 0,
        }
    }
}

impl RealizedVolatility {
    /// Records the last trade price at feed time `now_ns`.
    pub fn on_trade(&mut self, price: u32, now_ns: u64) {
        if price == 0 {
            return;
        }
        let second = now_ns / SECOND_NS;
        if self.last_second == u64::MAX {
            self.last_second = second;
            self.last_price = price;
            return;
        }
        if second == self.last_second {
            self.last_price = price;
            return;
        }
        // Seconds without trades contribute zero returns; the move since the
        // last sampled price lands in the current second.
        let gap = second - self.last_second;
        if gap >= WINDOW as u64 {
            self.squared = [0.0; WINDOW];
            self.sum = 0.0;
        } else {
            for k in 1..gap {
                self.put((self.last_second + k) as usize % WINDOW, 0.0);
            }
        }
        let r = (f64::from(price) / f64::from(self.last_price)).ln();
        self.put(second as usize % WINDOW, r * r);
        self.last_second = second;
        self.last_price = price;
        self.samples += 1;
    }

    fn put(&mut self, i: usize, v: f64) {
        self.sum += v - self.squared[i];
        self.squared[i] = v;
    }

    /// Realized volatility over the last 60 s, in basis points.
    pub fn bps(&self) -> f64 {
        self.sum.max(0.0).sqrt() * 10_000.0
    }

    pub fn samples(&self) -> u64 {
        self.samples
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flat_price_has_no_volatility() {
        let mut v = RealizedVolatility::default();
        for s in 0..100 {
            v.on_trade(1_000_000, s * SECOND_NS);
        }
        assert_eq!(v.bps(), 0.0);
    }

    #[test]
    fn alternating_one_percent_moves_give_the_expected_sum() {
        let mut v = RealizedVolatility::default();
        for s in 0..200u64 {
            v.on_trade(
                if s % 2 == 0 { 1_000_000 } else { 1_010_000 },
                s * SECOND_NS,
            );
        }
        // 60 returns of ±ln(1.01): sqrt(60) * 0.00995 ≈ 7.71%.
        let expected = (60.0f64).sqrt() * (1.01f64).ln() * 10_000.0;
        assert!(
            (v.bps() - expected).abs() < 1.0,
            "{} vs {expected}",
            v.bps()
        );
    }

    #[test]
    fn quiet_seconds_age_out_old_moves() {
        let mut v = RealizedVolatility::default();
        v.on_trade(1_000_000, 0);
        v.on_trade(1_100_000, SECOND_NS);
        assert!(v.bps() > 900.0);
        v.on_trade(1_100_000, 200 * SECOND_NS);
        assert!(v.bps() < 1e-6, "{}", v.bps());
    }
}
