//! `orders`, `room_bookings`, `configurations` and `order_histories`.

use chrono::{NaiveDate, NaiveDateTime};
use http::Method;

use crate::client::{any_of, display, filter_value, QloClient, BATCH};
use crate::error::Error;
use crate::models::lenient::DATETIME_FORMAT;
use crate::models::orders::{
    ConfigurationValue, Order, OrderStates, RoomBookingLine, ShopConfiguration,
    CONFIGURATION_NAMES, ORDER_FIELDS, ROOM_BOOKING_FIELDS,
};
use crate::retry::Idempotency;
use crate::transport::{Body, Request};
use crate::xml::XmlBody;

impl QloClient {
    /// One page of orders whose `date_upd` ≥ `since` (inclusive), oldest first, ties by id
    /// (`date=1`, `sort=[date_upd_ASC,id_ASC]`, `limit=offset,count`). `date_upd` has second
    /// resolution, so callers page by offset and dedupe on (`id`, `date_upd`).
    pub async fn orders_modified_since(
        &self,
        since: NaiveDateTime,
        offset: u32,
        limit: u32,
    ) -> Result<Vec<Order>, Error> {
        let range = format!("[{},2099-12-31 23:59:59]", since.format(DATETIME_FORMAT));
        let request = Request::get("orders")
            .query("display", display(ORDER_FIELDS))
            .query("date", "1")
            .query("filter[date_upd]", range)
            .query("sort", "[date_upd_ASC,id_ASC]")
            .query("limit", format!("{offset},{limit}"));
        self.send(&request).await?.list("orders", "orders")
    }

    /// The orders with these ids, in one call per 200 ids (`filter[id]=[a|b|c]`).
    pub async fn orders_by_ids(&self, ids: &[u64]) -> Result<Vec<Order>, Error> {
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(BATCH) {
            let request = Request::get("orders")
                .query("display", display(ORDER_FIELDS))
                .query("filter[id]", any_of(chunk));
            out.extend(
                self.send(&request)
                    .await?
                    .list::<Order>("orders", "orders")?,
            );
        }
        Ok(out)
    }

    /// One order (read through the list form, so `secure_key` is never fetched).
    pub async fn order(&self, id: u64) -> Result<Order, Error> {
        self.orders_by_ids(&[id])
            .await?
            .into_iter()
            .find(|o| o.id == id)
            .ok_or_else(|| Error::NotFound {
                resource: "orders".to_owned(),
                id: Some(id.to_string()),
            })
    }

    /// The orders whose `source` is exactly `source`, oldest first.
    pub async fn orders_by_source(&self, source: &str) -> Result<Vec<Order>, Error> {
        let source = filter_value("orders", "source", source)?;
        let request = Request::get("orders")
            .query("display", display(ORDER_FIELDS))
            .query("filter[source]", format!("[{source}]"))
            .query("sort", "[id_ASC]");
        let mut orders: Vec<Order> = self.send(&request).await?.list("orders", "orders")?;
        // `[x]` is an equality in QloApps; keep exact matches only, in case a server compares
        // case-insensitively (MySQL collations do).
        orders.retain(|o| o.source == source);
        orders.sort_by_key(|o| o.id);
        Ok(orders)
    }

    /// The order created with idempotency `source`, if any (the oldest if several).
    pub async fn find_order_by_source(&self, source: &str) -> Result<Option<Order>, Error> {
        Ok(self.orders_by_source(source).await?.into_iter().next())
    }

    /// The room lines of these orders, in one call per 200 orders (`filter[id_order]=[a|b]`).
    pub async fn room_bookings_by_orders(
        &self,
        order_ids: &[u64],
    ) -> Result<Vec<RoomBookingLine>, Error> {
        let mut out = Vec::new();
        for chunk in order_ids.chunks(BATCH) {
            let request = Request::get("room_bookings")
                .query("display", display(ROOM_BOOKING_FIELDS))
                .query("filter[id_order]", any_of(chunk));
            // `room_bookings` uses the node name `bookings`.
            out.extend(
                self.send(&request)
                    .await?
                    .list::<RoomBookingLine>("room_bookings", "bookings")?,
            );
        }
        Ok(out)
    }

