// `sqlx::migrate!` embeds `migrations/` at compile time; without this, a new or edited
// migration would not rebuild the crate and `MIGRATOR` would run stale SQL (sqlx docs,
// "sqlx migrate build-script").
fn main() {
    println!("cargo:rerun-if-changed=../../migrations");
}
