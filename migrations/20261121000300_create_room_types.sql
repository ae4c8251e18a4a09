-- PMS room types. (id, property_id) is unique so that rows referencing a room type can also
-- require it to belong to their own property with a composite foreign key.
CREATE TABLE room_types (
    id           UUID        PRIMARY KEY,
    property_id  UUID        NOT NULL REFERENCES properties (id) ON DELETE RESTRICT,
    code         TEXT        NOT NULL CHECK (code ~ '^[A-Za-z0-9_.-]{1,32}$'),
    name         TEXT        NOT NULL CHECK (btrim(name) <> '' AND length(name) <= 200),
    description  TEXT        CHECK (length(description) <= 2000),
    total_rooms  INTEGER     NOT NULL CHECK (total_rooms >= 0),
    max_adults   INTEGER     NOT NULL DEFAULT 2 CHECK (max_adults >= 1),
    max_children INTEGER     NOT NULL DEFAULT 0 CHECK (max_children >= 0),
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT room_types_property_code_key UNIQUE (property_id, code),
    CONSTRAINT room_types_id_property_key UNIQUE (id, property_id)
);
