//! API integration tests: real servers on port 0; each contract test runs on SQLite and on
//! PostgreSQL + Redis.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic

mod bad_input;
mod dynamic;
mod health;
mod helpers;
mod metrics;
mod oidc;
mod oidc_helpers;
mod oidc_rogue;
mod orgs;
mod outage;
mod pass;
mod reports;
mod scan;
mod scan_batch;
mod security;
mod sessions;
mod statuses;
mod tokens;
mod web_assets;
