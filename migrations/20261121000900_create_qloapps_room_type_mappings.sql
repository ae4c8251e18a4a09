-- PMS room type <-> QloApps room type (a QloApps product), per config (seed "Database
-- Configuration"). `property_id` is carried so composite foreign keys can require the room
-- type and the config to belong to the same property.
CREATE TABLE qloapps_room_type_mappings (
    id                   UUID        PRIMARY KEY,
    config_id            UUID        NOT NULL,
    property_id          UUID        NOT NULL,
    local_room_type_id   UUID        NOT NULL,
    qloapps_room_type_id INTEGER     NOT NULL CHECK (qloapps_room_type_id > 0),
    is_active            BOOLEAN     NOT NULL DEFAULT true,
    created_at           TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at           TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT qloapps_room_type_mappings_config_fkey FOREIGN KEY (config_id, property_id)
        REFERENCES qloapps_config (id, property_id) ON DELETE CASCADE,
    CONSTRAINT qloapps_room_type_mappings_room_type_fkey FOREIGN KEY (local_room_type_id, property_id)
        REFERENCES room_types (id, property_id) ON DELETE RESTRICT,
    CONSTRAINT qloapps_room_type_mappings_local_key UNIQUE (config_id, local_room_type_id),
    CONSTRAINT qloapps_room_type_mappings_remote_key UNIQUE (config_id, qloapps_room_type_id)
);

CREATE INDEX qloapps_room_type_mappings_room_type_idx ON qloapps_room_type_mappings (local_room_type_id);
