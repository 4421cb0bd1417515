//! VEX documents and customer security advisories assembled from the store (SPEC §3.5): one
//! statement per finding of a software version's current SBOM, its status from the standing
//! triage; "fixed" where an earlier version of the product was affected through the same
//! package and this version's component no longer is. The formats are `vigilo-vex`'s.

use crate::Store;
use crate::advisories::{Advisory, Finding, FindingView};
use crate::error::Result;
use crate::query::Select;
use crate::sbom::{Sbom, SbomComponent};
use crate::security::{Subject, cve_ids};
use jiff::Timestamp;
use std::collections::{BTreeMap, HashMap};
use vigilo_registry::{Invalid, Product, Refusal, SoftwareVersion};
use vigilo_security::{Outcome, Remediation, TriageRecord, VexState};
use vigilo_service::Setting;
use vigilo_vex::{
    AffectedProduct, Component, Publisher, Revision, SecurityAdvisory, Statement, Status,
    VexDocument, Vulnerability,
};

pub const PUBLISHER_NAMESPACE_SETTING: &str = "publisher_namespace";

/// Checks a publisher namespace: the https URL that VEX and CSAF documents name their
/// publisher by (CSAF 2.0 §3.2.1.8 requires a URL the publisher controls).
pub fn parse_namespace(field: &str, value: &str) -> std::result::Result<String, Invalid> {
    let v = value.trim().trim_end_matches('/');
    let host = v.strip_prefix("https://").unwrap_or_default();
    if host.is_empty() || host.contains(char::is_whitespace) {
        return Err(Invalid::new(
            field,
            format!("{value:?} is not an https URL such as https://psirt.example.com"),
        ));
    }
    Ok(v.to_owned())
}

/// The vulnerability as a statement names it: its CVE when it has exactly one, else its id.
fn vulnerability(
    advisory: &str,
    aliases: &[String],
    summary: Option<&str>,
    cvss: Vec<String>,
) -> Vulnerability {
    let id = match cve_ids(aliases, advisory).as_slice() {
        [one] => one.clone(),
        _ => advisory.to_owned(),
    };
    let mut others: Vec<String> = std::iter::once(advisory)
        .chain(aliases.iter().map(String::as_str))
        .filter(|a| *a != id)
        .map(str::to_owned)
        .collect();
    others.dedup();
    Vulnerability {
        id,
        aliases: others,
        summary: summary.map(str::to_owned),
        cvss,
    }
}

/// The package a purl names, without its version: how versions of a product are compared.
fn package(purl: &str) -> &str {
    let end = purl.find(['?', '#']).unwrap_or(purl.len());
    let base = &purl[..end];
    match base.rfind('@') {
        Some(at) if at > base.rfind('/').unwrap_or(0) => &base[..at],
        _ => base,
    }
}

fn status_of(triage: Option<&TriageRecord>) -> Status {
    let Some(t) = triage else {
        return Status::UnderInvestigation;
    };
    let vigilance = t
        .vigilance_ticket
        .map(|_| "reported to the manufacturer's vigilance process");
    match VexState::of(
        t.outcome,
        t.justification,
        t.action.as_deref(),
        t.remediation,
        vigilance,
    ) {
        VexState::UnderInvestigation => Status::UnderInvestigation,
        VexState::NotAffected { justification } => Status::NotAffected {
            justification: justification_of(justification),
            impact: Some(t.rationale.clone()),
        },
        VexState::Affected {
            action,
            remediation,
        } => Status::Affected {
            action,
            remediation: remediation_of(remediation),
        },
        VexState::Fixed { fixed_in } => Status::Fixed { fixed_in },
    }
}

fn justification_of(j: vigilo_security::Justification) -> vigilo_vex::Justification {
    use vigilo_security::Justification as J;
    match j {
        J::ComponentNotPresent => vigilo_vex::Justification::ComponentNotPresent,
        J::VulnerableCodeNotPresent => vigilo_vex::Justification::VulnerableCodeNotPresent,
        J::VulnerableCodeNotInExecutePath => {
            vigilo_vex::Justification::VulnerableCodeNotInExecutePath
        }
        J::VulnerableCodeCannotBeControlledByAdversary => {
            vigilo_vex::Justification::VulnerableCodeCannotBeControlledByAdversary
        }
        J::InlineMitigationsAlreadyExist => {
            vigilo_vex::Justification::InlineMitigationsAlreadyExist
        }
    }
}

