use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::{GuestId, PropertyId};

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Guest {
    pub id: GuestId,
    pub property_id: PropertyId,
    pub first_name: String,
    pub last_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// Digits only, leading '+' kept: what guest matching compares.
    pub phone_normalized: Option<String>,
    /// Set when a pull created this guest without a confident match.
    pub possible_duplicate: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct NewGuest {
    pub first_name: String,
    pub last_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub possible_duplicate: bool,
}

/// `None` keeps the stored value; `Some(None)` clears a nullable field.
#[derive(Debug, Clone, Default)]
pub struct GuestPatch {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<Option<String>>,
    pub phone: Option<Option<String>>,
    pub possible_duplicate: Option<bool>,
}

/// The form guest matching compares phones in: digits only, a leading '+' kept.
/// `None` when the input holds no digit.
pub fn normalize_phone(phone: &str) -> Option<String> {
    let trimmed = phone.trim_start();
    let digits: String = trimmed.chars().filter(char::is_ascii_digit).collect();
    if digits.is_empty() {
        return None;
    }
    Some(if trimmed.starts_with('+') {
        format!("+{digits}")
    } else {
        digits
    })
}

#[cfg(test)]
mod tests {
    use super::normalize_phone;

    #[test]
    fn phone_normalisation_keeps_digits_and_a_leading_plus() {
        assert_eq!(
            normalize_phone(" +33 (0)6 12-34.56 78").as_deref(),
            Some("+330612345678")
        );
        assert_eq!(
            normalize_phone("06 12 34 56 78").as_deref(),
            Some("0612345678")
        );
        assert_eq!(normalize_phone("1+2").as_deref(), Some("12"));
        assert_eq!(normalize_phone("n/a"), None);
    }
}
