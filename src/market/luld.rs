//! Limit Up-Limit Down (REFERENCE.md): the reference price is the mean of
//! the trades of the preceding five minutes, recomputed every 30 seconds and
//! moved only on a change of at least 1%; the band is a percentage of it
//! set by the symbol's tier and price, doubled in the last 25 minutes of the
//! day for Tier 1 and for Tier 2 at or below $3.00. Values marked
//! "unverified" in REFERENCE.md are parameters with those defaults.
//!
//! Prices are Price(4) integers; bands are rounded to the nearest cent.

/// LULD parameters (defaults from REFERENCE.md).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LuldParams {
    pub window_ns: u64,
    pub recompute_every_ns: u64,
    /// A new mean moves the reference only if it differs by this much.
    pub move_threshold_bps: u32,
    /// Start of the doubled bands (ns since midnight ET), and the close.
    pub doubling_from_ns: u64,
    pub close_ns: u64,
}

impl Default for LuldParams {
    fn default() -> Self {
        LuldParams {
            window_ns: 5 * 60 * 1_000_000_000,
            recompute_every_ns: 30 * 1_000_000_000,
            move_threshold_bps: 100,
            doubling_from_ns: (15 * 3600 + 35 * 60) * 1_000_000_000,
            close_ns: 16 * 3600 * 1_000_000_000,
        }
    }
}

const DOLLAR: u32 = 10_000;

/// The band half-width for `reference` (Price(4)) in `tier` (1 or 2).
pub fn band_width(reference: u32, tier: u8, doubled: bool) -> u32 {
    let pct = |bps: u64| (u64::from(reference) * bps / 10_000) as u32;
    let (width, doubles) = if reference > 3 * DOLLAR {
        (pct(if tier == 1 { 500 } else { 1_000 }), tier == 1)
    } else if reference >= 7_500 {
        (pct(2_000), true)
    } else {
        (pct(7_500).min(1_500), true)
    };
    if doubled && doubles {
        width.saturating_mul(2)
    } else {
        width
    }
}

fn round_to_cent(p: u32) -> u32 {
    ((u64::from(p) + 50) / 100 * 100).min(u64::from(u32::MAX)) as u32
}

/// (lower, upper) bands around `reference`.
pub fn bands(reference: u32, tier: u8, doubled: bool) -> (u32, u32) {
    let w = band_width(reference, tier, doubled);
    (
        round_to_cent(reference.saturating_sub(w)),
        round_to_cent(reference.saturating_add(w)),
    )
}

const BUCKETS: usize = 60;

/// The trades of one bucket interval: 16 bytes, so a trade updates one
/// cache line (sum, count and epoch side by side), not three.
#[derive(Clone, Copy, Debug, Default)]
#[repr(C, align(16))]
struct Bucket {
    /// Sum of the trade prices (Price(4)).
    sum: u64,
    /// Trades; 0 marks a bucket with nothing in it.
    count: u32,
    /// Which interval (`now_ns / bucket_ns`) the bucket holds, modulo 2^32:
    /// compared by wrapping difference, so ambiguous only for buckets 2^32
    /// intervals (680 years of 5-second buckets) apart.
    epoch: u32,
}

/// One symbol's LULD state: a five-minute mean of trade prices kept in 60
/// five-second buckets (the window edge is exact to 5 s), and the current
/// reference price and bands. The fields every trade reads come first
/// (`repr(C)`), so that [`crate::market::market_state::SymbolMarket`] can
/// place them in its hot lines, before the buckets.
#[derive(Clone, Debug)]
#[repr(C)]
pub struct LuldState {
    next_recompute_ns: u64,
    pub reference: u32,
    pub lower: u32,
    pub upper: u32,
    pub tier: u8,
    buckets: [Bucket; BUCKETS],
}

/// Bytes of [`LuldState`] before its buckets: the fields every trade reads.
pub const LULD_HEAD_BYTES: usize = std::mem::offset_of!(LuldState, buckets);

impl LuldState {
    /// Starts from the prior close (`reference` 0 waits for the first trade).
    pub fn new(tier: u8, prior_close: u32) -> Self {
        let mut s = LuldState {
            tier,
            reference: 0,
            lower: 0,
            upper: 0,
            buckets: [Bucket::default(); BUCKETS],
            next_recompute_ns: 0,
        };
        if prior_close > 0 {
            s.set_reference(prior_close, false);
        }
        s
    }

    fn set_reference(&mut self, reference: u32, doubled: bool) {
        self.reference = reference;
        let (lower, upper) = bands(reference, self.tier, doubled);
        self.lower = lower;
        self.upper = upper;
    }

    /// The mean trade price over the window ending at `now_ns`.
    pub fn window_mean(&self, now_ns: u64, params: &LuldParams) -> Option<u32> {
        let bucket_ns = params.window_ns / BUCKETS as u64;
        let now_epoch = (now_ns / bucket_ns) as u32;
        let (mut sum, mut count) = (0u64, 0u64);
        for b in &self.buckets {
            // Age in intervals; a bucket from the future wraps to a huge age.
            if b.count != 0 && now_epoch.wrapping_sub(b.epoch) < BUCKETS as u32 {
                sum += b.sum;
                count += u64::from(b.count);
            }
        }
        (count > 0).then(|| (sum / count) as u32)
    }

