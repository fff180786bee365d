//! Frames for the decoder. Camera frames, where the browser can (`createImageBitmap` of the
//! video and an `OffscreenCanvas` in the worker), are `ImageBitmap`s scaled by the browser and
//! read back to pixels in the worker, so the page's thread does not spend a canvas draw and
//! read-back on each (tens of milliseconds on a slow phone, in its hand's way). Elsewhere, and
//! for photos, the source is drawn onto a canvas here, downscaled and read back as RGBA. Either
//! way the object is transferred to the worker, never passing through the page's wasm memory.

use js_sys::{Object, Reflect, Uint8ClampedArray};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    CanvasRenderingContext2d, File, HtmlCanvasElement, HtmlVideoElement, ImageBitmap,
    ImageBitmapOptions, ResizeQuality,
};

use crate::protocol::{get, set};

/// Camera frames are scaled to at most this width (enough for a phone-sized QR at arm's length,
/// and cheap to decode ten times a second).
pub const CAMERA_MAX_WIDTH: u32 = 640;
/// Photos are scaled so the longer side is at most this (what the thorough decoder works on).
pub const PHOTO_MAX_SIDE: u32 = 1600;

/// A frame ready to post: its size and its pixels.
pub struct Frame {
    pub width: u32,
    pub height: u32,
    pub pixels: Pixels,
}

/// A frame's pixels, as read here or as the browser's bitmap for the worker to read.
pub enum Pixels {
    Rgba(Uint8ClampedArray),
    /// To be drawn at the frame's size (the browser may not have scaled it).
    Bitmap(ImageBitmap),
}

impl Frame {
    /// Frees a frame that is not sent (a bitmap holds decoded video memory until closed).
    pub fn discard(self) {
        if let Pixels::Bitmap(bitmap) = self.pixels {
            bitmap.close();
        }
    }
}

thread_local! {
    /// Looked up once: the browser's features do not change while the page runs.
    static BITMAPS_SUPPORTED: bool = super::window().is_some_and(|window| {
        ["createImageBitmap", "OffscreenCanvas"]
            .iter()
            .all(|name| Reflect::has(&window, &JsValue::from_str(name)).unwrap_or(false))
    });
}

/// Whether camera frames go to the worker as bitmaps (see the module docs).
pub fn bitmaps_supported() -> bool {
    BITMAPS_SUPPORTED.with(|supported| *supported)
}

/// The current video frame as a bitmap at most [`CAMERA_MAX_WIDTH`] wide, scaled by the
/// browser (off this thread).
pub async fn bitmap_from_video(video: &HtmlVideoElement) -> Option<Frame> {
    let (width, height) = fit_width(video.video_width(), video.video_height(), CAMERA_MAX_WIDTH)?;
    let options = ImageBitmapOptions::new();
    options.set_resize_width(width);
    options.set_resize_height(height);
    options.set_resize_quality(ResizeQuality::Low);
    let promise = super::window()?
        .create_image_bitmap_with_html_video_element_and_image_bitmap_options(video, &options)
        .ok()?;
    let bitmap: ImageBitmap = JsFuture::from(promise).await.ok()?.dyn_into().ok()?;
    Some(Frame {
        width,
        height,
        pixels: Pixels::Bitmap(bitmap),
    })
}

/// An offscreen canvas kept for reading frames.
pub struct FrameGrabber {
    canvas: HtmlCanvasElement,
    ctx: CanvasRenderingContext2d,
}

impl FrameGrabber {
    pub fn new() -> Option<Self> {
        let document = super::window()?.document()?;
        let canvas: HtmlCanvasElement = document.create_element("canvas").ok()?.dyn_into().ok()?;
        let options = Object::new();
        // Tells the browser to keep the canvas in CPU memory: getImageData every 100 ms.
        set(&options, "willReadFrequently", &JsValue::TRUE);
        let ctx = canvas
            .get_context_with_context_options("2d", &options)
            .ok()??
            .dyn_into()
            .ok()?;
        Some(Self { canvas, ctx })
    }

