//! UDP datagrams: the length field bounds the payload.

use super::bytes::{prefix, u16_at};
use super::DecodeError;

const HEADER_LEN: usize = 8;

#[derive(Clone, Copy, Debug)]
pub struct UdpDatagram<'a> {
    source_port: u16,
    destination_port: u16,
    payload: &'a [u8],
}

impl<'a> UdpDatagram<'a> {
    pub fn parse(bytes: &'a [u8]) -> Result<Self, DecodeError> {
        let header: &[u8; HEADER_LEN] = prefix(bytes).ok_or(DecodeError::UdpTruncated)?;
        let length = usize::from(u16_at(header, 4));
        if length < HEADER_LEN {
            return Err(DecodeError::UdpBadLength);
        }
        let datagram = bytes.get(..length).ok_or(DecodeError::UdpTruncated)?;
        Ok(UdpDatagram {
            source_port: u16_at(header, 0),
            destination_port: u16_at(header, 2),
            payload: datagram.get(HEADER_LEN..).unwrap_or(&[]),
        })
    }

    pub fn source_port(&self) -> u16 {
        self.source_port
    }

    pub fn destination_port(&self) -> u16 {
        self.destination_port
    }

    pub fn payload(&self) -> &'a [u8] {
        self.payload
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_field_bounds_the_payload() {
        let d = [0x12, 0x34, 0x56, 0x78, 0, 10, 0, 0, 1, 2, 3, 4];
        let u = UdpDatagram::parse(&d).unwrap();
        assert_eq!(u.source_port(), 0x1234);
        assert_eq!(u.destination_port(), 0x5678);
        assert_eq!(u.payload(), &[1, 2]);
    }

    #[test]
    fn bad_lengths_are_errors() {
        assert_eq!(
            UdpDatagram::parse(&[0; 7]).unwrap_err(),
            DecodeError::UdpTruncated
        );
        assert_eq!(
            UdpDatagram::parse(&[0, 0, 0, 0, 0, 4, 0, 0]).unwrap_err(),
            DecodeError::UdpBadLength
        );
        assert_eq!(
            UdpDatagram::parse(&[0, 0, 0, 0, 0, 20, 0, 0]).unwrap_err(),
            DecodeError::UdpTruncated
        );
    }
}
