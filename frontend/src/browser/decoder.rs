//! The page's side of the decode worker: sends one frame at a time, and replaces the worker
//! when it dies (`error`, `messageerror`: a panic in its wasm) or does not answer in time.
//! A frame can therefore never stop the scanner: at worst that frame is lost.

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use js_sys::Array;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Event, MessageEvent, Worker};

use super::frame::{Frame, Pixels, CAMERA_MAX_WIDTH};
use crate::protocol::{self, get, get_f64, get_str, message, set};

/// Where Trunk puts the worker's loader (`data-loader-shim`; worker files are not hashed).
pub const WORKER_URL: &str = "/decode-worker_loader.js";
/// A camera frame (quick or thorough) that takes longer than this is given up and the
/// worker replaced.
pub const FRAME_TIMEOUT_MS: f64 = 4_000.0;
/// The same for a photo (thorough decode of up to 1600 px).
pub const PHOTO_TIMEOUT_MS: f64 = 30_000.0;

/// A worker's answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded {
    pub texts: Vec<String>,
    /// Time the worker spent on the frame.
    pub millis: f64,
}

/// Why a frame got no answer: the worker died or hung and was replaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkerRestarted;

type Done = Box<dyn FnOnce(Result<Decoded, WorkerRestarted>)>;

struct Pending {
    id: u32,
    deadline: f64,
    done: Done,
}

struct Inner {
    worker: Option<Worker>,
    ready: bool,
    pending: Option<Pending>,
    next_id: u32,
    restarts: u32,
    on_restart: Rc<dyn Fn(u32)>,
}

/// Handle to the decode worker (cheap to clone).
#[derive(Clone)]
pub struct DecodeWorker(Rc<RefCell<Inner>>);

impl DecodeWorker {
    /// Starts the worker. `on_restart` hears the number of restarts so far each time the
    /// worker is replaced. `None` when workers cannot be created at all.
    pub fn start(on_restart: impl Fn(u32) + 'static) -> Option<Self> {
        let me = Self(Rc::new(RefCell::new(Inner {
            worker: None,
            ready: false,
            pending: None,
            next_id: 0,
            restarts: 0,
            on_restart: Rc::new(on_restart),
        })));
        me.spawn().then_some(me)
    }

    fn spawn(&self) -> bool {
        let Ok(worker) = Worker::new(WORKER_URL) else {
            return false;
        };
        let weak = Rc::downgrade(&self.0);
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new({
            let weak = weak.clone();
            move |event: MessageEvent| {
                if let Some(me) = upgrade(&weak) {
                    me.on_message(&event.data());
                }
            }
        })
        .into_js_value();
        let on_failure = Closure::<dyn FnMut(Event)>::new(move |event: Event| {
            // Handled here: do not also report it as an uncaught page error.
            event.prevent_default();
            if let Some(me) = upgrade(&weak) {
                me.restart();
            }
        })
        .into_js_value();
        worker.set_onmessage(Some(on_message.unchecked_ref()));
        worker.set_onerror(Some(on_failure.unchecked_ref()));
        worker.set_onmessageerror(Some(on_failure.unchecked_ref()));
        let mut inner = self.0.borrow_mut();
        inner.worker = Some(worker);
        inner.ready = false;
        true
    }

    /// Replaces the worker; the frame in flight, if any, is answered with [`WorkerRestarted`].
    fn restart(&self) {
        let (pending, restarts, on_restart) = {
            let mut inner = self.0.borrow_mut();
            if let Some(old) = inner.worker.take() {
                old.terminate();
            }
            inner.restarts += 1;
            (
                inner.pending.take(),
                inner.restarts,
                inner.on_restart.clone(),
            )
        };
        self.spawn();
        on_restart(restarts);
        if let Some(p) = pending {
            (p.done)(Err(WorkerRestarted));
        }
    }

    fn on_message(&self, data: &JsValue) {
        match get_str(data, protocol::KIND).as_deref() {
            Some(protocol::KIND_READY) => self.0.borrow_mut().ready = true,
            Some(protocol::KIND_RESULT) => {
                let id = get_f64(data, protocol::ID);
                let pending = {
                    let mut inner = self.0.borrow_mut();
                    match &inner.pending {
                        Some(p) if Some(f64::from(p.id)) == id => inner.pending.take(),
                        _ => None,
                    }
                };
                let Some(p) = pending else {
                    return;
                };
                let texts = get(data, protocol::TEXTS)
                    .map(|v| {
                        Array::from(&v)
                            .iter()
                            .filter_map(|t| t.as_string())
                            .collect()
                    })
                    .unwrap_or_default();
                let millis = get_f64(data, protocol::MILLIS).unwrap_or(0.0);
                (p.done)(Ok(Decoded { texts, millis }));
            }
            _ => {}
        }
    }

    /// Ready for a frame: the worker runs and nothing is in flight.
    pub fn is_idle(&self) -> bool {
        let inner = self.0.borrow();
        inner.ready && inner.pending.is_none()
    }

    /// Replaces a worker that has not answered by the deadline. Call regularly.
    pub fn check_deadline(&self, now_ms: f64) {
        let overdue = self
            .0
            .borrow()
            .pending
            .as_ref()
            .is_some_and(|p| now_ms > p.deadline);
        if overdue {
            self.restart();
        }
    }

    /// Sends a frame unless busy (then returns `false` and drops it). `done` is called exactly
    /// once with the texts or [`WorkerRestarted`].
    pub fn submit(
        &self,
        frame: Frame,
        thorough: bool,
        now_ms: f64,
        done: impl FnOnce(Result<Decoded, WorkerRestarted>) + 'static,
    ) -> bool {
        let mut inner = self.0.borrow_mut();
        let worker = match &inner.worker {
            Some(worker) if inner.ready && inner.pending.is_none() => worker.clone(),
            _ => {
                frame.discard();
                return false;
            }
        };
        inner.next_id = inner.next_id.wrapping_add(1);
        let id = inner.next_id;
        let msg = message(protocol::KIND_FRAME);
        set(&msg, protocol::ID, &JsValue::from(id));
        set(&msg, protocol::WIDTH, &JsValue::from(frame.width));
        set(&msg, protocol::HEIGHT, &JsValue::from(frame.height));
        set(&msg, protocol::THOROUGH, &JsValue::from_bool(thorough));
        let transfer = match &frame.pixels {
            Pixels::Rgba(rgba) => {
                set(&msg, protocol::RGBA, rgba);
                Array::of1(&rgba.buffer())
            }
            Pixels::Bitmap(bitmap) => {
                set(&msg, protocol::BITMAP, bitmap);
                Array::of1(bitmap)
            }
        };
        if worker.post_message_with_transfer(&msg, &transfer).is_err() {
            frame.discard();
            return false;
        }
        // A frame of camera width is quick even when decoded thoroughly (well under a
        // second); only larger photos get the long deadline.
        let timeout = if thorough && frame.width > CAMERA_MAX_WIDTH {
            PHOTO_TIMEOUT_MS
        } else {
            FRAME_TIMEOUT_MS
        };
        inner.pending = Some(Pending {
            id,
            deadline: now_ms + timeout,
            done: Box::new(done),
        });
        true
    }

    /// Test hook: makes the worker panic, as a poisonous frame would.
    pub fn provoke_panic(&self) {
        if let Some(worker) = self.0.borrow().worker.as_ref() {
            let _ = worker.post_message(&message(protocol::KIND_PANIC));
        }
    }
}

fn upgrade(weak: &Weak<RefCell<Inner>>) -> Option<DecodeWorker> {
    weak.upgrade().map(DecodeWorker)
}
