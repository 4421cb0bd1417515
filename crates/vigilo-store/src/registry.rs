//! Registry operations: each authorises the acting person, checks references against the
//! store and writes through one audited transaction. CLI and web call these; neither writes
//! records any other way.

use crate::Store;
use crate::error::{Error, Result};
use crate::query::Select;
use crate::schema::{self, Stored};
use crate::write::WriteTx;
use jiff::Timestamp;
use jiff::civil::Date;
use serde::Serialize;
use std::collections::HashMap;
use vigilo_registry::access::authorise;
use vigilo_registry::procedure::{self, ProcedureStatus};
use vigilo_registry::{
    Action, CheckKind, CheckResult, Country, Device, DeviceSoftware, DeviceStatus, EventType,
    Invalid, LotStatus, OrgKind, Organisation, PartLot, Person, ProcedureVersion, Product,
    QualityAgreement, Role, SoftwareVersion, TrainingRecord, model,
};

/// The person a write is attributed to, with their roles.
#[derive(Debug, Clone)]
pub struct Actor {
    pub person: Person,
}

impl Actor {
    pub(crate) fn may(&self, action: Action) -> Result<()> {
        Ok(authorise(&self.person.id, &self.person.roles, action)?)
    }
}

fn known<'a>(items: impl Iterator<Item = &'a str>) -> String {
    let mut v: Vec<&str> = items.collect();
    if v.is_empty() {
        return "there are none yet".into();
    }
    v.sort_unstable();
    let more = v.len().saturating_sub(12);
    v.truncate(12);
    let mut s = format!("known: {}", v.join(", "));
    if more > 0 {
        s.push_str(&format!(" and {more} more"));
    }
    s
}

async fn one_by_id<T: Stored>(tx: &mut WriteTx, id: &str) -> Result<Option<T>> {
    tx.fetch_one(Select::<T>::all().eq("id", id)).await
}

// ---- initialisation and accounts -------------------------------------------------------------

#[derive(Debug, Clone)]
pub struct Init {
    pub org_id: String,
    pub org_name: String,
    pub timezone: String,
    pub admin_id: String,
    pub admin_name: String,
}

impl Store {
    /// The manufacturer's organisation, created by `init`.
    pub async fn manufacturer(&self) -> Result<Organisation> {
        self.fetch_one(Select::<Organisation>::all().eq("kind", OrgKind::Manufacturer.as_str()))
            .await?
            .ok_or_else(|| Error::NotInitialised(self.location().to_owned()))
    }

    /// The acting person named by `--as` (or a session).
    pub async fn actor(&self, id: &str) -> Result<Actor> {
        match self.fetch_one(Select::<Person>::all().eq("id", id)).await? {
            Some(person) => Ok(Actor { person }),
            None => {
                // An uninitialised store explains the miss better than "no person".
                self.manufacturer().await?;
                Err(Invalid::new("--as", format!("no person {id:?} in this store")).into())
            }
        }
    }

    /// Creates the manufacturer's organisation, its first admin and the default service event
    /// types. The admin is the actor of these first events.
    pub async fn init(&self, init: Init, now: Timestamp) -> Result<(Organisation, Person)> {
        let mut tx = self.begin_write(&init.admin_id, now).await?;
        if let Some(org) = tx.fetch_one(Select::<Organisation>::all()).await? {
            return Err(Invalid::new(
                "init",
                format!(
                    "the store at {} is already initialised (organisation {:?})",
                    self.location(),
                    org.id
                ),
            )
            .into());
        }
        let org = Organisation {
            id: init.org_id,
            name: init.org_name,
            kind: OrgKind::Manufacturer,
            timezone: Some(init.timezone),
        };
        tx.insert("organisation.add", &org).await?;
        let admin = Person {
            id: init.admin_id,
            name: init.admin_name,
            org: org.id.clone(),
            roles: vec![Role::Admin],
        };
        tx.insert("person.add", &admin).await?;
        for (id, name) in model::DEFAULT_EVENT_TYPES {
            let t = EventType {
                id: id.into(),
                name: name.into(),
            };
            tx.insert("event-type.add", &t).await?;
        }
        tx.commit().await?;
        Ok((org, admin))
    }
}

#[derive(Debug, Clone)]
pub struct NewAgreement {
    pub reference: String,
    pub valid_from: Date,
    pub valid_to: Date,
    pub countries: Vec<Country>,
}

