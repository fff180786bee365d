//! Types and rules shared by the statuspass server and the PWA.
//!
//! No I/O here: this crate builds for `wasm32-unknown-unknown` and native alike.
//! - [`ids`]: validated identifiers ([`Ogrn`], [`Snils`], [`PassId`]);
//! - [`link`]: the pass link format and the scanned-text classifier ([`PassLinks`]);
//! - [`status`]: the statuses a pass proves ([`StatusKind`]);
//! - [`dynamic`]: the rotating code of a dynamic pass (builder and checker);
//! - [`token`]: the signed offline token in the link's fragment, over [`base32`];
//! - [`keys`]: the token signing keys as `GET /api/keys` publishes them;
//! - [`api`]: the JSON types of the HTTP API.

pub mod api;
pub mod base32;
pub mod dynamic;
pub mod ids;
pub mod keys;
pub mod link;
mod rfc3339;
pub mod status;
pub mod token;

pub use dynamic::DynamicSecret;
pub use ids::{IdError, Ogrn, PassId, Snils};
pub use keys::KeyId;
pub use link::{PassLinks, ScannedCode};
pub use status::StatusKind;
