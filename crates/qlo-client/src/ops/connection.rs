//! `GET /`: the test-connection call.

use crate::client::QloClient;
use crate::error::Error;
use crate::models::connection::{ConnectionReport, REQUIRED_RESOURCES};
use crate::transport::Request;

impl QloClient {
    /// Proves URL, key and activation (`GET /`), and reports which resources the key may use,
    /// which required ones are missing, the QloApps (PSWS) version and the latency.
    pub async fn test_connection(&self) -> Result<ConnectionReport, Error> {
        let response = self.send(&Request::get("").without_language()).await?;
        let value: serde_json::Value = response.json("/")?;
        let mut resources: Vec<String> = match value {
            serde_json::Value::Array(items) => items
                .into_iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect(),
            // Tolerate an object keyed by resource name.
            serde_json::Value::Object(map) => map.keys().cloned().collect(),
            other => {
                return Err(Error::Decode {
                    resource: "/".to_owned(),
                    message: format!("expected the list of resources, found {other}"),
                })
            }
        };
        resources.sort();
        let missing = REQUIRED_RESOURCES
            .iter()
            .filter(|r| !resources.iter().any(|have| have == *r))
            .map(|r| (*r).to_owned())
            .collect();
        let version = response
            .headers
            .get("psws-version")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        Ok(ConnectionReport {
            resources,
            missing,
            version,
            latency: response.latency,
        })
    }
}
