//! OSV advisories and the findings they raise against SBOM components (SPEC §3.5). Findings
//! are kept in step with their inputs at once: an advisory import matches the changed
//! advisories against every current SBOM, an SBOM import matches its components against every
//! stored advisory, and `rematch` reconsiders everything. A finding that stops matching is
//! retracted, never deleted, so what was once reported stays on record.

use crate::Store;
use crate::WriteTx;
use crate::error::{Error, Result};
use crate::query::{Select, fetch_aggregated};
use crate::registry::Actor;
use crate::sbom::{Sbom, SbomComponent};
use crate::schema;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};
use vigilo_osv::Index;
use vigilo_registry::Action;
use vigilo_vigilance::model::json_text;

/// An OSV advisory as last imported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Advisory {
    /// The OSV id (`GHSA-…`, `RUSTSEC-…`).
    pub id: String,
    pub modified: Timestamp,
    pub published: Option<Timestamp>,
    pub withdrawn: Option<Timestamp>,
    pub aliases: Vec<String>,
    pub summary: Option<String>,
    /// The severity scores (CVSS vectors) as the record gives them.
    pub severity: Vec<String>,
    /// The record as read, kept as JSON text: matching is redone from it, and OSV records may
    /// carry numbers the audit chain's canonical JSON does not admit.
    #[serde(with = "json_text")]
    pub document: vigilo_osv::Advisory,
    /// The file (or `archive.zip:entry`) it was read from.
    pub source: String,
    pub imported_by: String,
    pub imported_at: Timestamp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FindingState {
    Open,
    Retracted,
}

/// An advisory that affects a component of a software version's SBOM.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub id: i64,
    pub advisory: String,
    pub sbom: i64,
    pub component: i64,
    pub product: String,
    pub version: String,
    pub purl: String,
    /// The versions that would end the match.
    pub fixed: Vec<String>,
    pub state: FindingState,
    pub found_at: Timestamp,
    pub retracted_at: Option<Timestamp>,
}

/// What a re-match changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Rematched {
    pub findings_added: usize,
    pub findings_retracted: usize,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct AdvisoryImport {
    pub added: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// Of the added and updated advisories, those withdrawn.
    pub withdrawn: usize,
    #[serde(flatten)]
    pub findings: Rematched,
}

/// A finding with what a reader needs to act on it.
#[derive(Debug, Clone, Serialize)]
pub struct FindingView {
    #[serde(flatten)]
    pub finding: Finding,
    pub aliases: Vec<String>,
    pub summary: Option<String>,
    pub severity: Vec<vigilo_osv::Severity>,
    /// Devices whose current software is the finding's product version.
    pub devices: i64,
    /// Of the advisory's CVE ids (its id and aliases), one in the current KEV catalog.
    pub kev: Option<crate::intel::Kev>,
    /// Of the advisory's CVE ids, the highest current EPSS score.
    pub epss: Option<crate::intel::Epss>,
}

/// The stored instant precision: a later import compares equal to what it stored.
fn stored(t: Timestamp) -> Timestamp {
    Timestamp::from_microsecond(t.as_microsecond()).unwrap_or(t)
}

fn record(source: String, a: vigilo_osv::Advisory, actor: &str, now: Timestamp) -> Advisory {
    Advisory {
        id: a.id.clone(),
        modified: stored(a.modified),
        published: a.published.map(stored),
        withdrawn: a.withdrawn.map(stored),
        aliases: a.aliases.clone(),
        summary: a.summary.clone(),
        severity: a.severity.iter().map(|s| s.score.clone()).collect(),
        document: a,
        source,
        imported_by: actor.to_owned(),
        imported_at: now,
    }
}

/// Which (component, advisory) pairs a re-match reconsiders.
pub(crate) struct Scope {
    /// The advisories to match; withdrawn ones match nothing and so retract.
    pub advisories: Vec<vigilo_osv::Advisory>,
    /// Whether `advisories` is every stored advisory.
    pub every_advisory: bool,
    /// One SBOM's components, or every current SBOM's.
    pub sbom: Option<i64>,
}

impl Scope {
    /// Every stored advisory, as the store holds it inside `tx`.
    pub(crate) async fn stored(tx: &mut WriteTx, sbom: Option<i64>) -> Result<Scope> {
        let advisories = tx.fetch(Select::<Advisory>::all()).await?;
        Ok(Scope {
            advisories: advisories.into_iter().map(|a| a.document).collect(),
            every_advisory: true,
            sbom,
        })
    }
}

