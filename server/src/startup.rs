//! Builds the application from settings: storage, registry, identity, routes, background sweeper.
//! [`Application::build`] binds the port; tests use port 0 and [`Application::port`].

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use actix_session::config::PersistentSession;
use actix_session::config::TtlExtensionPolicy;
use actix_session::SessionMiddleware;
use actix_web::cookie::{Key, SameSite};
use actix_web::dev::Server;
use actix_web::error::JsonPayloadError;
use actix_web::middleware::{from_fn, Compress, DefaultHeaders};
use actix_web::{web, App, HttpServer};
use anyhow::Context;
use chrono::{DateTime, Datelike, FixedOffset, Utc};
use statuspass_shared::PassLinks;

use crate::auth::demo::DemoDirectory;
use crate::auth::oidc::{OidcSignIn, RedirectSignIn};
use crate::clock::{Clock, SystemClock};
use crate::configuration::{RegistryKind, RegistrySettings, Settings};
use crate::error::AppError;
use crate::limits::LookupLimiter;
use crate::passes::{PassPolicy, Passes};
use crate::registry::demo::DemoRegistry;
use crate::registry::http::HttpRegistry;
use crate::registry::source::Sources;
use crate::registry::{Confirmed, Registry};
use crate::reports::ReportJob;
use crate::store::passes::redis::RedisPassStore;
use crate::store::passes::sql::SqlPassStore;
use crate::store::passes::PassStore;
use crate::store::sessions::ServerSessions;
use crate::store::{ledger, redis_pool, Db};
use crate::{routes, security, telemetry, tokens, web_assets};

/// Everything a handler may need, shared by all workers.
pub struct AppState {
    pub settings: Settings,
    pub links: PassLinks,
    pub passes: Passes,
    pub db: Db,
    pub clock: Arc<dyn Clock>,
    /// The service time zone.
    pub timezone: chrono_tz::Tz,
    /// Present when demo sign-in is enabled.
    pub demo: Option<DemoDirectory>,
    /// Present when OpenID Connect sign-in is configured.
    pub sign_in: Option<Arc<dyn RedirectSignIn>>,
    /// Server-side sessions (database or Redis).
    pub sessions: ServerSessions,
    /// The Prometheus registry (`/metrics` on `STATUSPASS_METRICS_BIND`).
    pub metrics: crate::metrics::Metrics,
    /// The pass store (its pool's use is a metric).
    pub pass_store: Arc<dyn PassStore>,
    /// Wall time for session lifetimes (tests move pass time without ending sessions).
    pub session_clock: Arc<dyn Clock>,
    /// The monthly report job.
    pub reports: ReportJob,
}

impl AppState {
    /// Start of the current day in the service time zone.
    pub fn start_of_today(&self) -> DateTime<Utc> {
        let local = self.clock.now().with_timezone(&self.timezone).date_naive();
        self.local_midnight(local)
    }

    /// Start of the current month in the service time zone.
    pub fn start_of_month(&self) -> DateTime<Utc> {
        let local = self.clock.now().with_timezone(&self.timezone).date_naive();
        self.local_midnight(local.with_day(1).unwrap_or(local))
    }

    /// Midnight of `date` in the service time zone, as an instant.
    pub fn local_midnight(&self, date: chrono::NaiveDate) -> DateTime<Utc> {
        use chrono::TimeZone;
        self.timezone
            .from_local_datetime(&date.and_time(chrono::NaiveTime::MIN))
            .earliest()
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_else(|| date.and_time(chrono::NaiveTime::MIN).and_utc())
    }

    /// A stored instant as the API shows it (RFC 3339 with offset).
    pub fn local_time(&self, t: DateTime<Utc>) -> DateTime<FixedOffset> {
        t.with_timezone(&self.timezone).fixed_offset()
    }
}

/// Replaceable parts, for tests: a clock they can move, registries they can count.
#[derive(Default)]
pub struct Overrides {
    pub clock: Option<Arc<dyn Clock>>,
    /// The Ministry of Defence registry.
    pub registry: Option<Arc<dyn Registry>>,
    /// The clock of session lifetimes (default: the system clock).
    pub session_clock: Option<Arc<dyn Clock>>,
    pub education_registry: Option<Arc<dyn Registry<Confirmed>>>,
    pub social_registry: Option<Arc<dyn Registry<Confirmed>>>,
}

