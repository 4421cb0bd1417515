//! Exploitation intelligence (SPEC §3.5): the latest CISA KEV catalog and EPSS scores, kept
//! per CVE, and their lookup for findings. A file already taken in (same catalog version or
//! score date) changes nothing; an older one never replaces a newer one.

use crate::Store;
use crate::error::Result;
use crate::query::{Select, columns_of, read_as};
use crate::registry::Actor;
use crate::schema::{self, Stored};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};
use vigilo_intel::IntelError;
use vigilo_registry::{Action, Invalid};

/// A KEV catalog or EPSS score file as taken in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntelCatalog {
    pub id: i64,
    /// `kev` or `epss`.
    pub kind: String,
    /// KEV `catalogVersion`; EPSS score date.
    pub version: String,
    /// The EPSS model version.
    pub model: Option<String>,
    pub released_at: Timestamp,
    pub sha256: String,
    pub entries: i64,
    pub added: i64,
    pub updated: i64,
    pub unchanged: i64,
    /// Entries of the previous catalog this one no longer lists.
    pub removed: i64,
    /// The file or URL it was read from.
    pub source: String,
    pub imported_by: String,
    pub imported_at: Timestamp,
}

/// A CVE in the KEV catalog, keyed by its CVE id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KevRecord {
    pub id: String,
    pub vendor: String,
    pub product: String,
    pub name: String,
    pub date_added: Date,
    pub due_date: Date,
    pub known_ransomware: bool,
    /// The catalog version that no longer listed it.
    pub removed_in: Option<String>,
}

/// A CVE's EPSS score, keyed by its CVE id; the numbers as decimal text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EpssRecord {
    pub id: String,
    pub score: String,
    pub percentile: String,
    /// The score date of the file that no longer scored it.
    pub removed_in: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntelKind {
    Kev,
    Epss,
}

