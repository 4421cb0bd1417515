//! Shared by the integration tests: the example documents, the schema validators and the
//! CSAF mandatory tests.

#![allow(dead_code)] // Each test binary uses a different part of this module.

pub mod csaf_checks;

use std::path::{Path, PathBuf};

use jiff::Timestamp;
use jsonschema::Validator;
use serde_json::Value;
use vigilo_vex::validate::Schema;
use vigilo_vex::{
    AffectedProduct, Component, Justification, Product, Publisher, Remediation, Revision,
    SecurityAdvisory, Statement, Status, VexDocument, Vulnerability,
};

pub fn data_path(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(relative)
}

pub fn load(relative: &str) -> Value {
    let path = data_path(relative);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

pub fn at(text: &str) -> Timestamp {
    text.parse().unwrap()
}

pub fn cyclonedx_validator() -> &'static Validator {
    Schema::CycloneDx16.validator()
}

pub fn openvex_validator() -> &'static Validator {
    Schema::OpenVex020.validator()
}

pub fn csaf_validator() -> &'static Validator {
    Schema::Csaf20.validator()
}

/// The schema errors of `instance`, one line each, empty when it is valid.
pub fn errors(validator: &Validator, instance: &Value) -> Vec<String> {
    validator
        .iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

pub fn publisher() -> Publisher {
    Publisher {
        name: "Acme Medical GmbH".into(),
        namespace: "https://psirt.acme-medical.example".into(),
        contact: Some("psirt@acme-medical.example, +49 89 1234 5678".into()),
    }
}

pub fn product() -> Product {
    Product {
        id: "pump-x".into(),
        name: "Pump X infusion pump".into(),
        version: "2.1.0".into(),
        purl: None,
        sbom_serial: Some("urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79".into()),
        sbom_version: Some(3),
    }
}

fn component(name: &str, version: &str, purl: &str) -> Component {
    Component {
        name: name.into(),
        version: Some(version.into()),
        purl: purl.into(),
        bom_ref: Some(purl.into()),
    }
}

fn flysystem() -> Vulnerability {
    Vulnerability {
        id: "CVE-2021-32708".into(),
        aliases: vec!["GHSA-9f46-5r25-5wfm".into()],
        summary: Some(
            "Time-of-check time-of-use race condition in league/flysystem before 1.1.4 and \
             2.1.1 lets an attacker who can upload files execute code."
                .into(),
        ),
        cvss: vec!["CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H".into()],
    }
}

fn curl_socks() -> Vulnerability {
    Vulnerability {
        id: "CVE-2023-38545".into(),
        aliases: vec!["GHSA-wgpf-r38c-3pp6".into()],
        summary: Some("SOCKS5 heap buffer overflow in curl and libcurl 7.69.0 to 8.3.0.".into()),
        cvss: vec![
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H".into(),
            "AV:N/AC:L/Au:N/C:P/I:P/A:P".into(),
        ],
    }
}

/// The worked example: Pump X 2.1.0 with one finding in each status.
pub fn pump_x() -> VexDocument {
    VexDocument {
        id: "VIGILO-VEX-pump-2.1.0".into(),
        revision: 2,
        history: vec![
            Revision {
                number: 1,
                date: at("2024-03-01T09:00:00Z"),
                summary: "Initial version.".into(),
            },
            Revision {
                number: 2,
                date: at("2024-04-15T14:30:00Z"),
                summary: "CVE-2021-32708 assessed; update 2.1.1 available.".into(),
            },
        ],
        publisher: publisher(),
        issued: at("2024-03-01T09:00:00Z"),
        updated: at("2024-04-15T14:30:00Z"),
        product: product(),
        statements: vec![
            Statement {
                vulnerability: flysystem(),
                component: component(
                    "league/flysystem",
                    "1.1.3",
                    "pkg:composer/league/flysystem@1.1.3",
                ),
                status: Status::Affected {
                    action: "Update Pump X to 2.1.1, which ships league/flysystem 1.1.4. Until \
                             then, keep the service web interface disabled."
                        .into(),
                    remediation: Remediation::VendorFix,
                },
                detail: Some(
                    "The service web interface stores uploaded log bundles through flysystem."
                        .into(),
                ),
                timestamp: at("2024-04-15T14:00:00Z"),
            },
            Statement {
                vulnerability: curl_socks(),
                component: component(
                    "libcurl4",
                    "7.88.1-10+deb12u1",
                    "pkg:deb/debian/libcurl4@7.88.1-10%2Bdeb12u1?arch=arm64&distro=debian-12",
                ),
                status: Status::NotAffected {
                    justification: Justification::VulnerableCodeNotInExecutePath,
                    impact: Some(
                        "The pump never configures a SOCKS5 proxy; libcurl only speaks HTTPS to \
                         the hospital gateway."
                            .into(),
                    ),
                },
                detail: Some("Checked every curl_easy_setopt call in the firmware.".into()),
                timestamp: at("2024-03-01T08:00:00Z"),
            },
            Statement {
                vulnerability: curl_socks(),
                component: component(
                    "curl",
                    "7.88.1-10+deb12u1",
                    "pkg:deb/debian/curl@7.88.1-10%2Bdeb12u1?arch=arm64&distro=debian-12",
                ),
                status: Status::NotAffected {
                    justification: Justification::VulnerableCodeCannotBeControlledByAdversary,
                    impact: None,
                },
                detail: Some(
                    "The curl tool runs only from the service console with fixed arguments.".into(),
                ),
                timestamp: at("2024-03-01T08:00:00Z"),
            },
            Statement {
                vulnerability: Vulnerability {
                    id: "CVE-2023-5363".into(),
                    aliases: vec![],
                    summary: Some(
                        "OpenSSL 3.0 ignored changes to key and IV lengths in some ciphers.".into(),
                    ),
                    cvss: vec!["CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N".into()],
                },
                component: component(
                    "libssl3",
                    "3.0.11-1~deb12u2",
                    "pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=arm64&distro=debian-12",
                ),
                status: Status::Fixed {
                    fixed_in: Some("3.0.11-1~deb12u2".into()),
                },
                detail: None,
                timestamp: at("2024-03-01T08:00:00Z"),
            },
            Statement {
                vulnerability: Vulnerability {
                    id: "CVE-2023-45853".into(),
                    aliases: vec![],
                    summary: Some(
                        "Integer overflow in MiniZip in zlib through 1.3 via a long filename."
                            .into(),
                    ),
                    cvss: vec![
                        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H".into(),
                        "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N".into(),
                    ],
                },
                component: component(
                    "zlib1g",
                    "1:1.2.13.dfsg-1",
                    "pkg:deb/debian/zlib1g@1%3A1.2.13.dfsg-1?arch=arm64&distro=debian-12",
                ),
                status: Status::UnderInvestigation,
                detail: None,
                timestamp: at("2024-04-10T10:00:00Z"),
            },
        ],
    }
}

/// Every status, justification and remediation category, each alone in a document, with the
/// SBOM linked and not, the product with a purl and without, and vulnerabilities known by a
/// CVE, by a GHSA id only, without summary or vectors, and with v2 vectors in both spellings.
pub fn variants() -> Vec<(String, VexDocument)> {
    let justifications = [
        Justification::ComponentNotPresent,
        Justification::VulnerableCodeNotPresent,
        Justification::VulnerableCodeNotInExecutePath,
        Justification::VulnerableCodeCannotBeControlledByAdversary,
        Justification::InlineMitigationsAlreadyExist,
    ];
    let remediations = [
        Remediation::VendorFix,
        Remediation::Workaround,
        Remediation::Mitigation,
        Remediation::NoFixPlanned,
        Remediation::NoneAvailable,
    ];
    let mut statuses = Vec::new();
    for j in justifications {
        statuses.push(Status::NotAffected {
            justification: j,
            impact: None,
        });
        statuses.push(Status::NotAffected {
            justification: j,
            impact: Some("No impact on therapy delivery.".into()),
        });
    }
    for r in remediations {
        statuses.push(Status::Affected {
            action: "Install update 2.1.1.".into(),
            remediation: r,
        });
    }
    statuses.push(Status::Fixed { fixed_in: None });
    statuses.push(Status::Fixed {
        fixed_in: Some("1.1.4".into()),
    });
    statuses.push(Status::UnderInvestigation);

    let vulnerabilities = [
        flysystem(),
        Vulnerability {
            id: "GHSA-9f46-5r25-5wfm".into(),
            aliases: vec![],
            summary: None,
            cvss: vec![],
        },
        Vulnerability {
            id: "CVE-2012-0001".into(),
            aliases: vec!["OSV-2012-1".into()],
            summary: None,
            cvss: vec![
                "CVSS:2.0/AV:N/AC:M/Au:N/C:C/I:C/A:C".into(),
                "CVSS:3.0/AV:L/AC:L/PR:L/UI:N/S:U/C:L/I:L/A:N".into(),
            ],
        },
        Vulnerability {
            id: "PYSEC-2021-1".into(),
            aliases: vec!["CVE-2021-1234".into()],
            summary: Some("Summary with <markup> & \"quotes\".".into()),
            cvss: vec!["(AV:N/AC:L/Au:N/C:N/I:N/A:P)".into()],
        },
    ];

    let mut out = Vec::new();
    let mut n = 0;
    for (s, status) in statuses.iter().enumerate() {
        for linked in [true, false] {
            for with_purl in [true, false] {
                let mut doc = pump_x();
                doc.product.purl = with_purl.then(|| "pkg:generic/acme/pump-x@2.1.0".into());
                if !linked {
                    doc.product.sbom_serial = None;
                    doc.product.sbom_version = None;
                }
                let mut statement = doc.statements[0].clone();
                statement.status = status.clone();
                statement.vulnerability = vulnerabilities[n % vulnerabilities.len()].clone();
                if n % 3 == 0 {
                    statement.component.bom_ref = None;
                    statement.detail = None;
                }
                n += 1;
                doc.statements = vec![statement];
                out.push((
                    format!("status #{s} {status:?}, sbom linked {linked}, purl {with_purl}"),
                    doc,
                ));
            }
        }
    }
    out.push(("the worked example".into(), pump_x()));
    out
}

pub fn advisory() -> SecurityAdvisory {
    SecurityAdvisory {
        id: "ACME-SA-2024-003".into(),
        revision: 2,
        history: vec![
            Revision {
                number: 1,
                date: at("2024-04-15T15:00:00Z"),
                summary: "Initial publication.".into(),
            },
            Revision {
                number: 2,
                date: at("2024-04-22T08:00:00Z"),
                summary: "Added the verification steps for clinical engineering.".into(),
            },
        ],
        title: "Pump X: remote code execution through the service web interface (CVE-2021-32708)"
            .into(),
        publisher: publisher(),
        published: at("2024-04-15T15:00:00Z"),
        updated: at("2024-04-22T08:00:00Z"),
        cve: Some("CVE-2021-32708".into()),
        other_ids: vec!["GHSA-9f46-5r25-5wfm".into()],
        summary: "Pump X firmware 2.0.0 to 2.1.0 contains league/flysystem 1.1.3. An attacker \
                  on the hospital network who can reach the service web interface could exploit \
                  a race condition to run code on the pump's communication module.\n\nTherapy \
                  delivery is controlled by a separate processor and is not affected."
            .into(),
        cvss: vec!["CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H".into()],
        affected: vec![
            AffectedProduct {
                product_id: "pump-x".into(),
                name: "Pump X infusion pump".into(),
                versions: vec!["2.0.0".into(), "2.0.1".into(), "2.1.0".into()],
                fixed_in: Some("2.1.1".into()),
            },
            AffectedProduct {
                product_id: "pump-x-dock".into(),
                name: "Pump X docking station".into(),
                versions: vec!["1.4.2".into()],
                fixed_in: None,
            },
        ],
        recommended_action: "Install firmware 2.1.1 through the fleet manager. Until then, \
                             disable the service web interface (Settings > Service > Web access)."
            .into(),
        verification_steps: vec![
            "Open Settings > About on the pump.".into(),
            "Check that the firmware version reads 2.1.1 or later.".into(),
            "Check that Settings > Service > Web access shows \"Off\" on docking stations.".into(),
        ],
        references: vec![
            "https://github.com/advisories/GHSA-9f46-5r25-5wfm".into(),
            "https://nvd.nist.gov/vuln/detail/CVE-2021-32708".into(),
        ],
    }
}

pub fn advisory_variants() -> Vec<(String, SecurityAdvisory)> {
    let mut out = vec![("the worked example".to_owned(), advisory())];

    let mut a = advisory();
    a.cve = None;
    a.cvss = vec![];
    a.references = vec![];
    a.verification_steps = vec![];
    out.push(("no CVE, no score, no references, no steps".into(), a));

    let mut a = advisory();
    a.other_ids = vec![];
    a.cvss = vec![
        "AV:N/AC:L/Au:N/C:P/I:P/A:P".into(),
        "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N".into(),
    ];
    a.affected.truncate(1);
    a.affected[0].fixed_in = Some("2.1.0".into());
    out.push((
        "v2 and v4 vectors, fixed version among the listed".into(),
        a,
    ));

    let mut a = advisory();
    a.title = "<script>alert('x')</script> & co".into();
    a.references = vec!["javascript:alert(1)".into()];
    out.push(("markup in every field".into(), a));
    out
}
