//! The outputs for the worked example, reviewed once and pinned.

mod common;

use vigilo_vex::{advisory_html, csaf_advisory, csaf_vex, cyclonedx, openvex};

#[test]
fn cyclonedx_vex() {
    insta::assert_json_snapshot!(cyclonedx(&common::pump_x()).unwrap());
}

#[test]
fn cyclonedx_vex_with_embedded_components() {
    let mut doc = common::pump_x();
    doc.product.sbom_serial = None;
    doc.product.sbom_version = None;
    doc.product.purl = Some("pkg:generic/acme/pump-x@2.1.0".into());
    insta::assert_json_snapshot!(cyclonedx(&doc).unwrap());
}

#[test]
fn openvex_document() {
    insta::assert_json_snapshot!(openvex(&common::pump_x()).unwrap());
}

#[test]
fn csaf_vex_document() {
    insta::assert_json_snapshot!(csaf_vex(&common::pump_x()).unwrap());
}

#[test]
fn csaf_security_advisory() {
    insta::assert_json_snapshot!(csaf_advisory(&common::advisory()).unwrap());
}

#[test]
fn advisory_page() {
    insta::assert_snapshot!(advisory_html(&common::advisory()).unwrap());
}

/// The store hands statements over in no particular order; the documents must not show it.
#[test]
fn outputs_do_not_depend_on_statement_order() {
    let doc = common::pump_x();
    let mut reversed = doc.clone();
    reversed.statements.reverse();
    assert_eq!(cyclonedx(&doc), cyclonedx(&reversed));
    assert_eq!(openvex(&doc), openvex(&reversed));
    assert_eq!(csaf_vex(&doc), csaf_vex(&reversed));

    let advisory = common::advisory();
    let mut reversed = advisory.clone();
    reversed.affected.reverse();
    assert_eq!(csaf_advisory(&advisory), csaf_advisory(&reversed));
    assert_eq!(advisory_html(&advisory), advisory_html(&reversed));
}

#[test]
fn html_escapes_every_field_and_links_only_web_urls() {
    let (_, hostile) = common::advisory_variants().pop().unwrap();
    let page = advisory_html(&hostile).unwrap();
    assert!(!page.contains("<script>"), "{page}");
    assert!(page.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; co"));
    assert!(!page.contains("href=\"javascript:"));
    assert!(page.contains("<li>javascript:alert(1)</li>"));
    assert!(page.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
    assert!(page.ends_with("</body>\n</html>\n"));
    // Self-contained: nothing is loaded from elsewhere when the page is opened or printed.
    assert!(!page.contains("<link") && !page.contains("<script") && !page.contains("src="));
}
