//! Who is asking: a browser session (cookie) or an integration (bearer token). Passwords are
//! Argon2id (memory-hard); sessions and tokens are random 256-bit values of which the store
//! keeps only the SHA-256.

use crate::AppState;
use crate::error::{Rejection, WebError};
use argon2::Argon2;
use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use axum::extract::FromRequestParts;
use axum::http::header::{AUTHORIZATION, COOKIE};
use axum::http::request::Parts;
use jiff::civil::Date;
use sha2::{Digest, Sha256};
use vigilo_registry::{DeviceScope, Invalid};
use vigilo_store::registry::Actor;

pub const SESSION_COOKIE: &str = "vigilo_session";
/// Carries the sign-in form's CSRF token before there is a session.
pub const SIGN_IN_COOKIE: &str = "vigilo_signin";
/// API requests authenticated by the session cookie must repeat its CSRF token here.
pub const CSRF_HEADER: &str = "x-csrf-token";

pub const MIN_PASSWORD_CHARS: usize = 12;

pub fn hash_password(password: &str) -> Result<String, Invalid> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(Invalid::new(
            "password",
            format!("is too short: expected at least {MIN_PASSWORD_CHARS} characters"),
        ));
    }
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| Invalid::new("password", format!("cannot be hashed: {e}")))
}

pub fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// A fresh random secret, hex.
pub fn random_secret() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// What the store keeps of a session or API token.
pub fn secret_hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Compares secrets without leaking where they differ through timing.
pub fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

pub fn cookie<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    parts
        .headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| pair.trim().strip_prefix(name)?.strip_prefix('='))
}

pub fn set_cookie(state: &AppState, name: &str, value: &str, max_age_seconds: i64) -> String {
    let secure = if state.config.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_seconds}{secure}")
}

#[derive(Debug, Clone)]
pub enum Via {
    Session { token_hash: String, csrf: String },
    Token,
}

/// The person a request acts as, with what they may see.
#[derive(Debug, Clone)]
pub struct Principal {
    pub actor: Actor,
    pub via: Via,
    pub scope: DeviceScope,
    /// Today in the organisation's time zone.
    pub today: Date,
}

impl Principal {
    /// CSRF: a write authenticated by the session cookie must carry the session's token.
    pub fn check_csrf(&self, presented: Option<&str>) -> Result<(), WebError> {
        match &self.via {
            Via::Token => Ok(()),
            Via::Session { csrf, .. } if presented.is_some_and(|p| same_secret(p, csrf)) => Ok(()),
            Via::Session { .. } => Err(WebError::Forbidden(
                "the form's security token is missing or stale: reload the page and try again"
                    .into(),
            )),
        }
    }

    pub fn csrf(&self) -> &str {
        match &self.via {
            Via::Session { csrf, .. } => csrf,
            Via::Token => "",
        }
    }

    pub fn may_see(&self, device: &vigilo_registry::Device) -> bool {
        self.scope.allows(device.country)
    }

    pub fn has(&self, role: vigilo_registry::Role) -> bool {
        self.actor.person.roles.contains(&role)
    }

    /// Whether the person holds a role the action allows: which forms a page offers (the store
    /// decides on the write itself).
    pub fn may(&self, action: vigilo_registry::Action) -> bool {
        action.allowed_roles().iter().any(|r| self.has(*r))
    }

    /// A service partner's person: sees its agreement's countries, and none of the
    /// manufacturer's internal records.
    pub fn is_partner(&self) -> bool {
        matches!(self.scope, DeviceScope::Countries(_))
    }
}

async fn person_of(state: &AppState, parts: &Parts) -> Result<Option<(String, Via)>, WebError> {
    let now = (state.clock)();
    if let Some(auth) = parts
        .headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    {
        let Some(token) = auth.strip_prefix("Bearer ") else {
            return Ok(None);
        };
        let Some(t) = state
            .store
            .token_by_hash(&secret_hash(token.trim()))
            .await?
        else {
            return Ok(None);
        };
        let expired = t
            .expires_on
            .is_some_and(|d| d < now.to_zoned(state.tz.clone()).date());
        if t.revoked_at.is_some() || expired {
            return Ok(None);
        }
        return Ok(Some((t.person, Via::Token)));
    }
    let Some(secret) = cookie(parts, SESSION_COOKIE) else {
        return Ok(None);
    };
    let token_hash = secret_hash(secret);
    let Some(session) = state.store.session(&token_hash).await? else {
        return Ok(None);
    };
    let idle = now.duration_since(session.last_seen_at) > state.config.session_idle;
    let too_old = now.duration_since(session.created_at) > state.config.session_max;
    if idle || too_old {
        state.store.end_session(&token_hash).await?;
        return Ok(None);
    }
    // Refreshing the idle timer once a minute is enough and spares a write per request.
    if now.duration_since(session.last_seen_at).as_secs() >= 60 {
        state.store.touch_session(&token_hash, now).await?;
    }
    Ok(Some((
        session.person,
        Via::Session {
            token_hash,
            csrf: session.csrf,
        },
    )))
}

impl FromRequestParts<AppState> for Principal {
    type Rejection = Rejection;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let api = parts.uri.path().starts_with("/api/");
        let next = parts
            .uri
            .path_and_query()
            .map_or("/".to_owned(), |p| p.to_string());
        let reject = |error: WebError| Rejection { api, error };
        let Some((person, via)) = person_of(state, parts).await.map_err(reject)? else {
            return Err(reject(WebError::Unauthenticated { api, next }));
        };
        let actor = state
            .store
            .actor(&person)
            .await
            .map_err(|e| reject(e.into()))?;
        let today = (state.clock)().to_zoned(state.tz.clone()).date();
        let scope = state
            .store
            .device_scope(&actor.person, today)
            .await
            .map_err(|e| reject(e.into()))?;
        Ok(Principal {
            actor,
            via,
            scope,
            today,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_and_verify() {
        let h = hash_password("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &h));
        assert!(!verify_password("correct horse batterY", &h));
        assert!(!verify_password("x", "not a hash"));
        assert!(hash_password("short").is_err());
    }

    #[test]
    fn secrets_are_random_and_compared_in_full() {
        let (a, b) = (random_secret(), random_secret());
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
        assert!(same_secret(&a, &a.clone()));
        assert!(!same_secret(&a, &b));
        assert!(!same_secret(&a, &a[..63]));
        assert_eq!(secret_hash("x").len(), 64);
    }
}
