-- Idempotency keys of POST requests (crates/api/src/idempotency, README "Idempotency keys"): the
-- first answer to a key, replayed to a retry of the same request, kept 24 hours. Scoped per API
-- token: token_hash is the SHA-256 of the bearer token, never the token itself. request_hash is
-- the SHA-256 of the method, path and canonical body the key was first used with.
CREATE TABLE api_idempotency_keys (
    token_hash            BYTEA       NOT NULL CHECK (octet_length(token_hash) = 32),
    idempotency_key       TEXT        NOT NULL CHECK (length(idempotency_key) BETWEEN 1 AND 255),
    request_hash          BYTEA       NOT NULL CHECK (octet_length(request_hash) = 32),
    created_at            TIMESTAMPTZ NOT NULL DEFAULT now(),
    -- NULL while the first request is still in flight
    completed_at          TIMESTAMPTZ,
    response_status       SMALLINT    CHECK (response_status BETWEEN 100 AND 499),
    response_content_type TEXT,
    response_body         BYTEA,
    PRIMARY KEY (token_hash, idempotency_key),
    CONSTRAINT api_idempotency_keys_response CHECK (
        (completed_at IS NULL) = (response_status IS NULL)
        AND (completed_at IS NULL) = (response_body IS NULL)
    )
);

-- the expiry sweep
CREATE INDEX api_idempotency_keys_created_idx ON api_idempotency_keys (created_at);
