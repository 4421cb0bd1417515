//! What commands print: one JSON object under `--json`, readable text otherwise.

use serde::Serialize;
use std::io::{IsTerminal, Write};

#[derive(Clone, Copy)]
pub struct Output {
    pub json: bool,
}

impl Output {
    /// Prints `value` as JSON, or the text `human` builds.
    pub fn emit<T: Serialize>(
        &self,
        value: &T,
        human: impl FnOnce() -> String,
    ) -> anyhow::Result<()> {
        let mut out = std::io::stdout().lock();
        if self.json {
            serde_json::to_writer_pretty(&mut out, value)?;
            writeln!(out)?;
        } else {
            let text = human();
            write!(out, "{text}")?;
            if !text.ends_with('\n') {
                writeln!(out)?;
            }
        }
        Ok(())
    }
}

/// Left-aligned columns, two spaces apart, with a header row.
pub fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        padded.join("  ").trim_end().to_owned()
    };
    let mut s = line(headers.to_vec());
    s.push('\n');
    for row in rows {
        s.push_str(&line(row.iter().map(String::as_str).collect()));
        s.push('\n');
    }
    if rows.is_empty() {
        s.push_str("(none)\n");
    }
    s
}

/// An instant for people: local time in the organisation's zone (JSON keeps RFC 3339 UTC).
pub fn local(t: jiff::Timestamp, tz: &jiff::tz::TimeZone) -> String {
    t.to_zoned(tz.clone())
        .strftime("%Y-%m-%d %H:%M %Z")
        .to_string()
}

pub fn opt(v: &Option<impl ToString>) -> String {
    v.as_ref()
        .map_or_else(|| "-".to_owned(), ToString::to_string)
}

/// How long-running commands report progress.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ProgressMode {
    /// A bar on a terminal; nothing when piped or under --json.
    Auto,
    /// Plain `LABEL: DONE/TOTAL` lines on stderr (for logs and supervisors).
    Lines,
    /// Nothing.
    None,
}

pub enum Progress {
    Hidden,
    Bar(indicatif::ProgressBar),
    Lines {
        label: String,
        total: u64,
        every: u64,
    },
}

impl Progress {
    pub fn new(mode: ProgressMode, json: bool, label: &str, total: u64) -> Progress {
        match mode {
            ProgressMode::Auto if !json && std::io::stderr().is_terminal() => {
                let bar = indicatif::ProgressBar::new(total);
                bar.set_style(
                    indicatif::ProgressStyle::with_template("{msg} {wide_bar} {pos}/{len} {eta}")
                        .expect("the template is valid"),
                );
                bar.set_message(label.to_owned());
                Progress::Bar(bar)
            }
            ProgressMode::Lines => Progress::Lines {
                label: label.to_owned(),
                total,
                every: (total / 100).max(1),
            },
            _ => Progress::Hidden,
        }
    }

    pub fn set(&self, done: u64) {
        match self {
            Progress::Hidden => {}
            Progress::Bar(bar) => bar.set_position(done),
            Progress::Lines {
                label,
                total,
                every,
            } => {
                if done.is_multiple_of(*every) || done == *total {
                    eprintln!("{label}: {done}/{total}");
                }
            }
        }
    }

    pub fn finish(&self) {
        if let Progress::Bar(bar) = self {
            bar.finish_and_clear();
        }
    }
}

/// Writes `content` to `out`, or as it is to standard output when none is given; with `--out`,
/// the command prints what it wrote (`summary` with the file and its size).
pub fn deliver(
    ctx: &crate::Ctx,
    content: &[u8],
    out: Option<std::path::PathBuf>,
    mut summary: serde_json::Value,
) -> anyhow::Result<()> {
    match out {
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout.write_all(content)?;
            stdout.flush()?;
            Ok(())
        }
        Some(path) => {
            std::fs::write(&path, content)
                .map_err(|e| anyhow::anyhow!("{}: cannot write: {e}", path.display()))?;
            summary["file"] = serde_json::json!(path.display().to_string());
            summary["bytes"] = serde_json::json!(content.len());
            ctx.out
                .emit(&summary, || format!("wrote {}", path.display()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_show_in_the_organisations_zone() {
        let t: jiff::Timestamp = "2026-03-29T00:30:00Z".parse().unwrap();
        let berlin = jiff::tz::TimeZone::get("Europe/Berlin").unwrap();
        assert_eq!(local(t, &berlin), "2026-03-29 01:30 CET");
        let t: jiff::Timestamp = "2026-03-29T01:30:00Z".parse().unwrap();
        assert_eq!(local(t, &berlin), "2026-03-29 03:30 CEST");
    }

    #[test]
    fn tables_align() {
        let t = table(
            &["id", "name"],
            &[
                vec!["1".into(), "Ann".into()],
                vec!["100".into(), "B".into()],
            ],
        );
        assert_eq!(t, "id   name\n1    Ann\n100  B\n");
        assert_eq!(table(&["id"], &[]), "id\n(none)\n");
    }
}
