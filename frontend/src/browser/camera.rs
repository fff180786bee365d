//! The camera: getUserMedia with the rear camera preferred, the list of cameras, the torch.
//! Every failure becomes a [`CameraProblem`] the page shows; none is swallowed.

use js_sys::{Array, Object};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{HtmlVideoElement, MediaDeviceInfo, MediaDeviceKind, MediaStream, MediaStreamTrack};

use super::call_method;
use crate::protocol::{get, set};

/// Why the camera cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CameraProblem {
    /// Not a secure context (plain http on a non-local address): no camera API at all.
    Insecure,
    /// The user or the browser settings refused access.
    Denied,
    /// No camera on the device.
    Missing,
    /// The camera exists but cannot be started (used by another app, hardware error).
    Busy,
    /// Anything else, with the browser's error name.
    Failed(String),
}

impl CameraProblem {
    /// The stable name used in `data-problem`.
    pub fn key(&self) -> &'static str {
        match self {
            Self::Insecure => "camera-insecure",
            Self::Denied => "camera-denied",
            Self::Missing => "camera-missing",
            Self::Busy => "camera-busy",
            Self::Failed(_) => "camera-failed",
        }
    }

    fn from_error(error: &JsValue) -> Self {
        let name = get(error, "name")
            .and_then(|n| n.as_string())
            .unwrap_or_default();
        match name.as_str() {
            "NotAllowedError" | "PermissionDeniedError" | "SecurityError" => Self::Denied,
            "NotFoundError" | "DevicesNotFoundError" | "OverconstrainedError" => Self::Missing,
            "NotReadableError" | "TrackStartError" | "AbortError" => Self::Busy,
            _ => Self::Failed(name),
        }
    }
}

fn media_devices() -> Result<web_sys::MediaDevices, CameraProblem> {
    let window = super::window().ok_or(CameraProblem::Missing)?;
    if !window.is_secure_context() {
        return Err(CameraProblem::Insecure);
    }
    let navigator = window.navigator();
    let devices = get(&navigator, "mediaDevices").ok_or(CameraProblem::Missing)?;
    if get(&devices, "getUserMedia").is_none() {
        return Err(CameraProblem::Missing);
    }
    Ok(devices.unchecked_into())
}

fn video_constraints(device_id: Option<&str>) -> Object {
    let video = Object::new();
    let ideal = |v: JsValue| {
        let o = Object::new();
        set(&o, "ideal", &v);
        o
    };
    match device_id {
        Some(id) => {
            let exact = Object::new();
            set(&exact, "exact", &JsValue::from_str(id));
            set(&video, "deviceId", &exact);
        }
        None => set(
            &video,
            "facingMode",
            &ideal(JsValue::from_str("environment")),
        ),
    }
    set(&video, "width", &ideal(JsValue::from(1280)));
    set(&video, "height", &ideal(JsValue::from(720)));
    video
}

/// Opens a camera: the given one, or the rear one if the browser can tell.
pub async fn open(device_id: Option<&str>) -> Result<MediaStream, CameraProblem> {
    let devices = media_devices()?;
    let constraints = Object::new();
    set(&constraints, "audio", &JsValue::FALSE);
    set(&constraints, "video", &video_constraints(device_id));
    let promise = devices
        .get_user_media_with_constraints(constraints.unchecked_ref())
        .map_err(|e| CameraProblem::from_error(&e))?;
    let stream = JsFuture::from(promise)
        .await
        .map_err(|e| CameraProblem::from_error(&e))?;
    stream
        .dyn_into::<MediaStream>()
        .map_err(|_| CameraProblem::Failed("stream".into()))
}

/// Shows the stream in the video element (muted, inline: required by iOS for autoplay).
pub async fn attach(video: &HtmlVideoElement, stream: &MediaStream) -> Result<(), CameraProblem> {
    video.set_muted(true);
    let _ = video.set_attribute("playsinline", "");
    let _ = video.set_attribute("muted", "");
    video.set_src_object(Some(stream));
    let promise = video.play().map_err(|e| CameraProblem::from_error(&e))?;
    JsFuture::from(promise)
        .await
        .map(|_| ())
        .map_err(|e| CameraProblem::from_error(&e))
}

/// Stops every track of the stream (the camera light goes off).
pub fn stop(stream: &MediaStream) {
    for track in stream.get_tracks().iter() {
        if let Ok(track) = track.dyn_into::<MediaStreamTrack>() {
            track.stop();
        }
    }
}

/// The stream's video track.
pub fn video_track(stream: &MediaStream) -> Option<MediaStreamTrack> {
    stream.get_video_tracks().get(0).dyn_into().ok()
}

/// The device id of the camera in use.
pub fn device_id(track: &MediaStreamTrack) -> Option<String> {
    let settings = call_method(track, "getSettings", &[])?;
    get(&settings, "deviceId").and_then(|v| v.as_string())
}

