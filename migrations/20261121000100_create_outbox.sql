-- Transactional outbox: every PMS write that must reach QloApps (or ask for a pull) inserts a row
-- here in the same transaction as the change. The relay in `api` publishes unsent rows with
-- publisher confirms and marks them sent (DESIGN.md section 3).
CREATE TABLE outbox (
    id              BIGSERIAL PRIMARY KEY,
    message_id      UUID        NOT NULL UNIQUE,
    -- logical queue: 'outbound' (qloapps.outbound) or 'inbound' (qloapps.inbound); the relay adds the prefix
    queue           TEXT        NOT NULL CHECK (queue IN ('outbound', 'inbound')),
    event_type      TEXT        NOT NULL,
    config_id       UUID        NOT NULL,
    payload         JSONB       NOT NULL,
    correlation_id  TEXT,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    sent_at         TIMESTAMPTZ,
    publish_attempts INTEGER    NOT NULL DEFAULT 0 CHECK (publish_attempts >= 0),
    last_error      TEXT
);

-- the relay's claim query and the backlog gauges read only unsent rows
CREATE INDEX outbox_unsent_idx ON outbox (id) WHERE sent_at IS NULL;

-- wake the relay at once instead of waiting for its next poll
CREATE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('qlosync_outbox', NEW.queue);
    RETURN NULL;
END;
$$;

CREATE TRIGGER outbox_notify_after_insert
    AFTER INSERT ON outbox
    FOR EACH ROW EXECUTE FUNCTION outbox_notify();