/// Brings the findings within `scope` in line with what matches now, inside `tx`; findings of
/// superseded SBOMs are retracted whatever the scope.
pub(crate) async fn rematch_in(tx: &mut WriteTx, scope: Scope) -> Result<Rematched> {
    let current: HashMap<i64, Sbom> = tx
        .fetch(Select::<Sbom>::all())
        .await?
        .into_iter()
        .filter(|s| s.superseded_by.is_none())
        .map(|s| (s.id, s))
        .collect();
    let components = match scope.sbom {
        Some(id) => {
            tx.fetch(Select::<SbomComponent>::all().eq("sbom", id))
                .await?
        }
        None => tx.fetch(Select::<SbomComponent>::all()).await?,
    };
    let ids: HashSet<String> = scope.advisories.iter().map(|a| a.id.clone()).collect();
    let index = Index::build(scope.advisories);

    // The current SBOMs' matchable components. Stored purls were canonicalised on import; one
    // that no longer parses cannot match.
    let (held, purls): (Vec<(&SbomComponent, &str)>, Vec<vigilo_purl::Purl>) = components
        .iter()
        .filter(|c| c.matchable)
        .filter_map(|c| {
            let sbom = current.get(&c.sbom)?;
            let purl = c.purl.as_ref()?.parse().ok()?;
            Some(((c, sbom.version.as_str()), purl))
        })
        .unzip();
    // Each distinct component once, on all cores: a product's releases share most of theirs.
    let reports = index.query_many(&purls);
    // What matches now, by (component, advisory), in component order for stable ids.
    let mut wanted: BTreeMap<(i64, String), (&SbomComponent, &str, Vec<String>)> = BTreeMap::new();
    for ((c, version), report) in held.into_iter().zip(reports.iter()) {
        for (advisory, fixed) in report.per_advisory() {
            wanted.insert((c.id, advisory.id.clone()), (c, version, fixed));
        }
    }

    let in_scope = |f: &Finding| {
        (scope.every_advisory || ids.contains(&f.advisory))
            && scope.sbom.is_none_or(|s| s == f.sbom)
    };
    let now = tx.at();
    let mut changed = Rematched::default();
    let mut known: HashSet<(i64, String)> = HashSet::new();
    for f in tx.fetch(Select::<Finding>::all()).await? {
        let key = (f.component, f.advisory.clone());
        let now_matching = wanted.get(&key);
        known.insert(key);
        let after = match (f.state, now_matching) {
            (FindingState::Open, None) if in_scope(&f) || !current.contains_key(&f.sbom) => {
                changed.findings_retracted += 1;
                let after = Finding {
                    state: FindingState::Retracted,
                    retracted_at: Some(now),
                    ..f.clone()
                };
                ("finding.retract", after)
            }
            (FindingState::Open, Some((_, _, fixed))) if *fixed != f.fixed => {
                let after = Finding {
                    fixed: fixed.clone(),
                    ..f.clone()
                };
                ("finding.fixed", after)
            }
            (FindingState::Retracted, Some((_, _, fixed))) => {
                changed.findings_added += 1;
                let after = Finding {
                    state: FindingState::Open,
                    retracted_at: None,
                    fixed: fixed.clone(),
                    ..f.clone()
                };
                ("finding.reopen", after)
            }
            _ => continue,
        };
        tx.update(after.0, &f, &after.1).await?;
    }
    let mut new = Vec::new();
    for ((component, advisory), (c, version, fixed)) in &wanted {
        if known.contains(&(*component, advisory.clone())) {
            continue;
        }
        let sbom = &current[&c.sbom];
        new.push(Finding {
            id: tx.next_id(&schema::FINDINGS).await?,
            advisory: advisory.clone(),
            sbom: sbom.id,
            component: *component,
            product: sbom.product.clone(),
            version: (*version).to_owned(),
            purl: c.purl.clone().unwrap_or_default(),
            fixed: fixed.clone(),
            state: FindingState::Open,
            found_at: now,
            retracted_at: None,
        });
    }
    changed.findings_added += new.len();
    tx.insert_many("finding.open", &new).await?;
    Ok(changed)
}

