//! Accounts: passwords, API tokens, web sessions and sign-in throttling. Hashing is the
//! caller's (the web crate's) job; the store keeps only hashes.

use crate::Store;
use crate::error::{Error, Result};
use crate::query::Select;
use crate::registry::Actor;
use crate::schema;
use jiff::Timestamp;
use jiff::civil::Date;
use sqlx::Row;
use vigilo_registry::access::authorise;
use vigilo_registry::{
    Action, ApiToken, Credential, DeviceScope, Invalid, Organisation, Person, QualityAgreement,
};

/// A signed-in browser session.
#[derive(Debug, Clone)]
pub struct WebSession {
    pub person: String,
    pub csrf: String,
    pub created_at: Timestamp,
    pub last_seen_at: Timestamp,
}

impl Store {
    /// Sets `person`'s password hash: an admin for anyone, everyone for themselves.
    pub async fn set_password_hash(
        &self,
        actor: &Actor,
        person: &str,
        password_hash: String,
        now: Timestamp,
    ) -> Result<()> {
        if actor.person.id != person {
            authorise(&actor.person.id, &actor.person.roles, Action::SetPassword)?;
        }
        let mut tx = self.begin_write(&actor.person.id, now).await?;
        if tx
            .fetch_one(Select::<Person>::all().eq("id", person))
            .await?
            .is_none()
        {
            return Err(Invalid::new("PERSON", format!("no person {person:?}")).into());
        }
        let after = Credential {
            id: person.to_owned(),
            password_hash,
            changed_at: now,
        };
        match tx
            .fetch_one(Select::<Credential>::all().eq("id", person))
            .await?
        {
            Some(before) => tx.update("person.password", &before, &after).await?,
            None => tx.insert("person.password", &after).await?,
        };
        tx.commit().await
    }

    pub async fn credential(&self, person: &str) -> Result<Option<Credential>> {
        self.fetch_one(Select::<Credential>::all().eq("id", person))
            .await
    }

    /// Records a new API token (its hash) acting as `person`.
    pub async fn issue_token(
        &self,
        actor: &Actor,
        person: &str,
        label: String,
        token_hash: String,
        expires_on: Option<Date>,
        now: Timestamp,
    ) -> Result<ApiToken> {
        authorise(&actor.person.id, &actor.person.roles, Action::IssueToken)?;
        let mut tx = self.begin_write(&actor.person.id, now).await?;
        if tx
            .fetch_one(Select::<Person>::all().eq("id", person))
            .await?
            .is_none()
        {
            return Err(Invalid::new("--person", format!("no person {person:?}")).into());
        }
        let token = ApiToken {
            id: tx.next_id(&schema::API_TOKENS).await?,
            person: person.to_owned(),
            label,
            token_hash,
            created_at: now,
            expires_on,
            revoked_at: None,
        };
        tx.insert("token.issue", &token).await?;
        tx.commit().await?;
        Ok(token)
    }

    pub async fn revoke_token(&self, actor: &Actor, id: i64, now: Timestamp) -> Result<ApiToken> {
        authorise(&actor.person.id, &actor.person.roles, Action::IssueToken)?;
        let mut tx = self.begin_write(&actor.person.id, now).await?;
        let Some(before) = tx.fetch_one(Select::<ApiToken>::all().eq("id", id)).await? else {
            return Err(Invalid::new("ID", format!("no API token {id}")).into());
        };
        let after = ApiToken {
            revoked_at: Some(before.revoked_at.unwrap_or(now)),
            ..before.clone()
        };
        if after != before {
            tx.update("token.revoke", &before, &after).await?;
            tx.commit().await?;
        }
        Ok(after)
    }

    pub async fn token_by_hash(&self, token_hash: &str) -> Result<Option<ApiToken>> {
        self.fetch_one(Select::<ApiToken>::all().eq("token_hash", token_hash))
            .await
    }

    pub async fn tokens(&self) -> Result<Vec<ApiToken>> {
        self.fetch(Select::<ApiToken>::all()).await
    }

    /// The devices `person` may see on `today`.
    pub async fn device_scope(&self, person: &Person, today: Date) -> Result<DeviceScope> {
        let org = self
            .fetch_one(Select::<Organisation>::all().eq("id", person.org.as_str()))
            .await?
            .ok_or_else(|| Error::Internal(format!("person {} has no organisation", person.id)))?;
        let agreements = self
            .fetch(Select::<QualityAgreement>::all().eq("org", person.org.as_str()))
            .await?;
        Ok(DeviceScope::of(org.kind, &agreements, today))
    }

    // ---- web sessions (operational state, outside the audit chain) ----------------------------

    pub async fn create_session(
        &self,
        token_hash: &str,
        person: &str,
        csrf: &str,
        now: Timestamp,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO web_sessions (token_hash, person, csrf, created_at, last_seen_at) VALUES ($1, $2, $3, $4, $4)",
        )
        .bind(token_hash)
        .bind(person)
        .bind(csrf)
        .bind(now.as_microsecond())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn session(&self, token_hash: &str) -> Result<Option<WebSession>> {
        let row = sqlx::query(
            "SELECT person, csrf, created_at, last_seen_at FROM web_sessions WHERE token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let instant =
            |us: i64| Timestamp::from_microsecond(us).map_err(|e| Error::Internal(e.to_string()));
        Ok(Some(WebSession {
            person: row.try_get(0)?,
            csrf: row.try_get(1)?,
            created_at: instant(row.try_get(2)?)?,
            last_seen_at: instant(row.try_get(3)?)?,
        }))
    }

    pub async fn touch_session(&self, token_hash: &str, now: Timestamp) -> Result<()> {
        sqlx::query("UPDATE web_sessions SET last_seen_at = $1 WHERE token_hash = $2")
            .bind(now.as_microsecond())
            .bind(token_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn end_session(&self, token_hash: &str) -> Result<()> {
        sqlx::query("DELETE FROM web_sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Removes sessions idle since before `idle_before` or started before `started_before`.
    pub async fn expire_sessions(
        &self,
        idle_before: Timestamp,
        started_before: Timestamp,
    ) -> Result<u64> {
        let done =
            sqlx::query("DELETE FROM web_sessions WHERE last_seen_at < $1 OR created_at < $2")
                .bind(idle_before.as_microsecond())
                .bind(started_before.as_microsecond())
                .execute(&self.pool)
                .await?;
        Ok(done.rows_affected())
    }

    // ---- sign-in throttling --------------------------------------------------------------------

    pub async fn record_sign_in_failure(&self, account: &str, now: Timestamp) -> Result<()> {
        sqlx::query("INSERT INTO sign_in_failures (account, at) VALUES ($1, $2)")
            .bind(account)
            .bind(now.as_microsecond())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn sign_in_failures_since(&self, account: &str, since: Timestamp) -> Result<i64> {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM sign_in_failures WHERE account = $1 AND at >= $2",
        )
        .bind(account)
        .bind(since.as_microsecond())
        .fetch_one(&self.pool)
        .await?;
        Ok(n)
    }

    pub async fn clear_sign_in_failures(&self, account: &str) -> Result<()> {
        sqlx::query("DELETE FROM sign_in_failures WHERE account = $1")
            .bind(account)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
