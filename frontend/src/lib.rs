//! The statuspass PWA: participant page (`/`), scanner (`/scan`), organization pages (`/org`),
//! each its own wasm binary, and the QR decode worker.
//!
//! - [`app`]: the root component of each binary, and their mounting;
//! - [`pages`]: one module per page; [`components`]: reusable pieces;
//! - [`api`]: every server call, with the `statuspass_shared` types;
//! - [`browser`]: browser glue (camera, storage, service worker, decode worker bridge, sound);
//! - [`worker`]: the code that runs inside the decode worker (its own wasm binary);
//! - [`protocol`]: the messages between the page and the worker;
//! - [`text`]: all UI text.

pub mod api;
pub mod app;
pub mod browser;
pub mod components;
pub mod pages;
pub mod protocol;
pub mod text;
pub mod worker;