/// The configured adapter of one registry (demo data from `demo`, or HTTP).
fn registry_from<R>(
    settings: RegistrySettings<'_>,
    demo: impl FnOnce() -> anyhow::Result<DemoRegistry<R>>,
) -> anyhow::Result<Arc<dyn Registry<R>>>
where
    R: serde::de::DeserializeOwned + Clone + Send + Sync + 'static,
{
    Ok(match settings.kind {
        RegistryKind::Demo => Arc::new(demo()?),
        RegistryKind::Http => Arc::new(HttpRegistry::<R>::at(
            settings.url.unwrap_or_default(),
            settings.timeout,
        )?),
    })
}

/// A built, bound, not yet running server.
pub struct Application {
    port: u16,
    server: Server,
    /// `/metrics` on its own address, when `STATUSPASS_METRICS_BIND` is set.
    metrics: Option<(u16, Server)>,
    state: web::Data<AppState>,
}

impl Application {
    /// Builds from settings with the real clock and the configured registry.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        Self::build_with(settings, Overrides::default()).await
    }

    /// Builds with some parts replaced.
    pub async fn build_with(settings: Settings, overrides: Overrides) -> anyhow::Result<Self> {
        let state = web::Data::new(build_state(settings, overrides).await?);
        let listener = TcpListener::bind(&state.settings.bind)
            .with_context(|| format!("binding {}", state.settings.bind))?;
        let port = listener.local_addr()?.port();
        let key = session_key(&state.settings)?;
        let server = run(listener, state.clone(), key)?;
        tracing::info!(port, "listening");
        let metrics = match state.settings.metrics_bind.as_deref() {
            Some(bind) if bind == state.settings.bind && !bind.ends_with(":0") => {
                anyhow::bail!("STATUSPASS_METRICS_BIND must not be the public address {bind}")
            }
            Some(bind) => {
                let listener = TcpListener::bind(bind)
                    .with_context(|| format!("binding the metrics address {bind}"))?;
                let port = listener.local_addr()?.port();
                tracing::info!(port, "metrics listening");
                Some((port, run_metrics(listener, state.clone())?))
            }
            None => None,
        };
        Ok(Self {
            port,
            server,
            metrics,
            state,
        })
    }

    /// The bound port of `/metrics`, when enabled.
    pub fn metrics_port(&self) -> Option<u16> {
        self.metrics.as_ref().map(|(port, _)| *port)
    }

    /// The bound port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The shared state (tests inspect storage through it).
    pub fn state(&self) -> web::Data<AppState> {
        self.state.clone()
    }

    /// Serves until the process is told to stop; sweeps expired data meanwhile.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let sweeper = tokio::spawn(sweep_forever(self.state.clone()));
        let reporter = tokio::spawn(report_forever(self.state.clone()));
        let metrics = self.metrics.map(|(_, server)| tokio::spawn(server));
        let result = self.server.await;
        sweeper.abort();
        reporter.abort();
        if let Some(metrics) = metrics {
            metrics.abort();
        }
        result
    }
}

/// Connects storage, seeds demo data (when enabled) and assembles the shared state; the server
/// and the operator commands both start here.
pub async fn build_state(settings: Settings, overrides: Overrides) -> anyhow::Result<AppState> {
    let links = settings.pass_links()?;
    std::fs::create_dir_all(&settings.data_dir)
        .with_context(|| format!("creating data dir {}", settings.data_dir.display()))?;
    let timeouts = settings.storage_timeouts();
    let db = Db::connect(&settings.database_url(), timeouts).await?;
    let redis = match &settings.redis_url {
        Some(url) => Some(redis_pool(url.expose(), timeouts.redis_command)?),
        None => None,
    };
    let clock = overrides.clock.unwrap_or_else(|| Arc::new(SystemClock));
    tokens::ensure_keys(&db, clock.now())
        .await
        .context("preparing the token signing keys")?;
    let store: Arc<dyn PassStore> = match &redis {
        Some(pool) => {
            let store = RedisPassStore::new(pool.clone(), &settings.redis_prefix)?;
            store.ping().await.context("Redis is not reachable")?;
            Arc::new(store)
        }
        None => Arc::new(SqlPassStore::new(db.clone())),
    };
    let ministry = match overrides.registry {
        Some(r) => r,
        None => registry_from(settings.ministry_registry(), DemoRegistry::load)?,
    };
    let education = match overrides.education_registry {
        Some(r) => r,
        None => registry_from(settings.education_registry(), DemoRegistry::education)?,
    };
    let social = match overrides.social_registry {
        Some(r) => r,
        None => registry_from(settings.social_registry(), DemoRegistry::social)?,
    };
    let sources = Sources::new(
        ministry,
        education,
        social,
        clock.clone(),
        settings.timezone()?,
    );
    let session_clock = overrides
        .session_clock
        .unwrap_or_else(|| Arc::new(SystemClock));
    let limiter = match &redis {
        Some(pool) => LookupLimiter::redis(
            settings.lookups_per_hour,
            pool.clone(),
            &settings.redis_prefix,
        ),
        None => LookupLimiter::in_memory(settings.lookups_per_hour),
    };
    let sessions = match redis {
        Some(pool) => ServerSessions::redis(pool, &settings.redis_prefix, session_clock.clone()),
        None => ServerSessions::sql(db.clone(), session_clock.clone()),
    };
    let sign_in =
        OidcSignIn::from_settings(&settings)?.map(|p| Arc::new(p) as Arc<dyn RedirectSignIn>);
    let policy = PassPolicy {
        ttl: chrono::Duration::seconds(i64::try_from(settings.pass_ttl_secs)?),
        tombstone_ttl: chrono::Duration::seconds(i64::try_from(settings.tombstone_ttl_secs)?),
        dynamic_kinds: settings.dynamic_kinds.clone(),
    };
    let metrics = crate::metrics::Metrics::new()?;
    let passes = Passes::new(
        store.clone(),
        sources,
        clock.clone(),
        policy,
        metrics.clone(),
        limiter,
    );
    let demo = if settings.demo_enabled() {
        let people = DemoDirectory::load()?;
        crate::seed::seed_demo(&db, &people, clock.now()).await?;
        Some(people)
    } else {
        None
    };
    let reports = ReportJob::from_settings(&settings, db.clone(), clock.clone())?;
    Ok(AppState {
        reports,
        timezone: settings.timezone()?,
        settings,
        links,
        passes,
        db,
        clock,
        demo,
        sign_in,
        sessions,
        session_clock,
        metrics,
        pass_store: store,
    })
}

