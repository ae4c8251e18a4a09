//! Shop settings: configuration values, order states, currencies, languages, customer groups.

use chrono::NaiveDateTime;

/// One `ps_configuration` row.
#[derive(Debug, Clone, PartialEq)]
pub struct Configuration {
    pub id: u32,
    pub name: String,
    pub value: String,
    pub date_add: NaiveDateTime,
    pub date_upd: NaiveDateTime,
}

/// One order state (`ps_order_state`).
#[derive(Debug, Clone, PartialEq)]
pub struct OrderState {
    pub id: u32,
    pub name: String,
    pub template: String,
    pub color: String,
    pub module_name: String,
    pub send_email: bool,
    pub invoice: bool,
    pub logable: bool,
    pub paid: bool,
    pub hidden: bool,
    pub unremovable: bool,
    pub deleted: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Currency {
    pub id: u32,
    pub iso_code: String,
    pub name: String,
    pub sign: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CustomerGroup {
    pub id: u32,
    pub name: String,
}

/// The install's order states (`install/data/xml/order_state.xml`, in id order).
pub fn install_order_states() -> Vec<OrderState> {
    // (id, name, template, color, send_email, invoice, logable, paid)
    type Row = (
        u32,
        &'static str,
        &'static str,
        &'static str,
        bool,
        bool,
        bool,
        bool,
    );
    let rows: [Row; 12] = [
        (
            1,
            "Awaiting payment",
            "awaiting_payment",
            "#4169E1",
            true,
            false,
            false,
            false,
        ),
        (
            2,
            "Complete payment received",
            "payment",
            "#32CD32",
            true,
            true,
            true,
            true,
        ),
        (
            3,
            "Processing in progress",
            "preparation",
            "#FF8C00",
            true,
            true,
            true,
            true,
        ),
        (
            4,
            "Canceled",
            "order_canceled",
            "#DC143C",
            true,
            false,
            false,
            false,
        ),
        (5, "Refunded", "refund", "#ec2e15", true, true, false, true),
        (
            6,
            "Payment error",
            "payment_error",
            "#8f0621",
            true,
            false,
            false,
            false,
        ),
        (
            7,
            "Overbooking (Paid)",
            "",
            "#FF69B4",
            false,
            true,
            true,
            true,
        ),
        (
            8,
            "Partial payment received",
            "partial_payment",
            "#108510",
            true,
            true,
            true,
            true,
        ),
        (
            9,
            "Awaiting remote payment",
            "awaiting_remote_payment",
            "#4169E1",
            true,
            false,
            false,
            false,
        ),
        (
            10,
            "Remote payment accepted",
            "payment",
            "#32CD32",
            true,
            true,
            true,
            true,
        ),
        (
            11,
            "Overbooking (Not paid)",
            "",
            "#FF69B4",
            false,
            false,
            false,
            false,
        ),
        (
            12,
            "Overbooking (Partial payment)",
            "",
            "#FF69B4",
            false,
            true,
            true,
            true,
        ),
    ];
    rows.into_iter()
        .map(
            |(id, name, template, color, send_email, invoice, logable, paid)| OrderState {
                id,
                name: name.to_owned(),
                template: template.to_owned(),
                color: color.to_owned(),
                module_name: String::new(),
                send_email,
                invoice,
                logable,
                paid,
                hidden: false,
                unremovable: true,
                deleted: false,
            },
        )
        .collect()
}

/// Install-default configuration values the sync reads (`install/data/xml/configuration.xml`).
pub fn install_configuration(timezone: &str, shop_domain: &str) -> Vec<(String, String)> {
    let pairs: [(&str, &str); 28] = [
        ("PS_LANG_DEFAULT", "1"),
        ("PS_CURRENCY_DEFAULT", "1"),
        ("PS_COUNTRY_DEFAULT", "21"),
        ("PS_SHOP_NAME", "QloApps"),
        ("PS_SHOP_EMAIL", "pub@qloapps.com"),
        ("PS_WEBSERVICE", "1"),
        ("PS_TAX", "1"),
        ("PS_ROUND_TYPE", "2"),
        ("PS_PRICE_ROUND_MODE", "2"),
        ("PS_ONE_PHONE_AT_LEAST", "1"),
        ("PS_GROUP_FEATURE_ACTIVE", "1"),
        ("PS_UNIDENTIFIED_GROUP", "1"),
        ("PS_GUEST_GROUP", "2"),
        ("PS_CUSTOMER_GROUP", "3"),
        ("PS_OS_AWAITING_PAYMENT", "1"),
        ("PS_OS_PAYMENT_ACCEPTED", "2"),
        ("PS_OS_PROCESSING", "3"),
        ("PS_OS_CANCELED", "4"),
        ("PS_OS_REFUND", "5"),
        ("PS_OS_ERROR", "6"),
        ("PS_OS_OVERBOOKING_PAID", "7"),
        ("PS_OS_PARTIAL_PAYMENT_ACCEPTED", "8"),
        ("PS_OS_AWAITING_REMOTE_PAYMENT", "9"),
        ("PS_OS_REMOTE_PAYMENT_ACCEPTED", "10"),
        ("PS_OS_OVERBOOKING_UNPAID", "11"),
        ("PS_OS_OVERBOOKING_PARTIAL_PAID", "12"),
        (
            "HTL_FEATURE_PRICING_PRIORITY",
            "specific_date;special_day;date_range",
        ),
        ("PS_VERSION_DB", "1.6.1.23"),
    ];
    let mut out: Vec<(String, String)> = pairs
        .iter()
        .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
        .collect();
    out.push(("PS_TIMEZONE".to_owned(), timezone.to_owned()));
    out.push(("PS_SHOP_DOMAIN".to_owned(), shop_domain.to_owned()));
    out.push(("PS_SHOP_DOMAIN_SSL".to_owned(), shop_domain.to_owned()));
    out
}
