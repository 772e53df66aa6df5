use std::ffi::CStr;
use std::fmt;

/// A failed DPDK call: which operation, DPDK's error number and its text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DpdkError {
    pub operation: String,
    pub code: i32,
    pub text: String,
}

impl DpdkError {
    /// Builds the error from a negative return code (`-errno`) or, when the
    /// call signals failure otherwise, from `rte_errno`.
    pub fn from_code(operation: impl Into<String>, code: i32) -> Self {
        let code = code.abs();
        DpdkError {
            operation: operation.into(),
            code,
            text: error_text(code),
        }
    }

    /// Builds the error from `rte_errno` (for calls returning NULL or -1).
    pub fn from_rte_errno(operation: impl Into<String>) -> Self {
        // SAFETY: bw_errno reads DPDK's per-lcore errno variable; no arguments.
        let code = unsafe { dpdk_sys::bw_errno() };
        Self::from_code(operation, code)
    }

    pub fn message(operation: impl Into<String>, text: impl Into<String>) -> Self {
        DpdkError {
            operation: operation.into(),
            code: 0,
            text: text.into(),
        }
    }
}

fn error_text(code: i32) -> String {
    // SAFETY: rte_strerror returns a pointer to a static or per-lcore buffer
    // holding a NUL-terminated string; we copy it out immediately.
    unsafe {
        let p = dpdk_sys::bw_strerror(code);
        if p.is_null() {
            return format!("error {code}");
        }
        CStr::from_ptr(p).to_string_lossy().into_owned()
    }
}

impl fmt::Display for DpdkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.code == 0 {
            write!(f, "{}: {}", self.operation, self.text)
        } else {
            write!(
                f,
                "{}: {} (DPDK error {})",
                self.operation, self.text, self.code
            )
        }
    }
}

impl std::error::Error for DpdkError {}
