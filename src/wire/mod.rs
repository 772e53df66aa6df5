//! Zero-copy wire views. Each view checks the length of its input once, in
//! its constructor, and then reads fields at fixed offsets: no view panics on
//! any input, and every rejection carries a [`DecodeError`] reason that the
//! feed counts.

pub mod byte_sum;
pub mod bytes;
pub mod decode_error;
pub mod digit_text;
pub mod digit_word;
pub mod eth;
pub mod fix;
pub mod fix_pick;
pub mod fix_tag_guess;
pub mod fix_value;
pub mod ipv4;
pub mod itch;
pub mod moldudp64;
pub mod soh_scan;
pub mod udp;

pub use decode_error::DecodeError;