/// The session key: configured, or generated once into the data dir.
fn session_key(settings: &Settings) -> anyhow::Result<Key> {
    let hex_key = match &settings.session_key {
        Some(k) => k.expose().clone(),
        None => {
            let path = settings.data_dir.join("session.key");
            match std::fs::read_to_string(&path) {
                Ok(s) => s.trim().to_owned(),
                Err(_) => {
                    let generated = hex::encode(Key::generate().master());
                    write_private(&path, &generated)?;
                    tracing::info!(path = %path.display(), "generated a session key");
                    generated
                }
            }
        }
    };
    let bytes = hex::decode(hex_key.trim()).context("session key is not hex")?;
    Key::try_from(bytes.as_slice()).context("session key must be 64 bytes (128 hex digits)")
}

/// Writes a file readable by the owner only.
pub fn write_private(path: &std::path::Path, contents: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(path)
        .with_context(|| format!("creating {}", path.display()))?;
    file.write_all(contents.as_bytes())?;
    Ok(())
}

/// The JSON extractor's errors as our JSON errors (`error.rs`).
pub(crate) fn json_error(err: JsonPayloadError, _req: &actix_web::HttpRequest) -> actix_web::Error {
    json_payload_error(err).into()
}

/// A JSON body problem as the API answers it (`payload_too_large`, `unsupported_content_type`,
/// `invalid_json`, `invalid_body`).
pub fn json_payload_error(err: JsonPayloadError) -> AppError {
    match err {
        JsonPayloadError::Overflow { .. } | JsonPayloadError::OverflowKnownLength { .. } => {
            AppError::PayloadTooLarge
        }
        JsonPayloadError::ContentType => AppError::bad_request(
            "unsupported_content_type",
            "Ожидается тело запроса в формате JSON (Content-Type: application/json)",
        ),
        JsonPayloadError::Deserialize(e) => {
            AppError::bad_request("invalid_json", format!("Некорректный запрос: {e}"))
        }
        other => AppError::bad_request("invalid_body", format!("Некорректный запрос: {other}")),
    }
}

