//! What a booking reconciliation reads: the QloApps orders of the scope with all their room
//! lines and customers, the reservations of the scope, and the counterpart of each (the
//! reservation of a listed order, the order of a listed reservation), so both sides are
//! complete whichever side moved out of the window.
//!
//! Calls for a window: one `room_bookings` listing per 500 lines staying in it, then per 200
//! orders one `orders`, one `room_bookings` and one `customers` read, and one `configurations`.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use qlo_client::{OrderStates, QloClient};
use sqlx::PgPool;

use super::compare::{PmsBooking, QloOrder};
use super::report::BookingScope;
use crate::db;
use crate::domain::order_source::OrderSource;
use crate::domain::{QloappsConfig, Reservation, ReservationId};
use crate::pull::{watermark, PullSettings};
use crate::sync_error::SyncError;

/// Room lines per listing page.
const LINES_PAGE: u32 = 500;
/// Orders per `orders_modified_since` page.
const ORDERS_PAGE: u32 = 100;

/// Both sides of a scope.
pub struct Snapshot {
    pub pms: Vec<PmsBooking>,
    pub orders: BTreeMap<u64, QloOrder>,
    pub states: OrderStates,
    pub qloapps_changed_since: Option<DateTime<Utc>>,
}

pub async fn read(
    pool: &PgPool,
    client: &QloClient,
    config: &QloappsConfig,
    scope: BookingScope,
) -> Result<Snapshot, SyncError> {
    let shop = client.shop_configuration().await?;
    let hotel = config.qloapps_hotel_id.get();
    let mut changed_since = None;
    let (mut order_ids, reservations): (BTreeSet<u64>, Vec<Reservation>) = match scope {
        BookingScope::Window { from, to } => (
            orders_staying(client, hotel, from, to).await?,
            db::reservations::staying_between(pool, config.property_id, from, to).await?,
        ),
        BookingScope::ChangedSinceLastSync { from, to } => {
            let zone = watermark::shop_zone(&shop.timezone);
            let previous = watermark::previous_pull(pool, config.id).await?;
            let ids = match previous.mark(zone) {
                Some(mark) => {
                    let since =
                        mark.window_start(PullSettings::default().overlap, zone, Utc::now());
                    changed_since = Some(watermark::to_utc(since, zone));
                    orders_changed_since(client, since).await?
                }
                None => orders_staying(client, hotel, from, to).await?,
            };
            let changed: Vec<ReservationId> = db::reservations::out_of_sync(pool, config.id)
                .await?
                .into_iter()
                .map(|(id, _)| id)
                .collect();
            (
                ids,
                db::reservations::get_reservations(pool, &changed).await?,
            )
        }
    };
    let mut known: HashSet<ReservationId> = reservations.iter().map(|r| r.id).collect();
    let mut reservations = reservations;
    let ids: Vec<ReservationId> = known.iter().copied().collect();
    let listed: Vec<i64> = order_ids
        .iter()
        .filter_map(|id| i64::try_from(*id).ok())
        .collect();
    let mut mappings =
        db::qloapps_reservation_mappings::of_reservations_or_orders(pool, config.id, &ids, &listed)
            .await?;
    order_ids.extend(mappings.iter().map(|m| m.qloapps_booking_id.get()));
    let ids: Vec<u64> = order_ids.iter().copied().collect();
    let orders = client.orders_by_ids(&ids).await?;
    // the reservations the orders stand for, wherever their stay is now
    let mut extra: Vec<ReservationId> = mappings
        .iter()
        .map(|m| m.local_reservation_id)
        .filter(|id| !known.contains(id))
        .collect();
    extra.extend(
        orders
            .iter()
            .filter_map(|o| match OrderSource::parse(&o.source).reservation() {
                Some(id) if !known.contains(&id) => Some(id),
                _ => None,
            }),
    );
    extra.sort_by_key(|id| id.0);
    extra.dedup();
    if !extra.is_empty() {
        let more = db::reservations::get_reservations(pool, &extra).await?;
        let more: Vec<Reservation> = more
            .into_iter()
            .filter(|r| r.property_id == config.property_id)
            .collect();
        let more_ids: Vec<ReservationId> = more.iter().map(|r| r.id).collect();
        let more_mappings = db::qloapps_reservation_mappings::of_reservations_or_orders(
            pool,
            config.id,
            &more_ids,
            &[],
        )
        .await?;
        for m in more_mappings {
            if !mappings.iter().any(|x| x.id == m.id) {
                mappings.push(m);
            }
        }
        known.extend(more_ids);
        reservations.extend(more);
    }
    let mut lines: HashMap<u64, Vec<qlo_client::RoomBookingLine>> = HashMap::new();
    let ids: Vec<u64> = orders.iter().map(|o| o.id).collect();
    for line in client.room_bookings_by_orders(&ids).await? {
        lines.entry(line.id_order).or_default().push(line);
    }
    let mut customer_ids: Vec<u64> = orders
        .iter()
        .map(|o| o.id_customer)
        .filter(|c| *c > 0)
        .collect();
    customer_ids.sort_unstable();
    customer_ids.dedup();
    let customers: HashMap<u64, qlo_client::Customer> = client
        .customers_by_ids(&customer_ids)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    let orders: BTreeMap<u64, QloOrder> = orders
        .into_iter()
        .map(|o| {
            let q = QloOrder {
                lines: lines.remove(&o.id).unwrap_or_default(),
                customer: customers.get(&o.id_customer).cloned(),
                order: o,
            };
            (q.order.id, q)
        })
        .collect();
    let mut guest_ids: Vec<_> = reservations.iter().map(|r| r.guest_id).collect();
    guest_ids.sort_by_key(|g| g.0);
    guest_ids.dedup();
    let guests: HashMap<_, _> = db::guests::get_guests(pool, &guest_ids)
        .await?
        .into_iter()
        .map(|g| (g.id, g))
        .collect();
    let by_reservation: HashMap<ReservationId, crate::domain::ReservationMapping> = mappings
        .into_iter()
        .map(|m| (m.local_reservation_id, m))
        .collect();
    let pms = reservations
        .into_iter()
        .map(|r| PmsBooking {
            guest: guests.get(&r.guest_id).cloned(),
            mapping: by_reservation.get(&r.id).cloned(),
            reservation: r,
        })
        .collect();
    Ok(Snapshot {
        pms,
        orders,
        states: shop.order_states,
        qloapps_changed_since: changed_since,
    })
}

