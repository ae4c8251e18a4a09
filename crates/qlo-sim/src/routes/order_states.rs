//! `order_states` (`classes/order/OrderState.php`), read-only.

use serde_json::{json, Value};

use crate::listing::{i18n, plain, FieldDef, Listing};
use crate::state::{OrderState, Shop};
use crate::values::flag;

pub struct OrderStates;

const FIELDS: &[FieldDef] = &[
    plain("id"),
    plain("unremovable"),
    plain("delivery"),
    plain("hidden"),
    plain("send_email"),
    plain("module_name"),
    plain("invoice"),
    plain("color"),
    plain("logable"),
    plain("shipped"),
    plain("paid"),
    plain("pdf_delivery"),
    plain("pdf_invoice"),
    plain("deleted"),
    i18n("name"),
    i18n("template"),
];

impl Listing for OrderStates {
    type Row<'a> = &'a OrderState;
    const SINGULAR: &'static str = "order_state";
    const PLURAL: &'static str = "order_states";
    const FIELDS: &'static [FieldDef] = FIELDS;

    fn all_ids(shop: &Shop) -> Box<dyn Iterator<Item = u32> + '_> {
        let mut ids: Vec<u32> = shop.order_states.iter().map(|s| s.id).collect();
        ids.sort_unstable();
        Box::new(ids.into_iter())
    }

    fn row(shop: &Shop, id: u32) -> Option<&OrderState> {
        shop.order_state(id)
    }

    fn value(_shop: &Shop, s: &&OrderState, field: &str) -> Value {
        match field {
            "id" => json!(s.id),
            "unremovable" => flag(s.unremovable),
            "delivery" | "shipped" | "pdf_delivery" => json!(0),
            "hidden" => flag(s.hidden),
            "send_email" => flag(s.send_email),
            "module_name" => json!(s.module_name),
            "invoice" | "pdf_invoice" => flag(s.invoice),
            "color" => json!(s.color),
            "logable" => flag(s.logable),
            "paid" => flag(s.paid),
            "deleted" => flag(s.deleted),
            "name" => json!(s.name),
            "template" => json!(s.template),
            _ => Value::Null,
        }
    }
}
