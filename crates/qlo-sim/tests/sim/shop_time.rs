//! Shop time as a real QloApps keeps it: `date_add` / `date_upd` are written in the shop's zone
//! of the moment (`PS_TIMEZONE`, which can change), a DST fall-back repeats an hour of them,
//! and back-office edits of any order move its `date_upd`.

use chrono::{TimeZone, Utc};
use serde_json::json;

use crate::helpers::{fixture, start, Api};

async fn order_date_upd(api: &Api, id: u64) -> String {
    let answer = api
        .get(&format!("orders?display=[id,date_upd]&filter[id]=[{id}]"))
        .await;
    answer.json()["orders"][0]["date_upd"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn date_upd_follows_ps_timezone_and_repeats_at_a_dst_fall_back() {
    let sim = start().await;
    let api = Api::new(&sim);
    // 05:40 UTC on 2026-11-01 is 01:40 EDT in New York and 11:10 in Kolkata
    let instant = Utc.with_ymd_and_hms(2026, 11, 1, 5, 40, 0).unwrap();
    sim.state().write(|shop| {
        shop.set_timezone("Asia/Kolkata").unwrap();
        shop.freeze_clock_at(Some(instant));
    });
    api.post("bookings", fixture("real/post_booking_request.json"))
        .await;
    assert_eq!(order_date_upd(&api, 1).await, "2026-11-01 11:10:00");
    let config = api
        .get("configurations?display=[name,value]&filter[name]=[PS_TIMEZONE]")
        .await;
    assert_eq!(config.json()["configurations"][0]["value"], "Asia/Kolkata");

    sim.state().write(|shop| {
        shop.set_timezone("America/New_York").unwrap();
    });
    api.post("bookings", fixture("real/post_booking_request.json"))
        .await;
    assert_eq!(order_date_upd(&api, 2).await, "2026-11-01 01:40:00");
    // half an hour later the clocks have gone back: 01:10 EST, below the EDT time above
    sim.state()
        .write(|shop| shop.advance_clock(chrono::Duration::minutes(30)));
    api.post("bookings", fixture("real/post_booking_request.json"))
        .await;
    assert_eq!(order_date_upd(&api, 3).await, "2026-11-01 01:10:00");
}

#[tokio::test]
async fn a_back_office_edit_moves_the_stay_and_the_date_upd_of_any_order() {
    let sim = start().await;
    let api = Api::new(&sim);
    sim.state().write(|shop| {
        shop.freeze_clock_at(Some(Utc.with_ymd_and_hms(2026, 5, 1, 8, 0, 0).unwrap()))
    });
    api.post("bookings", fixture("real/post_booking_request.json"))
        .await;
    let before = api
        .get("room_bookings?display=full&filter[id_order]=[1]")
        .await;
    let from = before.json()["bookings"][0]["date_from"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    sim.state()
        .write(|shop| shop.advance_clock(chrono::Duration::minutes(5)));

    let edited = reqwest::Client::new()
        .post(format!("{}/orders/1/edit", sim.admin_url()))
        .json(&json!({"date_from": "2027-03-02", "date_to": "2027-03-05", "adults": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(edited.status(), 200);

    let after = api
        .get("room_bookings?display=full&filter[id_order]=[1]")
        .await;
    let line = &after.json()["bookings"][0];
    assert_ne!(line["date_from"].as_str(), Some(from.as_str()));
    assert!(line["date_from"]
        .as_str()
        .unwrap_or_default()
        .starts_with("2027-03-02"));
    assert!(line["date_to"]
        .as_str()
        .unwrap_or_default()
        .starts_with("2027-03-05"));
    assert_eq!(line["adults"], json!(1));
    assert_eq!(order_date_upd(&api, 1).await, "2026-05-01 08:05:00");
    let bad = reqwest::Client::new()
        .post(format!("{}/orders/1/edit", sim.admin_url()))
        .json(&json!({"date_from": "2027-03-09"}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400, "check-out before check-in");
}
