//! The audit journal: every decision and every defensive event, in order,
//! with the feed time it happened at.

pub mod journal_entry;
