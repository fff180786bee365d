//! Codes that do not come from the camera: typed by hand, or decoded from a photo (with the
//! thorough decoder, once the frame in flight is done).

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::engine::{Scanner, Source, FRAME_INTERVAL};
use super::state::{Notice, Screen};
use crate::browser::frame::{self, Frame};
use crate::browser::{self, feedback};
use crate::text;

impl Scanner {
    /// Manual entry: a full link, or just the id (the link is then built on this service).
    pub fn check_typed(self, typed: String) {
        let typed = typed.trim().to_owned();
        if typed.is_empty() {
            return;
        }
        let code = if typed.contains("://") {
            typed
        } else {
            let base = self
                .rt()
                .public_url
                .borrow()
                .clone()
                .or_else(|| browser::window().and_then(|w| w.location().origin().ok()))
                .unwrap_or_default();
            format!("{}/somc2/{typed}", base.trim_end_matches('/'))
        };
        feedback::unlock_audio();
        self.check(code, Source::Manual);
    }

    /// Decodes a photo with the thorough decoder.
    pub fn check_photo(self, file: web_sys::File) {
        feedback::unlock_audio();
        self.screen.set(Screen::Checking(text::PHOTO_DECODING));
        spawn_local(async move {
            let rt = self.rt();
            let bitmap = frame::bitmap_from_file(&file).await;
            let frame =
                bitmap.and_then(|b| rt.grabber.borrow().as_ref().and_then(|g| g.from_bitmap(&b)));
            match frame {
                Some(frame) => self.submit_photo(frame, 50),
                None => self.screen.set(Screen::Notice(Notice::PhotoUnreadable)),
            }
        });
    }

    /// Waits (up to `tries` × 100 ms) for the frame in flight to finish, then sends the photo.
    fn submit_photo(self, frame: Frame, tries: u32) {
        let Some(decoder) = self.rt().decoder.borrow().clone() else {
            return self.screen.set(Screen::Notice(Notice::Decoder));
        };
        if decoder.is_idle() {
            let now = browser::now_ms();
            decoder.submit(frame, true, now, move |answer| {
                self.decoded(answer, Source::Photo)
            });
        } else if tries == 0 {
            self.screen.set(Screen::Notice(Notice::Decoder));
        } else {
            set_timeout(move || self.submit_photo(frame, tries - 1), FRAME_INTERVAL);
        }
    }
}
