//! The advisory-sources register (SPEC §3.5): each source with its owner, backup and review
//! cadence, the reviews on record, and every sync attempt, failed ones included.

use crate::Store;
use crate::error::Result;
use crate::query::Select;
use crate::registry::Actor;
use crate::schema;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use vigilo_intel::register::{
    Custodian, ReviewOutcome, SourceKind, check_custodians, is_overdue, next_review_due,
};
use vigilo_registry::{Action, Invalid, Person};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdvisorySource {
    pub id: String,
    pub name: String,
    pub kind: SourceKind,
    /// Where `advisories sync` fetches it; none for sources people read.
    pub url: Option<String>,
    pub owner: String,
    pub backup: String,
    pub cadence_days: i64,
    pub created_by: String,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceReview {
    pub id: i64,
    pub source: String,
    pub reviewed_at: Timestamp,
    pub outcome: ReviewOutcome,
    pub note: String,
    pub reviewed_by: String,
    pub recorded_at: Timestamp,
}

/// One attempt to fetch and import a source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceSync {
    pub id: i64,
    pub source: String,
    pub url: String,
    #[serde(flatten)]
    pub result: SyncResult,
    pub synced_by: String,
}

/// A source as asked for.
#[derive(Debug, Clone)]
pub struct NewSource {
    pub id: String,
    pub name: String,
    pub kind: SourceKind,
    pub url: Option<String>,
    pub owner: String,
    pub backup: String,
    pub cadence_days: i64,
}

/// What a sync attempt found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncResult {
    pub started_at: Timestamp,
    pub finished_at: Timestamp,
    /// None when no response came (DNS, connection, TLS).
    pub http_status: Option<i64>,
    pub bytes: i64,
    pub added: i64,
    pub updated: i64,
    pub unchanged: i64,
    /// Why the attempt failed; None when it succeeded.
    pub error: Option<String>,
}

/// A source with its review status as of an instant.
#[derive(Debug, Clone, Serialize)]
pub struct SourceStatus {
    #[serde(flatten)]
    pub source: AdvisorySource,
    pub last_reviewed_at: Option<Timestamp>,
    pub next_review_due: Timestamp,
    pub overdue: bool,
    pub last_sync: Option<SourceSync>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SourceView {
    #[serde(flatten)]
    pub status: SourceStatus,
    pub reviews: Vec<SourceReview>,
    pub syncs: Vec<SourceSync>,
}

/// The longest cadence accepted: a yearly review is the slowest any standard asks for, and a
/// typo of days for hours should not push the next review past the decade.
const MAX_CADENCE_DAYS: i64 = 3660;

fn required(field: &str, value: &str) -> Result<String> {
    let v = value.trim();
    if v.is_empty() {
        return Err(Invalid::new(field, "must not be empty").into());
    }
    Ok(v.to_owned())
}

impl Store {
    async fn custodian(&self, field: &str, id: &str) -> Result<Person> {
        self.fetch_one(Select::<Person>::all().eq("id", id))
            .await?
            .ok_or_else(|| Invalid::new(field, format!("no person {id:?}")).into())
    }

    pub async fn add_source(
        &self,
        actor: &Actor,
        new: NewSource,
        now: Timestamp,
    ) -> Result<AdvisorySource> {
        actor.may(Action::ManageSources)?;
        let id = required("ID", &new.id)?;
        let name = required("--name", &new.name)?;
        if !(1..=MAX_CADENCE_DAYS).contains(&new.cadence_days) {
            return Err(Invalid::new(
                "--cadence-days",
                format!(
                    "{}: expected a number of days from 1 to {MAX_CADENCE_DAYS}",
                    new.cadence_days
                ),
            )
            .into());
        }
        let url = new.url.map(|u| u.trim().to_owned());
        if let Some(u) = &url
            && !(u.starts_with("https://") || u.starts_with("http://"))
        {
            return Err(Invalid::new("--url", format!("{u:?}: expected an http(s):// URL")).into());
        }
        let owner = self.custodian("--owner", new.owner.trim()).await?;
        let backup = self.custodian("--backup", new.backup.trim()).await?;
        check_custodians(
            Custodian {
                id: &owner.id,
                roles: &owner.roles,
            },
            Custodian {
                id: &backup.id,
                roles: &backup.roles,
            },
        )?;
        let mut tx = self.begin_write(&actor.person.id, now).await?;
        if tx
            .fetch_one(Select::<AdvisorySource>::all().eq("id", id.as_str()))
            .await?
            .is_some()
        {
            return Err(Invalid::new("ID", format!("source {id} exists already")).into());
        }
        let source = AdvisorySource {
            id,
            name,
            kind: new.kind,
            url,
            owner: owner.id,
            backup: backup.id,
            cadence_days: new.cadence_days,
            created_by: actor.person.id.clone(),
            created_at: now,
        };
        tx.insert("source.add", &source).await?;
        tx.commit().await?;
        Ok(source)
    }

