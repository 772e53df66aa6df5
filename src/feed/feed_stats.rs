//! Counters kept by the feed decoder: frames, MoldUDP64 packets, ITCH
//! messages by type, sequence events and errors by reason.

use crate::wire::DecodeError;
use serde_json::{json, Map, Value};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FeedStats {
    pub frames: u64,
    pub packets: u64,
    pub messages_by_type: [u64; 256],
    pub errors: [u64; DecodeError::ALL.len()],
    pub gaps: u64,
    pub missing_messages: u64,
    pub duplicate_packets: u64,
    pub heartbeats: u64,
    pub end_of_session: u64,
    pub unsequenced_packets: u64,
}

impl Default for FeedStats {
    fn default() -> Self {
        FeedStats {
            frames: 0,
            packets: 0,
            messages_by_type: [0; 256],
            errors: [0; DecodeError::ALL.len()],
            gaps: 0,
            missing_messages: 0,
            duplicate_packets: 0,
            heartbeats: 0,
            end_of_session: 0,
            unsequenced_packets: 0,
        }
    }
}

impl FeedStats {
    #[inline]
    pub fn count_error(&mut self, error: DecodeError) {
        self.errors[error.index()] += 1;
    }

    pub fn error_count(&self, error: DecodeError) -> u64 {
        self.errors[error.index()]
    }

    pub fn messages(&self) -> u64 {
        self.messages_by_type.iter().sum()
    }

    /// Message counts by type character, non-zero only, sorted by type.
    pub fn message_counts(&self) -> Vec<(char, u64)> {
        (0u8..=255)
            .filter(|&t| self.messages_by_type[usize::from(t)] > 0)
            .map(|t| (t as char, self.messages_by_type[usize::from(t)]))
            .collect()
    }

    /// Error counts by reason name, non-zero only.
    pub fn error_counts(&self) -> Vec<(&'static str, u64)> {
        DecodeError::ALL
            .iter()
            .filter(|e| self.errors[e.index()] > 0)
            .map(|e| (e.name(), self.errors[e.index()]))
            .collect()
    }

    /// The `breakwater decode --json` object (without the `file` key).
    pub fn to_json(&self) -> Map<String, Value> {
        let mut messages = Map::new();
        for (t, n) in self.message_counts() {
            messages.insert(t.to_string(), json!(n));
        }
        let mut errors = Map::new();
        for (name, n) in self.error_counts() {
            errors.insert(name.to_string(), json!(n));
        }
        let mut o = Map::new();
        o.insert("packets".into(), json!(self.packets));
        o.insert("messages".into(), Value::Object(messages));
        o.insert("gaps".into(), json!(self.gaps));
        o.insert("errors".into(), Value::Object(errors));
        o.insert("frames".into(), json!(self.frames));
        o.insert("missing_messages".into(), json!(self.missing_messages));
        o.insert("duplicate_packets".into(), json!(self.duplicate_packets));
        o.insert("heartbeats".into(), json!(self.heartbeats));
        o.insert("end_of_session".into(), json!(self.end_of_session));
        o.insert(
            "unsequenced_packets".into(),
            json!(self.unsequenced_packets),
        );
        o
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_lists_non_zero_types_and_errors_only() {
        let mut s = FeedStats {
            packets: 2,
            ..Default::default()
        };
        s.messages_by_type[usize::from(b'A')] = 36;
        s.messages_by_type[usize::from(b'F')] = 2;
        s.count_error(DecodeError::Ipv4BadChecksum);
        let j = Value::Object(s.to_json());
        assert_eq!(j["packets"], 2);
        assert_eq!(j["messages"], json!({"A": 36, "F": 2}));
        assert_eq!(j["errors"], json!({"ipv4_bad_checksum": 1}));
        assert_eq!(s.messages(), 38);
    }
}
