//! The scanner's workings, apart from its view: camera start, the frame loop (~10 attempts a
//! second, one frame in flight, every 4th decoded thoroughly), the decode worker,
//! de-duplication, the server check.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;

use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use statuspass_shared::api::{MyDelegation, ScanResult};
use statuspass_shared::{Ogrn, PassLinks, ScannedCode};
use web_sys::{MediaStream, MediaStreamTrack};

use crate::api::{self, ApiFailure};
use crate::browser::camera;
use crate::browser::decoder::{DecodeWorker, Decoded, WorkerRestarted};
use crate::browser::frame::{self, Frame, FrameGrabber};
use crate::browser::{self, feedback, storage};
use crate::components::scan_result::{OfflineMark, ScanOutcome, Verdict};
use crate::pages::Account;
use crate::text;

use super::offline::{self, SeenList};
use super::queue::OfflineQueue;
pub use super::state::{CameraState, Notice, Screen};
use crate::browser::idb::{self, StoredKeys};
use crate::browser::wake_lock::ScreenAwake;

/// A frame is tried at most this often.
pub const FRAME_INTERVAL: Duration = Duration::from_millis(100);
/// Every this many camera frames, one is decoded with the thorough effort (all the
/// decoder's views: small or distant codes at 1.5-2.5 px per module, blur, low contrast),
/// so that a code the quick pass misses is still read within about half a second, while
/// the other frames stay quick (decoder/README.md: Fast vs Thorough). Kept at 4 after Fast
/// came to read what zxing-wasm reads (issue 15): at 4× CPU a thorough frame takes ~50 ms and
/// a Fast one ~10, so the worker keeps up with every 100 ms tick, and a code only Thorough
/// reads waits at most 4 ticks; `tests/e2e/figures.mjs` 9 prints code → valid at 4× CPU
/// (0.7 s for a distant code: a 6th frame would bring that near the one-second target).
pub const THOROUGH_EVERY: u32 = 4;
/// The same code read again within this time is not sent again.
pub const SAME_CODE_QUIET_MS: f64 = 4_000.0;
/// Queued scans are sent at least this often while some wait (besides `online`, page shown,
/// scanner start and after each answered scan).
pub const QUEUE_RETRY: Duration = Duration::from_secs(30);
/// The server's error code for a scan on behalf of an organization without an active
/// delegation (revoked or expired since the page was opened).
const NO_ACTIVE_DELEGATION: &str = "no_active_delegation";

/// Where a code came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Source {
    Camera,
    Photo,
    Manual,
}

/// Browser objects the scanner holds (not `Send`: kept in a local `StoredValue`).
#[derive(Default)]
pub(super) struct Runtime {
    pub(super) decoder: RefCell<Option<DecodeWorker>>,
    pub(super) grabber: RefCell<Option<FrameGrabber>>,
    stream: RefCell<Option<MediaStream>>,
    pub(super) links: RefCell<Option<PassLinks>>,
    /// The cached key list (IndexedDB), for verdicts without network.
    pub(super) keys: RefCell<Option<StoredKeys>>,
    /// Pass ids found valid on this device (IndexedDB).
    pub(super) seen: RefCell<SeenList>,
    /// A key list fetch is under way.
    pub(super) keys_fetching: Cell<bool>,
    /// Organization scans made offline, waiting to be sent (IndexedDB).
    queue: RefCell<OfflineQueue>,
    /// An upload of the queue is under way.
    flushing: Cell<bool>,
    pub(super) public_url: RefCell<Option<String>>,
    last_code: RefCell<Option<(String, f64)>>,
    /// The last organization scan that got no answer (no network, 503): scanning the same code
    /// for the same organization again sends the same event id, so the ledger counts it once.
    unanswered: RefCell<Option<(String, Ogrn, uuid::Uuid)>>,
    first_frame_ms: Cell<Option<f64>>,
    /// Decode time and count of the camera frames so far: Fast ones, thorough ones.
    decode_sums: Cell<[(f64, u32); 2]>,
    /// A camera bitmap is being made (the worker is not sent another meanwhile).
    capturing: Cell<bool>,
    /// Camera frames sent to the worker (for [`THOROUGH_EVERY`]).
    frames_sent: Cell<u32>,
    loop_started: Cell<bool>,
    /// The camera was stopped because the page was hidden; started again when shown.
    paused: Cell<bool>,
    /// When the camera's track last ended on its own (a second end soon after is a problem,
    /// not something to restart for).
    last_track_end_ms: Cell<Option<f64>>,
    /// The screen kept on while the camera runs.
    awake: RefCell<Option<ScreenAwake>>,
}

