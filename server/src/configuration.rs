//! Layered configuration: built-in defaults (the embedded setup) → optional TOML file named by
//! `STATUSPASS_CONFIG` → `STATUSPASS_*` environment variables → `DATABASE_URL` / `REDIS_URL`.
//!
//! Every option is documented on its field; README.md has the same table.

use std::fmt;
use std::path::PathBuf;

use anyhow::Context;
use serde::{Deserialize, Deserializer};
use statuspass_shared::{PassLinks, StatusKind};

/// The built-in defaults: the embedded setup needs nothing else.
const DEFAULTS: &str = r#"
bind = "127.0.0.1:8080"
data_dir = "data"
web_dir = "dist"
alias_origins = []
pass_ttl_secs = 300
tombstone_ttl_secs = 172800
sweep_interval_secs = 30
disclosure = "initials_birth_year"
demo_auth = true
registry = "demo"
registry_timeout_ms = 5000
certificate_form_url = "https://www.gosuslugi.ru/"
status_kinds = ["svo_participant", "svo_family", "adult", "student", "large_family"]
dynamic_kinds = ["adult", "student", "large_family"]
education_registry = "demo"
education_registry_timeout_ms = 5000
social_registry = "demo"
social_registry_timeout_ms = 5000
confirm_url_svo_family = "https://www.gosuslugi.ru/"
confirm_url_adult = "https://www.gosuslugi.ru/profile/personal"
confirm_url_student = "https://www.gosuslugi.ru/"
confirm_url_large_family = "https://www.gosuslugi.ru/"
max_body_bytes = 16384
request_deadline_ms = 10000
db_statement_timeout_ms = 2000
redis_command_timeout_ms = 2000
report_statement_timeout_ms = 600000
lookups_per_hour = 30
log_format = "pretty"
timezone = "Europe/Moscow"
smtp_port = 587
smtp_tls = "starttls"
smtp_timeout_secs = 30
mail_from = "statuspass <noreply@statuspass.invalid>"
report_interval_days = 30
report_check_interval_secs = 3600
redis_prefix = "statuspass:"
session_idle_secs = 7200
session_absolute_secs = 43200
oidc_scopes = "openid profile"
oidc_display_name = "Госуслуги"
oidc_claim_trusted = "trusted"
oidc_claim_snils = "snils"
oidc_claim_family_name = "family_name"
oidc_claim_given_name = "given_name"
oidc_claim_middle_name = "middle_name"
oidc_claim_name = "name"
oidc_claim_birthdate = "birthdate"
oidc_leeway_secs = 60
oidc_timeout_ms = 10000
"#;

/// A value that must not reach logs: `Debug` and `Display` print `***`.
#[derive(Clone, Deserialize)]
#[serde(transparent)]
pub struct Secret<T>(T);

impl<T> Secret<T> {
    /// Wraps a secret value.
    pub fn new(value: T) -> Self {
        Self(value)
    }
    /// The secret itself; call only where it is used.
    pub fn expose(&self) -> &T {
        &self.0
    }
}

impl<T> fmt::Debug for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// What a checker sees of the bearer of a valid pass (SPEC §7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Disclosure {
    /// Status plus initials and birth year (default).
    InitialsBirthYear,
    /// Status only (the Digital ID way).
    StatusOnly,
}

/// Which adapter answers a registry's lookups.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegistryKind {
    /// The demo data file shipped in `server/demo/` (`registry.json`, `education.json`,
    /// `social.json`).
    Demo,
    /// The HTTP adapter at the registry's URL.
    Http,
}

/// One registry's adapter settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RegistrySettings<'a> {
    /// The setting's name prefix, for messages (`registry`, `education_registry`, …).
    pub name: &'static str,
    pub kind: RegistryKind,
    pub url: Option<&'a str>,
    pub timeout: std::time::Duration,
}

/// A comma-separated list (environment) or an array (file) of status kinds; empty items are
/// skipped, so an empty value means none.
fn kind_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<StatusKind>, D::Error> {
    let items = Vec::<String>::deserialize(d)?;
    items
        .iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .map(|s| {
            StatusKind::parse(s)
                .ok_or_else(|| serde::de::Error::custom(format!("unknown status kind {s:?}")))
        })
        .collect()
}

