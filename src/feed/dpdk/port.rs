use super::{DpdkError, Eal, Mbuf, Mempool, RxBurst, MAX_BURST};
use std::ffi::CString;

/// Counters DPDK keeps for a port.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PortStats {
    pub rx_packets: u64,
    pub tx_packets: u64,
    pub rx_missed: u64,
    pub rx_errors: u64,
    pub rx_no_mbuf: u64,
}

/// A configured and started ethdev port. Stopped and closed on drop (and
/// the virtual device removed, when this port created it).
#[derive(Debug)]
pub struct Port<'pool> {
    id: u16,
    name: String,
    created_vdev: bool,
    eal: &'static Eal,
    _pool: &'pool Mempool,
}

const RX_RING_SIZE: u16 = 1024;
const TX_RING_SIZE: u16 = 1024;

impl<'pool> Port<'pool> {
    /// Hot-plugs the virtual device `name` with `args` (e.g. `net_pcap3`,
    /// `rx_pcap=/path/file.pcap`) and starts it with the given queues.
    pub fn open_vdev(
        eal: &'static Eal,
        name: &str,
        args: &str,
        pool: &'pool Mempool,
        rx_queues: u16,
        tx_queues: u16,
    ) -> Result<Self, DpdkError> {
        eal.hotplug_vdev(name, args)?;
        match Self::open(eal, name, pool, rx_queues, tx_queues) {
            Ok(mut port) => {
                port.created_vdev = true;
                Ok(port)
            }
            Err(e) => {
                let _ = eal.hotplug_remove_vdev(name);
                Err(e)
            }
        }
    }

    /// Opens a device the EAL already knows (e.g. from `--vdev`).
    pub fn open(
        eal: &'static Eal,
        name: &str,
        pool: &'pool Mempool,
        rx_queues: u16,
        tx_queues: u16,
    ) -> Result<Self, DpdkError> {
        let cname = CString::new(name).map_err(|_| DpdkError::message("port", "NUL in name"))?;
        let mut id = 0u16;
        // SAFETY: valid C string and a valid out-pointer.
        let rc = unsafe { dpdk_sys::rte_eth_dev_get_port_by_name(cname.as_ptr(), &mut id) };
        if rc < 0 {
            return Err(DpdkError::from_code(
                format!("rte_eth_dev_get_port_by_name({name})"),
                rc,
            ));
        }
        let port = Port {
            id,
            name: name.to_string(),
            created_vdev: false,
            eal,
            _pool: pool,
        };
        port.configure(pool, rx_queues, tx_queues)?;
        Ok(port)
    }

    fn configure(&self, pool: &Mempool, rx_queues: u16, tx_queues: u16) -> Result<(), DpdkError> {
        // A zeroed rte_eth_conf is DPDK's documented "all defaults"; bindgen
        // keeps its enums as integer constants, so zero is a valid value.
        let conf = dpdk_sys::rte_eth_conf::default();
        // SAFETY: valid port id; conf lives across the call and is copied.
        let rc = unsafe { dpdk_sys::rte_eth_dev_configure(self.id, rx_queues, tx_queues, &conf) };
        if rc < 0 {
            return Err(DpdkError::from_code(
                format!(
                    "rte_eth_dev_configure({}, rx={rx_queues}, tx={tx_queues})",
                    self.name
                ),
                rc,
            ));
        }
        // SAFETY: valid port id.
        let socket = unsafe { dpdk_sys::rte_eth_dev_socket_id(self.id) };
        let socket = if socket < 0 { 0 } else { socket as u32 };
        for q in 0..rx_queues {
            // SAFETY: valid port and queue id; NULL rx_conf means defaults; the
            // pool outlives the port (Port borrows it).
            let rc = unsafe {
                dpdk_sys::rte_eth_rx_queue_setup(
                    self.id,
                    q,
                    RX_RING_SIZE,
                    socket,
                    std::ptr::null(),
                    pool.as_ptr(),
                )
            };
            if rc < 0 {
                return Err(DpdkError::from_code(
                    format!("rte_eth_rx_queue_setup({}, {q})", self.name),
                    rc,
                ));
            }
        }
        for q in 0..tx_queues {
            // SAFETY: valid port and queue id; NULL tx_conf means defaults.
            let rc = unsafe {
                dpdk_sys::rte_eth_tx_queue_setup(self.id, q, TX_RING_SIZE, socket, std::ptr::null())
            };
            if rc < 0 {
                return Err(DpdkError::from_code(
                    format!("rte_eth_tx_queue_setup({}, {q})", self.name),
                    rc,
                ));
            }
        }
        // SAFETY: configured port.
        let rc = unsafe { dpdk_sys::rte_eth_dev_start(self.id) };
        if rc < 0 {
            return Err(DpdkError::from_code(
                format!("rte_eth_dev_start({})", self.name),
                rc,
            ));
        }
        Ok(())
    }

    pub fn id(&self) -> u16 {
        self.id
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// Receives up to [`MAX_BURST`] packets into `burst` (freeing whatever it
    /// held) and returns how many arrived.
    #[inline]
    pub fn rx_burst(&mut self, queue: u16, burst: &mut RxBurst) -> usize {
        let slots = burst.slots();
        // SAFETY: valid started port; `slots` has room for MAX_BURST pointers,
        // which DPDK fills with mbufs whose ownership passes to `burst`.
        let n = unsafe {
            dpdk_sys::bw_eth_rx_burst(self.id, queue, slots.as_mut_ptr(), MAX_BURST as u16)
        };
        burst.set_len(usize::from(n));
        usize::from(n)
    }

    /// Sends `packets`; returns the ones the device did not take.
    pub fn tx_burst(&mut self, queue: u16, packets: Vec<Mbuf>) -> Vec<Mbuf> {
        let mut raw: Vec<*mut dpdk_sys::rte_mbuf> =
            packets.into_iter().map(Mbuf::into_raw).collect();
        let len = u16::try_from(raw.len()).unwrap_or(u16::MAX);
        // SAFETY: valid started port; `raw` holds `len` owned mbufs. Those the
        // driver accepts become its to free; the rest stay ours.
        let sent = usize::from(unsafe {
            dpdk_sys::bw_eth_tx_burst(self.id, queue, raw.as_mut_ptr(), len)
        });
        raw.drain(sent..)
            .filter_map(std::ptr::NonNull::new)
            // SAFETY: unsent mbufs are still exclusively ours.
            .map(|m| unsafe { Mbuf::from_raw(m) })
            .collect()
    }

    pub fn stats(&self) -> Result<PortStats, DpdkError> {
        let mut s = dpdk_sys::rte_eth_stats::default();
        // SAFETY: valid port id and out-pointer.
        let rc = unsafe { dpdk_sys::rte_eth_stats_get(self.id, &mut s) };
        if rc < 0 {
            return Err(DpdkError::from_code(
                format!("rte_eth_stats_get({})", self.name),
                rc,
            ));
        }
        Ok(PortStats {
            rx_packets: s.ipackets,
            tx_packets: s.opackets,
            rx_missed: s.imissed,
            rx_errors: s.ierrors,
            rx_no_mbuf: s.rx_nombuf,
        })
    }
}

impl Drop for Port<'_> {
    fn drop(&mut self) {
        // SAFETY: the port was started by us; stop and close release its
        // queues, after which no mbuf of the pool is referenced by it.
        unsafe {
            dpdk_sys::rte_eth_dev_stop(self.id);
            dpdk_sys::rte_eth_dev_close(self.id);
        }
        if self.created_vdev {
            let _ = self.eal.hotplug_remove_vdev(&self.name);
        }
    }
}
