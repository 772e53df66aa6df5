//! A software prefetch: start loading the cache line that holds a value,
//! so that a later read of it finds it in the first-level cache. With a
//! thousand symbols the books do not fit in the first- and second-level
//! caches, and a message's order slot and price level are misses; the book
//! starts the slots for the messages of a packet before it applies the
//! first one, so they are fetched together instead of one after another,
//! and a level's cell as soon as its price is known (BENCHMARKS.md,
//! issue 3, eleventh and eighteenth sessions).

/// Starts loading the line holding `*at`. A hint: it changes nothing the
/// program sees, and costs one instruction.
#[inline(always)]
pub fn prefetch_line<T>(at: &T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch of the address of a live reference; it reads
    // nothing into the program and cannot fault.
    unsafe {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        _mm_prefetch::<_MM_HINT_T0>((at as *const T).cast());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = at;
}
