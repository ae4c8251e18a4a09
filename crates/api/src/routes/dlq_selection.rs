//! The body that selects dead letters for a replay, discard or preview, and its checks.

use serde::Deserialize;
use sync_queue::dlq::{DlqFilter, Selection, MAX_SELECTED_IDS, REASONS};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::error::ApiError;
use crate::validate::Problems;

/// Which messages to act on: `messageId`, `messageIds` (a multi-select), one or more filters
/// (combined with AND), or `all: true`. `messageIds` and `all` stand alone.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct DlqSelectionBody {
    /// the `id` of a listed message
    #[schema(max_length = 255)]
    pub message_id: Option<String>,
    /// the `id`s of listed messages, 1-1000, each at most 255 characters; cannot be combined
    /// with the other fields
    #[schema(schema_with = message_ids_schema)]
    pub message_ids: Option<Vec<String>>,
    /// e.g. "reservation.create"
    #[schema(max_length = 100)]
    pub event_type: Option<String>,
    pub config_id: Option<Uuid>,
    /// permanent, retries_exhausted, invalid_message, deferred_too_long, expired, maxlen,
    /// rejected or unknown
    #[schema(
        pattern = "^(permanent|retries_exhausted|invalid_message|deferred_too_long|expired|maxlen|rejected|unknown)$"
    )]
    pub reason: Option<String>,
    /// every message in the dead-letter queue; cannot be combined with the fields above
    pub all: Option<bool>,
}

/// `messageIds` in the OpenAPI document: 1-1000 ids of at most 255 characters.
fn message_ids_schema() -> utoipa::openapi::schema::Array {
    use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Type};
    ArrayBuilder::new()
        .items(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .max_length(Some(255)),
        )
        .min_items(Some(1))
        .max_items(Some(MAX_SELECTED_IDS))
        .build()
}

const FILTER_FIELDS: &str = "messageId, eventType, configId or reason";

/// The selection `body` asks for, or a 422 naming every bad field.
pub fn selection(body: DlqSelectionBody) -> Result<Selection, ApiError> {
    let mut p = Problems::new();
    let id = p.optional_text("messageId", body.message_id.as_deref(), 255);
    let event_type = p.optional_text("eventType", body.event_type.as_deref(), 100);
    let reason = body.reason.as_deref().map(str::trim).map(str::to_owned);
    if let Some(r) = &reason {
        let known = REASONS.contains(&r.as_str());
        p.check(
            known,
            "reason",
            &format!("must be one of {}", REASONS.join(", ")),
        );
    }
    let ids = body.message_ids.map(|ids| message_ids(&mut p, ids));
    let filter = Selection::matching(DlqFilter {
        id,
        event_type,
        config_id: body.config_id.map(|c| c.to_string()),
        reason,
    });
    let selection = match (body.all == Some(true), ids, filter) {
        (true, None, None) => Some(Selection::All),
        (true, _, _) => {
            p.add(
                "all",
                format!("cannot be combined with messageIds, {FILTER_FIELDS}"),
            );
            None
        }
        (false, Some(_), Some(_)) => {
            p.add(
                "messageIds",
                format!("cannot be combined with {FILTER_FIELDS}"),
            );
            None
        }
        (false, Some(ids), None) => ids,
        (false, None, Some(filter)) => Some(filter),
        (false, None, None) => {
            let problem =
                format!("select messages with messageIds, {FILTER_FIELDS}, or set all: true");
            p.add("all", problem);
            None
        }
    };
    p.finish()?;
    selection.ok_or_else(|| ApiError::field("all", "no selection"))
}

/// The ids of a multi-select, trimmed; `None` (and a problem) when the list is bad.
fn message_ids(p: &mut Problems, ids: Vec<String>) -> Option<Selection> {
    if ids.is_empty() || ids.len() > MAX_SELECTED_IDS {
        p.add(
            "messageIds",
            format!("must list between 1 and {MAX_SELECTED_IDS} ids"),
        );
        return None;
    }
    let trimmed: Vec<String> = ids.iter().map(|i| i.trim().to_owned()).collect();
    if let Some(at) = trimmed
        .iter()
        .position(|i| i.is_empty() || i.chars().count() > 255)
    {
        p.add(
            "messageIds",
            format!("id {at} must be 1 to 255 characters (not blank)"),
        );
        return None;
    }
    Selection::ids(trimmed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn body(json: serde_json::Value) -> DlqSelectionBody {
        serde_json::from_value(json).unwrap()
    }

    fn field_of(bad: serde_json::Value) -> Vec<String> {
        match selection(body(bad.clone())) {
            Err(ApiError::Validation(fields)) => fields.into_iter().map(|f| f.field).collect(),
            other => panic!("{bad}: {other:?}"),
        }
    }

    #[test]
    fn a_selection_needs_an_id_a_filter_or_all() {
        assert_eq!(
            selection(body(json!({"all": true}))).unwrap(),
            Selection::All
        );
        let by_id = selection(body(json!({"messageId": " m-1 "}))).unwrap();
        let Selection::Matching(filter) = by_id else {
            panic!("a filter")
        };
        assert_eq!(filter.id.as_deref(), Some("m-1"));
        for (bad, field) in [
            (json!({}), "all"),
            (json!({"all": false}), "all"),
            (json!({"all": true, "reason": "permanent"}), "all"),
            (json!({"messageId": "  "}), "all"),
            (json!({"reason": "bored"}), "reason"),
        ] {
            assert_eq!(field_of(bad.clone()), [field], "{bad}");
        }
    }

    #[test]
    fn message_ids_select_exactly_those_and_stand_alone() {
        let picked = selection(body(json!({"messageIds": [" a ", "b", "a"]}))).unwrap();
        assert_eq!(
            picked,
            Selection::ids(["a".to_owned(), "b".to_owned()]).unwrap()
        );
        let too_many: Vec<String> = (0..=MAX_SELECTED_IDS).map(|i| format!("m-{i}")).collect();
        for (bad, field) in [
            (json!({"messageIds": []}), "messageIds"),
            (json!({"messageIds": ["a", " "]}), "messageIds"),
            (json!({"messageIds": ["x".repeat(256)]}), "messageIds"),
            (json!({"messageIds": too_many}), "messageIds"),
            (
                json!({"messageIds": ["a"], "reason": "permanent"}),
                "messageIds",
            ),
            (json!({"messageIds": ["a"], "all": true}), "all"),
        ] {
            assert_eq!(field_of(bad.clone()), [field], "{bad}");
        }
    }
}
