//! Ethernet II frames with up to two VLAN tags (802.1Q `0x8100`, 802.1ad
//! `0x88a8`). DPDK's `net_pcap` does not strip tags, so the parser must.

use super::bytes::{prefix, u16_at};
use super::DecodeError;

pub const ETHERTYPE_IPV4: u16 = 0x0800;
pub const ETHERTYPE_VLAN: u16 = 0x8100;
pub const ETHERTYPE_QINQ: u16 = 0x88a8;
const HEADER_LEN: usize = 14;
const TAG_LEN: usize = 4;
const MAX_TAGS: usize = 2;

/// A checked view of one Ethernet frame.
#[derive(Clone, Copy, Debug)]
pub struct EthernetFrame<'a> {
    ethertype: u16,
    /// VLAN ID of the outermost tag, if any.
    vlan_id: Option<u16>,
    payload: &'a [u8],
}

impl<'a> EthernetFrame<'a> {
    pub fn parse(frame: &'a [u8]) -> Result<Self, DecodeError> {
        let header: &[u8; HEADER_LEN] = prefix(frame).ok_or(DecodeError::EthernetTruncated)?;
        let mut ethertype = u16_at(header, 12);
        let mut offset = HEADER_LEN;
        let mut vlan_id = None;
        let mut tags = 0;
        while (ethertype == ETHERTYPE_VLAN || ethertype == ETHERTYPE_QINQ) && tags < MAX_TAGS {
            let tag: &[u8; TAG_LEN] =
                prefix(frame.get(offset..).unwrap_or(&[])).ok_or(DecodeError::VlanTruncated)?;
            if vlan_id.is_none() {
                vlan_id = Some(u16_at(tag, 0) & 0x0fff);
            }
            ethertype = u16_at(tag, 2);
            offset += TAG_LEN;
            tags += 1;
        }
        Ok(EthernetFrame {
            ethertype,
            vlan_id,
            payload: frame.get(offset..).unwrap_or(&[]),
        })
    }

    pub fn ethertype(&self) -> u16 {
        self.ethertype
    }

    pub fn vlan_id(&self) -> Option<u16> {
        self.vlan_id
    }

    /// Everything after the (tagged) header, including any trailing padding.
    pub fn payload(&self) -> &'a [u8] {
        self.payload
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(tags: &[(u16, u16)], ethertype: u16, payload: &[u8]) -> Vec<u8> {
        let mut f = vec![0u8; 12];
        for &(tpid, tci) in tags {
            f.extend_from_slice(&tpid.to_be_bytes());
            f.extend_from_slice(&tci.to_be_bytes());
        }
        f.extend_from_slice(&ethertype.to_be_bytes());
        f.extend_from_slice(payload);
        f
    }

    #[test]
    fn untagged_frame_exposes_ethertype_and_payload() {
        let f = frame(&[], ETHERTYPE_IPV4, &[1, 2, 3]);
        let e = EthernetFrame::parse(&f).unwrap();
        assert_eq!(e.ethertype(), ETHERTYPE_IPV4);
        assert_eq!(e.vlan_id(), None);
        assert_eq!(e.payload(), &[1, 2, 3]);
    }

    #[test]
    fn single_vlan_tag_is_stripped_and_its_id_kept() {
        let f = frame(&[(ETHERTYPE_VLAN, 0x2000 | 141)], ETHERTYPE_IPV4, &[9]);
        let e = EthernetFrame::parse(&f).unwrap();
        assert_eq!(e.vlan_id(), Some(141));
        assert_eq!(e.ethertype(), ETHERTYPE_IPV4);
        assert_eq!(e.payload(), &[9]);
    }

    #[test]
    fn qinq_tags_are_both_stripped() {
        let f = frame(
            &[(ETHERTYPE_QINQ, 7), (ETHERTYPE_VLAN, 142)],
            ETHERTYPE_IPV4,
            &[],
        );
        let e = EthernetFrame::parse(&f).unwrap();
        assert_eq!(e.vlan_id(), Some(7));
        assert_eq!(e.ethertype(), ETHERTYPE_IPV4);
    }

    #[test]
    fn short_frames_and_cut_tags_are_errors() {
        assert_eq!(
            EthernetFrame::parse(&[0; 13]).unwrap_err(),
            DecodeError::EthernetTruncated
        );
        let mut f = frame(&[], ETHERTYPE_VLAN, &[0, 1]);
        f.truncate(16);
        assert_eq!(
            EthernetFrame::parse(&f).unwrap_err(),
            DecodeError::VlanTruncated
        );
    }
}