/// Log line format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LogFormat {
    /// Human-readable, for a terminal.
    Pretty,
    /// One JSON object per line, for log collectors.
    Json,
}

/// How the SMTP connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SmtpTls {
    /// Plain connection upgraded with STARTTLS (port 587).
    Starttls,
    /// TLS from the first byte (port 465).
    Tls,
    /// No encryption (a relay on loopback only).
    None,
}

/// All settings of the server.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// `STATUSPASS_BIND`: address to listen on (port 0 picks a free port).
    pub bind: String,
    /// `STATUSPASS_DATA_DIR`: where the SQLite database, keys and the mail outbox live.
    pub data_dir: PathBuf,
    /// `STATUSPASS_WEB_DIR`: the built PWA (`trunk build --release` output).
    pub web_dir: PathBuf,
    /// `STATUSPASS_PUBLIC_URL`: the origin (and optional path prefix) pass links point to;
    /// default `http://{bind}`.
    pub public_url: Option<String>,
    /// `STATUSPASS_ALIAS_ORIGINS`: comma-separated extra origins whose pass links are accepted.
    pub alias_origins: Vec<String>,
    /// `DATABASE_URL` / `STATUSPASS_DATABASE_URL`: `postgres://…` or `sqlite://…`;
    /// default: SQLite file `statuspass.db` in the data dir.
    pub database_url: Option<Secret<String>>,
    /// `REDIS_URL` / `STATUSPASS_REDIS_URL`: keep passes in Redis instead of the database.
    pub redis_url: Option<Secret<String>>,
    /// `STATUSPASS_REDIS_PREFIX`: prefix of every Redis key.
    pub redis_prefix: String,
    /// `STATUSPASS_PASS_TTL_SECS`: pass lifetime.
    pub pass_ttl_secs: u64,
    /// `STATUSPASS_TOMBSTONE_TTL_SECS`: how long after expiry a bare id still answers
    /// «expired» rather than «unknown» (at least a day).
    pub tombstone_ttl_secs: u64,
    /// `STATUSPASS_SWEEP_INTERVAL_SECS`: how often expired data is swept.
    pub sweep_interval_secs: u64,
    /// `STATUSPASS_DISCLOSURE`: `initials_birth_year` or `status_only`.
    pub disclosure: Disclosure,
    /// `STATUSPASS_DEMO_AUTH`: enable demo sign-in (`/api/auth/demo`) and demo data.
    pub demo_auth: bool,
    /// `STATUSPASS_REGISTRY`: `demo` or `http`.
    pub registry: RegistryKind,
    /// `STATUSPASS_REGISTRY_URL`: base URL of the HTTP registry.
    pub registry_url: Option<String>,
    /// `STATUSPASS_REGISTRY_TIMEOUT_MS`: whole-request timeout of a registry lookup.
    pub registry_timeout_ms: u64,
    /// `STATUSPASS_CERTIFICATE_FORM_URL`: where «not found» participants request a certificate
    /// (the «where to confirm» URL of `svo_participant`).
    pub certificate_form_url: String,
    /// `STATUSPASS_STATUS_KINDS`: comma-separated status kinds the service offers (default
    /// all: `svo_participant,svo_family,adult,student,large_family`).
    #[serde(deserialize_with = "kind_list")]
    pub status_kinds: Vec<StatusKind>,
    /// `STATUSPASS_DYNAMIC_KINDS`: comma-separated kinds whose code rotates every 30 s
    /// (default `adult,student,large_family`; the СВО statuses stay static unless listed).
    #[serde(deserialize_with = "kind_list")]
    pub dynamic_kinds: Vec<StatusKind>,
    /// `STATUSPASS_EDUCATION_REGISTRY`: `demo` or `http`, the source of `student`.
    pub education_registry: RegistryKind,
    /// `STATUSPASS_EDUCATION_REGISTRY_URL`: base URL of the HTTP education registry.
    pub education_registry_url: Option<String>,
    /// `STATUSPASS_EDUCATION_REGISTRY_TIMEOUT_MS`: whole-request timeout of its lookups.
    pub education_registry_timeout_ms: u64,
    /// `STATUSPASS_SOCIAL_REGISTRY`: `demo` or `http`, the source of `large_family`.
    pub social_registry: RegistryKind,
    /// `STATUSPASS_SOCIAL_REGISTRY_URL`: base URL of the HTTP social-support registry.
    pub social_registry_url: Option<String>,
    /// `STATUSPASS_SOCIAL_REGISTRY_TIMEOUT_MS`: whole-request timeout of its lookups.
    pub social_registry_timeout_ms: u64,
    /// `STATUSPASS_CONFIRM_URL_SVO_FAMILY`: where a family member gets the status confirmed.
    pub confirm_url_svo_family: String,
    /// `STATUSPASS_CONFIRM_URL_ADULT`: where a person without a confirmed birth date (or under
    /// 18 by it) checks their account data.
    pub confirm_url_adult: String,
    /// `STATUSPASS_CONFIRM_URL_STUDENT`: where a student gets the status confirmed.
    pub confirm_url_student: String,
    /// `STATUSPASS_CONFIRM_URL_LARGE_FAMILY`: where a large family gets the status confirmed.
    pub confirm_url_large_family: String,
    /// `STATUSPASS_SESSION_KEY`: 128 hex digits signing and encrypting session cookies; shared
    /// by all instances. Default: generated once into `<data_dir>/session.key`.
    pub session_key: Option<Secret<String>>,
    /// `STATUSPASS_COOKIE_SECURE`: mark cookies `Secure`; default: when `public_url` is https.
    pub cookie_secure: Option<bool>,
    /// `STATUSPASS_MAX_BODY_BYTES`: largest accepted request body.
    pub max_body_bytes: usize,
    /// `STATUSPASS_LOOKUPS_PER_HOUR`: registry lookups one person may cause in any hour
    /// (answers with a live pass do not count); beyond, 429 `too_many_lookups`. 0: no limit.
    pub lookups_per_hour: usize,
    /// `STATUSPASS_METRICS_BIND`: address of `/metrics` (Prometheus text format), e.g.
    /// `127.0.0.1:9464`; off when unset. Never the public address.
    pub metrics_bind: Option<String>,
    /// `STATUSPASS_REQUEST_DEADLINE_MS`: an API request still unanswered after this long is
    /// dropped (what it had not committed is rolled back) and answered 503 `deadline_exceeded`
    /// with `Retry-After`: a stalled database or Redis never holds a client longer.
    pub request_deadline_ms: u64,
    /// `STATUSPASS_DB_STATEMENT_TIMEOUT_MS`: PostgreSQL cancels any statement running longer
    /// (`statement_timeout`; the report's ledger read has its own, below); on SQLite the longest
    /// wait for a lock (`busy_timeout`). Either way the call fails and is answered 503.
    pub db_statement_timeout_ms: u64,
    /// `STATUSPASS_REDIS_COMMAND_TIMEOUT_MS`: a Redis command (or a new connection) unanswered
    /// after this long fails, and the request is answered 503.
    pub redis_command_timeout_ms: u64,
    /// `STATUSPASS_REPORT_STATEMENT_TIMEOUT_MS`: the statement timeout of the one long read,
    /// the ledger rows of a report (a million rows take seconds); PostgreSQL only.
    pub report_statement_timeout_ms: u64,
    /// `STATUSPASS_LOG_FORMAT`: `pretty` or `json`.
    pub log_format: LogFormat,
    /// `STATUSPASS_TIMEZONE`: the service time zone (IANA name) for times shown and reported.
    pub timezone: String,
    /// `STATUSPASS_SMTP_HOST`: send mail over SMTP; unset: `.eml` files in `<data_dir>/outbox/`.
    pub smtp_host: Option<String>,
    /// `STATUSPASS_SMTP_PORT`.
    pub smtp_port: u16,
    /// `STATUSPASS_SMTP_TLS`: `starttls`, `tls` or `none`.
    pub smtp_tls: SmtpTls,
    /// `STATUSPASS_SMTP_USERNAME`.
    pub smtp_username: Option<String>,
    /// `STATUSPASS_SMTP_PASSWORD`.
    pub smtp_password: Option<Secret<String>>,
    /// `STATUSPASS_SMTP_TIMEOUT_SECS`.
    pub smtp_timeout_secs: u64,
    /// `STATUSPASS_MAIL_FROM`: sender of report e-mails.
    pub mail_from: String,
    /// `STATUSPASS_REPORT_INTERVAL_DAYS`: report period.
    pub report_interval_days: u32,
    /// `STATUSPASS_REPORT_CHECK_INTERVAL_SECS`: how often the server looks for due reports and
    /// retries failed sends.
    pub report_check_interval_secs: u64,
    /// `STATUSPASS_SIGNING_KEY_PATH`: PEM private key signing reports; with
    /// `signing_cert_path`. Unset: generated under `<data_dir>/signing/`.
    pub signing_key_path: Option<PathBuf>,
    /// `STATUSPASS_SIGNING_CERT_PATH`: PEM certificate of the signing key.
    pub signing_cert_path: Option<PathBuf>,
    /// `STATUSPASS_SESSION_IDLE_SECS`: a session unused this long ends.
    pub session_idle_secs: u64,
    /// `STATUSPASS_SESSION_ABSOLUTE_SECS`: a session ends this long after sign-in, used or not.
    pub session_absolute_secs: u64,
    /// `STATUSPASS_OIDC_ISSUER`: the OpenID provider's issuer URL (discovery from
    /// `{issuer}/.well-known/openid-configuration`). Setting it turns OpenID Connect sign-in on
    /// and demo sign-in off.
    pub oidc_issuer: Option<String>,
    /// `STATUSPASS_OIDC_CLIENT_ID`: this service's client id at the provider.
    pub oidc_client_id: Option<String>,
    /// `STATUSPASS_OIDC_CLIENT_SECRET`: its client secret (`client_secret_basic`).
    pub oidc_client_secret: Option<Secret<String>>,
    /// `STATUSPASS_OIDC_SCOPES`: space-separated scopes asked for (`openid` is always sent).
    pub oidc_scopes: String,
    /// `STATUSPASS_OIDC_DISPLAY_NAME`: the provider's name on the sign-in button.
    pub oidc_display_name: String,
    /// `STATUSPASS_OIDC_CLAIM_TRUSTED`: boolean claim meaning "confirmed account".
    pub oidc_claim_trusted: String,
    /// `STATUSPASS_OIDC_CLAIM_SNILS`: claim holding the СНИЛС.
    pub oidc_claim_snils: String,
    /// `STATUSPASS_OIDC_CLAIM_FAMILY_NAME`.
    pub oidc_claim_family_name: String,
    /// `STATUSPASS_OIDC_CLAIM_GIVEN_NAME`.
    pub oidc_claim_given_name: String,
    /// `STATUSPASS_OIDC_CLAIM_MIDDLE_NAME`.
    pub oidc_claim_middle_name: String,
    /// `STATUSPASS_OIDC_CLAIM_NAME`: the full name, used when the parts are missing.
    pub oidc_claim_name: String,
    /// `STATUSPASS_OIDC_CLAIM_BIRTHDATE`: `YYYY-MM-DD`.
    pub oidc_claim_birthdate: String,
    /// `STATUSPASS_OIDC_LEEWAY_SECS`: clock-skew leeway when checking id token times.
    pub oidc_leeway_secs: u64,
    /// `STATUSPASS_OIDC_TIMEOUT_MS`: timeout of each call to the provider.
    pub oidc_timeout_ms: u64,
}

