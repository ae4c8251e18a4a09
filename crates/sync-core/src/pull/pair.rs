//! Which reservation each line group of an order updates: the mapping of the same line key;
//! failing that, a mapping whose key vanished (the stay moved or the room type changed).

use super::map::Group;
use crate::db::qloapps_reservation_mappings::PulledMapping;

/// Pairs each group with its mapping: by line key; then a mapping whose key vanished goes to
/// a new group of the same room type (the stay moved), or to the only new group when exactly
/// one mapping and one group are left (the room type changed). Returns the pairs (`true` when
/// re-keyed) and the mappings left without a group.
pub type Pairs<'g> = Vec<(&'g Group, Option<(PulledMapping, bool)>)>;

pub fn pair(groups: &[Group], mut mappings: Vec<PulledMapping>) -> (Pairs<'_>, Vec<PulledMapping>) {
    let mut pairs: Pairs<'_> = Vec::new();
    let mut unmatched = Vec::new();
    for g in groups {
        match mappings.iter().position(|m| m.qloapps_line_key == g.key) {
            Some(i) => pairs.push((g, Some((mappings.remove(i), false)))),
            None => unmatched.push(g),
        }
    }
    let room_type_of = |m: &PulledMapping| {
        m.qloapps_line_key
            .split(':')
            .next()
            .and_then(|t| t.parse::<u64>().ok())
    };
    let lone = unmatched.len() == 1 && mappings.len() == 1;
    for g in unmatched {
        let same_type = mappings
            .iter()
            .position(|m| room_type_of(m) == Some(g.qlo_room_type));
        match same_type.or(lone.then_some(0)) {
            Some(i) if i < mappings.len() => pairs.push((g, Some((mappings.remove(i), true)))),
            _ => pairs.push((g, None)),
        }
    }
    (pairs, mappings)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ReservationId;
    use crate::pull::map;
    use uuid::Uuid;

    fn group(room_type: u64, from: &str, to: &str) -> Group {
        let (f, t) = (from.parse().unwrap(), to.parse().unwrap());
        Group {
            key: map::line_key(room_type, f, t),
            qlo_room_type: room_type,
            check_in: f,
            check_out: t,
            rooms: 1,
            adults: 2,
            children: 0,
            price: 1.into(),
            cancelled: false,
            changed_at: chrono::NaiveDateTime::default(),
        }
    }

    fn mapping(key: &str) -> PulledMapping {
        PulledMapping {
            id: Uuid::new_v4(),
            local_reservation_id: ReservationId(Uuid::new_v4()),
            qloapps_line_key: key.to_owned(),
            last_pulled_hash: None,
            last_synced_at: None,
        }
    }

    fn keys(pairs: &Pairs<'_>) -> Vec<(String, Option<(String, bool)>)> {
        pairs
            .iter()
            .map(|(g, m)| {
                (
                    g.key.clone(),
                    m.as_ref().map(|(m, r)| (m.qloapps_line_key.clone(), *r)),
                )
            })
            .collect()
    }

    #[test]
    fn groups_pair_by_key_then_a_moved_stay_keeps_its_reservation() {
        let groups = [
            group(2, "2026-12-21", "2026-12-25"),
            group(3, "2026-12-21", "2026-12-23"),
        ];
        let mappings = vec![
            mapping("3:2026-12-21:2026-12-23"),
            mapping("2:2026-12-21:2026-12-23"),
            mapping("4:2026-01-01:2026-01-02"),
        ];
        let (pairs, orphans) = pair(&groups, mappings);
        assert_eq!(
            keys(&pairs),
            vec![
                (
                    "3:2026-12-21:2026-12-23".into(),
                    Some(("3:2026-12-21:2026-12-23".into(), false))
                ),
                (
                    "2:2026-12-21:2026-12-25".into(),
                    Some(("2:2026-12-21:2026-12-23".into(), true))
                ),
            ]
        );
        assert_eq!(orphans.len(), 1);
        assert_eq!(orphans[0].qloapps_line_key, "4:2026-01-01:2026-01-02");
    }

    #[test]
    fn a_lone_change_of_room_type_is_a_re_key_but_ambiguous_ones_are_not() {
        let moved = [group(3, "2026-12-21", "2026-12-23")];
        let (pairs, orphans) = pair(&moved, vec![mapping("2:2026-12-21:2026-12-23")]);
        assert_eq!(
            keys(&pairs)[0].1,
            Some(("2:2026-12-21:2026-12-23".into(), true))
        );
        assert!(orphans.is_empty());
        let groups = [
            group(3, "2026-12-21", "2026-12-23"),
            group(4, "2026-12-21", "2026-12-23"),
        ];
        let (pairs, orphans) = pair(&groups, vec![mapping("2:2026-12-21:2026-12-23")]);
        assert!(pairs.iter().all(|(_, m)| m.is_none()));
        assert_eq!(orphans.len(), 1);
    }
}
