//! `customers`: batched reads by id, lookup by email, create.

use http::Method;
use rand::distributions::Alphanumeric;
use rand::Rng;

use crate::client::{any_of, display, filter_value, QloClient, BATCH};
use crate::error::Error;
use crate::models::customers::{Customer, NewCustomer, CUSTOMER_FIELDS};
use crate::retry::Idempotency;
use crate::transport::{Body, Request};
use crate::xml::XmlBody;

impl QloClient {
    /// The customers with these ids, one call per 200 ids, asking only for
    /// `id, firstname, lastname, email, phone, date_upd` (never `passwd` or `secure_key`).
    pub async fn customers_by_ids(&self, ids: &[u64]) -> Result<Vec<Customer>, Error> {
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(BATCH) {
            let request = Request::get("customers")
                .query("display", display(CUSTOMER_FIELDS))
                .query("filter[id]", any_of(chunk));
            out.extend(
                self.send(&request)
                    .await?
                    .list::<Customer>("customers", "customers")?,
            );
        }
        Ok(out)
    }

    /// Customers with this email (QloApps compares case-insensitively), oldest first.
    pub async fn customers_by_email(&self, email: &str) -> Result<Vec<Customer>, Error> {
        let email = filter_value("customers", "email", email.trim())?;
        let request = Request::get("customers")
            .query("display", display(CUSTOMER_FIELDS))
            .query("filter[email]", format!("[{email}]"))
            .query("sort", "[id_ASC]");
        let mut customers: Vec<Customer> =
            self.send(&request).await?.list("customers", "customers")?;
        customers.sort_by_key(|c| c.id);
        Ok(customers)
    }

    /// Creates a customer (`POST customers`, XML, with a random password QloApps hashes).
    /// Not repeated blindly: after an unknown outcome an existing customer with this email
    /// and name is adopted.
    pub async fn create_customer(&self, new: &NewCustomer) -> Result<Customer, Error> {
        filter_value("customers", "email", new.email.trim())?;
        let group = new.id_default_group.unwrap_or(3);
        let groups = if new.groups.is_empty() {
            vec![group]
        } else {
            new.groups.clone()
        };
        let password: String = rand::thread_rng()
            .sample_iter(&Alphanumeric)
            .take(24)
            .map(char::from)
            .collect();
        let mut xml = XmlBody::new("customers")?;
        xml.open("customer")?
            .field("firstname", &new.firstname)?
            .field("lastname", &new.lastname)?
            .field("email", new.email.trim())?
            .field("passwd", &password)?;
        if let Some(phone) = &new.phone {
            xml.field("phone", phone)?;
        }
        xml.field("id_default_group", group)?
            .field("id_lang", self.config().language_id)?
            .field("active", 1)?
            .open("associations")?
            .id_list("groups", "group", &groups)?
            .close("associations")?
            .close("customer")?;
        let body = &Body::xml(xml.finish()?);

        let post = move || async move {
            let request = Request::write(
                Method::POST,
                "customers",
                body.clone(),
                Idempotency::NonIdempotent,
            );
            self.send(&request)
                .await?
                .single::<Customer>("customers", "customer")
        };
        let adopt = move || async move {
            let found = self.customers_by_email(&new.email).await?;
            Ok(found
                .into_iter()
                .rev()
                .find(|c| c.firstname == new.firstname && c.lastname == new.lastname))
        };
        self.write_confirmed("create customer", post, adopt).await
    }
}
