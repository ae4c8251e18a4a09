-- The QloApps token bucket of each config, shared by every process (DESIGN.md section 6: the
-- limit holds per QloApps config across workers, scheduler and api). One row per config;
-- `tokens` refills continuously at capacity / period and goes negative while callers wait for
-- tokens they reserved (sync_core::shared_limiter). The latest caller's capacity and period
-- are stored so operators can see the limit in force.
CREATE TABLE qloapps_rate_limit_buckets (
    config_id   UUID             PRIMARY KEY REFERENCES qloapps_config (id) ON DELETE CASCADE,
    tokens      DOUBLE PRECISION NOT NULL,
    capacity    INTEGER          NOT NULL CHECK (capacity > 0),
    period_ms   BIGINT           NOT NULL CHECK (period_ms > 0),
    updated_at  TIMESTAMPTZ      NOT NULL DEFAULT clock_timestamp()
);
