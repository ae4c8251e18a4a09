//! Rates: PMS nightly rates become owned QloApps feature_prices rules (issue: rates and
//! availability sync). Call counts come from the simulator's request log.

use std::time::Duration;

use chrono::{Datelike, NaiveDate, Weekday};
use qlo_sim::SimConfig;
use qlosync_tests::{eventually, Stack};
use reqwest::Method;
use rust_decimal::Decimal;
use serde_json::json;
use sqlx::PgPool;
use sync_core::nightly::rates::SyncMode;

use crate::ari_support::*;

const WAIT: Duration = Duration::from_secs(20);

/// The PMS's year: weekday / weekend (Friday and Saturday nights), a summer season, and
/// single-night exceptions.
fn pms_rate(night: NaiveDate) -> Decimal {
    let exceptions = [
        ("2026-12-24", 300),
        ("2026-12-31", 400),
        ("2027-02-14", 250),
        ("2027-05-01", 90),
    ];
    if let Some((_, rate)) = exceptions.iter().find(|(n, _)| d(n) == night) {
        return Decimal::from(*rate);
    }
    let weekend = matches!(night.weekday(), Weekday::Fri | Weekday::Sat);
    let season = (d("2027-07-01")..=d("2027-08-31")).contains(&night);
    Decimal::from(match (season, weekend) {
        (false, false) => 100,
        (false, true) => 140,
        (true, false) => 180,
        (true, true) => 220,
    })
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn a_year_of_rates_becomes_one_rule_per_run_and_a_later_change_rewrites_only_its_rule(
    pool: PgPool,
) {
    let stack = Stack::start(pool, SimConfig::default(), &[]).await;
    let demo = stack.demo().await;
    let s = services(&stack);
    let (config, rt) = (config_id(&demo), room_type(&demo, 0));
    let (from, to) = (d("2026-12-01"), d("2027-11-30"));
    let year = nights(from, to);
    assert_eq!(year.len(), 365);
    for night in &year {
        let n = night.to_string();
        set_rate(&stack, rt, &n, &n, pms_rate(*night)).await;
    }
    let runs = 1 + year
        .windows(2)
        .filter(|w| pms_rate(w[0]) != pms_rate(w[1]))
        .count();
    let foreign_same_type = foreign_rule(&stack.sim, 1, "2028-01-01", "2028-01-31", 999);
    let foreign_other_type = foreign_rule(&stack.sim, 2, "2026-12-01", "2026-12-31", 777);
    let foreign_before: Vec<_> = sim_rules(&stack.sim, 1)
        .into_iter()
        .chain(sim_rules(&stack.sim, 2))
        .filter(|r| [foreign_same_type, foreign_other_type].contains(&r.0))
        .collect();
    stack.sim.clear_request_log();

    let outcome = s
        .rates
        .sync_rates(config, rt, (from, to), SyncMode::Trust)
        .await
        .unwrap();
    assert_eq!(outcome.rules_created as usize, runs, "{outcome:?}");
    assert_eq!(count(&stack.sim, "feature_prices", "POST") as usize, runs);
    assert_eq!(
        stack.sim.request_log_handle().total() as usize,
        runs,
        "one write per run, nothing else: {:?}",
        calls(&stack.sim)
    );

    // the simulator's own price engine charges the PMS rate every night
    let prices = qloapps_prices(&stack.sim, 1, from, to).await;
    for night in &year {
        assert_eq!(prices[night], pms_rate(*night), "night {night}");
    }
    let mine = owned(&sim_rules(&stack.sim, 1));
    assert_eq!(mine.len(), runs);
    for (i, a) in mine.iter().enumerate() {
        for b in &mine[i + 1..] {
            assert!(a.3 < b.2 || b.3 < a.2, "owned rules overlap: {a:?} {b:?}");
        }
    }

    stack.sim.clear_request_log();
    let again = s
        .rates
        .sync_rates(config, rt, (from, to), SyncMode::Trust)
        .await
        .unwrap();
    assert_eq!(again.rules_unchanged as usize, runs);
    assert_eq!(
        stack.sim.request_log_handle().total(),
        0,
        "a no-op push calls nothing"
    );

    // Tuesday and Wednesday inside the weekday rule of Sunday 7 .. Thursday 11 March 2027
    let before = owned(&sim_rules(&stack.sim, 1));
    let split = before
        .iter()
        .find(|r| r.2 == d("2027-03-07"))
        .cloned()
        .expect("the weekday rule");
    assert_eq!(split.3, d("2027-03-11"));
    set_rate(&stack, rt, "2027-03-09", "2027-03-10", Decimal::from(155)).await;
    stack.sim.clear_request_log();
    let change = (d("2027-03-09"), d("2027-03-10"));
    let outcome = s
        .rates
        .sync_rates(config, rt, change, SyncMode::Trust)
        .await
        .unwrap();
    assert_eq!(
        (
            outcome.rules_updated,
            outcome.rules_created,
            outcome.rules_deleted
        ),
        (1, 2, 0)
    );
    assert_eq!(count(&stack.sim, "feature_prices", "PUT"), 1);
    assert_eq!(count(&stack.sim, "feature_prices", "POST"), 2);
    assert_eq!(
        stack.sim.request_log_handle().total(),
        3,
        "{:?}",
        calls(&stack.sim)
    );
    let after = owned(&sim_rules(&stack.sim, 1));
    let untouched_before: Vec<_> = before.iter().filter(|r| r.0 != split.0).collect();
    let untouched_after: Vec<_> = after
        .iter()
        .filter(|r| untouched_before.iter().any(|b| b.0 == r.0))
        .collect();
    assert_eq!(
        untouched_before, untouched_after,
        "rules outside the change are not rewritten"
    );
    let pieces: Vec<_> = after
        .iter()
        .filter(|r| r.2 >= d("2027-03-07") && r.3 <= d("2027-03-11"))
        .map(|r| (r.2, r.3, r.4))
        .collect();
    let dec = Decimal::from;
    assert_eq!(
        pieces,
        vec![
            (d("2027-03-07"), d("2027-03-08"), dec(100)),
            (d("2027-03-09"), d("2027-03-10"), dec(155)),
            (d("2027-03-11"), d("2027-03-11"), dec(100)),
        ]
    );
    assert!(
        after.iter().any(|r| r.0 == split.0),
        "the split rule keeps its id"
    );
    let prices = qloapps_prices(&stack.sim, 1, d("2027-03-05"), d("2027-03-14")).await;
    let want = [140, 140, 100, 100, 155, 155, 100, 140, 140, 100];
    assert_eq!(
        prices.values().copied().collect::<Vec<_>>(),
        want.map(dec).to_vec()
    );

    let foreign_after: Vec<_> = sim_rules(&stack.sim, 1)
        .into_iter()
        .chain(sim_rules(&stack.sim, 2))
        .filter(|r| [foreign_same_type, foreign_other_type].contains(&r.0))
        .collect();
    assert_eq!(
        foreign_before, foreign_after,
        "rules qlosync did not make are untouched"
    );
    stack.stop().await;
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn rates_and_availability_put_through_the_api_reach_qloapps_through_the_worker(pool: PgPool) {
    let mut stack = Stack::start(pool, SimConfig::default(), &[]).await;
    stack.start_worker(false).await;
    let demo = stack.demo().await;
    let rt = &demo.room_types[1]; // QloApps room type 2, base price 1500
    let body = json!({"dateFrom": "2026-12-01", "dateTo": "2026-12-10", "rate": "120.00"});
    stack
        .ok(Method::PUT, &format!("/room-types/{rt}/rates"), Some(body))
        .await;
    eventually("the first rule in QloApps", WAIT, || async {
        (owned(&sim_rules(&stack.sim, 2)).len() == 1).then_some(())
    })
    .await;
    let body = json!({"dateFrom": "2026-12-05", "dateTo": "2026-12-06", "rate": "150.00"});
    stack
        .ok(Method::PUT, &format!("/room-types/{rt}/rates"), Some(body))
        .await;
    let rules = eventually("the rule split in three", WAIT, || async {
        let rules = owned(&sim_rules(&stack.sim, 2));
        (rules.len() == 3).then_some(rules)
    })
    .await;
    let mut ranges: Vec<_> = rules.iter().map(|r| (r.2, r.3, r.4)).collect();
    ranges.sort();
    let dec = Decimal::from;
    assert_eq!(
        ranges,
        vec![
            (d("2026-12-01"), d("2026-12-04"), dec(120)),
            (d("2026-12-05"), d("2026-12-06"), dec(150)),
            (d("2026-12-07"), d("2026-12-10"), dec(120)),
        ]
    );
    // two messages: one POST, then one PUT and two POSTs
    assert_eq!(count(&stack.sim, "feature_prices", "POST"), 3);
    assert_eq!(count(&stack.sim, "feature_prices", "PUT"), 1);
    assert_eq!(count(&stack.sim, "feature_prices", "DELETE"), 0);
    let prices = qloapps_prices(&stack.sim, 2, d("2026-12-01"), d("2026-12-11")).await;
    let want = [120, 120, 120, 120, 150, 150, 120, 120, 120, 120, 1500];
    assert_eq!(
        prices.values().copied().collect::<Vec<_>>(),
        want.map(dec).to_vec()
    );

    let body = json!({"dateFrom": "2026-12-01", "dateTo": "2026-12-03", "available": 2});
    stack
        .ok(
            Method::PUT,
            &format!("/room-types/{rt}/availability"),
            Some(body),
        )
        .await;
    let holds = eventually("a hold in QloApps", WAIT, || async {
        let holds = sim_orders(&stack.sim, "qlosync-hold:");
        (!holds.is_empty()).then_some(holds)
    })
    .await;
    assert_eq!(holds.len(), 1, "{holds:?}");
    let free = sim_ari(&stack.sim, 2, d("2026-12-01"), d("2026-12-04")).await;
    let free: Vec<usize> = free.values().map(|(f, _)| *f).collect();
    assert_eq!(free, vec![2, 2, 2, 5], "QloApps sells what the PMS allows");

    // the worker records its run just after the QloApps call the test saw
    let runs: Vec<(String, bool)> = eventually("the availability run recorded", WAIT, || async {
        let runs: Vec<(String, bool)> = sqlx::query_as(
            "SELECT sync_type, success FROM qloapps_sync_state
             WHERE sync_type IN ('rate_push', 'availability_push') ORDER BY started_at",
        )
        .fetch_all(&stack.pool)
        .await
        .expect("sync runs");
        (runs.len() >= 3).then_some(runs)
    })
    .await;
    let push = |t: &str| (t.to_owned(), true);
    assert_eq!(
        runs,
        vec![
            push("rate_push"),
            push("rate_push"),
            push("availability_push")
        ]
    );
    assert!(stack.dead_letters().await.is_empty());
    stack.stop().await;
}
