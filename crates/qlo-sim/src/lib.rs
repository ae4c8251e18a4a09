//! Being written: see docs/contracts.md.
