//! The nightly services: what QloApps sells each night of a PMS room type. [`rates`]
//! (`rate.update`) keeps owned `feature_prices` rules at the PMS rates, [`availability`]
//! (`availability.update`) keeps inventory holds so QloApps sells at most the PMS count
//! (docs/rates-and-availability.md). Both load their work through `target` (a config, a
//! mapped room type, its client, under the room type's advisory lock) and leave a run through
//! `record`; reconciliation (`crate::reconcile`) runs them too.

pub mod availability;
pub mod rates;
pub(crate) mod record;
pub(crate) mod target;