impl Store {
    /// Stores OSV records (as [`vigilo_osv::load`] read them) and re-matches the ones that
    /// changed, in one transaction. A record is written only when it is new or its `modified`
    /// is later than the stored one's, so importing a feed again changes nothing.
    pub async fn import_advisories(
        &self,
        actor: &Actor,
        records: Vec<(String, vigilo_osv::Advisory)>,
        now: Timestamp,
    ) -> Result<AdvisoryImport> {
        actor.may(Action::ImportAdvisories)?;
        // A record present twice in one import counts once, its latest version.
        let mut latest: BTreeMap<String, (String, vigilo_osv::Advisory)> = BTreeMap::new();
        for (source, a) in records {
            match latest.get(&a.id) {
                Some((_, kept)) if kept.modified >= a.modified => {}
                _ => {
                    latest.insert(a.id.clone(), (source, a));
                }
            }
        }
        let mut tx = self.begin_write(&actor.person.id, now).await?;
        let backend = self.backend();
        let stored_modified: HashMap<String, i64> = fetch_aggregated::<(String, i64), _>(
            tx.conn(),
            backend,
            "id, modified",
            "id",
            "advisories",
            [],
        )
        .await?
        .into_iter()
        .collect();
        let mut outcome = AdvisoryImport::default();
        let mut added = Vec::new();
        let mut changed = Vec::new();
        for (_, (source, a)) in latest {
            let file = std::path::Path::new(&source)
                .file_name()
                .map_or(source.clone(), |n| n.to_string_lossy().into_owned());
            let rec = record(file, a, &actor.person.id, now);
            match stored_modified.get(&rec.id) {
                Some(&m) if m >= rec.modified.as_microsecond() => {
                    outcome.unchanged += 1;
                    continue;
                }
                Some(_) => {
                    let before = tx
                        .fetch_one(Select::<Advisory>::all().eq("id", rec.id.as_str()))
                        .await?
                        .ok_or_else(|| Error::Internal(format!("advisory {} vanished", rec.id)))?;
                    tx.update("advisory.update", &before, &rec).await?;
                    outcome.updated += 1;
                }
                None => {
                    outcome.added += 1;
                    added.push(rec.clone());
                }
            }
            outcome.withdrawn += usize::from(rec.withdrawn.is_some());
            changed.push(rec.document);
        }
        tx.insert_many("advisory.import", &added).await?;
        outcome.findings = rematch_in(
            &mut tx,
            Scope {
                advisories: changed,
                every_advisory: false,
                sbom: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(outcome)
    }

    /// The daily full re-match: every current SBOM against every stored advisory.
    pub async fn rematch(&self, actor: &Actor, now: Timestamp) -> Result<Rematched> {
        actor.may(Action::ImportAdvisories)?;
        let mut tx = self.begin_write(&actor.person.id, now).await?;
        let scope = Scope::stored(&mut tx, None).await?;
        let changed = rematch_in(&mut tx, scope).await?;
        tx.commit().await?;
        Ok(changed)
    }

    /// Findings by product and version, open ones only unless `all`, each with the number of
    /// devices running its version.
    pub async fn findings(
        &self,
        product: Option<&str>,
        version: Option<&str>,
        all: bool,
    ) -> Result<Vec<FindingView>> {
        let mut select = Select::<Finding>::all();
        if let Some(p) = product {
            select = select.eq("product", p);
        }
        if let Some(v) = version {
            select = select.eq("version", v);
        }
        if !all {
            select = select.eq("state", "open");
        }
        let findings = self
            .fetch(
                select
                    .order_by("product")
                    .order_by("version")
                    .order_by("id"),
            )
            .await?;
        let devices = self.devices_per_version().await?;
        let mut advisories: HashMap<String, Advisory> = HashMap::new();
        let mut out = Vec::with_capacity(findings.len());
        for finding in findings {
            if !advisories.contains_key(&finding.advisory) {
                let a = self
                    .fetch_one(Select::<Advisory>::all().eq("id", finding.advisory.as_str()))
                    .await?
                    .ok_or_else(|| {
                        Error::Internal(format!("finding {}: no advisory", finding.id))
                    })?;
                advisories.insert(a.id.clone(), a);
            }
            let a = &advisories[&finding.advisory];
            out.push(FindingView {
                aliases: a.aliases.clone(),
                summary: a.summary.clone(),
                severity: a.document.severity.clone(),
                kev: None,
                epss: None,
                devices: devices
                    .get(&(finding.product.clone(), finding.version.clone()))
                    .copied()
                    .unwrap_or(0),
                finding,
            });
        }
        self.enrich_findings(&mut out).await?;
        Ok(out)
    }

    /// Devices per (product, software version) they run now: the version of each device's
    /// latest software entry.
    pub(crate) async fn devices_per_version(&self) -> Result<HashMap<(String, String), i64>> {
        let rows: Vec<(String, String, i64)> = fetch_aggregated(
            &self.pool,
            self.backend(),
            "product, version, n",
            "product, version",
            "(SELECT d.product AS product, s.version AS version, COUNT(*) AS n \
             FROM device_software s JOIN devices d ON d.id = s.device \
             WHERE NOT EXISTS (SELECT 1 FROM device_software l WHERE l.device = s.device \
             AND (l.installed_at > s.installed_at \
             OR (l.installed_at = s.installed_at AND l.id > s.id))) \
             GROUP BY d.product, s.version) AS c",
            [],
        )
        .await?;
        Ok(rows.into_iter().map(|(p, v, n)| ((p, v), n)).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_keep_instants_at_the_stored_precision() {
        // OSV.dev writes nanoseconds; the table keeps microseconds, and a re-import of the same
        // record must compare equal, not later.
        let a = vigilo_osv::parse_json(
            br#"{"id": "GHSA-x", "modified": "2026-07-08T06:28:00.604230885Z",
                 "withdrawn": "2026-07-09T00:00:00.000000001Z",
                 "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}]}"#,
        )
        .unwrap();
        let r = record("dir/GHSA-x.json".into(), a, "sec", Timestamp::UNIX_EPOCH);
        assert_eq!(r.modified.to_string(), "2026-07-08T06:28:00.60423Z");
        assert_eq!(r.withdrawn.unwrap().to_string(), "2026-07-09T00:00:00Z");
        assert_eq!(r.severity, ["CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"]);
        let stored = crate::to_record(&r).unwrap();
        assert!(stored["document"].is_string(), "{stored:?}");
    }
}
