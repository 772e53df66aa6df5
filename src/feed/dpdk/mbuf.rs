use std::ptr::NonNull;

/// The largest burst the poll loop asks for.
pub const MAX_BURST: usize = 64;

/// One owned packet buffer; returned to its pool on drop.
#[derive(Debug)]
pub struct Mbuf(NonNull<dpdk_sys::rte_mbuf>);

impl Mbuf {
    /// # Safety
    /// `m` must be a valid mbuf that nothing else owns or will free.
    pub(crate) unsafe fn from_raw(m: NonNull<dpdk_sys::rte_mbuf>) -> Self {
        Mbuf(m)
    }

    pub(crate) fn into_raw(self) -> *mut dpdk_sys::rte_mbuf {
        let p = self.0.as_ptr();
        std::mem::forget(self);
        p
    }

    /// The first segment's bytes.
    #[inline]
    pub fn data(&self) -> &[u8] {
        // SAFETY: self owns a valid mbuf; the slice borrows self.
        unsafe { data_of(self.0.as_ptr()) }
    }

    pub fn segments(&self) -> u16 {
        // SAFETY: valid mbuf owned by self.
        unsafe { dpdk_sys::bw_pktmbuf_nb_segs(self.0.as_ptr()) }
    }

    /// Appends `bytes` to the packet; false when the tailroom is too small.
    pub fn append(&mut self, bytes: &[u8]) -> bool {
        let Ok(len) = u16::try_from(bytes.len()) else {
            return false;
        };
        // SAFETY: valid mbuf owned by self; rte_pktmbuf_append returns NULL or
        // a pointer to `len` writable bytes inside this mbuf's buffer.
        unsafe {
            let dst = dpdk_sys::bw_pktmbuf_append(self.0.as_ptr(), len);
            if dst.is_null() {
                return false;
            }
            std::ptr::copy_nonoverlapping(bytes.as_ptr(), dst.cast::<u8>(), bytes.len());
        }
        true
    }
}

/// # Safety
/// `m` must be a valid mbuf that stays alive and unmodified for `'a`.
#[inline(always)]
unsafe fn data_of<'a>(m: *const dpdk_sys::rte_mbuf) -> &'a [u8] {
    // SAFETY: per the contract, m is valid for 'a; its data pointer and
    // data_len describe the initialised bytes of its first segment.
    unsafe {
        let p = dpdk_sys::bw_pktmbuf_data(m).cast::<u8>();
        let len = usize::from(dpdk_sys::bw_pktmbuf_data_len(m));
        if p.is_null() || len == 0 {
            return &[];
        }
        std::slice::from_raw_parts(p, len)
    }
}

impl Drop for Mbuf {
    fn drop(&mut self) {
        // SAFETY: we own the mbuf and free it exactly once.
        unsafe { dpdk_sys::bw_pktmbuf_free(self.0.as_ptr()) }
    }
}

// SAFETY: an mbuf is a plain buffer owned by exactly one holder; freeing it
// from another thread is allowed (the mempool is MP/MC safe).
unsafe impl Send for Mbuf {}

/// The mbufs of one rx burst, freed together (one bulk free) when the burst
/// is dropped or refilled.
pub struct RxBurst {
    mbufs: [*mut dpdk_sys::rte_mbuf; MAX_BURST],
    len: usize,
}

impl Default for RxBurst {
    fn default() -> Self {
        RxBurst {
            mbufs: [std::ptr::null_mut(); MAX_BURST],
            len: 0,
        }
    }
}

impl RxBurst {
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Frees what the burst holds and returns the raw slots to fill.
    pub(crate) fn slots(&mut self) -> &mut [*mut dpdk_sys::rte_mbuf; MAX_BURST] {
        self.clear();
        &mut self.mbufs
    }

    pub(crate) fn set_len(&mut self, len: usize) {
        self.len = len.min(MAX_BURST);
    }

    /// The first segment of packet `i` and its segment count.
    #[inline]
    pub fn packet(&self, i: usize) -> Option<(&[u8], u16)> {
        if i >= self.len {
            return None;
        }
        let m = self.mbufs[i];
        // SAFETY: slots below len hold valid mbufs received by rx_burst, owned
        // by self until clear(), which needs &mut self: the slice cannot
        // outlive them.
        unsafe { Some((data_of(m), dpdk_sys::bw_pktmbuf_nb_segs(m))) }
    }

    pub fn clear(&mut self) {
        if self.len > 0 {
            // SAFETY: the first len slots hold mbufs we own; each is freed once
            // and the length reset so they are never freed again.
            unsafe { dpdk_sys::rte_pktmbuf_free_bulk(self.mbufs.as_mut_ptr(), self.len as u32) };
            self.len = 0;
        }
    }

    /// Moves packet ownership out (e.g. to forward it).
    pub fn take_all(&mut self) -> Vec<Mbuf> {
        let out = self.mbufs[..self.len]
            .iter()
            // SAFETY: each slot below len is a valid owned mbuf; ownership moves
            // to the Mbuf and len is reset so the burst no longer frees it.
            .filter_map(|&m| NonNull::new(m).map(|m| unsafe { Mbuf::from_raw(m) }))
            .collect();
        self.len = 0;
        out
    }
}

impl Drop for RxBurst {
    fn drop(&mut self) {
        self.clear();
    }
}
