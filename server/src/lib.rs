//! The statuspass server: a library with a thin `main.rs`.
//!
//! Request map: [`routes::configure`]. Assembly: [`startup::Application`].

pub mod auth;
pub mod clock;
pub mod configuration;
pub mod error;
pub mod limits;
pub mod metrics;
pub mod operator;
pub mod passes;
pub mod registry;
pub mod reports;
pub mod routes;
pub mod security;
pub mod seed;
pub mod startup;
pub mod store;
pub mod telemetry;
pub mod tokens;
pub mod web_assets;
