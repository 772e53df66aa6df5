//! The order gateway: one io_uring event loop serving every venue session.
//! Connects (non-blocking, through the ring), reconnects with backoff,
//! receives and sends FIX through the ring, runs the session timers, and
//! writes the journal through the same ring. Its owner calls
//! [`OrderGateway::poll`] in a loop on a non-hot thread and drains the
//! events.
//!
//! The kill switch ([`OrderGateway::kill`], or the control block's, when
//! one is attached) blocks new orders and cancels every working order on
//! every venue; orders on a venue that is down are cancelled at its next
//! logon.

use super::child_order::ChildOrder;
use super::child_orders::{run_prefix, ChildOrders};
use super::fix_session::{SessionConfig, SessionEvent, SessionStats};
use super::gateway_event::{EventKind, GatewayEvent};
use super::order_messages::Side;
use super::uring_journal::UringJournal;
use super::venue_connection::{LinkState, VenueConnection};
use super::venue_session::{OrderError, VenueSession, VenueStats};
use crate::ipc::control_block::{unix_now_ns, ControlBlock};
use io_uring::{opcode, types, IoUring};
use std::io;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::{Duration, Instant};

#[derive(Clone, Debug)]
pub struct VenueConfig {
    pub name: String,
    pub addr: SocketAddr,
    pub session: SessionConfig,
    /// Cancel every order that was working when the connection dropped, at
    /// the next logon.
    pub cancel_on_disconnect: bool,
}

#[derive(Clone, Debug)]
pub struct GatewayConfig {
    pub venues: Vec<VenueConfig>,
    /// Append every event to this file (through the ring).
    pub journal: Option<PathBuf>,
    pub reconnect_initial_ms: u64,
    pub reconnect_max_ms: u64,
    /// ClOrdID prefix; by default one that differs between runs.
    pub cl_ord_id_prefix: Option<String>,
}

