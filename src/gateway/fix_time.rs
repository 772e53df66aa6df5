//! UTC timestamps in FIX's `YYYYMMDD-HH:MM:SS.sss` form, from Unix
//! nanoseconds, without a calendar crate or allocation.

/// Days since 1970-01-01 → (year, month, day) (Howard Hinnant's
/// civil-from-days algorithm, proleptic Gregorian).
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// `YYYYMMDD-HH:MM:SS.sss` for `unix_ns`.
pub fn utc_timestamp(unix_ns: u64) -> [u8; 21] {
    let secs = (unix_ns / 1_000_000_000) as i64;
    let millis = (unix_ns / 1_000_000 % 1_000) as u32;
    let (y, mo, d) = civil_from_days(secs.div_euclid(86_400));
    let s = secs.rem_euclid(86_400) as u32;
    let mut out = *b"00000000-00:00:00.000";
    let mut put = |at: usize, width: usize, mut v: u32| {
        for i in (0..width).rev() {
            out[at + i] = b'0' + (v % 10) as u8;
            v /= 10;
        }
    };
    put(0, 4, y.clamp(0, 9_999) as u32);
    put(4, 2, mo);
    put(6, 2, d);
    put(9, 2, s / 3_600);
    put(12, 2, s / 60 % 60);
    put(15, 2, s % 60);
    put(18, 3, millis);
    out
}

/// [`utc_timestamp`] with the last second's text kept: within the same
/// second only the milliseconds are rewritten.
#[derive(Clone, Debug)]
pub struct UtcClock {
    second: u64,
    text: [u8; 21],
}

impl Default for UtcClock {
    fn default() -> Self {
        UtcClock {
            second: u64::MAX,
            text: [b'0'; 21],
        }
    }
}

impl UtcClock {
    #[inline]
    pub fn format(&mut self, unix_ns: u64) -> &[u8; 21] {
        let second = unix_ns / 1_000_000_000;
        if second != self.second {
            self.text = utc_timestamp(unix_ns);
            self.second = second;
        } else {
            let millis = (unix_ns / 1_000_000 % 1_000) as u32;
            self.text[18] = b'0' + (millis / 100) as u8;
            self.text[19] = b'0' + (millis / 10 % 10) as u8;
            self.text[20] = b'0' + (millis % 10) as u8;
        }
        &self.text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_instants_format_as_fix_utc_timestamps() {
        assert_eq!(&utc_timestamp(0), b"19700101-00:00:00.000");
        // 2009-01-07 18:15:16 UTC (the FIX logon example's SendingTime).
        assert_eq!(
            &utc_timestamp(1_231_352_116_000_000_000),
            b"20090107-18:15:16.000"
        );
        // 2024-02-29 23:59:59.999 (a leap day), then through a cached clock.
        let mut clock = UtcClock::default();
        for ns in [
            1_709_251_199_000_000_000u64,
            1_709_251_199_999_000_000,
            1_709_251_200_001_000_000,
        ] {
            assert_eq!(clock.format(ns), &utc_timestamp(ns));
        }
        assert_eq!(
            &utc_timestamp(1_709_251_199_999_000_000),
            b"20240229-23:59:59.999"
        );
    }
}
