//! Rate diffing, without I/O: PMS nightly rates become runs (contiguous nights with one rate),
//! and the owned rules are changed into exactly those runs with as few QloApps writes as
//! possible.
//!
//! - A rule that already is a wanted run is kept (no call).
//! - Every other owned rule in the window is rewritten (`PUT`) into a wanted run it overlaps
//!   most, so a change inside a long rule costs one `PUT` plus one `POST` per new piece.
//! - Wanted runs left over are created (`POST`), owned rules left over are deleted (`DELETE`).
//!
//! So a push that changes nothing writes nothing, and writes = max(changed rules, new runs).

use chrono::NaiveDate;
use rust_decimal::Decimal;
use uuid::Uuid;

use crate::db::qloapps_rate_rules::RuleRow;

/// Nights `from..=to` (both included) at one nightly rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Run {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub rate: Decimal,
}

impl Run {
    pub fn overlaps(&self, from: NaiveDate, to: NaiveDate) -> bool {
        self.from <= to && from <= self.to
    }

    fn overlap_nights(&self, other: &Run) -> i64 {
        let from = self.from.max(other.from);
        let to = self.to.min(other.to);
        (to - from).num_days() + 1
    }

    pub fn nights(&self) -> i64 {
        (self.to - self.from).num_days() + 1
    }
}

/// The nights and rate an owned rule's row records.
impl From<&RuleRow> for Run {
    fn from(row: &RuleRow) -> Run {
        Run {
            from: row.date_from,
            to: row.date_to,
            rate: row.rate,
        }
    }
}

/// An owned rule as the plan sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnedRule {
    pub id: Uuid,
    pub run: Run,
    /// False when QloApps may not hold what the row says (a pending row): never kept as is.
    pub trusted: bool,
}

/// The writes that turn the owned rules into the wanted runs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RatePlan {
    pub keep: Vec<Uuid>,
    pub update: Vec<(Uuid, Run)>,
    pub create: Vec<Run>,
    pub delete: Vec<Uuid>,
}

impl RatePlan {
    pub fn writes(&self) -> usize {
        self.update.len() + self.create.len() + self.delete.len()
    }
}

/// Runs of `nights` (sorted by night, one rate each): a gap or a new rate starts a new run.
pub fn runs(nights: &[(NaiveDate, Decimal)]) -> Vec<Run> {
    let mut out: Vec<Run> = Vec::new();
    for &(night, rate) in nights {
        match out.last_mut() {
            Some(last) if last.rate == rate && last.to.succ_opt() == Some(night) => last.to = night,
            _ => out.push(Run {
                from: night,
                to: night,
                rate,
            }),
        }
    }
    out
}

/// The range `from..=to` grown until no owned rule crosses its edges, so a change inside a
/// rule re-plans the whole rule (its untouched nights are recreated around the change).
pub fn window(from: NaiveDate, to: NaiveDate, rules: &[Run]) -> (NaiveDate, NaiveDate) {
    let (mut from, mut to) = (from, to);
    loop {
        let (mut new_from, mut new_to) = (from, to);
        for rule in rules.iter().filter(|r| r.overlaps(from, to)) {
            new_from = new_from.min(rule.from);
            new_to = new_to.max(rule.to);
        }
        if (new_from, new_to) == (from, to) {
            return (from, to);
        }
        (from, to) = (new_from, new_to);
    }
}

/// Plans the writes from `existing` (the owned rules in the window) to `wanted` (the runs of
/// the window, from the PMS).
pub fn plan(wanted: &[Run], existing: &[OwnedRule]) -> RatePlan {
    let mut out = RatePlan::default();
    let mut rule_used = vec![false; existing.len()];
    let mut missing: Vec<Run> = Vec::new();
    for run in wanted {
        let same = existing
            .iter()
            .enumerate()
            .find(|(i, r)| !rule_used[*i] && r.trusted && r.run == *run);
        match same {
            Some((i, rule)) => {
                rule_used[i] = true;
                out.keep.push(rule.id);
            }
            None => missing.push(*run),
        }
    }
    // Rewrite leftover rules into the runs they share the most nights with (largest overlaps
    // first), so the untouched part of a split rule stays on its rule id.
    let mut pairs: Vec<(i64, usize, usize)> = Vec::new();
    for (m, run) in missing.iter().enumerate() {
        for (i, rule) in existing.iter().enumerate() {
            let shared = rule.run.overlap_nights(run);
            if !rule_used[i] && shared > 0 {
                pairs.push((shared, m, i));
            }
        }
    }
    pairs.sort_by_key(|&(shared, m, i)| (std::cmp::Reverse(shared), m, i));
    let mut run_done = vec![false; missing.len()];
    let mut updates: Vec<(usize, Uuid)> = Vec::new();
    for (_, m, i) in pairs {
        if !run_done[m] && !rule_used[i] {
            run_done[m] = true;
            rule_used[i] = true;
            updates.push((m, existing[i].id));
        }
    }
    // A rule and a run that share nothing still make one PUT instead of a DELETE and a POST.
    let mut leftover_rules = existing
        .iter()
        .enumerate()
        .filter(|(i, _)| !rule_used[*i])
        .map(|(_, r)| r.id);
    for (m, run) in missing.iter().enumerate() {
        if run_done[m] {
            continue;
        }
        match leftover_rules.next() {
            Some(id) => updates.push((m, id)),
            None => out.create.push(*run),
        }
    }
    out.delete = leftover_rules.collect();
    updates.sort_by_key(|(m, _)| *m);
    out.update = updates
        .into_iter()
        .map(|(m, id)| (id, missing[m]))
        .collect();
    out
}

