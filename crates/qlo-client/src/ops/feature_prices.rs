//! `feature_prices`: list, create, replace, delete (XML bodies, groups association).

use http::Method;

use crate::client::{any_of, QloClient};
use crate::error::Error;
use crate::models::feature_prices::{FeaturePrice, FeaturePriceInput};
use crate::models::lenient::DATE_FORMAT;
use crate::retry::Idempotency;
use crate::transport::{Body, Request};
use crate::xml::XmlBody;

impl QloClient {
    /// Catalogue rules of a room type (`id_cart` 0; cart-scoped rules are QloApps' own).
    pub async fn feature_prices(&self, room_type_id: u64) -> Result<Vec<FeaturePrice>, Error> {
        let request = Request::get("feature_prices")
            .query("display", "full")
            .query("filter[id_product]", any_of(&[room_type_id]))
            .query("filter[id_cart]", "[0]");
        self.send(&request)
            .await?
            .list("feature_prices", "feature_prices")
    }

    fn feature_price_body(
        &self,
        id: Option<u64>,
        input: &FeaturePriceInput,
    ) -> Result<Body, Error> {
        let special_days = if input.special_days.is_empty() {
            String::new()
        } else {
            serde_json::to_string(&input.special_days).map_err(|e| Error::Encode {
                resource: "feature_prices".to_owned(),
                message: e.to_string(),
            })?
        };
        let mut xml = XmlBody::new("feature_prices")?;
        xml.open("feature_price")?;
        if let Some(id) = id {
            xml.field("id", id)?;
        }
        xml.field("id_product", input.id_product)?
            .field("id_cart", 0)?
            .field("id_guest", 0)?
            .field("id_room", 0)?
            .i18n("feature_price_name", self.config().language_id, &input.name)?
            .field("date_selection_type", input.date_selection_type)?
            .field("date_from", input.date_from.format(DATE_FORMAT))?
            .field("date_to", input.date_to.format(DATE_FORMAT))?
            .field("impact_way", input.impact_way)?
            .field("impact_type", input.impact_type)?
            .field("impact_value", input.impact_value)?
            .field(
                "is_special_days_exists",
                u8::from(!input.special_days.is_empty()),
            )?
            .field("special_days", special_days)?
            .field("active", u8::from(input.active))?
            .open("associations")?
            .id_list("groups", "group", &input.groups)?
            .close("associations")?
            .close("feature_price")?;
        Ok(Body::xml(xml.finish()?))
    }

    /// Creates a rule (`POST`, 201). Not repeated blindly: after an unknown outcome an
    /// identical rule (same room type, name, dates and price) is adopted if one exists.
    pub async fn create_feature_price(
        &self,
        input: &FeaturePriceInput,
    ) -> Result<FeaturePrice, Error> {
        let body = &self.feature_price_body(None, input)?;
        let post = move || async move {
            let request = Request::write(
                Method::POST,
                "feature_prices",
                body.clone(),
                Idempotency::NonIdempotent,
            );
            self.send(&request)
                .await?
                .single::<FeaturePrice>("feature_prices", "feature_price")
        };
        let adopt = move || async move {
            let rules = self.feature_prices(input.id_product).await?;
            Ok(rules
                .into_iter()
                .filter(|r| input.matches(r))
                .max_by_key(|r| r.id))
        };
        self.write_confirmed("create feature price", post, adopt)
            .await
    }

    /// Replaces rule `id` with `input` (`PUT`, full object; repeating it is harmless).
    pub async fn update_feature_price(
        &self,
        id: u64,
        input: &FeaturePriceInput,
    ) -> Result<FeaturePrice, Error> {
        let body = self.feature_price_body(Some(id), input)?;
        let request =
            Request::write(Method::PUT, "feature_prices", body, Idempotency::Idempotent).id(id);
        self.send(&request)
            .await?
            .single("feature_prices", "feature_price")
    }

    /// Deletes rule `id`. Returns `false` when it did not exist (already deleted, e.g. by an
    /// earlier attempt whose answer was lost).
    pub async fn delete_feature_price(&self, id: u64) -> Result<bool, Error> {
        let request = Request {
            method: Method::DELETE,
            ..Request::get("feature_prices").id(id)
        };
        match self.send(&request).await {
            Ok(_) => Ok(true),
            Err(Error::NotFound { .. }) => Ok(false),
            Err(e) => Err(e),
        }
    }
}
