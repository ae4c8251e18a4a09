-- PMS guests, property-scoped. Pulled bookings are matched to guests by email
-- (case-insensitive), then normalised phone, then name + check-in date (seed, "Pull Sync
-- Service"), hence the indexes below. Emails are not unique: QloApps may hold several
-- customers for one person, and a guest created when no match is found is flagged.
CREATE TABLE guests (
    id                 UUID        PRIMARY KEY,
    property_id        UUID        NOT NULL REFERENCES properties (id) ON DELETE RESTRICT,
    first_name         TEXT        NOT NULL CHECK (btrim(first_name) <> '' AND length(first_name) <= 100),
    last_name          TEXT        NOT NULL CHECK (btrim(last_name) <> '' AND length(last_name) <= 100),
    email              TEXT        CHECK (length(email) <= 254 AND email ~ '^[^@\s]+@[^@\s]+$'),
    phone              TEXT        CHECK (length(phone) <= 40),
    -- digits only, a leading '+' kept; computed by sync_core::domain::guest::normalize_phone
    phone_normalized   TEXT        CHECK (phone_normalized ~ '^\+?[0-9]{1,20}$'),
    possible_duplicate BOOLEAN     NOT NULL DEFAULT false,
    created_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT guests_phone_normalized_present CHECK ((phone IS NULL) = (phone_normalized IS NULL)),
    CONSTRAINT guests_id_property_key UNIQUE (id, property_id)
);

CREATE INDEX guests_property_email_idx ON guests (property_id, lower(email)) WHERE email IS NOT NULL;
CREATE INDEX guests_property_phone_idx ON guests (property_id, phone_normalized) WHERE phone_normalized IS NOT NULL;
CREATE INDEX guests_property_name_idx ON guests (property_id, lower(last_name), lower(first_name));
