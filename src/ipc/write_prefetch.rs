//! A write prefetch (`prefetchw`): asks for a cache line in the state a
//! store needs (owned, the other cores' copies invalidated) without
//! storing. A ring's producer writes lines the consumer read one lap
//! earlier, so each of its stores first waits for that line to come back
//! from the consumer's cache; asking for the lines of the next batch
//! while the caller fills it overlaps those transfers with useful work.
//!
//! `prefetchw` exists on x86-64 processors that report PRFCHW (CPUID
//! 0x8000_0001, ECX bit 8: AMD since the K6-2, Intel since Broadwell);
//! elsewhere, and under Miri, [`supported`] is false and nothing is asked.

/// The bytes one prefetch asks for: a cache line.
pub const LINE_BYTES: u64 = 64;

/// Whether this processor has `prefetchw` (checked once).
pub fn supported() -> bool {
    static SUPPORTED: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *SUPPORTED.get_or_init(detect)
}

#[cfg(all(target_arch = "x86_64", not(miri)))]
fn detect() -> bool {
    use std::arch::x86_64::__cpuid;
    const EXTENDED_FEATURES: u32 = 0x8000_0001;
    const PRFCHW_ECX_BIT: u32 = 1 << 8;
    // SAFETY: CPUID exists on every x86-64 processor; leaf 0x8000_0000
    // reports the highest extended leaf, so 0x8000_0001 is read only
    // where it exists.
    #[allow(unused_unsafe)]
    let (max_extended, ecx) = unsafe {
        let max_extended = __cpuid(0x8000_0000).eax;
        let ecx = if max_extended >= EXTENDED_FEATURES {
            __cpuid(EXTENDED_FEATURES).ecx
        } else {
            0
        };
        (max_extended, ecx)
    };
    max_extended >= EXTENDED_FEATURES && ecx & PRFCHW_ECX_BIT != 0
}

#[cfg(not(all(target_arch = "x86_64", not(miri))))]
fn detect() -> bool {
    false
}

/// Asks for the line holding `at` ready to be written. Only call where
/// [`supported`] is true. A prefetch never faults and changes no memory,
/// so any address will do; a line another core is using is taken from it,
/// which costs that core, never correctness.
#[inline(always)]
pub fn prefetch_line_for_write(at: *const u8) {
    #[cfg(all(target_arch = "x86_64", not(miri)))]
    // SAFETY: `prefetchw` reads and writes no memory and cannot fault
    // (the caller has checked the processor has it); it touches no
    // flags and no stack.
    unsafe {
        std::arch::asm!(
            "prefetchw [{0}]",
            in(reg) at,
            options(nostack, readonly, preserves_flags)
        )
    };
    #[cfg(not(all(target_arch = "x86_64", not(miri))))]
    let _ = at;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_write_prefetch_changes_nothing_it_is_asked_about() {
        let line = [7u8; 64];
        if supported() {
            prefetch_line_for_write(line.as_ptr());
            // Any address: a prefetch never faults.
            prefetch_line_for_write(std::ptr::null());
        }
        assert_eq!(line, [7u8; 64]);
    }

    #[cfg(all(target_arch = "x86_64", not(miri)))]
    #[test]
    fn detection_agrees_with_the_kernel_where_it_says() {
        // Linux lists PRFCHW as "3dnowprefetch" in /proc/cpuinfo.
        let Ok(cpuinfo) = std::fs::read_to_string("/proc/cpuinfo") else {
            eprintln!("no /proc/cpuinfo: nothing to compare with");
            return;
        };
        let Some(flags) = cpuinfo.lines().find(|l| l.starts_with("flags")) else {
            eprintln!("no flags line in /proc/cpuinfo: nothing to compare with");
            return;
        };
        let listed = flags.split_whitespace().any(|f| f == "3dnowprefetch");
        assert_eq!(supported(), listed);
    }
}
