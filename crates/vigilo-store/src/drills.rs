//! CVE drills (SPEC §3.5): a chosen real advisory matched against every current SBOM without
//! storing it or its findings, the loop's steps timed as people take them, and the finished
//! drill filed as a training record for each participant.

use crate::Store;
use crate::error::Result;
use crate::query::Select;
use crate::registry::{Actor, NewTraining, add_training_in};
use crate::sbom::{Sbom, SbomComponent};
use crate::schema;
use crate::write::WriteTx;
use jiff::Timestamp;
use jiff::civil::Date;
use std::collections::BTreeMap;
use vigilo_osv::Index;
use vigilo_registry::{Action, CheckKind, CheckResult, Invalid, Refusal};
use vigilo_security::{Drill, DrillReach, DrillStep, DrillStepRecord};

fn step_record(
    step: &str,
    at: Timestamp,
    started: Timestamp,
    by: &str,
    note: String,
) -> DrillStepRecord {
    DrillStepRecord {
        step: step.to_owned(),
        at,
        elapsed_seconds: at.duration_since(started).as_secs(),
        by: by.to_owned(),
        note,
    }
}

/// The drill as the write transaction sees it, so that two people stepping or finishing the
/// same drill at once cannot both act on the state before the other's change.
async fn drill_in(tx: &mut WriteTx, id: i64) -> Result<Drill> {
    found(id, tx.fetch_one(Select::<Drill>::all().eq("id", id)).await?)
}

fn found(id: i64, drill: Option<Drill>) -> Result<Drill> {
    Ok(drill.ok_or_else(|| Invalid::new("DRILL", format!("no drill {id}")))?)
}

impl Store {
    /// Starts a drill on `advisory`: the versions and devices it reaches now, as the first step.
    pub async fn start_drill(
        &self,
        actor: &Actor,
        advisory: vigilo_osv::Advisory,
        now: Timestamp,
    ) -> Result<Drill> {
        actor.may(Action::TriageSignal)?;
        let current: BTreeMap<i64, Sbom> = self
            .fetch(Select::<Sbom>::all())
            .await?
            .into_iter()
            .filter(|s| s.superseded_by.is_none())
            .map(|s| (s.id, s))
            .collect();
        let id = advisory.id.clone();
        let aliases = advisory.aliases.clone();
        let index = Index::build(vec![advisory]);
        let mut reached: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
        for c in self.fetch(Select::<SbomComponent>::all()).await? {
            let (Some(sbom), Some(text)) = (current.get(&c.sbom), &c.purl) else {
                continue;
            };
            let Ok(purl) = text.parse::<vigilo_purl::Purl>() else {
                continue;
            };
            if !index.query(&purl).is_empty() {
                reached
                    .entry((sbom.product.clone(), sbom.version.clone()))
                    .or_default()
                    .push(text.clone());
            }
        }
        let devices = self.devices_per_version().await?;
        let reach: Vec<DrillReach> = reached
            .into_iter()
            .map(|((product, version), purls)| DrillReach {
                devices: devices
                    .get(&(product.clone(), version.clone()))
                    .copied()
                    .unwrap_or(0),
                product,
                version,
                purls,
            })
            .collect();
        let note = format!(
            "{id} reaches {} software version(s) on {} device(s)",
            reach.len(),
            reach.iter().map(|r| r.devices).sum::<i64>()
        );
        let mut tx = self.begin_write(&actor.person.id, now).await?;
        let drill = Drill {
            id: tx.next_id(&schema::SECURITY_DRILLS).await?,
            advisory: id,
            aliases,
            reach,
            steps: vec![step_record("matched", now, now, &actor.person.id, note)],
            started_by: actor.person.id.clone(),
            started_at: now,
            finished_at: None,
            trainings: Vec::new(),
        };
        tx.insert("drill.start", &drill).await?;
        tx.commit().await?;
        Ok(drill)
    }

    pub async fn drill(&self, id: i64) -> Result<Drill> {
        found(
            id,
            self.fetch_one(Select::<Drill>::all().eq("id", id)).await?,
        )
    }

    pub async fn drills(&self) -> Result<Vec<Drill>> {
        self.fetch(Select::<Drill>::all().order_by("id")).await
    }

    /// Times one step of an unfinished drill; each step is taken once.
    pub async fn drill_step(
        &self,
        actor: &Actor,
        id: i64,
        step: DrillStep,
        note: &str,
        now: Timestamp,
    ) -> Result<Drill> {
        actor.may(Action::TriageSignal)?;
        let mut tx = self.begin_write(&actor.person.id, now).await?;
        let before = drill_in(&mut tx, id).await?;
        if before.finished_at.is_some() {
            return Err(Refusal::new(
                "a finished drill takes no more steps",
                format!("drill {id} is finished"),
            )
            .into());
        }
        if before.steps.iter().any(|s| s.step == step.as_str()) {
            return Err(
                Invalid::new("STEP", format!("drill {id} has taken {step} already")).into(),
            );
        }
        let mut after = before.clone();
        after.steps.push(step_record(
            step.as_str(),
            now,
            before.started_at,
            &actor.person.id,
            note.trim().to_owned(),
        ));
        tx.update("drill.step", &before, &after).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Finishes a drill whose every step was taken and files it as a supervised, passed
    /// training on `procedure` for each participant, with the acting person as trainer (the
    /// quality role records training, ISO 13485 6.2). The trainings and the finish are one
    /// transaction: a drill is never left unfinished with some of its trainings filed, which a
    /// second attempt would file again.
    pub async fn finish_drill(
        &self,
        actor: &Actor,
        id: i64,
        procedure: (&str, &str),
        today: Date,
        now: Timestamp,
    ) -> Result<Drill> {
        actor.may(Action::AddTraining)?;
        let mut tx = self.begin_write(&actor.person.id, now).await?;
        let before = drill_in(&mut tx, id).await?;
        if before.finished_at.is_some() {
            return Err(Invalid::new("DRILL", format!("drill {id} is finished already")).into());
        }
        let missing = before.missing_steps();
        if !missing.is_empty() {
            let names: Vec<&str> = missing.iter().map(|s| s.as_str()).collect();
            return Err(Refusal::new(
                "a drill is filed only once the whole loop has run",
                format!("drill {id} has not taken: {}", names.join(", ")),
            )
            .into());
        }
        let mut trainings = Vec::new();
        for person in before.participants() {
            if person == actor.person.id {
                continue;
            }
            let record = add_training_in(
                &mut tx,
                NewTraining {
                    person,
                    procedure_id: procedure.0.to_owned(),
                    procedure_version: procedure.1.to_owned(),
                    trained_on: today,
                    trainer: actor.person.id.clone(),
                    check_kind: CheckKind::Supervised,
                    result: CheckResult::Pass,
                },
                today,
            )
            .await?;
            trainings.push(record.id);
        }
        let after = Drill {
            finished_at: Some(now),
            trainings,
            ..before.clone()
        };
        tx.update("drill.finish", &before, &after).await?;
        tx.commit().await?;
        Ok(after)
    }
}
