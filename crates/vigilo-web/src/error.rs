//! How failures answer: JSON for the API, a page for people.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde_json::json;

#[derive(Debug, thiserror::Error)]
pub enum WebError {
    /// No valid session or token.
    #[error("sign in first")]
    Unauthenticated { api: bool, next: String },
    /// Signed in, but not allowed (role, partner country scope, CSRF).
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("too many failed sign-ins for this account: wait {minutes} minutes")]
    Throttled { minutes: i64 },
    #[error(transparent)]
    Store(#[from] vigilo_store::Error),
}

impl From<vigilo_registry::Invalid> for WebError {
    fn from(e: vigilo_registry::Invalid) -> Self {
        WebError::Store(e.into())
    }
}

impl From<vigilo_registry::Refusal> for WebError {
    fn from(e: vigilo_registry::Refusal) -> Self {
        WebError::Store(e.into())
    }
}

impl WebError {
    pub fn status(&self) -> StatusCode {
        match self {
            WebError::Unauthenticated { .. } => StatusCode::UNAUTHORIZED,
            WebError::Forbidden(_) => StatusCode::FORBIDDEN,
            WebError::NotFound(_) => StatusCode::NOT_FOUND,
            WebError::Throttled { .. } => StatusCode::TOO_MANY_REQUESTS,
            WebError::Store(e) => match e.exit_code() {
                1 => StatusCode::FORBIDDEN,
                2 => StatusCode::UNPROCESSABLE_ENTITY,
                _ => StatusCode::INTERNAL_SERVER_ERROR,
            },
        }
    }
}

/// A request refused before its handler ran (no session, unknown account): answered as JSON
/// on the API and as a page (or a redirect to sign-in) elsewhere.
pub struct Rejection {
    pub api: bool,
    pub error: WebError,
}

impl IntoResponse for Rejection {
    fn into_response(self) -> Response {
        if self.api {
            ApiError(self.error).into_response()
        } else {
            PageError(self.error).into_response()
        }
    }
}

/// An error answered as JSON (the API).
pub struct ApiError(pub WebError);

impl<E: Into<WebError>> From<E> for ApiError {
    fn from(e: E) -> Self {
        ApiError(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.0.status();
        let mut body = json!({"error": self.0.to_string()});
        match &self.0 {
            WebError::Store(vigilo_store::Error::Invalid(i)) => body["field"] = json!(i.field),
            WebError::Store(vigilo_store::Error::Refused(r)) => {
                body["rule"] = json!(r.rule);
                body["missing"] = json!(r.missing);
            }
            _ => {}
        }
        (status, axum::Json(body)).into_response()
    }
}

/// An error answered as a page.
pub struct PageError(pub WebError);

impl<E: Into<WebError>> From<E> for PageError {
    fn from(e: E) -> Self {
        PageError(e.into())
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        if let WebError::Unauthenticated { next, .. } = &self.0 {
            return Redirect::to(&format!("/login?next={}", crate::pages::url_encode(next)))
                .into_response();
        }
        let status = self.0.status();
        let page = crate::pages::ErrorPage {
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            message: self.0.to_string(),
        };
        (status, Html(crate::pages::render(&page))).into_response()
    }
}
