//! `orders` (`classes/order/Order.php`), read-only, indexed by id, `date_upd` and `source`.

use std::ops::Bound;

use chrono::NaiveDateTime;
use serde_json::{json, Map, Value};

use crate::filters::{FilterOp, Query};
use crate::listing::{id_filter, plain, CandidateOrder, Candidates, FieldDef, Listing};
use crate::state::{Order, Shop};
use crate::values::{datetime_value, flag, money, parse_date, parse_datetime};

pub struct Orders;

const FIELDS: &[FieldDef] = &[
    plain("id"),
    plain("id_address_delivery"),
    plain("id_address_invoice"),
    plain("id_address_tax"),
    plain("id_cart"),
    plain("id_currency"),
    plain("id_lang"),
    plain("id_customer"),
    plain("current_state"),
    plain("module"),
    plain("invoice_number"),
    plain("invoice_date"),
    plain("valid"),
    plain("date_add"),
    plain("date_upd"),
    plain("transaction_id"),
    plain("secure_key"),
    plain("payment"),
    plain("payment_type"),
    plain("total_discounts"),
    plain("total_discounts_tax_incl"),
    plain("total_discounts_tax_excl"),
    plain("total_paid"),
    plain("total_paid_tax_incl"),
    plain("total_paid_tax_excl"),
    plain("total_paid_real"),
    plain("total_products"),
    plain("total_products_wt"),
    plain("conversion_rate"),
    plain("source"),
    plain("reference"),
    plain("is_advance_payment"),
    plain("advance_paid_amount"),
    plain("with_occupancy"),
];

impl Listing for Orders {
    type Row<'a> = &'a Order;
    const SINGULAR: &'static str = "order";
    const PLURAL: &'static str = "orders";
    const FIELDS: &'static [FieldDef] = FIELDS;

    fn all_ids(shop: &Shop) -> Box<dyn Iterator<Item = u32> + '_> {
        Box::new(shop.orders.order_ids())
    }

    fn row(shop: &Shop, id: u32) -> Option<&Order> {
        shop.orders.order(id)
    }

    fn value(_shop: &Shop, o: &&Order, field: &str) -> Value {
        let zero = || money(rust_decimal::Decimal::ZERO);
        match field {
            "id" => json!(o.id),
            "id_address_delivery" | "id_address_invoice" | "invoice_number" => json!(0),
            "id_address_tax" => json!(o.id_hotel + 1),
            "id_cart" => json!(o.id_cart),
            "id_currency" => json!(o.id_currency),
            "id_lang" => json!(o.id_lang),
            "id_customer" => json!(o.id_customer),
            "current_state" => json!(o.current_state),
            "module" => json!(o.module),
            "invoice_date" => json!("0000-00-00 00:00:00"),
            "valid" => flag(o.valid),
            "date_add" => datetime_value(o.date_add),
            "date_upd" => datetime_value(o.date_upd),
            "transaction_id" => o.transaction_id.clone().map_or(Value::Null, Value::String),
            "secure_key" => json!(o.secure_key),
            "payment" => json!(o.payment),
            "payment_type" => json!(o.payment_type),
            "total_discounts" | "total_discounts_tax_incl" | "total_discounts_tax_excl" => zero(),
            "total_paid" | "total_paid_tax_incl" | "total_products_wt" | "advance_paid_amount" => {
                money(o.total_paid_tax_incl)
            }
            "total_paid_tax_excl" | "total_products" => money(o.total_paid_tax_excl),
            "total_paid_real" => money(o.total_paid_real),
            "conversion_rate" => money(rust_decimal::Decimal::ONE),
            "source" => json!(o.source),
            "reference" => json!(o.reference),
            "is_advance_payment" | "with_occupancy" => json!(0),
            _ => Value::Null,
        }
    }

    fn associations(shop: &Shop, o: &&Order) -> Map<String, Value> {
        let mut map = Map::new();
        let lines: Vec<Value> = shop
            .orders
            .line_ids_of_order(o.id)
            .into_iter()
            .map(|id| json!({ "id": id }))
            .collect();
        if !lines.is_empty() {
            map.insert("bookings".into(), Value::Array(lines));
        }
        map
    }

    fn candidates<'a>(shop: &'a Shop, query: &Query) -> Option<Candidates<'a>> {
        if let Some(ids) = id_filter(query) {
            return Some(Candidates {
                ids: Box::new(ids.into_iter()),
                order: CandidateOrder::IdAsc,
            });
        }
        for f in &query.filters {
            if let ("source", FilterOp::AnyOf(alts)) = (f.field.as_str(), &f.op) {
                let mut ids: Vec<u32> = alts
                    .iter()
                    .flat_map(|s| shop.orders.orders_with_source(s))
                    .collect();
                ids.sort_unstable();
                ids.dedup();
                return Some(Candidates {
                    ids: Box::new(ids.into_iter()),
                    order: CandidateOrder::IdAsc,
                });
            }
        }
        date_upd_range(query).map(|(lo, hi)| Candidates {
            ids: Box::new(
                shop.orders
                    .orders_by_date_upd()
                    .range((lo, hi))
                    .map(|(_, id)| *id),
            ),
            order: CandidateOrder::DateUpdAsc,
        })
    }
}

type Key = (NaiveDateTime, u32);

fn parse_bound(s: &str) -> Option<NaiveDateTime> {
    parse_datetime(s).or_else(|| parse_date(s).and_then(|d| d.and_hms_opt(0, 0, 0)))
}

/// The `(date_upd, id)` range a `date_upd` filter allows, if it can use the index.
pub fn date_upd_range(query: &Query) -> Option<(Bound<Key>, Bound<Key>)> {
    if !query.date {
        return None;
    }
    query.filters.iter().find_map(|f| {
        if f.field != "date_upd" {
            return None;
        }
        match &f.op {
            FilterOp::Between(a, b) => Some((
                Bound::Included((parse_bound(a)?, 0)),
                Bound::Included((parse_bound(b)?, u32::MAX)),
            )),
            FilterOp::Greater(a) => Some((
                Bound::Excluded((parse_bound(a)?, u32::MAX)),
                Bound::Unbounded,
            )),
            FilterOp::Less(b) => Some((Bound::Unbounded, Bound::Excluded((parse_bound(b)?, 0)))),
            _ => None,
        }
    })
}
