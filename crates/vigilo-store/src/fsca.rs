//! Field safety corrective actions (SPEC §3.3): the device list from a scope over product,
//! software versions, lots and serials, kept with the FSCA when it is opened; the
//! acknowledgements customer by customer.

use crate::Store;
use crate::error::Result;
use crate::query::Select;
use crate::registry::Actor;
use crate::schema;
use jiff::Timestamp;
use sqlx::Row;
use std::collections::HashMap;
use vigilo_registry::{Action, Invalid, Product};
use vigilo_vigilance::fsca::{self, DeviceFacts, Progress};
use vigilo_vigilance::{Fsca, FscaAcknowledgement, FscaDevice, NO_CUSTOMER};

/// A new FSCA as asked for; the scope lists may be empty.
#[derive(Debug, Clone, Default)]
pub struct NewFsca {
    pub id: String,
    pub title: String,
    pub product: String,
    pub versions: Vec<String>,
    pub lots: Vec<String>,
    pub serials: Vec<String>,
    pub countries: Vec<String>,
    pub reason: String,
    pub notice: String,
    pub case_id: Option<i64>,
}

/// An FSCA with its device list and acknowledgement progress.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FscaView {
    #[serde(flatten)]
    pub fsca: Fsca,
    pub devices: Vec<FscaDevice>,
    pub acknowledgements: Vec<FscaAcknowledgement>,
    pub progress: Progress,
}

fn required(field: &str, value: &str) -> Result<String> {
    let v = value.trim();
    if v.is_empty() {
        return Err(Invalid::new(field, "must not be empty").into());
    }
    Ok(v.to_owned())
}

struct Candidate {
    id: i64,
    serial: String,
    country: String,
    customer: Option<String>,
    lots: Vec<String>,
    software: Option<String>,
}

impl Store {
    /// The product's devices in the field, each with its current software and every lot it
    /// carries (its own and the part lots fitted in service).
    async fn fsca_candidates(&self, product: &str) -> Result<Vec<Candidate>> {
        let rows = sqlx::query(
            "SELECT id, serial, country, customer, lot FROM devices \
             WHERE product = $1 AND status = 'in-field' ORDER BY serial",
        )
        .bind(product)
        .fetch_all(&self.pool)
        .await?;
        let mut candidates = Vec::with_capacity(rows.len());
        let mut index = HashMap::with_capacity(rows.len());
        for r in rows {
            let lot: Option<String> = r.try_get(4)?;
            index.insert(r.try_get::<i64, _>(0)?, candidates.len());
            candidates.push(Candidate {
                id: r.try_get(0)?,
                serial: r.try_get(1)?,
                country: r.try_get(2)?,
                customer: r.try_get(3)?,
                lots: lot.into_iter().collect(),
                software: None,
            });
        }
        let software = sqlx::query(
            "SELECT s.device, s.version FROM device_software s JOIN devices d ON d.id = s.device \
             WHERE d.product = $1 ORDER BY s.installed_at, s.id",
        )
        .bind(product)
        .fetch_all(&self.pool)
        .await?;
        for r in software {
            if let Some(&i) = index.get(&r.try_get::<i64, _>(0)?) {
                candidates[i].software = Some(r.try_get(1)?);
            }
        }
        let lots = sqlx::query(
            "SELECT e.device, p.lot FROM service_parts p JOIN service_events e ON e.id = p.event \
             JOIN devices d ON d.id = e.device WHERE d.product = $1",
        )
        .bind(product)
        .fetch_all(&self.pool)
        .await?;
        for r in lots {
            if let Some(&i) = index.get(&r.try_get::<i64, _>(0)?) {
                candidates[i].lots.push(r.try_get(1)?);
            }
        }
        Ok(candidates)
    }