#[derive(Debug, Clone, Serialize)]
pub struct OrgView {
    #[serde(flatten)]
    pub org: Organisation,
    pub agreements: Vec<QualityAgreement>,
}

async fn insert_agreement(
    tx: &mut WriteTx,
    org: &str,
    a: NewAgreement,
) -> Result<QualityAgreement> {
    model::agreement_period(a.valid_from, a.valid_to, "valid_from", "valid_to")?;
    if a.countries.is_empty() {
        return Err(Invalid::new(
            "--countries",
            "a quality agreement must cover at least one country",
        )
        .into());
    }
    let agreement = QualityAgreement {
        id: tx.next_id(&schema::QUALITY_AGREEMENTS).await?,
        org: org.to_owned(),
        reference: a.reference,
        valid_from: a.valid_from,
        valid_to: a.valid_to,
        countries: a.countries,
    };
    tx.insert("agreement.add", &agreement).await?;
    Ok(agreement)
}

impl Store {
    /// Adds an affiliate, or a service partner with its first quality agreement.
    pub async fn add_org(
        &self,
        actor: &Actor,
        id: String,
        name: String,
        agreement: Option<NewAgreement>,
        now: Timestamp,
    ) -> Result<OrgView> {
        actor.may(Action::AddOrganisation)?;
        let mut tx = self.begin_write(&actor.person.id, now).await?;
        if one_by_id::<Organisation>(&mut tx, &id).await?.is_some() {
            return Err(Invalid::new("ID", format!("organisation {id:?} exists already")).into());
        }
        let org = Organisation {
            id,
            name,
            kind: if agreement.is_some() {
                OrgKind::Partner
            } else {
                OrgKind::Affiliate
            },
            timezone: None,
        };
        tx.insert("organisation.add", &org).await?;
        let mut agreements = Vec::new();
        if let Some(a) = agreement {
            agreements.push(insert_agreement(&mut tx, &org.id, a).await?);
        }
        tx.commit().await?;
        Ok(OrgView { org, agreements })
    }

    /// A further (e.g. renewed) quality agreement of a partner.
    pub async fn add_agreement(
        &self,
        actor: &Actor,
        org: &str,
        agreement: NewAgreement,
        now: Timestamp,
    ) -> Result<QualityAgreement> {
        actor.may(Action::AddAgreement)?;
        let mut tx = self.begin_write(&actor.person.id, now).await?;
        match one_by_id::<Organisation>(&mut tx, org).await? {
            Some(o) if o.kind == OrgKind::Partner => {}
            Some(_) => {
                return Err(
                    Invalid::new("ORG", format!("{org:?} is not a service partner")).into(),
                );
            }
            None => return Err(Invalid::new("ORG", format!("no organisation {org:?}")).into()),
        }
        let a = insert_agreement(&mut tx, org, agreement).await?;
        tx.commit().await?;
        Ok(a)
    }

    pub async fn orgs(&self) -> Result<Vec<OrgView>> {
        let orgs = self.fetch(Select::<Organisation>::all()).await?;
        let mut agreements = self.fetch(Select::<QualityAgreement>::all()).await?;
        Ok(orgs
            .into_iter()
            .map(|org| {
                let (mine, rest) = agreements.drain(..).partition(|a| a.org == org.id);
                agreements = rest;
                OrgView {
                    org,
                    agreements: mine,
                }
            })
            .collect())
    }

    pub async fn org(&self, id: &str) -> Result<OrgView> {
        let org = self
            .fetch_one(Select::<Organisation>::all().eq("id", id))
            .await?
            .ok_or_else(|| Invalid::new("ID", format!("no organisation {id:?}")))?;
        let agreements = self
            .fetch(Select::<QualityAgreement>::all().eq("org", id))
            .await?;
        Ok(OrgView { org, agreements })
    }

    pub async fn add_person(
        &self,
        actor: &Actor,
        id: String,
        name: String,
        org: &str,
        mut roles: Vec<Role>,
        now: Timestamp,
    ) -> Result<Person> {
        actor.may(Action::AddPerson)?;
        roles.sort();
        roles.dedup();
        let mut tx = self.begin_write(&actor.person.id, now).await?;
        let Some(organisation) = one_by_id::<Organisation>(&mut tx, org).await? else {
            let all = tx.fetch(Select::<Organisation>::all()).await?;
            return Err(Invalid::new(
                "--org",
                format!(
                    "no organisation {org:?} ({})",
                    known(all.iter().map(|o| o.id.as_str()))
                ),
            )
            .into());
        };
        model::check_roles(organisation.kind, &roles)?;
        if one_by_id::<Person>(&mut tx, &id).await?.is_some() {
            return Err(Invalid::new("ID", format!("person {id:?} exists already")).into());
        }
        let person = Person {
            id,
            name,
            org: org.to_owned(),
            roles,
        };
        tx.insert("person.add", &person).await?;
        tx.commit().await?;
        Ok(person)
    }

