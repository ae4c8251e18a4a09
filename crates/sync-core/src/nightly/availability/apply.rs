//! Carries out a hold plan: cancels holds, then creates new ones, keeping
//! `qloapps_inventory_holds` in step (a row exists before its booking, so a lost answer is
//! found again by source). A hold QloApps refuses is re-planned once from a fresh read; what
//! still cannot be held is reported as an overbooking risk, never retried in a loop.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use sqlx::PgPool;
use uuid::Uuid;

use super::hold::{booked_rooms, hold_request, HoldBooking};
use super::inventory;
use super::plan::{holds_for, NewHold};
use super::OverbookingRisk;
use crate::db::qloapps_inventory_holds::{self as holds, HoldRow};
use crate::domain::order_source::hold_source;
use crate::domain::SyncOutcome;
use crate::nightly::record::LogItem;
use crate::nightly::target::Target;
use crate::sync_error::SyncError;

pub struct HoldApplier<'a> {
    pub pool: &'a PgPool,
    pub target: &'a Target,
    /// The shop's currency (holds must be booked in it).
    pub currency: String,
    pub items: Vec<LogItem>,
    pub risks: Vec<OverbookingRisk>,
}

enum Attempt {
    Created,
    Refused(String),
}

impl<'a> HoldApplier<'a> {
    pub fn new(pool: &'a PgPool, target: &'a Target, currency: String) -> Self {
        HoldApplier {
            pool,
            target,
            currency,
            items: Vec::new(),
            risks: Vec::new(),
        }
    }

    pub fn log(
        &mut self,
        operation: &'static str,
        outcome: SyncOutcome,
        order: Option<u64>,
        msg: String,
    ) {
        self.items.push(LogItem {
            operation,
            entity_type: "availability",
            local_entity_id: Some(self.target.room_type.id.0),
            qloapps_entity_id: order,
            outcome,
            message: msg,
            details: None,
        });
    }

    /// Cancels a hold's booking (`POST order_histories`) and marks it cancelled.
    pub async fn cancel(&mut self, row: &HoldRow) -> Result<(), SyncError> {
        let Some(order_id) = row.order_id() else {
            holds::delete_row(self.pool, row.id).await?;
            return Ok(());
        };
        holds::set_status(self.pool, row.id, "cancelling").await?;
        self.target.client.cancel_booking(order_id).await?;
        holds::set_status(self.pool, row.id, "cancelled").await?;
        let nights = format!("{}..{}", row.check_in, last_night(row.check_out));
        self.log(
            "cancel_hold",
            SyncOutcome::Cancelled,
            Some(order_id),
            format!(
                "cancelled hold order {order_id} ({} room(s), nights {nights})",
                row.rooms
            ),
        );
        Ok(())
    }

    /// Creates a hold; when QloApps refuses it, re-reads the nights and holds what it can.
    pub async fn create(&mut self, hold: NewHold) -> Result<(), SyncError> {
        let Attempt::Refused(message) = self.try_create(hold).await? else {
            return Ok(());
        };
        let t = self.target;
        let fresh = inventory::read(
            &t.client,
            Some(t.qlo_room_type),
            hold.check_in,
            last_night(hold.check_out),
        )
        .await?;
        let nights = fresh.room_type(t.qlo_room_type);
        let mut needed = Vec::new();
        let mut short: Vec<(NaiveDate, u32)> = Vec::new();
        for night in hold
            .check_in
            .iter_days()
            .take_while(|n| *n < hold.check_out)
        {
            let free: BTreeSet<u64> = nights
                .get(&night)
                .map(|n| n.free.clone())
                .unwrap_or_default();
            let possible = hold
                .rooms
                .min(u32::try_from(free.len()).unwrap_or(u32::MAX));
            if possible < hold.rooms {
                short.push((night, hold.rooms - possible));
            }
            needed.push((night, possible, Some(free)));
        }
        for piece in holds_for(&needed) {
            // refused again: someone is booking these nights right now; report, do not loop
            if let Attempt::Refused(_) = self.try_create(piece).await? {
                let nights = piece
                    .check_in
                    .iter_days()
                    .take_while(|n| *n < piece.check_out);
                short.extend(nights.map(|n| (n, piece.rooms)));
            }
        }
        self.report_risks(short, &message);
        Ok(())
    }