    /// Records a trade; returns true when the reference price moved.
    pub fn on_trade(&mut self, price: u32, now_ns: u64, params: &LuldParams) -> bool {
        let bucket_ns = params.window_ns / BUCKETS as u64;
        let epoch = now_ns / bucket_ns;
        let b = &mut self.buckets[(epoch % BUCKETS as u64) as usize];
        // An empty bucket has sum 0 and count 0 whatever its epoch.
        if b.epoch != epoch as u32 {
            *b = Bucket {
                sum: 0,
                count: 0,
                epoch: epoch as u32,
            };
        }
        b.sum += u64::from(price);
        b.count += 1;
        let doubled = now_ns >= params.doubling_from_ns && now_ns < params.close_ns;
        if self.reference == 0 {
            // No prior close: the first trade opens the reference.
            self.set_reference(price, doubled);
            self.next_recompute_ns = now_ns + params.recompute_every_ns;
            return true;
        }
        if now_ns < self.next_recompute_ns {
            return false;
        }
        self.next_recompute_ns = now_ns + params.recompute_every_ns;
        let Some(mean) = self.window_mean(now_ns, params) else {
            return false;
        };
        let moved_bps =
            u64::from(mean.abs_diff(self.reference)) * 10_000 / u64::from(self.reference.max(1));
        if moved_bps >= u64::from(params.move_threshold_bps) {
            self.set_reference(mean, doubled);
            return true;
        }
        false
    }

    pub fn within_bands(&self, price: u32) -> bool {
        self.reference == 0 || (price >= self.lower && price <= self.upper)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_trade_updates_one_sixteen_byte_bucket_behind_a_one_line_header() {
        assert_eq!(std::mem::size_of::<Bucket>(), 16);
        assert!(std::mem::offset_of!(LuldState, buckets) <= 64);
    }

    #[test]
    fn band_percentages_follow_the_tier_and_price_table() {
        // > $3.00: Tier 1 5%, Tier 2 10%.
        assert_eq!(bands(1_000_000, 1, false), (950_000, 1_050_000));
        assert_eq!(bands(1_000_000, 2, false), (900_000, 1_100_000));
        // $0.75 - $3.00: 20% for both tiers.
        assert_eq!(bands(20_000, 1, false), (16_000, 24_000));
        assert_eq!(bands(20_000, 2, false), (16_000, 24_000));
        // < $0.75: lesser of $0.15 or 75%.
        assert_eq!(band_width(5_000, 2, false), 1_500);
        assert_eq!(band_width(1_000, 2, false), 750);
        assert_eq!(bands(5_000, 1, false), (3_500, 6_500));
    }

    #[test]
    fn bands_double_late_in_the_day_for_tier_1_and_cheap_tier_2() {
        assert_eq!(band_width(1_000_000, 1, true), 100_000);
        assert_eq!(
            band_width(1_000_000, 2, true),
            100_000,
            "tier 2 above $3 does not double"
        );
        assert_eq!(band_width(20_000, 2, true), 8_000);
    }

    #[test]
    fn bands_round_to_the_cent() {
        // 5% of $13.337 = 0.66685 → bands 12.67 and 14.00.
        assert_eq!(bands(133_370, 1, false), (126_700, 140_000));
    }

    #[test]
    fn reference_moves_on_the_five_minute_mean_only_past_one_percent() {
        let p = LuldParams::default();
        let mut s = LuldState::new(1, 1_000_000);
        let t0 = 10 * 3600 * 1_000_000_000u64;
        // Trades at +0.5%: the mean moves less than 1%, no change.
        for k in 0..60 {
            assert!(!s.on_trade(1_005_000, t0 + k * 1_000_000_000, &p));
        }
        assert_eq!(s.reference, 1_000_000);
        // Trades at +3% for five minutes: the mean passes 1%, the reference moves.
        let mut moved = false;
        for k in 60..400 {
            moved |= s.on_trade(1_030_000, t0 + k * 1_000_000_000, &p);
        }
        assert!(moved);
        assert!(
            s.reference > 1_010_000 && s.reference <= 1_030_000,
            "{}",
            s.reference
        );
        assert_eq!(s.upper, bands(s.reference, 1, false).1);
    }

    #[test]
    fn old_trades_leave_the_window() {
        let p = LuldParams::default();
        let mut s = LuldState::new(2, 0);
        s.on_trade(100_000, 0, &p);
        assert_eq!(s.reference, 100_000, "the first trade opens the reference");
        assert_eq!(s.window_mean(60_000_000_000, &p), Some(100_000));
        assert_eq!(s.window_mean(6 * 60 * 1_000_000_000, &p), None);
    }
}