impl Settings {
    /// Reads defaults, the optional file and the environment.
    pub fn load() -> anyhow::Result<Self> {
        Self::load_from(|name| std::env::var(name).ok())
    }

    /// Like [`Settings::load`] with the built-in defaults and no environment at all
    /// (tests start from here).
    pub fn defaults() -> anyhow::Result<Self> {
        Self::load_from(|_| None)
    }

    fn load_from(env: impl Fn(&str) -> Option<String>) -> anyhow::Result<Self> {
        let mut builder = config::Config::builder()
            .add_source(config::File::from_str(DEFAULTS, config::FileFormat::Toml));
        if let Some(path) = env("STATUSPASS_CONFIG") {
            builder = builder.add_source(config::File::with_name(&path).required(true));
        }
        let vars: config::Map<String, String> = ENV_KEYS
            .iter()
            .filter_map(|key| {
                let var = format!("STATUSPASS_{}", key.to_ascii_uppercase());
                env(&var).map(|v| (var, v))
            })
            .collect();
        builder = builder.add_source(
            config::Environment::with_prefix("STATUSPASS")
                .prefix_separator("_")
                .try_parsing(true)
                .list_separator(",")
                .with_list_parse_key("alias_origins")
                .with_list_parse_key("status_kinds")
                .with_list_parse_key("dynamic_kinds")
                .source(Some(vars)),
        );
        for (var, key) in [("DATABASE_URL", "database_url"), ("REDIS_URL", "redis_url")] {
            if let Some(value) = env(var).filter(|v| !v.is_empty()) {
                builder = builder.set_override(key, value)?;
            }
        }
        let settings: Settings = builder
            .build()
            .context("reading configuration")?
            .try_deserialize()
            .context("invalid configuration")?;
        settings.validate()?;
        Ok(settings)
    }

