-- Pull side of the sync (sync_core::pull). `last_pulled_hash` fingerprints the QloApps version
-- of a mapped reservation (room type, stay, rooms, guests, price, cancelled) as last seen by a
-- pull: an order re-read in the watermark's overlap, or by a full sync, is recognised as
-- unchanged and skipped without touching the reservation, and a PMS change made since is never
-- mistaken for a conflict with a QloApps version the pull has already judged.
ALTER TABLE qloapps_reservation_mappings ADD COLUMN last_pulled_hash TEXT;

-- the newest watermark of a config's pulls (sync_core::pull::watermark)
CREATE INDEX qloapps_sync_state_pull_watermark_idx ON qloapps_sync_state (config_id, started_at DESC)
    WHERE direction = 'inbound' AND watermark IS NOT NULL;