    pub async fn persons(&self) -> Result<Vec<Person>> {
        self.fetch(Select::<Person>::all()).await
    }

    pub async fn person(&self, id: &str) -> Result<Person> {
        self.fetch_one(Select::<Person>::all().eq("id", id))
            .await?
            .ok_or_else(|| Invalid::new("ID", format!("no person {id:?}")).into())
    }
}

// ---- products, event types, software versions ------------------------------------------------

async fn check_event_types(tx: &mut WriteTx, field: &str, types: &[&String]) -> Result<()> {
    let all = tx.fetch(Select::<EventType>::all()).await?;
    for t in types {
        if !all.iter().any(|e| &e.id == *t) {
            return Err(Invalid::new(
                field,
                format!(
                    "{t:?} is not a service event type ({}; add one with `vigilo event-type add`)",
                    known(all.iter().map(|e| e.id.as_str()))
                ),
            )
            .into());
        }
    }
    Ok(())
}

async fn product_in(tx: &mut WriteTx, id: &str) -> Result<Product> {
    match one_by_id::<Product>(tx, id).await? {
        Some(p) => Ok(p),
        None => {
            let all = tx.fetch(Select::<Product>::all()).await?;
            Err(Invalid::new(
                "--product",
                format!(
                    "no product {id:?} ({})",
                    known(all.iter().map(|p| p.id.as_str()))
                ),
            )
            .into())
        }
    }
}

/// The software version, registered on first mention: a device reported in the field with a
/// version nobody registered is a fact to record, not input to refuse.
async fn software_version_in(
    tx: &mut WriteTx,
    product: &str,
    version: &str,
) -> Result<SoftwareVersion> {
    let found = tx
        .fetch_one(
            Select::<SoftwareVersion>::all()
                .eq("product", product)
                .eq("version", version),
        )
        .await?;
    if let Some(v) = found {
        return Ok(v);
    }
    let v = SoftwareVersion {
        id: tx.next_id(&schema::SOFTWARE_VERSIONS).await?,
        product: product.to_owned(),
        version: version.to_owned(),
        released_on: None,
    };
    tx.insert("software.add", &v).await?;
    Ok(v)
}

#[derive(Debug, Clone, Serialize)]
pub struct ProductView {
    #[serde(flatten)]
    pub product: Product,
    pub software_versions: Vec<SoftwareVersion>,
    pub devices: i64,
}

impl Store {
    pub async fn add_product(
        &self,
        actor: &Actor,
        product: Product,
        now: Timestamp,
    ) -> Result<Product> {
        actor.may(Action::AddProduct)?;
        let mut tx = self.begin_write(&actor.person.id, now).await?;
        if one_by_id::<Product>(&mut tx, &product.id).await?.is_some() {
            return Err(
                Invalid::new("ID", format!("product {:?} exists already", product.id)).into(),
            );
        }
        if let Some(di) = &product.udi_di
            && let Some(other) = tx
                .fetch_one(Select::<Product>::all().eq("udi_di", di.as_str()))
                .await?
        {
            return Err(Invalid::new(
                "--udi-di",
                format!("{di} is already the UDI-DI of product {:?}", other.id),
            )
            .into());
        }
        let types: Vec<&String> = product.schedule.keys().collect();
        check_event_types(&mut tx, "--schedule", &types).await?;
        tx.insert("product.add", &product).await?;
        tx.commit().await?;
        Ok(product)
    }

    pub async fn products(&self) -> Result<Vec<Product>> {
        self.fetch(Select::<Product>::all()).await
    }

    pub async fn product(&self, id: &str) -> Result<ProductView> {
        let product = self
            .fetch_one(Select::<Product>::all().eq("id", id))
            .await?
            .ok_or_else(|| Invalid::new("ID", format!("no product {id:?}")))?;
        let software_versions = self
            .fetch(Select::<SoftwareVersion>::all().eq("product", id))
            .await?;
        let devices: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM devices WHERE product = $1")
            .bind(id)
            .fetch_one(&self.pool)
            .await?;
        Ok(ProductView {
            product,
            software_versions,
            devices,
        })
    }