fn run(listener: TcpListener, state: web::Data<AppState>, key: Key) -> anyhow::Result<Server> {
    let secure = state.settings.cookie_secure();
    let idle = actix_web::cookie::time::Duration::seconds(
        i64::try_from(state.settings.session_idle_secs).unwrap_or(i64::MAX),
    );
    let max_body = state.settings.max_body_bytes;
    let web_dir = state.settings.web_dir.clone();
    let server = HttpServer::new(move || {
        // The cookie carries a random key only; the idle deadline moves on every request, the
        // absolute lifetime is checked by `auth::Principal`.
        let sessions = SessionMiddleware::builder(state.sessions.clone(), key.clone())
            .cookie_name("statuspass_session".to_owned())
            .cookie_secure(secure)
            .cookie_http_only(true)
            .cookie_same_site(SameSite::Lax)
            .session_lifecycle(
                PersistentSession::default()
                    .session_ttl(idle)
                    .session_ttl_extension_policy(TtlExtensionPolicy::OnEveryRequest),
            )
            .build();
        App::new()
            .wrap(sessions)
            // Outside the session middleware (the last `wrap` is the outermost).
            .wrap(from_fn(session_store_errors))
            .wrap(Compress::default())
            .wrap(
                DefaultHeaders::new()
                    .add(("X-Content-Type-Options", "nosniff"))
                    .add(("Referrer-Policy", "no-referrer"))
                    .add(("X-Frame-Options", "DENY")),
            )
            // Inside the guard and the request span: a late answer is logged with its route.
            .wrap(from_fn(security::deadline))
            .wrap(from_fn(security::guard))
            .wrap(from_fn(telemetry::request_span))
            .app_data(state.clone())
            .app_data(
                web::JsonConfig::default()
                    .limit(max_body)
                    .error_handler(json_error),
            )
            .app_data(web::PayloadConfig::new(max_body))
            .configure(routes::configure)
            .configure(|cfg| web_assets::configure(cfg, &web_dir))
    })
    .listen(listener)?
    .shutdown_timeout(10)
    .run();
    Ok(server)
}

/// The session middleware fails with a bare 500 when its store (database or Redis) cannot be
/// reached; answer the JSON 503 every other storage failure gets.
async fn session_store_errors(
    req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody + 'static>,
) -> Result<actix_web::dev::ServiceResponse, actix_web::Error> {
    match next.call(req).await {
        Ok(res) => Ok(res.map_into_boxed_body()),
        // Becomes `AppError`'s own response (503 JSON) where actix renders the error.
        Err(e) => Err(AppError::StorageUnavailable(anyhow::anyhow!("session store: {e:?}")).into()),
    }
}

/// Deletes what retention rules say is due: registry data of expired passes, old tombstones,
/// ledger rows past 90 days.
pub async fn sweep_once(state: &AppState) -> anyhow::Result<()> {
    let passes = state.passes.sweep().await?;
    let ledger = ledger::delete_expired(&state.db, state.clock.now()).await?;
    let sessions = state.sessions.sweep().await?;
    if passes > 0 || ledger > 0 || sessions > 0 {
        tracing::info!(passes, ledger, sessions, "swept expired data");
    }
    Ok(())
}

async fn sweep_forever(state: web::Data<AppState>) {
    let mut tick = tokio::time::interval(Duration::from_secs(
        state.settings.sweep_interval_secs.max(1),
    ));
    loop {
        tick.tick().await;
        if let Err(e) = sweep_once(&state).await {
            tracing::warn!(error = %format!("{e:#}"), "sweep failed; will retry");
        }
    }
}

/// The metrics server: `GET /metrics` only, the pools' use read at each scrape.
fn run_metrics(listener: TcpListener, state: web::Data<AppState>) -> std::io::Result<Server> {
    async fn metrics(state: web::Data<AppState>) -> actix_web::HttpResponse {
        let pool = state.db.pool();
        let idle = pool.num_idle();
        let size = usize::try_from(pool.size()).unwrap_or(usize::MAX);
        state
            .metrics
            .set_pool("database", idle, size.saturating_sub(idle));
        if let Some((idle, in_use)) = state.pass_store.pool_use() {
            state.metrics.set_pool("redis", idle, in_use);
        }
        actix_web::HttpResponse::Ok()
            .content_type("text/plain; version=0.0.4; charset=utf-8")
            .body(state.metrics.render())
    }
    Ok(HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .route("/metrics", web::get().to(metrics))
    })
    .workers(1)
    .listen(listener)?
    .disable_signals()
    .run())
}

/// Adds a report run's figures to `statuspass_report_jobs_total`.
fn count_report_run(
    metrics: &crate::metrics::Metrics,
    summary: &crate::reports::schedule::RunSummary,
) {
    for (state, n) in [
        ("claimed", summary.created),
        ("sent", summary.sent),
        ("no_contact_email", summary.waiting_for_email),
        ("failed", summary.failed),
    ] {
        metrics
            .reports
            .with_label_values(&[state])
            .inc_by(u64::try_from(n).unwrap_or(0));
    }
}

async fn report_forever(state: web::Data<AppState>) {
    let period = Duration::from_secs(state.settings.report_check_interval_secs.max(1));
    let mut tick = tokio::time::interval(period);
    loop {
        tick.tick().await;
        match state.reports.run_due(false).await {
            Ok(summary) if summary != Default::default() => {
                count_report_run(&state.metrics, &summary);
                tracing::info!(?summary, "report run")
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %format!("{e:#}"), "report run failed; will retry"),
        }
    }
}
