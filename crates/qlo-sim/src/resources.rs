//! The resource names of a stock QloApps 1.6.1 and the `GET /api/` resource list.

use serde_json::{json, Value};

/// Every resource of `WebserviceRequest::getResources` plus the hotel module's, sorted.
pub const ALL_RESOURCES: [&str; 84] = [
    "addresses",
    "advance_payments",
    "booking_extra_demands",
    "bookings",
    "carriers",
    "cart_bookings",
    "cart_rules",
    "carts",
    "categories",
    "combinations",
    "configurations",
    "contacts",
    "content_management_system",
    "countries",
    "currencies",
    "customer_messages",
    "customer_threads",
    "customers",
    "customizations",
    "deliveries",
    "demand_advance_options",
    "employees",
    "extra_demands",
    "extra_services",
    "feature_prices",
    "groups",
    "guests",
    "hotel_ari",
    "hotel_features",
    "hotel_refund_rules",
    "hotel_room_types",
    "hotel_rooms",
    "hotels",
    "image_types",
    "images",
    "languages",
    "manufacturers",
    "order_carriers",
    "order_details",
    "order_discounts",
    "order_histories",
    "order_invoices",
    "order_payments",
    "order_slip",
    "order_states",
    "orders",
    "price_ranges",
    "product_customization_fields",
    "product_suppliers",
    "qlo",
    "room_bookings",
    "room_type_feature_values",
    "room_type_features",
    "room_type_option_values",
    "room_type_options",
    "room_types",
    "search",
    "services",
    "shop_groups",
    "shop_urls",
    "shops",
    "specific_price_rules",
    "specific_prices",
    "states",
    "stock_availables",
    "stock_movement_reasons",
    "stock_movements",
    "stocks",
    "stores",
    "suppliers",
    "supply_order_details",
    "supply_order_histories",
    "supply_order_receipt_histories",
    "supply_order_states",
    "supply_orders",
    "tags",
    "tax_rule_groups",
    "tax_rules",
    "taxes",
    "translated_configurations",
    "warehouse_product_locations",
    "warehouses",
    "weight_ranges",
    "zones",
];

pub fn is_known(name: &str) -> bool {
    ALL_RESOURCES.binary_search(&name).is_ok()
}

/// The resources `GET /api/` lists for a key (sorted, like `ksort`).
pub fn list_json(allowed: Option<&[String]>) -> Value {
    let names: Vec<&str> = ALL_RESOURCES
        .iter()
        .copied()
        .filter(|n| allowed.is_none_or(|a| a.iter().any(|x| x == n)))
        .collect();
    json!(names)
}

/// The XML resource list (`<api shopName=..>` with one element per resource).
pub fn list_xml(allowed: Option<&[String]>, base_url: &str, shop_name: &str) -> String {
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<qloapps xmlns:xlink=\"http://www.w3.org/1999/xlink\">\n<api shopName=\"{shop_name}\">\n"
    );
    for name in ALL_RESOURCES
        .iter()
        .filter(|n| allowed.is_none_or(|a| a.iter().any(|x| x == *n)))
    {
        let (put, post, delete) = match *name {
            "bookings" => (true, true, false),
            "hotel_ari" => (false, true, false),
            "search" => (false, false, false),
            _ => (true, true, true),
        };
        out.push_str(&format!(
            "<{name} xlink:href=\"{base_url}/{name}\" get=\"true\" put=\"{put}\" post=\"{post}\" delete=\"{delete}\" head=\"true\">\n<description xlink:href=\"{base_url}/{name}\" get=\"true\" put=\"{put}\" post=\"{post}\" delete=\"{delete}\" head=\"true\">The {desc}</description>\n<schema xlink:href=\"{base_url}/{name}?schema=blank\" type=\"blank\"/>\n<schema xlink:href=\"{base_url}/{name}?schema=synopsis\" type=\"synopsis\"/>\n</{name}>\n",
            desc = name.replace('_', " ")
        ));
    }
    out.push_str("</api>\n</qloapps>\n");
    out
}

/// The 400 code 27 message for an unknown resource, with PrestaShop's "did you mean".
pub fn unknown_resource_message(name: &str) -> String {
    let full = ALL_RESOURCES
        .iter()
        .map(|n| format!("\"{n}\""))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "Resource of type \"{name}\" does not exists. Did you mean: \"{}\"? The full list is: {full}",
        closest(name, ALL_RESOURCES.iter().copied())
    )
}

/// The candidate nearest to `name` by Levenshtein distance (the last one on ties, like
/// PrestaShop's loop with `<=`).
pub fn closest<'a>(name: &str, candidates: impl Iterator<Item = &'a str>) -> &'a str {
    let mut best = ("", usize::MAX);
    for c in candidates {
        let d = levenshtein(name, c);
        if d <= best.1 {
            best = (c, d);
        }
    }
    best.0
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_is_sorted_and_suggests_like_the_real_server() {
        let mut sorted = ALL_RESOURCES.to_vec();
        sorted.sort_unstable();
        assert_eq!(sorted, ALL_RESOURCES.to_vec());
        assert!(unknown_resource_message("nonexistent").contains("Did you mean: \"zones\""));
    }
}
