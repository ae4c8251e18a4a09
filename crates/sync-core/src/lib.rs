//! qlosync's shared library: everything the four binaries have in common.

pub mod messages;
