-- The QloApps circuit breaker of each config, shared by every process so they fail fast
-- together (DESIGN.md section 6) and visible to operators (API, metrics).
-- sync_core::shared_breaker reads and changes it; times come from the database clock, so
-- hosts with skewed clocks agree on when a circuit re-opens for probes.
CREATE TABLE circuit_breaker_state (
    config_id            UUID        PRIMARY KEY REFERENCES qloapps_config (id) ON DELETE CASCADE,
    state                TEXT        NOT NULL DEFAULT 'CLOSED'
                                     CHECK (state IN ('CLOSED', 'OPEN', 'HALF_OPEN')),
    consecutive_failures INTEGER     NOT NULL DEFAULT 0 CHECK (consecutive_failures >= 0),
    opened_at            TIMESTAMPTZ,
    -- OPEN fails fast until then; afterwards the next caller takes a HALF_OPEN probe
    open_until           TIMESTAMPTZ,
    -- HALF_OPEN probes taken and not yet reported; a probe whose caller vanished frees its
    -- slot one cool-down after probe_started_at
    half_open_probes     INTEGER     NOT NULL DEFAULT 0 CHECK (half_open_probes >= 0),
    probe_started_at     TIMESTAMPTZ,
    -- bumped on every transition: an outcome reported under an older generation is ignored
    generation           BIGINT      NOT NULL DEFAULT 0,
    updated_at           TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT circuit_breaker_state_open_until_set CHECK (state <> 'OPEN' OR open_until IS NOT NULL)
);
