//! Storage: the relational database (SQLite embedded, PostgreSQL in production) through one
//! sqlx `Any` pool and portable SQL, plus the pass store (database or Redis).
//!
//! Times are stored as Unix milliseconds (`BIGINT`), ids as text, so one query text serves both
//! engines; each engine has its own migrations folder.

pub mod group_commit;
pub mod ledger;
pub mod organizations;
pub mod passes;
pub mod reports;
pub mod sessions;
pub mod token_keys;

use std::time::Duration;

use anyhow::Context;
use sqlx::any::{install_default_drivers, AnyPoolOptions};
use sqlx::migrate::Migrator;
use sqlx::{AnyPool, Executor};

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

/// Which engine is behind the pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Engine {
    Sqlite,
    Postgres,
}

/// How long storage may take (`STATUSPASS_*_TIMEOUT_MS`): a store that does not answer in time
/// fails the call, which the API answers 503.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// Every database statement (PostgreSQL `statement_timeout`; SQLite `busy_timeout`).
    pub statement: Duration,
    /// Every Redis command, and connecting to Redis.
    pub redis_command: Duration,
    /// The report's read of the ledger (PostgreSQL only: SQLite has no statement timeout).
    pub report_statement: Duration,
}

/// The relational database.
#[derive(Clone)]
pub struct Db {
    pool: AnyPool,
    engine: Engine,
    /// [`Timeouts::report_statement`], for [`Db::begin_long_read`].
    long_read_timeout: Duration,
    /// SQLite: the one writer of organization scan events ([`group_commit`]).
    events: Option<group_commit::EventWriter>,
}

impl Db {
    /// Connects and applies the engine's migrations; every connection gets the statement
    /// timeout of `timeouts`.
    pub async fn connect(url: &str, timeouts: Timeouts) -> anyhow::Result<Self> {
        install_default_drivers();
        let engine = if url.starts_with("sqlite:") {
            Engine::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Engine::Postgres
        } else {
            anyhow::bail!("DATABASE_URL must start with sqlite: or postgres:");
        };
        let mut options = AnyPoolOptions::new()
            .acquire_timeout(Duration::from_secs(5))
            .max_connections(if engine == Engine::Sqlite { 4 } else { 10 });
        let statement_ms = timeouts.statement.as_millis();
        options = options.after_connect(move |conn, _| {
            Box::pin(async move {
                match engine {
                    Engine::Sqlite => {
                        conn.execute(&*format!(
                            "PRAGMA journal_mode = WAL; PRAGMA busy_timeout = {statement_ms}; \
                             PRAGMA foreign_keys = ON;"
                        ))
                        .await?
                    }
                    Engine::Postgres => {
                        conn.execute(&*format!("SET statement_timeout = {statement_ms}"))
                            .await?
                    }
                };
                Ok(())
            })
        });
        let pool = options
            .connect(url)
            .await
            .context("connecting to the database")?;
        let migrator = match engine {
            Engine::Sqlite => &SQLITE_MIGRATIONS,
            Engine::Postgres => &POSTGRES_MIGRATIONS,
        };
        // Migrations may wait for another instance's migration lock or rewrite a large table:
        // on a connection of their own without the statement timeout, closed afterwards.
        let mut conn = pool
            .acquire()
            .await
            .context("connecting to the database")?
            .detach();
        if engine == Engine::Postgres {
            conn.execute("SET statement_timeout = 0").await?;
        }
        migrator
            .run(&mut conn)
            .await
            .context("applying migrations")?;
        sqlx::Connection::close(conn).await.ok();
        Ok(Self {
            events: (engine == Engine::Sqlite)
                .then(|| group_commit::EventWriter::start(pool.clone())),
            pool,
            engine,
            long_read_timeout: timeouts.report_statement,
        })
    }

    /// A transaction for one long read (the report's ledger rows): on PostgreSQL its statements
    /// may take the report statement timeout instead of the usual one.
    pub async fn begin_long_read(
        &self,
    ) -> Result<sqlx::Transaction<'static, sqlx::Any>, sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        if self.engine == Engine::Postgres {
            let ms = self.long_read_timeout.as_millis();
            tx.execute(&*format!("SET LOCAL statement_timeout = {ms}"))
                .await?;
        }
        Ok(tx)
    }

    /// Whether the engine is PostgreSQL (for the few statements written once per engine).
    pub fn is_postgres(&self) -> bool {
        self.engine == Engine::Postgres
    }

    /// SQLite's writer of organization scan events; `None` on PostgreSQL, which writes each
    /// in one statement.
    pub fn event_writer(&self) -> Option<&group_commit::EventWriter> {
        self.events.as_ref()
    }

    /// The connection pool.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// A cheap round trip, for health checks.
    pub async fn ping(&self) -> anyhow::Result<()> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .context("database ping")?;
        Ok(())
    }
}

/// A Redis connection pool in which every command, new connection and wait for a free
/// connection is bounded by `command_timeout` (a stalled Redis fails calls, it does not hold
/// them). One pool serves the pass store and the sessions.
pub fn redis_pool(url: &str, command_timeout: Duration) -> anyhow::Result<deadpool_redis::Pool> {
    let connection = deadpool_redis::redis::AsyncConnectionConfig::new()
        .set_connection_timeout(Some(command_timeout))
        .set_response_timeout(Some(command_timeout));
    let manager =
        deadpool_redis::Manager::new_with_config(url, connection).context("parsing REDIS_URL")?;
    deadpool_redis::Pool::builder(manager)
        .max_size(16)
        .wait_timeout(Some(command_timeout))
        .create_timeout(Some(command_timeout))
        .recycle_timeout(Some(command_timeout))
        .runtime(deadpool_redis::Runtime::Tokio1)
        .build()
        .context("creating the Redis pool")
}

/// Milliseconds since the Unix epoch, as stored.
pub fn to_millis(t: chrono::DateTime<chrono::Utc>) -> i64 {
    t.timestamp_millis()
}

/// The inverse of [`to_millis`]; out-of-range values clamp to the epoch.
pub fn from_millis(ms: i64) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp_millis(ms).unwrap_or_default()
}