    fn validate(&self) -> anyhow::Result<()> {
        self.pass_links()?;
        self.timezone()?;
        self.mail_from
            .parse::<lettre::message::Mailbox>()
            .context("invalid mail_from")?;
        anyhow::ensure!(
            self.report_interval_days > 0,
            "report_interval_days must be positive"
        );
        anyhow::ensure!(self.pass_ttl_secs > 0, "pass_ttl_secs must be positive");
        // 0 would mean "no limit" to PostgreSQL and "fail at once" to SQLite; PostgreSQL takes at
        // most i32::MAX ms.
        for (name, ms) in [
            ("db_statement_timeout_ms", self.db_statement_timeout_ms),
            ("redis_command_timeout_ms", self.redis_command_timeout_ms),
            (
                "report_statement_timeout_ms",
                self.report_statement_timeout_ms,
            ),
        ] {
            anyhow::ensure!(
                (1..=i32::MAX as u64).contains(&ms),
                "{name} must be between 1 and {} ms (got {ms})",
                i32::MAX
            );
        }
        anyhow::ensure!(
            self.session_idle_secs > 0 && self.session_absolute_secs > 0,
            "session lifetimes must be positive"
        );
        if let Some(issuer) = &self.oidc_issuer {
            // Plain http only to a provider on this machine (tests, a local sidecar).
            let loopback = ["http://127.0.0.1", "http://localhost", "http://[::1]"]
                .iter()
                .any(|p| {
                    issuer
                        .strip_prefix(p)
                        .is_some_and(|r| r.is_empty() || r.starts_with([':', '/']))
                });
            anyhow::ensure!(
                issuer.starts_with("https://") || loopback,
                "oidc_issuer must be an https URL (http only on loopback)"
            );
            anyhow::ensure!(
                self.oidc_client_id.is_some(),
                "oidc_issuer needs oidc_client_id"
            );
        }
        for registry in self.registries() {
            anyhow::ensure!(
                registry.kind != RegistryKind::Http || registry.url.is_some(),
                "{0} = \"http\" needs {0}_url",
                registry.name
            );
        }
        anyhow::ensure!(
            !self.status_kinds.is_empty(),
            "status_kinds must name at least one kind"
        );
        Ok(())
    }

