//! Package identifiers as both formats write them.

use std::collections::HashMap;

use vigilo_purl::Purl;

use crate::SbomWarning;

/// Reads a purl, keeping the component without one when it is invalid.
///
/// Purls with upper-case qualifier keys, which ECMA-427 forbids but older
/// tools still write, are read leniently, as the purl specification
/// recommends, with a warning.
pub(crate) fn purl(text: &str, path: &str, warnings: &mut Vec<SbomWarning>) -> Option<Purl> {
    let strict = match Purl::parse(text) {
        Ok(purl) => return Some(purl),
        Err(error) => error,
    };
    match Purl::parse_lenient(text) {
        Ok(purl) => {
            warnings.push(SbomWarning::at(
                path,
                format!(
                    "purl {text:?} has upper-case qualifier keys, which ECMA-427 forbids; \
                     read as {purl}"
                ),
            ));
            Some(purl)
        }
        Err(_) => {
            warnings.push(SbomWarning::at(
                path,
                format!("{strict}; the component is kept without a purl"),
            ));
            None
        }
    }
}

/// Checks that a CPE uses one of its two bindings. Names are not checked
/// further: partial CPE 2.3 strings such as `cpe:2.3:a:nginx:nginx:1.21.1`
/// are common and still match in NVD's CPE search.
pub(crate) fn cpe(text: &str, path: &str, warnings: &mut Vec<SbomWarning>) -> Option<String> {
    if text.starts_with("cpe:2.3:") || text.starts_with("cpe:/") {
        return Some(text.to_owned());
    }
    warnings.push(SbomWarning::at(
        path,
        format!(
            "expected a CPE 2.3 formatted string (cpe:2.3:...) or a CPE 2.2 URI (cpe:/...), \
             found {text:?}; the component is kept without a CPE"
        ),
    ));
    None
}

/// The identifiers given to elements so far. Both formats require them to be
/// unique in a document; a repeated one still names its element, but
/// references to it are ambiguous, which warns.
pub(crate) struct UniqueIds {
    /// The key the identifiers are written under.
    key: &'static str,
    /// Each identifier, with the path of the first element that has it.
    first: HashMap<String, String>,
}

impl UniqueIds {
    pub(crate) fn new(key: &'static str) -> Self {
        Self {
            key,
            first: HashMap::new(),
        }
    }

    /// Records the identifier of the element at `owner`.
    pub(crate) fn record(&mut self, id: &str, owner: &str, warnings: &mut Vec<SbomWarning>) {
        let key = self.key;
        match self.first.get(id) {
            Some(first) => warnings.push(SbomWarning::at(
                format!("{owner}.{key}"),
                format!("expected a unique {key}, found {id:?}, which {first} also has"),
            )),
            None => {
                self.first.insert(id.to_owned(), owner.to_owned());
            }
        }
    }

    pub(crate) fn ids(&self) -> impl Iterator<Item = &str> {
        self.first.keys().map(String::as_str)
    }
}
