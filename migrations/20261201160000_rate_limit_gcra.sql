-- The shared QloApps limiter becomes a GCRA (sync_core::shared_limiter): a token bucket that
-- starts full and refills let up to twice its limit through in one window. The state is the
-- theoretical arrival time of the next call; the limit, burst and spacing in force are kept
-- beside it so operators can read them. The old token count has no meaning any more.
ALTER TABLE qloapps_rate_limit_buckets
    DROP COLUMN tokens,
    ADD COLUMN tat        TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    ADD COLUMN burst      INTEGER     NOT NULL DEFAULT 1 CHECK (burst > 0),
    ADD COLUMN spacing_us BIGINT      NOT NULL DEFAULT 1 CHECK (spacing_us > 0);
