//! Small strategies built on the client library, used by the replay and
//! by the example strategy processes in `examples/`.

pub mod block_seller;
pub mod momentum_follower;
