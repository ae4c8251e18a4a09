//! Paging through `orders` by `date_upd` with bounded memory, and reading a page's room lines
//! and customers in one batched call each (3 calls a page; docs/qloapps-api.md "Orders, room lines and time zones").
//!
//! QloApps sorts by (`date_upd`, `id`) and pages by offset, and `date_upd` has second
//! resolution, so thousands of orders can share one value. The [`Pager`] keeps O(1) state:
//! - Each request starts at the last row's `date_upd` with an offset inside that second's
//!   group of ties, and asks for one row more than a page: the first row must be the last row
//!   already seen. If it is not, an order was changed meanwhile and the rows shifted; the
//!   pager goes back to the start of that second and re-reads it.
//! - A row is new when its (`date_upd`, `id`) is above the cursor (the last row processed):
//!   overlaps and re-reads are de-duplicated without remembering ids. An order changed during
//!   the pull moves above the cursor and is processed again in its new state.

use std::collections::{BTreeSet, HashMap};

use chrono::NaiveDateTime;
use qlo_client::{Customer, Order, QloClient, RoomBookingLine};

/// Going back this many times in one run means orders change faster than they can be read.
const MAX_RESTARTS: u32 = 100;

type Key = (NaiveDateTime, u64);

fn key(order: &Order) -> Option<Key> {
    order.date_upd.map(|at| (at, order.id))
}

/// The next `orders` request to make.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    pub since: NaiveDateTime,
    pub offset: u32,
    pub limit: u32,
}

#[derive(Debug, Clone)]
pub struct Pager {
    page_size: u32,
    since: NaiveDateTime,
    offset: u32,
    /// The row the next page must start with (the previous page's last row).
    expect: Option<Key>,
    /// The last row handed out for processing.
    cursor: Option<Key>,
    restarts: u32,
    done: bool,
}

impl Pager {
    pub fn new(since: NaiveDateTime, page_size: u32) -> Pager {
        Pager {
            page_size: page_size.max(1),
            since,
            offset: 0,
            expect: None,
            cursor: None,
            restarts: 0,
            done: false,
        }
    }

    /// The next request, or `None` once the last page was read.
    pub fn next_request(&self) -> Option<PageRequest> {
        (!self.done).then_some(PageRequest {
            since: self.since,
            offset: self.offset,
            limit: self.page_size + u32::from(self.expect.is_some()),
        })
    }

    /// The newest `date_upd` handed out so far.
    pub fn cursor(&self) -> Option<NaiveDateTime> {
        self.cursor.map(|(at, _)| at)
    }

    pub fn restarts(&self) -> u32 {
        self.restarts
    }

    /// Takes the rows `request` returned; returns the new ones, in order, to process.
    pub fn accept(&mut self, request: PageRequest, rows: Vec<Order>) -> Result<Vec<Order>, String> {
        if rows.iter().any(|o| o.date_upd.is_none()) {
            return Err("QloApps returned an order without date_upd".to_owned());
        }
        if let Some(expected) = self.expect {
            if rows.first().and_then(key) != Some(expected) {
                return self.restart();
            }
        }
        let last = rows.last().and_then(key);
        let ties_of_last = last.map(|(at, _)| {
            if at == request.since {
                request.offset + u32::try_from(rows.len()).unwrap_or(u32::MAX)
            } else {
                let same = rows
                    .iter()
                    .rev()
                    .take_while(|o| o.date_upd == Some(at))
                    .count();
                u32::try_from(same).unwrap_or(u32::MAX)
            }
        });
        self.done = rows.len() < usize::try_from(request.limit).unwrap_or(usize::MAX);
        if let (Some(last), Some(ties)) = (last, ties_of_last) {
            self.since = last.0;
            self.offset = ties.saturating_sub(1);
            self.expect = Some(last);
        }
        let cursor = self.cursor;
        let fresh: Vec<Order> = rows
            .into_iter()
            .filter(|o| cursor.is_none_or(|c| key(o).is_some_and(|k| k > c)))
            .collect();
        if let Some(newest) = fresh.last().and_then(key) {
            self.cursor = Some(newest);
        }
        Ok(fresh)
    }

    /// The rows shifted under us: re-read from the start of the cursor's second.
    fn restart(&mut self) -> Result<Vec<Order>, String> {
        self.restarts += 1;
        if self.restarts > MAX_RESTARTS {
            return Err(format!(
                "orders kept changing while they were read ({MAX_RESTARTS} re-reads); the next pull resumes"
            ));
        }
        tracing::debug!(
            restarts = self.restarts,
            "orders shifted between pages; re-reading from the cursor's second"
        );
        if let Some((at, _)) = self.cursor {
            self.since = at;
        }
        self.offset = 0;
        self.expect = None;
        self.done = false;
        Ok(Vec::new())
    }
}

/// A page's orders with their room lines and customers.
#[derive(Debug, Default)]
pub struct PageData {
    pub orders: Vec<Order>,
    pub lines: HashMap<u64, Vec<RoomBookingLine>>,
    pub customers: HashMap<u64, Customer>,
}

