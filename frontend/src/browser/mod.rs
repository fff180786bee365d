//! Browser glue: everything that talks to Web APIs other than the DOM that Leptos renders.
//! APIs that some supported browsers lack (vibration on iOS, torch, `getCapabilities`) are
//! looked up before use: calling a missing function from wasm would throw.

pub mod camera;
pub mod decoder;
pub mod feedback;
pub mod frame;
pub mod idb;
pub mod storage;
pub mod sw;
pub mod wake_lock;

use js_sys::{Function, Reflect};
use wasm_bindgen::{JsCast, JsValue};

/// Calls `target[name](args…)` if that is a function; `None` when it is missing or throws.
pub(crate) fn call_method(target: &JsValue, name: &str, args: &[JsValue]) -> Option<JsValue> {
    let f = Reflect::get(target, &JsValue::from_str(name))
        .ok()?
        .dyn_into::<Function>()
        .ok()?;
    let list = args.iter().collect::<js_sys::Array>();
    f.apply(target, &list).ok()
}

/// `window`, if there is one (there is none inside a worker).
pub(crate) fn window() -> Option<web_sys::Window> {
    web_sys::window()
}

/// Whether the browser says it has no network (`navigator.onLine` is false). `true` is
/// certain; `false` only means a network interface is up.
pub fn is_offline() -> bool {
    window().is_some_and(|w| !w.navigator().on_line())
}

/// Whether the page is in the background (another app, another tab, the screen off).
pub fn page_hidden() -> bool {
    window()
        .and_then(|w| w.document())
        .is_some_and(|d| d.hidden())
}

/// Today by the device's local calendar, `YYYY-MM-DD` (also what a date input wants).
pub fn local_day() -> String {
    let d = js_sys::Date::new_0();
    format!(
        "{:04}-{:02}-{:02}",
        d.get_full_year(),
        d.get_month() + 1,
        d.get_date()
    )
}

/// Milliseconds since the epoch by the device clock.
pub fn now_ms() -> f64 {
    js_sys::Date::now()
}
