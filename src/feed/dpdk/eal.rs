use super::DpdkError;
use std::ffi::CString;
use std::os::raw::c_char;
use std::sync::Mutex;

/// How to start the EAL. The defaults suit a machine without a DPDK NIC or
/// hugepages (this one, and CI): `--no-huge --no-pci -m 512`, no shared
/// config and a per-process file prefix so that several DPDK processes can
/// run at once, no telemetry socket, logs to stderr at warning level.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EalConfig {
    /// The lcore the EAL's main thread is bound to (`-l`).
    pub main_lcore: usize,
    /// Memory in MiB (`-m`).
    pub memory_mb: usize,
    pub no_huge: bool,
    pub no_pci: bool,
    /// `--vdev` arguments, e.g. `net_pcap0,rx_pcap=in.pcap`.
    pub vdevs: Vec<String>,
    /// DPDK log level (`--log-level`), 1 (emergency) to 8 (debug).
    pub log_level: u32,
    /// Anything else, passed through unchanged after the defaults.
    pub extra_args: Vec<String>,
}

impl Default for EalConfig {
    fn default() -> Self {
        EalConfig {
            main_lcore: 0,
            memory_mb: 512,
            no_huge: true,
            no_pci: true,
            vdevs: Vec::new(),
            log_level: 5,
            extra_args: Vec::new(),
        }
    }
}

impl EalConfig {
    pub fn to_args(&self) -> Vec<String> {
        let mut args = vec![
            "breakwater".to_string(),
            "-l".into(),
            self.main_lcore.to_string(),
            "-m".into(),
            self.memory_mb.to_string(),
            "--no-shconf".into(),
            format!("--file-prefix=breakwater-{}", std::process::id()),
            "--no-telemetry".into(),
            format!("--log-level={}", self.log_level),
        ];
        if self.no_huge {
            args.push("--no-huge".into());
        }
        if self.no_pci {
            args.push("--no-pci".into());
        }
        for v in &self.vdevs {
            args.push(format!("--vdev={v}"));
        }
        args.extend(self.extra_args.iter().cloned());
        args
    }
}

/// The process's one initialised EAL. Obtained from [`Eal::init`]; its
/// existence proves the EAL is up, so the other wrappers take `&Eal`.
#[derive(Debug)]
pub struct Eal {
    config: EalConfig,
}

static EAL: Mutex<Option<&'static Eal>> = Mutex::new(None);

impl Eal {
    /// Initialises the EAL with `config`, or returns the handle of an EAL
    /// already initialised in this process (whose configuration
    /// [`Eal::config`] reports; vdevs are best added with
    /// [`Eal::hotplug_vdev`], which works either way).
    pub fn init(config: &EalConfig) -> Result<&'static Eal, DpdkError> {
        let mut slot = EAL.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(eal) = *slot {
            return Ok(eal);
        }
        redirect_logs_to_stderr();
        let args: Vec<CString> = config
            .to_args()
            .into_iter()
            .map(|a| {
                CString::new(a)
                    .map_err(|_| DpdkError::message("rte_eal_init", "argument contains NUL"))
            })
            .collect::<Result<_, _>>()?;
        let mut argv: Vec<*mut c_char> = args.iter().map(|a| a.as_ptr() as *mut c_char).collect();
        // SAFETY: argv points at NUL-terminated strings that outlive the call
        // (`args` is alive until the end of this function); the EAL may
        // permute argv but does not keep the pointers after returning.
        let rc = unsafe { dpdk_sys::rte_eal_init(argv.len() as i32, argv.as_mut_ptr()) };
        if rc < 0 {
            return Err(DpdkError::from_rte_errno(format!(
                "rte_eal_init({})",
                config.to_args().join(" ")
            )));
        }
        let eal: &'static Eal = Box::leak(Box::new(Eal {
            config: config.clone(),
        }));
        *slot = Some(eal);
        Ok(eal)
    }

    pub fn config(&self) -> &EalConfig {
        &self.config
    }

    /// Creates a virtual device at run time, e.g.
    /// `hotplug_vdev("net_pcap7", "rx_pcap=/tmp/x.pcap")`.
    pub fn hotplug_vdev(&self, name: &str, args: &str) -> Result<(), DpdkError> {
        let bus = CString::new("vdev").expect("static string");
        let dev = CString::new(name).map_err(|_| DpdkError::message("hotplug", "NUL in name"))?;
        let arg = CString::new(args).map_err(|_| DpdkError::message("hotplug", "NUL in args"))?;
        // SAFETY: three valid NUL-terminated strings; the EAL is initialised
        // (we hold &Eal) and copies what it keeps.
        let rc = unsafe { dpdk_sys::rte_eal_hotplug_add(bus.as_ptr(), dev.as_ptr(), arg.as_ptr()) };
        if rc < 0 {
            return Err(DpdkError::from_code(
                format!("rte_eal_hotplug_add(vdev, {name}, {args})"),
                rc,
            ));
        }
        Ok(())
    }

    pub fn hotplug_remove_vdev(&self, name: &str) -> Result<(), DpdkError> {
        let bus = CString::new("vdev").expect("static string");
        let dev = CString::new(name).map_err(|_| DpdkError::message("hotplug", "NUL in name"))?;
        // SAFETY: valid NUL-terminated strings; EAL initialised.
        let rc = unsafe { dpdk_sys::rte_eal_hotplug_remove(bus.as_ptr(), dev.as_ptr()) };
        if rc < 0 {
            return Err(DpdkError::from_code(
                format!("rte_eal_hotplug_remove(vdev, {name})"),
                rc,
            ));
        }
        Ok(())
    }

    /// TSC frequency as measured by the EAL.
    pub fn tsc_hz(&self) -> u64 {
        // SAFETY: no arguments; valid after rte_eal_init.
        unsafe { dpdk_sys::rte_get_tsc_hz() }
    }
}

/// DPDK logs to stdout by default, which would corrupt `--json` output.
fn redirect_logs_to_stderr() {
    // SAFETY: fdopen on the process's stderr descriptor with a valid mode
    // string; the FILE* is handed to DPDK for the life of the process and
    // never closed.
    unsafe {
        let stream = libc::fdopen(2, c"w".as_ptr());
        if !stream.is_null() {
            dpdk_sys::rte_openlog_stream(stream.cast());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_args_suit_a_machine_without_nic_or_hugepages() {
        let args = EalConfig {
            vdevs: vec!["net_null0".into()],
            ..Default::default()
        }
        .to_args();
        for a in ["--no-huge", "--no-pci", "--no-shconf", "--vdev=net_null0"] {
            assert!(args.iter().any(|x| x == a), "missing {a} in {args:?}");
        }
        let m = args.iter().position(|x| x == "-m").unwrap();
        assert_eq!(args[m + 1], "512");
    }
}