impl Runtime {
    /// Stops the camera in use, if any (without it counting as the track ending).
    fn stop_stream(&self) {
        if let Some(old) = self.stream.borrow_mut().take() {
            if let Some(track) = camera::video_track(&old) {
                camera::clear_on_ended(&track);
            }
            camera::stop(&old);
        }
    }

    fn release_awake(&self) {
        if let Some(awake) = self.awake.borrow().as_ref() {
            awake.release();
        }
    }
}

/// The scanner: reactive state for the view plus the browser objects. `Copy`, so event
/// handlers and callbacks take it by value.
#[derive(Clone, Copy)]
pub struct Scanner {
    pub account: RwSignal<Account>,
    pub camera: RwSignal<CameraState>,
    pub screen: RwSignal<Screen>,
    pub restarts: RwSignal<u32>,
    /// `None`: the camera has no torch we can switch.
    pub torch: RwSignal<Option<bool>>,
    pub cameras: RwSignal<Vec<(String, String)>>,
    pub current_camera: RwSignal<Option<String>>,
    /// Organizations the staff member holds an active delegation of.
    pub delegations: RwSignal<Vec<MyDelegation>>,
    /// Whether the delegations are known (camera frames wait for it, so that the choice of
    /// organization is on screen before the first code is read).
    pub delegations_loaded: RwSignal<bool>,
    /// Scanning on behalf of this organization (chosen before scanning), or privately.
    pub on_behalf_of: RwSignal<Option<Ogrn>>,
    /// Figures for the page's data attributes: last and mean decode time (all camera frames,
    /// the Fast ones, the thorough ones), first frame time.
    pub last_decode_ms: RwSignal<f64>,
    pub mean_decode_ms: RwSignal<f64>,
    pub mean_fast_ms: RwSignal<f64>,
    pub mean_thorough_ms: RwSignal<f64>,
    /// Camera frames decoded so far (attempts per second, for the figures).
    pub decoded_frames: RwSignal<u32>,
    pub first_frame_ms: RwSignal<Option<f64>>,
    /// `WxH` of the frames sent to the decoder.
    pub frame_size: RwSignal<Option<(u32, u32)>>,
    seq: RwSignal<u32>,
    /// When the cached key list was fetched (device ms); `None`: no list on this device.
    pub keys_fetched_at: RwSignal<Option<f64>>,
    /// Whether the cached list was looked up and a fetch tried (the stale note waits for it).
    pub keys_known: RwSignal<bool>,
    /// The device clock, ticked every minute (for the stale note).
    pub clock_ms: RwSignal<f64>,
    /// The signed-in staff member's scans waiting in the offline queue.
    pub pending: RwSignal<usize>,
    /// Whether the browser says it is online (`online`/`offline` events).
    pub online: RwSignal<bool>,
    /// A screen wake lock is held (`data-awake`).
    pub awake: RwSignal<bool>,
    /// Codes checked on this device today (`data-checks-today`; foreign codes not counted).
    pub checks_today: RwSignal<u32>,
    pub video: NodeRef<html::Video>,
    rt: StoredValue<Rc<Runtime>, LocalStorage>,
}

