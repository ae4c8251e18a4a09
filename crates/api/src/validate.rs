//! Input checks that collect every bad field before answering 422.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;
use sync_core::db::Page;
use utoipa::ToSchema;

use crate::error::{ApiError, FieldError};

/// Most nights one availability / rate request may set, and longest stay.
pub const MAX_NIGHTS: i64 = 366;
pub const MAX_PAGE: i64 = 200;
/// The furthest a page may start.
pub const MAX_OFFSET: i64 = 10_000_000;
const MAX_MONEY: Decimal = Decimal::from_parts(3_567_587_327, 232, 0, false, 2); // 9_999_999_999.99 (NUMERIC(12,2))

#[derive(Debug, Default)]
pub struct Problems(Vec<FieldError>);

impl Problems {
    pub fn new() -> Self {
        Problems::default()
    }

    pub fn add(&mut self, field: &str, problem: impl Into<String>) {
        self.0.push(FieldError::new(field, problem));
    }

    pub fn check(&mut self, ok: bool, field: &str, problem: &str) {
        if !ok {
            self.add(field, problem);
        }
    }

    /// Ok when no problem was found; the 422 naming every bad field otherwise.
    pub fn finish(self) -> Result<(), ApiError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(ApiError::Validation(self.0))
        }
    }

    /// A required text: at most `max` characters as sent (the document's maxLength), trimmed,
    /// not empty.
    pub fn text(&mut self, field: &str, value: &str, max: usize) -> String {
        let sent = value.chars().count();
        let value = value.trim();
        if value.is_empty() {
            self.add(field, "must not be empty");
        } else if sent > max {
            self.add(field, format!("must be at most {max} characters"));
        }
        value.to_owned()
    }

    /// An optional text: trimmed; empty becomes `None`.
    pub fn optional_text(
        &mut self,
        field: &str,
        value: Option<&str>,
        max: usize,
    ) -> Option<String> {
        let value = value.map(str::trim).filter(|v| !v.is_empty())?;
        Some(self.text(field, value, max))
    }

    pub fn email(&mut self, field: &str, value: &str) -> String {
        let value = value.trim();
        let valid = value.len() <= 254
            && !value.chars().any(char::is_whitespace)
            && value.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty()
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !domain.contains('@')
            });
        self.check(
            valid,
            field,
            "must be an email address like name@example.com",
        );
        value.to_owned()
    }

    pub fn phone(&mut self, field: &str, value: &str) -> String {
        let value = value.trim();
        let allowed = value
            .chars()
            .all(|c| c.is_ascii_digit() || " +-().".contains(c));
        let digits = value.chars().filter(char::is_ascii_digit).count();
        let ok = allowed && (4..=20).contains(&digits) && value.len() <= 40;
        self.check(
            ok,
            field,
            "must be a phone number: 4 to 20 digits, optionally with + ( ) - . and spaces",
        );
        value.to_owned()
    }

    pub fn currency(&mut self, field: &str, value: &str) -> String {
        let ok = value.len() == 3 && value.chars().all(|c| c.is_ascii_uppercase());
        self.check(
            ok,
            field,
            "must be an ISO 4217 code of 3 capital letters, e.g. EUR",
        );
        value.to_owned()
    }

    pub fn money(&mut self, field: &str, value: Decimal) {
        if value.is_sign_negative() && !value.is_zero() {
            self.add(field, "must not be negative");
        } else if value.normalize().scale() > 2 {
            self.add(field, "must have at most 2 decimal places");
        } else if value > MAX_MONEY {
            self.add(field, "must be at most 9999999999.99");
        }
    }

    pub fn at_least(&mut self, field: &str, value: i32, min: i32) {
        if value < min {
            self.add(field, format!("must be at least {min}"));
        }
    }

    pub fn positive_id(&mut self, field: &str, value: i64) {
        if value <= 0 || value > i64::from(i32::MAX) {
            self.add(field, "must be a positive QloApps id");
        }
    }

    /// A range of nights `from..=to` (both included) of at most [`MAX_NIGHTS`].
    pub fn night_range(
        &mut self,
        (from_field, from): (&str, NaiveDate),
        (to_field, to): (&str, NaiveDate),
    ) {
        if to < from {
            self.add(to_field, format!("must not be before {from_field}"));
        } else if (to - from).num_days() + 1 > MAX_NIGHTS {
            self.add(
                to_field,
                format!("the range may cover at most {MAX_NIGHTS} nights"),
            );
        }
    }

    /// A stay: check-out after check-in, at most [`MAX_NIGHTS`] nights.
    pub fn stay(&mut self, check_in: NaiveDate, check_out: NaiveDate) {
        if check_out <= check_in {
            self.add("checkOut", "must be after checkIn");
        } else if (check_out - check_in).num_days() > MAX_NIGHTS {
            self.add(
                "checkOut",
                format!("a stay may last at most {MAX_NIGHTS} nights"),
            );
        }
    }

    /// An optional filter text of at most `max` characters.
    pub fn max_chars(&mut self, field: &str, value: Option<&str>, max: usize) {
        if value.is_some_and(|v| v.chars().count() > max) {
            self.add(field, format!("must be at most {max} characters"));
        }
    }

    /// `limit` 1..=200 (default 50) and `offset` 0..=[`MAX_OFFSET`] (default 0).
    pub fn page(&mut self, limit: Option<i64>, offset: Option<i64>) -> Page {
        let limit = limit.unwrap_or(50);
        let offset = offset.unwrap_or(0);
        self.check(
            (1..=MAX_PAGE).contains(&limit),
            "limit",
            "must be between 1 and 200",
        );
        self.check(
            (0..=MAX_OFFSET).contains(&offset),
            "offset",
            "must be between 0 and 10000000",
        );
        Page { limit, offset }
    }
}

