-- Reservations QloApps refused to take as the PMS holds them (no rooms for new dates, closed
-- hotel, a booking QloApps will not accept): the two sides differ until a later push goes
-- through, which deletes the row (sync_core::push::record). Listed per config by the api.
CREATE TABLE qloapps_out_of_sync (
    config_id       UUID        NOT NULL REFERENCES qloapps_config (id) ON DELETE CASCADE,
    reservation_id  UUID        NOT NULL REFERENCES reservations (id) ON DELETE CASCADE,
    reason          TEXT        NOT NULL CHECK (length(reason) <= 4000),
    attempts        INTEGER     NOT NULL DEFAULT 1 CHECK (attempts > 0),
    first_failed_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_failed_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (config_id, reservation_id)
);

CREATE INDEX qloapps_out_of_sync_reservation_idx ON qloapps_out_of_sync (reservation_id);