    pub async fn add_event_type(
        &self,
        actor: &Actor,
        t: EventType,
        now: Timestamp,
    ) -> Result<EventType> {
        actor.may(Action::AddEventType)?;
        let mut tx = self.begin_write(&actor.person.id, now).await?;
        if one_by_id::<EventType>(&mut tx, &t.id).await?.is_some() {
            return Err(Invalid::new("ID", format!("event type {:?} exists already", t.id)).into());
        }
        tx.insert("event-type.add", &t).await?;
        tx.commit().await?;
        Ok(t)
    }

    pub async fn event_types(&self) -> Result<Vec<EventType>> {
        self.fetch(Select::<EventType>::all()).await
    }

    pub async fn add_software_version(
        &self,
        actor: &Actor,
        product: &str,
        version: String,
        released_on: Option<Date>,
        now: Timestamp,
    ) -> Result<SoftwareVersion> {
        actor.may(Action::AddSoftwareVersion)?;
        let mut tx = self.begin_write(&actor.person.id, now).await?;
        product_in(&mut tx, product).await?;
        let exists = tx
            .fetch_one(
                Select::<SoftwareVersion>::all()
                    .eq("product", product)
                    .eq("version", version.as_str()),
            )
            .await?;
        if exists.is_some() {
            return Err(Invalid::new(
                "--version",
                format!("product {product:?} already has software version {version:?}"),
            )
            .into());
        }
        let v = SoftwareVersion {
            id: tx.next_id(&schema::SOFTWARE_VERSIONS).await?,
            product: product.to_owned(),
            version,
            released_on,
        };
        tx.insert("software.add", &v).await?;
        tx.commit().await?;
        Ok(v)
    }

    pub async fn software_versions(&self, product: Option<&str>) -> Result<Vec<SoftwareVersion>> {
        let select = Select::<SoftwareVersion>::all();
        let select = match product {
            Some(p) => select.eq("product", p),
            None => select,
        };
        self.fetch(select.order_by("product").order_by("id")).await
    }
}

// ---- devices ---------------------------------------------------------------------------------

