//! Booking reconciliation (issue 12, "No booking left behind"): reservations against QloApps
//! orders, missing on either side or differing in dates, status or guest; a dry run changes
//! nothing, a fix applies the winning side (through the pull, then the push) so that a second
//! dry run is clean; a long one is a background job polled from another api process; switching
//! the channel manager back on reconciles what changed while it was off; the scheduler's daily
//! job runs it.

use std::time::Duration;

use qlo_sim::state::{CustomerEdit, OrderEdit};
use qlo_sim::SimConfig;
use qlosync_tests::{Demo, Stack};
use reqwest::Method;
use serde_json::{json, Value};
use sqlx::PgPool;
use sync_core::domain::{ConfigId, ReservationId};
use sync_core::pull::{PullKind, PullService, PullSettings};
use sync_core::push::PushService;
use sync_core::reconcile::{ReconcileContext, ReconcileSettings};
use uuid::Uuid;

use crate::ari_support::{book, config_id, d, services};

const CANCELED: u32 = 4;

struct World {
    stack: Stack,
    demo: Demo,
    config: ConfigId,
    push: PushService,
}

async fn world(pool: PgPool) -> World {
    let stack = Stack::start(pool, SimConfig::default(), &[]).await;
    let demo = stack.demo().await;
    let push = PushService::new(stack.pool.clone(), services(&stack).clients);
    World {
        config: config_id(&demo),
        stack,
        demo,
        push,
    }
}

impl World {
    /// A reservation of the PMS room type mapped to QloApps room type 1, not pushed.
    async fn reserve(&self, check_in: &str, check_out: &str) -> String {
        self.demo
            .reserve(&self.stack, 0, check_in, check_out, "300.00")
            .await
    }

    /// A reservation pushed to QloApps; returns it and its order.
    async fn pushed(&self, check_in: &str, check_out: &str) -> (String, u32) {
        let id = self.reserve(check_in, check_out).await;
        self.push_it(id).await
    }

    /// A reservation of a guest of its own, pushed (QloApps gets a customer of its own).
    async fn pushed_for_new_guest(&self, check_in: &str, check_out: &str) -> (String, u32) {
        let guest =
            json!({"firstName": "Clara", "lastName": "Weber", "email": "clara.weber@example.com"});
        let path = format!("/properties/{}/guests", self.demo.property_id);
        let guest = self.stack.ok(Method::POST, &path, Some(guest)).await;
        let body = qlosync_tests::reservation_body(
            &self.demo.room_types[0],
            guest["id"].as_str().expect("guest id"),
            check_in,
            check_out,
            "300.00",
        );
        let path = format!("/properties/{}/reservations", self.demo.property_id);
        let created = self.stack.ok(Method::POST, &path, Some(body)).await;
        self.push_it(created["id"].as_str().expect("id").to_owned())
            .await
    }

    async fn push_it(&self, id: String) -> (String, u32) {
        self.push
            .push_reservation(
                self.config,
                ReservationId(Uuid::parse_str(&id).expect("present")),
            )
            .await
            .expect("pushed");
        let order = self.stack.mapped_order(&id).await.expect("mapped");
        (id, u32::try_from(order).expect("present"))
    }

    /// A back-office edit in QloApps, made a few seconds after now (so it is the newer change).
    fn edit(&self, order: u32, edit: OrderEdit) {
        self.stack.sim.state().write(|shop| {
            shop.advance_clock(chrono::Duration::seconds(5));
            let done = shop.edit_order(order, &edit);
            shop.advance_clock(chrono::Duration::seconds(-5));
            done.expect("edited");
        });
    }

    fn path(&self) -> String {
        format!("/qloapps/configs/{}/reconcile", self.demo.config_id)
    }

    /// A bookings reconciliation of March 2027 in the request.
    async fn reconcile(&self, dry_run: bool) -> Value {
        let body = json!({"scope": "bookings", "dryRun": dry_run, "from": "2027-03-01", "to": "2027-03-31"});
        let (status, report) = self
            .stack
            .call(Method::POST, &self.path(), Some(body))
            .await;
        assert_eq!(status, 200, "{report}");
        report["bookings"].clone()
    }

