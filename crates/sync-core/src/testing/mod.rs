//! Helpers shared with other crates' tests (feature `test-support`): a property mapped to a
//! (simulated) QloApps shop (`fixtures`) and a TCP proxy that can cut connections (`proxy`).

pub mod fixtures;
pub mod proxy;