impl Scanner {
    pub fn new() -> Self {
        let scanner = Self {
            account: RwSignal::new(Account::Loading),
            camera: RwSignal::new(CameraState::Off),
            screen: RwSignal::new(Screen::Scanning),
            restarts: RwSignal::new(0),
            torch: RwSignal::new(None),
            cameras: RwSignal::new(Vec::new()),
            current_camera: RwSignal::new(None),
            delegations: RwSignal::new(Vec::new()),
            delegations_loaded: RwSignal::new(false),
            on_behalf_of: RwSignal::new(None),
            last_decode_ms: RwSignal::new(0.0),
            mean_decode_ms: RwSignal::new(0.0),
            mean_fast_ms: RwSignal::new(0.0),
            mean_thorough_ms: RwSignal::new(0.0),
            decoded_frames: RwSignal::new(0),
            first_frame_ms: RwSignal::new(None),
            frame_size: RwSignal::new(None),
            seq: RwSignal::new(0),
            keys_fetched_at: RwSignal::new(None),
            keys_known: RwSignal::new(false),
            clock_ms: RwSignal::new(browser::now_ms()),
            pending: RwSignal::new(0),
            online: RwSignal::new(!browser::is_offline()),
            awake: RwSignal::new(false),
            checks_today: RwSignal::new(storage::checks_today(&browser::local_day())),
            video: NodeRef::new(),
            rt: StoredValue::new_local(Rc::new(Runtime::default())),
        };
        let awake = scanner.awake;
        *scanner.rt().awake.borrow_mut() = Some(ScreenAwake::new(move |held| awake.set(held)));
        scanner
    }

    pub(super) fn rt(&self) -> Rc<Runtime> {
        self.rt.get_value()
    }

    /// Loads the deployment's origins (to answer foreign codes locally and to read codes
    /// offline); without network, the ones stored when last online.
    pub fn load_config(self) {
        spawn_local(async move {
            let config = match api::config().await {
                Ok(config) => {
                    storage::update_scanner_start(|s| s.config = Some(config.clone()));
                    Some(config)
                }
                Err(_) => storage::load_scanner_start().and_then(|s| s.config),
            };
            if let Some(config) = config {
                let rt = self.rt();
                *rt.links.borrow_mut() =
                    PassLinks::new(&config.public_url, &config.alias_origins).ok();
                *rt.public_url.borrow_mut() = Some(config.public_url);
            }
        });
    }

    /// Starts the worker, the camera and the frame loop (once the staff member is known).
    pub fn start(self) {
        let rt = self.rt();
        if rt.decoder.borrow().is_none() {
            let restarts = self.restarts;
            let worker = DecodeWorker::start(move |n| restarts.set(n));
            if worker.is_none() {
                self.screen.set(Screen::Notice(Notice::Decoder));
            }
            *rt.decoder.borrow_mut() = worker;
        }
        if rt.grabber.borrow().is_none() {
            *rt.grabber.borrow_mut() = FrameGrabber::new();
        }
        if !rt.loop_started.replace(true) {
            let _ = set_interval_with_handle(move || self.tick(), FRAME_INTERVAL);
        }
        self.start_camera(storage::load_camera());
        self.load_delegations();
        self.update_pending();
        self.flush_queue();
    }

    /// (Re)starts the camera: the given device, else the rear one. The camera the browser
    /// granted for «rear» is remembered, so the next start asks for that lens exactly (on
    /// phones with several rear lenses the browser's pick can differ from one start to the
    /// next).
    pub fn start_camera(self, device_id: Option<String>) {
        self.camera.set(CameraState::Starting);
        self.torch.set(None);
        self.rt().paused.set(false);
        spawn_local(async move {
            self.stop_stream();
            let mut opened = camera::open(device_id.as_deref()).await;
            if opened.is_err() && device_id.is_some() {
                // The remembered camera is gone: fall back to the default choice.
                opened = camera::open(None).await;
            }
            let stream = match opened {
                Ok(s) => s,
                Err(problem) => return self.camera.set(CameraState::Problem(problem)),
            };
            // Hidden while the browser was opening it: stop, start again when shown.
            if browser::page_hidden() || self.rt().paused.get() {
                camera::stop(&stream);
                self.rt().paused.set(true);
                return self.camera.set(CameraState::Off);
            }
            let Some(video) = self.video.get_untracked() else {
                camera::stop(&stream);
                return self.camera.set(CameraState::Off);
            };
            if let Err(problem) = camera::attach(&video, &stream).await {
                camera::stop(&stream);
                return self.camera.set(CameraState::Problem(problem));
            }
            let track = camera::video_track(&stream);
            if let Some(track) = &track {
                camera::tune(track).await;
                camera::on_ended(track, move || self.camera_ended());
            }
            self.torch.set(
                track
                    .as_ref()
                    .filter(|t| camera::has_torch(t))
                    .map(|_| false),
            );
            let granted = track.as_ref().and_then(camera::device_id);
            if let (Some(id), None) = (&granted, storage::load_camera()) {
                storage::save_camera(id);
            }
            self.current_camera.set(granted);
            *self.rt().stream.borrow_mut() = Some(stream);
            self.camera.set(CameraState::On);
            self.keep_awake();
            self.cameras.set(camera::cameras().await);
        });
    }

