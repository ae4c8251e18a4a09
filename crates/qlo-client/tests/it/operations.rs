//! Every operation against the simulator, through both base URL forms.

use std::collections::BTreeSet;

use chrono::{NaiveDateTime, NaiveTime};
use qlo_client::{
    AriRequest, BookingStatus, Error, FeaturePriceInput, NewCustomer, WriteConfirmation,
    REQUIRED_RESOURCES,
};
use qlo_sim::SimConfig;
use rust_decimal::Decimal;

use crate::helpers::*;

const FORMS: [Form; 2] = [Form::Api, Form::Dispatcher];

#[tokio::test]
async fn test_connection_lists_resources_version_and_latency() {
    for form in FORMS {
        let env = start(form).await;
        let report = env.client.test_connection().await.unwrap();
        assert!(report.missing.is_empty(), "{form:?}: {:?}", report.missing);
        for r in REQUIRED_RESOURCES {
            assert!(report.resources.iter().any(|x| x == r), "{r}");
        }
        assert_eq!(report.version.as_deref(), Some(qlo_sim::PSWS_VERSION));
        assert!(report.latency > std::time::Duration::ZERO);
    }
}

#[tokio::test]
async fn test_connection_names_the_missing_resources_of_a_restricted_key() {
    let sim_config = SimConfig {
        api_key_resources: Some(vec!["orders".into(), "customers".into(), "bookings".into()]),
        ..SimConfig::default()
    };
    let env = start_with(sim_config, Form::Api, |_| {}).await;
    let report = env.client.test_connection().await.unwrap();
    assert_eq!(report.resources, vec!["bookings", "customers", "orders"]);
    let missing: BTreeSet<_> = report.missing.iter().map(String::as_str).collect();
    assert!(
        missing.contains("hotel_ari")
            && missing.contains("room_bookings")
            && missing.contains("order_histories")
    );
    assert!(!missing.contains("orders"));
    // And a resource outside the key's rights is a clear "forbidden", not retried.
    let before = env.sim.request_count("room_bookings", "GET");
    let err = env.client.room_bookings_by_orders(&[1]).await.unwrap_err();
    assert!(
        matches!(err, Error::Forbidden { ref resource, .. } if resource == "room_bookings"),
        "{err:?}"
    );
    assert_eq!(env.sim.request_count("room_bookings", "GET"), before + 1);
}

#[tokio::test]
async fn a_wrong_key_is_unauthorized_and_not_retried() {
    let env = start(Form::Api).await;
    let client = client_for(&env.sim, Form::Api, |c| {
        c.api_key = "UNKNOWNKEY0123456789ABCDEFGHIJKL".to_owned().into();
    });
    let err = client.test_connection().await.unwrap_err();
    assert!(matches!(err, Error::Unauthorized { .. }), "{err:?}");
    assert_eq!(env.sim.request_count("", "GET"), 1);
}

#[tokio::test]
async fn create_update_cancel_and_read_a_booking() {
    for form in FORMS {
        let env = start(form).await;
        let c = &env.client;
        let source = format!("pms:roundtrip-{form:?}");
        assert!(c.find_order_by_source(&source).await.unwrap().is_none());

        let created = c
            .create_booking(&source, &booking(2, "2026-12-21", "2026-12-23", 1))
            .await
            .unwrap();
        assert_eq!(created.confirmation, WriteConfirmation::Response);
        let booked = created.booking.as_ref().expect("body on a plain 200");
        assert_eq!(booked.source, source);
        assert_eq!(orders_with_source(&env.sim, &source).len(), 1);
        assert_eq!(
            active_lines(&env.sim, created.order_id),
            vec![(2, day("2026-12-21"), day("2026-12-23"))]
        );

        let order = c
            .find_order_by_source(&source)
            .await
            .unwrap()
            .expect("found by source");
        assert_eq!(order.id, created.order_id);
        let read = c.booking(created.order_id).await.unwrap();
        assert_eq!(read.associations.room_types[0].id_room_type, 2);
        let lines = c
            .room_bookings_by_orders(&[created.order_id])
            .await
            .unwrap();
        assert_eq!(lines.len(), 1);
        assert_eq!(
            (
                lines[0].adults,
                lines[0].children,
                lines[0].child_ages.clone()
            ),
            (2, 1, vec![7])
        );
        assert_eq!(lines[0].total_price_tax_excl, Decimal::from(2000));

        let updated = c
            .update_booking(created.order_id, &booking(2, "2026-12-22", "2026-12-25", 2))
            .await
            .unwrap();
        assert_eq!(updated.confirmation, WriteConfirmation::Response);
        assert_eq!(
            active_lines(&env.sim, created.order_id),
            vec![(2, day("2026-12-22"), day("2026-12-25")); 2]
        );

        let cancelled = c.cancel_booking(created.order_id).await.unwrap();
        assert_eq!(cancelled.confirmation, WriteConfirmation::Response);
        let states = c.shop_configuration().await.unwrap().order_states;
        assert_eq!(order_state(&env.sim, created.order_id), states.canceled);
        assert!(active_lines(&env.sim, created.order_id).is_empty());
        let order = c.order(created.order_id).await.unwrap();
        assert!(states.frees_rooms(order.current_state));
    }
}

