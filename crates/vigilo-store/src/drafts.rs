//! Report drafts of a vigilance case (SPEC §3.3): the EU MIR and the FDA 3500A, filled from
//! the records Vigilo holds (manufacturer, product, device, case, decisions, submissions) and
//! the incident details the officer recorded. A draft is never blocked: what is wrong or still
//! missing is listed beside it.

use crate::Store;
use crate::error::Result;
use crate::query::Select;
use jiff::Timestamp;
use jiff::civil::Date;
use serde::Serialize;
use vigilo_incident::fda::{EventType, ReportTimeframe, TypeOfReport};
use vigilo_incident::mir::{IncidentClass, MirReportType, RiskClass, SubmitterRole};
use vigilo_incident::{DraftProblem, Fda3500aDraft, MirDraft, codes};
use vigilo_registry::{Device, DeviceSoftware, EuClass, Product};
use vigilo_vigilance::{CaseStatus, Category, IncidentDetails, Market, ReportKind};

/// A draft with its problems and to-do list.
#[derive(Debug, Clone, Serialize)]
pub struct Draft<T> {
    pub case: i64,
    pub draft: T,
    /// Codes in the wrong annex, dates out of order, and the like.
    pub problems: Vec<DraftProblem>,
    /// What the report still needs before it can be submitted.
    pub missing: Vec<&'static str>,
}

/// What both drafts are filled from.
struct Facts {
    status: CaseStatus,
    details: IncidentDetails,
    device: Option<Device>,
    product: Option<Product>,
    software: Option<String>,
    manufacturer: String,
    zone: jiff::tz::TimeZone,
    markets: Vec<String>,
}

impl Facts {
    fn date(&self, t: Timestamp) -> Date {
        t.to_zoned(self.zone.clone()).date()
    }

    fn health_impact(&self, code: &str) -> bool {
        self.details
            .incident
            .health_impact_codes
            .iter()
            .any(|c| c == code)
    }

    /// Initial until an initial report went to the market, then follow-up.
    fn reported_before(&self, market: Market) -> bool {
        self.status.submissions.iter().any(|s| {
            s.submission.market == market
                && matches!(
                    s.submission.kind,
                    ReportKind::Initial | ReportKind::InitialFinal
                )
        })
    }
}

fn risk_class(class: EuClass) -> RiskClass {
    match class {
        EuClass::I => RiskClass::ClassI,
        EuClass::IIa => RiskClass::ClassIIa,
        EuClass::IIb => RiskClass::ClassIIb,
        EuClass::III => RiskClass::ClassIII,
    }
}

fn outcome<T>(
    draft: T,
    case: i64,
    problems: Result<(), Vec<DraftProblem>>,
    missing: Vec<&'static str>,
) -> Draft<T> {
    Draft {
        case,
        draft,
        problems: problems.err().unwrap_or_default(),
        missing,
    }
}

impl Store {
    async fn draft_facts(&self, id: i64, now: Timestamp) -> Result<Facts> {
        let status = self.case_status(id, now).await?;
        let details = self
            .case_details(id)
            .await?
            .map(|d| d.details)
            .unwrap_or_default();
        let device = match status.device {
            Some(d) => self.fetch_one(Select::<Device>::all().eq("id", d)).await?,
            None => None,
        };
        let product = match &device {
            Some(d) => {
                self.fetch_one(Select::<Product>::all().eq("id", d.product.as_str()))
                    .await?
            }
            None => None,
        };
        let software = match &device {
            Some(d) => self
                .fetch(
                    Select::<DeviceSoftware>::all()
                        .eq("device", d.id)
                        .order_by("installed_at"),
                )
                .await?
                .pop()
                .map(|s| s.version),
            None => None,
        };
        let markets = match &product {
            Some(p) => {
                sqlx::query_scalar::<_, String>(
                    "SELECT DISTINCT country FROM devices WHERE product = $1 ORDER BY country",
                )
                .bind(p.id.as_str())
                .fetch_all(&self.pool)
                .await?
            }
            None => Vec::new(),
        };
        Ok(Facts {
            status,
            details,
            device,
            product,
            software,
            manufacturer: self.manufacturer().await?.name,
            zone: self.zone().await?,
            markets,
        })
    }

