-- One row per sync run (seed "Database Configuration" columns, kept), plus the config it ran
-- for, its direction and operation, the skipped count, and the pull watermark: the raw
-- QloApps date_upd string of the newest order seen (shop-local time, never reinterpreted).
CREATE TABLE qloapps_sync_state (
    id                   UUID        PRIMARY KEY,
    config_id            UUID        NOT NULL REFERENCES qloapps_config (id) ON DELETE CASCADE,
    sync_type            VARCHAR(100) NOT NULL CHECK (btrim(sync_type) <> ''),
    direction            TEXT        NOT NULL CHECK (direction IN ('inbound', 'outbound')),
    operation            TEXT        NOT NULL CHECK (btrim(operation) <> ''),
    status               VARCHAR(50) NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'completed', 'failed')),
    started_at           TIMESTAMPTZ NOT NULL DEFAULT now(),
    completed_at         TIMESTAMPTZ,
    items_processed      INTEGER     NOT NULL DEFAULT 0 CHECK (items_processed >= 0),
    items_created        INTEGER     NOT NULL DEFAULT 0 CHECK (items_created >= 0),
    items_updated        INTEGER     NOT NULL DEFAULT 0 CHECK (items_updated >= 0),
    items_skipped        INTEGER     NOT NULL DEFAULT 0 CHECK (items_skipped >= 0),
    items_failed         INTEGER     NOT NULL DEFAULT 0 CHECK (items_failed >= 0),
    duration_ms          INTEGER     CHECK (duration_ms >= 0),
    success              BOOLEAN,
    error_message        TEXT,
    last_sync_error      TEXT,
    last_successful_sync TIMESTAMPTZ,
    watermark            TEXT,
    CONSTRAINT qloapps_sync_state_completed_after_start CHECK (completed_at IS NULL OR completed_at >= started_at),
    CONSTRAINT qloapps_sync_state_running_not_completed CHECK ((status = 'running') = (completed_at IS NULL))
);

CREATE INDEX qloapps_sync_state_config_started_idx ON qloapps_sync_state (config_id, started_at DESC);
-- the seed's "Sync Not Running" query and the stale-lock sweep
CREATE INDEX qloapps_sync_state_running_idx ON qloapps_sync_state (config_id) WHERE status = 'running';
