//! Every call to the statuspass server, typed with `statuspass_shared`. Same-origin, so the
//! session cookie goes along by default.

use gloo_net::http::{Request, Response};
use serde::de::DeserializeOwned;
use statuspass_shared::api::{
    AddStaff, ApiError, ClientConfig, ContactEmail, Delegation, DemoPerson, DemoSignIn, Me,
    MyDelegation, NewDelegation, OrgStats, OrgSummary, PassResponse, ReportSummary, ScanRequest,
    ScanResponse, StaffMember,
};
use statuspass_shared::api::{PassRequest, QueuedScan, ScanBatch, ScanBatchResults, StatusOffer};
use statuspass_shared::keys::KeyList;
use statuspass_shared::Ogrn;
use statuspass_shared::StatusKind;

/// Why a call did not give the expected answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiFailure {
    /// No answer at all: offline, DNS, connection refused.
    Network,
    /// 401: not signed in.
    Unauthorized,
    /// Any other error status, with the server's `{error, message}` when it sent one.
    Status(u16, Option<ApiError>),
    /// A 2xx answer that is not the expected JSON.
    BadAnswer,
}

impl ApiFailure {
    /// The server's machine code (`account_not_confirmed`, `registry_unavailable`, …).
    pub fn code(&self) -> Option<&str> {
        match self {
            Self::Status(_, Some(e)) => Some(e.error.as_str()),
            _ => None,
        }
    }

    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Unauthorized => Some(401),
            Self::Status(s, _) => Some(*s),
            _ => None,
        }
    }

    /// What to tell the user: the server's own message when it sent one.
    pub fn user_message(&self) -> String {
        match self {
            Self::Network => crate::text::SCAN_NETWORK.to_owned(),
            Self::Unauthorized => crate::text::SCAN_SIGNED_OUT.to_owned(),
            Self::Status(_, Some(e)) => e.message.clone(),
            Self::Status(..) | Self::BadAnswer => crate::text::GENERIC_ERROR.to_owned(),
        }
    }
}

thread_local! {
    /// Server clock minus device clock (ms), from the `Date` header of the last answer.
    static CLOCK_OFFSET_MS: std::cell::Cell<Option<f64>> = const { std::cell::Cell::new(None) };
}

/// Server clock minus device clock (ms) as the `Date` header of the last API answer showed it
/// (whole seconds: the server's time is read up to a second early); `None` before any answer.
pub fn clock_offset_ms() -> Option<f64> {
    CLOCK_OFFSET_MS.with(std::cell::Cell::get)
}

/// The server's clock reading of `response` (its `Date` header), ms since the epoch.
fn server_now_ms(response: &Response) -> Option<f64> {
    response
        .headers()
        .get("date")
        .map(|d| js_sys::Date::parse(&d))
        .filter(|ms| ms.is_finite())
}

/// Every API answer but the (HTTP-cacheable) key list goes through here: answers carry
/// `Cache-Control: no-store`, so their `Date` is the server's clock now.
async fn answer<T: DeserializeOwned>(
    sent: Result<Response, gloo_net::Error>,
) -> Result<(T, Response), ApiFailure> {
    let response = sent.map_err(|_| ApiFailure::Network)?;
    if let Some(server_ms) = server_now_ms(&response) {
        let offset = server_ms - js_sys::Date::now();
        CLOCK_OFFSET_MS.with(|c| c.set(Some(offset)));
    }
    answer_of(response).await
}

async fn answer_of<T: DeserializeOwned>(response: Response) -> Result<(T, Response), ApiFailure> {
    match response.status() {
        200..=299 => {
            let body = response
                .json::<T>()
                .await
                .map_err(|_| ApiFailure::BadAnswer)?;
            Ok((body, response))
        }
        401 => Err(ApiFailure::Unauthorized),
        status => Err(ApiFailure::Status(
            status,
            response.json::<ApiError>().await.ok(),
        )),
    }
}

async fn get<T: DeserializeOwned>(url: &str) -> Result<T, ApiFailure> {
    answer(Request::get(url).send().await).await.map(|(t, _)| t)
}

