//! The HTTP registry adapter.
//!
//! Protocol: `POST {registry_url}/v1/lookup` with `{"snils": "…"}` (the number travels in the
//! body, not the URL, so it stays out of access logs). 200 with a [`RegistryRecord`] → found;
//! 404 → not found; anything else — timeout, connection error, 5xx, unexpected status or an
//! unreadable body — is *unavailable*, never "not found".

use std::time::Duration;

use anyhow::Context;
use async_trait::async_trait;
use reqwest::StatusCode;
use statuspass_shared::Snils;

use super::{Lookup, Registry, RegistryError, RegistryRecord};

/// Client of a registry reachable over HTTP.
pub struct HttpRegistry {
    client: reqwest::Client,
    lookup_url: String,
}

impl HttpRegistry {
    /// `base_url` without a trailing slash; `timeout` bounds the whole request.
    pub fn new(base_url: &str, timeout: Duration) -> anyhow::Result<Self> {
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .build()
            .context("building the registry HTTP client")?;
        Ok(Self {
            client,
            lookup_url: format!("{}/v1/lookup", base_url.trim_end_matches('/')),
        })
    }
}

fn unavailable(e: reqwest::Error) -> RegistryError {
    // `without_url`: the message must not carry anything request-specific.
    RegistryError::Unavailable(e.without_url().to_string())
}

#[async_trait]
impl Registry for HttpRegistry {
    async fn lookup(&self, snils: &Snils) -> Result<Lookup, RegistryError> {
        let response = self
            .client
            .post(&self.lookup_url)
            .json(&serde_json::json!({ "snils": snils.as_str() }))
            .send()
            .await
            .map_err(unavailable)?;
        match response.status() {
            StatusCode::OK => {
                let record: RegistryRecord = response.json().await.map_err(unavailable)?;
                Ok(Lookup::Found(record))
            }
            StatusCode::NOT_FOUND => Ok(Lookup::NotFound),
            other => Err(RegistryError::Unavailable(format!(
                "registry answered {other}"
            ))),
        }
    }
}
