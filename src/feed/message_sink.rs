//! Where a [`FrameDecoder`](super::frame_decoder::FrameDecoder) delivers
//! ITCH messages. The decoder parses a packet's messages (up to
//! [`LOOK_AHEAD`] at a time) and tells the sink about each before it
//! delivers the first, so a sink that keeps books can start the cache
//! misses of all of them at once ([`MessageSink::prefetch`]); then it
//! delivers them in order.

use super::frame_decoder::MessageOrigin;
use crate::wire::itch::ItchMessage;

/// Messages of one packet announced ahead of delivery. A MoldUDP64 packet
/// in a burst holds about 30 to 50 ITCH messages; 32 covers most of one.
pub const LOOK_AHEAD: usize = 32;

pub trait MessageSink {
    /// `message` of session `session_index` will be delivered soon, after
    /// the messages announced before it: a hint to start loading what it
    /// will touch. It must not change what the sink does with any message;
    /// by default it does nothing.
    #[inline(always)]
    fn prefetch(&mut self, session_index: usize, message: &ItchMessage<'_>) {
        let _ = (session_index, message);
    }

    /// Delivers one message, in sequence order.
    fn on_message(&mut self, origin: MessageOrigin, message: &ItchMessage<'_>);
}

/// A closure as a sink that does not prefetch.
pub struct EachMessage<F>(pub F);

impl<F: FnMut(MessageOrigin, &ItchMessage<'_>)> MessageSink for EachMessage<F> {
    #[inline(always)]
    fn on_message(&mut self, origin: MessageOrigin, message: &ItchMessage<'_>) {
        (self.0)(origin, message)
    }
}
