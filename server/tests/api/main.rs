//! API integration tests: real servers on port 0; each contract test runs on SQLite and on
//! PostgreSQL + Redis.

mod bad_input;
mod health;
mod helpers;
mod outage;
mod pass;
mod scan;
