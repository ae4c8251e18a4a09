//! What qlosync knows of one QloApps shop, forgotten at once when the shop is a new one (a
//! fresh simulator numbers its orders from 1 again): order mappings, owned rate rules and
//! holds, the breaker and the limiter. Each table is cleared by its own writer.

use sqlx::PgConnection;

use crate::db;
use crate::domain::ConfigId;
use crate::shared::breaker;

pub async fn forget(conn: &mut PgConnection, config_id: ConfigId) -> Result<(), sqlx::Error> {
    db::qloapps_reservation_mappings::delete_of_config(&mut *conn, config_id).await?;
    db::qloapps_rate_rules::delete_of_config(&mut *conn, config_id).await?;
    db::qloapps_inventory_holds::delete_of_config(&mut *conn, config_id).await?;
    breaker::delete_of_config(&mut *conn, config_id).await?;
    db::qloapps_rate_limit_buckets::delete_of_config(&mut *conn, config_id).await
}
