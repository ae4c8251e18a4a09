//! Locks beyond one transaction: one pull per config across every process (`pull`, a session
//! advisory lock) and, inside one process, tasks queueing for the same advisory lock without
//! each holding a pooled connection (`keyed`). The transaction-scoped advisory locks are
//! `db::advisory_lock`.

pub mod keyed;
pub mod pull;
