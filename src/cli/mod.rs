//! The `breakwater` subcommands, one file each; `main.rs` parses arguments.

pub mod control_commands;
pub mod decode_command;
pub mod replay_command;
pub mod venue_check_command;
