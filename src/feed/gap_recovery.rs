//! Where a MoldUDP64 re-request client plugs in. On a sequence gap the frame
//! decoder asks its [`GapRecovery`] for the missing messages and buffers
//! what arrives after the gap; retransmitted packets fill the gap, the
//! buffer is replayed in sequence order, and the venue's books are fresh
//! again. [`MoldRerequestClient`] is the real client: it sends MoldUDP64
//! request packets (session, first sequence number, message count) to the
//! venue's re-request server; the retransmissions arrive as ordinary
//! downstream packets.

use std::net::{SocketAddr, UdpSocket};

pub trait GapRecovery {
    /// Asks for `count` messages of `session` starting at `from_seq`.
    /// Returns false when the request could not be sent.
    fn request(&mut self, session: &[u8; 10], from_seq: u64, count: u16) -> bool;
}

/// The MoldUDP64 request packet: session (10), sequence number (8, big
/// endian), requested message count (2).
pub fn request_packet(session: &[u8; 10], from_seq: u64, count: u16) -> [u8; 20] {
    let mut p = [0u8; 20];
    p[..10].copy_from_slice(session);
    p[10..18].copy_from_slice(&from_seq.to_be_bytes());
    p[18..].copy_from_slice(&count.to_be_bytes());
    p
}

pub struct MoldRerequestClient {
    socket: UdpSocket,
    server: SocketAddr,
    pub requests_sent: u64,
}

impl MoldRerequestClient {
    /// A client bound to an ephemeral local port, sending to `server`.
    /// Gaps are rare: the send is a syscall off the per-message path.
    pub fn new(server: SocketAddr) -> std::io::Result<Self> {
        let bind: SocketAddr = if server.is_ipv4() {
            "0.0.0.0:0".parse().expect("literal address")
        } else {
            "[::]:0".parse().expect("literal address")
        };
        let socket = UdpSocket::bind(bind)?;
        socket.set_nonblocking(true)?;
        Ok(MoldRerequestClient {
            socket,
            server,
            requests_sent: 0,
        })
    }
}

impl GapRecovery for MoldRerequestClient {
    fn request(&mut self, session: &[u8; 10], from_seq: u64, count: u16) -> bool {
        let ok = self
            .socket
            .send_to(&request_packet(session, from_seq, count), self.server)
            .is_ok();
        self.requests_sent += u64::from(ok);
        ok
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_packets_follow_the_moldudp64_layout() {
        let p = request_packet(b"000010059B", 14_764_497, 300);
        assert_eq!(&p[..10], b"000010059B");
        assert_eq!(
            u64::from_be_bytes(p[10..18].try_into().unwrap()),
            14_764_497
        );
        assert_eq!(u16::from_be_bytes(p[18..].try_into().unwrap()), 300);
    }

    #[test]
    fn the_client_sends_requests_to_the_server_socket() {
        let server = UdpSocket::bind("127.0.0.1:0").unwrap();
        let mut client = MoldRerequestClient::new(server.local_addr().unwrap()).unwrap();
        assert!(client.request(b"SESSION001", 42, 7));
        let mut buf = [0u8; 64];
        let (n, _) = server.recv_from(&mut buf).unwrap();
        assert_eq!(&buf[..n], &request_packet(b"SESSION001", 42, 7));
        assert_eq!(client.requests_sent, 1);
    }
}