fn remediation_of(r: Remediation) -> vigilo_vex::Remediation {
    match r {
        Remediation::VendorFix => vigilo_vex::Remediation::VendorFix,
        Remediation::Workaround => vigilo_vex::Remediation::Workaround,
        Remediation::Mitigation => vigilo_vex::Remediation::Mitigation,
        Remediation::NoFixPlanned => vigilo_vex::Remediation::NoFixPlanned,
        Remediation::NoneAvailable => vigilo_vex::Remediation::NoneAvailable,
    }
}

/// Numbers dated changes into a revision history, oldest first.
fn history(mut changes: Vec<(Timestamp, String)>) -> Vec<Revision> {
    changes.sort();
    changes
        .into_iter()
        .zip(1..)
        .map(|((date, summary), number)| Revision {
            number,
            date,
            summary,
        })
        .collect()
}

impl Store {
    async fn publisher(&self) -> Result<Publisher> {
        let org = self.manufacturer().await?;
        let namespace = self
            .fetch_one(Select::<Setting>::all().eq("id", PUBLISHER_NAMESPACE_SETTING))
            .await?
            .map(|s| s.value)
            .ok_or_else(|| {
                Refusal::new(
                    "VEX and CSAF documents name their publisher by a URL",
                    "the publisher namespace: vigilo config set publisher-namespace https://…",
                )
            })?;
        Ok(Publisher {
            name: org.name,
            namespace,
            contact: None,
        })
    }

    async fn current_sbom(&self, product: &str, version: &str) -> Result<Sbom> {
        self.fetch(
            Select::<Sbom>::all()
                .eq("product", product)
                .eq("version", version),
        )
        .await?
        .into_iter()
        .find(|s| s.superseded_by.is_none())
        .ok_or_else(|| {
            Invalid::new(
                "--version",
                format!("{product} {version} has no SBOM: import one with vigilo sbom import"),
            )
            .into()
        })
    }

    /// What each earlier version of `product` was affected by, by (advisory, package): the
    /// candidates for "fixed" in a later version.
    async fn earlier_findings(
        &self,
        product: &str,
        version: &str,
    ) -> Result<BTreeMap<(String, String), Finding>> {
        let versions = self
            .fetch(
                Select::<SoftwareVersion>::all()
                    .eq("product", product)
                    .order_by("id"),
            )
            .await?;
        let Some(position) = versions.iter().position(|v| v.version == version) else {
            return Err(
                Invalid::new("--version", format!("{product} has no version {version}")).into(),
            );
        };
        let earlier: Vec<&str> = versions[..position]
            .iter()
            .map(|v| v.version.as_str())
            .collect();
        let mut out = BTreeMap::new();
        for f in self
            .fetch(
                Select::<Finding>::all()
                    .eq("product", product)
                    .order_by("id"),
            )
            .await?
        {
            if earlier.contains(&f.version.as_str()) {
                out.entry((f.advisory.clone(), package(&f.purl).to_owned()))
                    .or_insert(f);
            }
        }
        Ok(out)
    }