    fn stop_stream(self) {
        self.rt().stop_stream();
    }

    /// Leaving `/scan`: the camera stops and the screen may sleep. Touches no signal (they may
    /// be gone already when this runs).
    pub fn shutdown(self) {
        if let Some(rt) = self.rt.try_get_value() {
            rt.stop_stream();
            rt.release_awake();
        }
    }

    /// The page was hidden (another app, the screen off): the camera is stopped (its light
    /// goes off, another app may use it) and the screen may sleep.
    pub fn pause_camera(self) {
        let state = self.camera.get_untracked();
        if !matches!(state, CameraState::On | CameraState::Starting) {
            return;
        }
        self.rt().paused.set(true);
        self.stop_stream();
        self.release_awake();
        self.camera.set(CameraState::Off);
    }

    /// The page is shown again: the camera stopped on hiding starts again (the permission
    /// given stays: no second prompt), the wake lock is taken again.
    pub fn resume_camera(self) {
        if self.rt().paused.get() {
            let device = self
                .current_camera
                .get_untracked()
                .or_else(storage::load_camera);
            self.start_camera(device);
        } else if self.camera.get_untracked() == CameraState::On {
            self.keep_awake();
        }
    }

    /// The track ended on its own: started again once; a second end within a minute is shown
    /// as a problem (with its «try again» button) instead of a restart loop.
    fn camera_ended(self) {
        if browser::page_hidden() {
            self.rt().paused.set(true);
            self.release_awake();
            return self.camera.set(CameraState::Off);
        }
        let now = browser::now_ms();
        let recent = self
            .rt()
            .last_track_end_ms
            .replace(Some(now))
            .is_some_and(|t| now - t < 60_000.0);
        if recent {
            self.stop_stream();
            self.release_awake();
            self.camera
                .set(CameraState::Problem(camera::CameraProblem::Busy));
        } else {
            self.start_camera(self.current_camera.get_untracked());
        }
    }

    /// The user picked a camera: remember it and switch.
    pub fn choose_camera(self, device_id: String) {
        storage::save_camera(&device_id);
        self.start_camera(Some(device_id));
    }

    /// One tap: the next camera of the device (front / rear / the other rear lenses).
    pub fn switch_camera(self) {
        let next = self.cameras.with_untracked(|cameras| {
            camera::next_camera(cameras, self.current_camera.get_untracked().as_deref())
        });
        if let Some(id) = next {
            self.choose_camera(id);
        }
    }

    fn keep_awake(self) {
        if let Some(awake) = self.rt().awake.borrow().as_ref() {
            awake.keep();
        }
    }

    fn release_awake(self) {
        self.rt().release_awake();
    }

    fn track(&self) -> Option<MediaStreamTrack> {
        self.rt()
            .stream
            .borrow()
            .as_ref()
            .and_then(camera::video_track)
    }

    pub fn toggle_torch(self) {
        let Some(on) = self.torch.get_untracked() else {
            return;
        };
        let Some(track) = self.track() else {
            return;
        };
        spawn_local(async move {
            if camera::set_torch(&track, !on).await {
                self.torch.set(Some(!on));
            }
        });
    }

    /// One tap on a result or notice: back to scanning.
    pub fn resume(self) {
        feedback::unlock_audio();
        self.screen.set(Screen::Scanning);
    }

    /// Test hook: make the decode worker panic.
    pub fn provoke_worker_panic(self) {
        if let Some(decoder) = self.rt().decoder.borrow().as_ref() {
            decoder.provoke_panic();
        }
    }

