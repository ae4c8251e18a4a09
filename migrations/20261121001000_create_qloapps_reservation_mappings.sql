-- PMS reservation <-> QloApps order (a "booking" in QloApps' webservice), per config (seed
-- "Database Configuration"). A pulled order with several room lines maps to one PMS
-- reservation per line (`qloapps_line_key`); a pushed reservation uses ''.
-- `qloapps_booking_id` is BIGINT, not the seed's INTEGER: QloApps order ids are unsigned
-- 32-bit, and the queue messages carry them as i64.
CREATE TABLE qloapps_reservation_mappings (
    id                   UUID        PRIMARY KEY,
    config_id            UUID        NOT NULL,
    property_id          UUID        NOT NULL,
    local_reservation_id UUID        NOT NULL,
    qloapps_booking_id   BIGINT      NOT NULL CHECK (qloapps_booking_id > 0),
    qloapps_line_key     TEXT        NOT NULL DEFAULT '' CHECK (length(qloapps_line_key) <= 200),
    -- hash of the last payload pushed, so the worker can skip no-op pushes
    last_pushed_hash     TEXT,
    last_synced_at       TIMESTAMPTZ,
    created_at           TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at           TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT qloapps_reservation_mappings_config_fkey FOREIGN KEY (config_id, property_id)
        REFERENCES qloapps_config (id, property_id) ON DELETE CASCADE,
    CONSTRAINT qloapps_reservation_mappings_reservation_fkey FOREIGN KEY (local_reservation_id, property_id)
        REFERENCES reservations (id, property_id) ON DELETE RESTRICT,
    CONSTRAINT qloapps_reservation_mappings_local_key UNIQUE (config_id, local_reservation_id),
    CONSTRAINT qloapps_reservation_mappings_remote_key UNIQUE (config_id, qloapps_booking_id, qloapps_line_key)
);

CREATE INDEX qloapps_reservation_mappings_reservation_idx ON qloapps_reservation_mappings (local_reservation_id);
