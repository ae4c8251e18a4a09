//! Background reconciliations: `POST .../reconcile` answers 202 with the job's id and a
//! Location for a long one (or with `background`), `GET .../reconcile/jobs/{jobId}` answers
//! for it (404 for an unknown job or one of another config, 422 for a malformed id), and a job
//! whose process died is reported failed rather than running forever.

use std::time::Duration;

use axum::http::{header, Method, StatusCode};
use qlo_sim::{SimConfig, SimServer};
use serde_json::{json, Value};
use sqlx::PgPool;

use crate::helpers::TestApp;

fn jobs_uri(config: &str, job: &str) -> String {
    format!("/api/v1/qloapps/configs/{config}/reconcile/jobs/{job}")
}

/// A property with room type DBL mapped to the simulator's room type 2.
async fn mapped(app: &TestApp, sim: &SimServer) -> String {
    let property = app.property().await;
    let room_type = app.room_type(&property, "DBL").await;
    let config = app
        .config(&property, 1, &sim.api_url(), sim.api_key())
        .await;
    let mapping = json!({"localRoomTypeId": room_type, "qloappsRoomTypeId": 2});
    app.post(
        &format!("/api/v1/qloapps/configs/{config}/room-type-mappings"),
        mapping,
    )
    .await
    .assert_status(StatusCode::CREATED);
    config
}

/// Polls the job until it has finished.
async fn finished(app: &TestApp, location: &str) -> Value {
    for _ in 0..600 {
        let job = app.get(location).await;
        job.assert_status(StatusCode::OK);
        if matches!(job.body["status"].as_str(), Some("succeeded" | "failed")) {
            return job.body.clone();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the job at {location} did not finish");
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn a_long_reconcile_answers_202_with_a_location_that_reports_the_job(pool: PgPool) {
    let sim = SimServer::start(SimConfig::default()).await.expect("sim");
    let app = TestApp::new(pool);
    let config = mapped(&app, &sim).await;
    let uri = format!("/api/v1/qloapps/configs/{config}/reconcile");

    // no window: a year of nights and 508 days of bookings, too long for the request
    let accepted = app.post(&uri, json!({"dryRun": true})).await;
    accepted.assert_status(StatusCode::ACCEPTED);
    let location = accepted
        .headers
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .expect("a Location header")
        .to_owned();
    let job_id = accepted.body["jobId"].as_str().expect("jobId").to_owned();
    assert_eq!(location, jobs_uri(&config, &job_id));
    assert_eq!(accepted.body["location"], location.as_str());
    assert!(
        matches!(
            accepted.body["status"].as_str(),
            Some("queued" | "running" | "succeeded")
        ),
        "{}",
        accepted.body
    );

    let job = finished(&app, &location).await;
    assert_eq!(job["status"], "succeeded", "{job}");
    assert_eq!(job["kind"], "request");
    assert_eq!(job["dryRun"], true);
    assert_eq!(job["report"]["inventory"], true);
    assert_eq!(job["report"]["bookings"]["scope"]["kind"], "window");
    assert_eq!(job["report"]["bookings"]["drift"], json!([]));
    let (done, total) = (&job["progress"]["done"], &job["progress"]["total"]);
    assert_eq!(done, total, "{job}");
    assert!(done.as_u64().unwrap_or(0) >= 1, "{job}");

    // a small one runs in the request, unless asked to run in the background
    let small = json!({"from": "2026-12-01", "to": "2026-12-05"});
    app.post(&uri, small.clone())
        .await
        .assert_status(StatusCode::OK);
    let mut background = small;
    background["background"] = json!(true);
    let queued = app.post(&uri, background).await;
    queued.assert_status(StatusCode::ACCEPTED);
    let job = finished(&app, queued.body["location"].as_str().expect("location")).await;
    assert_eq!(job["status"], "succeeded", "{job}");
    assert_eq!(job["report"]["from"], "2026-12-01");
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn unknown_or_foreign_jobs_are_404_and_malformed_requests_422(pool: PgPool) {
    let sim = SimServer::start(SimConfig::default()).await.expect("sim");
    let app = TestApp::new(pool);
    let config = mapped(&app, &sim).await;
    let other = mapped(&app, &sim).await;
    let uri = format!("/api/v1/qloapps/configs/{config}/reconcile");
    let queued = app
        .post(
            &uri,
            json!({"background": true, "from": "2026-12-01", "to": "2026-12-02"}),
        )
        .await;
    queued.assert_status(StatusCode::ACCEPTED);
    let job_id = queued.body["jobId"].as_str().expect("jobId").to_owned();
    // done before the checks below compare the database before and after each request
    finished(&app, queued.body["location"].as_str().expect("location")).await;

    let unknown = "6f1c2a3e-1111-4222-8333-944455556666";
    for path in [
        jobs_uri(&config, unknown),
        jobs_uri(&other, &job_id),
        jobs_uri(unknown, &job_id),
    ] {
        let answer = app.get(&path).await;
        answer.assert_status(StatusCode::NOT_FOUND);
        assert_eq!(answer.code(), "not_found", "{path}: {}", answer.text);
    }
    app.get(&jobs_uri(&config, "not-a-uuid"))
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    for (body, fields) in [
        (json!({"scope": "everything"}), vec!["scope"]),
        (json!({"background": "yes"}), vec!["background"]),
        (
            json!({"scope": "bookings", "from": "2026-12-01", "to": "2029-01-01"}),
            vec!["to"],
        ),
        (
            json!({"scope": "inventory", "from": "2026-12-01", "to": "2027-12-31"}),
            vec!["to"],
        ),
    ] {
        app.assert_rejected(
            Method::POST,
            &uri,
            Some(body),
            StatusCode::UNPROCESSABLE_ENTITY,
            &fields,
        )
        .await;
    }
    let jobs: i64 = sqlx::query_scalar("SELECT count(*) FROM qloapps_reconcile_jobs")
        .fetch_one(&app.pool)
        .await
        .expect("count");
    assert_eq!(jobs, 1, "a refused request queues nothing");
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn a_job_whose_process_died_is_reported_failed_not_running(pool: PgPool) {
    let sim = SimServer::start(SimConfig::default()).await.expect("sim");
    let app = TestApp::new(pool);
    let config = mapped(&app, &sim).await;
    // what a process killed mid-run leaves: running, its last heartbeat ten minutes ago
    let id = uuid::Uuid::new_v4();
    sqlx::query(
        "INSERT INTO qloapps_reconcile_jobs (id, config_id, kind, dry_run, request, status, started_at, heartbeat_at)
         VALUES ($1, $2::uuid, 'request', true, '{}', 'running', now() - interval '11 minutes', now() - interval '10 minutes')",
    )
    .bind(id)
    .bind(&config)
    .execute(&app.pool)
    .await
    .expect("insert");
    let job = app.get(&jobs_uri(&config, &id.to_string())).await;
    job.assert_status(StatusCode::OK);
    assert_eq!(job.body["status"], "failed", "{}", job.body);
    assert!(
        job.body["error"]
            .as_str()
            .is_some_and(|e| e.contains("process running this job stopped")),
        "{}",
        job.body
    );
    assert!(job.body["finishedAt"].is_string());
}
