//! One FIX 4.2/4.4 session as a state machine with no I/O of its own: the
//! driver hands it the bytes it reads and the time, and sends the bytes it
//! queues. It handles the session layer and passes application messages on:
//!
//! - Logon (A) and Logout (5), with the heartbeat interval agreed at logon;
//! - Heartbeat (0) when idle, TestRequest (1) when the peer is silent, and a
//!   disconnect when a test request goes unanswered;
//! - sequence numbers, persisted in a [`SeqStore`]: a gap from the peer
//!   triggers a ResendRequest (2); duplicates (PossDupFlag=Y) are dropped; a
//!   number lower than expected without PossDupFlag ends the session;
//! - the peer's ResendRequest: messages from before this connection's
//!   Logon are gap-filled (SequenceReset-GapFill, 4): stale orders are never
//!   re-sent, and the order layer learns they were not delivered (once
//!   the peer has resent whatever we asked it for: a peer that executed an
//!   order but crashed before persisting its receipt asks for the order
//!   again, and its resent report must reach the order first). Messages
//!   sent since the Logon are in the peer's hands or on their way; if it
//!   asks for them anyway, application messages are resent as sent
//!   (PossDupFlag=Y, OrigSendingTime) and session messages gap-filled, as
//!   FIX prescribes, so a peer holding them queued processes each once;
//! - SequenceReset (4) from the peer, gap fill or reset;
//! - garbled frames (bad length or checksum) are dropped, as FIX requires,
//!   and counted; a message with a missing or bad field can be answered
//!   with Reject (3) through [`FixSession::reject`].

use super::fix_encoder::FixEncoder;
use super::sent_messages::SentMessages;
use super::seq_store::SeqStore;
use crate::wire::fix::{parse_frame_into, resync_offset, FixError, FixFields, FixMessage};
use std::path::PathBuf;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionConfig {
    /// FIX.4.2 or FIX.4.4.
    pub begin_string: String,
    pub sender: String,
    pub target: String,
    pub heartbeat_s: u32,
    /// Where sequence numbers persist.
    pub store_dir: PathBuf,
    /// Start from 1 at every logon (141=Y).
    pub reset_on_logon: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SessionState {
    Disconnected,
    LogonSent,
    Active,
    LogoutSent,
}

/// Something the driver or the order layer should know.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SessionEvent {
    LoggedOn,
    /// The peer rejected a message of ours (35=3): its seq and text.
    PeerReject {
        ref_seq: u64,
        text: String,
    },
    /// We asked the peer to resend from `from`.
    ResendRequested {
        from: u64,
    },
    /// The peer asked for a resend and we gap-filled our messages
    /// `from..to` instead: it never processed them (orders among them were
    /// not delivered).
    GapFilled {
        from: u64,
        to: u64,
    },
    /// The session must be closed (the driver closes the socket).
    Disconnect {
        reason: String,
    },
    LoggedOut,
}

/// Counters for the session.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct SessionStats {
    pub messages_in: u64,
    pub messages_out: u64,
    pub garbled: u64,
    pub duplicates_dropped: u64,
    pub gap_fills_sent: u64,
    pub messages_resent: u64,
    pub resend_requests_sent: u64,
    pub heartbeats_sent: u64,
    pub test_requests_sent: u64,
    pub rejects_sent: u64,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SendError {
    #[error("the session is not logged on")]
    NotLoggedOn,
}

pub struct FixSession {
    config: SessionConfig,
    state: SessionState,
    store: SeqStore,
    encoder: FixEncoder,
    rx: Vec<u8>,
    index: FixFields,
    tx: Vec<u8>,
    events: Vec<SessionEvent>,
    heartbeat_ns: u64,
    last_rx_ns: u64,
    last_tx_ns: u64,
    logon_sent_ns: u64,
    logout_sent_ns: u64,
    /// The sequence number of our Logon on this connection.
    logon_seq: u64,
    /// Application messages sent on this connection, for resends.
    sent: SentMessages,
    test_request: Option<(u64, u64)>,
    /// The first seq of a gap we asked to be resent, until it is filled.
    resend_pending: Option<u64>,
    /// Our messages gap-filled while our own resend request was out: their
    /// `GapFilled` events wait until the peer's resend is in, so that a
    /// report it resends reaches the order before the inference "not
    /// delivered" does.
    gap_fills_awaiting_resend: Vec<(u64, u64)>,
    pub stats: SessionStats,
}

