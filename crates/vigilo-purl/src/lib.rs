//! Package URL (purl) parsing, validation and canonicalisation for Vigilo.
//!
//! Follows ECMA-427 and the purl-spec type definitions at package-url/purl-spec
//! 16f3d0e39343d47d1ac3d559b7e110f25eac1513, whose test suite runs in this
//! crate's tests.
//!
//! ```
//! use vigilo_purl::Purl;
//!
//! let purl: Purl = "pkg:PYPI/Django_package@1.11.1.dev1".parse().unwrap();
//! assert_eq!(purl.name, "django-package");
//! assert_eq!(purl.to_string(), "pkg:pypi/django-package@1.11.1.dev1");
//! ```
//!
//! The `packageurl` crate was not used: against this suite it fails 18 of the
//! 410 parse and canonical-form cases, because its per-type rules are an
//! older, fixed snapshot and it lowercases qualifier keys that ECMA-427
//! requires to be rejected; its errors also carry no position. Percent-encoding
//! itself is left to the `percent-encoding` crate.

mod error;
mod parse;
mod syntax;
mod types;

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Serialize, Serializer};

pub use error::{Component, PurlError};

/// A package URL split into its decoded components.
///
/// Values returned by [`Purl::parse`], [`Purl::parse_lenient`] and
/// [`Purl::canonicalize`] are canonical: the type is lowercase, the type's
/// normalisation rules are applied and empty parts are `None`. `Display`
/// writes the components as they are, so parts assembled by hand should go
/// through [`Purl::canonicalize`] first.
///
/// Serialises with the keys `type`, `namespace`, `name`, `version`,
/// `qualifiers` and `subpath`, absent parts (and empty qualifiers) as `null`,
/// the shape the purl-spec test suite uses.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Purl {
    #[serde(rename = "type")]
    pub ty: String,
    pub namespace: Option<String>,
    pub name: String,
    pub version: Option<String>,
    #[serde(serialize_with = "null_if_empty")]
    pub qualifiers: BTreeMap<String, String>,
    pub subpath: Option<String>,
}

fn null_if_empty<S: Serializer>(
    qualifiers: &BTreeMap<String, String>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    if qualifiers.is_empty() {
        serializer.serialize_none()
    } else {
        qualifiers.serialize(serializer)
    }
}

impl Purl {
    /// Parses a purl string as ECMA-427 requires: qualifier keys must already
    /// be lowercase.
    pub fn parse(input: &str) -> Result<Self, PurlError> {
        parse::parse(input, parse::Keys::Strict)
    }

    /// Parses like [`Purl::parse`] but lowercases qualifier keys, as the first
    /// purl specification did and as SBOMs written by older tools still need
    /// (`pkg:rpm/fedora/curl@7.50.3?Arch=i386`). This is also the remediation
    /// shown by the "recommended" cases of the purl-spec test suite.
    pub fn parse_lenient(input: &str) -> Result<Self, PurlError> {
        parse::parse(input, parse::Keys::Fold)
    }

