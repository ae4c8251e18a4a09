//! The pull watermark: the instant of the newest order a pull processed, with the shop time
//! zone (`PS_TIMEZONE`) its shop-local `date_upd` was read in (docs/qloapps-api.md, "Orders, room lines and time zones"). The
//! zone is read on every pull: the next incremental pull starts an overlap margin before the
//! watermark written in the current zone, further back when the shop's clock was put back
//! since (a DST fall-back repeats an hour of local `date_upd` values), and, when the zone
//! changed, from the earlier of the watermark written in the old and in the new zone (a
//! catch-up bounded by the difference of the two offsets): orders changed before the switch
//! carry old-zone times, orders changed after it new-zone times. A watermark is never later
//! than the start of the run that stored it, so old-zone times read in a new zone that is
//! behind can never push it into the future.

use crate::db::qloapps_sync_state as sync_state;
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

/// A watermark: an instant and the zone the shop was in when it was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mark {
    pub at: DateTime<Utc>,
    pub zone: Tz,
}

impl Mark {
    /// The newest `date_upd` a run reached, read in `zone`, as a watermark: never after the
    /// run started (`started`), never before where it started (`previous`).
    pub fn reached(
        local: NaiveDateTime,
        zone: Tz,
        started: DateTime<Utc>,
        previous: Option<Mark>,
    ) -> Mark {
        let at = to_utc(local, zone).min(started);
        let at = previous.map_or(at, |p| at.max(p.at));
        Mark { at, zone }
    }

    /// The watermark as the shop writes it in its zone (`qloapps_sync_state.watermark`).
    pub fn local(&self) -> NaiveDateTime {
        self.at.with_timezone(&self.zone).naive_local()
    }

    /// The `date_upd` lower bound of the next incremental pull in the shop's current `zone`.
    pub fn window_start(&self, overlap: Duration, zone: Tz, now: DateTime<Utc>) -> NaiveDateTime {
        let in_zone =
            |z: Tz| window_start(self.at.with_timezone(&z).naive_local(), overlap, z, now);
        let current = in_zone(zone);
        if zone == self.zone {
            current
        } else {
            current.min(in_zone(self.zone))
        }
    }
}

/// What earlier pulls of a config left: the newest watermark and last successful pull.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PreviousPull {
    /// The raw shop-local watermark (all a row from before instants were stored has).
    pub watermark: Option<String>,
    pub watermark_at: Option<DateTime<Utc>>,
    pub watermark_zone: Option<String>,
    pub last_successful_sync: Option<DateTime<Utc>>,
}

impl PreviousPull {
    /// The stored watermark; one stored without its instant is read in the `current` zone.
    pub fn mark(&self, current: Tz) -> Option<Mark> {
        match (self.watermark_at, self.watermark_zone.as_deref()) {
            (Some(at), Some(zone)) => Some(Mark {
                at,
                zone: zone.parse().unwrap_or(current),
            }),
            _ => self.watermark.as_deref().and_then(parse).map(|local| Mark {
                at: to_utc(local, current),
                zone: current,
            }),
        }
    }
}

pub async fn previous_pull(
    db: impl PgExecutor<'_> + Copy,
    config_id: ConfigId,
) -> Result<PreviousPull, sqlx::Error> {
    let row = sync_state::latest_pull_watermark(db, config_id).await?;
    let last_successful_sync = sync_state::last_successful_pull(db, config_id).await?;
    let (watermark, watermark_at, watermark_zone) = row.unwrap_or_default();
    Ok(PreviousPull {
        watermark,
        watermark_at,
        watermark_zone,
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

    fn tz(name: &str) -> Tz {
        name.parse().unwrap()
    }

    #[test]
    fn a_zone_moved_behind_starts_from_the_watermark_written_in_the_new_zone() {
        // 10:00 UTC, stored while the shop was on Kolkata (15:30 local)
        let mark = Mark {
            at: Utc.with_ymd_and_hms(2026, 6, 10, 10, 0, 0).unwrap(),
            zone: tz("Asia/Kolkata"),
        };
        assert_eq!(mark.local(), at("2026-06-10 15:30:00"));
        let now = Utc.with_ymd_and_hms(2026, 6, 10, 10, 5, 0).unwrap();
        let overlap = Duration::from_secs(60);
        assert_eq!(
            mark.window_start(overlap, tz("America/New_York"), now),
            at("2026-06-10 05:59:00"),
            "06:00 EDT, not 15:30"
        );
        assert_eq!(
            mark.window_start(overlap, tz("Asia/Kolkata"), now),
            at("2026-06-10 15:29:00")
        );
    }

    #[test]
    fn a_zone_moved_ahead_also_covers_old_zone_times_written_before_the_switch() {
        let mark = Mark {
            at: Utc.with_ymd_and_hms(2026, 6, 10, 10, 0, 0).unwrap(),
            zone: tz("America/New_York"),
        };
        let now = Utc.with_ymd_and_hms(2026, 6, 10, 10, 5, 0).unwrap();
        assert_eq!(
            mark.window_start(Duration::from_secs(60), tz("Asia/Kolkata"), now),
            at("2026-06-10 05:59:00"),
            "from 06:00 New York time: a bounded catch-up of 9.5 h of Kolkata times"
        );
    }

    #[test]
    fn a_watermark_never_runs_ahead_of_the_run_nor_back() {
        let started = Utc.with_ymd_and_hms(2026, 6, 10, 10, 0, 0).unwrap();
        let kolkata_time_read_in_new_york = at("2026-06-10 15:30:00");
        let mark = Mark::reached(
            kolkata_time_read_in_new_york,
            tz("America/New_York"),
            started,
            None,
        );
        assert_eq!(mark.at, started);
        let previous = Mark {
            at: started,
            zone: tz("UTC"),
        };
        let older = Mark::reached(
            at("2026-06-10 09:00:00"),
            tz("UTC"),
            started,
            Some(previous),
        );
        assert_eq!(older.at, started);
    }

    #[test]
    fn a_watermark_stored_as_text_only_is_read_in_the_current_zone() {
        let legacy = PreviousPull {
            watermark: Some("2026-06-10 12:00:00".into()),
            ..PreviousPull::default()
        };
        let mark = legacy.mark(tz("Europe/Zurich")).unwrap();
        assert_eq!(
            mark.at,
            Utc.with_ymd_and_hms(2026, 6, 10, 10, 0, 0).unwrap()
        );
        let stored = PreviousPull {
            watermark: Some("2026-06-10 15:30:00".into()),
            watermark_at: Some(Utc.with_ymd_and_hms(2026, 6, 10, 10, 0, 0).unwrap()),
            watermark_zone: Some("Asia/Kolkata".into()),
            ..PreviousPull::default()
        };
        assert_eq!(stored.mark(tz("UTC")).unwrap().zone, tz("Asia/Kolkata"));
    }
}