/// The cameras, as `(device id, label)`; labels are empty before permission is granted.
pub async fn cameras() -> Vec<(String, String)> {
    let Ok(devices) = media_devices() else {
        return Vec::new();
    };
    let Ok(promise) = devices.enumerate_devices() else {
        return Vec::new();
    };
    let Ok(list) = JsFuture::from(promise).await else {
        return Vec::new();
    };
    Array::from(&list)
        .iter()
        .filter_map(|d| d.dyn_into::<MediaDeviceInfo>().ok())
        .filter(|d| d.kind() == MediaDeviceKind::Videoinput && !d.device_id().is_empty())
        .map(|d| (d.device_id(), d.label()))
        .collect()
}

/// Whether the track has a torch that can be switched (Chrome on Android; not iOS).
pub fn has_torch(track: &MediaStreamTrack) -> bool {
    call_method(track, "getCapabilities", &[])
        .and_then(|caps| get(&caps, "torch"))
        .is_some_and(|t| t.is_truthy())
}

/// Switches the torch; `false` if the browser refused.
pub async fn set_torch(track: &MediaStreamTrack, on: bool) -> bool {
    let torch = Object::new();
    set(&torch, "torch", &JsValue::from_bool(on));
    let constraints = Object::new();
    set(&constraints, "advanced", &Array::of1(&torch));
    let Some(promise) = call_method(track, "applyConstraints", &[constraints.into()]) else {
        return false;
    };
    JsFuture::from(js_sys::Promise::resolve(&promise))
        .await
        .is_ok()
}

/// Whether the video has a frame to read.
pub fn has_frame(video: &HtmlVideoElement) -> bool {
    // HAVE_CURRENT_DATA = 2
    video.ready_state() >= 2 && video.video_width() > 0 && video.video_height() > 0
}

/// Continuous focus and a modest zoom, where the track offers them (Chrome on Android): close
/// codes stay sharp and a code at arm's length fills more of the frame. Best effort: a track
/// that refuses keeps its settings.
pub async fn tune(track: &MediaStreamTrack) {
    let Some(caps) = call_method(track, "getCapabilities", &[]) else {
        return;
    };
    let wanted = Object::new();
    let continuous = get(&caps, "focusMode")
        .map(|modes| Array::from(&modes))
        .is_some_and(|modes| modes.includes(&JsValue::from_str("continuous"), 0));
    if continuous {
        set(&wanted, "focusMode", &JsValue::from_str("continuous"));
    }
    if let Some(zoom) = get(&caps, "zoom") {
        let min = get(&zoom, "min").and_then(|v| v.as_f64()).unwrap_or(1.0);
        let max = get(&zoom, "max").and_then(|v| v.as_f64()).unwrap_or(1.0);
        if max > min {
            set(&wanted, "zoom", &JsValue::from(modest_zoom(min, max)));
        }
    }
    if Object::keys(&wanted).length() == 0 {
        return;
    }
    let constraints = Object::new();
    set(&constraints, "advanced", &Array::of1(&wanted));
    if let Some(promise) = call_method(track, "applyConstraints", &[constraints.into()]) {
        let _ = JsFuture::from(js_sys::Promise::resolve(&promise)).await;
    }
}

/// 1.5× where the lens allows it (less where it does not go that far, never below its minimum).
pub fn modest_zoom(min: f64, max: f64) -> f64 {
    1.5_f64.clamp(min, max.max(min))
}

/// Calls `on_ended` when the track ends without us stopping it (another app took the camera,
/// the device was unplugged, iOS ended it in the background).
pub fn on_ended(track: &MediaStreamTrack, on_ended: impl Fn() + 'static) {
    let closure = wasm_bindgen::closure::Closure::<dyn Fn()>::new(on_ended);
    track.set_onended(Some(closure.as_ref().unchecked_ref()));
    closure.forget();
}

/// Forgets the handler set by [`on_ended`] (before we stop the track ourselves).
pub fn clear_on_ended(track: &MediaStreamTrack) {
    track.set_onended(None);
}

/// The camera after `current` in `cameras` (the first one after the last): the lens switch.
pub fn next_camera(cameras: &[(String, String)], current: Option<&str>) -> Option<String> {
    let at = current.and_then(|c| cameras.iter().position(|(id, _)| id == c));
    let next = at.map_or(0, |i| (i + 1) % cameras.len().max(1));
    cameras.get(next).map(|(id, _)| id.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_zoom_is_modest_and_within_the_lens() {
        assert_eq!(modest_zoom(1.0, 8.0), 1.5);
        assert_eq!(modest_zoom(1.0, 1.2), 1.2);
        assert_eq!(modest_zoom(2.0, 10.0), 2.0);
        assert_eq!(
            modest_zoom(1.0, 0.5),
            1.0,
            "a broken range keeps the minimum"
        );
    }

    #[test]
    fn the_lens_switch_goes_round() {
        let cams = vec![
            ("a".to_owned(), String::new()),
            ("b".to_owned(), String::new()),
        ];
        assert_eq!(next_camera(&cams, Some("a")).as_deref(), Some("b"));
        assert_eq!(next_camera(&cams, Some("b")).as_deref(), Some("a"));
        assert_eq!(next_camera(&cams, None).as_deref(), Some("a"));
        assert_eq!(next_camera(&cams, Some("gone")).as_deref(), Some("a"));
        assert_eq!(next_camera(&[], None), None);
    }
}