    /// One page of the room lines of `hotel` whose stay covers a night of `first ..= last`
    /// (`date_from <= last` and `date_to > first`, i.e. `date_to >= first + 1`), by id
    /// (`date=1`, `display=[id,id_order,id_hotel]`, `sort=[id_ASC]`, `limit=offset,count`).
    /// A reconciliation unions their `id_order`s to list the orders staying in a window.
    pub async fn room_lines_staying(
        &self,
        hotel: u64,
        first: NaiveDate,
        last: NaiveDate,
        offset: u32,
        limit: u32,
    ) -> Result<Vec<RoomBookingLine>, Error> {
        let after_first = first.succ_opt().unwrap_or(first);
        let request = Request::get("room_bookings")
            .query("display", "[id,id_order,id_hotel]")
            .query("date", "1")
            .query("filter[id_hotel]", format!("[{hotel}]"))
            .query(
                "filter[date_from]",
                format!("[1970-01-01 00:00:00,{last} 00:00:00]"),
            )
            .query(
                "filter[date_to]",
                format!("[{after_first} 00:00:00,2099-12-31 23:59:59]"),
            )
            .query("sort", "[id_ASC]")
            .query("limit", format!("{offset},{limit}"));
        self.send(&request)
            .await?
            .list::<RoomBookingLine>("room_bookings", "bookings")
    }

    /// Order state ids (`PS_OS_*`) and `PS_TIMEZONE`, in one `configurations` call; the answer
    /// also refreshes what [`Self::cached_shop_configuration`] returns.
    pub async fn shop_configuration(&self) -> Result<ShopConfiguration, Error> {
        let shop = self.read_shop_configuration().await?;
        if let Ok(mut cached) = self.inner.shop.write() {
            *cached = Some(shop.clone());
        }
        Ok(shop)
    }

    async fn read_shop_configuration(&self) -> Result<ShopConfiguration, Error> {
        let request = Request::get("configurations")
            .query("display", "[name,value]")
            .query("filter[name]", any_of(CONFIGURATION_NAMES));
        let rows: Vec<ConfigurationValue> = self
            .send(&request)
            .await?
            .list("configurations", "configurations")?;
        let get = |name: &str| {
            rows.iter()
                .find(|r| r.name == name)
                .map(|r| r.value.trim().to_owned())
        };
        let state = |name: &'static str| -> Result<u32, Error> {
            get(name)
                .and_then(|v| v.parse::<u32>().ok())
                .filter(|v| *v > 0)
                .ok_or_else(|| Error::Decode {
                    resource: "configurations".to_owned(),
                    message: format!("{name} is missing or not an order state id"),
                })
        };
        Ok(ShopConfiguration {
            order_states: OrderStates {
                canceled: state("PS_OS_CANCELED")?,
                refund: state("PS_OS_REFUND")?,
                payment_accepted: state("PS_OS_PAYMENT_ACCEPTED")?,
                awaiting_payment: state("PS_OS_AWAITING_PAYMENT")?,
                partial_payment_accepted: state("PS_OS_PARTIAL_PAYMENT_ACCEPTED")?,
                error: state("PS_OS_ERROR")?,
            },
            timezone: get("PS_TIMEZONE")
                .filter(|t| !t.is_empty())
                .unwrap_or_else(|| "UTC".to_owned()),
        })
    }

    /// [`Self::shop_configuration`] as last read by this client (read now if never).
    pub async fn cached_shop_configuration(&self) -> Result<ShopConfiguration, Error> {
        let cached = self.inner.shop.read().ok().and_then(|c| c.clone());
        match cached {
            Some(shop) => Ok(shop),
            None => self.shop_configuration().await,
        }
    }

    /// Adds an order history (`POST order_histories`, XML, 201): moves the order to `state_id`.
    /// Sent once; the caller verifies when the outcome is unknown.
    pub(crate) async fn post_order_history(
        &self,
        order_id: u64,
        state_id: u32,
    ) -> Result<(), Error> {
        let mut xml = XmlBody::new("order_histories")?;
        xml.open("order_history")?
            .field("id_order", order_id)?
            .field("id_order_state", state_id)?
            .close("order_history")?;
        let body = Body::xml(xml.finish()?);
        let request = Request::write(
            Method::POST,
            "order_histories",
            body,
            Idempotency::NonIdempotent,
        );
        self.send(&request).await?;
        Ok(())
    }
}
