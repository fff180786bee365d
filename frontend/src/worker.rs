//! Runs inside the decode Web Worker (the `decode-worker` binary). Receives frames (RGBA, or a
//! camera bitmap it reads back on its own `OffscreenCanvas`), converts them to greyscale and
//! decodes them with `statuspass_decoder`; answers with the texts and the time taken. A panic
//! here traps the worker's wasm; the page notices (`error` event or no answer) and starts a
//! fresh worker, so one bad frame can never stop the scanner.

use std::cell::RefCell;

use js_sys::{Array, Object, Uint8Array};
use statuspass_decoder::{decode, decode_thorough, GreyFrame};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{
    DedicatedWorkerGlobalScope, ImageBitmap, MessageEvent, OffscreenCanvas,
    OffscreenCanvasRenderingContext2d,
};

use crate::protocol::{self, get, get_f64, get_str, message, set};

/// Installs the message handler and tells the page the worker is ready.
pub fn run() {
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let reply_to = scope.clone();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        handle(&reply_to, &event.data());
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The handler lives as long as the worker.
    on_message.forget();
    let _ = scope.post_message(&message(protocol::KIND_READY));
}

fn handle(scope: &DedicatedWorkerGlobalScope, data: &JsValue) {
    match get_str(data, protocol::KIND).as_deref() {
        Some(protocol::KIND_FRAME) => {
            let answer = decode_frame(data);
            let _ = scope.post_message(&answer);
        }
        // Test hook (harmless: it only kills this worker, which the page replaces).
        Some(protocol::KIND_PANIC) => panic!("decode worker: panic requested (test hook)"),
        _ => {}
    }
}

fn decode_frame(data: &JsValue) -> js_sys::Object {
    let started = now_ms();
    let id = get_f64(data, protocol::ID).unwrap_or(-1.0);
    let width = dimension(data, protocol::WIDTH);
    let height = dimension(data, protocol::HEIGHT);
    let thorough = get(data, protocol::THOROUGH)
        .and_then(|v| v.as_bool())
        .unwrap_or(false);
    let rgba = match get(data, protocol::BITMAP).and_then(|v| v.dyn_into::<ImageBitmap>().ok()) {
        Some(bitmap) => {
            let rgba = read_bitmap(&bitmap, width, height);
            bitmap.close();
            rgba.unwrap_or_default()
        }
        // Uint8ClampedArray and Uint8Array share the bytes; a view avoids a type check on each.
        None => get(data, protocol::RGBA)
            .and_then(|v| v.dyn_into::<js_sys::Uint8ClampedArray>().ok())
            .map(|a| {
                Uint8Array::new_with_byte_offset_and_length(
                    &a.buffer(),
                    a.byte_offset(),
                    a.length(),
                )
                .to_vec()
            })
            .unwrap_or_default(),
    };
    let luma = protocol::rgba_to_luma(&rgba);
    let frame = GreyFrame::new(width, height, &luma);
    let texts = if thorough {
        decode_thorough(&frame)
    } else {
        decode(&frame)
    };

    let answer = message(protocol::KIND_RESULT);
    set(&answer, protocol::ID, &JsValue::from_f64(id));
    let list = Array::new();
    for text in &texts {
        list.push(&JsValue::from_str(text));
    }
    set(&answer, protocol::TEXTS, &list);
    set(
        &answer,
        protocol::MILLIS,
        &JsValue::from_f64(now_ms() - started),
    );
    answer
}

thread_local! {
    /// The canvas camera bitmaps are read back on, kept from frame to frame.
    static CANVAS: RefCell<Option<(OffscreenCanvas, OffscreenCanvasRenderingContext2d)>> =
        const { RefCell::new(None) };
}

/// The bitmap's pixels drawn at `width` x `height` (an empty result fails the frame's size
/// check, so the decoder refuses it).
fn read_bitmap(bitmap: &ImageBitmap, width: usize, height: usize) -> Option<Vec<u8>> {
    let (w, h) = (u32::try_from(width).ok()?, u32::try_from(height).ok()?);
    CANVAS.with(|cell| {
        let mut cell = cell.borrow_mut();
        if cell.is_none() {
            let canvas = OffscreenCanvas::new(w, h).ok()?;
            let options = Object::new();
            // Kept in CPU memory: read back ten times a second.
            set(&options, "willReadFrequently", &JsValue::TRUE);
            let ctx = canvas
                .get_context_with_context_options("2d", &options)
                .ok()??
                .dyn_into::<OffscreenCanvasRenderingContext2d>()
                .ok()?;
            *cell = Some((canvas, ctx));
        }
        let (canvas, ctx) = cell.as_ref()?;
        if canvas.width() != w {
            canvas.set_width(w);
        }
        if canvas.height() != h {
            canvas.set_height(h);
        }
        let (dw, dh) = (f64::from(w), f64::from(h));
        ctx.draw_image_with_image_bitmap_and_dw_and_dh(bitmap, 0.0, 0.0, dw, dh)
            .ok()?;
        Some(ctx.get_image_data(0.0, 0.0, dw, dh).ok()?.data().0)
    })
}

fn dimension(data: &JsValue, key: &str) -> usize {
    let v = get_f64(data, key).unwrap_or(0.0);
    if (0.0..=1_000_000.0).contains(&v) {
        v as usize
    } else {
        0
    }
}

/// `performance.now()` where available, else the wall clock.
pub fn now_ms() -> f64 {
    let global = js_sys::global();
    get(&global, "performance")
        .and_then(|perf| {
            let now = get(&perf, "now")?.dyn_into::<js_sys::Function>().ok()?;
            now.call0(&perf).ok()?.as_f64()
        })
        .unwrap_or_else(js_sys::Date::now)
}