    async fn stay(&self, id: &str) -> (String, String, String) {
        sqlx::query_as(
            "SELECT check_in::text, check_out::text, status FROM reservations WHERE id = $1::uuid",
        )
        .bind(id)
        .fetch_one(&self.stack.pool)
        .await
        .expect("reservation")
    }
}

/// The drift kinds of the entry for reservation `id` (or QloApps order `order`).
fn kinds(bookings: &Value, id: Option<&str>, order: Option<u32>) -> Vec<String> {
    let entry = bookings["drift"]
        .as_array()
        .expect("drift")
        .iter()
        .find(|d| match id {
            Some(id) => d["reservationId"] == id,
            None => d["qloappsOrderId"] == order.map(u64::from).unwrap_or_default(),
        })
        .unwrap_or_else(|| panic!("no drift for {id:?} / {order:?} in {bookings}"));
    entry["kinds"]
        .as_array()
        .expect("kinds")
        .iter()
        .map(|k| k.as_str().expect("kind").to_owned())
        .collect()
}

fn fix_action(bookings: &Value, id: &str) -> String {
    let entry = bookings["drift"]
        .as_array()
        .expect("drift")
        .iter()
        .find(|d| d["reservationId"] == id)
        .unwrap_or_else(|| panic!("no drift for {id} in {bookings}"));
    entry["fix"]["action"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

async fn reservation_count(stack: &Stack) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM reservations")
        .fetch_one(&stack.pool)
        .await
        .expect("count")
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn a_dry_run_reports_bookings_missing_on_either_side_and_changes_nothing(pool: PgPool) {
    let w = world(pool).await;
    let only_pms = w.reserve("2027-03-01", "2027-03-03").await;
    let only_qloapps = book(&w.stack.sim, "website", 2, "2027-03-05", "2027-03-07", 1)
        .await
        .expect("booked in QloApps");
    let (_in_sync, _) = w.pushed("2027-03-10", "2027-03-12").await;
    let reservations = reservation_count(&w.stack).await;
    w.stack.sim.clear_request_log();

    let b = w.reconcile(true).await;
    assert_eq!(kinds(&b, Some(&only_pms), None), ["missing_in_qloapps"]);
    let order = u32::try_from(only_qloapps).expect("present");
    assert_eq!(kinds(&b, None, Some(order)), ["missing_in_pms"]);
    assert_eq!(
        (&b["missingInQloapps"], &b["missingInPms"], &b["mismatched"]),
        (&json!(1), &json!(1), &json!(0)),
        "{b}"
    );
    assert_eq!(
        b["drift"].as_array().expect("present").len(),
        2,
        "the pushed one agrees: {b}"
    );
    assert_eq!(b["reservationsChecked"], 2, "{b}");

    let writes: Vec<_> = w
        .stack
        .sim
        .request_log()
        .into_iter()
        .filter(|e| e.method != "GET")
        .collect();
    assert!(writes.is_empty(), "a dry run wrote to QloApps: {writes:?}");
    assert_eq!(
        reservation_count(&w.stack).await,
        reservations,
        "a dry run imported nothing"
    );
    assert_eq!(
        w.stack.mapped_order(&only_pms).await,
        None,
        "nor pushed anything"
    );
    w.stack.stop().await;
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn date_room_type_status_and_guest_mismatches_are_named(pool: PgPool) {
    let w = world(pool).await;
    let (moved, moved_order) = w.pushed("2027-03-01", "2027-03-03").await;
    let (cancelled, cancelled_order) = w.pushed("2027-03-05", "2027-03-07").await;
    let (renamed, renamed_order) = w.pushed_for_new_guest("2027-03-10", "2027-03-12").await;
    w.edit(
        moved_order,
        OrderEdit {
            date_from: Some(d("2027-03-02")),
            date_to: Some(d("2027-03-04")),
            ..OrderEdit::default()
        },
    );
    w.edit(
        cancelled_order,
        OrderEdit {
            id_order_state: Some(CANCELED),
            ..OrderEdit::default()
        },
    );
    let customer = CustomerEdit {
        firstname: Some("Bruno".into()),
        lastname: Some("Zeller".into()),
        email: Some("bruno.zeller@example.com".into()),
    };
    w.edit(
        renamed_order,
        OrderEdit {
            customer: Some(customer),
            ..OrderEdit::default()
        },
    );

    let (retyped, retyped_order) = w.pushed("2027-03-20", "2027-03-22").await;
    w.edit(
        retyped_order,
        OrderEdit {
            id_room_type: Some(2),
            ..OrderEdit::default()
        },
    );

    let b = w.reconcile(true).await;
    assert_eq!(kinds(&b, Some(&retyped), None), ["room_type"], "{b}");
    assert_eq!(kinds(&b, Some(&moved), None), ["dates"], "{b}");
    assert_eq!(kinds(&b, Some(&cancelled), None), ["status"], "{b}");
    assert_eq!(kinds(&b, Some(&renamed), None), ["guest"], "{b}");
    assert_eq!(b["mismatched"], 4, "{b}");
    let entry = b["drift"]
        .as_array()
        .expect("present")
        .iter()
        .find(|e| e["reservationId"] == moved.as_str())
        .cloned()
        .expect("present");
    assert_eq!(
        (&entry["pms"]["checkIn"], &entry["qloapps"]["checkIn"]),
        (&json!("2027-03-01"), &json!("2027-03-02"))
    );
    let entry = b["drift"]
        .as_array()
        .expect("present")
        .iter()
        .find(|e| e["reservationId"] == renamed.as_str())
        .cloned()
        .expect("present");
    assert_eq!(entry["qloapps"]["guestEmail"], "bruno.zeller@example.com");
    assert_eq!(entry["pms"]["guestEmail"], "clara.weber@example.com");
    assert_eq!(
        w.stay(&moved).await.0,
        "2027-03-01",
        "a dry run changes nothing"
    );
    w.stack.stop().await;
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn a_fix_applies_the_winning_side_and_a_second_dry_run_is_clean(pool: PgPool) {
    let w = world(pool).await;
    let only_pms = w.reserve("2027-03-01", "2027-03-03").await;
    let only_qloapps = book(&w.stack.sim, "website", 2, "2027-03-05", "2027-03-07", 1)
        .await
        .expect("booked in QloApps");
    let (moved_in_qloapps, order) = w.pushed("2027-03-10", "2027-03-12").await;
    w.edit(
        order,
        OrderEdit {
            date_from: Some(d("2027-03-11")),
            date_to: Some(d("2027-03-13")),
            ..OrderEdit::default()
        },
    );
    let (cancelled_in_qloapps, order) = w.pushed("2027-03-15", "2027-03-17").await;
    w.edit(
        order,
        OrderEdit {
            id_order_state: Some(CANCELED),
            ..OrderEdit::default()
        },
    );
    // changed in the PMS after the push, and the push of that change never ran (no worker)
    let (moved_in_pms, moved_order) = w.pushed("2027-03-20", "2027-03-22").await;
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let patch = json!({"checkIn": "2027-03-21", "checkOut": "2027-03-24"});
    w.stack
        .ok(
            Method::PATCH,
            &format!("/reservations/{moved_in_pms}"),
            Some(patch),
        )
        .await;
    let reservations = reservation_count(&w.stack).await;

    let fixed = w.reconcile(false).await;
    assert_eq!(
        fixed["drift"].as_array().expect("present").len(),
        5,
        "{fixed}"
    );
    assert_eq!(fix_action(&fixed, &only_pms), "pushed", "{fixed}");
    assert_eq!(fix_action(&fixed, &moved_in_qloapps), "pulled", "{fixed}");
    assert_eq!(
        fix_action(&fixed, &cancelled_in_qloapps),
        "pulled",
        "{fixed}"
    );
    assert_eq!(
        fix_action(&fixed, &moved_in_pms),
        "pulled_and_pushed",
        "{fixed}"
    );
    for entry in fixed["drift"].as_array().expect("present") {
        assert!(entry["fix"]["error"].is_null(), "{entry}");
    }

    // QloApps' newer edits reached the PMS; the PMS's newer change and the missing one reached QloApps
    assert_eq!(
        w.stay(&moved_in_qloapps).await,
        ("2027-03-11".into(), "2027-03-13".into(), "confirmed".into())
    );
    assert_eq!(w.stay(&cancelled_in_qloapps).await.2, "cancelled");
    assert_eq!(
        w.stay(&moved_in_pms).await.0,
        "2027-03-21",
        "the PMS change won"
    );
    let lines = w.stack.sim_orders_for(&moved_in_pms);
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0].id, moved_order);
    assert_eq!(
        lines[0].lines,
        [(1, "2027-03-21".to_owned(), "2027-03-24".to_owned())]
    );
    assert_eq!(
        w.stack.sim_orders_for(&only_pms).len(),
        1,
        "the missing order was created"
    );
    assert_eq!(
        reservation_count(&w.stack).await,
        reservations + 1,
        "the QloApps booking was imported"
    );
    let imported: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM qloapps_reservation_mappings WHERE qloapps_booking_id = $1",
    )
    .bind(i64::try_from(only_qloapps).expect("present"))
    .fetch_one(&w.stack.pool)
    .await
    .expect("present");
    assert_eq!(imported, 1);

    let again = w.reconcile(true).await;
    assert_eq!(again["drift"], json!([]), "{again}");
    w.stack.stop().await;
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn a_long_reconcile_is_a_job_whose_progress_and_report_another_api_process_serves(
    pool: PgPool,
) {
    let w = world(pool).await;
    let today = chrono::Utc::now().date_naive();
    let check_in = today + chrono::Days::new(30);
    let check_out = today + chrono::Days::new(32);
    book(
        &w.stack.sim,
        "website",
        2,
        &check_in.to_string(),
        &check_out.to_string(),
        1,
    )
    .await
    .expect("booked in QloApps");
    // the default windows (a year of nights, bookings a week back to 500 days ahead)
    let (status, accepted) = w
        .stack
        .call(Method::POST, &w.path(), Some(json!({"dryRun": true})))
        .await;
    assert_eq!(status, 202, "{accepted}");
    let location = accepted["location"].as_str().expect("location").to_owned();
    let job_path = location
        .strip_prefix("/api/v1")
        .expect("an /api/v1 path")
        .to_owned();

    // a second api on the same database answers for the job
    let settings = api::config::Settings::from_env(&w.stack.env.lookup()).expect("settings");
    let other = api::Application::build(&settings)
        .await
        .expect("second api");
    let other_url = format!("http://127.0.0.1:{}/api/v1{job_path}", other.port());
    let stop = tokio_util::sync::CancellationToken::new();
    let served = tokio::spawn(other.run_until_stopped(stop.clone()));
    let mut job = Value::Null;
    for _ in 0..1200 {
        job = w
            .stack
            .http
            .get(&other_url)
            .bearer_auth(qlosync_tests::TOKEN)
            .send()
            .await
            .expect("answers")
            .json()
            .await
            .expect("json");
        if job["status"] == "succeeded" || job["status"] == "failed" {
            break;
        }
        assert!(
            matches!(job["status"].as_str(), Some("queued" | "running")),
            "{job}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(job["status"], "succeeded", "{job}");
    let total = job["progress"]["total"].as_u64().expect("present");
    assert_eq!(job["progress"]["done"].as_u64(), Some(total), "{job}");
    assert!(total > 4, "four room types and a booking at least: {job}");
    let bookings = &job["report"]["bookings"];
    assert_eq!(bookings["missingInPms"], 1, "{job}");
    assert_eq!(job["report"]["inventory"], true);
    stop.cancel();
    let _ = served.await;
    w.stack.stop().await;
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn switching_the_channel_manager_back_on_reconciles_the_bookings_changed_while_off(
    pool: PgPool,
) {
    let w = world(pool).await;
    let (edited_in_qloapps, order) = w.pushed("2027-03-10", "2027-03-12").await;
    let (edited_in_pms, pms_order) = w.pushed("2027-03-15", "2027-03-17").await;
    let pull = PullService::new(
        w.stack.pool.clone(),
        services(&w.stack).clients,
        PullSettings::default(),
    );
    pull.pull(w.config, PullKind::Full)
        .await
        .expect("a first pull sets the watermark");
    let switch = |to: &str| json!({"propertyId": w.demo.property_id, "channelManager": to});
    w.stack
        .ok(
            Method::POST,
            "/settings/channel-managers/switch",
            Some(switch("none")),
        )
        .await;

    // while off: an employee moves one booking in QloApps, the front desk another in the PMS
    w.edit(
        order,
        OrderEdit {
            date_from: Some(d("2027-03-11")),
            date_to: Some(d("2027-03-13")),
            ..OrderEdit::default()
        },
    );
    let patch = json!({"checkIn": "2027-03-16", "checkOut": "2027-03-18"});
    w.stack
        .ok(
            Method::PATCH,
            &format!("/reservations/{edited_in_pms}"),
            Some(patch),
        )
        .await;

    let status = w
        .stack
        .ok(
            Method::POST,
            "/settings/channel-managers/switch",
            Some(switch("qloapps")),
        )
        .await;
    let jobs = status["catchUpReconcileJobs"]
        .as_array()
        .expect("catch-up jobs")
        .clone();
    assert_eq!(jobs.len(), 1, "{status}");
    let path = jobs[0]["location"]
        .as_str()
        .expect("present")
        .strip_prefix("/api/v1")
        .expect("present")
        .to_owned();
    let job = qlosync_tests::eventually("the switch-on job", Duration::from_secs(60), || async {
        let job = w.stack.ok(Method::GET, &path, None).await;
        (job["status"] == "succeeded" || job["status"] == "failed").then_some(job)
    })
    .await;
    assert_eq!(job["status"], "succeeded", "{job}");
    assert_eq!(job["kind"], "switch_on");
    assert_eq!(
        job["progress"]["done"], job["progress"]["total"],
        "a finished job is done: {job}"
    );
    let bookings = &job["report"]["bookings"];
    assert_eq!(
        bookings["scope"]["kind"], "changed_since_last_sync",
        "{job}"
    );
    assert_eq!(
        kinds(bookings, Some(&edited_in_qloapps), None),
        ["dates"],
        "{job}"
    );
    assert_eq!(
        kinds(bookings, Some(&edited_in_pms), None),
        ["dates"],
        "{job}"
    );
    assert_eq!(
        w.stay(&edited_in_qloapps).await.0,
        "2027-03-11",
        "QloApps' edit reached the PMS"
    );
    let orders = w.stack.sim_orders_for(&edited_in_pms);
    assert_eq!(orders[0].id, pms_order);
    assert_eq!(
        orders[0].lines,
        [(1, "2027-03-16".to_owned(), "2027-03-18".to_owned())],
        "the PMS edit reached QloApps"
    );
    w.stack.stop().await;
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn the_schedulers_daily_job_reconciles_bookings(pool: PgPool) {
    let w = world(pool).await;
    let today = chrono::Utc::now().date_naive();
    let check_in = today + chrono::Days::new(40);
    let check_out = today + chrono::Days::new(43);
    let order = book(
        &w.stack.sim,
        "website",
        2,
        &check_in.to_string(),
        &check_out.to_string(),
        1,
    )
    .await
    .expect("booked in QloApps");
    let ctx = ReconcileContext {
        pool: w.stack.pool.clone(),
        clients: services(&w.stack).clients,
        settings: ReconcileSettings {
            horizon_days: 7,
            ..ReconcileSettings::default()
        },
    };
    let runs = sync_scheduler::jobs::reconcile::run_once(&ctx)
        .await
        .expect("a round");
    assert_eq!(runs.len(), 1);
    let report = runs[0].result.as_ref().expect("reconciled");
    let bookings = report.bookings.as_ref().expect("bookings compared");
    assert_eq!(bookings.missing_in_pms, 1, "{bookings:?}");
    assert_eq!(bookings.drift[0].qloapps_order_id, Some(order));
    let imported: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM qloapps_reservation_mappings WHERE qloapps_booking_id = $1",
    )
    .bind(i64::try_from(order).expect("present"))
    .fetch_one(&w.stack.pool)
    .await
    .expect("present");
    assert_eq!(imported, 1, "the booking made in QloApps was imported");
    w.stack.stop().await;
}
