//! The screen kept awake (Screen Wake Lock API) while the scanner scans and while a pass is on
//! screen. The browser drops the lock whenever the page is hidden; [`ScreenAwake::keep`] is
//! called again when it is shown. Where the API is missing (older iOS, insecure contexts) or
//! the request is refused (battery saver), the screen simply follows the phone's settings.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use js_sys::Promise;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use super::call_method;
use crate::protocol::get;

/// One page's wake lock: at most one sentinel held at a time.
#[derive(Clone)]
pub struct ScreenAwake {
    sentinel: Rc<RefCell<Option<JsValue>>>,
    wanted: Rc<Cell<bool>>,
    /// Told whether a lock is held, whenever that changes.
    notify: Rc<dyn Fn(bool)>,
}

impl ScreenAwake {
    /// A wake lock that tells `notify` when it is taken and when it is gone.
    pub fn new(notify: impl Fn(bool) + 'static) -> Self {
        Self {
            sentinel: Rc::default(),
            wanted: Rc::default(),
            notify: Rc::new(notify),
        }
    }

    /// Keeps the screen on (again, if the browser released the lock while hidden).
    pub fn keep(&self) {
        self.wanted.set(true);
        let held = self
            .sentinel
            .borrow()
            .as_ref()
            .and_then(|s| get(s, "released"))
            .is_some_and(|released| released.is_falsy());
        if held {
            return;
        }
        let Some(window) = super::window() else {
            return;
        };
        let Some(lock) = get(&window.navigator(), "wakeLock") else {
            return;
        };
        let Some(promise) = call_method(&lock, "request", &[JsValue::from_str("screen")]) else {
            return;
        };
        let this = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            // Refused (page hidden meanwhile, power saving): nothing to hold.
            if let Ok(sentinel) = JsFuture::from(Promise::resolve(&promise)).await {
                if this.wanted.get() {
                    // The browser releases it when the page is hidden.
                    let notify = this.notify.clone();
                    let on_release = Closure::<dyn Fn()>::new(move || notify(false));
                    let _ = js_sys::Reflect::set(
                        &sentinel,
                        &JsValue::from_str("onrelease"),
                        on_release.as_ref().unchecked_ref(),
                    );
                    on_release.forget();
                    *this.sentinel.borrow_mut() = Some(sentinel);
                    (this.notify)(true);
                } else {
                    let _ = call_method(&sentinel, "release", &[]);
                }
            }
        });
    }

    /// Lets the screen sleep again.
    pub fn release(&self) {
        self.wanted.set(false);
        let taken = self.sentinel.borrow_mut().take();
        if let Some(sentinel) = taken {
            let _ = call_method(&sentinel, "release", &[]);
            (self.notify)(false);
        }
    }
}