    /// The Ministry of Defence registry's adapter (СВО statuses).
    pub fn ministry_registry(&self) -> RegistrySettings<'_> {
        self.registry_settings(
            "registry",
            self.registry,
            &self.registry_url,
            self.registry_timeout_ms,
        )
    }

    /// The education registry's adapter (`student`).
    pub fn education_registry(&self) -> RegistrySettings<'_> {
        self.registry_settings(
            "education_registry",
            self.education_registry,
            &self.education_registry_url,
            self.education_registry_timeout_ms,
        )
    }

    /// The social-support registry's adapter (`large_family`).
    pub fn social_registry(&self) -> RegistrySettings<'_> {
        self.registry_settings(
            "social_registry",
            self.social_registry,
            &self.social_registry_url,
            self.social_registry_timeout_ms,
        )
    }

    fn registries(&self) -> [RegistrySettings<'_>; 3] {
        [
            self.ministry_registry(),
            self.education_registry(),
            self.social_registry(),
        ]
    }

    fn registry_settings<'a>(
        &'a self,
        name: &'static str,
        kind: RegistryKind,
        url: &'a Option<String>,
        timeout_ms: u64,
    ) -> RegistrySettings<'a> {
        RegistrySettings {
            name,
            kind,
            url: url.as_deref(),
            timeout: std::time::Duration::from_millis(timeout_ms),
        }
    }

    /// Whether the service offers `kind`.
    pub fn offers(&self, kind: StatusKind) -> bool {
        self.status_kinds.contains(&kind)
    }

    /// Whether passes of `kind` get a rotating code.
    pub fn is_dynamic(&self, kind: StatusKind) -> bool {
        self.dynamic_kinds.contains(&kind)
    }

    /// Where a person who does not hold `kind` gets it confirmed.
    pub fn confirm_url(&self, kind: StatusKind) -> &str {
        match kind {
            StatusKind::SvoParticipant => &self.certificate_form_url,
            StatusKind::SvoFamily => &self.confirm_url_svo_family,
            StatusKind::Adult => &self.confirm_url_adult,
            StatusKind::Student => &self.confirm_url_student,
            StatusKind::LargeFamily => &self.confirm_url_large_family,
        }
    }

    /// The pass link builder/classifier for this deployment.
    pub fn pass_links(&self) -> anyhow::Result<PassLinks> {
        PassLinks::new(&self.public_url(), &self.alias_origins)
            .context("invalid public_url or alias_origins")
    }

    /// Where pass links point to.
    pub fn public_url(&self) -> String {
        self.public_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", self.bind))
    }

    /// The service time zone.
    pub fn timezone(&self) -> anyhow::Result<chrono_tz::Tz> {
        self.timezone
            .parse()
            .map_err(|e| anyhow::anyhow!("invalid timezone {:?}: {e}", self.timezone))
    }

    /// The database URL, defaulting to the SQLite file in the data dir.
    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.expose().clone(),
            None => format!(
                "sqlite://{}?mode=rwc",
                self.data_dir.join("statuspass.db").display()
            ),
        }
    }

    /// The storage timeouts (`STATUSPASS_*_TIMEOUT_MS`).
    pub fn storage_timeouts(&self) -> crate::store::Timeouts {
        let ms = std::time::Duration::from_millis;
        crate::store::Timeouts {
            statement: ms(self.db_statement_timeout_ms),
            redis_command: ms(self.redis_command_timeout_ms),
            report_statement: ms(self.report_statement_timeout_ms),
        }
    }

    /// Whether OpenID Connect sign-in is configured.
    pub fn oidc_enabled(&self) -> bool {
        self.oidc_issuer.is_some()
    }

    /// Whether demo sign-in (and demo data) is on: asked for, and no real sign-in configured.
    pub fn demo_enabled(&self) -> bool {
        self.demo_auth && !self.oidc_enabled()
    }

    /// Where the OpenID provider sends the browser back to.
    pub fn oidc_redirect_url(&self) -> String {
        format!(
            "{}/api/auth/oidc/callback",
            self.public_url().trim_end_matches('/')
        )
    }

    /// Whether cookies get the `Secure` flag.
    pub fn cookie_secure(&self) -> bool {
        self.cookie_secure
            .unwrap_or_else(|| self.public_url().starts_with("https://"))
    }
}

