-- The depths of the work queues and the DLQ, one row a minute, for the console's queue-depth
-- chart (GET /api/v1/qloapps/configs/{id}/activity). One writer: the api's sampler
-- (crates/api/src/queue_samples.rs, queries in crates/sync-core/src/db/queue_depth_samples.rs),
-- which reads RabbitMQ with passive declares and deletes rows older than 48 h. Each queue's
-- column keeps the largest reading of the minute (several readings, several api processes).
CREATE TABLE queue_depth_samples (
    -- the minute of the reading (truncated)
    sampled_at  TIMESTAMPTZ PRIMARY KEY CHECK (sampled_at = date_trunc('minute', sampled_at)),
    outbound    INTEGER NOT NULL CHECK (outbound >= 0),
    inbound     INTEGER NOT NULL CHECK (inbound >= 0),
    dead_letter INTEGER NOT NULL CHECK (dead_letter >= 0)
);