/// Characters `Validate::isCatalogName` refuses in `feature_price_name`.
const NOT_IN_CATALOG_NAMES: &[char] = &['<', '>', ';', '=', '#', '{', '}'];
/// `feature_price_name` is at most 128 characters.
pub const MAX_NAME: usize = 128;

/// The name of an owned rule: says qlosync made it, for which PMS room type and nights.
pub fn rule_name(room_type_code: &str, run: &Run) -> String {
    let code: String = room_type_code
        .chars()
        .filter(|c| !NOT_IN_CATALOG_NAMES.contains(c) && !c.is_control())
        .collect();
    let name = format!("qlosync {code} {}..{}", run.from, run.to);
    name.chars().take(MAX_NAME).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, day).unwrap()
    }

    fn run(from: u32, to: u32, rate: i64) -> Run {
        Run {
            from: d(from),
            to: d(to),
            rate: Decimal::from(rate),
        }
    }

    fn owned(n: u128, from: u32, to: u32, rate: i64) -> OwnedRule {
        OwnedRule {
            id: Uuid::from_u128(n),
            run: run(from, to, rate),
            trusted: true,
        }
    }

    #[test]
    fn contiguous_equal_nights_form_one_run_and_gaps_split() {
        let nights: Vec<(NaiveDate, Decimal)> = [1, 2, 3, 5, 6, 7]
            .iter()
            .map(|&n| (d(n), Decimal::from(if n == 7 { 90 } else { 100 })))
            .collect();
        assert_eq!(
            runs(&nights),
            vec![run(1, 3, 100), run(5, 6, 100), run(7, 7, 90)]
        );
        assert!(runs(&[]).is_empty());
    }

    #[test]
    fn an_unchanged_push_writes_nothing() {
        let existing = [owned(1, 1, 9, 100), owned(2, 10, 12, 120)];
        let p = plan(&[run(1, 9, 100), run(10, 12, 120)], &existing);
        assert_eq!(p.writes(), 0);
        assert_eq!(p.keep.len(), 2);
    }

    #[test]
    fn a_change_inside_a_rule_rewrites_it_and_adds_the_pieces() {
        let existing = [owned(1, 1, 31, 100)];
        let wanted = [run(1, 9, 100), run(10, 12, 120), run(13, 31, 100)];
        let p = plan(&wanted, &existing);
        assert_eq!(p.update, vec![(Uuid::from_u128(1), run(13, 31, 100))]);
        assert_eq!(p.create, vec![run(1, 9, 100), run(10, 12, 120)]);
        assert!(p.delete.is_empty());
        assert_eq!(p.writes(), 3);
    }

    #[test]
    fn nights_without_a_rate_lose_their_rules() {
        let existing = [owned(1, 1, 5, 100), owned(2, 6, 9, 80)];
        let p = plan(&[run(1, 3, 100)], &existing);
        assert_eq!(p.update, vec![(Uuid::from_u128(1), run(1, 3, 100))]);
        assert_eq!(p.delete, vec![Uuid::from_u128(2)]);
    }

    #[test]
    fn an_untrusted_rule_is_rewritten_even_when_it_looks_right() {
        let mut rule = owned(1, 1, 5, 100);
        rule.trusted = false;
        let p = plan(&[run(1, 5, 100)], &[rule]);
        assert_eq!(p.update, vec![(Uuid::from_u128(1), run(1, 5, 100))]);
    }

    #[test]
    fn the_window_grows_to_whole_rules_transitively() {
        let rules = [run(1, 10, 1), run(11, 20, 2), run(25, 30, 3)];
        assert_eq!(window(d(10), d(11), &rules), (d(1), d(20)));
        assert_eq!(window(d(22), d(23), &rules), (d(22), d(23)));
    }

    #[test]
    fn names_say_qlosync_and_fit_catalog_rules() {
        assert_eq!(
            rule_name("RT1", &run(1, 5, 1)),
            "qlosync RT1 2026-12-01..2026-12-05"
        );
        let long = "x;{=}".repeat(60);
        let name = rule_name(&long, &run(1, 5, 1));
        assert!(name.chars().count() <= MAX_NAME);
        assert!(!name.contains([';', '{', '=', '}']));
    }
}