/// The keys that may be set as `STATUSPASS_<KEY>` (listed so a typo is not silently ignored by
/// the environment source; it is simply not read).
const ENV_KEYS: &[&str] = &[
    "bind",
    "data_dir",
    "web_dir",
    "public_url",
    "alias_origins",
    "database_url",
    "redis_url",
    "redis_prefix",
    "pass_ttl_secs",
    "tombstone_ttl_secs",
    "sweep_interval_secs",
    "disclosure",
    "demo_auth",
    "registry",
    "registry_url",
    "registry_timeout_ms",
    "certificate_form_url",
    "status_kinds",
    "dynamic_kinds",
    "education_registry",
    "education_registry_url",
    "education_registry_timeout_ms",
    "social_registry",
    "social_registry_url",
    "social_registry_timeout_ms",
    "confirm_url_svo_family",
    "confirm_url_adult",
    "confirm_url_student",
    "confirm_url_large_family",
    "session_key",
    "cookie_secure",
    "max_body_bytes",
    "request_deadline_ms",
    "db_statement_timeout_ms",
    "redis_command_timeout_ms",
    "report_statement_timeout_ms",
    "metrics_bind",
    "lookups_per_hour",
    "log_format",
    "timezone",
    "smtp_host",
    "smtp_port",
    "smtp_tls",
    "smtp_username",
    "smtp_password",
    "smtp_timeout_secs",
    "mail_from",
    "report_interval_days",
    "report_check_interval_secs",
    "signing_key_path",
    "signing_cert_path",
    "session_idle_secs",
    "session_absolute_secs",
    "oidc_issuer",
    "oidc_client_id",
    "oidc_client_secret",
    "oidc_scopes",
    "oidc_display_name",
    "oidc_claim_trusted",
    "oidc_claim_snils",
    "oidc_claim_family_name",
    "oidc_claim_given_name",
    "oidc_claim_middle_name",
    "oidc_claim_name",
    "oidc_claim_birthdate",
    "oidc_leeway_secs",
    "oidc_timeout_ms",
];

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn load(vars: &[(&str, &str)]) -> anyhow::Result<Settings> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Settings::load_from(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults_are_the_embedded_setup() {
        let s = load(&[]).unwrap();
        assert_eq!(s.bind, "127.0.0.1:8080");
        assert_eq!(s.pass_ttl_secs, 300);
        assert!(s.demo_auth);
        assert!(s.database_url().starts_with("sqlite://"));
        assert!(s.redis_url.is_none());
        assert!(!s.cookie_secure());
    }

    #[test]
    fn environment_overrides_defaults() {
        let s = load(&[
            ("STATUSPASS_BIND", "127.0.0.1:0"),
            ("STATUSPASS_PASS_TTL_SECS", "3"),
            (
                "STATUSPASS_ALIAS_ORIGINS",
                "https://www.gosuslugi.ru,https://x.ru",
            ),
            ("STATUSPASS_PUBLIC_URL", "https://pass.example.ru"),
            ("STATUSPASS_DISCLOSURE", "status_only"),
            ("DATABASE_URL", "postgres://localhost/x"),
        ])
        .unwrap();
        assert_eq!(s.bind, "127.0.0.1:0");
        assert_eq!(s.pass_ttl_secs, 3);
        assert_eq!(
            s.alias_origins,
            vec!["https://www.gosuslugi.ru", "https://x.ru"]
        );
        assert_eq!(s.disclosure, Disclosure::StatusOnly);
        assert_eq!(s.database_url(), "postgres://localhost/x");
        assert!(s.cookie_secure());
    }

    #[test]
    fn configuring_an_issuer_turns_demo_sign_in_off() {
        assert!(load(&[]).unwrap().demo_enabled());
        let s = load(&[
            ("STATUSPASS_OIDC_ISSUER", "https://id.example.ru"),
            ("STATUSPASS_OIDC_CLIENT_ID", "statuspass"),
            ("STATUSPASS_PUBLIC_URL", "https://pass.example.ru/"),
        ])
        .unwrap();
        assert!(s.oidc_enabled() && s.demo_auth && !s.demo_enabled());
        assert_eq!(
            s.oidc_redirect_url(),
            "https://pass.example.ru/api/auth/oidc/callback"
        );
    }

    #[test]
    fn invalid_values_are_refused_with_a_reason() {
        assert!(load(&[("STATUSPASS_PASS_TTL_SECS", "soon")]).is_err());
        assert!(load(&[("STATUSPASS_PUBLIC_URL", "pass.example.ru")]).is_err());
        assert!(load(&[("STATUSPASS_REGISTRY", "http")]).is_err());
        assert!(load(&[("STATUSPASS_PASS_TTL_SECS", "0")]).is_err());
        for var in [
            "STATUSPASS_DB_STATEMENT_TIMEOUT_MS",
            "STATUSPASS_REDIS_COMMAND_TIMEOUT_MS",
            "STATUSPASS_REPORT_STATEMENT_TIMEOUT_MS",
        ] {
            assert!(load(&[(var, "0")]).is_err(), "{var}=0");
            assert!(load(&[(var, "2147483648")]).is_err(), "{var} over i32::MAX");
            assert!(load(&[(var, "2147483647")]).is_ok(), "{var} at the limit");
        }
        assert!(load(&[("STATUSPASS_TIMEZONE", "Mars/Olympus")]).is_err());
        assert!(load(&[("STATUSPASS_OIDC_ISSUER", "https://id.example.ru")]).is_err());
        let with_client = |issuer: &'static str| {
            load(&[
                ("STATUSPASS_OIDC_ISSUER", issuer),
                ("STATUSPASS_OIDC_CLIENT_ID", "statuspass"),
            ])
        };
        assert!(with_client("http://id.example.ru").is_err());
        assert!(with_client("http://127.0.0.1.evil.ru").is_err());
        assert!(with_client("http://127.0.0.1:9400").is_ok());
        assert!(load(&[("STATUSPASS_SESSION_IDLE_SECS", "0")]).is_err());
        assert!(load(&[("STATUSPASS_EDUCATION_REGISTRY", "http")]).is_err());
        assert!(load(&[("STATUSPASS_SOCIAL_REGISTRY", "http")]).is_err());
        assert!(load(&[("STATUSPASS_STATUS_KINDS", "student,pensioner")]).is_err());
        assert!(load(&[("STATUSPASS_STATUS_KINDS", "")]).is_err());
    }

    #[test]
    fn status_kinds_and_dynamic_kinds_default_and_override() {
        let s = load(&[]).unwrap();
        assert_eq!(s.status_kinds, StatusKind::ALL);
        assert!(s.is_dynamic(StatusKind::Student) && !s.is_dynamic(StatusKind::SvoParticipant));
        assert_eq!(
            s.confirm_url(StatusKind::SvoParticipant),
            s.certificate_form_url
        );
        let s = load(&[
            ("STATUSPASS_STATUS_KINDS", "student, svo_participant"),
            ("STATUSPASS_DYNAMIC_KINDS", ""),
            ("STATUSPASS_EDUCATION_REGISTRY", "http"),
            ("STATUSPASS_EDUCATION_REGISTRY_URL", "https://edu.example"),
            ("STATUSPASS_EDUCATION_REGISTRY_TIMEOUT_MS", "700"),
        ])
        .unwrap();
        assert_eq!(
            s.status_kinds,
            [StatusKind::Student, StatusKind::SvoParticipant]
        );
        assert!(!s.offers(StatusKind::Adult));
        assert!(s.dynamic_kinds.is_empty());
        let edu = s.education_registry();
        assert_eq!(
            (edu.kind, edu.url, edu.timeout.as_millis()),
            (RegistryKind::Http, Some("https://edu.example"), 700)
        );
    }

    #[test]
    fn secrets_do_not_print() {
        let s = load(&[("DATABASE_URL", "postgres://u:hunter2@h/db")]).unwrap();
        assert!(!format!("{s:?}").contains("hunter2"));
    }
}
