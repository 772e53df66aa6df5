use super::{DpdkError, Eal, Mbuf};
use std::ffi::CString;
use std::ptr::NonNull;
use std::sync::atomic::{AtomicU32, Ordering};

/// A packet-mbuf pool (`rte_pktmbuf_pool_create`), freed on drop.
#[derive(Debug)]
pub struct Mempool {
    pool: NonNull<dpdk_sys::rte_mempool>,
    name: String,
}

static POOL_SEQ: AtomicU32 = AtomicU32::new(0);

impl Mempool {
    /// `mbufs` buffers of `data_room` bytes each (plus headroom), with a
    /// per-lcore cache of `cache` buffers. 16k mbufs of the default size fit
    /// in the EAL's `-m 512`.
    pub fn new(_eal: &Eal, mbufs: u32, cache: u32, data_room: u16) -> Result<Self, DpdkError> {
        let name = format!("bw_pool_{}", POOL_SEQ.fetch_add(1, Ordering::Relaxed));
        let cname = CString::new(name.clone()).expect("generated name has no NUL");
        // SAFETY: the EAL is initialised (we hold &Eal); the name is a valid
        // C string that DPDK copies; SOCKET_ID_ANY (-1) lets DPDK choose.
        let pool = unsafe {
            dpdk_sys::rte_pktmbuf_pool_create(cname.as_ptr(), mbufs, cache, 0, data_room, -1)
        };
        let pool = NonNull::new(pool).ok_or_else(|| {
            DpdkError::from_rte_errno(format!("rte_pktmbuf_pool_create({name}, {mbufs} mbufs)"))
        })?;
        Ok(Mempool { pool, name })
    }

    /// The default layout: 2048-byte data room plus headroom.
    pub fn with_defaults(eal: &Eal, mbufs: u32) -> Result<Self, DpdkError> {
        // SAFETY: a constant getter in the shim.
        let room = unsafe { dpdk_sys::bw_mbuf_default_buf_size() };
        Self::new(eal, mbufs, 256, room)
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub(crate) fn as_ptr(&self) -> *mut dpdk_sys::rte_mempool {
        self.pool.as_ptr()
    }

    /// Allocates one empty mbuf, or `None` when the pool is exhausted.
    pub fn alloc(&self) -> Option<Mbuf> {
        // SAFETY: the pool pointer is valid for self's lifetime; the returned
        // mbuf, if any, is exclusively ours until freed.
        let m = unsafe { dpdk_sys::bw_pktmbuf_alloc(self.pool.as_ptr()) };
        // SAFETY: m is a freshly allocated mbuf owned by nobody else.
        NonNull::new(m).map(|m| unsafe { Mbuf::from_raw(m) })
    }

    /// Mbufs currently free in the pool.
    pub fn available(&self) -> u32 {
        // SAFETY: valid pool pointer.
        unsafe { dpdk_sys::rte_mempool_avail_count(self.pool.as_ptr()) }
    }
}

impl Drop for Mempool {
    fn drop(&mut self) {
        // SAFETY: the pool was created by rte_pktmbuf_pool_create and is freed
        // once. Ports using it must be stopped first: `Port` borrows the pool
        // for its lifetime, so the borrow checker enforces that order.
        unsafe { dpdk_sys::rte_mempool_free(self.pool.as_ptr()) }
    }
}

// SAFETY: a DPDK mempool is a thread-safe object (ring-based, multi-producer
// multi-consumer); the handle only carries its pointer.
unsafe impl Send for Mempool {}
// SAFETY: as above; alloc and available are safe to call concurrently.
unsafe impl Sync for Mempool {}