#[tokio::test]
async fn update_to_cancelled_status_through_put() {
    let env = start(Form::Api).await;
    let created = env
        .client
        .create_booking("pms:put-cancel", &booking(1, "2026-12-01", "2026-12-03", 1))
        .await
        .unwrap();
    let mut cancel = booking(1, "2026-12-01", "2026-12-03", 1);
    cancel.booking_status = Some(BookingStatus::Cancelled);
    env.client
        .update_booking(created.order_id, &cancel)
        .await
        .unwrap();
    assert_eq!(order_state(&env.sim, created.order_id), 4);
}

#[tokio::test]
async fn rooms_unavailable_is_its_own_error() {
    let env = start(Form::Api).await;
    // Room type 1 has 5 rooms.
    let err = env
        .client
        .create_booking("pms:too-many", &booking(1, "2026-12-01", "2026-12-03", 6))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::RoomsUnavailable { .. }), "{err:?}");
    assert!(!err.is_transient());
    assert!(orders_with_source(&env.sim, "pms:too-many").is_empty());
    assert_eq!(env.sim.request_count("bookings", "POST"), 1);
}

#[tokio::test]
async fn paging_orders_modified_since_across_equal_date_upd() {
    for form in FORMS {
        let env = start(form).await;
        let t0: NaiveDateTime =
            day("2026-06-01").and_time(NaiveTime::from_hms_opt(10, 0, 0).unwrap());
        let t1 = t0 + chrono::Duration::hours(1);
        env.sim.state().write(|s| s.freeze_clock(Some(t0)));
        let old = env
            .client
            .create_booking("pms:old", &booking(1, "2026-12-01", "2026-12-02", 1))
            .await
            .unwrap();
        // Seven orders in the same second: they share one date_upd.
        env.sim.state().write(|s| s.freeze_clock(Some(t1)));
        let mut ids = BTreeSet::new();
        for n in 0..7u32 {
            let from = day("2026-12-01") + chrono::Duration::days(i64::from(n) * 3);
            let to = from + chrono::Duration::days(2);
            let b = booking(u64::from(n % 4) + 1, &from.to_string(), &to.to_string(), 1);
            ids.insert(
                env.client
                    .create_booking(&format!("pms:tie-{n}"), &b)
                    .await
                    .unwrap()
                    .order_id,
            );
        }
        let mut seen = Vec::new();
        let mut offset = 0;
        loop {
            let page = env
                .client
                .orders_modified_since(t1, offset, 3)
                .await
                .unwrap();
            assert!(page.len() <= 3);
            if page.is_empty() {
                break;
            }
            assert!(page.iter().all(|o| o.date_upd == Some(t1)));
            offset += page.len() as u32;
            seen.extend(page.into_iter().map(|o| o.id));
        }
        assert_eq!(seen.len(), 7, "{form:?}: every order exactly once");
        assert_eq!(seen.iter().copied().collect::<BTreeSet<_>>(), ids);
        assert!(seen.windows(2).all(|w| w[0] < w[1]), "ties ordered by id");
        assert!(!seen.contains(&old.order_id));
        // The bound is inclusive: `since = t0` also returns the older order, first.
        let all = env.client.orders_modified_since(t0, 0, 100).await.unwrap();
        assert_eq!(all.first().map(|o| o.id), Some(old.order_id));
        assert_eq!(all.len(), 8);
    }
}

