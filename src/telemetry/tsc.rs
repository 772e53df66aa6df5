//! The time-stamp counter: the appliance's one clock for latencies. Reading
//! it costs a few ns and no syscall; it is converted to nanoseconds with a
//! rate calibrated once against the monotonic clock.

use std::time::{Duration, Instant};

/// Reads the TSC (or, off x86_64, monotonic nanoseconds).
#[inline(always)]
pub fn rdtsc() -> u64 {
    #[cfg(target_arch = "x86_64")]
    {
        // SAFETY: RDTSC reads a CPU register; it has no memory effects and is
        // available on every x86_64 CPU.
        unsafe { core::arch::x86_64::_rdtsc() }
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        use std::sync::OnceLock;
        static START: OnceLock<Instant> = OnceLock::new();
        START.get_or_init(Instant::now).elapsed().as_nanos() as u64
    }
}

/// TSC ticks per nanosecond, measured over `window`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TscClock {
    ticks_per_ns: f64,
}

impl TscClock {
    pub fn calibrate(window: Duration) -> Self {
        let t0 = Instant::now();
        let c0 = rdtsc();
        while t0.elapsed() < window {
            std::hint::spin_loop();
        }
        let c1 = rdtsc();
        let ns = t0.elapsed().as_nanos() as f64;
        let ticks_per_ns = ((c1.wrapping_sub(c0)) as f64 / ns).max(1e-3);
        TscClock { ticks_per_ns }
    }

    pub fn ticks_per_ns(&self) -> f64 {
        self.ticks_per_ns
    }

    #[inline]
    pub fn ticks_to_ns(&self, ticks: u64) -> u64 {
        (ticks as f64 / self.ticks_per_ns) as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tsc_advances_and_calibrates_to_a_plausible_rate() {
        let a = rdtsc();
        let clock = TscClock::calibrate(Duration::from_millis(20));
        let b = rdtsc();
        assert!(b > a);
        // Any CPU of the last 20 years ticks between 0.5 and 6 GHz.
        assert!(
            (0.5..6.0).contains(&clock.ticks_per_ns()),
            "{}",
            clock.ticks_per_ns()
        );
        assert_eq!(clock.ticks_to_ns(0), 0);
    }
}