/// A device to register. The serial may come from `--serial` or from a scanned UDI.
#[derive(Debug, Clone, Default)]
pub struct NewDevice {
    pub product: Option<String>,
    pub serial: Option<String>,
    pub udi: Option<vigilo_udi::Udi>,
    pub country: Option<Country>,
    pub customer: Option<String>,
    pub software: Option<String>,
    /// Since when it runs `software` (default: the time of registration).
    pub software_since: Option<Timestamp>,
    pub lot: Option<String>,
    pub manufactured_on: Option<Date>,
    pub expires_on: Option<Date>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DeviceView {
    #[serde(flatten)]
    pub device: Device,
    /// The software version installed now.
    pub software: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DeviceDetail {
    #[serde(flatten)]
    pub device: Device,
    pub software: Option<String>,
    pub software_history: Vec<DeviceSoftware>,
}

/// Whether a device add created the device or found it registered with the same data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Added,
    Unchanged,
}

fn invalid<T>(field: &str, problem: String) -> Result<T> {
    Err(Invalid::new(field, problem).into())
}

async fn current_software_in(tx: &mut WriteTx, device: i64) -> Result<Option<String>> {
    let history = tx
        .fetch(
            Select::<DeviceSoftware>::all()
                .eq("device", device)
                .order_by("installed_at")
                .order_by("id"),
        )
        .await?;
    Ok(history.into_iter().last().map(|h| h.version))
}

/// Registers one device inside `tx`. Re-registering a device with exactly the same data is a
/// no-op, which makes batch imports idempotent.
async fn add_device_in(tx: &mut WriteTx, new: NewDevice) -> Result<(Outcome, DeviceView)> {
    let udi = new.udi.as_ref();
    let product = match (&new.product, udi) {
        (Some(p), _) => product_in(tx, p).await?,
        (None, Some(u)) => match tx
            .fetch_one(Select::<Product>::all().eq("udi_di", u.gtin.as_str()))
            .await?
        {
            Some(p) => p,
            None => {
                return invalid(
                    "--udi",
                    format!("no product has UDI-DI {}: give --product", u.gtin),
                );
            }
        },
        (None, None) => return invalid("--product", "a product is needed".into()),
    };
    if let (Some(u), Some(di)) = (udi, &product.udi_di)
        && &u.gtin != di
    {
        return invalid(
            "--udi",
            format!(
                "GTIN {} is not the UDI-DI of product {:?} ({di})",
                u.gtin, product.id
            ),
        );
    }
    let serial = match (&new.serial, udi.and_then(|u| u.serial.clone())) {
        (Some(s), Some(from_udi)) if *s != from_udi => {
            return invalid(
                "--serial",
                format!("{s:?} differs from the serial {from_udi:?} in the UDI"),
            );
        }
        (Some(s), _) => s.clone(),
        (None, Some(s)) => s,
        (None, None) => {
            return invalid(
                "--serial",
                "a serial number is needed (or a UDI with AI 21)".into(),
            );
        }
    };
    let Some(country) = new.country else {
        return invalid("--country", "the device's country is needed".into());
    };
    let device = Device {
        id: 0,
        product: product.id.clone(),
        serial,
        country,
        customer: new.customer,
        status: DeviceStatus::InField,
        lot: new.lot.or_else(|| udi.and_then(|u| u.lot.clone())),
        manufactured_on: new
            .manufactured_on
            .or_else(|| udi.and_then(|u| u.manufactured)),
        expires_on: new.expires_on.or_else(|| udi.and_then(|u| u.expiry)),
    };
    let existing = tx
        .fetch_one(
            Select::<Device>::all()
                .eq("product", product.id.as_str())
                .eq("serial", device.serial.as_str()),
        )
        .await?;
    if let Some(old) = existing {
        let software = current_software_in(tx, old.id).await?;
        let same = Device {
            id: old.id,
            ..device.clone()
        } == old
            && (new.software.is_none() || new.software == software);
        if same {
            return Ok((
                Outcome::Unchanged,
                DeviceView {
                    device: old,
                    software,
                },
            ));
        }
        return invalid(
            "--serial",
            format!(
                "product {:?} already has a device with serial {:?} (device {}) with other data",
                product.id, device.serial, old.id
            ),
        );
    }
    let device = Device {
        id: tx.next_id(&schema::DEVICES).await?,
        ..device
    };
    tx.insert("device.add", &device).await?;
    if let Some(version) = &new.software {
        software_version_in(tx, &product.id, version).await?;
        let entry = DeviceSoftware {
            id: tx.next_id(&schema::DEVICE_SOFTWARE).await?,
            device: device.id,
            version: version.clone(),
            installed_at: new.software_since.unwrap_or(tx.at()),
        };
        tx.insert("device.software", &entry).await?;
    }
    Ok((
        Outcome::Added,
        DeviceView {
            device,
            software: new.software,
        },
    ))
}

/// Counts of a batch import.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ImportSummary {
    pub added: usize,
    pub unchanged: usize,
}

impl Store {
    pub async fn add_device(
        &self,
        actor: &Actor,
        new: NewDevice,
        now: Timestamp,
    ) -> Result<DeviceView> {
        actor.may(Action::AddDevice)?;
        let mut tx = self.begin_write(&actor.person.id, now).await?;
        let (outcome, view) = add_device_in(&mut tx, new).await?;
        if outcome == Outcome::Unchanged {
            return invalid(
                "--serial",
                format!(
                    "product {:?} already has a device with serial {:?} (device {})",
                    view.device.product, view.device.serial, view.device.id
                ),
            );
        }
        tx.commit().await?;
        Ok(view)
    }

    /// Registers a batch of devices in one transaction: all of them or none. Each item carries
    /// its place in the input (`file.csv line 7`), which errors name. `progress` is told how
    /// many items are done.
    pub async fn import_devices(
        &self,
        actor: &Actor,
        items: Vec<(String, NewDevice)>,
        now: Timestamp,
        progress: &mut (dyn FnMut(usize) + Send),
    ) -> Result<ImportSummary> {
        actor.may(Action::AddDevice)?;
        let mut tx = self.begin_write(&actor.person.id, now).await?;
        let mut summary = ImportSummary::default();
        for (i, (place, new)) in items.into_iter().enumerate() {
            match add_device_in(&mut tx, new).await {
                Ok((Outcome::Added, _)) => summary.added += 1,
                Ok((Outcome::Unchanged, _)) => summary.unchanged += 1,
                Err(Error::Invalid(e)) => return Err(e.within(place).into()),
                Err(e) => return Err(e),
            }
            progress(i + 1);
        }
        tx.commit().await?;
        self.refresh_statistics(&["devices", "device_software"])
            .await?;
        Ok(summary)
    }