/// A call whose success has no body worth reading (204 and the like).
async fn no_content(sent: Result<Response, gloo_net::Error>) -> Result<(), ApiFailure> {
    let response = sent.map_err(|_| ApiFailure::Network)?;
    match response.status() {
        200..=299 => Ok(()),
        401 => Err(ApiFailure::Unauthorized),
        status => Err(ApiFailure::Status(
            status,
            response.json::<ApiError>().await.ok(),
        )),
    }
}

/// A path segment, percent-encoded (subjects such as `demo:staff-none` go into paths).
fn segment(raw: &str) -> String {
    String::from(js_sys::encode_uri_component(raw))
}

fn org_path(ogrn: &Ogrn, rest: &str) -> String {
    format!("/api/orgs/{}{rest}", ogrn.as_str())
}

async fn post<B: serde::Serialize, T: DeserializeOwned>(
    url: &str,
    body: &B,
) -> Result<(T, Response), ApiFailure> {
    let request = Request::post(url)
        .json(body)
        .map_err(|_| ApiFailure::BadAnswer)?;
    answer(request.send().await).await
}

/// `GET /api/config`.
pub async fn config() -> Result<ClientConfig, ApiFailure> {
    get("/api/config").await
}

/// `GET /api/auth/demo`: the demo people (404 when demo sign-in is off).
pub async fn demo_people() -> Result<Vec<DemoPerson>, ApiFailure> {
    get("/api/auth/demo").await
}

/// `POST /api/auth/demo`: signs a demo person in.
pub async fn demo_sign_in(key: &str) -> Result<Me, ApiFailure> {
    let body = DemoSignIn {
        key: key.to_owned(),
    };
    post("/api/auth/demo", &body).await.map(|(me, _)| me)
}

/// `POST /api/auth/logout`; after an OpenID Connect sign-in, where to end the session at the
/// provider too.
pub async fn sign_out() -> Result<Option<String>, ApiFailure> {
    let sent = Request::post("/api/auth/logout").send().await;
    match sent {
        Ok(r) if r.status() == 200 => Ok(r
            .json::<statuspass_shared::api::Logout>()
            .await
            .ok()
            .and_then(|l| l.end_session_url)),
        Ok(r) if r.ok() => Ok(None),
        Ok(r) => Err(ApiFailure::Status(r.status(), None)),
        Err(_) => Err(ApiFailure::Network),
    }
}

/// `GET /api/me`.
pub async fn me() -> Result<Me, ApiFailure> {
    get("/api/me").await
}

/// `GET /api/me/delegations`: the organizations the signed-in staff member may scan for now.
pub async fn my_delegations() -> Result<Vec<MyDelegation>, ApiFailure> {
    get("/api/me/delegations").await
}

/// `POST /api/pass`, with the server's clock reading (the `Date` header, ms since the epoch)
/// so the countdown does not depend on the phone's clock being right.
pub async fn get_pass(status: StatusKind) -> Result<(PassResponse, Option<f64>), ApiFailure> {
    let body = PassRequest {
        status: Some(status),
    };
    let request = Request::post("/api/pass")
        .json(&body)
        .map_err(|_| ApiFailure::Network)?;
    let (pass, response) = answer::<PassResponse>(request.send().await).await?;
    Ok((pass, server_now_ms(&response)))
}

/// `GET /api/statuses`: the statuses this service offers.
pub async fn statuses() -> Result<Vec<StatusOffer>, ApiFailure> {
    get("/api/statuses").await
}

/// `POST /api/scan`.
/// `event_id` (with `on_behalf_of`): the same on a retry of the same scan.
pub async fn scan(
    code: &str,
    on_behalf_of: Option<Ogrn>,
    event_id: Option<uuid::Uuid>,
) -> Result<ScanResponse, ApiFailure> {
    let body = ScanRequest {
        code: code.to_owned(),
        on_behalf_of,
        event_id,
    };
    post("/api/scan", &body).await.map(|(r, _)| r)
}