    /// Builds the canonical purl from decoded components, following the
    /// specification's building steps: the type is checked and lowercased,
    /// empty segments of the namespace and subpath (and of git names) are
    /// dropped, as are `.` and `..` subpath segments and qualifiers with empty
    /// values, qualifier keys are lowercased and checked, and the type's rules
    /// are applied. Canonical parts, such as those [`Purl::parse`] returns,
    /// come back unchanged.
    pub fn canonicalize(self) -> Result<Self, PurlError> {
        let ty = syntax::check_type(&self.ty).map_err(|flaw| {
            PurlError::new(&self.ty, flaw.offset, Component::Type, flaw.expected)
        })?;
        let namespace = self
            .namespace
            .as_deref()
            .map(|namespace| syntax::tidy_path(namespace, |_| true))
            .filter(|namespace| !namespace.is_empty());
        // Other names are opaque and may hold a '/', so only git's are tidied.
        let name = if types::name_is_path(&ty) {
            syntax::tidy_path(&self.name, |_| true)
        } else {
            self.name
        };
        if name.is_empty() {
            return Err(PurlError::new(&name, 0, Component::Name, "a name"));
        }
        let mut qualifiers = BTreeMap::new();
        for (key, value) in self
            .qualifiers
            .into_iter()
            .filter(|(_, value)| !value.is_empty())
        {
            let folded = syntax::check_key(&key, true).map_err(|flaw| {
                PurlError::new(&key, flaw.offset, Component::Qualifiers, flaw.expected)
            })?;
            if qualifiers.contains_key(&folded) {
                return Err(PurlError::new(
                    &key,
                    0,
                    Component::Qualifiers,
                    "each qualifier key once, ignoring case",
                ));
            }
            qualifiers.insert(folded, value);
        }
        let mut purl = Self {
            ty,
            namespace,
            name,
            version: self.version.filter(|version| !version.is_empty()),
            qualifiers,
            subpath: self
                .subpath
                .as_deref()
                .map(|subpath| {
                    syntax::tidy_path(subpath, |segment| !syntax::is_dot_segment(segment))
                })
                .filter(|subpath| !subpath.is_empty()),
        };
        types::apply(&mut purl).map_err(|violation| {
            PurlError::new(
                &purl.text_of(violation.component),
                0,
                violation.component,
                violation.expected,
            )
        })?;
        Ok(purl)
    }

    /// The decoded value of a component, for error reports.
    fn text_of(&self, component: Component) -> String {
        match component {
            Component::Scheme => "pkg".to_owned(),
            Component::Type => self.ty.clone(),
            Component::Namespace => self.namespace.clone().unwrap_or_default(),
            Component::Name => self.name.clone(),
            Component::Version => self.version.clone().unwrap_or_default(),
            Component::Qualifiers => self
                .qualifiers
                .iter()
                .map(|(key, value)| format!("{key}={value}"))
                .collect::<Vec<_>>()
                .join("&"),
            Component::Subpath => self.subpath.clone().unwrap_or_default(),
        }
    }
}

impl FromStr for Purl {
    type Err = PurlError;

    fn from_str(input: &str) -> Result<Self, PurlError> {
        Self::parse(input)
    }
}

/// Writes the non-empty, kept segments of `path`, percent-encoded, with
/// `lead` before the first and '/' between them. Returns whether any was written.
fn write_segments(
    f: &mut fmt::Formatter<'_>,
    lead: &str,
    path: &str,
    keep: fn(&str) -> bool,
) -> Result<bool, fmt::Error> {
    let mut separator = lead;
    for (_, segment) in syntax::segments(path, '/').filter(|(_, segment)| keep(segment)) {
        write!(f, "{separator}{}", syntax::encode(segment))?;
        separator = "/";
    }
    Ok(separator == "/")
}

/// The canonical purl string (ECMA-427 "How to build").
impl fmt::Display for Purl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "pkg:{}/", self.ty)?;
        if let Some(namespace) = &self.namespace
            && write_segments(f, "", namespace, |_| true)?
        {
            f.write_str("/")?;
        }
        if types::name_is_path(&self.ty) {
            write_segments(f, "", &self.name, |_| true)?;
        } else {
            write!(f, "{}", syntax::encode(&self.name))?;
        }
        if let Some(version) = self
            .version
            .as_deref()
            .filter(|version| !version.is_empty())
        {
            write!(f, "@{}", syntax::encode(version))?;
        }
        let mut separator = '?';
        for (key, value) in self
            .qualifiers
            .iter()
            .filter(|(_, value)| !value.is_empty())
        {
            write!(f, "{separator}{key}={}", syntax::encode(value))?;
            separator = '&';
        }
        if let Some(subpath) = &self.subpath {
            write_segments(f, "#", subpath, |segment| !syntax::is_dot_segment(segment))?;
        }
        Ok(())
    }
}