    /// Every [`FRAME_INTERVAL`]: check the worker's deadline, then send a frame if scanning.
    fn tick(self) {
        let now = browser::now_ms();
        let rt = self.rt();
        let Some(decoder) = rt.decoder.borrow().clone() else {
            return;
        };
        decoder.check_deadline(now);
        // No decoding while the page is in the background (battery).
        let scanning = !browser::page_hidden()
            && self.delegations_loaded.get_untracked()
            && self.screen.get_untracked() == Screen::Scanning
            && self.camera.get_untracked() == CameraState::On;
        if !scanning || !decoder.is_idle() || rt.capturing.get() {
            return;
        }
        let Some(video) = self.video.get_untracked() else {
            return;
        };
        if !camera::has_frame(&video) {
            return;
        }
        if frame::bitmaps_supported() {
            // The browser scales the frame; the worker reads its pixels.
            rt.capturing.set(true);
            spawn_local(async move {
                let frame = frame::bitmap_from_video(&video).await;
                self.rt().capturing.set(false);
                if let Some(frame) = frame {
                    self.send_camera_frame(&decoder, frame);
                }
            });
            return;
        }
        let Some(frame) = rt
            .grabber
            .borrow()
            .as_ref()
            .and_then(|g| g.from_video(&video))
        else {
            return;
        };
        self.send_camera_frame(&decoder, frame);
    }

    /// A camera frame to the worker (every [`THOROUGH_EVERY`]-th decoded thoroughly).
    fn send_camera_frame(self, decoder: &DecodeWorker, frame: Frame) {
        let rt = self.rt();
        if self.frame_size.get_untracked() != Some((frame.width, frame.height)) {
            self.frame_size.set(Some((frame.width, frame.height)));
        }
        if rt.first_frame_ms.get().is_none() {
            let t = crate::worker::now_ms();
            rt.first_frame_ms.set(Some(t));
            self.first_frame_ms.set(Some(t));
        }
        let n = rt.frames_sent.get();
        rt.frames_sent.set(n.wrapping_add(1));
        let thorough = n % THOROUGH_EVERY == THOROUGH_EVERY - 1;
        decoder.submit(frame, thorough, browser::now_ms(), move |answer| {
            if let Ok(d) = &answer {
                self.count_decode_time(d.millis, thorough);
            }
            self.decoded(answer, Source::Camera)
        });
    }

    /// A camera frame's decode time, into the figures.
    fn count_decode_time(self, millis: f64, thorough: bool) {
        let rt = self.rt();
        let mut sums = rt.decode_sums.get();
        if let Some((sum, n)) = sums.get_mut(usize::from(thorough)) {
            *sum += millis;
            *n += 1;
        }
        rt.decode_sums.set(sums);
        let mean = |(sum, n): (f64, u32)| if n == 0 { 0.0 } else { sum / f64::from(n) };
        let [fast, slow] = sums;
        let all = (fast.0 + slow.0, fast.1 + slow.1);
        self.decoded_frames.set(all.1);
        self.last_decode_ms.set(millis);
        self.mean_decode_ms.set(mean(all));
        self.mean_fast_ms.set(mean(fast));
        self.mean_thorough_ms.set(mean(slow));
    }

    pub(super) fn decoded(self, answer: Result<Decoded, WorkerRestarted>, source: Source) {
        let decoded = match answer {
            Ok(d) => d,
            // The worker was replaced; the camera simply goes on with the next frame.
            Err(WorkerRestarted) if source == Source::Camera => return,
            Err(WorkerRestarted) => return self.screen.set(Screen::Notice(Notice::PhotoNoCode)),
        };
        if source == Source::Camera && self.screen.get_untracked() != Screen::Scanning {
            return;
        }
        match decoded.texts.into_iter().next() {
            Some(code) => self.check(code, source),
            None if source == Source::Photo => self.screen.set(Screen::Notice(Notice::PhotoNoCode)),
            None => {}
        }
    }

