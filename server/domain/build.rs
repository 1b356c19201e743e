//! `sqlx::migrate!` reads the migration folders at compile time, but cargo does not know they
//! are inputs: without this, a new migration file left the built server running the old set.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
