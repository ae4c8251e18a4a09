-- The pull watermark as an instant plus the shop time zone it was read in (sync_core::pull::
-- watermark): QloApps' date_upd is shop-local without a zone, and PS_TIMEZONE can change or
-- repeat an hour at a DST fall-back, so a raw local time alone can skip orders. `watermark`
-- stays the same instant written in that zone, for operators. Rows from before this migration
-- have only `watermark`, read in the shop's current zone.
ALTER TABLE qloapps_sync_state ADD COLUMN watermark_at TIMESTAMPTZ;
ALTER TABLE qloapps_sync_state ADD COLUMN watermark_zone TEXT;
