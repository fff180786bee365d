//! A short beep (WebAudio) and a vibration when a result is shown.

use std::cell::RefCell;

use wasm_bindgen::JsValue;
use web_sys::{AudioContext, OscillatorType};

thread_local! {
    static AUDIO: RefCell<Option<AudioContext>> = const { RefCell::new(None) };
}

/// Creates or resumes the audio context. Call from a tap: iOS only lets audio start from a
/// user gesture.
pub fn unlock_audio() {
    AUDIO.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            *slot = AudioContext::new().ok();
        }
        if let Some(ctx) = slot.as_ref() {
            let _ = ctx.resume();
        }
    });
}

/// One beep: high for a confirmed status, low and longer otherwise; plus a vibration.
pub fn signal(good: bool) {
    beep(
        if good { 1320.0 } else { 330.0 },
        if good { 0.12 } else { 0.35 },
    );
    vibrate(if good { 80 } else { 300 });
}

fn beep(frequency: f32, seconds: f64) {
    AUDIO.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            *slot = AudioContext::new().ok();
        }
        let Some(ctx) = slot.as_ref() else {
            return;
        };
        let (Ok(osc), Ok(gain)) = (ctx.create_oscillator(), ctx.create_gain()) else {
            return;
        };
        osc.set_type(OscillatorType::Square);
        osc.frequency().set_value(frequency);
        gain.gain().set_value(0.08);
        let start = ctx.current_time();
        if osc.connect_with_audio_node(&gain).is_err()
            || gain.connect_with_audio_node(&ctx.destination()).is_err()
        {
            return;
        }
        let _ = osc.start();
        let _ = osc.stop_with_when(start + seconds);
    });
}

fn vibrate(ms: u32) {
    if let Some(window) = super::window() {
        // iOS Safari has no navigator.vibrate.
        let _ = super::call_method(&window.navigator(), "vibrate", &[JsValue::from(ms)]);
    }
}