#[tokio::test]
async fn batch_reads_take_one_call_each_and_never_ask_for_secrets() {
    for form in FORMS {
        let env = start(form).await;
        let mut order_ids = Vec::new();
        for n in 0..3u64 {
            let mut b = booking(n + 1, "2026-12-10", "2026-12-12", 1);
            b.associations.customer_detail.email = format!("guest{n}@example.com");
            b.associations.customer_detail.firstname = format!("Guest{n}");
            order_ids.push(
                env.client
                    .create_booking(&format!("pms:batch-{n}"), &b)
                    .await
                    .unwrap()
                    .order_id,
            );
        }
        env.sim.clear_request_log();
        let orders = env.client.orders_by_ids(&order_ids).await.unwrap();
        assert_eq!(orders.len(), 3);
        let lines = env
            .client
            .room_bookings_by_orders(&order_ids)
            .await
            .unwrap();
        assert_eq!(lines.len(), 3);
        let customer_ids: Vec<u64> = orders.iter().map(|o| o.id_customer).collect();
        let customers = env.client.customers_by_ids(&customer_ids).await.unwrap();
        assert_eq!(customers.len(), 3);
        assert!(customers
            .iter()
            .any(|c| c.email == "guest1@example.com" && c.firstname == "Guest1"));
        assert_eq!(env.sim.request_count("orders", "GET"), 1);
        assert_eq!(env.sim.request_count("room_bookings", "GET"), 1);
        assert_eq!(env.sim.request_count("customers", "GET"), 1);
        assert_eq!(env.sim.request_log().len(), 3);
    }
}

#[tokio::test]
async fn shop_configuration_in_one_call() {
    let sim_config = SimConfig {
        timezone: "Europe/Zurich".into(),
        ..SimConfig::default()
    };
    let env = start_with(sim_config, Form::Dispatcher, |_| {}).await;
    let shop = env.client.shop_configuration().await.unwrap();
    assert_eq!(shop.timezone, "Europe/Zurich");
    let s = shop.order_states;
    assert_eq!(
        (
            s.canceled,
            s.refund,
            s.payment_accepted,
            s.awaiting_payment,
            s.partial_payment_accepted,
            s.error
        ),
        (4, 5, 2, 1, 8, 6)
    );
    assert_eq!(env.sim.request_count("configurations", "GET"), 1);
    // Cached afterwards.
    env.client.cached_shop_configuration().await.unwrap();
    env.client.cached_shop_configuration().await.unwrap();
    assert_eq!(env.sim.request_count("configurations", "GET"), 2);
}

#[tokio::test]
async fn room_types_hotel_room_types_hotel_and_rooms() {
    for form in FORMS {
        let env = start(form).await;
        let types = env.client.room_types().await.unwrap();
        assert_eq!(types.len(), 4);
        assert_eq!(types[1].name, "Delux Rooms", "i18n name as a plain string");
        assert!(types
            .iter()
            .all(|t| t.id_hotel == 1 && t.active && t.price > Decimal::ZERO));
        let htypes = env.client.hotel_room_types().await.unwrap();
        assert_eq!(htypes.len(), 4);
        assert!(htypes
            .iter()
            .all(|t| t.id_hotel == 1 && t.associations.hotel_rooms.len() == 5));
        let hotel = env.client.hotel().await.unwrap();
        assert_eq!(hotel.id, 1);
        assert!(!hotel.hotel_name.is_empty());
        let rooms = env.client.hotel_rooms().await.unwrap();
        assert_eq!(rooms.len(), 20);
    }
}

#[tokio::test]
async fn customers_by_email_and_create() {
    for form in FORMS {
        let env = start(form).await;
        let existing = env
            .client
            .customers_by_email("pub@qloapps.com")
            .await
            .unwrap();
        assert_eq!(existing.len(), 1);
        assert_eq!(existing[0].id, 1);
        let new = NewCustomer {
            firstname: "Ana".into(),
            lastname: "O'Neil & Co".into(),
            email: "ana@example.com".into(),
            phone: Some("+41 79 123 45 67".into()),
            ..NewCustomer::default()
        };
        let created = env.client.create_customer(&new).await.unwrap();
        assert!(created.id > 1);
        let found = env
            .client
            .customers_by_email("ana@example.com")
            .await
            .unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].lastname, "O'Neil & Co");
        assert!(env
            .client
            .customers_by_email("nobody@example.com")
            .await
            .unwrap()
            .is_empty());
    }
}

