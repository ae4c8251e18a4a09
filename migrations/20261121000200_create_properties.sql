-- PMS properties (hotels). `active_channel_manager` is the seed's column ("Database
-- Configuration"); the settings page switches it between 'qloapps' and 'none'.
CREATE TABLE properties (
    id                     UUID        PRIMARY KEY,
    name                   TEXT        NOT NULL CHECK (btrim(name) <> '' AND length(name) <= 200),
    -- IANA zone name of the hotel, used to interpret stay dates and QloApps shop-local times
    timezone               TEXT        NOT NULL DEFAULT 'UTC' CHECK (btrim(timezone) <> '' AND length(timezone) <= 64),
    currency               CHAR(3)     NOT NULL DEFAULT 'EUR' CHECK (currency ~ '^[A-Z]{3}$'),
    active_channel_manager VARCHAR(50) NOT NULL DEFAULT 'qloapps'
                           CHECK (active_channel_manager IN ('qloapps', 'none')),
    created_at             TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at             TIMESTAMPTZ NOT NULL DEFAULT now()
);
