//! A subset of the CSAF 2.0 mandatory tests (§6.1), enough to cover what vigilo-vex writes.
//! Each check is run against the OASIS test documents in tests/data/csaf-mandatory as well, so
//! that a check which never fails cannot pass unnoticed.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

/// The §6.1 tests implemented here.
pub const IMPLEMENTED: &[&str] = &[
    "6.1.1",
    "6.1.2",
    "6.1.6",
    "6.1.7",
    "6.1.9",
    "6.1.21",
    "6.1.22",
    "6.1.23",
    "6.1.27.4",
    "6.1.27.5",
    "6.1.27.6",
    "6.1.27.7",
    "6.1.27.8",
    "6.1.27.9",
    "6.1.27.10",
    "6.1.27.11",
    "6.1.29",
    "6.1.32",
    "6.1.33",
];

fn strings(value: Option<&Value>) -> Vec<String> {
    value
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

fn array(value: Option<&Value>) -> &[Value] {
    value.and_then(Value::as_array).map_or(&[], Vec::as_slice)
}

/// Every product id the product tree defines, with repeats.
fn defined_products(tree: &Value) -> Vec<String> {
    fn branches(list: &[Value], out: &mut Vec<String>) {
        for b in list {
            if let Some(id) = b.pointer("/product/product_id").and_then(Value::as_str) {
                out.push(id.to_owned());
            }
            branches(array(b.get("branches")), out);
        }
    }
    let mut out = Vec::new();
    branches(array(tree.get("branches")), &mut out);
    for p in array(tree.get("full_product_names")) {
        out.extend(
            p.get("product_id")
                .and_then(Value::as_str)
                .map(str::to_owned),
        );
    }
    for r in array(tree.get("relationships")) {
        out.extend(
            r.pointer("/full_product_name/product_id")
                .and_then(Value::as_str)
                .map(str::to_owned),
        );
    }
    out
}

fn groups(doc: &Value) -> BTreeMap<String, Vec<String>> {
    array(doc.pointer("/product_tree/product_groups"))
        .iter()
        .filter_map(|g| {
            Some((
                g.get("group_id")?.as_str()?.to_owned(),
                strings(g.get("product_ids")),
            ))
        })
        .collect()
}

/// Product ids a flag, threat or remediation names directly and through its product groups.
fn products_of(item: &Value, groups: &BTreeMap<String, Vec<String>>) -> Vec<String> {
    let mut ids = strings(item.get("product_ids"));
    for group in strings(item.get("group_ids")) {
        ids.extend(groups.get(&group).cloned().unwrap_or_default());
    }
    ids
}

const STATUS_GROUPS: &[(&str, &[&str])] = &[
    (
        "affected",
        &["first_affected", "known_affected", "last_affected"],
    ),
    ("not_affected", &["known_not_affected"]),
    ("fixed", &["first_fixed", "fixed"]),
    ("under_investigation", &["under_investigation"]),
];

/// The ids of the implemented tests that `doc` fails.
pub fn failures(doc: &Value) -> BTreeSet<&'static str> {
    let mut failed = BTreeSet::new();
    let category = doc
        .pointer("/document/category")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let vex = category == "csaf_vex";
    let profiled = vex || category == "csaf_security_advisory";
    let tree = doc.get("product_tree");
    let vulnerabilities = array(doc.get("vulnerabilities"));
    let groups = groups(doc);

    let defined = tree.map(defined_products).unwrap_or_default();
    let defined_set: BTreeSet<&String> = defined.iter().collect();
    if defined_set.len() != defined.len() {
        failed.insert("6.1.2");
    }

    // 6.1.1: every reference to a product id must find its definition.
    let mut referenced = Vec::new();
    if let Some(tree) = tree {
        for r in array(tree.get("relationships")) {
            for key in ["product_reference", "relates_to_product_reference"] {
                referenced.extend(r.get(key).and_then(Value::as_str).map(str::to_owned));
            }
        }
        for g in array(tree.get("product_groups")) {
            referenced.extend(strings(g.get("product_ids")));
        }
    }
    for v in vulnerabilities {
        if let Some(status) = v.get("product_status").and_then(Value::as_object) {
            for list in status.values() {
                referenced.extend(strings(Some(list)));
            }
        }
        for (key, ids) in [
            ("remediations", "product_ids"),
            ("scores", "products"),
            ("threats", "product_ids"),
            ("flags", "product_ids"),
        ] {
            for item in array(v.get(key)) {
                referenced.extend(strings(item.get(ids)));
            }
        }
    }
    if referenced.iter().any(|id| !defined_set.contains(id)) {
        failed.insert("6.1.1");
    }

    let mut cves = BTreeSet::new();
    for v in vulnerabilities {
        if let Some(cve) = v.get("cve").and_then(Value::as_str)
            && !cves.insert(cve)
        {
            failed.insert("6.1.23");
        }

        // 6.1.6: one product, one status group.
        let mut group_of: BTreeMap<String, &str> = BTreeMap::new();
        for (group, keys) in STATUS_GROUPS {
            for key in *keys {
                for id in strings(v.pointer(&format!("/product_status/{key}"))) {
                    if group_of.insert(id, group).is_some_and(|g| g != *group) {
                        failed.insert("6.1.6");
                    }
                }
            }
        }

        // 6.1.7 and 6.1.9.
        let mut seen = BTreeSet::new();
        for score in array(v.get("scores")) {
            for key in ["cvss_v2", "cvss_v3"] {
                let Some(cvss) = score.get(key) else { continue };
                let version = cvss.get("version").and_then(Value::as_str).unwrap_or("?");
                for id in strings(score.get("products")) {
                    if !seen.insert((id, version.to_owned())) {
                        failed.insert("6.1.7");
                    }
                }
                if !cvss_computation_holds(key, cvss) {
                    failed.insert("6.1.9");
                }
            }
        }

        for key in ["remediations", "flags"] {
            for item in array(v.get(key)) {
                if strings(item.get("product_ids")).is_empty()
                    && strings(item.get("group_ids")).is_empty()
                {
                    failed.insert(if key == "flags" { "6.1.32" } else { "6.1.29" });
                }
            }
        }

        // 6.1.33: at most one VEX justification flag per product.
        let mut flagged = BTreeSet::new();
        for flag in array(v.get("flags")) {
            for id in products_of(flag, &groups) {
                if !flagged.insert(id) {
                    failed.insert("6.1.33");
                }
            }
        }

        if profiled {
            if v.get("notes").is_none() {
                failed.insert("6.1.27.5");
            }
            if v.get("product_status").is_none() {
                failed.insert("6.1.27.6");
            }
        }
        if vex {
            let status = v.get("product_status");
            let has_vex_status = [
                "fixed",
                "known_affected",
                "known_not_affected",
                "under_investigation",
            ]
            .iter()
            .any(|k| status.and_then(|s| s.get(k)).is_some());
            if !has_vex_status {
                failed.insert("6.1.27.7");
            }
            if v.get("cve").is_none() && v.get("ids").is_none() {
                failed.insert("6.1.27.8");
            }
            let mut explained = BTreeSet::new();
            for flag in array(v.get("flags")) {
                explained.extend(products_of(flag, &groups));
            }
            for threat in array(v.get("threats")) {
                if threat.get("category").and_then(Value::as_str) == Some("impact") {
                    explained.extend(products_of(threat, &groups));
                }
            }
            if strings(v.pointer("/product_status/known_not_affected"))
                .iter()
                .any(|id| !explained.contains(id))
            {
                failed.insert("6.1.27.9");
            }
            let mut remedied = BTreeSet::new();
            for remediation in array(v.get("remediations")) {
                remedied.extend(products_of(remediation, &groups));
            }
            if strings(v.pointer("/product_status/known_affected"))
                .iter()
                .any(|id| !remedied.contains(id))
            {
                failed.insert("6.1.27.10");
            }
        }
    }

    if profiled {
        if tree.is_none() {
            failed.insert("6.1.27.4");
        }
        if doc.get("vulnerabilities").is_none() {
            failed.insert("6.1.27.11");
        }
    }

    // 6.1.21 and 6.1.22, for integer versioning (the only kind vigilo-vex writes).
    let numbers: Vec<String> = array(doc.pointer("/document/tracking/revision_history"))
        .iter()
        .filter_map(|r| r.get("number").and_then(Value::as_str).map(str::to_owned))
        .collect();
    let unique: BTreeSet<&String> = numbers.iter().collect();
    if unique.len() != numbers.len() {
        failed.insert("6.1.22");
    }
    let integers: Option<Vec<u64>> = numbers.iter().map(|n| n.parse().ok()).collect();
    if let Some(mut integers) = integers {
        integers.sort_unstable();
        integers.dedup();
        let first = integers.first().copied().unwrap_or(1);
        let consecutive = integers
            .iter()
            .enumerate()
            .all(|(i, n)| *n == first + i as u64);
        if first > 1 || !consecutive {
            failed.insert("6.1.21");
        }
    }
    failed
}

/// 6.1.9 for the base score and severity: what the document states must be what the vector
/// computes to.
fn cvss_computation_holds(key: &str, cvss: &Value) -> bool {
    let Some(vector) = cvss.get("vectorString").and_then(Value::as_str) else {
        return true;
    };
    let Ok(score) = vigilo_cvss::score(vector) else {
        return false;
    };
    let stated = cvss.get("baseScore").and_then(Value::as_f64);
    if stated != Some(score.base_score) {
        return false;
    }
    key == "cvss_v2"
        || cvss.get("baseSeverity").and_then(Value::as_str)
            == Some(score.severity.to_string().to_uppercase().as_str())
}
