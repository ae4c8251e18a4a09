-- Rooms of a PMS room type the PMS allows to sell, per night. The outbound worker makes
-- QloApps sell at most this many (DESIGN.md section 5, "Availability").
CREATE TABLE availability (
    room_type_id UUID        NOT NULL REFERENCES room_types (id) ON DELETE CASCADE,
    night        DATE        NOT NULL,
    available    INTEGER     NOT NULL CHECK (available >= 0),
    updated_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (room_type_id, night)
);
