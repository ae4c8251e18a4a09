-- Nightly rate of a PMS room type, in the property's currency. The outbound worker turns
-- contiguous equal nights into QloApps feature_prices rules (DESIGN.md section 5, "Rates").
CREATE TABLE rates (
    room_type_id UUID          NOT NULL REFERENCES room_types (id) ON DELETE CASCADE,
    night        DATE          NOT NULL,
    rate         NUMERIC(12,2) NOT NULL CHECK (rate >= 0),
    updated_at   TIMESTAMPTZ   NOT NULL DEFAULT now(),
    PRIMARY KEY (room_type_id, night)
);
