-- Inventory holds: QloApps bookings qlosync creates so that QloApps sells at most what the
-- PMS allows (DESIGN.md section 5, "Availability"). Each carries `source` =
-- 'qlosync-hold:<id>' in QloApps (`orders.source`), so it can be found again after an
-- unknown outcome, and pulls never take it for a guest's booking.
--
-- status: 'pending' (about to be created, or the answer was lost: looked up by source),
-- 'active' (holds rooms), 'cancelling' (a cancel was about to be sent), 'cancelled'.
CREATE TABLE qloapps_inventory_holds (
    id                   UUID        PRIMARY KEY,
    config_id            UUID        NOT NULL REFERENCES qloapps_config (id) ON DELETE CASCADE,
    room_type_id         UUID        NOT NULL REFERENCES room_types (id) ON DELETE CASCADE,
    qloapps_room_type_id INTEGER     NOT NULL CHECK (qloapps_room_type_id > 0),
    check_in             DATE        NOT NULL,
    -- departure day: the hold covers the nights check_in .. check_out - 1
    check_out            DATE        NOT NULL,
    rooms                INTEGER     NOT NULL CHECK (rooms > 0),
    -- QloApps room ids the hold occupies, when known
    room_ids             BIGINT[]    NOT NULL DEFAULT '{}',
    source               TEXT        NOT NULL CHECK (source LIKE 'qlosync-hold:%'),
    qloapps_order_id     BIGINT      CHECK (qloapps_order_id > 0),
    status               TEXT        NOT NULL DEFAULT 'pending'
                                     CHECK (status IN ('pending', 'active', 'cancelling', 'cancelled')),
    created_at           TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at           TIMESTAMPTZ NOT NULL DEFAULT now(),
    cancelled_at         TIMESTAMPTZ,
    CONSTRAINT qloapps_inventory_holds_range CHECK (check_out > check_in),
    CONSTRAINT qloapps_inventory_holds_has_order CHECK (status = 'pending' OR qloapps_order_id IS NOT NULL),
    CONSTRAINT qloapps_inventory_holds_source_key UNIQUE (source),
    CONSTRAINT qloapps_inventory_holds_order_key UNIQUE (config_id, qloapps_order_id)
);

CREATE INDEX qloapps_inventory_holds_live_idx ON qloapps_inventory_holds (config_id, room_type_id, check_in)
    WHERE status <> 'cancelled';
