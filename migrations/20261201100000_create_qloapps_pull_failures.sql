-- Orders a pull could not apply (sync_core::pull::failures, docs/pull-failures.md): kept until a
-- later pull applies them (the row is deleted) or an operator discards one with a reason (the
-- row stays, for the record, until the order applies or fails again). The watermark may move
-- past these orders; every incremental pull retries the due ones before reading new pages.
CREATE TABLE qloapps_pull_failures (
    config_id        UUID        NOT NULL REFERENCES qloapps_config (id) ON DELETE CASCADE,
    qloapps_order_id BIGINT      NOT NULL CHECK (qloapps_order_id > 0),
    reason           TEXT        NOT NULL,
    attempts         INTEGER     NOT NULL DEFAULT 1 CHECK (attempts > 0),
    first_seen_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_seen_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    next_retry_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    -- the pull run that last failed it (qloapps_sync_state.id; not a foreign key: runs are history)
    last_run_id      UUID,
    discarded_at     TIMESTAMPTZ,
    discard_reason   TEXT,
    PRIMARY KEY (config_id, qloapps_order_id),
    CONSTRAINT qloapps_pull_failures_discard_reason CHECK ((discarded_at IS NULL) = (discard_reason IS NULL))
);

CREATE INDEX qloapps_pull_failures_due_idx ON qloapps_pull_failures (config_id, next_retry_at)
    WHERE discarded_at IS NULL;
