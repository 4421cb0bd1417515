//! `vigilo device import FILE.csv`: register a fleet from manufacturing or shipping records.

use crate::Ctx;
use std::path::Path;
use vigilo_registry::Country;
use vigilo_registry::input::{self, Invalid};
use vigilo_store::registry::NewDevice;

const COLUMNS: [&str; 8] = [
    "product",
    "serial",
    "country",
    "software",
    "customer",
    "lot",
    "manufactured",
    "expiry",
];

fn device_from_row(
    headers: &csv::StringRecord,
    row: &csv::StringRecord,
    product: &Option<String>,
) -> Result<NewDevice, Invalid> {
    let mut new = NewDevice {
        product: product.clone(),
        ..NewDevice::default()
    };
    for (name, value) in headers.iter().zip(row.iter()) {
        let field = format!("column {name}");
        let value = value.trim();
        if value.is_empty() {
            continue;
        }
        match name {
            "product" => new.product = Some(input::identifier(&field, value)?),
            "serial" => new.serial = Some(input::label(&field, value)?),
            "country" => new.country = Some(Country::parse(&field, value)?),
            "software" => new.software = Some(input::label(&field, value)?),
            "customer" => new.customer = Some(input::text(&field, value)?),
            "lot" => new.lot = Some(input::label(&field, value)?),
            "manufactured" => new.manufactured_on = Some(input::date(&field, value)?),
            "expiry" => new.expires_on = Some(input::date(&field, value)?),
            _ => unreachable!("headers are checked before rows"),
        }
    }
    for (column, missing) in [
        ("product", new.product.is_none()),
        ("serial", new.serial.is_none()),
        ("country", new.country.is_none()),
    ] {
        if missing {
            return Err(Invalid::new(format!("column {column}"), "is empty"));
        }
    }
    Ok(new)
}

fn read(file: &Path, product: &Option<String>) -> anyhow::Result<Vec<(String, NewDevice)>> {
    let required: &[&str] = if product.is_none() {
        &["serial", "country", "product"]
    } else {
        &["serial", "country"]
    };
    crate::csv_rows::read(file, &COLUMNS, required, |headers, row| {
        device_from_row(headers, row, product)
    })
}

pub async fn run(ctx: &Ctx, file: &Path, product: Option<String>) -> anyhow::Result<()> {
    let items = read(file, &product)?;
    let (store, actor) = ctx.store_as().await?;
    let summary =
        crate::csv_rows::import_with_progress(ctx, "device import", items, async |items, done| {
            store.import_devices(&actor, items, ctx.now, done).await
        })
        .await?;
    crate::csv_rows::emit_summary(
        ctx,
        file,
        &summary,
        "devices added",
        "already registered with the same data",
    )
}
