//! Service worker registration (the worker itself is `public/sw.js`).

use js_sys::Reflect;
use wasm_bindgen::{JsCast, JsValue};

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

/// The Background Sync tag under which the service worker sends the offline queue.
pub const QUEUE_SYNC_TAG: &str = "statuspass-queue";

/// Asks the browser to wake the service worker when the network is back, to send the offline
/// queue even if this page is closed by then (Background Sync, where the browser has it:
/// Chromium; elsewhere the page sends the queue itself when it is open).
pub fn request_queue_sync() {
    let Some(window) = super::window() else {
        return;
    };
    let navigator = window.navigator();
    if !Reflect::has(&navigator, &JsValue::from_str("serviceWorker")).unwrap_or(false) {
        return;
    }
    let ready = navigator.service_worker().ready();
    let Ok(ready) = ready else {
        return;
    };
    wasm_bindgen_futures::spawn_local(async move {
        let Ok(registration) = wasm_bindgen_futures::JsFuture::from(ready).await else {
            return;
        };
        let Ok(sync) = Reflect::get(&registration, &JsValue::from_str("sync")) else {
            return;
        };
        let Ok(register) = Reflect::get(&sync, &JsValue::from_str("register")) else {
            return;
        };
        if let Ok(register) = register.dyn_into::<js_sys::Function>() {
            if let Ok(promise) = register.call1(&sync, &JsValue::from_str(QUEUE_SYNC_TAG)) {
                if let Ok(promise) = promise.dyn_into::<js_sys::Promise>() {
                    // Refused (permission, no support): the page's own sending remains.
                    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
                }
            }
        }
    });
}