impl IntelKind {
    pub fn parse(field: &str, value: &str) -> Result<IntelKind, Invalid> {
        vigilo_registry::input::choice(
            field,
            value.trim(),
            &[("kev", IntelKind::Kev), ("epss", IntelKind::Epss)],
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum IntelOutcome {
    Imported,
    /// This catalog version or score date was taken in before; nothing was written.
    Unchanged,
    /// A newer catalog is on record already; nothing was written.
    Older,
}

#[derive(Debug, Clone, Serialize)]
pub struct IntelImport {
    pub outcome: IntelOutcome,
    pub added: i64,
    pub updated: i64,
    pub unchanged: i64,
    pub removed: i64,
    /// The catalog on record: the one imported, or for `unchanged` and `older` the one that
    /// made the import unnecessary.
    pub catalog: IntelCatalog,
}

/// A CVE's KEV membership as findings show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Kev {
    pub cve: String,
    pub date_added: Date,
    pub due_date: Date,
    pub known_ransomware: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Epss {
    pub cve: String,
    pub score: f64,
    pub percentile: f64,
}

/// What is known of a CVE's exploitation.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Exploitation {
    pub kev: Option<Kev>,
    pub epss: Option<Epss>,
}

/// A per-CVE row of a catalog.
trait Entry: Stored + Clone + PartialEq {
    fn cve(&self) -> &str;
    fn removed_in(&self) -> Option<&str>;
    fn set_removed_in(&mut self, version: Option<String>);
}

macro_rules! entries {
    ($($t:ty),+) => {$(
        impl Entry for $t {
            fn cve(&self) -> &str {
                &self.id
            }
            fn removed_in(&self) -> Option<&str> {
                self.removed_in.as_deref()
            }
            fn set_removed_in(&mut self, version: Option<String>) {
                self.removed_in = version;
            }
        }
    )+};
}
entries!(KevRecord, EpssRecord);

/// The catalog being taken in, before it is compared with what is stored.
struct Incoming<T> {
    kind: &'static str,
    version: String,
    model: Option<String>,
    released_at: Timestamp,
    sha256: String,
    source: String,
    rows: Vec<T>,
}

fn invalid(e: IntelError) -> Invalid {
    Invalid::new(e.file, format!("{}: {}", e.position, e.problem))
}

impl Store {
    /// Takes in a KEV catalog or EPSS file; `path` names the file (or URL) in messages and the
    /// record.
    pub async fn import_intel(
        &self,
        actor: &Actor,
        kind: IntelKind,
        path: &str,
        bytes: &[u8],
        now: Timestamp,
    ) -> Result<IntelImport> {
        actor.may(Action::ImportIntel)?;
        let sha256 = hex::encode(Sha256::digest(bytes));
        let source = path.to_owned();
        match kind {
            IntelKind::Kev => {
                let kev = vigilo_intel::parse_kev(path, bytes).map_err(invalid)?;
                let rows = kev
                    .entries
                    .into_iter()
                    .map(|e| KevRecord {
                        id: e.cve,
                        vendor: e.vendor,
                        product: e.product,
                        name: e.name,
                        date_added: e.date_added,
                        due_date: e.due_date,
                        known_ransomware: e.known_ransomware,
                        removed_in: None,
                    })
                    .collect();
                let incoming = Incoming {
                    kind: "kev",
                    version: kev.version,
                    model: None,
                    released_at: kev.released,
                    sha256,
                    source,
                    rows,
                };
                self.take_in(actor, incoming, now).await
            }
            IntelKind::Epss => {
                let epss = vigilo_intel::parse_epss(path, bytes).map_err(invalid)?;
                let rows = epss
                    .scores
                    .into_iter()
                    .map(|s| EpssRecord {
                        id: s.cve,
                        // Display writes the shortest text that parses back to the same number,
                        // so an unchanged score compares equal however the file wrote it.
                        score: s.epss.to_string(),
                        percentile: s.percentile.to_string(),
                        removed_in: None,
                    })
                    .collect();
                let incoming = Incoming {
                    kind: "epss",
                    version: epss.score_date.to_string(),
                    model: Some(epss.model_version),
                    released_at: epss.score_date,
                    sha256,
                    source,
                    rows,
                };
                self.take_in(actor, incoming, now).await
            }
        }
    }

    /// Makes `incoming` the kind's current catalog: new CVEs added, changed ones updated,
    /// those it no longer lists marked removed.
    async fn take_in<T: Entry>(
        &self,
        actor: &Actor,
        incoming: Incoming<T>,
        now: Timestamp,
    ) -> Result<IntelImport> {
        let mut tx = self.begin_write(&actor.person.id, now).await?;
        let catalogs = tx
            .fetch(
                Select::<IntelCatalog>::all()
                    .eq("kind", incoming.kind)
                    .order_by("released_at")
                    .order_by("id"),
            )
            .await?;
        let nothing = |outcome, catalog: &IntelCatalog, unchanged| IntelImport {
            outcome,
            added: 0,
            updated: 0,
            unchanged,
            removed: 0,
            catalog: catalog.clone(),
        };
        if let Some(same) = catalogs.iter().find(|c| c.version == incoming.version) {
            return Ok(nothing(
                IntelOutcome::Unchanged,
                same,
                incoming.rows.len() as i64,
            ));
        }
        if let Some(newer) = catalogs
            .last()
            .filter(|c| c.released_at > incoming.released_at)
        {
            return Ok(nothing(IntelOutcome::Older, newer, 0));
        }
        let mut stored: HashMap<String, T> = tx
            .fetch(Select::<T>::all())
            .await?
            .into_iter()
            .map(|r| (r.cve().to_owned(), r))
            .collect();
        let (mut added, mut updated, mut unchanged, mut removed) = (0, 0, 0, 0);
        let mut new = Vec::new();
        let action = |what: &str| format!("{}.{what}", incoming.kind);
        let entries = incoming.rows.len() as i64;
        for row in incoming.rows {
            match stored.remove(row.cve()) {
                None => new.push(row),
                Some(before) if before == row => unchanged += 1,
                Some(before) => {
                    tx.update(&action("update"), &before, &row).await?;
                    updated += 1;
                }
            }
        }
        let mut gone: Vec<T> = stored
            .into_values()
            .filter(|r| r.removed_in().is_none())
            .collect();
        gone.sort_by(|a, b| a.cve().cmp(b.cve()));
        for before in gone {
            let mut after = before.clone();
            after.set_removed_in(Some(incoming.version.clone()));
            tx.update(&action("remove"), &before, &after).await?;
            removed += 1;
        }
        added += new.len() as i64;
        tx.insert_many(&action("add"), &new).await?;
        let catalog = IntelCatalog {
            id: tx.next_id(&schema::INTEL_CATALOGS).await?,
            kind: incoming.kind.to_owned(),
            version: incoming.version,
            model: incoming.model,
            released_at: incoming.released_at,
            sha256: incoming.sha256,
            entries,
            added,
            updated,
            unchanged,
            removed,
            source: incoming.source,
            imported_by: actor.person.id.clone(),
            imported_at: now,
        };
        tx.insert(&action("import"), &catalog).await?;
        tx.commit().await?;
        Ok(IntelImport {
            outcome: IntelOutcome::Imported,
            added,
            updated,
            unchanged,
            removed,
            catalog,
        })
    }

    /// The current rows of `T` for these CVE ids.
    async fn current_entries<T: Entry>(&self, cves: &[&str]) -> Result<Vec<T>> {
        // Well under both backends' bound-parameter limits.
        const CHUNK: usize = 500;
        let table = T::TABLE;
        let mut out = Vec::new();
        for chunk in cves.chunks(CHUNK) {
            let placeholders: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let sql = format!(
                "SELECT {} FROM {} t WHERE t.removed_in IS NULL AND t.id IN ({})",
                columns_of(table, "t"),
                table.name,
                placeholders.join(", ")
            );
            let mut q = sqlx::query(&sql);
            for cve in chunk {
                q = q.bind(*cve);
            }
            for row in q.fetch_all(&self.pool).await? {
                out.push(read_as::<T>(&row)?);
            }
        }
        Ok(out)
    }

    /// KEV membership and EPSS score of each of `cves` the current catalogs know.
    pub async fn exploitation(&self, cves: &[&str]) -> Result<BTreeMap<String, Exploitation>> {
        let mut out: BTreeMap<String, Exploitation> = BTreeMap::new();
        for k in self.current_entries::<KevRecord>(cves).await? {
            let kev = Kev {
                cve: k.id.clone(),
                date_added: k.date_added,
                due_date: k.due_date,
                known_ransomware: k.known_ransomware,
            };
            out.entry(k.id).or_default().kev = Some(kev);
        }
        for e in self.current_entries::<EpssRecord>(cves).await? {
            let number = |text: &str| {
                text.parse::<f64>().map_err(|_| {
                    crate::Error::Internal(format!("epss_scores/{}: {text:?} is no number", e.id))
                })
            };
            let epss = Epss {
                score: number(&e.score)?,
                percentile: number(&e.percentile)?,
                cve: e.id.clone(),
            };
            out.entry(e.id).or_default().epss = Some(epss);
        }
        Ok(out)
    }

    /// The KEV catalogs and EPSS files taken in, oldest first.
    pub async fn intel_catalogs(&self) -> Result<Vec<IntelCatalog>> {
        self.fetch(
            Select::<IntelCatalog>::all()
                .order_by("imported_at")
                .order_by("id"),
        )
        .await
    }
}

impl Store {
    /// Fills in each finding's KEV membership and EPSS score from its advisory's CVE ids.
    pub(crate) async fn enrich_findings(
        &self,
        views: &mut [crate::advisories::FindingView],
    ) -> Result<()> {
        let cves_of = |v: &crate::advisories::FindingView| -> Vec<String> {
            let mut ids: Vec<String> = std::iter::once(&v.finding.advisory)
                .chain(&v.aliases)
                .filter(|id| vigilo_intel::is_cve(id))
                .cloned()
                .collect();
            ids.sort();
            ids.dedup();
            ids
        };
        let mut all: Vec<String> = views.iter().flat_map(cves_of).collect();
        all.sort();
        all.dedup();
        let all: Vec<&str> = all.iter().map(String::as_str).collect();
        let known = self.exploitation(&all).await?;
        for view in views {
            let found: Vec<&Exploitation> =
                cves_of(view).iter().filter_map(|c| known.get(c)).collect();
            view.kev = found.iter().find_map(|x| x.kev.clone());
            view.epss = found
                .iter()
                .filter_map(|x| x.epss.clone())
                .max_by(|a, b| a.score.total_cmp(&b.score));
        }
        Ok(())
    }
}