/// What an order is applied with beyond itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Details {
    /// Settled from the order alone (inventory holds).
    None,
    /// Its room lines (orders qlosync pushed: compared with their reservation).
    Lines,
    /// Its room lines and its customer (bookings made in QloApps).
    LinesAndCustomer,
}

/// Reads the room lines and customers of `orders`, one call each (none when no order needs
/// them).
pub async fn load_details(
    client: &QloClient,
    orders: Vec<Order>,
    details: impl Fn(&Order) -> Details,
) -> Result<PageData, qlo_client::Error> {
    let wanted: Vec<&Order> = orders
        .iter()
        .filter(|o| details(o) != Details::None)
        .collect();
    let order_ids: Vec<u64> = wanted.iter().map(|o| o.id).collect();
    let customer_ids: Vec<u64> = wanted
        .iter()
        .filter(|o| details(o) == Details::LinesAndCustomer)
        .map(|o| o.id_customer)
        .filter(|id| *id > 0)
        .collect::<BTreeSet<u64>>()
        .into_iter()
        .collect();
    let mut lines: HashMap<u64, Vec<RoomBookingLine>> = HashMap::new();
    if !order_ids.is_empty() {
        for line in client.room_bookings_by_orders(&order_ids).await? {
            lines.entry(line.id_order).or_default().push(line);
        }
    }
    let customers = if customer_ids.is_empty() {
        HashMap::new()
    } else {
        client
            .customers_by_ids(&customer_ids)
            .await?
            .into_iter()
            .map(|c| (c.id, c))
            .collect()
    };
    Ok(PageData {
        orders,
        lines,
        customers,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: u32) -> NaiveDateTime {
        crate::pull::watermark::beginning() + chrono::Duration::seconds(i64::from(s))
    }

    /// The server side: orders sorted by (date_upd, id), answered like QloApps.
    fn serve(orders: &[(u32, u64)], r: PageRequest) -> Vec<Order> {
        let mut sorted: Vec<(u32, u64)> = orders
            .iter()
            .copied()
            .filter(|(s, _)| at(*s) >= r.since)
            .collect();
        sorted.sort();
        sorted
            .into_iter()
            .skip(r.offset as usize)
            .take(r.limit as usize)
            .map(|(s, id)| Order {
                id,
                date_upd: Some(at(s)),
                ..Order::default()
            })
            .collect()
    }

    fn drain(
        pager: &mut Pager,
        orders: &mut Vec<(u32, u64)>,
        mut between: impl FnMut(&mut Vec<(u32, u64)>),
    ) -> Vec<u64> {
        let mut seen = Vec::new();
        while let Some(r) = pager.next_request() {
            let rows = serve(orders, r);
            seen.extend(pager.accept(r, rows).unwrap().iter().map(|o| o.id));
            between(orders);
        }
        seen
    }

    #[test]
    fn ties_across_many_pages_are_read_once_each() {
        // 25 orders in one second, then 7 in the next: pages of 10
        let mut orders: Vec<(u32, u64)> = (1..=25)
            .map(|id| (5, id))
            .chain((26..=32).map(|id| (6, id)))
            .collect();
        let mut pager = Pager::new(at(0), 10);
        let seen = drain(&mut pager, &mut orders, |_| {});
        assert_eq!(seen, (1..=32).collect::<Vec<_>>());
        assert_eq!(pager.cursor(), Some(at(6)));
        assert_eq!(pager.restarts(), 0);
    }

    #[test]
    fn an_order_changed_between_pages_shifts_nothing_out_of_sight() {
        // a second of 15 ties, then one order a second; order 3 (already read) changes after
        // the first page: it moves to the end and the ties after it shift down by one
        let mut orders: Vec<(u32, u64)> = (1..=15)
            .map(|id| (5, id))
            .chain((16..=30).map(|id| (u32::try_from(id).unwrap(), id)))
            .collect();
        let mut pager = Pager::new(at(0), 10);
        let mut changed = false;
        let seen = drain(&mut pager, &mut orders, |orders| {
            if !changed {
                changed = true;
                orders.retain(|o| o.1 != 3);
                orders.push((100, 3));
            }
        });
        let mut unique = seen.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique, (1..=30).collect::<Vec<_>>(), "{seen:?}");
        assert_eq!(
            seen.iter().filter(|id| **id == 3).count(),
            2,
            "processed again in its new state"
        );
        assert!(pager.restarts() >= 1);
    }

    #[test]
    fn an_exact_multiple_of_the_page_ends_with_one_empty_read() {
        let mut orders: Vec<(u32, u64)> = (1..=20).map(|id| (1, id)).collect();
        let mut pager = Pager::new(at(0), 10);
        let mut requests = 0;
        while let Some(r) = pager.next_request() {
            requests += 1;
            let rows = serve(&orders, r);
            pager.accept(r, rows).unwrap();
        }
        assert_eq!(requests, 3);
        orders.clear();
        let mut empty = Pager::new(at(0), 10);
        let r = empty.next_request().unwrap();
        assert!(empty.accept(r, Vec::new()).unwrap().is_empty());
        assert_eq!(empty.next_request(), None);
    }
}
