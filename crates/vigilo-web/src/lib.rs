//! Vigilo's web application: a JSON API over the registry, described by an OpenAPI document at
//! `/api/openapi.json`, and server-rendered pages for the people of SPEC §1. Every request acts
//! as a person (session or API token); authorisation is decided here, on the server, for every
//! endpoint and page; every write goes through the store's audited operations.

pub mod api;
pub mod auth;
mod chart;
mod error;
pub mod pages;
pub mod pms;
mod pms_pages;
pub mod security;
mod security_pages;
pub mod support;
mod support_pages;
pub mod vigilance;
mod vigilance_pages;

use axum::Router;
use jiff::{SignedDuration, Timestamp};
use std::sync::Arc;
use vigilo_store::Store;

pub use error::WebError;

/// Where "now" comes from: the binary passes the system clock, tests a fixed instant.
pub type Clock = Arc<dyn Fn() -> Timestamp + Send + Sync>;

#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Send cookies with `Secure` (browsers accept that on https and on localhost).
    pub secure_cookies: bool,
    /// A session ends after this long without a request…
    pub session_idle: SignedDuration,
    /// …and this long after sign-in, whatever happens.
    pub session_max: SignedDuration,
    /// Sign-in is refused for an account after this many failures within `throttle_window`.
    pub throttle_failures: i64,
    pub throttle_window: SignedDuration,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            secure_cookies: true,
            session_idle: SignedDuration::from_mins(120),
            session_max: SignedDuration::from_hours(12),
            throttle_failures: 5,
            throttle_window: SignedDuration::from_mins(15),
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub clock: Clock,
    /// The organisation's time zone: calendar dates and displayed times.
    pub tz: jiff::tz::TimeZone,
    pub config: Arc<WebConfig>,
}

impl AppState {
    pub async fn new(
        store: Store,
        clock: Clock,
        config: WebConfig,
    ) -> Result<AppState, vigilo_store::Error> {
        let org = store.manufacturer().await?;
        let tz = jiff::tz::TimeZone::get(org.timezone.as_deref().unwrap_or("UTC"))
            .map_err(|e| vigilo_store::Error::Internal(format!("time zone of {}: {e}", org.id)))?;
        Ok(AppState {
            store,
            clock,
            tz,
            config: Arc::new(config),
        })
    }
}

pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(api::routes())
        .merge(pages::routes())
        .merge(support::routes())
        .merge(support_pages::routes())
        .merge(vigilance::routes())
        .merge(vigilance_pages::routes())
        .merge(pms::routes())
        .merge(pms_pages::routes())
        .merge(security::routes())
        .merge(security_pages::routes())
        .with_state(state)
}

/// Serves until the process is stopped.
pub async fn serve(listener: tokio::net::TcpListener, state: AppState) -> std::io::Result<()> {
    axum::serve(listener, router(state)).await
}