/// A page of a list.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Paged<T: ToSchema> {
    pub items: Vec<T>,
    /// Matching rows in all pages.
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    fn problems_of(f: impl FnOnce(&mut Problems)) -> Vec<String> {
        let mut p = Problems::new();
        f(&mut p);
        p.0.into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn money_must_fit_numeric_12_2() {
        assert_eq!(MAX_MONEY.to_string(), "9999999999.99");
        let d = |s: &str| Decimal::from_str(s).unwrap();
        assert!(problems_of(|p| p.money("x", d("150.50"))).is_empty());
        assert!(problems_of(|p| p.money("x", d("150.500"))).is_empty());
        assert_eq!(problems_of(|p| p.money("x", d("-1"))), ["x"]);
        assert_eq!(problems_of(|p| p.money("x", d("1.005"))), ["x"]);
        assert_eq!(problems_of(|p| p.money("x", d("10000000000"))), ["x"]);
    }

    #[test]
    fn emails_and_phones_are_checked_loosely_but_sanely() {
        assert!(problems_of(|p| {
            p.email("e", "Ann.Lee+pms@example.co.uk");
        })
        .is_empty());
        for bad in ["ann", "ann@", "@x.com", "ann@x", "a b@x.com", "a@b@c.com"] {
            assert_eq!(
                problems_of(|p| {
                    p.email("e", bad);
                }),
                ["e"],
                "{bad}"
            );
        }
        assert!(problems_of(|p| {
            p.phone("p", "+33 (0)6 12-34.56 78");
        })
        .is_empty());
        assert_eq!(
            problems_of(|p| {
                p.phone("p", "call me");
            }),
            ["p"]
        );
    }

    #[test]
    fn every_problem_is_reported_not_just_the_first() {
        let fields = problems_of(|p| {
            p.text("name", " ", 10);
            p.currency("currency", "eur");
            p.at_least("adults", 0, 1);
        });
        assert_eq!(fields, ["name", "currency", "adults"]);
    }
}
