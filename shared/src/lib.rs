//! Types and rules shared by the statuspass server and the PWA.
//!
//! No I/O here: this crate builds for `wasm32-unknown-unknown` and native alike.
//! - [`ids`]: validated identifiers ([`Ogrn`], [`Snils`], [`PassId`]);
//! - [`link`]: the pass link format and the scanned-text classifier ([`PassLinks`]);
//! - [`api`]: the JSON types of the HTTP API.

pub mod api;
pub mod ids;
pub mod link;

pub use ids::{IdError, Ogrn, PassId, Snils};
pub use link::{PassLinks, ScannedCode};
