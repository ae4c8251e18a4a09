//! Generic (ObjectModel) resource reads: validation of the query against the resource's
//! fields, candidate selection through indexes, filtering, sorting, paging and rendering.

use std::cmp::Ordering;

use http::StatusCode;
use serde_json::{json, Map, Value};

use crate::filters::{compare, value_text, Display, Query, SortKey};
use crate::render::{Reply, WsError};
use crate::state::Shop;

/// How a field may be used in queries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    Plain,
    /// Computed by a getter: displayable, not filterable (400 code 34).
    Getter,
    /// Translated: a string with `language=ID`, else `[{"id":"1","value":..}]`.
    I18n,
}

#[derive(Debug, Clone, Copy)]
pub struct FieldDef {
    pub name: &'static str,
    pub kind: FieldKind,
}

pub const fn plain(name: &'static str) -> FieldDef {
    FieldDef {
        name,
        kind: FieldKind::Plain,
    }
}

pub const fn getter(name: &'static str) -> FieldDef {
    FieldDef {
        name,
        kind: FieldKind::Getter,
    }
}

pub const fn i18n(name: &'static str) -> FieldDef {
    FieldDef {
        name,
        kind: FieldKind::I18n,
    }
}

/// The order in which candidate ids come.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CandidateOrder {
    IdAsc,
    /// By `(date_upd, id)` ascending.
    DateUpdAsc,
}

/// Ids to examine, possibly narrowed by an index.
pub struct Candidates<'a> {
    pub ids: Box<dyn Iterator<Item = u32> + 'a>,
    pub order: CandidateOrder,
}

/// A generic resource as the webservice lists it.
pub trait Listing {
    type Row<'a>;
    /// JSON node names (`booking` / `bookings`).
    const SINGULAR: &'static str;
    const PLURAL: &'static str;
    /// Fields in the resource's declaration order (the order of the output); `id` first.
    const FIELDS: &'static [FieldDef];

    fn all_ids(shop: &Shop) -> Box<dyn Iterator<Item = u32> + '_>;
    fn row(shop: &Shop, id: u32) -> Option<Self::Row<'_>>;
    /// A field's value with the real server's JSON type (i18n fields as a plain string).
    fn value(shop: &Shop, row: &Self::Row<'_>, field: &str) -> Value;
    /// Non-empty associations only.
    fn associations(_shop: &Shop, _row: &Self::Row<'_>) -> Map<String, Value> {
        Map::new()
    }
    /// An index that narrows the ids for this query, if any.
    fn candidates<'a>(_shop: &'a Shop, _query: &Query) -> Option<Candidates<'a>> {
        None
    }
}

fn field_names<L: Listing>() -> String {
    L::FIELDS
        .iter()
        .map(|f| format!("\"{}\"", f.name))
        .collect::<Vec<_>>()
        .join(", ")
}

fn field_kind<L: Listing>(name: &str) -> Option<FieldKind> {
    L::FIELDS.iter().find(|f| f.name == name).map(|f| f.kind)
}

fn is_date_field(name: &str) -> bool {
    name == "date_add" || name == "date_upd"
}

