//! The QloApps customer an update names must already exist: `PUT bookings` answers
//! "Customer not found." for an email QloApps does not know (recorded from a real QloApps 1.6.1,
//! `crates/qlo-sim/tests/fixtures/README.md`), which a retry can never fix. So before an update
//! the push makes sure of the customer once per guest and email (`qloapps_customer_mappings`);
//! a new guest on the reservation, or a guest whose email changed, costs one look-up and, when
//! QloApps has no such customer, one create.

use qlo_client::{CustomerDetail, NewCustomer};

use super::reservation::Push;
use crate::db::qloapps_customer_mappings as mappings;
use crate::domain::GuestId;
use crate::sync_error::SyncError;

impl Push<'_> {
    /// Makes sure QloApps has a customer with the email `detail` carries.
    pub(super) async fn ensure_customer(
        &mut self,
        guest_id: GuestId,
        detail: &CustomerDetail,
    ) -> Result<(), SyncError> {
        let known = mappings::known_email(&mut *self.conn, self.config_id, guest_id).await?;
        if known.is_some_and(|email| email.eq_ignore_ascii_case(&detail.email)) {
            return Ok(());
        }
        let existing = self.client.customers_by_email(&detail.email).await?;
        let id = match existing.first() {
            Some(customer) => customer.id,
            None => {
                let new = NewCustomer {
                    firstname: detail.firstname.clone(),
                    lastname: detail.lastname.clone(),
                    email: detail.email.clone(),
                    phone: detail.phone.clone(),
                    id_default_group: None,
                    groups: Vec::new(),
                };
                let created = self.client.create_customer(&new).await?;
                tracing::info!(customer_id = created.id, %guest_id, "QloApps customer created for the guest");
                created.id
            }
        };
        self.remember_customer(guest_id, &detail.email, Some(id))
            .await
    }

    /// Records that QloApps has a customer with `email` for the guest (`POST bookings` creates
    /// one by itself; its id is known only when the response came back).
    pub(super) async fn remember_customer(
        &mut self,
        guest_id: GuestId,
        email: &str,
        customer_id: Option<u64>,
    ) -> Result<(), SyncError> {
        let id = customer_id.and_then(|id| i64::try_from(id).ok());
        mappings::upsert(&mut *self.conn, self.config_id, guest_id, email, id).await?;
        Ok(())
    }
}