/// The orders with a room line of `hotel` staying in `from ..= to`.
async fn orders_staying(
    client: &QloClient,
    hotel: u64,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<BTreeSet<u64>, SyncError> {
    let mut ids = BTreeSet::new();
    let mut offset = 0;
    loop {
        let page = client
            .room_lines_staying(hotel, from, to, offset, LINES_PAGE)
            .await?;
        let n = u32::try_from(page.len()).unwrap_or(u32::MAX);
        ids.extend(page.iter().map(|l| l.id_order).filter(|id| *id > 0));
        if n < LINES_PAGE {
            return Ok(ids);
        }
        offset += n;
    }
}

/// The orders changed at or after `since` (shop-local), as an incremental pull lists them.
async fn orders_changed_since(
    client: &QloClient,
    since: chrono::NaiveDateTime,
) -> Result<BTreeSet<u64>, SyncError> {
    let mut ids = BTreeSet::new();
    let mut offset = 0;
    loop {
        let page = client
            .orders_modified_since(since, offset, ORDERS_PAGE)
            .await?;
        let n = u32::try_from(page.len()).unwrap_or(u32::MAX);
        ids.extend(page.iter().map(|o| o.id));
        if n < ORDERS_PAGE {
            return Ok(ids);
        }
        offset += n;
    }
}