    pub async fn device_by_id(&self, id: i64) -> Result<Option<Device>> {
        self.fetch_one(Select::<Device>::all().eq("id", id)).await
    }

    /// Devices with this serial (one per product at most), optionally of one product.
    pub async fn devices_by_serial(
        &self,
        serial: &str,
        product: Option<&str>,
    ) -> Result<Vec<Device>> {
        let select = Select::<Device>::all().eq("serial", serial);
        let select = match product {
            Some(p) => select.eq("product", p),
            None => select,
        };
        self.fetch(select).await
    }

    pub async fn devices(
        &self,
        product: Option<&str>,
        country: Option<Country>,
    ) -> Result<Vec<DeviceView>> {
        let mut select = Select::<Device>::all();
        if let Some(p) = product {
            select = select.eq("product", p);
        }
        if let Some(c) = country {
            select = select.eq("country", c.as_str());
        }
        let devices = self.fetch(select).await?;
        let mut current: HashMap<i64, String> = HashMap::new();
        for h in self
            .fetch(
                Select::<DeviceSoftware>::all()
                    .order_by("installed_at")
                    .order_by("id"),
            )
            .await?
        {
            current.insert(h.device, h.version);
        }
        Ok(devices
            .into_iter()
            .map(|device| DeviceView {
                software: current.remove(&device.id),
                device,
            })
            .collect())
    }

    pub async fn device_detail(&self, device: Device) -> Result<DeviceDetail> {
        let software_history = self
            .fetch(
                Select::<DeviceSoftware>::all()
                    .eq("device", device.id)
                    .order_by("installed_at")
                    .order_by("id"),
            )
            .await?;
        Ok(DeviceDetail {
            software: software_history.last().map(|h| h.version.clone()),
            software_history,
            device,
        })
    }

    /// Records that `device` runs `version` from `at` on (e.g. after a field update).
    pub async fn set_device_software(
        &self,
        actor: &Actor,
        device: &Device,
        version: &str,
        at: Timestamp,
        now: Timestamp,
    ) -> Result<DeviceSoftware> {
        actor.may(Action::ChangeDevice)?;
        let mut tx = self.begin_write(&actor.person.id, now).await?;
        software_version_in(&mut tx, &device.product, version).await?;
        let entry = DeviceSoftware {
            id: tx.next_id(&schema::DEVICE_SOFTWARE).await?,
            device: device.id,
            version: version.to_owned(),
            installed_at: at,
        };
        tx.insert("device.software", &entry).await?;
        tx.commit().await?;
        Ok(entry)
    }

    pub async fn set_device_status(
        &self,
        actor: &Actor,
        device: &Device,
        status: DeviceStatus,
        now: Timestamp,
    ) -> Result<Device> {
        actor.may(Action::ChangeDevice)?;
        let mut tx = self.begin_write(&actor.person.id, now).await?;
        let Some(before) = one_by_id_int::<Device>(&mut tx, device.id).await? else {
            return invalid("SERIAL", format!("device {} no longer exists", device.id));
        };
        let after = Device {
            status,
            ..before.clone()
        };
        if after != before {
            tx.update("device.status", &before, &after).await?;
            tx.commit().await?;
        }
        Ok(after)
    }
}

async fn one_by_id_int<T: Stored>(tx: &mut WriteTx, id: i64) -> Result<Option<T>> {
    tx.fetch_one(Select::<T>::all().eq("id", id)).await
}

// ---- procedures and training -----------------------------------------------------------------

#[derive(Debug, Clone, Serialize)]
pub struct ProcedureView {
    #[serde(flatten)]
    pub version: ProcedureVersion,
    pub status: ProcedureStatus,
}

async fn versions_of(tx: &mut WriteTx, procedure_id: &str) -> Result<Vec<ProcedureVersion>> {
    tx.fetch(Select::<ProcedureVersion>::all().eq("procedure_id", procedure_id))
        .await
}