    async fn try_create(&mut self, hold: NewHold) -> Result<Attempt, SyncError> {
        let t = self.target;
        let booking = HoldBooking {
            id: Uuid::new_v4(),
            hotel_id: t.config.qloapps_hotel_id.get(),
            currency: self.currency.clone(),
            qlo_room_type: t.qlo_room_type,
            check_in: hold.check_in,
            check_out: hold.check_out,
            rooms: hold.rooms,
        };
        let row = HoldRow {
            id: booking.id,
            config_id: t.config.id,
            room_type_id: t.room_type.id,
            qloapps_room_type_id: crate::domain::QloRoomTypeId(t.qlo_room_type),
            check_in: hold.check_in,
            check_out: hold.check_out,
            rooms: i32::try_from(hold.rooms).unwrap_or(i32::MAX),
            room_ids: Vec::new(),
            source: hold_source(booking.id),
            qloapps_order_id: None,
            status: "pending".into(),
        };
        holds::insert_pending(self.pool, &row).await?;
        let request = hold_request(t.config.id, &booking);
        match t.client.create_booking(&row.source, &request).await {
            Ok(created) => {
                let rooms = match booked_rooms(&created) {
                    Some(rooms) => rooms,
                    None => active_rooms_of(&t.client, created.order_id).await?,
                };
                holds::set_active(self.pool, row.id, created.order_id, &rooms).await?;
                self.log(
                    "create_hold",
                    SyncOutcome::Created,
                    Some(created.order_id),
                    format!(
                        "hold order {} of {} room(s), nights {}..{}",
                        created.order_id,
                        hold.rooms,
                        hold.check_in,
                        last_night(hold.check_out)
                    ),
                );
                Ok(Attempt::Created)
            }
            Err(qlo_client::Error::RoomsUnavailable { message }) => {
                holds::delete_row(self.pool, row.id).await?;
                Ok(Attempt::Refused(message))
            }
            Err(e) => {
                // refused outright: no booking exists; otherwise the row stays pending and
                // the next sync looks the booking up by its source
                if !e.is_outcome_unknown() && !e.is_transient() {
                    holds::delete_row(self.pool, row.id).await?;
                }
                Err(e.into())
            }
        }
    }

    /// Turns short nights into overbooking risks (runs of equal shortfall), logged as failed.
    fn report_risks(&mut self, mut short: Vec<(NaiveDate, u32)>, qloapps_said: &str) {
        short.sort_unstable();
        for risk in OverbookingRisk::runs(&short) {
            let message = format!(
                "overbooking risk on nights {}..{}: QloApps has no room left to hold {} more \
                 room(s) the PMS does not allow (QloApps: {qloapps_said}); it may already have \
                 sold more rooms than the PMS allows: check its bookings for these nights",
                risk.first_night, risk.last_night, risk.rooms_short
            );
            tracing::warn!(config_id = %self.target.config.id, room_type_id = %self.target.room_type.id,
                first_night = %risk.first_night, last_night = %risk.last_night, rooms_short = risk.rooms_short,
                "overbooking risk");
            self.log("overbooking_risk", SyncOutcome::Failed, None, message);
            if let Some(last) = self.items.last_mut() {
                last.details = serde_json::to_value(&risk).ok();
            }
            self.risks.push(risk);
        }
    }
}

/// Rooms of an order's active lines (after an adopted create, whose answer was lost).
pub async fn active_rooms_of(
    client: &qlo_client::QloClient,
    order_id: u64,
) -> Result<Vec<u64>, qlo_client::Error> {
    let lines = client.room_bookings_by_orders(&[order_id]).await?;
    Ok(lines
        .iter()
        .filter(|l| l.is_active())
        .map(|l| l.id_room)
        .collect())
}

/// The last night of a stay ending on `check_out`.
pub fn last_night(check_out: NaiveDate) -> NaiveDate {
    check_out.pred_opt().unwrap_or(check_out)
}