    /// Opens an FSCA and keeps the device list its scope gives now.
    pub async fn open_fsca(&self, actor: &Actor, new: NewFsca, now: Timestamp) -> Result<FscaView> {
        actor.may(Action::OpenFsca)?;
        let id = required("ID", &new.id)?;
        let title = required("--title", &new.title)?;
        let reason = required("--reason", &new.reason)?;
        let notice = required("--notice", &new.notice)?;
        if self
            .fetch_one(Select::<Product>::all().eq("id", new.product.as_str()))
            .await?
            .is_none()
        {
            return Err(Invalid::new("--product", format!("no product {:?}", new.product)).into());
        }
        if self
            .fetch_one(Select::<Fsca>::all().eq("id", id.as_str()))
            .await?
            .is_some()
        {
            return Err(Invalid::new("ID", format!("FSCA {id} exists already")).into());
        }
        if let Some(case) = new.case_id {
            self.case(case).await?;
        }
        let fsca = Fsca {
            id,
            title,
            product: new.product,
            versions: new.versions,
            lots: new.lots,
            serials: new.serials,
            countries: new
                .countries
                .iter()
                .map(|c| c.to_ascii_uppercase())
                .collect(),
            reason,
            notice,
            case_id: new.case_id,
            opened_by: actor.person.id.clone(),
            opened_at: now,
        };
        let candidates = self.fsca_candidates(&fsca.product).await?;
        let in_scope: Vec<&Candidate> = candidates
            .iter()
            .filter(|c| {
                let lots: Vec<&str> = c.lots.iter().map(String::as_str).collect();
                fsca::in_scope(
                    &fsca,
                    DeviceFacts {
                        serial: &c.serial,
                        country: &c.country,
                        software: c.software.as_deref(),
                        lots: &lots,
                    },
                )
            })
            .collect();
        if in_scope.is_empty() {
            return Err(Invalid::new(
                "scope",
                format!(
                    "no device of {} in the field matches the versions, lots, serials and countries given",
                    fsca.product
                ),
            )
            .into());
        }
        let mut tx = self.begin_write(&actor.person.id, now).await?;
        tx.insert("fsca.open", &fsca).await?;
        let first = tx.next_id(&schema::FSCA_DEVICES).await?;
        let devices: Vec<FscaDevice> = in_scope
            .iter()
            .zip(first..)
            .map(|(c, id)| FscaDevice {
                id,
                fsca: fsca.id.clone(),
                device: c.id,
                serial: c.serial.clone(),
                country: c.country.clone(),
                customer: c.customer.clone().unwrap_or_else(|| NO_CUSTOMER.to_owned()),
                software: c.software.clone(),
            })
            .collect();
        tx.insert_many("fsca.device", &devices).await?;
        tx.commit().await?;
        self.fsca(&fsca.id).await
    }

    pub async fn fscas(&self) -> Result<Vec<Fsca>> {
        self.fetch(Select::<Fsca>::all().order_by("opened_at"))
            .await
    }

    pub async fn fsca(&self, id: &str) -> Result<FscaView> {
        let fsca = self
            .fetch_one(Select::<Fsca>::all().eq("id", id))
            .await?
            .ok_or_else(|| Invalid::new("FSCA", format!("no FSCA {id:?}")))?;
        let devices = self
            .fetch(
                Select::<FscaDevice>::all()
                    .eq("fsca", id)
                    .order_by("serial"),
            )
            .await?;
        let acknowledgements = self
            .fetch(Select::<FscaAcknowledgement>::all().eq("fsca", id))
            .await?;
        let progress = fsca::progress(&devices, &acknowledgements);
        Ok(FscaView {
            fsca,
            devices,
            acknowledgements,
            progress,
        })
    }

    /// Records that a customer acknowledged the field safety notice; a second acknowledgement
    /// of the same customer returns the first.
    pub async fn acknowledge_fsca(
        &self,
        actor: &Actor,
        id: &str,
        customer: &str,
        acknowledged_at: Timestamp,
        now: Timestamp,
    ) -> Result<FscaAcknowledgement> {
        actor.may(Action::RecordFscaAcknowledgement)?;
        if acknowledged_at > now {
            return Err(Invalid::new(
                "--at",
                format!("{acknowledged_at} is in the future (now is {now})"),
            )
            .into());
        }
        let view = self.fsca(id).await?;
        let customer = customer.trim();
        if !view.devices.iter().any(|d| d.customer == customer) {
            let known: Vec<&str> = view
                .progress
                .by_customer
                .iter()
                .map(|c| c.customer.as_str())
                .collect();
            return Err(Invalid::new(
                "--customer",
                format!(
                    "{customer:?} has no device in FSCA {id}; its customers: {}",
                    known.join(", ")
                ),
            )
            .into());
        }
        if let Some(a) = view
            .acknowledgements
            .into_iter()
            .find(|a| a.customer == customer)
        {
            return Ok(a);
        }
        let mut tx = self.begin_write(&actor.person.id, now).await?;
        let ack = FscaAcknowledgement {
            id: tx.next_id(&schema::FSCA_ACKNOWLEDGEMENTS).await?,
            fsca: id.to_owned(),
            customer: customer.to_owned(),
            acknowledged_at,
            recorded_by: actor.person.id.clone(),
            recorded_at: now,
        };
        tx.insert("fsca.acknowledge", &ack).await?;
        tx.commit().await?;
        Ok(ack)
    }
}