    /// A decoded or typed code: answered locally when foreign, else asked of the server.
    pub(super) fn check(self, code: String, source: Source) {
        let now = browser::now_ms();
        let rt = self.rt();
        if source == Source::Camera {
            let mut last = rt.last_code.borrow_mut();
            if matches!(&*last, Some((c, at)) if *c == code && now - at < SAME_CODE_QUIET_MS) {
                return;
            }
            *last = Some((code.clone(), now));
        }
        let local = rt.links.borrow().as_ref().map(|l| l.classify(&code));
        if local == Some(ScannedCode::Foreign) {
            return self.show(ScanOutcome {
                result: Verdict::Foreign,
                status: None,
                status_kind: None,
                holder: None,
                recorded: false,
                on_behalf: None,
                seq: 0,
                offline: None,
            });
        }
        let on_behalf_of = self.on_behalf_of.get_untracked();
        let on_behalf = on_behalf_of.as_ref().map(|ogrn| self.org_name(ogrn));
        if browser::is_offline() {
            let event = on_behalf_of.map(|ogrn| (ogrn, uuid::Uuid::new_v4()));
            return self.decide_offline(&code, on_behalf, event);
        }
        self.screen.set(Screen::Checking(text::CHECKING));
        let event_id = on_behalf_of.as_ref().map(|ogrn| {
            let retry = rt.unanswered.borrow().clone();
            match retry {
                Some((c, o, id)) if c == code && o == *ogrn => id,
                _ => uuid::Uuid::new_v4(),
            }
        });
        let unanswered = on_behalf_of.clone().zip(event_id);
        let queued_event = unanswered.clone();
        let remember_unanswered = move |code: &str| {
            if let Some((ogrn, id)) = unanswered.clone() {
                *self.rt().unanswered.borrow_mut() = Some((code.to_owned(), ogrn, id));
            }
        };
        spawn_local(async move {
            let answer = api::scan(&code, on_behalf_of, event_id).await;
            match &answer {
                Err(ApiFailure::Network) => remember_unanswered(&code),
                Err(f) if f.status() == Some(503) => remember_unanswered(&code),
                _ => *self.rt().unanswered.borrow_mut() = None,
            }
            match answer {
                Ok(r) => {
                    if r.result == ScanResult::Valid {
                        self.remember_valid(&code);
                    }
                    self.show(ScanOutcome {
                        result: r.result.into(),
                        status: r.status,
                        status_kind: r.status_kind,
                        holder: r.holder,
                        recorded: r.recorded,
                        on_behalf,
                        seq: 0,
                        offline: None,
                    });
                    self.refresh_keys_if_old();
                    if self.pending.get_untracked() > 0 {
                        self.flush_queue();
                    }
                }
                // The server may have recorded it before the answer was lost: the queue sends
                // the same event id, so it is counted once.
                Err(ApiFailure::Network) => self.decide_offline(&code, on_behalf, queued_event),
                Err(failure) => {
                    let notice = match failure {
                        ApiFailure::Network => Notice::Network,
                        ApiFailure::Unauthorized => {
                            self.account.set(Account::SignedOut);
                            Notice::SignedOut
                        }
                        ApiFailure::Status(403, Some(e)) if e.error == NO_ACTIVE_DELEGATION => {
                            self.delegation_lost();
                            Notice::DelegationLost(e.message)
                        }
                        ApiFailure::Status(_, Some(e)) => Notice::Server(e.message),
                        _ => Notice::Server(text::GENERIC_ERROR.to_owned()),
                    };
                    feedback::signal(false);
                    self.screen.set(Screen::Notice(notice));
                }
            }
        });
    }