/// Records one training in `tx`, after checking it: the date is not in the future, the trainer
/// is someone else, and the person, trainer, procedure and version exist.
pub(crate) async fn add_training_in(
    tx: &mut WriteTx,
    t: NewTraining,
    today: Date,
) -> Result<TrainingRecord> {
    if t.trained_on > today {
        return invalid(
            "--date",
            format!("{} is in the future (today is {today})", t.trained_on),
        );
    }
    if t.trainer == t.person {
        return invalid(
            "--trainer",
            "a person cannot check their own competence: name another trainer".into(),
        );
    }
    for (field, id) in [("--person", &t.person), ("--trainer", &t.trainer)] {
        if one_by_id::<Person>(tx, id).await?.is_none() {
            return invalid(field, format!("no person {id:?}"));
        }
    }
    let versions = versions_of(tx, &t.procedure_id).await?;
    if versions.is_empty() {
        return invalid("--procedure", format!("no procedure {:?}", t.procedure_id));
    }
    if !versions.iter().any(|v| v.version == t.procedure_version) {
        return invalid(
            "--version",
            format!(
                "procedure {} has no version {:?} ({})",
                t.procedure_id,
                t.procedure_version,
                known(versions.iter().map(|v| v.version.as_str()))
            ),
        );
    }
    let record = TrainingRecord {
        id: tx.next_id(&schema::TRAININGS).await?,
        person: t.person,
        procedure_id: t.procedure_id,
        procedure_version: t.procedure_version,
        trained_on: t.trained_on,
        trainer: t.trainer,
        check_kind: t.check_kind,
        result: t.result,
    };
    tx.insert("training.add", &record).await?;
    Ok(record)
}

fn check_effective_date_free(siblings: &[ProcedureVersion], on: Date) -> Result<()> {
    if let Some(other) = siblings.iter().find(|v| v.effective_on == Some(on)) {
        return invalid(
            "--effective",
            format!(
                "version {:?} of {} is already effective from {on}: expected a different date",
                other.version, other.procedure_id
            ),
        );
    }
    Ok(())
}

/// A version of a controlled procedure; without `effective_on` it is a draft.
#[derive(Debug, Clone)]
pub struct NewProcedureVersion {
    pub procedure_id: String,
    pub version: String,
    pub title: String,
    /// Service event types it governs.
    pub governs: Vec<String>,
    pub effective_on: Option<Date>,
}

impl Store {
    pub async fn add_procedure_version(
        &self,
        actor: &Actor,
        new: NewProcedureVersion,
        now: Timestamp,
    ) -> Result<ProcedureVersion> {
        actor.may(Action::AddProcedure)?;
        let NewProcedureVersion {
            procedure_id,
            version,
            title,
            governs,
            effective_on,
        } = new;
        let mut tx = self.begin_write(&actor.person.id, now).await?;
        let types: Vec<&String> = governs.iter().collect();
        check_event_types(&mut tx, "--governs", &types).await?;
        let siblings = versions_of(&mut tx, &procedure_id).await?;
        if siblings.iter().any(|v| v.version == version) {
            return invalid(
                "--version",
                format!("{procedure_id} version {version:?} exists already"),
            );
        }
        if let Some(on) = effective_on {
            check_effective_date_free(&siblings, on)?;
        }
        let v = ProcedureVersion {
            id: tx.next_id(&schema::PROCEDURES).await?,
            procedure_id,
            version,
            title,
            governs,
            effective_on,
        };
        tx.insert("procedure.add", &v).await?;
        tx.commit().await?;
        Ok(v)
    }

    /// Makes a draft version effective from a date (controlled-document approval).
    pub async fn approve_procedure(
        &self,
        actor: &Actor,
        procedure_id: &str,
        version: &str,
        effective_on: Date,
        now: Timestamp,
    ) -> Result<ProcedureVersion> {
        actor.may(Action::ApproveProcedure)?;
        let mut tx = self.begin_write(&actor.person.id, now).await?;
        let siblings = versions_of(&mut tx, procedure_id).await?;
        let Some(before) = siblings.iter().find(|v| v.version == version).cloned() else {
            return invalid(
                "--version",
                format!("no version {version:?} of procedure {procedure_id:?}"),
            );
        };
        if let Some(on) = before.effective_on {
            return invalid(
                "--version",
                format!(
                    "{procedure_id} version {version:?} is already effective from {on}; issue a new version instead"
                ),
            );
        }
        check_effective_date_free(&siblings, effective_on)?;
        let after = ProcedureVersion {
            effective_on: Some(effective_on),
            ..before.clone()
        };
        tx.update("procedure.approve", &before, &after).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Every procedure version with its status on `today`.
    pub async fn procedures(&self, today: Date) -> Result<Vec<ProcedureView>> {
        let all = self
            .fetch(
                Select::<ProcedureVersion>::all()
                    .order_by("procedure_id")
                    .order_by("id"),
            )
            .await?;
        Ok(all
            .iter()
            .map(|v| {
                let siblings: Vec<ProcedureVersion> = all
                    .iter()
                    .filter(|s| s.procedure_id == v.procedure_id)
                    .cloned()
                    .collect();
                ProcedureView {
                    status: procedure::status(v, &siblings, today),
                    version: v.clone(),
                }
            })
            .collect())
    }
}

#[derive(Debug, Clone)]
pub struct NewTraining {
    pub person: String,
    pub procedure_id: String,
    pub procedure_version: String,
    pub trained_on: Date,
    pub trainer: String,
    pub check_kind: CheckKind,
    pub result: CheckResult,
}

impl Store {
    /// Records a training with its competence check. `today` is the organisation's calendar
    /// date: a training cannot be recorded before it happened.
    pub async fn add_training(
        &self,
        actor: &Actor,
        t: NewTraining,
        today: Date,
        now: Timestamp,
    ) -> Result<TrainingRecord> {
        actor.may(Action::AddTraining)?;
        let mut tx = self.begin_write(&actor.person.id, now).await?;
        let record = add_training_in(&mut tx, t, today).await?;
        tx.commit().await?;
        Ok(record)
    }

