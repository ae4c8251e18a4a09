-- Per-item sync log: what happened to each reservation / availability range / rate range in
-- either direction, including the losing side of a conflict (both versions in `details`).
CREATE TABLE qloapps_sync_log (
    id                BIGSERIAL   PRIMARY KEY,
    config_id         UUID        NOT NULL REFERENCES qloapps_config (id) ON DELETE CASCADE,
    sync_state_id     UUID        REFERENCES qloapps_sync_state (id) ON DELETE SET NULL,
    direction         TEXT        NOT NULL CHECK (direction IN ('inbound', 'outbound')),
    operation         TEXT        NOT NULL CHECK (btrim(operation) <> ''),
    entity_type       TEXT        NOT NULL CHECK (btrim(entity_type) <> ''),
    local_entity_id   UUID,
    qloapps_entity_id BIGINT,
    success           BOOLEAN     NOT NULL,
    outcome           TEXT        NOT NULL CHECK (outcome IN ('created', 'updated', 'cancelled', 'skipped', 'failed', 'conflict')),
    message           TEXT,
    details           JSONB,
    created_at        TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- listing a config's log newest first (ids grow with time), with keyset paging on id
CREATE INDEX qloapps_sync_log_config_id_idx ON qloapps_sync_log (config_id, id DESC);
-- time-range reads and retention purges
CREATE INDEX qloapps_sync_log_created_idx ON qloapps_sync_log (created_at);
CREATE INDEX qloapps_sync_log_sync_state_idx ON qloapps_sync_log (sync_state_id) WHERE sync_state_id IS NOT NULL;
CREATE INDEX qloapps_sync_log_local_entity_idx ON qloapps_sync_log (local_entity_id) WHERE local_entity_id IS NOT NULL;
