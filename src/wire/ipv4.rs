//! IPv4 headers: version, header length, total length and fragment checks;
//! the header checksum is verified and reported, not enforced (anonymised
//! captures zero it; the caller counts it and still reads the payload).

use super::bytes::{prefix, u16_at};
use super::DecodeError;

pub const PROTOCOL_UDP: u8 = 17;
const MIN_HEADER_LEN: usize = 20;

#[derive(Clone, Copy, Debug)]
pub struct Ipv4Packet<'a> {
    protocol: u8,
    source: [u8; 4],
    destination: [u8; 4],
    checksum_ok: bool,
    payload: &'a [u8],
}

impl<'a> Ipv4Packet<'a> {
    pub fn parse(bytes: &'a [u8]) -> Result<Self, DecodeError> {
        let fixed: &[u8; MIN_HEADER_LEN] = prefix(bytes).ok_or(DecodeError::Ipv4Truncated)?;
        if fixed[0] >> 4 != 4 {
            return Err(DecodeError::Ipv4BadVersion);
        }
        let header_len = usize::from(fixed[0] & 0x0f) * 4;
        if header_len < MIN_HEADER_LEN {
            return Err(DecodeError::Ipv4BadHeaderLength);
        }
        if bytes.len() < header_len {
            return Err(DecodeError::Ipv4Truncated);
        }
        let total_len = usize::from(u16_at(fixed, 2));
        if total_len < header_len {
            return Err(DecodeError::Ipv4BadTotalLength);
        }
        if total_len > bytes.len() {
            return Err(DecodeError::Ipv4Truncated);
        }
        let flags_fragment = u16_at(fixed, 6);
        let more_fragments = flags_fragment & 0x2000 != 0;
        if more_fragments || flags_fragment & 0x1fff != 0 {
            return Err(DecodeError::Ipv4Fragment);
        }
        let checksum_ok = header_checksum(&bytes[..header_len]) == 0;
        let mut source = [0u8; 4];
        source.copy_from_slice(&fixed[12..16]);
        let mut destination = [0u8; 4];
        destination.copy_from_slice(&fixed[16..20]);
        Ok(Ipv4Packet {
            protocol: fixed[9],
            source,
            destination,
            checksum_ok,
            // Bounded by total length: Ethernet padding is not payload.
            payload: &bytes[header_len..total_len],
        })
    }

    pub fn protocol(&self) -> u8 {
        self.protocol
    }

    pub fn source(&self) -> [u8; 4] {
        self.source
    }

    pub fn destination(&self) -> [u8; 4] {
        self.destination
    }

    /// True when the one's-complement sum over the header (checksum field
    /// included) is zero, i.e. the checksum is valid.
    pub fn checksum_ok(&self) -> bool {
        self.checksum_ok
    }

    pub fn payload(&self) -> &'a [u8] {
        self.payload
    }
}

/// RFC 1071 one's-complement sum of `header`, folded and inverted. Over a
/// header whose checksum field is filled in, a valid checksum gives zero.
pub fn header_checksum(header: &[u8]) -> u16 {
    let mut sum: u32 = 0;
    let mut words = header.chunks_exact(2);
    for w in &mut words {
        sum += u32::from(u16::from_be_bytes([w[0], w[1]]));
    }
    if let [last] = words.remainder() {
        sum += u32::from(*last) << 8;
    }
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example header from RFC 1071 discussions (Wikipedia's IPv4
    /// checksum example): checksum 0xb861.
    const HEADER: [u8; 20] = [
        0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11, 0xb8, 0x61, 0xc0, 0xa8, 0x00,
        0x01, 0xc0, 0xa8, 0x00, 0xc7,
    ];

    fn packet_with_payload(len: usize) -> Vec<u8> {
        let mut p = HEADER.to_vec();
        p.resize(0x73, 0xab);
        p.truncate(20 + len.min(0x73 - 20));
        p
    }

    #[test]
    fn known_good_checksum_verifies() {
        let p = packet_with_payload(0x73 - 20);
        let ip = Ipv4Packet::parse(&p).unwrap();
        assert!(ip.checksum_ok());
        assert_eq!(ip.protocol(), PROTOCOL_UDP);
        assert_eq!(ip.source(), [192, 168, 0, 1]);
        assert_eq!(ip.payload().len(), 0x73 - 20);
    }

    #[test]
    fn zeroed_checksum_is_reported_but_payload_is_read() {
        let mut p = packet_with_payload(0x73 - 20);
        p[10] = 0;
        p[11] = 0;
        let ip = Ipv4Packet::parse(&p).unwrap();
        assert!(!ip.checksum_ok());
        assert_eq!(ip.payload().len(), 0x73 - 20);
    }

    #[test]
    fn padding_beyond_total_length_is_not_payload() {
        let mut p = packet_with_payload(0x73 - 20);
        p.extend_from_slice(&[0; 6]);
        assert_eq!(Ipv4Packet::parse(&p).unwrap().payload().len(), 0x73 - 20);
    }

    #[test]
    fn malformed_headers_are_classified() {
        let p = packet_with_payload(0x73 - 20);
        let mut v6 = p.clone();
        v6[0] = 0x65;
        assert_eq!(
            Ipv4Packet::parse(&v6).unwrap_err(),
            DecodeError::Ipv4BadVersion
        );
        let mut ihl = p.clone();
        ihl[0] = 0x44;
        assert_eq!(
            Ipv4Packet::parse(&ihl).unwrap_err(),
            DecodeError::Ipv4BadHeaderLength
        );
        assert_eq!(
            Ipv4Packet::parse(&p[..50]).unwrap_err(),
            DecodeError::Ipv4Truncated
        );
        let mut frag = p.clone();
        frag[6] = 0x20;
        assert_eq!(
            Ipv4Packet::parse(&frag).unwrap_err(),
            DecodeError::Ipv4Fragment
        );
        let mut short_total = p;
        short_total[2] = 0;
        short_total[3] = 10;
        assert_eq!(
            Ipv4Packet::parse(&short_total).unwrap_err(),
            DecodeError::Ipv4BadTotalLength
        );
    }
}
