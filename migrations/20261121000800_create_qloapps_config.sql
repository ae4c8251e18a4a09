-- One QloApps hotel a property syncs with (seed "Database Configuration"). Usually one per
-- property; several are allowed. The API key is write-only: `api_key_encrypted` holds
-- "<key id>:<base64(nonce || AES-256-GCM ciphertext)>" (sync_core::crypto) and
-- `api_key_last4` the only part ever shown back.
CREATE TABLE qloapps_config (
    id                UUID        PRIMARY KEY,
    property_id       UUID        NOT NULL REFERENCES properties (id) ON DELETE RESTRICT,
    name              TEXT        NOT NULL CHECK (btrim(name) <> '' AND length(name) <= 200),
    base_url          TEXT        NOT NULL CHECK (base_url ~* '^https?://' AND length(base_url) <= 2000),
    api_key_encrypted TEXT,
    api_key_last4     TEXT        CHECK (length(api_key_last4) <= 4),
    qloapps_hotel_id  INTEGER     NOT NULL CHECK (qloapps_hotel_id > 0),
    language_id       INTEGER     NOT NULL DEFAULT 1 CHECK (language_id > 0),
    sync_enabled      BOOLEAN     NOT NULL DEFAULT true,
    created_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT qloapps_config_api_key_last4_present CHECK ((api_key_encrypted IS NULL) = (api_key_last4 IS NULL)),
    -- two configs pushing the same property to the same QloApps hotel would double every booking
    CONSTRAINT qloapps_config_property_hotel_key UNIQUE (property_id, base_url, qloapps_hotel_id),
    CONSTRAINT qloapps_config_id_property_key UNIQUE (id, property_id)
);

CREATE INDEX qloapps_config_property_idx ON qloapps_config (property_id);