    pub async fn trainings(&self, person: Option<&str>) -> Result<Vec<TrainingRecord>> {
        let select = Select::<TrainingRecord>::all();
        let select = match person {
            Some(p) => select.eq("person", p),
            None => select,
        };
        self.fetch(select).await
    }
}

// ---- part lots -------------------------------------------------------------------------------

#[derive(Debug, Clone)]
pub struct NewLot {
    pub part: String,
    pub lot: String,
    pub quantity: i64,
    pub location: Option<String>,
    pub status: LotStatus,
}

impl Store {
    pub async fn add_lot(&self, actor: &Actor, new: NewLot, now: Timestamp) -> Result<PartLot> {
        actor.may(Action::AddLot)?;
        let mut tx = self.begin_write(&actor.person.id, now).await?;
        let exists = tx
            .fetch_one(
                Select::<PartLot>::all()
                    .eq("part", new.part.as_str())
                    .eq("lot", new.lot.as_str()),
            )
            .await?;
        if exists.is_some() {
            return invalid(
                "--lot",
                format!("lot {:?} of part {:?} exists already", new.lot, new.part),
            );
        }
        let lot = PartLot {
            id: tx.next_id(&schema::PART_LOTS).await?,
            part: new.part,
            lot: new.lot,
            quantity: new.quantity,
            location: new.location,
            status: new.status,
        };
        tx.insert("lot.add", &lot).await?;
        tx.commit().await?;
        Ok(lot)
    }

    /// The one lot a lot number (and optional part number) names.
    pub async fn resolve_lot(&self, lot: &str, part: Option<&str>) -> Result<PartLot> {
        let select = Select::<PartLot>::all().eq("lot", lot);
        let select = match part {
            Some(p) => select.eq("part", p),
            None => select,
        };
        let mut found = self.fetch(select).await?;
        match found.len() {
            1 => Ok(found.remove(0)),
            0 => invalid("LOT", format!("no lot {lot:?}")),
            _ => {
                let parts: Vec<&str> = found.iter().map(|l| l.part.as_str()).collect();
                invalid(
                    "LOT",
                    format!(
                        "lot {lot:?} exists for several parts ({}): give --part",
                        parts.join(", ")
                    ),
                )
            }
        }
    }

    pub async fn set_lot_status(
        &self,
        actor: &Actor,
        lot: &PartLot,
        status: LotStatus,
        now: Timestamp,
    ) -> Result<PartLot> {
        actor.may(Action::SetLotStatus)?;
        let mut tx = self.begin_write(&actor.person.id, now).await?;
        let Some(before) = one_by_id_int::<PartLot>(&mut tx, lot.id).await? else {
            return invalid("LOT", format!("lot {} no longer exists", lot.lot));
        };
        let after = PartLot {
            status,
            ..before.clone()
        };
        if after != before {
            tx.update("lot.status", &before, &after).await?;
            tx.commit().await?;
        }
        Ok(after)
    }

    pub async fn lot_by_id(&self, id: i64) -> Result<Option<PartLot>> {
        self.fetch_one(Select::<PartLot>::all().eq("id", id)).await
    }

    pub async fn lots(&self) -> Result<Vec<PartLot>> {
        self.fetch(Select::<PartLot>::all().order_by("part").order_by("lot"))
            .await
    }
}
