//! Service worker registration (the worker itself is `public/sw.js`).

use js_sys::Reflect;
use wasm_bindgen::JsValue;

/// Registers `/sw.js` where the browser supports it (not in insecure contexts).
pub fn register() {
    let Some(window) = super::window() else {
        return;
    };
    let navigator = window.navigator();
    let supported = Reflect::has(&navigator, &JsValue::from_str("serviceWorker")).unwrap_or(false);
    if !supported {
        return;
    }
    // The promise is ignored: without a service worker the app still works online.
    let _ = navigator.service_worker().register("/sw.js");
}
