//! The customer-facing security advisory as one self-contained, printable HTML page.

use std::fmt::Write;

use jiff::Timestamp;

use crate::{SecurityAdvisory, VexError, check_advisory, scores};

const STYLE: &str = "\
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#111;max-width:52rem;margin:2rem auto;padding:0 1rem;line-height:1.45}
h1{font-size:1.6rem;margin:.2rem 0 1rem}h2{font-size:1.15rem;margin:1.6rem 0 .5rem;border-bottom:1px solid #999}
.publisher{color:#444;margin:0}
table{border-collapse:collapse;width:100%}th,td{border:1px solid #999;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#eee}table.meta th{width:12rem}
.severity{font-weight:bold;text-transform:uppercase}
code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.9em;overflow-wrap:anywhere}
footer{margin-top:2rem;font-size:.85rem;color:#444}
@media print{body{margin:0;max-width:none}a{color:inherit}a[href]::after{content:' (' attr(href) ')';font-size:.8em}h2{break-after:avoid}tr{break-inside:avoid}}
";

/// Writes the advisory as a complete HTML page with inline styles and no external resources,
/// so that it prints and archives as it is. Every input string is escaped.
pub fn advisory_html(advisory: &SecurityAdvisory) -> Result<String, VexError> {
    check_advisory(advisory)?;
    let label = advisory.cve.as_deref().unwrap_or(&advisory.id);
    let scores = scores(label, &advisory.cvss)?;
    let e = escape;
    let mut h = String::new();
    // Writing to a String cannot fail.
    let mut w = |s: String| h.push_str(&s);

    w(format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{} – {}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n<header>\n\
         <p class=\"publisher\">Security advisory from {}</p>\n<h1>{}</h1>\n</header>\n",
        e(&advisory.id),
        e(&advisory.title),
        e(&advisory.publisher.name),
        e(&advisory.title)
    ));

    w("<table class=\"meta\">\n".into());
    let row = |name: &str, value: String| {
        format!("<tr><th scope=\"row\">{name}</th><td>{value}</td></tr>\n")
    };
    let mut meta = String::new();
    meta += &row("Advisory", e(&advisory.id));
    meta += &row("Revision", advisory.revision.to_string());
    meta += &row("Published", date(advisory.published));
    meta += &row("Last updated", date(advisory.updated));
    meta += &row(
        "CVE",
        advisory
            .cve
            .as_deref()
            .map_or_else(|| "none assigned".into(), e),
    );
    if !advisory.other_ids.is_empty() {
        let ids: Vec<String> = advisory.other_ids.iter().map(|i| e(i)).collect();
        meta += &row("Other identifiers", ids.join(", "));
    }
    let severity = scores
        .iter()
        .max_by(|a, b| a.severity.cmp(&b.severity).then(a.version.cmp(&b.version)))
        .map_or_else(
            || "not scored".into(),
            |s| {
                format!(
                    "<span class=\"severity\">{}</span> (CVSS {} base score {:.1})",
                    s.severity, s.version, s.base_score
                )
            },
        );
    meta += &row("Severity", severity);
    w(meta);
    w("</table>\n".into());

    w(format!(
        "<h2>Summary</h2>\n{}",
        paragraphs(&advisory.summary)
    ));

    w("<h2>Affected products</h2>\n<table>\n<thead><tr><th scope=\"col\">Product</th>\
       <th scope=\"col\">Affected versions</th><th scope=\"col\">Fixed in</th></tr></thead>\n<tbody>\n"
        .into());
    let mut affected: Vec<_> = advisory.affected.iter().collect();
    affected.sort_by(|a, b| a.product_id.cmp(&b.product_id));
    for product in affected {
        let versions: Vec<String> = product.versions.iter().map(|v| e(v)).collect();
        w(format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>\n",
            e(&product.name),
            versions.join(", "),
            product
                .fixed_in
                .as_deref()
                .map_or_else(|| "no fixed version yet".into(), e)
        ));
    }
    w("</tbody>\n</table>\n".into());

    if !scores.is_empty() {
        w(
            "<h2>Severity</h2>\n<table>\n<thead><tr><th scope=\"col\">CVSS</th>\
           <th scope=\"col\">Base score</th><th scope=\"col\">Severity</th>\
           <th scope=\"col\">Vector</th></tr></thead>\n<tbody>\n"
                .into(),
        );
        for s in &scores {
            w(format!(
                "<tr><td>{}</td><td>{:.1}</td><td class=\"severity\">{}</td><td><code>{}</code></td></tr>\n",
                s.version,
                s.base_score,
                s.severity,
                e(&s.vector)
            ));
        }
        w("</tbody>\n</table>\n".into());
    }

    w(format!(
        "<h2>Recommended action</h2>\n{}",
        paragraphs(&advisory.recommended_action)
    ));

    if !advisory.verification_steps.is_empty() {
        w("<h2>Verification steps</h2>\n<ol>\n".into());
        for step in &advisory.verification_steps {
            w(format!("<li>{}</li>\n", e(step)));
        }
        w("</ol>\n".into());
    }

    if !advisory.references.is_empty() {
        w("<h2>References</h2>\n<ul>\n".into());
        for reference in &advisory.references {
            // Only web links become anchors: a `javascript:` or `data:` URL from the input
            // must never be clickable.
            if reference.starts_with("https://") || reference.starts_with("http://") {
                w(format!("<li><a href=\"{0}\">{0}</a></li>\n", e(reference)));
            } else {
                w(format!("<li>{}</li>\n", e(reference)));
            }
        }
        w("</ul>\n".into());
    }

    w(
        "<h2>Revision history</h2>\n<table>\n<thead><tr><th scope=\"col\">Revision</th>\
       <th scope=\"col\">Date</th><th scope=\"col\">Summary</th></tr></thead>\n<tbody>\n"
            .into(),
    );
    for revision in &advisory.history {
        w(format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>\n",
            revision.number,
            date(revision.date),
            e(&revision.summary)
        ));
    }
    w("</tbody>\n</table>\n".into());

    let mut footer = format!("<footer>\n<p>Published by {}", e(&advisory.publisher.name));
    if let Some(contact) = &advisory.publisher.contact {
        let _ = write!(footer, ". Contact: {}", e(contact));
    }
    footer.push_str(".</p>\n</footer>\n</body>\n</html>\n");
    w(footer);
    Ok(h)
}

fn date(ts: Timestamp) -> String {
    ts.strftime("%Y-%m-%d %H:%M UTC").to_string()
}

/// Blank lines in free text separate paragraphs; single newlines become line breaks.
fn paragraphs(text: &str) -> String {
    text.split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| {
            let lines: Vec<String> = p.lines().map(escape).collect();
            format!("<p>{}</p>\n", lines.join("<br>\n"))
        })
        .collect()
}

/// Escapes text for element content and double- or single-quoted attribute values.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_covers_markup_and_both_quotes() {
        assert_eq!(
            escape(r#"<a href="x" onclick='y'>&</a>"#),
            "&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;"
        );
    }

    #[test]
    fn paragraphs_split_on_blank_lines() {
        assert_eq!(
            paragraphs("one\ntwo\n\n<three>\n"),
            "<p>one<br>\ntwo</p>\n<p>&lt;three&gt;</p>\n"
        );
    }
}
