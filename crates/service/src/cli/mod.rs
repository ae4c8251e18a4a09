//! What the four binaries' command lines share: the settings table behind `--help` and the
//! `check-config` report.

pub mod check;
#[cfg(feature = "test-support")]
pub mod contract;
pub mod process;
pub mod settings;