/// `POST /api/scan/batch`: queued organization scans, settled per event.
pub async fn scan_batch(events: Vec<QueuedScan>) -> Result<ScanBatchResults, ApiFailure> {
    post("/api/scan/batch", &ScanBatch { events })
        .await
        .map(|(r, _)| r)
}

/// `GET /api/keys`: the public keys that verify offline tokens (no sign-in needed). Its answer
/// may come from the HTTP cache (`max-age=300`), so its `Date` does not set the clock offset.
pub async fn keys() -> Result<KeyList, ApiFailure> {
    let response = Request::get("/api/keys")
        .send()
        .await
        .map_err(|_| ApiFailure::Network)?;
    answer_of(response).await.map(|(k, _)| k)
}

/// `GET /api/orgs`: the organizations the signed-in admin administers.
pub async fn orgs() -> Result<Vec<OrgSummary>, ApiFailure> {
    get("/api/orgs").await
}

/// `PUT /api/orgs/{ogrn}/contact-email` (400 `invalid_email`).
pub async fn set_contact_email(ogrn: &Ogrn, email: &str) -> Result<OrgSummary, ApiFailure> {
    let body = ContactEmail {
        email: email.to_owned(),
    };
    let request = Request::put(&org_path(ogrn, "/contact-email"))
        .json(&body)
        .map_err(|_| ApiFailure::BadAnswer)?;
    answer(request.send().await).await.map(|(o, _)| o)
}

/// `GET /api/orgs/{ogrn}/staff`.
pub async fn staff(ogrn: &Ogrn) -> Result<Vec<StaffMember>, ApiFailure> {
    get(&org_path(ogrn, "/staff")).await
}

/// `POST /api/orgs/{ogrn}/staff`.
pub async fn add_staff(ogrn: &Ogrn, member: &AddStaff) -> Result<StaffMember, ApiFailure> {
    post(&org_path(ogrn, "/staff"), member)
        .await
        .map(|(m, _)| m)
}

/// `DELETE /api/orgs/{ogrn}/staff/{subject}` (also revokes that person's delegations).
pub async fn remove_staff(ogrn: &Ogrn, subject: &str) -> Result<(), ApiFailure> {
    let url = org_path(ogrn, &format!("/staff/{}", segment(subject)));
    no_content(Request::delete(&url).send().await).await
}

/// `GET /api/orgs/{ogrn}/delegations`.
pub async fn delegations(ogrn: &Ogrn) -> Result<Vec<Delegation>, ApiFailure> {
    get(&org_path(ogrn, "/delegations")).await
}

/// `POST /api/orgs/{ogrn}/delegations` (400 `not_a_member`, `invalid_period`).
pub async fn issue_delegation(
    ogrn: &Ogrn,
    delegation: &NewDelegation,
) -> Result<Delegation, ApiFailure> {
    post(&org_path(ogrn, "/delegations"), delegation)
        .await
        .map(|(d, _)| d)
}

/// `POST /api/orgs/{ogrn}/delegations/{id}/revoke`.
pub async fn revoke_delegation(ogrn: &Ogrn, id: &str) -> Result<(), ApiFailure> {
    let url = org_path(ogrn, &format!("/delegations/{}/revoke", segment(id)));
    no_content(Request::post(&url).send().await).await
}

/// `GET /api/orgs/{ogrn}/stats`.
pub async fn stats(ogrn: &Ogrn) -> Result<OrgStats, ApiFailure> {
    get(&org_path(ogrn, "/stats")).await
}

/// `GET /api/orgs/{ogrn}/reports`: newest first.
pub async fn reports(ogrn: &Ogrn) -> Result<Vec<ReportSummary>, ApiFailure> {
    get(&org_path(ogrn, "/reports")).await
}

/// Where a report's zip is downloaded (a plain link: the browser saves the file).
pub fn report_archive_url(ogrn: &Ogrn, id: &str) -> String {
    org_path(ogrn, &format!("/reports/{}/archive", segment(id)))
}
