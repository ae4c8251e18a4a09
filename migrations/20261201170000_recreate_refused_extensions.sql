-- A stay change QloApps refuses because it counts the order's own room as taken may, when the
-- operator opts in per config, be pushed as cancel-and-recreate (crates/sync-core/src/push/recreate.rs,
-- docs/pushes.md). Off by default: the booking gets a new QloApps order id and reference.
ALTER TABLE qloapps_config
    ADD COLUMN recreate_refused_extensions BOOLEAN NOT NULL DEFAULT false;

-- While a reservation moves off its order, the order being replaced: set (and committed) before
-- that order is cancelled, cleared with the mapping pointing at the new order, so a push that
-- stops half-way is finished by the next one.
ALTER TABLE qloapps_reservation_mappings
    ADD COLUMN replacing_order_id BIGINT CHECK (replacing_order_id > 0);
