//! Keys, permissions, URL forms and output formats.

use qlo_sim::{KeyConfig, SimConfig};
use serde_json::json;

use crate::helpers::{start, start_with, Api};

#[tokio::test]
async fn wrong_keys_get_the_json_401_variants() {
    let sim = start().await;
    let mut api = Api::new(&sim);
    api.key = "short".into();
    let short = api.get("orders").await;
    assert_eq!((short.status.as_u16(), short.error_code()), (401, 18));
    api.key = "X".repeat(32);
    let unknown = api.get("orders").await;
    assert_eq!((unknown.status.as_u16(), unknown.error_code()), (401, 20));
    assert_eq!(unknown.headers["psws-version"], "1.6.1.23");
}

#[tokio::test]
async fn restricted_keys_see_only_their_resources() {
    let restricted = "R".repeat(32);
    let sim = start_with(SimConfig {
        extra_keys: vec![KeyConfig {
            key: restricted.clone(),
            resources: Some(vec!["orders".into(), "bookings".into()]),
        }],
        ..SimConfig::default()
    })
    .await;
    let mut api = Api::new(&sim);
    api.key = restricted;
    assert_eq!(api.get("").await.json(), json!(["bookings", "orders"]));
    assert_eq!(api.get("orders").await.status, 200);
    let denied = api.get("customers").await;
    assert_eq!((denied.status.as_u16(), denied.error_code()), (401, 26));
}

#[tokio::test]
async fn both_url_forms_and_ws_key_work() {
    let sim = start().await;
    let client = reqwest::Client::new();
    let dispatcher = client
        .get(format!(
            "{}?url=order_states/4&output_format=JSON&ws_key={}",
            sim.dispatcher_url(),
            sim.api_key()
        ))
        .send()
        .await
        .expect("answered");
    assert_eq!(dispatcher.status(), 200);
    let body: serde_json::Value = dispatcher.json().await.expect("json");
    assert_eq!(body["order_state"]["id"], json!(4));
    let api = client
        .get(format!(
            "{}/order_states/4?output_format=JSON",
            sim.api_url()
        ))
        .basic_auth(sim.api_key(), Some(""))
        .send()
        .await
        .expect("answered");
    assert_eq!(api.json::<serde_json::Value>().await.expect("json"), body);
    // A trailing slash after dispatcher.php still reaches the dispatcher (PATH_INFO).
    let slash = client
        .get(format!(
            "{}/?url=order_states/4&output_format=JSON",
            sim.dispatcher_url()
        ))
        .basic_auth(sim.api_key(), Some(""))
        .send()
        .await
        .expect("answered");
    assert_eq!(slash.json::<serde_json::Value>().await.expect("json"), body);
    let by_header = client
        .get(format!("{}/", sim.api_url()))
        .header("Output-Format", "JSON")
        .basic_auth(sim.api_key(), Some(""))
        .send()
        .await
        .expect("answered");
    assert_eq!(by_header.headers()["content-type"], "application/json");
}

#[tokio::test]
async fn xml_is_the_default_output() {
    let sim = start().await;
    let client = reqwest::Client::new();
    let get = |url: String| client.get(url).basic_auth(sim.api_key(), Some("")).send();
    let list = get(format!("{}/", sim.api_url())).await.expect("answered");
    assert_eq!(list.headers()["psws-version"], "1.6.1.23");
    let text = list.text().await.expect("body");
    assert!(
        text.contains("<qloapps") && text.contains("<api ") && text.contains("<orders "),
        "{text}"
    );
    // Lower-case "json" is not JSON.
    let err = get(format!("{}/nope?output_format=json", sim.api_url()))
        .await
        .expect("answered");
    assert_eq!(err.status(), 400);
    let text = err.text().await.expect("body");
    assert!(
        text.contains("<errors><error><code><![CDATA[27]]></code>"),
        "{text}"
    );
}
