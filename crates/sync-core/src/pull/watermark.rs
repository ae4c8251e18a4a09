//! The pull watermark: the raw `date_upd` string of the newest order a pull processed, in the
//! shop's local time (`PS_TIMEZONE`), never reinterpreted (qloapps-api.md section 6). The next
//! incremental pull starts an overlap margin before it, and further back when the shop's
//! clock was put back since (a DST fall-back repeats an hour of local `date_upd` values).

use std::time::Duration;

use chrono::{DateTime, LocalResult, NaiveDate, NaiveDateTime, Offset, TimeZone, Utc};
use chrono_tz::Tz;
use sqlx::PgExecutor;

use crate::domain::ConfigId;

/// QloApps' `DATETIME` format, second resolution.
pub const FORMAT: &str = "%Y-%m-%d %H:%M:%S";

pub fn parse(raw: &str) -> Option<NaiveDateTime> {
    NaiveDateTime::parse_from_str(raw.trim(), FORMAT).ok()
}

pub fn format(at: NaiveDateTime) -> String {
    at.format(FORMAT).to_string()
}

/// Where a full pull starts: before any QloApps order.
pub fn beginning() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(1970, 1, 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .unwrap_or_default()
}

/// `PS_TIMEZONE` as a zone; an unknown name falls back to UTC with a warning.
pub fn shop_zone(name: &str) -> Tz {
    name.trim().parse().unwrap_or_else(|_| {
        tracing::warn!(
            timezone = name,
            "unknown PS_TIMEZONE; reading QloApps times as UTC"
        );
        Tz::UTC
    })
}

/// A shop-local time as an instant. Ambiguous times (a DST fall-back) take the earlier
/// instant; times in a spring-forward gap are read one hour later, as PHP does.
pub fn to_utc(local: NaiveDateTime, zone: Tz) -> DateTime<Utc> {
    match zone.from_local_datetime(&local) {
        LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => t.with_timezone(&Utc),
        LocalResult::None => zone
            .from_local_datetime(&(local + chrono::Duration::hours(1)))
            .earliest()
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_else(|| Utc.from_utc_datetime(&local)),
    }
}

/// The `date_upd` lower bound of an incremental pull after `watermark`: `overlap` earlier, and
/// earlier still by however much the zone's UTC offset dropped between the watermark and
/// `now` (orders changed after a fall-back carry local times below the watermark).
pub fn window_start(
    watermark: NaiveDateTime,
    overlap: Duration,
    zone: Tz,
    now: DateTime<Utc>,
) -> NaiveDateTime {
    let overlap = chrono::Duration::from_std(overlap).unwrap_or_else(|_| chrono::Duration::days(1));
    let since = watermark - overlap;
    let offset = |t: DateTime<Utc>| {
        i64::from(
            zone.offset_from_utc_datetime(&t.naive_utc())
                .fix()
                .local_minus_utc(),
        )
    };
    let from = to_utc(watermark, zone);
    let start_offset = offset(from);
    // DST periods last weeks: sampling daily (at most ~2000 samples) finds every lower offset.
    let span = (now - from).max(chrono::Duration::zero());
    let step = chrono::Duration::days(1).max(span / 2000);
    let mut lowest = start_offset.min(offset(now));
    let mut t = from;
    while t < now {
        lowest = lowest.min(offset(t));
        t += step;
    }
    since - chrono::Duration::seconds(start_offset - lowest)
}

/// What earlier pulls of a config left: the newest watermark and last successful pull.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PreviousPull {
    pub watermark: Option<String>,
    pub last_successful_sync: Option<DateTime<Utc>>,
}

pub async fn previous_pull(
    db: impl PgExecutor<'_> + Copy,
    config_id: ConfigId,
) -> Result<PreviousPull, sqlx::Error> {
    let watermark: Option<String> = sqlx::query_scalar(
        "SELECT watermark FROM qloapps_sync_state
         WHERE config_id = $1 AND direction = 'inbound' AND operation = 'pull' AND watermark IS NOT NULL
         ORDER BY started_at DESC LIMIT 1",
    )
    .bind(config_id)
    .fetch_optional(db)
    .await?;
    let last_successful_sync: Option<DateTime<Utc>> = sqlx::query_scalar(
        "SELECT max(last_successful_sync) FROM qloapps_sync_state
         WHERE config_id = $1 AND direction = 'inbound' AND operation = 'pull'",
    )
    .bind(config_id)
    .fetch_one(db)
    .await?;
    Ok(PreviousPull {
        watermark,
        last_successful_sync,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> NaiveDateTime {
        parse(s).unwrap()
    }

    #[test]
    fn the_raw_string_round_trips() {
        assert_eq!(format(at("2026-11-21 12:24:51")), "2026-11-21 12:24:51");
        assert_eq!(parse("2026-11-21T12:24:51"), None);
    }

    #[test]
    fn the_window_starts_an_overlap_before_the_watermark() {
        let w = at("2026-06-10 10:00:00");
        let now = Utc.with_ymd_and_hms(2026, 6, 10, 8, 5, 0).unwrap();
        let zone: Tz = "Europe/Zurich".parse().unwrap();
        assert_eq!(
            window_start(w, Duration::from_secs(60), zone, now),
            at("2026-06-10 09:59:00")
        );
    }

    #[test]
    fn a_dst_fall_back_since_the_watermark_widens_the_window_by_the_hour_repeated() {
        let zone: Tz = "America/New_York".parse().unwrap();
        // 01:50 EDT; clocks go back at 02:00 EDT to 01:00 EST on 2026-11-01
        let w = at("2026-11-01 01:50:00");
        let now = Utc.with_ymd_and_hms(2026, 11, 1, 6, 20, 0).unwrap(); // 01:20 EST
        assert_eq!(
            window_start(w, Duration::from_secs(60), zone, now),
            at("2026-11-01 00:49:00")
        );
        let before = Utc.with_ymd_and_hms(2026, 11, 1, 5, 55, 0).unwrap(); // 01:55 EDT
        assert_eq!(
            window_start(w, Duration::from_secs(60), zone, before),
            at("2026-11-01 01:49:00")
        );
        // spring forward moves the clock on: nothing extra
        let w = at("2026-03-08 01:50:00");
        let now = Utc.with_ymd_and_hms(2026, 3, 9, 0, 0, 0).unwrap();
        assert_eq!(
            window_start(w, Duration::from_secs(60), zone, now),
            at("2026-03-08 01:49:00")
        );
    }

    #[test]
    fn shop_times_become_instants_through_ps_timezone() {
        let zone: Tz = "Europe/Zurich".parse().unwrap();
        assert_eq!(
            to_utc(at("2026-01-15 10:00:00"), zone),
            Utc.with_ymd_and_hms(2026, 1, 15, 9, 0, 0).unwrap()
        );
        assert_eq!(
            to_utc(at("2026-03-29 02:30:00"), zone),
            Utc.with_ymd_and_hms(2026, 3, 29, 1, 30, 0).unwrap(),
            "gap"
        );
        assert_eq!(shop_zone("Not/AZone"), Tz::UTC);
    }
}
