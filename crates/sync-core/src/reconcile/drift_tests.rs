use super::*;
use qlo_client::models::IdRef;

fn d(day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, day).unwrap()
}

fn dec(v: i64) -> Decimal {
    Decimal::from(v)
}

fn rule(id: u64, kind: u32, from: u32, to: u32, value: i64) -> FeaturePrice {
    FeaturePrice {
        id,
        id_product: 1,
        feature_price_name: format!("r{id}"),
        date_selection_type: kind,
        date_from: Some(d(from)),
        date_to: Some(d(to)),
        impact_way: 3,
        impact_type: 2,
        impact_value: dec(value),
        active: true,
        associations: qlo_client::models::feature_prices::FeaturePriceAssociations {
            groups: vec![IdRef { id: 1 }, IdRef { id: 2 }, IdRef { id: 3 }],
        },
        ..FeaturePrice::default()
    }
}

#[test]
fn resolution_follows_qloapps_priority_and_inclusive_ranges() {
    let mut weekend = rule(3, 1, 1, 31, 150);
    weekend.is_special_days_exists = true;
    weekend.special_days = r#"["sat","sun"]"#.into();
    let rules = vec![rule(1, 1, 1, 10, 120), rule(2, 2, 8, 8, 99), weekend];
    let base = dec(1000);
    assert_eq!(resolve_price(&rules, base, d(1)), dec(120)); // Tuesday
    assert_eq!(resolve_price(&rules, base, d(5)), dec(150)); // Saturday: special day wins
    assert_eq!(resolve_price(&rules, base, d(8)), dec(99)); // specific date wins
    assert_eq!(resolve_price(&rules, base, d(10)), dec(120)); // date_to is inclusive
    assert_eq!(resolve_price(&rules, base, d(11)), dec(1000));
    let mut percent = rule(4, 1, 20, 20, 10);
    percent.impact_way = 1;
    percent.impact_type = 1;
    assert_eq!(resolve_price(&[percent], base, d(20)), dec(900));
    let mut no_groups = rule(5, 1, 1, 31, 1);
    no_groups.associations.groups.clear();
    assert_eq!(resolve_price(&[no_groups], base, d(2)), base);
}

#[test]
fn the_services_amount_is_the_most_common_difference() {
    assert_eq!(
        most_common([dec(250), dec(250), dec(10)].into_iter()),
        Some(dec(250))
    );
    assert_eq!(most_common(std::iter::empty()), None);
}

fn night(free: usize, price: i64) -> Night {
    Night {
        free: (0..free as u64).collect(),
        price: Some(dec(price)),
    }
}

#[test]
fn drift_is_reported_where_qloapps_sells_or_charges_otherwise() {
    let nights: Vec<NaiveDate> = (1..=4).map(d).collect();
    // night 1 right (2 sellable, 3 held); night 2 a hold vanished (5 sellable); night 3 no
    // PMS limit but held; night 4 fewer free than allowed because QloApps sold them (fine)
    let qloapps: BTreeMap<NaiveDate, Night> = [
        (d(1), night(2, 370)),
        (d(2), night(5, 370)),
        (d(3), night(2, 1250)),
        (d(4), night(1, 370)),
    ]
    .into_iter()
    .collect();
    let held: HashMap<NaiveDate, u32> = [(d(1), 3), (d(2), 3), (d(3), 3)].into_iter().collect();
    let pms_available: BTreeMap<NaiveDate, i32> =
        [(d(1), 2), (d(2), 2), (d(4), 2)].into_iter().collect();
    let pms_rates: BTreeMap<NaiveDate, Decimal> = [
        (d(1), dec(120)),
        (d(2), dec(120)),
        (d(3), dec(130)),
        (d(4), dec(120)),
    ]
    .into_iter()
    .collect();
    let rules = vec![rule(7, 1, 1, 2, 120), rule(8, 1, 4, 4, 120)];
    let owned: BTreeSet<u64> = [7, 8].into_iter().collect();
    let view = RoomTypeView {
        nights: &nights,
        qloapps: &qloapps,
        held: &held,
        capacity: 5,
        pms_available: &pms_available,
        pms_rates: &pms_rates,
        rules: &rules,
        owned: &owned,
        base_price: dec(1000),
    };
    let availability: Vec<_> = availability_drift(&view)
        .iter()
        .map(|a| (a.night, a.qloapps))
        .collect();
    assert_eq!(availability, vec![(d(2), 5), (d(3), 2)]);
    let (rates, services) = rate_drift(&view);
    assert_eq!(services, Some(dec(250)));
    let rates: Vec<_> = rates.iter().map(|r| (r.night, r.qloapps)).collect();
    assert_eq!(rates, vec![(d(3), dec(1000))]);
}
