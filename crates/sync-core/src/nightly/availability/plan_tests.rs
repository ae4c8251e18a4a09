use super::*;

fn d(day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, day).unwrap()
}

fn rooms(ids: &[u64]) -> BTreeSet<u64> {
    ids.iter().copied().collect()
}

/// Nights `from..=to`, each with `free` rooms free and a PMS limit.
fn nights(from: u32, to: u32, free: &[u64], pms: Option<u32>) -> BTreeMap<NaiveDate, NightState> {
    (from..=to)
        .map(|n| {
            (
                d(n),
                NightState {
                    free: rooms(free),
                    pms,
                },
            )
        })
        .collect()
}

fn hold(n: u128, from: u32, to_excl: u32, ids: &[u64]) -> LiveHold {
    LiveHold {
        id: Uuid::from_u128(n),
        check_in: d(from),
        check_out: d(to_excl),
        rooms: u32::try_from(ids.len()).unwrap(),
        room_ids: ids.to_vec(),
        keepable: true,
    }
}

#[test]
fn ten_nights_limited_to_two_of_five_rooms_make_one_hold_of_three() {
    let p = plan(&nights(1, 10, &[1, 2, 3, 4, 5], Some(2)), &[]);
    assert_eq!(
        p.create,
        vec![NewHold {
            check_in: d(1),
            check_out: d(11),
            rooms: 3
        }]
    );
    assert!(p.keep.is_empty() && p.cancel.is_empty());
}

#[test]
fn holds_that_still_fit_are_kept_and_a_plan_of_nothing_changes_nothing() {
    // the hold took rooms 3, 4, 5: QloApps shows 1, 2 free
    let held = [hold(1, 1, 11, &[3, 4, 5])];
    let p = plan(&nights(1, 10, &[1, 2], Some(2)), &held);
    assert_eq!(p.keep, vec![Uuid::from_u128(1)]);
    assert!(p.create.is_empty() && p.cancel.is_empty());
}

#[test]
fn raising_the_limit_back_cancels_the_hold() {
    let held = [hold(1, 1, 11, &[3, 4, 5])];
    let p = plan(&nights(1, 10, &[1, 2], Some(5)), &held);
    assert_eq!(p.cancel, vec![Uuid::from_u128(1)]);
    assert!(p.create.is_empty());
    // no limit at all is the same
    assert_eq!(plan(&nights(1, 10, &[1, 2], None), &held).cancel.len(), 1);
}

#[test]
fn a_lower_limit_on_some_nights_adds_a_layer_instead_of_replacing() {
    let held = [hold(1, 1, 11, &[3, 4, 5])];
    let mut n = nights(1, 10, &[1, 2], Some(2));
    for day in 4..=5 {
        n.get_mut(&d(day)).unwrap().pms = Some(1);
    }
    let p = plan(&n, &held);
    assert_eq!(p.keep.len(), 1);
    assert_eq!(
        p.create,
        vec![NewHold {
            check_in: d(4),
            check_out: d(6),
            rooms: 1
        }]
    );
}

#[test]
fn a_higher_limit_inside_a_hold_splits_it_into_runs_of_equal_shortfall() {
    let held = [hold(1, 1, 11, &[3, 4, 5])];
    let mut n = nights(1, 10, &[1, 2], Some(2));
    n.get_mut(&d(5)).unwrap().pms = Some(3);
    let p = plan(&n, &held);
    assert_eq!(p.cancel, vec![Uuid::from_u128(1)]);
    let made: Vec<(NaiveDate, NaiveDate, u32)> = p
        .create
        .iter()
        .map(|h| (h.check_in, h.check_out, h.rooms))
        .collect();
    assert_eq!(
        made,
        vec![(d(1), d(5), 3), (d(5), d(6), 2), (d(6), d(11), 3)]
    );
}

#[test]
fn a_run_is_cut_where_no_room_stays_free_for_the_whole_stay() {
    // room 1 is free on nights 1-2, room 2 on nights 3-4: one hold of one room cannot cover 1-4
    let mut n = nights(1, 4, &[], Some(0));
    for day in 1..=2 {
        n.get_mut(&d(day)).unwrap().free = rooms(&[1]);
    }
    for day in 3..=4 {
        n.get_mut(&d(day)).unwrap().free = rooms(&[2]);
    }
    let p = plan(&n, &[]);
    let made: Vec<(NaiveDate, NaiveDate)> =
        p.create.iter().map(|h| (h.check_in, h.check_out)).collect();
    assert_eq!(made, vec![(d(1), d(3)), (d(3), d(5))]);
}

#[test]
fn nothing_is_held_where_qloapps_already_sells_no_more_than_allowed() {
    let p = plan(&nights(1, 3, &[1], Some(2)), &[]);
    assert_eq!(p, HoldPlan::default());
    assert_eq!(target(5, Some(2)), 3);
    assert_eq!(target(1, Some(2)), 0);
    assert_eq!(target(5, None), 0);
}

#[test]
fn a_hold_being_cancelled_is_never_kept_but_its_rooms_count() {
    let mut cancelling = hold(1, 1, 4, &[3, 4, 5]);
    cancelling.keepable = false;
    let p = plan(&nights(1, 3, &[1, 2], Some(2)), &[cancelling]);
    assert_eq!(p.cancel, vec![Uuid::from_u128(1)]);
    assert_eq!(
        p.create,
        vec![NewHold {
            check_in: d(1),
            check_out: d(4),
            rooms: 3
        }]
    );
}