    /// No network: the verdict from the code's token, the cached keys and the corrected clock
    /// (see [`offline`]). Without the deployment's origins (never loaded) it says «no network».
    /// A valid organization scan (`event`: the organization and the event id) not seen before
    /// on this device goes into the offline queue, in one IndexedDB write with the seen-list.
    fn decide_offline(
        self,
        code: &str,
        on_behalf: Option<String>,
        event: Option<(Ogrn, uuid::Uuid)>,
    ) {
        let rt = self.rt();
        let now = browser::now_ms();
        let offset = api::clock_offset_ms()
            .or_else(|| rt.keys.borrow().as_ref().and_then(|k| k.clock_offset_ms))
            .unwrap_or(0.0);
        let check = {
            let links = rt.links.borrow();
            let Some(links) = links.as_ref() else {
                feedback::signal(false);
                return self.screen.set(Screen::Notice(Notice::Network));
            };
            let keys = rt.keys.borrow();
            offline::check(
                links,
                code,
                keys.as_ref().map(|k| &k.cache.keys),
                offline::server_now_secs(now, offset),
                &rt.seen.borrow(),
            )
        };
        let mut mark = OfflineMark {
            seen_before: check.seen_before,
            rotation_unchecked: false,
            queued: false,
        };
        let (result, status_kind, holder) = match check.verdict {
            offline::Verdict::Valid {
                kind,
                holder,
                dynamic,
            } => {
                mark.rotation_unchecked = dynamic;
                (Verdict::Valid, Some(kind), holder)
            }
            offline::Verdict::Expired => (Verdict::Expired, None, None),
            offline::Verdict::Forged => (Verdict::Forged, None, None),
            offline::Verdict::NeedsNetwork(why) => (Verdict::NeedsNetwork(why), None, None),
            offline::Verdict::Unknown => (Verdict::Unknown, None, None),
            offline::Verdict::Foreign => (Verdict::Foreign, None, None),
        };
        if result == Verdict::Valid {
            if let Some(id) = &check.id {
                let owner = self.owner();
                match (event, owner) {
                    (Some((ogrn, event_id)), Some(owner)) if !check.seen_before => {
                        rt.queue
                            .borrow_mut()
                            .push(&owner, event_id, &ogrn, code, now, offset);
                        rt.seen.borrow_mut().record(id, now);
                        mark.queued = true;
                        let (seen, queue) = (rt.seen.borrow().clone(), rt.queue.borrow().clone());
                        spawn_local(async move {
                            idb::save_owner(Some(&owner)).await;
                            idb::save_seen_and_queue(&seen, &queue).await;
                            browser::sw::request_queue_sync();
                        });
                        self.update_pending();
                    }
                    _ => self.record_seen(id, now),
                }
            }
        }
        self.show(ScanOutcome {
            result,
            status: status_kind.map(|k| k.title().to_owned()),
            status_kind,
            holder,
            recorded: false,
            on_behalf,
            seq: 0,
            offline: (result != Verdict::Foreign).then_some(mark),
        });
    }

    /// A valid answer of the server: the pass goes on this device's seen-list.
    fn remember_valid(self, code: &str) {
        let id = match self.rt().links.borrow().as_ref().map(|l| l.classify(code)) {
            Some(ScannedCode::Ours { id, .. }) => id,
            _ => return,
        };
        self.record_seen(&id, browser::now_ms());
    }

    fn record_seen(self, id: &statuspass_shared::PassId, now_ms: f64) {
        let rt = self.rt();
        rt.seen.borrow_mut().record(id, now_ms);
        let seen = rt.seen.borrow().clone();
        spawn_local(async move {
            idb::save_seen(&seen).await;
        });
    }

    /// On open: the cached key list and seen-list from IndexedDB, then a fresh list from the
    /// server (when online); the stale note is decided after that. The clock ticks every
    /// minute, and coming back online refreshes a list older than an hour.
    pub fn load_keys(self) {
        let _ = set_interval_with_handle(
            move || self.clock_ms.set(browser::now_ms()),
            Duration::from_secs(60),
        );
        let _ = window_event_listener(leptos::ev::online, move |_| {
            self.online.set(true);
            self.refresh_keys_if_old();
            self.flush_queue();
        });
        let _ = window_event_listener(leptos::ev::offline, move |_| self.online.set(false));
        let _ = window_event_listener(leptos::ev::visibilitychange, move |_| {
            let visible = browser::window()
                .and_then(|w| w.document())
                .is_some_and(|d| !d.hidden());
            if visible {
                self.flush_queue();
            }
        });
        let _ = set_interval_with_handle(
            move || {
                if self.pending.get_untracked() > 0 {
                    self.flush_queue();
                }
            },
            QUEUE_RETRY,
        );
        spawn_local(async move {
            let rt = self.rt();
            if let Some(stored) = idb::load_keys().await {
                self.keys_fetched_at.set(Some(stored.cache.fetched_at_ms));
                rt.keys.borrow_mut().get_or_insert(stored);
            }
            let seen = idb::load_seen().await;
            {
                // Valid checks made while IndexedDB was being read stay on the list.
                let mut current = rt.seen.borrow_mut();
                let mut merged = seen;
                merged.merge(&current);
                *current = merged;
            }
            {
                // Likewise scans queued while it was being read.
                let stored = idb::load_queue().await;
                let mut current = rt.queue.borrow_mut();
                let mut merged = stored;
                merged.next_seq = merged.next_seq.max(current.next_seq);
                for q in current.events.drain(..) {
                    if !merged
                        .events
                        .iter()
                        .any(|m| m.scan.event_id == q.scan.event_id)
                    {
                        merged.events.push(q);
                    }
                }
                *current = merged;
            }
            self.update_pending();
            self.flush_queue();
            self.refresh_keys().await;
            self.keys_known.set(true);
        });
    }

