//! The query language of generic resources as the incremental pull uses it.

use std::collections::HashSet;

use chrono::NaiveDateTime;
use qlo_sim::{SeedSpec, SimConfig};
use serde_json::{json, Value};

use crate::helpers::{fixture, start, start_with, Api};

fn at(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").expect("datetime")
}

fn ids(v: &Value, node: &str) -> Vec<u64> {
    v[node]
        .as_array()
        .map(|a| a.iter().filter_map(|o| o["id"].as_u64()).collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn date_filters_and_sorts_need_date_1() {
    let sim = start().await;
    let api = Api::new(&sim);
    api.post("bookings", fixture("real/post_booking_request.json"))
        .await;
    let range = "filter[date_upd]=[2000-01-01 00:00:00,2099-12-31 23:59:59]";
    let without = api
        .get(&format!(
            "orders?display=[id,current_state,date_upd]&{range}"
        ))
        .await;
    assert_eq!(without.status, 400);
    assert_eq!(without.error_code(), 32);
    let sort = api.get("orders?sort=[date_upd_ASC,id_ASC]").await;
    assert_eq!(sort.status, 400);
    assert_eq!(sort.error_code(), 38);
    let with = api
        .get(&format!("orders?display=[id,current_state,date_upd]&date=1&{range}&sort=[date_upd_ASC,id_ASC]&limit=0,100"))
        .await;
    assert_eq!(with.status, 200, "{}", with.text);
    let row = &with.json()["orders"][0];
    assert_eq!(row["id"], json!(1));
    assert_eq!(row["current_state"], json!(1));
    assert!(row["date_upd"].is_string());
    assert_eq!(row.as_object().map(|o| o.len()), Some(3));
}

#[tokio::test]
async fn paging_over_date_upd_ties_returns_every_order_once() {
    let sim = start().await;
    let api = Api::new(&sim);
    sim.state().write(|shop| {
        shop.freeze_clock(Some(at("2026-03-01 10:00:00")));
        // Seven orders in one second, then three more a second later.
        shop.seed_bookings(&SeedSpec {
            count: 7,
            spread_secs: 0,
            ..SeedSpec::default()
        });
        shop.freeze_clock(Some(at("2026-03-01 10:00:01")));
        shop.seed_bookings(&SeedSpec {
            count: 3,
            spread_secs: 0,
            ..SeedSpec::default()
        });
    });
    let mut seen = Vec::new();
    for offset in (0..12).step_by(3) {
        let page = api
            .get(&format!(
                "orders?display=[id,date_upd]&date=1&filter[date_upd]=[2026-03-01 10:00:00,2099-12-31 23:59:59]&sort=[date_upd_ASC,id_ASC]&limit={offset},3"
            ))
            .await
            .json();
        if page == json!([]) {
            break;
        }
        seen.extend(ids(&page, "orders"));
    }
    assert_eq!(seen, (1..=10).collect::<Vec<u64>>());
    // Strictly after the first second: only the last three.
    let later = api
        .get("orders?date=1&filter[date_upd]=>[2026-03-01 10:00:00]")
        .await
        .json();
    assert_eq!(ids(&later, "orders"), vec![8, 9, 10]);
    let desc = api.get("orders?sort=id_DESC&limit=2").await.json();
    assert_eq!(ids(&desc, "orders"), vec![10, 9]);
}

#[tokio::test]
async fn batched_reads_by_id_lists() {
    let sim = start().await;
    let api = Api::new(&sim);
    sim.state().write(|shop| {
        shop.seed_bookings(&SeedSpec {
            count: 5,
            customers: 2,
            ..SeedSpec::default()
        })
    });
    let orders = api
        .get("orders?display=[id,id_customer,source]&filter[id]=[2|4|9]")
        .await
        .json();
    assert_eq!(ids(&orders, "orders"), vec![2, 4]);
    let lines = api
        .get("room_bookings?display=[id,id_order,date_from,date_to,is_cancelled,is_refunded]&filter[id_order]=[1|3]")
        .await
        .json();
    let orders_of_lines: Vec<u64> = lines["bookings"]
        .as_array()
        .expect("lines")
        .iter()
        .filter_map(|l| l["id_order"].as_u64())
        .collect();
    assert_eq!(orders_of_lines, vec![1, 3]);
    let by_source = api
        .get("orders?display=[id,source]&filter[source]=[seed-3]")
        .await
        .json();
    assert_eq!(ids(&by_source, "orders"), vec![3]);
    let customers = api
        .get("customers?display=[id,firstname,lastname,email,phone]&filter[id]=[2|3]")
        .await
        .json();
    assert_eq!(ids(&customers, "customers"), vec![2, 3]);
    assert!(customers["customers"][0].get("passwd").is_none());
    let full = api
        .get("customers?display=full&filter[email]=[PUB@qloapps.com]")
        .await
        .json();
    assert_eq!(ids(&full, "customers"), vec![1]);
    assert!(full["customers"][0]["passwd"].is_string());
    assert!(full["customers"][0]["secure_key"].is_string());
    // A list without display is ids only; a single GET is the object.
    assert_eq!(
        api.get("orders?limit=1").await.json(),
        json!({"orders":[{"id":1}]})
    );
    assert!(api.get("orders/1").await.json()["order"]["reference"].is_string());
    let missing = api.get("orders/999").await;
    assert_eq!((missing.status.as_u16(), missing.text.as_str()), (404, ""));
}

#[tokio::test]
async fn filter_forms_and_errors() {
    let sim = start().await;
    let api = Api::new(&sim);
    let states = api
        .get("order_states?display=[id]&filter[id]=[3,5]")
        .await
        .json();
    assert_eq!(ids(&states, "order_states"), vec![3, 4, 5]);
    let not = api
        .get("order_states?filter[id]=![1|2]&limit=2")
        .await
        .json();
    assert_eq!(ids(&not, "order_states"), vec![3, 4]);
    let lt = api.get("order_states?filter[id]=<[3]").await.json();
    assert_eq!(ids(&lt, "order_states"), vec![1, 2]);
    let conf = api
        .get("configurations?display=[name,value]&filter[name]=[PS_OS_CANCELED|PS_OS_REFUND|PS_TIMEZONE|PS_GROUP_FEATURE_ACTIVE]")
        .await
        .json();
    let pairs: HashSet<(String, String)> = conf["configurations"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| {
            (
                r["name"].as_str().unwrap_or_default().to_owned(),
                r["value"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    for expected in [
        ("PS_OS_CANCELED", "4"),
        ("PS_OS_REFUND", "5"),
        ("PS_TIMEZONE", "UTC"),
        ("PS_GROUP_FEATURE_ACTIVE", "1"),
    ] {
        assert!(
            pairs.contains(&(expected.0.to_owned(), expected.1.to_owned())),
            "{expected:?}"
        );
    }
    let getter = api.get("room_types?filter[id_hotel]=[1]").await;
    assert_eq!((getter.status.as_u16(), getter.error_code()), (400, 34));
    let bad_limit = api.get("orders?limit=abc").await;
    assert_eq!(bad_limit.error_code(), 39);
    let bad_display = api.get("orders?display=[nope]").await;
    assert_eq!(bad_display.error_code(), 35);
    let by_hotel = api
        .get("hotel_room_types?display=[id,id_hotel]&filter[id_hotel]=[1]")
        .await
        .json();
    assert_eq!(ids(&by_hotel, "hotel_room_types"), vec![1, 2, 3, 4]);
}

#[tokio::test]
async fn translated_fields_are_lists_unless_a_language_is_given() {
    let sim = start().await;
    let api = Api::new(&sim);
    let listed = api.get("room_types/1").await.json();
    assert_eq!(
        listed["room_type"]["name"],
        json!([{"id":"1","value":"General Rooms"}])
    );
    let plain = api.get("room_types/1?language=1").await.json();
    assert_eq!(plain["room_type"]["name"], json!("General Rooms"));
    let captured = start_with(SimConfig {
        single_language: true,
        ..SimConfig::default()
    })
    .await;
    let single = Api::new(&captured).get("hotels/1").await.json();
    assert_eq!(single["hotel"]["hotel_name"], json!("The Hotel Prime"));
}

#[tokio::test]
async fn a_hundred_thousand_orders_page_quickly() {
    let sim = start().await;
    let api = Api::new(&sim);
    let report = sim.state().write(|shop| {
        shop.seed_bookings(&SeedSpec {
            count: 100_000,
            ..SeedSpec::default()
        })
    });
    assert_eq!(report.created, 100_000);
    let max = sim.state().read(|s| {
        s.orders
            .orders_by_date_upd()
            .iter()
            .next_back()
            .map(|(d, _)| *d)
            .expect("orders")
    });
    let since = (max - chrono::Duration::seconds(150)).format("%Y-%m-%d %H:%M:%S");
    let started = std::time::Instant::now();
    let page = api
        .get(&format!(
            "orders?display=[id,current_state,date_upd]&date=1&filter[date_upd]=[{since},2099-12-31 23:59:59]&sort=[date_upd_ASC,id_ASC]&limit=100,100"
        ))
        .await
        .json();
    let lines = api
        .get("room_bookings?display=[id,id_order]&filter[id_order]=[99990|99991|99992]")
        .await
        .json();
    let elapsed = started.elapsed();
    assert_eq!(page["orders"].as_array().map(Vec::len), Some(51));
    assert_eq!(lines["bookings"].as_array().map(Vec::len), Some(3));
    // Indexed: two pages out of 100,000 orders, even in a debug build.
    assert!(elapsed < std::time::Duration::from_secs(2), "{elapsed:?}");
}
