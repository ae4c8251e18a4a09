//! `configurations` (`ps_configuration`): name/value pairs such as `PS_OS_CANCELED`.

use serde_json::{json, Value};

use crate::listing::{plain, FieldDef, Listing};
use crate::state::{Configuration, Shop};
use crate::values::datetime_value;

pub struct Configurations;

const FIELDS: &[FieldDef] = &[
    plain("id"),
    plain("value"),
    plain("name"),
    plain("id_shop_group"),
    plain("id_shop"),
    plain("date_add"),
    plain("date_upd"),
];

impl Listing for Configurations {
    type Row<'a> = &'a Configuration;
    const SINGULAR: &'static str = "configuration";
    const PLURAL: &'static str = "configurations";
    const FIELDS: &'static [FieldDef] = FIELDS;

    fn all_ids(shop: &Shop) -> Box<dyn Iterator<Item = u32> + '_> {
        let mut ids: Vec<u32> = shop.configurations.iter().map(|c| c.id).collect();
        ids.sort_unstable();
        Box::new(ids.into_iter())
    }

    fn row(shop: &Shop, id: u32) -> Option<&Configuration> {
        shop.configurations.iter().find(|c| c.id == id)
    }

    fn value(_shop: &Shop, c: &&Configuration, field: &str) -> Value {
        match field {
            "id" => json!(c.id),
            "value" => json!(c.value),
            "name" => json!(c.name),
            "id_shop_group" | "id_shop" => Value::Null,
            "date_add" => datetime_value(c.date_add),
            "date_upd" => datetime_value(c.date_upd),
            _ => Value::Null,
        }
    }
}
