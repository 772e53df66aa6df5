//! The `breakwater` subcommands, one file each; `main.rs` parses arguments.

pub mod decode_command;
