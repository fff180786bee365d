//! Messages between the page and the decode worker. Plain JS objects (structured clone), the
//! pixel buffer transferred, not copied:
//!
//! - worker → page `{kind: "ready"}` once its wasm is running (messages sent earlier are lost);
//! - page → worker `{kind: "frame", id, width, height, rgba: Uint8ClampedArray, thorough}`, or
//!   with `bitmap: ImageBitmap` instead of `rgba` (drawn at `width` x `height` in the worker);
//! - worker → page `{kind: "result", id, texts: [..], ms}`;
//! - page → worker `{kind: "panic"}`: test hook, the worker panics (as a bad frame could make
//!   rqrr do) so the tests can prove the page restarts it and keeps scanning.

use js_sys::{Object, Reflect};
use wasm_bindgen::JsValue;

/// RGBA → luma, as the decoder defines it (shared with the browser benchmark).
pub use statuspass_decoder::rgba_to_luma;

pub const KIND: &str = "kind";
pub const KIND_READY: &str = "ready";
pub const KIND_FRAME: &str = "frame";
pub const KIND_RESULT: &str = "result";
pub const KIND_PANIC: &str = "panic";
pub const ID: &str = "id";
pub const WIDTH: &str = "width";
pub const HEIGHT: &str = "height";
pub const RGBA: &str = "rgba";
pub const BITMAP: &str = "bitmap";
pub const THOROUGH: &str = "thorough";
pub const TEXTS: &str = "texts";
pub const MILLIS: &str = "ms";

/// A new message object `{kind}`.
pub fn message(kind: &str) -> Object {
    let obj = Object::new();
    set(&obj, KIND, &JsValue::from_str(kind));
    obj
}

/// Sets a field (setting a property on a fresh plain object cannot fail).
pub fn set(obj: &Object, key: &str, value: &JsValue) {
    let _ = Reflect::set(obj, &JsValue::from_str(key), value);
}

/// A field, if present.
pub fn get(obj: &JsValue, key: &str) -> Option<JsValue> {
    Reflect::get(obj, &JsValue::from_str(key))
        .ok()
        .filter(|v| !v.is_undefined() && !v.is_null())
}

pub fn get_str(obj: &JsValue, key: &str) -> Option<String> {
    get(obj, key).and_then(|v| v.as_string())
}

pub fn get_f64(obj: &JsValue, key: &str) -> Option<f64> {
    get(obj, key).and_then(|v| v.as_f64())
}
