//! `qloapps_rate_rules`: the feature_prices rules qlosync owns (written by the rate sync,
//! `nightly/rates/`, and read by reconciliation).

use chrono::NaiveDate;
use rust_decimal::Decimal;
use sqlx::PgExecutor;
use uuid::Uuid;

use crate::domain::{ConfigId, QloRoomTypeId, RoomTypeId};

const COLUMNS: &str =
    "id, config_id, room_type_id, qloapps_room_type_id, date_from, date_to, rate, \
     name, qloapps_rule_id, status";

/// One owned rule.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct RuleRow {
    pub id: Uuid,
    pub config_id: ConfigId,
    pub room_type_id: RoomTypeId,
    pub qloapps_room_type_id: QloRoomTypeId,
    pub date_from: NaiveDate,
    pub date_to: NaiveDate,
    pub rate: Decimal,
    pub name: String,
    pub qloapps_rule_id: Option<i64>,
    /// 'active' or 'pending' (QloApps may differ from the row).
    pub status: String,
}

impl RuleRow {
    pub fn is_active(&self) -> bool {
        self.status == "active"
    }

    pub fn rule_id(&self) -> Option<u64> {
        self.qloapps_rule_id.and_then(|id| u64::try_from(id).ok())
    }
}

/// Every owned rule of a PMS room type in a config, by first night.
pub async fn rules_of_room_type(
    db: impl PgExecutor<'_>,
    config_id: ConfigId,
    room_type_id: RoomTypeId,
) -> Result<Vec<RuleRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM qloapps_rate_rules WHERE config_id = $1 AND room_type_id = $2
         ORDER BY date_from, id"
    ))
    .bind(config_id)
    .bind(room_type_id)
    .fetch_all(db)
    .await
}

/// Records a rule about to be created (pending, no QloApps id yet).
pub async fn insert_pending(db: impl PgExecutor<'_>, row: &RuleRow) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO qloapps_rate_rules (id, config_id, room_type_id, qloapps_room_type_id, date_from, date_to,
                                         rate, name, qloapps_rule_id, status)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'pending')",
    )
    .bind(row.id)
    .bind(row.config_id)
    .bind(row.room_type_id)
    .bind(row.qloapps_room_type_id)
    .bind(row.date_from)
    .bind(row.date_to)
    .bind(row.rate)
    .bind(&row.name)
    .bind(row.qloapps_rule_id)
    .execute(db)
    .await?;
    Ok(())
}

/// Sets a rule's nights `date_from..=date_to`, rate and name and marks it pending (a PUT is
/// about to be sent).
pub async fn set_pending(
    db: impl PgExecutor<'_>,
    id: Uuid,
    (date_from, date_to): (NaiveDate, NaiveDate),
    rate: Decimal,
    name: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE qloapps_rate_rules SET date_from = $2, date_to = $3, rate = $4, name = $5,
                status = 'pending', updated_at = now()
         WHERE id = $1",
    )
    .bind(id)
    .bind(date_from)
    .bind(date_to)
    .bind(rate)
    .bind(name)
    .execute(db)
    .await?;
    Ok(())
}

/// Marks a rule pending without changing it (QloApps was found to differ from the row).
pub async fn mark_pending(db: impl PgExecutor<'_>, id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE qloapps_rate_rules SET status = 'pending', updated_at = now() WHERE id = $1",
    )
    .bind(id)
    .execute(db)
    .await?;
    Ok(())
}

/// QloApps confirmed the rule: it has this id and matches the row.
pub async fn set_active(
    db: impl PgExecutor<'_>,
    id: Uuid,
    rule_id: u64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE qloapps_rate_rules SET qloapps_rule_id = $2, status = 'active', updated_at = now()
         WHERE id = $1",
    )
    .bind(id)
    .bind(i64::try_from(rule_id).unwrap_or(i64::MAX))
    .execute(db)
    .await?;
    Ok(())
}

/// Forgets the QloApps id of a rule (it no longer exists there), keeping the row pending.
pub async fn clear_rule_id(db: impl PgExecutor<'_>, id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE qloapps_rate_rules SET qloapps_rule_id = NULL, status = 'pending', updated_at = now()
         WHERE id = $1",
    )
    .bind(id)
    .execute(db)
    .await?;
    Ok(())
}

pub async fn delete_row(db: impl PgExecutor<'_>, id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM qloapps_rate_rules WHERE id = $1")
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

/// Forgets every row of `config_id` here: the QloApps side is a new shop (`api demo-setup
/// --fresh-qloapps`, through `shop_state::forget`).
pub async fn delete_of_config(
    db: impl sqlx::PgExecutor<'_>,
    config_id: crate::domain::ConfigId,
) -> Result<(), sqlx::Error> {
    crate::db::delete_config_rows(db, "qloapps_rate_rules", config_id).await
}
