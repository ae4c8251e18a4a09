-- PMS reservations. A stay covers the nights check_in .. check_out - 1 (check_out exclusive).
-- `updated_at` is the change time that conflict resolution compares with QloApps' date_upd.
CREATE TABLE reservations (
    id              UUID          PRIMARY KEY,
    property_id     UUID          NOT NULL REFERENCES properties (id) ON DELETE RESTRICT,
    room_type_id    UUID          NOT NULL,
    guest_id        UUID          NOT NULL,
    check_in        DATE          NOT NULL,
    check_out       DATE          NOT NULL,
    number_of_rooms INTEGER       NOT NULL DEFAULT 1 CHECK (number_of_rooms >= 1),
    adults          INTEGER       NOT NULL CHECK (adults >= 1),
    children        INTEGER       NOT NULL DEFAULT 0 CHECK (children >= 0),
    total_price     NUMERIC(12,2) NOT NULL CHECK (total_price >= 0),
    currency        CHAR(3)       NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    status          TEXT          NOT NULL DEFAULT 'confirmed' CHECK (status IN ('confirmed', 'cancelled')),
    -- 'pms': created through the api; 'qloapps': created by a pull from QloApps
    source          TEXT          NOT NULL CHECK (source IN ('pms', 'qloapps')),
    notes           TEXT          CHECK (length(notes) <= 2000),
    cancelled_at    TIMESTAMPTZ,
    created_at      TIMESTAMPTZ   NOT NULL DEFAULT now(),
    updated_at      TIMESTAMPTZ   NOT NULL DEFAULT now(),
    CONSTRAINT reservations_check_out_after_check_in CHECK (check_out > check_in),
    CONSTRAINT reservations_cancelled_at_matches_status CHECK ((status = 'cancelled') = (cancelled_at IS NOT NULL)),
    -- the room type and the guest must belong to the reservation's property
    CONSTRAINT reservations_room_type_fkey FOREIGN KEY (room_type_id, property_id)
        REFERENCES room_types (id, property_id) ON DELETE RESTRICT,
    CONSTRAINT reservations_guest_fkey FOREIGN KEY (guest_id, property_id)
        REFERENCES guests (id, property_id) ON DELETE RESTRICT,
    CONSTRAINT reservations_id_property_key UNIQUE (id, property_id)
);

CREATE INDEX reservations_property_check_in_idx ON reservations (property_id, check_in);
CREATE INDEX reservations_property_updated_at_idx ON reservations (property_id, updated_at);
CREATE INDEX reservations_room_type_stay_idx ON reservations (room_type_id, check_in, check_out);
CREATE INDEX reservations_guest_idx ON reservations (guest_id);