/// Checks filters, sort and display against the fields, applying the `date=1` rule.
pub fn validate<L: Listing>(query: &Query) -> Result<(), WsError> {
    for f in &query.filters {
        let known = field_kind::<L>(&f.field);
        if known.is_none() || (is_date_field(&f.field) && !query.date) {
            return Err(WsError::bad_request(
                32,
                format!(
                    "This filter does not exist. Did you mean: \"{}\"? The full list is: {}",
                    crate::resources::closest(&f.field, L::FIELDS.iter().map(|f| f.name)),
                    field_names::<L>()
                ),
            ));
        }
        if known == Some(FieldKind::Getter) {
            return Err(WsError::bad_request(
                34,
                format!(
                    "The field \"{}\" is dynamic. It is not possible to filter GET query with this field.",
                    f.field
                ),
            ));
        }
    }
    for key in &query.sort {
        let known = field_kind::<L>(&key.field);
        if known.is_none() || (is_date_field(&key.field) && !query.date) {
            return Err(WsError::bad_request(
                38,
                format!(
                    "Unable to filter by this field. However, these are available: {}",
                    field_names::<L>()
                ),
            ));
        }
    }
    if let Display::Fields(fields) = &query.display {
        for name in fields {
            if name != "associations" && field_kind::<L>(name).is_none() {
                return Err(WsError::bad_request(
                    35,
                    format!(
                        "Unable to display this field \"{name}\". However, these are available: {}",
                        field_names::<L>()
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// `GET /api/RESOURCE?...`.
pub fn list<L: Listing>(shop: &Shop, query: &Query) -> Result<Reply, WsError> {
    validate::<L>(query)?;
    let ids = select::<L>(shop, query, None);
    Ok(render_list::<L>(shop, query, &ids))
}

/// `GET /api/RESOURCE/ID[?display=..]`: the single object, or the list form with `display`.
pub fn get_one<L: Listing>(shop: &Shop, query: &Query, id: u32) -> Result<Reply, WsError> {
    validate::<L>(query)?;
    let Some(row) = L::row(shop, id) else {
        return Ok(Reply::empty(StatusCode::NOT_FOUND));
    };
    if query.display != Display::IdsOnly {
        let ids = select::<L>(shop, query, Some(id));
        return Ok(render_list::<L>(shop, query, &ids));
    }
    let object = render_row::<L>(shop, &row, id, &Display::Full, query);
    Ok(Reply::ok(json!({ L::SINGULAR: object })))
}

fn render_list<L: Listing>(shop: &Shop, query: &Query, ids: &[u32]) -> Reply {
    if ids.is_empty() {
        return Reply::ok(json!([]));
    }
    let items: Vec<Value> = ids
        .iter()
        .filter_map(|id| L::row(shop, *id).map(|row| (id, row)))
        .map(|(id, row)| render_row::<L>(shop, &row, *id, &query.display, query))
        .collect();
    Reply::ok(json!({ L::PLURAL: items }))
}

/// Renders one object for the given display.
pub fn render_row<L: Listing>(
    shop: &Shop,
    row: &L::Row<'_>,
    id: u32,
    display: &Display,
    query: &Query,
) -> Value {
    let mut map = Map::new();
    match display {
        Display::IdsOnly => {
            map.insert("id".into(), json!(id));
        }
        Display::Full | Display::Fields(_) => {
            let wanted = |name: &str| match display {
                Display::Fields(fields) => fields.iter().any(|f| f == name),
                _ => true,
            };
            for f in L::FIELDS.iter().filter(|f| wanted(f.name)) {
                let mut v = L::value(shop, row, f.name);
                if f.kind == FieldKind::I18n && !(query.single_language || shop.single_language) {
                    v = json!([{ "id": "1", "value": v }]);
                }
                map.insert(f.name.into(), v);
            }
            if matches!(display, Display::Full) || wanted("associations") {
                let assoc = L::associations(shop, row);
                if !assoc.is_empty() {
                    map.insert("associations".into(), Value::Object(assoc));
                }
            }
        }
    }
    Value::Object(map)
}

/// Filters, sorts and pages; streams over an index when its order matches the sort.
fn select<L: Listing>(shop: &Shop, query: &Query, only: Option<u32>) -> Vec<u32> {
    let candidates = match only {
        Some(id) => Candidates {
            ids: Box::new(std::iter::once(id)),
            order: CandidateOrder::IdAsc,
        },
        None => L::candidates(shop, query)
            .or_else(|| {
                id_filter(query).map(|ids| Candidates {
                    ids: Box::new(ids.into_iter()),
                    order: CandidateOrder::IdAsc,
                })
            })
            .unwrap_or_else(|| Candidates {
                ids: L::all_ids(shop),
                order: CandidateOrder::IdAsc,
            }),
    };
    let passes = |id: u32| -> bool {
        let Some(row) = L::row(shop, id) else {
            return false;
        };
        query
            .filters
            .iter()
            .all(|f| f.op.matches(&L::value(shop, &row, &f.field)))
    };
    let (offset, count) = query.limit.unwrap_or((0, usize::MAX));
    if streams_in_order(&query.sort, candidates.order) {
        return candidates
            .ids
            .filter(|id| passes(*id))
            .skip(offset)
            .take(count)
            .collect();
    }
    let mut keyed: Vec<(Vec<String>, u32)> = candidates
        .ids
        .filter(|id| passes(*id))
        .map(|id| {
            let keys = L::row(shop, id)
                .map(|row| {
                    query
                        .sort
                        .iter()
                        .map(|k| value_text(&L::value(shop, &row, &k.field)))
                        .collect()
                })
                .unwrap_or_default();
            (keys, id)
        })
        .collect();
    keyed.sort_by(|(ka, ia), (kb, ib)| {
        for (i, key) in query.sort.iter().enumerate() {
            let ord = compare(&ka[i], &kb[i]);
            let ord = if key.descending { ord.reverse() } else { ord };
            if ord != Ordering::Equal {
                return ord;
            }
        }
        ia.cmp(ib)
    });
    keyed
        .into_iter()
        .map(|(_, id)| id)
        .skip(offset)
        .take(count)
        .collect()
}

fn streams_in_order(sort: &[SortKey], order: CandidateOrder) -> bool {
    let asc = |k: &SortKey, name: &str| k.field == name && !k.descending;
    match (order, sort) {
        (CandidateOrder::IdAsc, []) => true,
        (CandidateOrder::IdAsc, [k]) => asc(k, "id"),
        (CandidateOrder::DateUpdAsc, [k]) => asc(k, "date_upd"),
        (CandidateOrder::DateUpdAsc, [k1, k2]) => asc(k1, "date_upd") && asc(k2, "id"),
        _ => false,
    }
}

/// Ids named by a `filter[id]` equality list, ascending, if the query has one.
pub fn id_filter(query: &Query) -> Option<Vec<u32>> {
    query
        .filters
        .iter()
        .find_map(|f| match (&f.field[..], &f.op) {
            ("id", crate::filters::FilterOp::AnyOf(alts)) => {
                let mut ids: Vec<u32> = alts.iter().filter_map(|a| a.trim().parse().ok()).collect();
                ids.sort_unstable();
                ids.dedup();
                Some(ids)
            }
            _ => None,
        })
}