const LOGON_TIMEOUT_NS: u64 = 10_000_000_000;
const LOGOUT_TIMEOUT_NS: u64 = 5_000_000_000;

impl FixSession {
    pub fn new(config: SessionConfig) -> std::io::Result<Self> {
        let store = SeqStore::open(&config.store_dir, &config.sender, &config.target)?;
        let encoder = FixEncoder::new(&config.begin_string, &config.sender, &config.target);
        let heartbeat_ns = u64::from(config.heartbeat_s.max(1)) * 1_000_000_000;
        Ok(FixSession {
            config,
            state: SessionState::Disconnected,
            store,
            encoder,
            rx: Vec::with_capacity(64 * 1024),
            index: FixFields::new(),
            tx: Vec::with_capacity(64 * 1024),
            events: Vec::new(),
            heartbeat_ns,
            last_rx_ns: 0,
            last_tx_ns: 0,
            logon_sent_ns: 0,
            logout_sent_ns: 0,
            logon_seq: 1,
            sent: SentMessages::default(),
            test_request: None,
            resend_pending: None,
            gap_fills_awaiting_resend: Vec::new(),
            stats: SessionStats::default(),
        })
    }

    pub fn config(&self) -> &SessionConfig {
        &self.config
    }

    pub fn state(&self) -> SessionState {
        self.state
    }

    pub fn is_active(&self) -> bool {
        self.state == SessionState::Active
    }

    pub fn next_sender_seq(&self) -> u64 {
        self.store.next_sender_seq()
    }

    pub fn next_target_seq(&self) -> u64 {
        self.store.next_target_seq()
    }

    /// Bytes queued for the socket; the driver sends them and calls
    /// [`FixSession::consumed_tx`].
    pub fn pending_tx(&self) -> &[u8] {
        &self.tx
    }

    pub fn consumed_tx(&mut self, n: usize) {
        self.tx.drain(..n.min(self.tx.len()));
    }