    /// The signed-in staff member's subject (whose queued scans these are).
    fn owner(&self) -> Option<String> {
        match self.account.get_untracked() {
            Account::SignedIn(me) => Some(me.key),
            _ => None,
        }
    }

    /// Sets [`Scanner::pending`] from the queue.
    fn update_pending(self) {
        let n = self
            .owner()
            .map_or(0, |owner| self.rt().queue.borrow().pending_for(&owner));
        if self.pending.get_untracked() != n {
            self.pending.set(n);
        }
    }

    /// Sends the signed-in staff member's queued scans in batches while the network answers.
    /// Every event the server answered is dropped (recorded, duplicate or refused); on no answer,
    /// 401 or 5xx they all stay for the next try.
    pub fn flush_queue(self) {
        let rt = self.rt();
        if browser::is_offline() || rt.flushing.replace(true) {
            return;
        }
        spawn_local(async move {
            let rt = self.rt();
            while let Some(owner) = self.owner() {
                let batch = rt.queue.borrow().batch_for(&owner);
                if batch.is_empty() {
                    break;
                }
                let Ok(answer) = api::scan_batch(batch).await else {
                    break;
                };
                let settled = rt.queue.borrow_mut().settle(&answer.results);
                let queue = rt.queue.borrow().clone();
                idb::save_queue(&queue).await;
                self.update_pending();
                if settled == 0 {
                    break;
                }
            }
            rt.flushing.set(false);
        });
    }

    /// Fetches the key list again when the cached one is older than an hour.
    pub fn refresh_keys_if_old(self) {
        let now = browser::now_ms();
        let old = self
            .rt()
            .keys
            .borrow()
            .as_ref()
            .is_none_or(|k| k.cache.needs_refresh(now));
        if old && self.keys_known.get_untracked() {
            spawn_local(self.refresh_keys());
        }
    }

    async fn refresh_keys(self) {
        let rt = self.rt();
        if rt.keys_fetching.replace(true) {
            return;
        }
        if let Ok(keys) = api::keys().await {
            let fetched_at_ms = browser::now_ms();
            let stored = StoredKeys {
                cache: offline::KeyCache {
                    keys,
                    fetched_at_ms,
                },
                clock_offset_ms: api::clock_offset_ms()
                    .or_else(|| rt.keys.borrow().as_ref().and_then(|k| k.clock_offset_ms)),
            };
            idb::save_keys(&stored).await;
            *rt.keys.borrow_mut() = Some(stored);
            self.keys_fetched_at.set(Some(fetched_at_ms));
        }
        rt.keys_fetching.set(false);
    }

    /// Whether to show «ключи проверки устарели».
    pub fn keys_stale(&self) -> bool {
        self.keys_known.get()
            && offline::keys_stale(self.keys_fetched_at.get(), self.clock_ms.get())
    }

    fn show(self, mut outcome: ScanOutcome) {
        let seq = self.seq.get_untracked() + 1;
        self.seq.set(seq);
        outcome.seq = seq;
        if outcome.result != Verdict::Foreign {
            self.checks_today
                .set(storage::count_check(&browser::local_day()));
        }
        feedback::signal(outcome.result == Verdict::Valid);
        self.screen.set(Screen::Result(outcome));
    }
}

impl Default for Scanner {
    fn default() -> Self {
        Self::new()
    }
}