    /// The VEX document of one software version, as of its latest finding or triage.
    pub async fn vex_document(&self, product: &str, version: &str) -> Result<VexDocument> {
        let p = self
            .fetch_one(Select::<Product>::all().eq("id", product))
            .await?
            .ok_or_else(|| Invalid::new("--product", format!("no product {product:?}")))?;
        let publisher = self.publisher().await?;
        let sbom = self.current_sbom(product, version).await?;
        let components: HashMap<i64, SbomComponent> = self
            .fetch(Select::<SbomComponent>::all().eq("sbom", sbom.id))
            .await?
            .into_iter()
            .map(|c| (c.id, c))
            .collect();
        let findings: Vec<FindingView> = self
            .findings(Some(product), Some(version), false)
            .await?
            .into_iter()
            .filter(|f| f.finding.sbom == sbom.id)
            .collect();
        let triage = self.latest_triage().await?;
        let mut changes = vec![(
            sbom.imported_at,
            format!("SBOM {} imported", sbom.file_name),
        )];
        let mut statements: BTreeMap<(String, String), Statement> = BTreeMap::new();
        for view in &findings {
            let f = &view.finding;
            let Some(component) = components.get(&f.component) else {
                continue;
            };
            let t = triage.get(&Subject::Finding(f.id));
            changes.push((f.found_at, format!("{} found in {}", f.advisory, f.purl)));
            if let Some(t) = t {
                changes.push((
                    t.decided_at,
                    format!("{} in {} triaged: {}", f.advisory, f.purl, t.outcome),
                ));
            }
            let cvss = view.severity.iter().map(|s| s.score.clone()).collect();
            let vuln = vulnerability(&f.advisory, &view.aliases, view.summary.as_deref(), cvss);
            statements
                .entry((vuln.id.clone(), f.purl.clone()))
                .or_insert(Statement {
                    vulnerability: vuln,
                    component: Component {
                        name: component.name.clone(),
                        version: component.version.clone(),
                        purl: f.purl.clone(),
                        bom_ref: None,
                    },
                    status: status_of(t),
                    detail: t.map(|t| t.rationale.clone()),
                    timestamp: t.map_or(f.found_at, |t| t.decided_at),
                });
        }
        // Earlier versions' findings that this version's component no longer has: fixed.
        let open: Vec<(String, String)> = findings
            .iter()
            .map(|v| {
                (
                    v.finding.advisory.clone(),
                    package(&v.finding.purl).to_owned(),
                )
            })
            .collect();
        for ((advisory, pkg), earlier) in self.earlier_findings(product, version).await? {
            if open.contains(&(advisory.clone(), pkg.clone())) {
                continue;
            }
            let Some(component) = components
                .values()
                .find(|c| c.purl.as_deref().is_some_and(|p| package(p) == pkg))
            else {
                continue;
            };
            let Some(a) = self
                .fetch_one(Select::<Advisory>::all().eq("id", advisory.as_str()))
                .await?
            else {
                continue;
            };
            if a.withdrawn.is_some() {
                continue;
            }
            let cvss = a.severity.clone();
            let vuln = vulnerability(&a.id, &a.aliases, a.summary.as_deref(), cvss);
            let purl = component.purl.clone().unwrap_or_default();
            let at = sbom.imported_at.max(earlier.found_at);
            statements
                .entry((vuln.id.clone(), purl.clone()))
                .or_insert(Statement {
                    detail: Some(format!(
                        "{} {} was affected through {}; this version ships {}.",
                        product, earlier.version, earlier.purl, purl
                    )),
                    vulnerability: vuln,
                    component: Component {
                        name: component.name.clone(),
                        version: component.version.clone(),
                        purl,
                        bom_ref: None,
                    },
                    status: Status::Fixed {
                        fixed_in: Some(version.to_owned()),
                    },
                    timestamp: at,
                });
        }
        if statements.is_empty() {
            return Err(Refusal::new(
                "a VEX document states the status of known vulnerabilities",
                format!("{product} {version} has no findings, open or fixed, to state"),
            )
            .into());
        }
        let history = history(changes);
        let issued = history.first().map_or(sbom.imported_at, |r| r.date);
        let updated = history.last().map_or(issued, |r| r.date);
        Ok(VexDocument {
            id: format!("VIGILO-VEX-{product}-{version}"),
            revision: u32::try_from(history.len()).unwrap_or(u32::MAX),
            history,
            publisher,
            issued,
            updated,
            product: vigilo_vex::Product {
                id: product.to_owned(),
                name: p.name,
                version: version.to_owned(),
                purl: None,
                sbom_serial: sbom.serial_number.clone(),
                sbom_version: None,
            },
            statements: statements.into_values().collect(),
        })
    }