    pub fn take_events(&mut self) -> std::vec::Drain<'_, SessionEvent> {
        self.events.drain(..)
    }

    fn queue(&mut self, now_ns: u64) {
        let frame = self.encoder.finish();
        self.tx.extend_from_slice(frame);
        self.last_tx_ns = now_ns;
        self.stats.messages_out += 1;
    }

    /// Starts a message with the next sequence number.
    fn start(&mut self, msg_type: &[u8], now_ns: u64) -> &mut FixEncoder {
        let seq = self.store.next_sender_seq();
        self.store.set_next_sender_seq(seq + 1);
        self.encoder.begin(msg_type, seq, now_ns)
    }

    /// The TCP connection is up: log on.
    pub fn on_connected(&mut self, now_ns: u64) {
        self.rx.clear();
        self.tx.clear();
        if self.config.reset_on_logon {
            self.store.set_next_sender_seq(1);
            self.store.set_next_target_seq(1);
        }
        let hb = u64::from(self.config.heartbeat_s);
        let reset = self.config.reset_on_logon;
        self.logon_seq = self.store.next_sender_seq();
        self.sent.clear();
        let e = self.start(b"A", now_ns);
        e.field_u64(98, 0).field_u64(108, hb);
        if reset {
            e.field_char(141, b'Y');
        }
        self.queue(now_ns);
        self.state = SessionState::LogonSent;
        self.logon_sent_ns = now_ns;
        self.last_rx_ns = now_ns;
        self.test_request = None;
        self.resend_pending = None;
    }

    pub fn on_disconnected(&mut self) {
        self.state = SessionState::Disconnected;
        self.rx.clear();
        self.tx.clear();
    }

    fn disconnect(&mut self, reason: impl Into<String>) {
        self.events.push(SessionEvent::Disconnect {
            reason: reason.into(),
        });
    }

    /// Asks the peer to end the session.
    pub fn logout(&mut self, text: &str, now_ns: u64) {
        if matches!(self.state, SessionState::Active | SessionState::LogonSent) {
            self.start(b"5", now_ns).field(58, text.as_bytes());
            self.queue(now_ns);
            self.state = SessionState::LogoutSent;
            self.logout_sent_ns = now_ns;
        }
    }

    /// Sends an application message; `fill` writes its body fields.
    pub fn send_app(
        &mut self,
        msg_type: &[u8],
        now_ns: u64,
        fill: impl FnOnce(&mut FixEncoder),
    ) -> Result<u64, SendError> {
        if self.state != SessionState::Active {
            return Err(SendError::NotLoggedOn);
        }
        let seq = self.store.next_sender_seq();
        let header_len = self.start(msg_type, now_ns).body().len();
        fill(&mut self.encoder);
        let e = &self.encoder;
        self.sent
            .record(seq, msg_type, e.sending_time(), &e.body()[header_len..]);
        self.queue(now_ns);
        Ok(seq)
    }

    /// Sends Reject (35=3) for the peer's message `ref_seq`.
    pub fn reject(&mut self, ref_seq: u64, ref_tag: u32, reason: u64, text: &str, now_ns: u64) {
        let e = self.start(b"3", now_ns);
        e.field_u64(45, ref_seq);
        if ref_tag != 0 {
            e.field_u64(371, u64::from(ref_tag));
        }
        e.field_u64(373, reason).field(58, text.as_bytes());
        self.queue(now_ns);
        self.stats.rejects_sent += 1;
    }

    /// Timers: heartbeats, test requests, logon timeout.
    pub fn on_tick(&mut self, now_ns: u64) {
        match self.state {
            SessionState::LogonSent
                if now_ns.saturating_sub(self.logon_sent_ns) > LOGON_TIMEOUT_NS =>
            {
                self.disconnect("no Logon answer");
            }
            SessionState::LogoutSent
                if now_ns.saturating_sub(self.logout_sent_ns) > LOGOUT_TIMEOUT_NS =>
            {
                self.state = SessionState::Disconnected;
                self.disconnect("no Logout answer");
            }
            SessionState::Active => {
                if now_ns.saturating_sub(self.last_tx_ns) >= self.heartbeat_ns {
                    self.start(b"0", now_ns);
                    self.queue(now_ns);
                    self.stats.heartbeats_sent += 1;
                }
                match self.test_request {
                    Some((_, sent)) if now_ns.saturating_sub(sent) > self.heartbeat_ns => {
                        self.disconnect("the peer did not answer a TestRequest");
                    }
                    None if now_ns.saturating_sub(self.last_rx_ns)
                        > self.heartbeat_ns + self.heartbeat_ns / 5 =>
                    {
                        let id = now_ns;
                        self.start(b"1", now_ns).field_u64(112, id);
                        self.queue(now_ns);
                        self.test_request = Some((id, now_ns));
                        self.stats.test_requests_sent += 1;
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }

    /// Bytes from the socket: every complete message is handled; application
    /// messages go to `app` (in sequence, duplicates dropped).
    pub fn on_bytes(
        &mut self,
        data: &[u8],
        now_ns: u64,
        app: &mut impl FnMut(&mut FixSession, &FixMessage<'_>),
    ) {
        self.last_rx_ns = now_ns;
        let mut rx = std::mem::take(&mut self.rx);
        let mut index = std::mem::take(&mut self.index);
        // Parse straight from `data` unless a partial frame is waiting.
        if rx.is_empty() {
            let used = self.parse_frames(data, &mut index, now_ns, app);
            rx.extend_from_slice(&data[used..]);
        } else {
            rx.extend_from_slice(data);
            let used = self.parse_frames(&rx, &mut index, now_ns, app);
            rx.drain(..used);
        }
        // More than one frame's worth without a frame boundary is garbage.
        if rx.len() > crate::wire::fix::MAX_FRAME {
            self.stats.garbled += 1;
            rx.clear();
        }
        self.rx = rx;
        self.index = index;
    }

    /// Handles every complete frame in `buf`; the bytes consumed.
    fn parse_frames(
        &mut self,
        buf: &[u8],
        index: &mut FixFields,
        now_ns: u64,
        app: &mut impl FnMut(&mut FixSession, &FixMessage<'_>),
    ) -> usize {
        let mut pos = 0;
        while pos < buf.len() {
            match parse_frame_into(&buf[pos..], index) {
                Ok((m, used)) => {
                    pos += used;
                    self.stats.messages_in += 1;
                    self.handle(&m, now_ns, app);
                }
                Err(FixError::Incomplete) => break,
                Err(_) => {
                    // Garbled: drop it and resynchronise on the next frame.
                    self.stats.garbled += 1;
                    pos += resync_offset(&buf[pos..]).max(1);
                }
            }
        }
        pos
    }

    fn handle(
        &mut self,
        m: &FixMessage<'_>,
        now_ns: u64,
        app: &mut impl FnMut(&mut FixSession, &FixMessage<'_>),
    ) {
        if m.begin_string() != self.config.begin_string.as_bytes() {
            self.logout("wrong BeginString", now_ns);
            self.disconnect("the peer's BeginString does not match");
            return;
        }
        let Some(seq) = m.sequence_number() else {
            self.logout("MsgSeqNum missing", now_ns);
            self.disconnect("a message without MsgSeqNum");
            return;
        };
        let msg_type = m.msg_type();
        let expected = self.store.next_target_seq();
        let poss_dup = m.get_char(43) == Some(b'Y');

        // SequenceReset in reset mode moves the expected number whatever its seq.
        if msg_type == b"4" && m.get_char(123) != Some(b'Y') {
            if let Some(new) = m.get_u64(36) {
                self.store.set_next_target_seq(new);
                self.resend_filled();
            }
            return;
        }
        if msg_type == b"A" && self.state == SessionState::LogonSent {
            if seq < expected {
                self.logout(&format!("MsgSeqNum too low, expecting {expected}"), now_ns);
                self.disconnect(format!("Logon seq {seq} below the expected {expected}"));
                return;
            }
            if let Some(hb) = m.get_u64(108).filter(|&h| h > 0) {
                self.heartbeat_ns = hb * 1_000_000_000;
            }
            self.state = SessionState::Active;
            self.events.push(SessionEvent::LoggedOn);
            if seq > expected {
                self.request_resend(expected, now_ns);
            } else {
                self.store.set_next_target_seq(seq + 1);
                self.resend_filled();
            }
            return;
        }
        if seq > expected {
            // A gap: ask for it (once) and drop this one; it will be resent.
            // A Logout is taken at once; a ResendRequest is answered at once
            // (both sides may be asking each other, as after a disconnect).
            match msg_type {
                b"5" => {
                    self.handle_logout(now_ns);
                    return;
                }
                b"2" => self.answer_resend_request(m, now_ns),
                _ => {}
            }
            if self.resend_pending.is_none() {
                self.request_resend(expected, now_ns);
            }
            return;
        }
        if seq < expected {
            if poss_dup {
                self.stats.duplicates_dropped += 1;
            } else {
                self.logout(
                    &format!("MsgSeqNum too low, expecting {expected} but received {seq}"),
                    now_ns,
                );
                self.disconnect(format!("peer seq {seq} below the expected {expected}"));
            }
            return;
        }
        self.store.set_next_target_seq(seq + 1);
        if self.resend_pending.is_some_and(|from| seq >= from) && !poss_dup {
            self.resend_filled();
        }
        match msg_type {
            b"0" => {
                if let (Some((id, _)), Some(got)) = (self.test_request, m.get_u64(112)) {
                    if got == id {
                        self.test_request = None;
                    }
                }
            }
            b"1" => {
                let id = m.get(112).unwrap_or(b"");
                let id = id.to_vec();
                self.start(b"0", now_ns).field(112, &id);
                self.queue(now_ns);
            }
            b"2" => self.answer_resend_request(m, now_ns),
            b"3" => {
                let text = String::from_utf8_lossy(m.get(58).unwrap_or(b"")).into_owned();
                self.events.push(SessionEvent::PeerReject {
                    ref_seq: m.get_u64(45).unwrap_or(0),
                    text,
                });
            }
            b"4" => {
                // Gap fill: move forward (never back).
                if let Some(new) = m.get_u64(36).filter(|&n| n > seq) {
                    self.store.set_next_target_seq(new);
                    if self.resend_pending.is_some_and(|from| new > from) {
                        self.resend_filled();
                    }
                }
            }
            b"5" => self.handle_logout(now_ns),
            b"A" => {}
            _ => app(self, m),
        }
    }

    /// The peer asked for our messages from BeginSeqNo (7) to EndSeqNo
    /// (16, 0 for "the last"). See the module notes: before this Logon,
    /// gap fill; since, resend application messages and gap-fill the rest.
    fn answer_resend_request(&mut self, m: &FixMessage<'_>, now_ns: u64) {
        let next = self.store.next_sender_seq();
        let from = m.get_u64(7).unwrap_or(1).max(1);
        let to = match m.get_u64(16) {
            Some(end) if end != 0 && end < next => end + 1,
            _ => next,
        };
        if from >= to {
            return;
        }
        let stale_end = to.min(self.logon_seq.max(from));
        if from < stale_end {
            if self.resend_pending.is_some() || self.state == SessionState::LogonSent {
                self.gap_fills_awaiting_resend.push((from, stale_end));
            } else {
                self.events.push(SessionEvent::GapFilled {
                    from,
                    to: stale_end,
                });
            }
        }
        let mut gap_start = from;
        let mut seq = stale_end;
        while seq < to {
            if self.sent.get(seq).is_some() {
                if gap_start < seq {
                    self.gap_fill(gap_start, seq, now_ns);
                }
                if let Some(sent) = self.sent.get(seq) {
                    self.encoder
                        .begin(sent.msg_type, seq, now_ns)
                        .field_char(43, b'Y')
                        .field(122, sent.sending_time)
                        .raw(sent.fields);
                }
                self.queue(now_ns);
                self.stats.messages_resent += 1;
                gap_start = seq + 1;
            }
            seq += 1;
        }
        if gap_start < to {
            self.gap_fill(gap_start, to, now_ns);
        }
    }

    fn gap_fill(&mut self, from: u64, to: u64, now_ns: u64) {
        self.encoder
            .begin(b"4", from, now_ns)
            .field_char(43, b'Y')
            .field(122, &super::fix_time::utc_timestamp(now_ns))
            .field_char(123, b'Y')
            .field_u64(36, to);
        self.queue(now_ns);
        self.stats.gap_fills_sent += 1;
    }

    /// What we asked the peer to resend is in (or nothing was missing):
    /// the gap fills that waited for it are reported now.
    fn resend_filled(&mut self) {
        self.resend_pending = None;
        for (from, to) in self.gap_fills_awaiting_resend.drain(..) {
            self.events.push(SessionEvent::GapFilled { from, to });
        }
    }

    fn request_resend(&mut self, from: u64, now_ns: u64) {
        self.start(b"2", now_ns).field_u64(7, from).field_u64(16, 0);
        self.queue(now_ns);
        self.resend_pending = Some(from);
        self.stats.resend_requests_sent += 1;
        self.events.push(SessionEvent::ResendRequested { from });
    }

    fn handle_logout(&mut self, now_ns: u64) {
        if self.state != SessionState::LogoutSent {
            self.start(b"5", now_ns);
            self.queue(now_ns);
        }
        self.state = SessionState::Disconnected;
        self.events.push(SessionEvent::LoggedOut);
        self.disconnect("logged out");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::fix::parse_frame;
    use crate::wire::fix::test_frames::frame;

    fn session(dir: &std::path::Path) -> FixSession {
        FixSession::new(SessionConfig {
            begin_string: "FIX.4.4".into(),
            sender: "BW".into(),
            target: "VENUE".into(),
            heartbeat_s: 30,
            store_dir: dir.to_path_buf(),
            reset_on_logon: false,
        })
        .unwrap()
    }

    fn sent(s: &mut FixSession) -> Vec<String> {
        let mut out = Vec::new();
        let mut buf = s.pending_tx().to_vec();
        while let Ok((m, used)) = parse_frame(&buf) {
            out.push(format!("{:?}", m));
            buf.drain(..used);
        }
        let n = s.pending_tx().len();
        s.consumed_tx(n);
        out
    }

    fn peer(seq: u64, body: &str) -> Vec<u8> {
        frame(
            "FIX.4.4",
            &format!(
                "35={}|49=VENUE|56=BW|34={seq}|52=20240101-00:00:00.000|{}",
                &body[..body.find('|').unwrap()],
                &body[body.find('|').unwrap() + 1..]
            ),
        )
    }

    fn logged_on(dir: &std::path::Path) -> FixSession {
        let mut s = session(dir);
        s.on_connected(1);
        assert!(sent(&mut s)[0].contains("35=A|49=BW|56=VENUE|34=1|"));
        s.on_bytes(&peer(1, "A|98=0|108=30|"), 2, &mut |_, _| {
            panic!("no app message")
        });
        assert!(s.is_active());
        assert_eq!(
            s.take_events().collect::<Vec<_>>(),
            [SessionEvent::LoggedOn]
        );
        s
    }

    #[test]
    fn logon_then_application_messages_in_sequence() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = logged_on(dir.path());
        let mut got = Vec::new();
        s.on_bytes(&peer(2, "8|11=1|39=0|"), 3, &mut |_, m| {
            got.push(m.get(11).unwrap().to_vec())
        });
        assert_eq!(got, [b"1".to_vec()]);
        assert_eq!(s.next_target_seq(), 3);
    }

    #[test]
    fn test_requests_are_answered_with_their_id() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = logged_on(dir.path());
        s.on_bytes(&peer(2, "1|112=PING7|"), 3, &mut |_, _| {});
        let out = sent(&mut s);
        assert!(
            out[0].contains("35=0|") && out[0].contains("112=PING7|"),
            "{out:?}"
        );
    }

    #[test]
    fn a_gap_triggers_one_resend_request_and_resent_messages_fill_it() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = logged_on(dir.path());
        let mut got = Vec::new();
        s.on_bytes(&peer(4, "8|11=3|"), 3, &mut |_, m| {
            got.push(m.get(11).unwrap().to_vec())
        });
        s.on_bytes(&peer(5, "8|11=4|"), 3, &mut |_, m| {
            got.push(m.get(11).unwrap().to_vec())
        });
        assert!(got.is_empty(), "messages after a gap wait for the resend");
        let out = sent(&mut s);
        assert_eq!(out.len(), 1, "{out:?}");
        assert!(
            out[0].contains("35=2|") && out[0].contains("7=2|16=0|"),
            "{out:?}"
        );
        // The resend: 2 and 3 (PossDup), then 4 and 5 again.
        for (seq, id) in [(2, 1), (3, 2), (4, 3), (5, 4)] {
            s.on_bytes(&peer(seq, &format!("8|43=Y|11={id}|")), 4, &mut |_, m| {
                got.push(m.get(11).unwrap().to_vec())
            });
        }
        assert_eq!(
            got,
            [b"1".to_vec(), b"2".to_vec(), b"3".to_vec(), b"4".to_vec()]
        );
        // A late duplicate is dropped.
        s.on_bytes(&peer(3, "8|43=Y|11=2|"), 5, &mut |_, _| {
            panic!("duplicate delivered")
        });
        assert_eq!(s.stats.duplicates_dropped, 1);
    }

    #[test]
    fn messages_of_this_connection_are_resent_as_sent_and_session_messages_gap_filled() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = logged_on(dir.path());
        s.send_app(b"D", 3, |e| {
            e.field(11, b"X");
        })
        .unwrap(); // 2
        s.on_tick(40_000_000_000); // 3, 4: heartbeat and test request
        s.send_app(b"F", 5, |e| {
            e.field(11, b"Y");
        })
        .unwrap(); // 5
        sent(&mut s);
        s.on_bytes(&peer(2, "2|7=2|16=0|"), 41_000_000_000, &mut |_, _| {});
        let out = sent(&mut s);
        assert_eq!(out.len(), 3, "{out:?}");
        assert!(
            out[0].contains("35=D|")
                && out[0].contains("34=2|")
                && out[0].contains("|43=Y|122=19700101-00:00:00.000|11=X|"),
            "{out:?}"
        );
        assert!(
            out[1].contains("35=4|") && out[1].contains("34=3|") && out[1].contains("123=Y|36=5|"),
            "{out:?}"
        );
        assert!(
            out[2].contains("35=F|")
                && out[2].contains("34=5|")
                && out[2].contains("|43=Y|122=19700101-00:00:00.000|11=Y|"),
            "{out:?}"
        );
        assert_eq!(s.take_events().count(), 0, "nothing was lost");
        assert_eq!(s.stats.messages_resent, 2);
    }

    #[test]
    fn after_a_reconnect_only_the_previous_connections_messages_are_gap_filled() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = logged_on(dir.path());
        for _ in 0..3 {
            s.send_app(b"D", 3, |_| {}).unwrap(); // 2, 3, 4: lost with the link
        }
        s.on_disconnected();
        s.on_connected(5); // Logon 5
        s.on_bytes(&peer(2, "A|98=0|108=30|"), 6, &mut |_, _| {});
        s.send_app(b"D", 7, |_| {}).unwrap(); // 6: on this connection
        sent(&mut s);
        s.take_events().for_each(drop);
        s.on_bytes(&peer(3, "2|7=2|16=0|"), 8, &mut |_, _| {});
        let out = sent(&mut s);
        // 2-4 (stale) and 5 (the Logon) in one gap fill; 6 resent.
        assert!(
            out[0].contains("35=4|") && out[0].contains("34=2|") && out[0].contains("123=Y|36=6|"),
            "{out:?}"
        );
        assert!(
            out[1].contains("35=D|") && out[1].contains("34=6|") && out[1].contains("43=Y|"),
            "{out:?}"
        );
        assert_eq!(out.len(), 2);
        assert_eq!(
            s.take_events().collect::<Vec<_>>(),
            [SessionEvent::GapFilled { from: 2, to: 5 }]
        );
    }

    /// A QuickFIX acceptor SIGKILLed between sending its report for our
    /// order and persisting the order's receipt comes back asking for the
    /// order again, with the report among what it must resend us. The
    /// report reaches the order layer before the "not delivered" inference.
    #[test]
    fn a_gap_fill_of_stale_orders_is_reported_only_after_the_peers_resend_is_in() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = logged_on(dir.path());
        s.send_app(b"D", 3, |_| {}).unwrap(); // 2: executed, receipt not persisted
        s.on_disconnected(); // its report, the peer's 2, never arrived
        s.on_connected(5); // our Logon 3
        sent(&mut s);
        let mut order: Vec<String> = Vec::new();
        let deliver = |s: &mut FixSession, bytes: &[u8], order: &mut Vec<String>| {
            s.on_bytes(bytes, 6, &mut |_, m| {
                order.push(format!("report {}", m.sequence_number().unwrap()))
            });
            for e in s.take_events() {
                order.push(format!("{e:?}"));
            }
        };
        // Its Logon (3) shows the gap; its ResendRequest (4) asks for our 2.
        deliver(&mut s, &peer(3, "A|98=0|108=30|"), &mut order);
        deliver(&mut s, &peer(4, "2|7=2|16=0|"), &mut order);
        let out = sent(&mut s);
        assert!(
            out.iter()
                .any(|m| m.contains("35=4|") && m.contains("34=2|") && m.contains("36=5|")),
            "the stale order is gap-filled at once: {out:?}"
        );
        deliver(&mut s, &peer(2, "8|43=Y|11=1|39=2|"), &mut order);
        deliver(&mut s, &peer(3, "4|43=Y|123=Y|36=5|"), &mut order);
        assert_eq!(
            order,
            [
                "LoggedOn",
                "ResendRequested { from: 2 }",
                "report 2",
                "GapFilled { from: 2, to: 3 }"
            ]
        );
        assert_eq!(s.next_target_seq(), 5);
    }

    #[test]
    fn a_resend_request_beyond_a_gap_is_answered_while_our_own_request_is_out() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = logged_on(dir.path());
        s.send_app(b"D", 3, |_| {}).unwrap();
        sent(&mut s);
        // The peer's 2 and 3 were lost; its 4 asks us to resend from 2.
        s.on_bytes(&peer(4, "2|7=2|16=0|"), 4, &mut |_, _| panic!());
        let out = sent(&mut s);
        assert!(
            out[0].contains("35=D|") && out[0].contains("34=2|") && out[0].contains("43=Y|"),
            "{out:?}"
        );
        assert!(
            out[1].contains("35=2|") && out[1].contains("7=2|"),
            "{out:?}"
        );
        assert_eq!(s.next_target_seq(), 2, "still waiting for the peer's 2");
    }

    #[test]
    fn garbled_frames_are_dropped_and_the_stream_resynchronises() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = logged_on(dir.path());
        let mut bad = peer(2, "8|11=1|");
        let n = bad.len();
        bad[n - 3] ^= 1; // break the checksum
        let mut stream = bad;
        stream.extend_from_slice(&peer(2, "8|11=2|"));
        let mut got = Vec::new();
        s.on_bytes(&stream, 3, &mut |_, m| {
            got.push(m.get(11).unwrap().to_vec())
        });
        assert_eq!(got, [b"2".to_vec()]);
        assert_eq!(s.stats.garbled, 1);
    }

    #[test]
    fn a_sequence_number_too_low_ends_the_session() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = logged_on(dir.path());
        s.on_bytes(&peer(1, "8|11=1|"), 3, &mut |_, _| panic!());
        let events: Vec<SessionEvent> = s.take_events().collect();
        assert!(
            matches!(&events[..], [SessionEvent::Disconnect { reason }] if reason.contains("below the expected 2")),
            "{events:?}"
        );
        assert!(sent(&mut s)[0].contains("35=5|"));
    }

    #[test]
    fn heartbeats_when_idle_and_a_test_request_when_the_peer_is_silent() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = logged_on(dir.path());
        let sec = 1_000_000_000u64;
        s.on_tick(31 * sec);
        let out = sent(&mut s);
        assert!(
            out.len() == 1 && out[0].contains("35=0|"),
            "a heartbeat after 30 s idle: {out:?}"
        );
        s.on_tick(37 * sec);
        let out = sent(&mut s);
        assert!(
            out.len() == 1 && out[0].contains("35=1|"),
            "a test request after 36 s of silence: {out:?}"
        );
        assert_eq!(s.take_events().count(), 0);
        s.on_tick(68 * sec);
        assert!(s
            .take_events()
            .any(|e| matches!(e, SessionEvent::Disconnect { .. })));
    }

    #[test]
    fn sequence_numbers_persist_across_sessions() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = logged_on(dir.path());
        s.send_app(b"D", 3, |_| {}).unwrap();
        assert_eq!((s.next_sender_seq(), s.next_target_seq()), (3, 2));
        drop(s);
        let mut s = session(dir.path());
        s.on_connected(10);
        assert!(
            sent(&mut s)[0].contains("34=3|"),
            "the next logon continues at 3"
        );
    }
}