impl GatewayConfig {
    pub fn new(venues: Vec<VenueConfig>) -> Self {
        GatewayConfig {
            venues,
            journal: None,
            reconnect_initial_ms: 100,
            reconnect_max_ms: 5_000,
            cl_ord_id_prefix: None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    #[error("io_uring: {0}")]
    Ring(io::Error),
    #[error("journal {path}: {error}")]
    Journal { path: String, error: io::Error },
    #[error("venue {venue}: sequence store: {error}")]
    SeqStore { venue: String, error: io::Error },
}

const OP_CONNECT: u64 = 1;
const OP_RECV: u64 = 2;
const OP_SEND: u64 = 3;
const OP_JOURNAL: u64 = 4;
/// How long a closing connection may take to flush before it is cut.
const CLOSE_FLUSH_NS: u64 = 2_000_000_000;
/// The longest a poll waits between timer checks.
const TICK_NS: u64 = 10_000_000;

fn user_data(op: u64, venue: usize, generation: u32) -> u64 {
    op | (venue as u64) << 8 | u64::from(generation) << 32
}

fn split_user_data(data: u64) -> (u64, usize, u32) {
    (
        data & 0xff,
        ((data >> 8) & 0xff_ffff) as usize,
        (data >> 32) as u32,
    )
}

struct Venue {
    session: VenueSession,
    conn: VenueConnection,
    /// Logged on at least once since the last (re)connect.
    logged_on: bool,
    /// Logged out on purpose: do not reconnect.
    stop_requested: bool,
}

pub struct OrderGateway {
    ring: IoUring,
    venues: Vec<Venue>,
    orders: ChildOrders,
    events: Vec<GatewayEvent>,
    completions: Vec<(u64, i32)>,
    /// Events already written to the journal.
    journaled: usize,
    journal: Option<UringJournal>,
    journal_path: String,
    control: Option<ControlBlock>,
    blocked: bool,
    epoch: Instant,
    reconnect_initial_ns: u64,
    reconnect_max_ns: u64,
}

impl OrderGateway {
    pub fn new(config: GatewayConfig) -> Result<Self, GatewayError> {
        let ring = IoUring::new(256).map_err(GatewayError::Ring)?;
        let mut venues = Vec::with_capacity(config.venues.len());
        for (i, v) in config.venues.iter().enumerate() {
            let session = VenueSession::new(i, &v.name, v.session.clone(), v.cancel_on_disconnect)
                .map_err(|error| GatewayError::SeqStore {
                    venue: v.name.clone(),
                    error,
                })?;
            venues.push(Venue {
                session,
                conn: VenueConnection::new(v.addr),
                logged_on: false,
                stop_requested: false,
            });
        }
        let journal_path = config
            .journal
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        let journal = match &config.journal {
            Some(path) => {
                Some(
                    UringJournal::open(path).map_err(|error| GatewayError::Journal {
                        path: journal_path.clone(),
                        error,
                    })?,
                )
            }
            None => None,
        };
        Ok(OrderGateway {
            ring,
            venues,
            orders: ChildOrders::new(&config.cl_ord_id_prefix.unwrap_or_else(run_prefix)),
            events: Vec::new(),
            completions: Vec::with_capacity(256),
            journaled: 0,
            journal,
            journal_path,
            control: None,
            blocked: false,
            epoch: Instant::now(),
            reconnect_initial_ns: config.reconnect_initial_ms * 1_000_000,
            reconnect_max_ns: config.reconnect_max_ms * 1_000_000,
        })
    }

    /// Follows the control block's kill switch: engaging it kills, releasing
    /// it resumes.
    pub fn attach_control_block(&mut self, control: ControlBlock) {
        self.control = Some(control);
    }

    /// Monotonic nanoseconds since the gateway started (event times).
    pub fn mono_ns(&self) -> u64 {
        self.epoch.elapsed().as_nanos() as u64
    }

    pub fn venue_count(&self) -> usize {
        self.venues.len()
    }

    pub fn venue_name(&self, venue: usize) -> &str {
        &self.venues[venue].session.name
    }

    /// Logged on over a healthy link (not closing).
    pub fn is_logged_on(&self, venue: usize) -> bool {
        self.venues
            .get(venue)
            .is_some_and(|v| v.conn.state == LinkState::Connected && v.session.session.is_active())
    }

    pub fn link_state(&self, venue: usize) -> LinkState {
        self.venues[venue].conn.state
    }

    pub fn session_stats(&self, venue: usize) -> SessionStats {
        self.venues[venue].session.session.stats
    }

    pub fn venue_stats(&self, venue: usize) -> VenueStats {
        self.venues[venue].session.stats
    }

    pub fn connects(&self, venue: usize) -> u64 {
        self.venues[venue].conn.connects
    }

    /// (next to send, next expected).
    pub fn sequence_numbers(&self, venue: usize) -> (u64, u64) {
        let s = &self.venues[venue].session.session;
        (s.next_sender_seq(), s.next_target_seq())
    }

    pub fn order(&self, id: u64) -> Option<&ChildOrder> {
        self.orders.get(id)
    }

    pub fn orders(&self) -> impl Iterator<Item = &ChildOrder> {
        self.orders.iter()
    }

    pub fn is_blocked(&self) -> bool {
        self.blocked
    }

    /// Events since the last call, oldest first.
    pub fn take_events(&mut self) -> Vec<GatewayEvent> {
        self.write_journal();
        self.journaled = 0;
        std::mem::take(&mut self.events)
    }

    pub fn submit_order(
        &mut self,
        venue: usize,
        symbol: &str,
        side: Side,
        qty: u64,
        price: u32,
    ) -> Result<u64, OrderError> {
        if self.blocked {
            return Err(OrderError::Blocked);
        }
        if !self.is_logged_on(venue) {
            return Err(if venue < self.venues.len() {
                OrderError::NotLoggedOn
            } else {
                OrderError::NoSuchVenue
            });
        }
        let v = &mut self.venues[venue];
        v.session
            .send_new(&mut self.orders, symbol, side, qty, price, unix_now_ns())
    }

    pub fn cancel_order(&mut self, id: u64) -> Result<(), OrderError> {
        let index = self.orders.index_of(id).ok_or(OrderError::NoSuchOrder)?;
        let venue = self.orders.at(index).venue;
        if !self.is_logged_on(venue) {
            return Err(OrderError::NotLoggedOn);
        }
        self.venues[venue]
            .session
            .send_cancel(&mut self.orders, index, unix_now_ns())
    }

    pub fn replace_order(&mut self, id: u64, qty: u64, price: u32) -> Result<(), OrderError> {
        if self.blocked {
            return Err(OrderError::Blocked);
        }
        let index = self.orders.index_of(id).ok_or(OrderError::NoSuchOrder)?;
        let venue = self.orders.at(index).venue;
        if !self.is_logged_on(venue) {
            return Err(OrderError::NotLoggedOn);
        }
        self.venues[venue]
            .session
            .send_replace(&mut self.orders, index, qty, price, unix_now_ns())
    }

    /// Asks the venue for the order's status (OrderStatusRequest).
    pub fn request_status(&mut self, id: u64) -> Result<(), OrderError> {
        let index = self.orders.index_of(id).ok_or(OrderError::NoSuchOrder)?;
        let venue = self.orders.at(index).venue;
        if !self.is_logged_on(venue) {
            return Err(OrderError::NotLoggedOn);
        }
        self.venues[venue]
            .session
            .send_status_request(&self.orders, index, unix_now_ns())
    }

    /// The kill switch: block new orders and cancel every working order
    /// everywhere (at once where the venue is up, at logon where it is
    /// not). Returns the cancels sent now.
    pub fn kill(&mut self) -> u64 {
        self.blocked = true;
        let now = unix_now_ns();
        let mut sent = 0;
        for v in &mut self.venues {
            for index in self.orders.working_at(v.session.index) {
                self.orders.at_mut(index).cancel_wanted = true;
            }
            sent += v.session.cancel_wanted(&mut self.orders, now);
        }
        sent
    }

    /// Releases the kill switch: new orders are accepted again.
    pub fn resume(&mut self) {
        self.blocked = false;
        for index in 0..self.orders.len() {
            self.orders.at_mut(index).cancel_wanted = false;
        }
    }

    /// Drops the venue's connection as a network failure would (what was
    /// queued is not sent); the gateway reconnects.
    pub fn drop_connection(&mut self, venue: usize) {
        let now = self.mono_ns();
        self.begin_close(venue, "dropped by request", false, now);
    }

    /// Sends Logout to every venue; they are not reconnected.
    pub fn logout_all(&mut self, text: &str) {
        let now = unix_now_ns();
        let mono = self.mono_ns();
        for i in 0..self.venues.len() {
            let v = &mut self.venues[i];
            v.stop_requested = true;
            match v.conn.state {
                LinkState::Connected if v.session.session.is_active() => {
                    v.session.session.logout(text, now)
                }
                LinkState::Connected | LinkState::Connecting => {
                    self.begin_close(i, "logout", true, mono)
                }
                LinkState::Idle { .. } => v.conn.state = LinkState::Stopped,
                _ => {}
            }
        }
    }

    /// True once every venue is stopped (logged out and closed).
    pub fn all_stopped(&self) -> bool {
        self.venues
            .iter()
            .all(|v| v.conn.state == LinkState::Stopped)
    }

    /// One turn of the event loop: timers, then wait up to `max_wait` for
    /// completions, handle them and submit what they produced.
    pub fn poll(&mut self, max_wait: Duration) -> Result<(), GatewayError> {
        self.service_timers();
        self.flush();
        let wait_ns = (max_wait.as_nanos() as u64).min(TICK_NS);
        let ts = types::Timespec::new()
            .sec(wait_ns / 1_000_000_000)
            .nsec((wait_ns % 1_000_000_000) as u32);
        let args = types::SubmitArgs::new().timespec(&ts);
        match self.ring.submitter().submit_with_args(1, &args) {
            Ok(_) => {}
            Err(e)
                if matches!(
                    e.raw_os_error(),
                    Some(libc::ETIME) | Some(libc::EINTR) | Some(libc::EBUSY)
                ) => {}
            Err(e) => return Err(GatewayError::Ring(e)),
        }
        self.reap()?;
        self.flush();
        self.ring.submit().map_err(GatewayError::Ring)?;
        self.write_journal();
        Ok(())
    }

    /// Polls until `done` holds or `timeout` passes; true if it held.
    pub fn poll_until(
        &mut self,
        timeout: Duration,
        mut done: impl FnMut(&mut Self) -> bool,
    ) -> Result<bool, GatewayError> {
        let end = Instant::now() + timeout;
        loop {
            if done(self) {
                return Ok(true);
            }
            if Instant::now() >= end {
                return Ok(false);
            }
            self.poll(Duration::from_millis(5))?;
        }
    }

    fn service_timers(&mut self) {
        if let Some(control) = &self.control {
            let engaged = control.kill_engaged();
            if engaged && !self.blocked {
                self.kill();
            } else if !engaged && self.blocked {
                self.resume();
            }
        }
        let mono = self.mono_ns();
        let now = unix_now_ns();
        for i in 0..self.venues.len() {
            match self.venues[i].conn.state {
                LinkState::Idle { retry_at_ns } if mono >= retry_at_ns => {
                    self.start_connect(i, mono)
                }
                LinkState::Connected => {
                    let v = &mut self.venues[i];
                    let before = self.events.len();
                    v.session
                        .on_tick(&mut self.orders, now, mono, &mut self.events);
                    self.after_session(i, before, mono);
                }
                LinkState::Closing {
                    deadline_ns,
                    shut_down: false,
                } if mono >= deadline_ns => {
                    let c = &mut self.venues[i].conn;
                    c.discard_tx = true;
                }
                _ => {}
            }
        }
    }

    fn start_connect(&mut self, venue: usize, mono: u64) {
        let conn = &mut self.venues[venue].conn;
        if let Err(e) = conn.open_socket() {
            let delay = conn.next_backoff_ns(self.reconnect_initial_ns, self.reconnect_max_ns);
            conn.state = LinkState::Idle {
                retry_at_ns: mono + delay,
            };
            self.push(
                venue,
                mono,
                EventKind::ConnectFailed {
                    error: e.to_string(),
                },
            );
            return;
        }
        let (addr, len) = conn.sockaddr();
        let entry = opcode::Connect::new(types::Fd(conn.fd), addr, len)
            .build()
            .user_data(user_data(OP_CONNECT, venue, conn.generation));
        conn.state = LinkState::Connecting;
        conn.in_flight += 1;
        self.push_sqe(&entry);
    }

    fn push_sqe(&mut self, entry: &io_uring::squeue::Entry) {
        loop {
            // SAFETY: every buffer and address an entry points at lives in
            // a VenueConnection or the journal, is not moved or touched
            // while the operation is in flight (tracked by the in-flight
            // flags and counts), and outlives the ring (Drop drains it).
            if unsafe { self.ring.submission().push(entry) }.is_ok() {
                return;
            }
            // The submission queue is full: hand it to the kernel.
            let _ = self.ring.submit();
        }
    }

    fn push(&mut self, venue: usize, at_ns: u64, kind: EventKind) {
        self.events.push(GatewayEvent { at_ns, venue, kind });
    }

    /// Starts closing a connection. `graceful`: send what is queued (a
    /// Logout) first.
    fn begin_close(&mut self, venue: usize, reason: &str, graceful: bool, mono: u64) {
        let conn = &mut self.venues[venue].conn;
        match conn.state {
            LinkState::Connected | LinkState::Connecting => {}
            LinkState::Closing { .. } => {
                conn.discard_tx |= !graceful;
                return;
            }
            _ => return,
        }
        if conn.close_reason.is_empty() {
            conn.close_reason = reason.to_string();
        }
        conn.discard_tx = !graceful;
        conn.state = LinkState::Closing {
            shut_down: false,
            deadline_ns: mono + CLOSE_FLUSH_NS,
        };
        self.flush_venue(venue);
        self.maybe_finish_close(venue, mono);
    }

    fn maybe_finish_close(&mut self, venue: usize, mono: u64) {
        let v = &mut self.venues[venue];
        let LinkState::Closing {
            shut_down,
            deadline_ns,
        } = v.conn.state
        else {
            return;
        };
        if !shut_down {
            let flushed = v.conn.discard_tx
                || (!v.conn.send_in_flight && v.session.session.pending_tx().is_empty());
            if !flushed {
                return;
            }
            v.conn.shut_down();
            v.conn.state = LinkState::Closing {
                shut_down: true,
                deadline_ns,
            };
        }
        if v.conn.in_flight > 0 {
            return;
        }
        v.conn.close_socket();
        let reason = std::mem::take(&mut v.conn.close_reason);
        v.session
            .on_disconnected(&mut self.orders, mono, &mut self.events);
        let v = &mut self.venues[venue];
        v.conn.state = if v.stop_requested {
            LinkState::Stopped
        } else {
            let delay = if v.logged_on {
                self.reconnect_initial_ns
            } else {
                v.conn
                    .next_backoff_ns(self.reconnect_initial_ns, self.reconnect_max_ns)
            };
            if v.logged_on {
                v.conn.backoff_ns = 0;
            }
            LinkState::Idle {
                retry_at_ns: mono + delay,
            }
        };
        v.logged_on = false;
        self.push(venue, mono, EventKind::Disconnected { reason });
    }

    /// Scans the events a session call added for what the link must do.
    fn after_session(&mut self, venue: usize, from: usize, mono: u64) {
        let mut close: Option<String> = None;
        for e in &self.events[from..] {
            match &e.kind {
                EventKind::Session(SessionEvent::LoggedOn) => {
                    self.venues[venue].logged_on = true;
                    self.venues[venue].conn.backoff_ns = 0;
                }
                EventKind::Session(SessionEvent::Disconnect { reason }) => {
                    close = Some(reason.clone())
                }
                _ => {}
            }
        }
        if let Some(reason) = close {
            // Send what the session queued last (a Logout) before closing.
            self.begin_close(venue, &reason, true, mono);
        }
    }

    /// Submits sends for every venue with bytes queued, and the journal.
    fn flush(&mut self) {
        for i in 0..self.venues.len() {
            self.flush_venue(i);
        }
        if let Some(j) = &mut self.journal {
            if let Some((fd, ptr, len, offset)) = j.next_write() {
                let entry = opcode::Write::new(types::Fd(fd), ptr, len)
                    .offset(offset)
                    .build()
                    .user_data(user_data(OP_JOURNAL, 0, 0));
                self.push_sqe(&entry);
            }
        }
    }

    fn flush_venue(&mut self, venue: usize) {
        let v = &mut self.venues[venue];
        let sendable = match v.conn.state {
            LinkState::Connected => true,
            LinkState::Closing {
                shut_down: false, ..
            } => !v.conn.discard_tx,
            _ => false,
        };
        if !sendable || v.conn.send_in_flight {
            return;
        }
        if v.conn.send_done == v.conn.send_buf.len() {
            let pending = v.session.session.pending_tx();
            if pending.is_empty() {
                return;
            }
            v.conn.send_buf.clear();
            v.conn.send_buf.extend_from_slice(pending);
            v.conn.send_done = 0;
            let n = pending.len();
            v.session.session.consumed_tx(n);
        }
        let rest = &v.conn.send_buf[v.conn.send_done..];
        let entry = opcode::Send::new(types::Fd(v.conn.fd), rest.as_ptr(), rest.len() as u32)
            .flags(libc::MSG_NOSIGNAL)
            .build()
            .user_data(user_data(OP_SEND, venue, v.conn.generation));
        v.conn.send_in_flight = true;
        v.conn.in_flight += 1;
        self.push_sqe(&entry);
    }

    fn submit_recv(&mut self, venue: usize) {
        let conn = &mut self.venues[venue].conn;
        if conn.recv_in_flight || conn.state != LinkState::Connected {
            return;
        }
        let entry = opcode::Recv::new(
            types::Fd(conn.fd),
            conn.recv_buf.as_mut_ptr(),
            conn.recv_buf.len() as u32,
        )
        .build()
        .user_data(user_data(OP_RECV, venue, conn.generation));
        conn.recv_in_flight = true;
        conn.in_flight += 1;
        self.push_sqe(&entry);
    }

    /// The completions the kernel has posted, as (user data, result), in
    /// a buffer reused from call to call.
    fn take_completions(&mut self) -> Vec<(u64, i32)> {
        let mut out = std::mem::take(&mut self.completions);
        out.clear();
        out.extend(self.ring.completion().map(|c| (c.user_data(), c.result())));
        out
    }

    fn reap(&mut self) -> Result<(), GatewayError> {
        let completions = self.take_completions();
        let result = self.handle_completions(&completions);
        self.completions = completions;
        result
    }

    fn handle_completions(&mut self, completions: &[(u64, i32)]) -> Result<(), GatewayError> {
        for &(data, res) in completions {
            let (op, venue, generation) = split_user_data(data);
            if op == OP_JOURNAL {
                if let Some(j) = &mut self.journal {
                    j.complete(res).map_err(|error| GatewayError::Journal {
                        path: self.journal_path.clone(),
                        error,
                    })?;
                }
                continue;
            }
            if venue >= self.venues.len() {
                continue;
            }
            let mono = self.mono_ns();
            let conn = &mut self.venues[venue].conn;
            debug_assert_eq!(
                generation, conn.generation,
                "a socket closes only when nothing is in flight"
            );
            conn.in_flight -= 1;
            match op {
                OP_CONNECT => self.on_connect_done(venue, res, mono),
                OP_RECV => self.on_recv_done(venue, res, mono),
                OP_SEND => self.on_send_done(venue, res, mono),
                _ => {}
            }
            self.maybe_finish_close(venue, mono);
        }
        Ok(())
    }

    fn on_connect_done(&mut self, venue: usize, res: i32, mono: u64) {
        let v = &mut self.venues[venue];
        if v.conn.state != LinkState::Connecting {
            return; // closing: maybe_finish_close takes it from here
        }
        if res < 0 {
            let error = io::Error::from_raw_os_error(-res).to_string();
            v.conn.close_socket();
            let delay = v
                .conn
                .next_backoff_ns(self.reconnect_initial_ns, self.reconnect_max_ns);
            v.conn.state = if v.stop_requested {
                LinkState::Stopped
            } else {
                LinkState::Idle {
                    retry_at_ns: mono + delay,
                }
            };
            self.push(venue, mono, EventKind::ConnectFailed { error });
            return;
        }
        v.conn.state = LinkState::Connected;
        v.conn.connects += 1;
        v.session.on_connected(unix_now_ns());
        self.push(venue, mono, EventKind::Connected);
        self.submit_recv(venue);
        self.flush_venue(venue);
    }

    fn on_recv_done(&mut self, venue: usize, res: i32, mono: u64) {
        let v = &mut self.venues[venue];
        v.conn.recv_in_flight = false;
        if res > 0 {
            if v.conn.state != LinkState::Connected {
                return;
            }
            let before = self.events.len();
            // The session copies what it keeps of the bytes.
            let Venue { session, conn, .. } = v;
            session.on_bytes(
                &conn.recv_buf[..res as usize],
                unix_now_ns(),
                mono,
                &mut self.orders,
                &mut self.events,
            );
            self.after_session(venue, before, mono);
            self.submit_recv(venue);
        } else {
            let reason = if res == 0 {
                "the venue closed the connection".to_string()
            } else {
                io::Error::from_raw_os_error(-res).to_string()
            };
            self.begin_close(venue, &reason, false, mono);
        }
    }

    fn on_send_done(&mut self, venue: usize, res: i32, mono: u64) {
        let conn = &mut self.venues[venue].conn;
        conn.send_in_flight = false;
        if res < 0 {
            let reason = io::Error::from_raw_os_error(-res).to_string();
            self.begin_close(venue, &reason, false, mono);
        } else {
            conn.send_done += res as usize;
            self.flush_venue(venue);
        }
    }

    fn write_journal(&mut self) {
        let Some(j) = &mut self.journal else {
            self.journaled = self.events.len();
            return;
        };
        let wall = unix_now_ns();
        let clock = crate::scenario::flash_crash::format_clock(wall % 86_400_000_000_000);
        for e in &self.events[self.journaled..] {
            let name = &self.venues[e.venue].session.name;
            j.push_line(&format!("{clock}  GATEWAY {}", e.text(name)));
        }
        self.journaled = self.events.len();
    }

    /// Logs out, waits (up to `timeout`) for every venue to close, and for
    /// the journal to reach the file.
    pub fn shutdown(&mut self, timeout: Duration) -> Result<bool, GatewayError> {
        self.logout_all("shutting down");
        let stopped = self.poll_until(timeout, |g| g.all_stopped())?;
        self.flush_journal(timeout)?;
        Ok(stopped)
    }

    /// Waits for the journal's writes to finish.
    pub fn flush_journal(&mut self, timeout: Duration) -> Result<bool, GatewayError> {
        self.write_journal();
        self.poll_until(timeout, |g| g.journal.as_ref().is_none_or(|j| j.is_idle()))
    }
}

impl Drop for OrderGateway {
    fn drop(&mut self) {
        // The kernel may still be writing into our buffers: wake every
        // operation (shutdown) and wait for it before the memory goes.
        for v in &mut self.venues {
            v.conn.shut_down();
        }
        let deadline = Instant::now() + Duration::from_secs(2);
        let in_flight = |g: &OrderGateway| {
            g.venues.iter().map(|v| v.conn.in_flight).sum::<u32>()
                + u32::from(g.journal.as_ref().is_some_and(|j| j.in_flight()))
        };
        while in_flight(self) > 0 && Instant::now() < deadline {
            let _ = self.ring.submit_and_wait(1);
            for (data, res) in self.take_completions() {
                let (op, venue, _) = split_user_data(data);
                if op == OP_JOURNAL {
                    if let Some(j) = &mut self.journal {
                        let _ = j.complete(res);
                    }
                } else if let Some(v) = self.venues.get_mut(venue) {
                    v.conn.in_flight = v.conn.in_flight.saturating_sub(1);
                }
            }
        }
    }
}
