//! `POST bookings`: validate, match or create the customer, choose rooms, price, place the
//! order, answer 200 with the GET shape.

use rust_decimal::Decimal;

use super::input::{BookingRequest, CustomerDetail};
use super::plan::{target_state, validate_common, validate_stays, Assigner};
use crate::booking::{place_order, random_hex, NewOrder};
use crate::pricing::tax_of;
use crate::render::WsError;
use crate::state::{Customer, GuestDetail, Shop};
use crate::values::{parse_date, parse_datetime};

/// Creates the booking; returns the order id.
pub fn create(shop: &mut Shop, req: &BookingRequest) -> Result<u32, WsError> {
    let id_hotel = validate_common(shop, req)?;
    let currency = req
        .currency
        .as_deref()
        .and_then(|c| shop.currency_by_iso(c))
        .map(|c| c.id)
        .ok_or_else(|| WsError::booking("Please provide valid currency."))?;
    let detail = validate_customer(shop, req)?;
    let stays = validate_stays(shop, id_hotel, req)?;
    let existing = detail
        .id_customer
        .and_then(|id| shop.customers.get(id))
        .or_else(|| {
            detail
                .email
                .as_deref()
                .and_then(|e| shop.customers.find_by_email(e))
        })
        .cloned();
    let groups = existing
        .as_ref()
        .map(|c| c.groups.clone())
        .unwrap_or_else(|| vec![shop.config_id("PS_CUSTOMER_GROUP", 3)]);
    let mut assigner = Assigner::default();
    let mut lines = Vec::new();
    for stay in &stays {
        let count = usize::try_from(stay.number_of_rooms).unwrap_or(0);
        lines.extend(assigner.assign(shop, stay, 0, count, &groups)?);
    }
    // Everything is valid: from here on the request writes.
    let id_customer = match existing {
        Some(c) => c.id,
        None => create_customer(shop, &detail),
    };
    let total_excl: Decimal = lines.iter().map(|l| l.price_excl).sum();
    let total_incl = total_excl + lines.iter().map(|l| tax_of(l.price_excl)).sum::<Decimal>();
    let paid = req.total_paid.unwrap_or(Decimal::ZERO).max(Decimal::ZERO);
    let state = target_state(shop, req, total_incl, paid);
    let payment_type = match req
        .payment_type
        .as_deref()
        .map(str::to_lowercase)
        .as_deref()
    {
        Some("online") => 1,
        Some("remote") => 3,
        _ => 2,
    };
    let date_add = req.booking_date.as_deref().and_then(|d| {
        parse_datetime(d).or_else(|| parse_date(d).and_then(|d| d.and_hms_opt(0, 0, 0)))
    });
    let source = req.source.clone().unwrap_or_else(|| shop.shop_domain());
    let id = place_order(
        shop,
        NewOrder {
            id_customer,
            id_hotel,
            id_currency: currency,
            id_lang: req.id_language.unwrap_or(1),
            source,
            payment: req
                .payment_method
                .clone()
                .unwrap_or_else(|| "Order from API".to_owned()),
            payment_type,
            transaction_id: req.transaction_id.clone(),
            remarks: req.remark.clone().into_iter().collect(),
            guest: GuestDetail {
                firstname: detail.firstname.clone().unwrap_or_default(),
                lastname: detail.lastname.clone().unwrap_or_default(),
                email: detail.email.clone().unwrap_or_default(),
                phone: detail.phone.clone().unwrap_or_default(),
            },
            lines,
            total_paid: paid,
            state,
            date_add,
        },
    );
    Ok(id)
}

fn validate_customer(shop: &Shop, req: &BookingRequest) -> Result<CustomerDetail, WsError> {
    let detail = req
        .customer
        .clone()
        .ok_or_else(|| WsError::booking("Customer details (customer_detail) are missing."))?;
    if let Some(id) = detail.id_customer {
        if shop.customers.get(id).is_none() {
            return Err(WsError::booking("Invalid customer id (id_customer)."));
        }
    }
    if detail.firstname.is_none() {
        return Err(WsError::booking("Invalid customer first name (firstname)."));
    }
    if detail.lastname.is_none() {
        return Err(WsError::booking("Invalid customer last name (lastname)."));
    }
    if !detail.email.as_deref().is_some_and(|e| e.contains('@')) {
        return Err(WsError::booking("Invalid customer email (email)."));
    }
    if shop.config("PS_ONE_PHONE_AT_LEAST") == Some("1") && detail.phone.is_none() {
        return Err(WsError::booking(
            "Customer phone number (phone) is required.",
        ));
    }
    Ok(detail)
}

fn create_customer(shop: &mut Shop, detail: &CustomerDetail) -> u32 {
    let now = shop.now();
    let group = shop.config_id("PS_CUSTOMER_GROUP", 3);
    shop.customers.insert(Customer {
        id: 0,
        firstname: detail.firstname.clone().unwrap_or_default(),
        lastname: detail.lastname.clone().unwrap_or_default(),
        email: detail.email.clone().unwrap_or_default(),
        phone: detail.phone.clone().unwrap_or_default(),
        passwd: format!("$2y$10${}", random_hex(53)),
        secure_key: random_hex(32),
        id_default_group: group,
        groups: vec![group],
        id_lang: 1,
        id_gender: 0,
        birthday: "0000-00-00".to_owned(),
        newsletter: false,
        optin: false,
        active: true,
        is_guest: false,
        deleted: false,
        company: String::new(),
        note: String::new(),
        date_add: now,
        date_upd: now,
    })
}
