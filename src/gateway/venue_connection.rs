//! One venue's TCP connection as the io_uring loop sees it: the socket, the
//! buffers the kernel reads into and sends from (which must not move or be
//! touched while an operation on them is in flight), the link state and the
//! reconnect backoff.

use std::io;
use std::net::SocketAddr;
use std::os::fd::RawFd;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkState {
    /// No socket; connect again at `retry_at_ns` (monotonic).
    Idle {
        retry_at_ns: u64,
    },
    Connecting,
    Connected,
    /// Closing: the socket is shut down once what must be sent is sent,
    /// and closed once no operation on it is in flight.
    Closing {
        shut_down: bool,
        deadline_ns: u64,
    },
    /// Logged out on purpose: no reconnect.
    Stopped,
}

pub const RECV_BUF_BYTES: usize = 64 * 1024;

pub struct VenueConnection {
    pub addr: SocketAddr,
    sockaddr: Box<libc::sockaddr_storage>,
    sockaddr_len: libc::socklen_t,
    pub fd: RawFd,
    pub state: LinkState,
    /// Bumped for every socket, so a completion names its socket.
    pub generation: u32,
    /// Operations on the current socket in flight.
    pub in_flight: u32,
    pub recv_buf: Box<[u8]>,
    pub recv_in_flight: bool,
    pub send_buf: Vec<u8>,
    pub send_done: usize,
    pub send_in_flight: bool,
    /// Close without sending what is queued (the link failed).
    pub discard_tx: bool,
    pub close_reason: String,
    pub backoff_ns: u64,
    pub connects: u64,
}

fn sockaddr_of(addr: SocketAddr) -> (Box<libc::sockaddr_storage>, libc::socklen_t) {
    // SAFETY: sockaddr_storage is plain old data; all zeroes is valid.
    let mut storage: Box<libc::sockaddr_storage> = Box::new(unsafe { std::mem::zeroed() });
    let len = match addr {
        SocketAddr::V4(a) => {
            let sin = libc::sockaddr_in {
                sin_family: libc::AF_INET as libc::sa_family_t,
                sin_port: a.port().to_be(),
                sin_addr: libc::in_addr {
                    s_addr: u32::from_ne_bytes(a.ip().octets()),
                },
                sin_zero: [0; 8],
            };
            // SAFETY: sockaddr_storage is larger than and aligned for
            // sockaddr_in.
            unsafe { std::ptr::write(&mut *storage as *mut _ as *mut libc::sockaddr_in, sin) };
            std::mem::size_of::<libc::sockaddr_in>()
        }
        SocketAddr::V6(a) => {
            let sin6 = libc::sockaddr_in6 {
                sin6_family: libc::AF_INET6 as libc::sa_family_t,
                sin6_port: a.port().to_be(),
                sin6_flowinfo: a.flowinfo(),
                sin6_addr: libc::in6_addr {
                    s6_addr: a.ip().octets(),
                },
                sin6_scope_id: a.scope_id(),
            };
            // SAFETY: sockaddr_storage is larger than and aligned for
            // sockaddr_in6.
            unsafe { std::ptr::write(&mut *storage as *mut _ as *mut libc::sockaddr_in6, sin6) };
            std::mem::size_of::<libc::sockaddr_in6>()
        }
    };
    (storage, len as libc::socklen_t)
}

impl VenueConnection {
    pub fn new(addr: SocketAddr) -> Self {
        let (sockaddr, sockaddr_len) = sockaddr_of(addr);
        VenueConnection {
            addr,
            sockaddr,
            sockaddr_len,
            fd: -1,
            state: LinkState::Idle { retry_at_ns: 0 },
            generation: 0,
            in_flight: 0,
            recv_buf: vec![0u8; RECV_BUF_BYTES].into_boxed_slice(),
            recv_in_flight: false,
            send_buf: Vec::with_capacity(64 * 1024),
            send_done: 0,
            send_in_flight: false,
            discard_tx: false,
            close_reason: String::new(),
            backoff_ns: 0,
            connects: 0,
        }
    }

    /// The address to connect to, valid as long as `self` lives.
    pub fn sockaddr(&self) -> (*const libc::sockaddr, libc::socklen_t) {
        (
            &*self.sockaddr as *const libc::sockaddr_storage as *const libc::sockaddr,
            self.sockaddr_len,
        )
    }

    /// A fresh non-blocking TCP socket with Nagle off.
    pub fn open_socket(&mut self) -> io::Result<()> {
        let domain = if self.addr.is_ipv4() {
            libc::AF_INET
        } else {
            libc::AF_INET6
        };
        // SAFETY: plain socket(2) call; the result is checked.
        let fd = unsafe {
            libc::socket(
                domain,
                libc::SOCK_STREAM | libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC,
                0,
            )
        };
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        let one: libc::c_int = 1;
        // SAFETY: `one` outlives the call and its size is passed.
        unsafe {
            libc::setsockopt(
                fd,
                libc::IPPROTO_TCP,
                libc::TCP_NODELAY,
                &one as *const libc::c_int as *const libc::c_void,
                std::mem::size_of::<libc::c_int>() as libc::socklen_t,
            );
        }
        self.fd = fd;
        self.generation = self.generation.wrapping_add(1);
        self.send_buf.clear();
        self.send_done = 0;
        self.discard_tx = false;
        self.close_reason.clear();
        Ok(())
    }

    /// shutdown(2): wakes the operations in flight on the socket.
    pub fn shut_down(&mut self) {
        if self.fd >= 0 {
            // SAFETY: our own socket; an error (not connected) is harmless.
            unsafe { libc::shutdown(self.fd, libc::SHUT_RDWR) };
        }
    }

    /// close(2); only once nothing is in flight on the socket.
    pub fn close_socket(&mut self) {
        debug_assert_eq!(self.in_flight, 0);
        if self.fd >= 0 {
            // SAFETY: our own socket, with no io_uring operation on it.
            unsafe { libc::close(self.fd) };
            self.fd = -1;
        }
        self.recv_in_flight = false;
        self.send_in_flight = false;
    }

    /// The next reconnect delay: 100 ms doubling to the maximum.
    pub fn next_backoff_ns(&mut self, initial_ns: u64, max_ns: u64) -> u64 {
        self.backoff_ns = if self.backoff_ns == 0 {
            initial_ns
        } else {
            (self.backoff_ns * 2).min(max_ns)
        };
        self.backoff_ns
    }
}

impl Drop for VenueConnection {
    fn drop(&mut self) {
        if self.fd >= 0 {
            // SAFETY: our own socket; the gateway drains the ring before
            // its connections drop.
            unsafe { libc::close(self.fd) };
        }
    }
}
