//! Which PMS guest a pulled QloApps booking belongs to (docs/architecture.md,
//! "Sync rules"): by email (case-insensitive), then by phone (normalised), then by name and
//! check-in date (tolerant of case, accents and small typos); otherwise a new guest, flagged
//! as a possible duplicate.
//!
//! Every rule reads through an index, never a scan of all guests: email and phone use the
//! `guests` expression indexes; the name rule only compares the guests of the property's
//! reservations checking in that day (`reservations_property_check_in_idx`), a handful of
//! rows, folded and compared in Rust.

use chrono::NaiveDate;
use sqlx::PgConnection;

use crate::db::guests;
use crate::domain::guest::NewGuest;
use crate::domain::{normalize_phone, GuestId, PropertyId};

mod names;

use names::best_name_match;
pub use names::{edit_distance, fold_name};

/// The guest as the QloApps customer describes them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GuestCandidate {
    pub first_name: String,
    pub last_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
}

/// The rule that found the guest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchRule {
    Email,
    Phone,
    NameAndCheckIn,
    /// No rule matched: a new guest was created with `possible_duplicate` set.
    NewGuest,
}

impl MatchRule {
    pub fn as_str(self) -> &'static str {
        match self {
            MatchRule::Email => "email",
            MatchRule::Phone => "phone",
            MatchRule::NameAndCheckIn => "name_and_check_in",
            MatchRule::NewGuest => "new_guest",
        }
    }
}

/// Emails the push invents for guests without one (`push::mapping`): never evidence of identity.
const PLACEHOLDER_EMAIL_DOMAIN: &str = "@no-email.invalid";
/// A phone needs this many digits to identify anyone ("0000000000" placeholders do not).
const MIN_PHONE_DIGITS: usize = 6;
/// Guests of one check-in day compared by name; a bound, not an expected size.
const MAX_NAME_CANDIDATES: i64 = 500;

/// Finds the guest of `candidate` for a stay starting `check_in`, or creates one.
pub async fn match_or_create(
    conn: &mut PgConnection,
    property_id: PropertyId,
    candidate: &GuestCandidate,
    check_in: NaiveDate,
) -> Result<(GuestId, MatchRule), sqlx::Error> {
    if let Some(email) = usable_email(candidate.email.as_deref()) {
        if let Some(id) = guests::find_by_email(&mut *conn, property_id, &email).await? {
            return Ok((id, MatchRule::Email));
        }
    }
    if let Some(phone) = usable_phone(candidate.phone.as_deref()) {
        if let Some(id) = guests::find_by_phone(&mut *conn, property_id, &phone).await? {
            return Ok((id, MatchRule::Phone));
        }
    }
    let same_day =
        guests::arriving_on(&mut *conn, property_id, check_in, MAX_NAME_CANDIDATES).await?;
    let wanted = (candidate.first_name.as_str(), candidate.last_name.as_str());
    if let Some(id) = best_name_match(wanted, &same_day) {
        return Ok((id, MatchRule::NameAndCheckIn));
    }
    let new = new_guest(candidate);
    let guest = guests::insert_guest(&mut *conn, property_id, &new).await?;
    Ok((guest.id, MatchRule::NewGuest))
}

/// The guest row to create: fields cleaned to what the `guests` constraints accept.
pub fn new_guest(candidate: &GuestCandidate) -> NewGuest {
    let name = |value: &str, fallback: &str| {
        let trimmed: String = value.trim().chars().take(100).collect();
        if trimmed.trim().is_empty() {
            fallback.to_owned()
        } else {
            trimmed.trim().to_owned()
        }
    };
    NewGuest {
        first_name: name(&candidate.first_name, "Guest"),
        last_name: name(&candidate.last_name, "(QloApps)"),
        email: usable_email(candidate.email.as_deref()),
        phone: usable_phone(candidate.phone.as_deref()).and(
            candidate
                .phone
                .as_deref()
                .map(|p| p.trim().chars().take(40).collect()),
        ),
        possible_duplicate: true,
    }
}

fn usable_email(email: Option<&str>) -> Option<String> {
    let email = email?.trim();
    let valid = email.len() <= 254
        && !email
            .to_ascii_lowercase()
            .ends_with(PLACEHOLDER_EMAIL_DOMAIN)
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && !domain.is_empty() && !domain.contains('@')
        })
        && !email.chars().any(char::is_whitespace);
    valid.then(|| email.to_owned())
}

fn usable_phone(phone: Option<&str>) -> Option<String> {
    let normalized = normalize_phone(phone?)?;
    let digits = normalized.trim_start_matches('+');
    let informative = (MIN_PHONE_DIGITS..=20).contains(&digits.len())
        && digits
            .chars()
            .any(|c| c != digits.chars().next().unwrap_or('0'));
    informative.then_some(normalized)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_not_identities() {
        assert_eq!(usable_email(Some("guest-1@no-email.invalid")), None);
        assert_eq!(usable_email(Some("not an email")), None);
        assert_eq!(
            usable_email(Some(" Anna@Example.com ")).as_deref(),
            Some("Anna@Example.com")
        );
        assert_eq!(usable_phone(Some("0000000000")), None);
        assert_eq!(usable_phone(Some("12 34")), None);
        assert_eq!(
            usable_phone(Some("+41 79 123 45 67")).as_deref(),
            Some("+41791234567")
        );
    }

    #[test]
    fn a_new_guest_is_flagged_and_fits_the_table() {
        let g = new_guest(&GuestCandidate {
            first_name: "  ".into(),
            last_name: "X".repeat(150),
            email: Some("bad".into()),
            phone: Some("n/a".into()),
        });
        assert!(g.possible_duplicate);
        assert_eq!(g.first_name, "Guest");
        assert_eq!(g.last_name.chars().count(), 100);
        assert_eq!((g.email, g.phone), (None, None));
    }
}