    /// Every source with its review status as of `as_of`: overdue ones first, then by due.
    pub async fn sources(&self, as_of: Timestamp) -> Result<Vec<SourceStatus>> {
        let zone = self.zone().await?;
        let mut last_review: HashMap<String, Timestamp> = HashMap::new();
        for r in self.fetch(Select::<SourceReview>::all()).await? {
            let latest = last_review.entry(r.source).or_insert(r.reviewed_at);
            *latest = (*latest).max(r.reviewed_at);
        }
        let mut last_sync: HashMap<String, SourceSync> = HashMap::new();
        for s in self
            .fetch(
                Select::<SourceSync>::all()
                    .order_by("started_at")
                    .order_by("id"),
            )
            .await?
        {
            last_sync.insert(s.source.clone(), s);
        }
        let mut out: Vec<SourceStatus> = self
            .fetch(Select::<AdvisorySource>::all())
            .await?
            .into_iter()
            .map(|source| {
                let last = last_review.get(&source.id).copied();
                let due = next_review_due(source.created_at, last, source.cadence_days, &zone);
                SourceStatus {
                    last_reviewed_at: last,
                    next_review_due: due,
                    overdue: is_overdue(due, as_of),
                    last_sync: last_sync.remove(&source.id),
                    source,
                }
            })
            .collect();
        out.sort_by(|a, b| {
            (!a.overdue, a.next_review_due, &a.source.id).cmp(&(
                !b.overdue,
                b.next_review_due,
                &b.source.id,
            ))
        });
        Ok(out)
    }

    /// A source with its reviews and sync attempts, oldest first.
    pub async fn source(&self, id: &str, as_of: Timestamp) -> Result<SourceView> {
        let status = self
            .sources(as_of)
            .await?
            .into_iter()
            .find(|s| s.source.id == id)
            .ok_or_else(|| Invalid::new("ID", format!("no advisory source {id:?}")))?;
        let reviews = self
            .fetch(
                Select::<SourceReview>::all()
                    .eq("source", id)
                    .order_by("reviewed_at")
                    .order_by("id"),
            )
            .await?;
        let syncs = self
            .fetch(
                Select::<SourceSync>::all()
                    .eq("source", id)
                    .order_by("started_at")
                    .order_by("id"),
            )
            .await?;
        Ok(SourceView {
            status,
            reviews,
            syncs,
        })
    }

    async fn source_record(&self, id: &str) -> Result<AdvisorySource> {
        self.fetch_one(Select::<AdvisorySource>::all().eq("id", id))
            .await?
            .ok_or_else(|| Invalid::new("ID", format!("no advisory source {id:?}")).into())
    }

    /// Records a review of a source by the acting person, held at `reviewed_at`.
    pub async fn review_source(
        &self,
        actor: &Actor,
        id: &str,
        reviewed_at: Timestamp,
        outcome: ReviewOutcome,
        note: &str,
        now: Timestamp,
    ) -> Result<SourceReview> {
        actor.may(Action::ReviewSource)?;
        let note = required("--note", note)?;
        let source = self.source_record(id).await?;
        if reviewed_at > now {
            return Err(Invalid::new(
                "--at",
                format!("{reviewed_at} is in the future (now is {now})"),
            )
            .into());
        }
        if reviewed_at < source.created_at {
            return Err(Invalid::new(
                "--at",
                format!(
                    "{reviewed_at} is before source {id} was registered ({})",
                    source.created_at
                ),
            )
            .into());
        }
        let mut tx = self.begin_write(&actor.person.id, now).await?;
        let review = SourceReview {
            id: tx.next_id(&schema::SOURCE_REVIEWS).await?,
            source: source.id,
            reviewed_at,
            outcome,
            note,
            reviewed_by: actor.person.id.clone(),
            recorded_at: now,
        };
        tx.insert("source.review", &review).await?;
        tx.commit().await?;
        Ok(review)
    }

    /// The sources `advisories sync` fetches: osv, kev and epss sources with a URL, by id.
    pub async fn feeds_to_sync(&self, actor: &Actor) -> Result<Vec<AdvisorySource>> {
        actor.may(Action::ImportAdvisories)?;
        actor.may(Action::ImportIntel)?;
        Ok(self
            .fetch(Select::<AdvisorySource>::all())
            .await?
            .into_iter()
            .filter(|s| s.kind.is_feed() && s.url.is_some())
            .collect())
    }

    /// Records one sync attempt of a source, successful or not.
    pub async fn record_sync(
        &self,
        actor: &Actor,
        source: &AdvisorySource,
        result: SyncResult,
        now: Timestamp,
    ) -> Result<SourceSync> {
        actor.may(Action::ImportAdvisories)?;
        let mut tx = self.begin_write(&actor.person.id, now).await?;
        let sync = SourceSync {
            id: tx.next_id(&schema::SOURCE_SYNCS).await?,
            source: source.id.clone(),
            url: source.url.clone().unwrap_or_default(),
            result,
            synced_by: actor.person.id.clone(),
        };
        tx.insert("source.sync", &sync).await?;
        tx.commit().await?;
        Ok(sync)
    }
}
