//! Why a frame, packet or message was not (fully) decoded. Every variant is a
//! counter in the feed's statistics; the names are stable (they appear in
//! `breakwater decode --json`).

use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DecodeError {
    EthernetTruncated,
    VlanTruncated,
    NotIpv4,
    Ipv4Truncated,
    Ipv4BadVersion,
    Ipv4BadHeaderLength,
    Ipv4BadTotalLength,
    /// Counted, but the payload is still read: anonymised captures zero it.
    Ipv4BadChecksum,
    Ipv4Fragment,
    NotUdp,
    UdpTruncated,
    UdpBadLength,
    MoldTruncated,
    MoldMessageOverrun,
    ItchEmpty,
    ItchUnknownType,
    ItchLengthMismatch,
    /// The frame was longer than one DPDK mbuf segment.
    Segmented,
    /// The capture file ended inside a record.
    CaptureTruncated,
}

impl DecodeError {
    pub const ALL: [DecodeError; 19] = [
        DecodeError::EthernetTruncated,
        DecodeError::VlanTruncated,
        DecodeError::NotIpv4,
        DecodeError::Ipv4Truncated,
        DecodeError::Ipv4BadVersion,
        DecodeError::Ipv4BadHeaderLength,
        DecodeError::Ipv4BadTotalLength,
        DecodeError::Ipv4BadChecksum,
        DecodeError::Ipv4Fragment,
        DecodeError::NotUdp,
        DecodeError::UdpTruncated,
        DecodeError::UdpBadLength,
        DecodeError::MoldTruncated,
        DecodeError::MoldMessageOverrun,
        DecodeError::ItchEmpty,
        DecodeError::ItchUnknownType,
        DecodeError::ItchLengthMismatch,
        DecodeError::Segmented,
        DecodeError::CaptureTruncated,
    ];

    pub const fn name(self) -> &'static str {
        match self {
            DecodeError::EthernetTruncated => "ethernet_truncated",
            DecodeError::VlanTruncated => "vlan_truncated",
            DecodeError::NotIpv4 => "not_ipv4",
            DecodeError::Ipv4Truncated => "ipv4_truncated",
            DecodeError::Ipv4BadVersion => "ipv4_bad_version",
            DecodeError::Ipv4BadHeaderLength => "ipv4_bad_header_length",
            DecodeError::Ipv4BadTotalLength => "ipv4_bad_total_length",
            DecodeError::Ipv4BadChecksum => "ipv4_bad_checksum",
            DecodeError::Ipv4Fragment => "ipv4_fragment",
            DecodeError::NotUdp => "not_udp",
            DecodeError::UdpTruncated => "udp_truncated",
            DecodeError::UdpBadLength => "udp_bad_length",
            DecodeError::MoldTruncated => "moldudp64_truncated",
            DecodeError::MoldMessageOverrun => "moldudp64_message_overrun",
            DecodeError::ItchEmpty => "itch_empty",
            DecodeError::ItchUnknownType => "itch_unknown_type",
            DecodeError::ItchLengthMismatch => "itch_length_mismatch",
            DecodeError::Segmented => "segmented_frame",
            DecodeError::CaptureTruncated => "capture_truncated",
        }
    }

    pub const fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl std::error::Error for DecodeError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_lists_every_variant_in_index_order() {
        for (i, e) in DecodeError::ALL.iter().enumerate() {
            assert_eq!(e.index(), i);
        }
    }
}
