//! Reading a CSV file of records: a header row naming known columns, then one record per row.
//! Every bad row is reported with its line (the line a quoted multi-line row starts on), and
//! a file with any bad row yields nothing.

use crate::Ctx;
use crate::output::Progress;
use serde_json::json;
use std::path::Path;
use vigilo_registry::Invalid;
use vigilo_store::registry::ImportSummary;

/// At most this many bad rows are listed; the rest are counted.
const MAX_REPORTED: usize = 20;

/// The rows of `file` parsed by `parse(headers, row)`, each with its place (`file line 7`).
pub fn read<T>(
    file: &Path,
    known: &[&str],
    required: &[&str],
    parse: impl Fn(&csv::StringRecord, &csv::StringRecord) -> Result<T, Invalid>,
) -> anyhow::Result<Vec<(String, T)>> {
    let name = file.display().to_string();
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_path(file)
        .map_err(|e| Invalid::new(&name, format!("cannot be read: {e}")))?;
    let headers = reader
        .headers()
        .map_err(|e| Invalid::new(&name, format!("line 1: expected a header row: {e}")))?
        .clone();
    for h in headers.iter() {
        if !known.contains(&h) {
            return Err(Invalid::new(
                format!("{name} line 1"),
                format!(
                    "unknown column {h:?}: expected columns among {}",
                    known.join(", ")
                ),
            )
            .into());
        }
    }
    for column in required {
        if !headers.iter().any(|h| h == *column) {
            return Err(Invalid::new(
                format!("{name} line 1"),
                format!("the header has no {column:?} column"),
            )
            .into());
        }
    }
    let mut items = Vec::new();
    let mut errors = Vec::new();
    for row in reader.records() {
        let row = match row {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                errors.push(format!("{name} line {line}: {e}"));
                continue;
            }
        };
        let line = row.position().map_or(0, |p| p.line());
        match parse(&headers, &row) {
            Ok(new) => items.push((format!("{name} line {line}"), new)),
            Err(e) => errors.push(e.within(format!("{name} line {line}")).to_string()),
        }
    }
    if !errors.is_empty() {
        let total = errors.len();
        errors.truncate(MAX_REPORTED);
        let mut msg = errors.join("\n  ");
        if total > MAX_REPORTED {
            msg.push_str(&format!("\n  … and {} more", total - MAX_REPORTED));
        }
        return Err(Invalid::new(
            &name,
            format!("{total} bad rows, nothing imported:\n  {msg}"),
        )
        .into());
    }
    Ok(items)
}

/// Runs a batch import (all items in one transaction) with a progress bar on a terminal.
pub async fn import_with_progress<T>(
    ctx: &Ctx,
    label: &str,
    items: Vec<T>,
    import: impl AsyncFnOnce(
        Vec<T>,
        &mut (dyn FnMut(usize) + Send),
    ) -> vigilo_store::Result<ImportSummary>,
) -> anyhow::Result<ImportSummary> {
    let progress = Progress::new(ctx.progress, ctx.out.json, label, items.len() as u64);
    let summary = import(items, &mut |done| progress.set(done as u64)).await;
    progress.finish();
    Ok(summary?)
}

/// Prints what an import of `file` did: `{"file", "added", "unchanged"}`.
pub fn emit_summary(
    ctx: &Ctx,
    file: &Path,
    summary: &ImportSummary,
    added: &str,
    unchanged: &str,
) -> anyhow::Result<()> {
    ctx.out.emit(
        &json!({"file": file.display().to_string(), "added": summary.added, "unchanged": summary.unchanged}),
        || {
            format!(
                "{}: {} {added}, {} {unchanged}",
                file.display(),
                summary.added,
                summary.unchanged
            )
        },
    )
}