#[tokio::test]
async fn availability_with_and_without_breakdown() {
    for form in FORMS {
        let env = start(form).await;
        env.client
            .create_booking("pms:ari", &booking(2, "2026-12-21", "2026-12-23", 2))
            .await
            .unwrap();
        let req = AriRequest::new(day("2026-12-21"), day("2026-12-24"));
        let a = env.client.availability(&req).await.unwrap();
        assert_eq!(a.total_rooms, 20);
        let delux = a
            .room_types
            .iter()
            .find(|t| t.id_room_type == 2)
            .expect("type 2");
        assert_eq!(delux.rooms.available.len(), 3);
        assert_eq!(delux.rooms.booked.len(), 2);
        let general = a
            .room_types
            .iter()
            .find(|t| t.id_room_type == 1)
            .expect("type 1");
        assert_eq!(general.rooms.available.len(), 5);
        assert!(
            general.rooms.booked.is_empty(),
            "`[]` parses as an empty map"
        );

        let nights = env.client.availability_by_night(&req).await.unwrap();
        assert_eq!(nights.len(), 3);
        let free: Vec<usize> = nights
            .iter()
            .map(|n| {
                n.room_types
                    .iter()
                    .find(|t| t.id_room_type == 2)
                    .map_or(0, |t| t.rooms.available.len())
            })
            .collect();
        assert_eq!(free, vec![3, 3, 5]);
        assert_eq!(nights[2].date_from, Some(day("2026-12-23")));
    }
}

#[tokio::test]
async fn feature_prices_create_list_update_delete() {
    for form in FORMS {
        let env = start(form).await;
        let input = FeaturePriceInput::fixed_price(
            2,
            "PMS BAR 2026-12-10..12",
            day("2026-12-10"),
            day("2026-12-12"),
            Decimal::from(120),
        );
        let created = env.client.create_feature_price(&input).await.unwrap();
        assert!(created.id > 0);
        let listed = env.client.feature_prices(2).await.unwrap();
        let rule = listed.iter().find(|r| r.id == created.id).expect("listed");
        assert!(input.matches(rule), "{rule:?}");
        assert_eq!(rule.associations.groups.len(), 3);

        // hotel_ari prices the inclusive range with the rule.
        let ari = env
            .client
            .availability(&AriRequest::new(day("2026-12-10"), day("2026-12-13")))
            .await
            .unwrap();
        let delux = ari
            .room_types
            .iter()
            .find(|t| t.id_room_type == 2)
            .expect("type 2");
        assert_eq!(
            delux.total_price,
            Decimal::from(3 * (120 + 250)),
            "3 nights at 120 + auto services"
        );

        let mut changed = input.clone();
        changed.impact_value = Decimal::new(13550, 2);
        let updated = env
            .client
            .update_feature_price(created.id, &changed)
            .await
            .unwrap();
        assert_eq!(updated.id, created.id);
        let rule = env
            .client
            .feature_prices(2)
            .await
            .unwrap()
            .into_iter()
            .find(|r| r.id == created.id)
            .unwrap();
        assert_eq!(rule.impact_value, Decimal::new(13550, 2));

        assert!(env.client.delete_feature_price(created.id).await.unwrap());
        assert!(
            !env.client.delete_feature_price(created.id).await.unwrap(),
            "already gone"
        );
        assert!(env
            .client
            .feature_prices(2)
            .await
            .unwrap()
            .iter()
            .all(|r| r.id != created.id));
    }
}

#[tokio::test]
async fn not_found_and_validation_errors() {
    let env = start(Form::Api).await;
    assert!(matches!(
        env.client.order(9999).await,
        Err(Error::NotFound { .. })
    ));
    assert!(matches!(
        env.client.booking(9999).await,
        Err(Error::NotFound { .. })
    ));
    let mut bad = booking(1, "2026-12-01", "2026-12-03", 1);
    bad.currency = "XXX".into();
    let err = env
        .client
        .create_booking("pms:bad-currency", &bad)
        .await
        .unwrap_err();
    match &err {
        Error::Validation { messages, .. } => assert!(!messages.is_empty()),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        env.sim.request_count("bookings", "POST"),
        1,
        "validation errors are not retried"
    );
}