    fn read(&self, width: u32, height: u32) -> Option<Frame> {
        let data = self
            .ctx
            .get_image_data(0.0, 0.0, f64::from(width), f64::from(height))
            .ok()?;
        let rgba = get(&data, "data")?.dyn_into::<Uint8ClampedArray>().ok()?;
        Some(Frame {
            width,
            height,
            pixels: Pixels::Rgba(rgba),
        })
    }

    fn resize(&self, width: u32, height: u32) {
        if self.canvas.width() != width {
            self.canvas.set_width(width);
        }
        if self.canvas.height() != height {
            self.canvas.set_height(height);
        }
    }

    /// The current video frame, at most [`CAMERA_MAX_WIDTH`] wide.
    pub fn from_video(&self, video: &HtmlVideoElement) -> Option<Frame> {
        let (w, h) = fit_width(video.video_width(), video.video_height(), CAMERA_MAX_WIDTH)?;
        self.capture(w, h, |ctx, dw, dh| {
            ctx.draw_image_with_html_video_element_and_dw_and_dh(video, 0.0, 0.0, dw, dh)
        })
    }

    /// A photo, its longer side at most [`PHOTO_MAX_SIDE`].
    pub fn from_bitmap(&self, bitmap: &ImageBitmap) -> Option<Frame> {
        let (w, h) = fit_side(bitmap.width(), bitmap.height(), PHOTO_MAX_SIDE)?;
        self.capture(w, h, |ctx, dw, dh| {
            ctx.draw_image_with_image_bitmap_and_dw_and_dh(bitmap, 0.0, 0.0, dw, dh)
        })
    }

    /// Draws a source scaled to `w` x `h` (`draw` gets the context and the size) and reads
    /// the pixels back.
    fn capture(
        &self,
        w: u32,
        h: u32,
        draw: impl FnOnce(&CanvasRenderingContext2d, f64, f64) -> Result<(), JsValue>,
    ) -> Option<Frame> {
        self.resize(w, h);
        draw(&self.ctx, f64::from(w), f64::from(h)).ok()?;
        self.read(w, h)
    }
}

/// Decodes an image file (`createImageBitmap`, which respects EXIF orientation).
pub async fn bitmap_from_file(file: &File) -> Option<ImageBitmap> {
    let promise = super::window()?.create_image_bitmap_with_blob(file).ok()?;
    JsFuture::from(promise).await.ok()?.dyn_into().ok()
}

/// Size scaled down (never up) to at most `max_w` wide, keeping the aspect ratio.
pub fn fit_width(w: u32, h: u32, max_w: u32) -> Option<(u32, u32)> {
    if w == 0 || h == 0 {
        return None;
    }
    if w <= max_w {
        return Some((w, h));
    }
    let nh = (u64::from(h) * u64::from(max_w) / u64::from(w)).max(1);
    Some((max_w, u32::try_from(nh).ok()?))
}

/// Size scaled down so the longer side is at most `max_side`.
pub fn fit_side(w: u32, h: u32, max_side: u32) -> Option<(u32, u32)> {
    if w == 0 || h == 0 {
        return None;
    }
    let long = w.max(h);
    if long <= max_side {
        return Some((w, h));
    }
    let scale =
        |v: u32| u32::try_from((u64::from(v) * u64::from(max_side) / u64::from(long)).max(1));
    Some((scale(w).ok()?, scale(h).ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn camera_frames_are_at_most_640_wide() {
        assert_eq!(fit_width(1280, 720, 640), Some((640, 360)));
        assert_eq!(fit_width(640, 480, 640), Some((640, 480)));
        assert_eq!(fit_width(320, 240, 640), Some((320, 240)));
        assert_eq!(fit_width(0, 240, 640), None);
    }

    #[test]
    fn photos_keep_their_longer_side_within_the_limit() {
        assert_eq!(fit_side(4000, 3000, 1600), Some((1600, 1200)));
        assert_eq!(fit_side(3000, 4000, 1600), Some((1200, 1600)));
        assert_eq!(fit_side(800, 600, 1600), Some((800, 600)));
    }
}
