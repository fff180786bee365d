//! The HTTP registry adapter, one client per registry (its own base URL and timeout).
//!
//! Protocol: `POST {base_url}/v1/lookup` with `{"snils": "…"}` (the number travels in the
//! body, not the URL, so it stays out of access logs). 200 with the registry's answer → found
//! (the Ministry of Defence answers a [`RegistryRecord`] whose optional `kind` says
//! `svo_participant` or `svo_family`; the education and social-support registries answer any
//! JSON object, see [`Confirmed`](super::Confirmed)); 404 → not found; anything else — timeout, connection
//! error, 5xx, unexpected status or an unreadable body — is *unavailable*, never "not found".

use std::marker::PhantomData;
use std::time::Duration;

use anyhow::Context;
use async_trait::async_trait;
use reqwest::StatusCode;
use serde::de::DeserializeOwned;
use statuspass_shared::Snils;

use super::{Lookup, Registry, RegistryError, RegistryRecord};

/// Client of a registry reachable over HTTP; `R` is what it answers for a known person.
pub struct HttpRegistry<R = RegistryRecord> {
    client: reqwest::Client,
    lookup_url: String,
    answer: PhantomData<fn() -> R>,
}

impl HttpRegistry {
    /// The Ministry of Defence registry at `base_url` (no trailing slash); `timeout` bounds
    /// the whole request.
    pub fn new(base_url: &str, timeout: Duration) -> anyhow::Result<Self> {
        Self::at(base_url, timeout)
    }
}

impl<R> HttpRegistry<R> {
    /// A registry at `base_url` answering `R`; `timeout` bounds the whole request.
    pub fn at(base_url: &str, timeout: Duration) -> anyhow::Result<Self> {
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .build()
            .context("building the registry HTTP client")?;
        Ok(Self {
            client,
            lookup_url: format!("{}/v1/lookup", base_url.trim_end_matches('/')),
            answer: PhantomData,
        })
    }
}

fn unavailable(e: reqwest::Error) -> RegistryError {
    // `without_url`: the message must not carry anything request-specific.
    RegistryError::Unavailable(e.without_url().to_string())
}

#[async_trait]
impl<R: DeserializeOwned + Send + 'static> Registry<R> for HttpRegistry<R> {
    async fn lookup(&self, snils: &Snils) -> Result<Lookup<R>, RegistryError> {
        let response = self
            .client
            .post(&self.lookup_url)
            .json(&serde_json::json!({ "snils": snils.as_str() }))
            .send()
            .await
            .map_err(unavailable)?;
        match response.status() {
            StatusCode::OK => {
                let record: R = response.json().await.map_err(unavailable)?;
                Ok(Lookup::Found(record))
            }
            StatusCode::NOT_FOUND => Ok(Lookup::NotFound),
            other => Err(RegistryError::Unavailable(format!(
                "registry answered {other}"
            ))),
        }
    }
}
