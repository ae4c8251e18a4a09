-- QloApps feature_prices rules that qlosync created and owns (DESIGN.md section 5, "Rates"):
-- one row per rule, a fixed nightly price over an inclusive range of nights. qlosync never
-- touches a rule that has no row here, and keeps its own rules from overlapping.
--
-- status 'pending': QloApps may not match the row (a write was about to be sent, or its
-- answer was lost). A pending row without a rule id is looked up in QloApps (same room type,
-- name, dates and price) and adopted or dropped; a pending row with an id is rewritten.
CREATE TABLE qloapps_rate_rules (
    id                   UUID          PRIMARY KEY,
    config_id            UUID          NOT NULL REFERENCES qloapps_config (id) ON DELETE CASCADE,
    room_type_id         UUID          NOT NULL REFERENCES room_types (id) ON DELETE CASCADE,
    qloapps_room_type_id INTEGER       NOT NULL CHECK (qloapps_room_type_id > 0),
    date_from            DATE          NOT NULL,
    -- inclusive last night, as in QloApps
    date_to              DATE          NOT NULL,
    rate                 NUMERIC(12,2) NOT NULL CHECK (rate >= 0),
    name                 TEXT          NOT NULL CHECK (length(name) <= 128),
    qloapps_rule_id      BIGINT        CHECK (qloapps_rule_id > 0),
    status               TEXT          NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'active')),
    created_at           TIMESTAMPTZ   NOT NULL DEFAULT now(),
    updated_at           TIMESTAMPTZ   NOT NULL DEFAULT now(),
    CONSTRAINT qloapps_rate_rules_range CHECK (date_to >= date_from),
    CONSTRAINT qloapps_rate_rules_active_has_id CHECK (status = 'pending' OR qloapps_rule_id IS NOT NULL),
    CONSTRAINT qloapps_rate_rules_rule_key UNIQUE (config_id, qloapps_rule_id)
);

CREATE INDEX qloapps_rate_rules_room_type_idx ON qloapps_rate_rules (config_id, room_type_id, date_from);