    /// The EU Manufacturer Incident Report draft of a case; `kind` overrides the type of
    /// report, which otherwise is initial until an initial report is on record.
    pub async fn mir_draft(
        &self,
        id: i64,
        kind: Option<ReportKind>,
        now: Timestamp,
    ) -> Result<Draft<MirDraft>> {
        let f = self.draft_facts(id, now).await?;
        let mut d = MirDraft {
            incident: f.details.incident.clone(),
            patient: f.details.patient.clone(),
            investigation: f.details.investigation.clone(),
            comments: f.details.comments.clone(),
            ..MirDraft::default()
        };
        let a = &mut d.admin;
        a.recipient_country = f.status.country.map(|c| c.to_string());
        a.report_date = Some(f.date(now));
        a.manufacturer_awareness_date = Some(f.date(f.status.aware_at));
        a.reportability_awareness_date = f
            .status
            .decisions
            .last()
            .map(|dec| f.date(dec.clock_from))
            .filter(|date| Some(*date) != a.manufacturer_awareness_date);
        a.type_of_report = Some(match kind {
            Some(ReportKind::Initial) => MirReportType::Initial,
            Some(ReportKind::FollowUp) => MirReportType::FollowUp,
            Some(ReportKind::InitialFinal) => MirReportType::CombinedInitialFinal,
            Some(ReportKind::Final) => MirReportType::FinalReportable,
            None if f.reported_before(Market::Eu) => MirReportType::FollowUp,
            None => MirReportType::Initial,
        });
        a.incident_classification = f.status.category.and_then(|c| match c {
            Category::SeriousPublicHealthThreat => Some(IncidentClass::SeriousPublicHealthThreat),
            // The category joins the two; the Annex F code the officer gave tells them apart.
            Category::DeathOrUnanticipatedSeriousDeterioration if f.health_impact("F02") => {
                Some(IncidentClass::Death)
            }
            Category::DeathOrUnanticipatedSeriousDeterioration => {
                Some(IncidentClass::UnanticipatedSeriousDeterioration)
            }
            Category::SeriousIncident => Some(IncidentClass::OtherReportable),
            _ => None,
        });
        a.submitter_role = Some(SubmitterRole::Manufacturer);
        a.manufacturer_reference = Some(format!("VIGILO-CASE-{id}"));
        a.related_references = f
            .status
            .submissions
            .iter()
            .filter_map(|s| s.submission.reference.clone())
            .collect();
        d.manufacturer.name = Some(f.manufacturer.clone());
        if let Some(p) = &f.product {
            d.device.basic_udi_di = p.basic_udi_di.clone();
            d.device.udi_di = p.udi_di.clone();
            d.device.risk_class = Some(risk_class(p.eu_class));
            d.device.trade_name = Some(p.name.clone());
            d.device.model = Some(p.id.clone());
            d.device.market_distribution = f.markets.clone();
        }
        if let Some(dev) = &f.device {
            d.device.serial_number = Some(dev.serial.clone());
            d.device.lot_number = dev.lot.clone();
            d.device.software_version = f.software.clone();
            if d.incident.country.is_none() {
                d.incident.country = Some(dev.country.to_string());
            }
        }
        let problems = d.validate(codes());
        let missing = d.missing();
        Ok(outcome(d, id, problems, missing))
    }

    /// The FDA 3500A draft of a case, from the same facts.
    pub async fn fda_draft(&self, id: i64, now: Timestamp) -> Result<Draft<Fda3500aDraft>> {
        let f = self.draft_facts(id, now).await?;
        let (inc, pat, inv) = (
            &f.details.incident,
            &f.details.patient,
            &f.details.investigation,
        );
        let mut d = Fda3500aDraft::default();
        d.patient.patient_age = pat.age;
        d.patient.patient_sex = pat.sex;
        d.patient.patient_weight = pat.weight_kg;
        d.event.adverse_event_flag = !inc.health_impact_codes.is_empty();
        d.event.product_problem_flag = !inc.device_problem_codes.is_empty();
        d.event.date_of_event = inc.incident_date;
        d.event.date_report = Some(f.date(now));
        d.event.event_description = inc.description.clone();
        d.device.manufacturer_d_name = Some(f.manufacturer.clone());
        if let Some(p) = &f.product {
            d.device.brand_name = Some(p.name.clone());
            d.device.model_number = Some(p.id.clone());
            d.device.udi_di = p.udi_di.clone();
        }
        if let Some(dev) = &f.device {
            d.device.serial_number = Some(dev.serial.clone());
            d.device.lot_number = dev.lot.clone();
            d.device.expiration_date_of_device = dev.expires_on;
            d.device_manufacturer.device_date_of_manufacturer = dev.manufactured_on;
        }
        let m = &mut d.manufacturer;
        m.manufacturer_name = Some(f.manufacturer.clone());
        m.date_manufacturer_received = Some(f.date(f.status.aware_at));
        m.type_of_report = Some(if f.reported_before(Market::Us) {
            TypeOfReport::Followup
        } else {
            TypeOfReport::Initial
        });
        m.report_timeframe = match f.status.category {
            Some(Category::Mdr5Day) => Some(ReportTimeframe::FiveDay),
            Some(Category::Mdr30Day) => Some(ReportTimeframe::ThirtyDay),
            _ => None,
        };
        let h = &mut d.device_manufacturer;
        h.event_type = Some(if f.health_impact("F02") {
            EventType::Death
        } else if !inc.health_impact_codes.is_empty() {
            EventType::Injury
        } else {
            EventType::Malfunction
        });
        h.device_problem_codes = inc.device_problem_codes.clone();
        h.component_codes = inc.component_codes.clone();
        h.health_effect_clinical_codes = inc.health_effect_codes.clone();
        h.health_effect_impact_codes = inc.health_impact_codes.clone();
        h.evaluation_method_codes = inv.investigation_type_codes.clone();
        h.evaluation_result_codes = inv.findings_codes.clone();
        h.evaluation_conclusion_codes = inv.conclusion_codes.clone();
        h.manufacturer_evaluation_summary = inv.analysis_results.clone();
        h.additional_manufacturer_narrative = inv.root_cause.clone();
        let problems = d.validate(codes());
        let missing = d.missing();
        Ok(outcome(d, id, problems, missing))
    }
}
