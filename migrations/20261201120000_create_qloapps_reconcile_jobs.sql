-- Reconciliations run in the background (sync_core::reconcile::jobs, README "Reconciling
-- bookings"): the api answers 202 with the job id, any api process answers GET .../jobs/{id}
-- from this table. The process running a job writes `heartbeat_at` every few seconds; a
-- queued or running job whose heartbeat is older than a minute is marked failed (its process
-- died), on the api's startup and whenever the job is read. One writer:
-- sync_core::db::qloapps_reconcile_jobs.
CREATE TABLE qloapps_reconcile_jobs (
    id             UUID        PRIMARY KEY,
    config_id      UUID        NOT NULL REFERENCES qloapps_config (id) ON DELETE CASCADE,
    -- 'request' (POST .../reconcile), 'switch_on' (the channel manager switched back on)
    kind           TEXT        NOT NULL CHECK (kind IN ('request', 'switch_on')),
    dry_run        BOOLEAN     NOT NULL,
    -- what was asked (scope, nights, bookings window), as JSON
    request        JSONB       NOT NULL,
    status         TEXT        NOT NULL DEFAULT 'queued'
                   CHECK (status IN ('queued', 'running', 'succeeded', 'failed')),
    progress_done  INTEGER     NOT NULL DEFAULT 0 CHECK (progress_done >= 0),
    progress_total INTEGER     NOT NULL DEFAULT 0 CHECK (progress_total >= 0),
    -- the reconciliation report (ReconcileReport) once succeeded
    report         JSONB,
    error          TEXT,
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    started_at     TIMESTAMPTZ,
    heartbeat_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    finished_at    TIMESTAMPTZ,
    CONSTRAINT qloapps_reconcile_jobs_finished CHECK ((status IN ('succeeded', 'failed')) = (finished_at IS NOT NULL))
);

CREATE INDEX qloapps_reconcile_jobs_config_idx ON qloapps_reconcile_jobs (config_id, created_at DESC);
CREATE INDEX qloapps_reconcile_jobs_live_idx ON qloapps_reconcile_jobs (heartbeat_at)
    WHERE status IN ('queued', 'running');
