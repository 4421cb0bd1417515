//! Serving the web application, and the accounts it signs people in with.

use crate::Ctx;
use crate::output::{local, table};
use clap::{Args, Subcommand};
use serde_json::json;
use std::io::BufRead;
use std::net::SocketAddr;
use std::sync::Arc;
use vigilo_registry::Invalid;
use vigilo_registry::input;
use vigilo_store::Store;
use vigilo_web::{AppState, WebConfig, auth};

#[derive(Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// Send session cookies without `Secure`, for trying Vigilo over plain HTTP on a network
    /// address. Never in production: put Vigilo behind TLS instead.
    #[arg(long)]
    pub insecure_cookies: bool,
}

/// Serves `store` until the process is stopped; `announce` is printed once listening.
pub async fn serve(
    store: Store,
    args: &ServeArgs,
    announce: impl FnOnce(&str),
) -> anyhow::Result<()> {
    let config = WebConfig {
        secure_cookies: !args.insecure_cookies,
        ..WebConfig::default()
    };
    // The one place the web application's clock is read: the real time, per request.
    let state = AppState::new(store, Arc::new(jiff::Timestamp::now), config).await?;
    let listener = tokio::net::TcpListener::bind(args.addr)
        .await
        .map_err(|e| Invalid::new("--addr", format!("cannot listen on {}: {e}", args.addr)))?;
    let url = format!("http://{}", listener.local_addr()?);
    announce(&url);
    if !args.addr.ip().is_loopback() && !args.insecure_cookies {
        eprintln!(
            "vigilo: listening on a network address: serve it behind TLS (browsers send Secure cookies only over https)"
        );
    }
    vigilo_web::serve(listener, state).await?;
    Ok(())
}

pub async fn run_serve(ctx: &Ctx, args: ServeArgs) -> anyhow::Result<()> {
    let store = ctx.store().await?;
    serve(store, &args, |url| {
        eprintln!(
            "vigilo: serving {} on {url} (API description at {url}/api/openapi.json)",
            ctx.db_location()
        );
    })
    .await
}

/// Reads a password from the first line of stdin: never from a flag, which would land in the
/// shell history and the process list.
fn password_from_stdin() -> anyhow::Result<String> {
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

pub async fn set_password(ctx: &Ctx, person: &str) -> anyhow::Result<()> {
    let password = password_from_stdin()?;
    let hash = auth::hash_password(&password).map_err(|e| Invalid::new("stdin", e.to_string()))?;
    let (store, actor) = ctx.store_as().await?;
    store
        .set_password_hash(&actor, person, hash, ctx.now)
        .await?;
    ctx.out.emit(&json!({"id": person, "password": "set"}), || {
        format!("password of {person} set")
    })
}

#[derive(Subcommand)]
pub enum TokenCmd {
    /// Issue an API token acting as a person; it is shown once.
    Issue {
        #[arg(long)]
        person: String,
        #[arg(long)]
        label: String,
        #[arg(long, value_name = "DATE")]
        expires: Option<String>,
    },
    List,
    Revoke {
        id: i64,
    },
}

pub async fn token(ctx: &Ctx, cmd: TokenCmd) -> anyhow::Result<()> {
    match cmd {
        TokenCmd::Issue {
            person,
            label,
            expires,
        } => {
            let label = input::text("--label", &label)?;
            let expires = expires.map(|d| input::date("--expires", &d)).transpose()?;
            let (store, actor) = ctx.store_as().await?;
            let secret = auth::random_secret();
            let t = store
                .issue_token(
                    &actor,
                    &person,
                    label,
                    auth::secret_hash(&secret),
                    expires,
                    ctx.now,
                )
                .await?;
            ctx.out.emit(
                &json!({"id": t.id, "person": t.person, "label": t.label, "expires_on": t.expires_on, "token": secret}),
                || format!("token {} for {} (shown once, keep it safe):\n{secret}", t.id, t.person),
            )
        }
        TokenCmd::List => {
            let store = ctx.store().await?;
            let tz = ctx.zone(&store).await?;
            let mut tokens = store.tokens().await?;
            for t in &mut tokens {
                t.token_hash = "[redacted]".into();
            }
            ctx.out.emit(&json!({ "tokens": tokens }), || {
                let rows: Vec<Vec<String>> = tokens
                    .iter()
                    .map(|t| {
                        vec![
                            t.id.to_string(),
                            t.person.clone(),
                            t.label.clone(),
                            local(t.created_at, &tz),
                            t.expires_on.map_or_else(|| "-".into(), |d| d.to_string()),
                            t.revoked_at.map_or_else(|| "-".into(), |r| local(r, &tz)),
                        ]
                    })
                    .collect();
                table(
                    &["id", "person", "label", "created", "expires", "revoked"],
                    &rows,
                )
            })
        }
        TokenCmd::Revoke { id } => {
            let (store, actor) = ctx.store_as().await?;
            let t = store.revoke_token(&actor, id, ctx.now).await?;
            ctx.out
                .emit(&json!({"id": t.id, "revoked_at": t.revoked_at}), || {
                    format!("token {} revoked", t.id)
                })
        }
    }
}
