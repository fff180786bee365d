//! IndexedDB: what the scanner keeps for offline verdicts (issue 12). One database
//! `statuspass`, one object store `scanner` with out-of-line keys, each value a JSON text:
//! - `keys`: the key list of `GET /api/keys` with when it was fetched and the clock offset
//!   ([`KeyCache`]);
//! - `seen`: the pass ids this device found valid ([`SeenList`]);
//! - `queue`: organization scans made offline, waiting to be sent ([`OfflineQueue`]);
//! - `owner`: the subject of the staff member signed in on the scanner (the service worker's
//!   Background Sync sends only that person's queued scans; `public/sw.js`).
//!
//! One store, so that a queued scan and its seen-list entry are written in one transaction. IndexedDB can be missing (private mode in some browsers) or fail;
//! then nothing is kept and the scanner still works online.

use std::cell::RefCell;

use js_sys::Promise;
use serde::{de::DeserializeOwned, Deserialize, Serialize};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{IdbDatabase, IdbOpenDbRequest, IdbRequest, IdbTransaction, IdbTransactionMode};

use crate::pages::scan::offline::{KeyCache, SeenList};
use crate::pages::scan::queue::OfflineQueue;

const DB: &str = "statuspass";
const VERSION: u32 = 1;
const STORE: &str = "scanner";
const KEYS: &str = "keys";
const SEEN: &str = "seen";
const QUEUE: &str = "queue";
const OWNER: &str = "owner";

thread_local! {
    static OPEN: RefCell<Option<IdbDatabase>> = const { RefCell::new(None) };
}

/// The cached key list with the server's clock offset seen when it was stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredKeys {
    #[serde(flatten)]
    pub cache: KeyCache,
    /// Server clock minus device clock (ms) at the last answer before storing.
    #[serde(default)]
    pub clock_offset_ms: Option<f64>,
}

/// A promise settled by `target`'s success (with `value()`) or error callback.
fn settled(
    set_ok: impl FnOnce(&js_sys::Function),
    set_err: impl FnOnce(&js_sys::Function),
    value: impl FnOnce() -> JsValue + 'static,
) -> JsFuture {
    let mut value = Some(value);
    let mut set_ok = Some(set_ok);
    let mut set_err = Some(set_err);
    let promise = Promise::new(&mut |resolve, reject| {
        let Some(value) = value.take() else { return };
        let ok = Closure::once_into_js(move || {
            let _ = resolve.call1(&JsValue::NULL, &value());
        });
        let err = Closure::once_into_js(move || {
            let _ = reject.call0(&JsValue::NULL);
        });
        if let (Some(set_ok), Some(set_err)) = (set_ok.take(), set_err.take()) {
            set_ok(ok.unchecked_ref());
            set_err(err.unchecked_ref());
        }
    });
    JsFuture::from(promise)
}

async fn request(req: IdbRequest) -> Option<JsValue> {
    let r = req.clone();
    settled(
        |f| req.set_onsuccess(Some(f)),
        |f| req.set_onerror(Some(f)),
        move || r.result().unwrap_or(JsValue::UNDEFINED),
    )
    .await
    .ok()
}

async fn committed(tx: IdbTransaction) -> bool {
    let on_abort = tx.clone();
    settled(
        |f| tx.set_oncomplete(Some(f)),
        // A failed request aborts the transaction: `abort` follows every `error`.
        |f| on_abort.set_onabort(Some(f)),
        || JsValue::TRUE,
    )
    .await
    .is_ok()
}

async fn database() -> Option<IdbDatabase> {
    if let Some(db) = OPEN.with(|o| o.borrow().clone()) {
        return Some(db);
    }
    let factory = super::window()?.indexed_db().ok().flatten()?;
    let open: IdbOpenDbRequest = factory.open_with_u32(DB, VERSION).ok()?;
    let upgrading = open.clone();
    let upgrade = Closure::once_into_js(move || {
        if let Some(db) = upgrading
            .result()
            .ok()
            .and_then(|d| d.dyn_into::<IdbDatabase>().ok())
        {
            if !db.object_store_names().contains(STORE) {
                let _ = db.create_object_store(STORE);
            }
        }
    });
    open.set_onupgradeneeded(Some(upgrade.unchecked_ref()));
    let db: IdbDatabase = request(open.into()).await?.dyn_into().ok()?;
    OPEN.with(|o| *o.borrow_mut() = Some(db.clone()));
    Some(db)
}

async fn get<T: DeserializeOwned>(key: &str) -> Option<T> {
    let db = database().await?;
    let tx = db.transaction_with_str(STORE).ok()?;
    let req = tx
        .object_store(STORE)
        .ok()?
        .get(&JsValue::from_str(key))
        .ok()?;
    let text = request(req).await?.as_string()?;
    serde_json::from_str(&text).ok()
}

/// Writes every `(key, value)` in one transaction; whether it was committed.
async fn put(entries: &[(&str, String)]) -> bool {
    let Some(db) = database().await else {
        return false;
    };
    let Ok(tx) = db.transaction_with_str_and_mode(STORE, IdbTransactionMode::Readwrite) else {
        return false;
    };
    let Ok(store) = tx.object_store(STORE) else {
        return false;
    };
    for (key, value) in entries {
        if store
            .put_with_key(&JsValue::from_str(value), &JsValue::from_str(key))
            .is_err()
        {
            let _ = tx.abort();
            return false;
        }
    }
    committed(tx).await
}

pub async fn load_keys() -> Option<StoredKeys> {
    get(KEYS).await
}

/// Writes one record as JSON text; whether it was committed.
async fn put_json<T: Serialize + ?Sized>(key: &str, value: &T) -> bool {
    match serde_json::to_string(value) {
        Ok(json) => put(&[(key, json)]).await,
        Err(_) => false,
    }
}

pub async fn save_keys(keys: &StoredKeys) -> bool {
    put_json(KEYS, keys).await
}

pub async fn load_seen() -> SeenList {
    get(SEEN).await.unwrap_or_default()
}

pub async fn save_seen(seen: &SeenList) -> bool {
    put_json(SEEN, seen).await
}

pub async fn load_queue() -> OfflineQueue {
    get(QUEUE).await.unwrap_or_default()
}

pub async fn save_queue(queue: &OfflineQueue) -> bool {
    put_json(QUEUE, queue).await
}

/// Writes the seen-list and the queue in one transaction: a queued scan is on the seen-list
/// (not queued again) exactly when it is in the queue.
pub async fn save_seen_and_queue(seen: &SeenList, queue: &OfflineQueue) -> bool {
    match (serde_json::to_string(seen), serde_json::to_string(queue)) {
        (Ok(seen), Ok(queue)) => put(&[(SEEN, seen), (QUEUE, queue)]).await,
        _ => false,
    }
}

/// Records who is signed in on the scanner (`None`: nobody), for the service worker.
pub async fn save_owner(owner: Option<&str>) -> bool {
    put_json(OWNER, &owner).await
}