    /// The customer-facing advisory for a triaged finding's vulnerability: every version of the
    /// product it affects, the first later version that fixes it, the triage's action.
    pub async fn customer_advisory(
        &self,
        finding: i64,
        verification_steps: Vec<String>,
        references: Vec<String>,
    ) -> Result<SecurityAdvisory> {
        if verification_steps.iter().all(|s| s.trim().is_empty()) {
            return Err(Invalid::new(
                "--verify",
                "name at least one step by which a customer checks the fix is in place",
            )
            .into());
        }
        let publisher = self.publisher().await?;
        let item = self
            .security_item(Subject::Finding(finding), Timestamp::UNIX_EPOCH)
            .await?;
        let view = item
            .finding
            .as_ref()
            .ok_or_else(|| Invalid::new("--finding", format!("no finding {finding}")))?;
        let triage = item
            .triage
            .as_ref()
            .filter(|t| t.outcome != Outcome::NotRelevant)
            .ok_or_else(|| {
                Refusal::new(
                    "a customer advisory follows a triage that found the product affected",
                    format!(
                        "finding {finding} is {}",
                        item.triage
                            .as_ref()
                            .map_or("not triaged", |t| t.outcome.as_str())
                    ),
                )
            })?;
        let f = &view.finding;
        let product = self
            .fetch_one(Select::<Product>::all().eq("id", f.product.as_str()))
            .await?
            .ok_or_else(|| Invalid::new("--finding", format!("no product {}", f.product)))?;
        let pkg = package(&f.purl);
        let mut affected: Vec<String> = self
            .findings(Some(&f.product), None, false)
            .await?
            .into_iter()
            .filter(|v| v.finding.advisory == f.advisory && package(&v.finding.purl) == pkg)
            .map(|v| v.finding.version)
            .collect();
        affected.dedup();
        let versions = self
            .fetch(
                Select::<SoftwareVersion>::all()
                    .eq("product", f.product.as_str())
                    .order_by("id"),
            )
            .await?;
        let last_affected = versions.iter().rposition(|v| affected.contains(&v.version));
        let mut fixed_in = None;
        for v in versions.iter().skip(last_affected.map_or(0, |i| i + 1)) {
            if let Ok(sbom) = self.current_sbom(&f.product, &v.version).await {
                let ships = self
                    .fetch(Select::<SbomComponent>::all().eq("sbom", sbom.id))
                    .await?
                    .into_iter()
                    .any(|c| c.purl.as_deref().is_some_and(|p| package(p) == pkg));
                if ships {
                    fixed_in = Some(v.version.clone());
                    break;
                }
            }
        }
        let vuln = vulnerability(
            &f.advisory,
            &view.aliases,
            view.summary.as_deref(),
            view.severity.iter().map(|s| s.score.clone()).collect(),
        );
        let cve = vuln.id.starts_with("CVE-").then(|| vuln.id.clone());
        let title = format!(
            "{}: {} in {}",
            product.name,
            view.summary.as_deref().unwrap_or("vulnerability"),
            pkg.rsplit('/').next().unwrap_or(pkg)
        );
        let published = triage.decided_at;
        Ok(SecurityAdvisory {
            id: format!("VIGILO-SA-{}-{}", f.product, vuln.id),
            revision: 1,
            history: history(vec![(published, "Initial release".to_owned())]),
            title,
            publisher,
            published,
            updated: published,
            cve,
            other_ids: vuln.aliases,
            summary: format!(
                "{} (component {}) in {} {}. {}",
                view.summary.as_deref().unwrap_or(&f.advisory),
                pkg,
                product.name,
                affected.join(", "),
                triage.rationale
            ),
            cvss: vuln.cvss,
            affected: vec![AffectedProduct {
                product_id: f.product.clone(),
                name: product.name,
                versions: affected,
                fixed_in,
            }],
            recommended_action: triage
                .action
                .clone()
                .unwrap_or_else(|| "Contact the manufacturer's service.".to_owned()),
            verification_steps: verification_steps
                .into_iter()
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .collect(),
            references,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packages_drop_the_version_only() {
        assert_eq!(
            package("pkg:composer/league/flysystem@1.1.3"),
            "pkg:composer/league/flysystem"
        );
        assert_eq!(
            package("pkg:npm/%40scope/x@1.0.0?a=b#sub"),
            "pkg:npm/%40scope/x"
        );
        assert_eq!(
            package("pkg:golang/example.com/a@b/c"),
            "pkg:golang/example.com/a@b/c"
        );
    }

    #[test]
    fn a_single_cve_names_the_statement() {
        let v = vulnerability(
            "GHSA-9f46-5r25-5wfm",
            &["CVE-2021-32708".into()],
            None,
            vec![],
        );
        assert_eq!(v.id, "CVE-2021-32708");
        assert_eq!(v.aliases, ["GHSA-9f46-5r25-5wfm"]);
        let two = vulnerability(
            "GHSA-x",
            &["CVE-2021-1".into(), "CVE-2021-2".into()],
            None,
            vec![],
        );
        assert_eq!(two.id, "GHSA-x");
        assert_eq!(two.aliases, ["CVE-2021-1", "CVE-2021-2"]);
    }

    #[test]
    fn namespaces_are_https_urls() {
        assert_eq!(
            parse_namespace("x", "https://psirt.acme.example/").unwrap(),
            "https://psirt.acme.example"
        );
        assert!(parse_namespace("x", "http://psirt.acme.example").is_err());
        assert!(parse_namespace("x", "https://").is_err());
    }
}
