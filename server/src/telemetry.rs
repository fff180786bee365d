//! Logging setup and the per-request span with a request id.
//!
//! The request span records the matched route *pattern* (`/somc2/{id}`), never the concrete
//! path, so pass ids and other identifiers do not reach the logs (SPEC §8).

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use tracing::Instrument;
use tracing_subscriber::EnvFilter;

use crate::configuration::LogFormat;

/// Installs the global subscriber; `RUST_LOG` filters (default `info`). Safe to call twice.
pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    let _ = match format {
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
        LogFormat::Pretty => builder.try_init(),
    };
}

/// The response header carrying the request id.
pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// Middleware: one span per request with a fresh request id, one log line per response.
pub async fn request_span(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let request_id = uuid::Uuid::new_v4();
    let route = req.match_pattern().unwrap_or_else(|| "(static)".to_owned());
    // One reference count, not a copy of the metric handles.
    let state = req
        .app_data::<actix_web::web::Data<crate::startup::AppState>>()
        .cloned();
    let method = req.method().to_string();
    let span = tracing::info_span!("request", %request_id, method = %req.method(), %route);
    let started = Instant::now();
    let answer = next.call(req).instrument(span.clone()).await;
    // A middleware's error (refused cross-site write, deadline) becomes its own response.
    let status = match &answer {
        Ok(res) => res.status().as_u16(),
        Err(e) => e.as_response_error().status_code().as_u16(),
    };
    if let Some(state) = &state {
        state
            .metrics
            .observe_request(&route, &method, status, started.elapsed());
    }
    let mut res = answer?;
    let elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
    span.in_scope(|| tracing::info!(status, elapsed_ms, "response"));
    if let Ok(value) = HeaderValue::from_str(&request_id.to_string()) {
        res.headers_mut()
            .insert(HeaderName::from_static(REQUEST_ID_HEADER), value);
    }
    Ok(res)
}
