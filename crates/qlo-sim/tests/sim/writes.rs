//! Generic XML writes: customers, feature prices, hotel rooms, and where JSON is refused.

use serde_json::json;

use crate::helpers::{start, Api};

#[tokio::test]
async fn xml_only_resources_refuse_json_bodies() {
    let sim = start().await;
    let api = Api::new(&sim);
    for resource in [
        "customers",
        "feature_prices",
        "order_histories",
        "hotel_ari",
        "hotel_rooms",
    ] {
        let answer = api
            .post(resource, r#"{"customer":{"firstname":"A"}}"#)
            .await;
        assert_eq!(answer.status, 500, "{resource}: {}", answer.text);
        assert_eq!(answer.error_code(), 127, "{resource}");
    }
    let ari_get = api.get("hotel_ari").await;
    assert_eq!((ari_get.status.as_u16(), ari_get.error_code()), (405, 23));
    assert_eq!(api.get("hotel_ari?schema=blank").await.status, 200);
}

#[tokio::test]
async fn customers_are_created_from_xml() {
    let sim = start().await;
    let api = Api::new(&sim);
    let missing = api
        .post(
            "customers",
            "<qloapps><customer><firstname>A</firstname></customer></qloapps>",
        )
        .await;
    assert_eq!((missing.status.as_u16(), missing.error_code()), (400, 41));
    let created = api
        .post(
            "customers",
            "<qloapps><customer><firstname>Anna</firstname><lastname>Keller</lastname>\
             <email>anna@example.com</email><passwd>secret123</passwd><phone>+41</phone>\
             </customer></qloapps>",
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    let c = created.json();
    assert_eq!(c["customer"]["id"], json!("2"));
    assert_eq!(c["customer"]["company"], json!(""));
    let found = api
        .get("customers?display=[id,email]&filter[email]=[anna@example.com]")
        .await
        .json();
    assert_eq!(
        found,
        json!({"customers":[{"id":2,"email":"anna@example.com"}]})
    );
}

#[tokio::test]
async fn feature_prices_crud() {
    let sim = start().await;
    let api = Api::new(&sim);
    let body = |extra: &str, from: &str| {
        format!(
            "<qloapps><feature_price>{extra}<id_product>2</id_product>\
             <feature_price_name><language id=\"1\">BAR</language></feature_price_name>\
             <date_selection_type>1</date_selection_type><date_from>{from}</date_from><date_to>2026-03-12</date_to>\
             <impact_way>3</impact_way><impact_type>2</impact_type><impact_value>120</impact_value>\
             <is_special_days_exists>0</is_special_days_exists><active>1</active>\
             <associations><groups><group><id>1</id></group></groups></associations></feature_price></qloapps>"
        )
    };
    let created = api.post("feature_prices", body("", "2026-03-10")).await;
    assert_eq!(created.status, 201, "{}", created.text);
    assert_eq!(
        created.json()["feature_price"]["feature_price_name"],
        json!([{"id":"1","value":"BAR"}])
    );
    let listed = api
        .get("feature_prices?display=full&filter[id_product]=[2]&filter[id_cart]=[0]&language=1")
        .await
        .json();
    let row = &listed["feature_prices"][0];
    assert_eq!(row["impact_value"], json!("120.000000"));
    assert_eq!(row["date_to"], json!("2026-03-12"));
    assert_eq!(row["associations"]["groups"], json!([{"id": 1}]));
    let no_id = api.put("feature_prices/1", body("", "2026-03-11")).await;
    assert_eq!((no_id.status.as_u16(), no_id.error_code()), (400, 90));
    let put = api
        .put("feature_prices/1", body("<id>1</id>", "2026-03-11"))
        .await;
    assert_eq!(put.status, 200, "{}", put.text);
    assert_eq!(
        api.get("feature_prices/1").await.json()["feature_price"]["date_from"],
        json!("2026-03-11")
    );
    let deleted = api.delete("feature_prices/1").await;
    assert_eq!((deleted.status.as_u16(), deleted.text.as_str()), (200, ""));
    assert_eq!(api.get("feature_prices").await.json(), json!([]));
    assert_eq!(api.delete("feature_prices/1").await.status, 404);
}

#[tokio::test]
async fn hotel_rooms_put_deactivates_a_room() {
    let sim = start().await;
    let api = Api::new(&sim);
    let with_hotel = api
        .put("hotel_rooms/1", "<qloapps><hotel_room><id>1</id><id_product>1</id_product><id_hotel>1</id_hotel><room_num>GR-101</room_num><id_status>2</id_status></hotel_room></qloapps>")
        .await;
    assert_eq!(
        (with_hotel.status.as_u16(), with_hotel.error_code()),
        (400, 93)
    );
    let put = api
        .put("hotel_rooms/1", "<qloapps><hotel_room><id>1</id><id_product>1</id_product><room_num>GR-101</room_num><id_status>2</id_status><floor>First</floor></hotel_room></qloapps>")
        .await;
    assert_eq!(put.status, 200, "{}", put.text);
    let ari = api
        .post(
            "hotel_ari",
            "<qloapps><hotel_ari><id_hotel>1</id_hotel><id_room_type>1</id_room_type><date_from>2026-12-21</date_from><date_to>2026-12-22</date_to><get_available_rooms>1</get_available_rooms><get_unavailable_rooms>1</get_unavailable_rooms></hotel_ari></qloapps>",
        )
        .await
        .json();
    assert_eq!(ari["hotel_ari"]["total_available_rooms"], json!(4));
    assert_eq!(ari["hotel_ari"]["total_unavailable_rooms"], json!(1));
}
