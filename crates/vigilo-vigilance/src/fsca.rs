//! Field safety corrective actions (MDR Art. 89): which devices a scope takes in, and how far
//! the field safety notice has been acknowledged, customer by customer.

use crate::model::{Fsca, FscaAcknowledgement, FscaDevice};
use jiff::Timestamp;
use serde::Serialize;
use std::collections::BTreeMap;

/// What scoping needs to know of a device.
#[derive(Debug, Clone, Copy)]
pub struct DeviceFacts<'a> {
    pub serial: &'a str,
    pub country: &'a str,
    pub software: Option<&'a str>,
    /// The device's own lot and every part lot fitted to it in service.
    pub lots: &'a [&'a str],
}

fn narrows(list: &[String], value: Option<&str>) -> bool {
    list.is_empty() || value.is_some_and(|v| list.iter().any(|x| x.eq_ignore_ascii_case(v)))
}

/// Whether a device of the FSCA's product is in its scope.
pub fn in_scope(fsca: &Fsca, device: DeviceFacts<'_>) -> bool {
    narrows(&fsca.versions, device.software)
        && narrows(&fsca.serials, Some(device.serial))
        && narrows(&fsca.countries, Some(device.country))
        && (fsca.lots.is_empty() || device.lots.iter().any(|l| narrows(&fsca.lots, Some(l))))
}

/// One customer's share of an FSCA.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CustomerNotice {
    pub customer: String,
    pub devices: usize,
    pub countries: Vec<String>,
    pub acknowledged_at: Option<Timestamp>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Progress {
    pub customers: usize,
    pub customers_acknowledged: usize,
    pub devices: usize,
    pub devices_acknowledged: usize,
    /// Share of customers that acknowledged, 0–1 (1 when there is nobody to notify).
    pub share_acknowledged: f64,
    pub by_customer: Vec<CustomerNotice>,
}

/// Acknowledgement progress: per customer, and the share of customers that acknowledged.
pub fn progress(devices: &[FscaDevice], acks: &[FscaAcknowledgement]) -> Progress {
    let mut by_customer: BTreeMap<&str, CustomerNotice> = BTreeMap::new();
    for d in devices {
        let n = by_customer
            .entry(d.customer.as_str())
            .or_insert_with(|| CustomerNotice {
                customer: d.customer.clone(),
                devices: 0,
                countries: Vec::new(),
                acknowledged_at: acks
                    .iter()
                    .find(|a| a.customer == d.customer)
                    .map(|a| a.acknowledged_at),
            });
        n.devices += 1;
        if !n.countries.contains(&d.country) {
            n.countries.push(d.country.clone());
            n.countries.sort();
        }
    }
    let by_customer: Vec<CustomerNotice> = by_customer.into_values().collect();
    let acknowledged: Vec<&CustomerNotice> = by_customer
        .iter()
        .filter(|c| c.acknowledged_at.is_some())
        .collect();
    Progress {
        customers: by_customer.len(),
        customers_acknowledged: acknowledged.len(),
        devices: devices.len(),
        devices_acknowledged: acknowledged.iter().map(|c| c.devices).sum(),
        share_acknowledged: if by_customer.is_empty() {
            1.0
        } else {
            acknowledged.len() as f64 / by_customer.len() as f64
        },
        by_customer,
    }
}

/// One customer's devices in an FSCA as CSV (`fsca,customer,serial,country,software`), for the
/// notification letter.
pub fn customer_csv(devices: &[FscaDevice], customer: &str) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let rows =
        std::iter::once(["fsca", "customer", "serial", "country", "software"].map(str::to_owned))
            .chain(devices.iter().filter(|d| d.customer == customer).map(|d| {
                [
                    d.fsca.clone(),
                    d.customer.clone(),
                    d.serial.clone(),
                    d.country.clone(),
                    d.software.clone().unwrap_or_default(),
                ]
            }));
    for row in rows {
        w.write_record(&row)
            .expect("writing CSV to memory cannot fail");
    }
    String::from_utf8(w.into_inner().expect("writing CSV to memory cannot fail"))
        .expect("CSV of UTF-8 fields is UTF-8")
}

/// A file name for a customer's device list: letters, digits, `-` and `_` kept, the rest `_`.
pub fn customer_file_name(customer: &str) -> String {
    let name: String = customer
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("{}.csv", name.trim_matches('_'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fsca(versions: &[&str], lots: &[&str], serials: &[&str]) -> Fsca {
        let v = |l: &[&str]| l.iter().map(|s| s.to_string()).collect();
        Fsca {
            id: "FSCA-1".into(),
            title: "t".into(),
            product: "p".into(),
            versions: v(versions),
            lots: v(lots),
            serials: v(serials),
            countries: vec![],
            reason: "r".into(),
            notice: "n".into(),
            case_id: None,
            opened_by: "x".into(),
            opened_at: Timestamp::UNIX_EPOCH,
        }
    }

    fn device<'a>(
        serial: &'a str,
        software: Option<&'a str>,
        lots: &'a [&'a str],
    ) -> DeviceFacts<'a> {
        DeviceFacts {
            serial,
            country: "DE",
            software,
            lots,
        }
    }

    #[test]
    fn every_given_criterion_must_match() {
        let f = fsca(&["2.1.0"], &["BAT-7"], &[]);
        assert!(in_scope(&f, device("A1", Some("2.1.0"), &["D-1", "BAT-7"])));
        assert!(!in_scope(&f, device("A1", Some("2.2.0"), &["BAT-7"])));
        assert!(!in_scope(&f, device("A1", Some("2.1.0"), &["BAT-8"])));
        assert!(!in_scope(&f, device("A1", None, &["BAT-7"])));
        assert!(in_scope(&fsca(&[], &[], &[]), device("A1", None, &[])));
        assert!(in_scope(&fsca(&[], &[], &["a1"]), device("A1", None, &[])));
    }

    #[test]
    fn progress_counts_customers_and_their_devices() {
        let dev = |id, customer: &str, country: &str| FscaDevice {
            id,
            fsca: "FSCA-1".into(),
            device: id,
            serial: format!("S{id}"),
            country: country.into(),
            customer: customer.into(),
            software: None,
        };
        let devices = [
            dev(1, "Klinikum Nord", "DE"),
            dev(2, "Klinikum Nord", "AT"),
            dev(3, "Praxis Süd", "DE"),
        ];
        let ack = FscaAcknowledgement {
            id: 1,
            fsca: "FSCA-1".into(),
            customer: "Klinikum Nord".into(),
            acknowledged_at: "2026-05-02T10:00:00Z".parse().unwrap(),
            recorded_by: "x".into(),
            recorded_at: Timestamp::UNIX_EPOCH,
        };
        let p = progress(&devices, &[ack]);
        assert_eq!(
            (
                p.customers,
                p.customers_acknowledged,
                p.devices_acknowledged
            ),
            (2, 1, 2)
        );
        assert_eq!(p.share_acknowledged, 0.5);
        assert_eq!(p.by_customer[0].countries, ["AT", "DE"]);
        assert_eq!(progress(&[], &[]).share_acknowledged, 1.0);
        assert_eq!(
            customer_file_name("Praxis Süd / Ost"),
            "Praxis_Süd___Ost.csv"
        );
    }
}
