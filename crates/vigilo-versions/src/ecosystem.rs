//! OSV ecosystem names.

use std::fmt;
use std::str::FromStr;

use crate::VersionError;

/// An OSV ecosystem whose versions this crate can order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Ecosystem {
    Npm,
    PyPI,
    Maven,
    Go,
    CratesIo,
    NuGet,
    RubyGems,
    Packagist,
    Debian,
    Alpine,
    Hex,
    Pub,
}

impl Ecosystem {
    /// Every supported ecosystem, in declaration order.
    pub const ALL: [Ecosystem; 12] = [
        Ecosystem::Npm,
        Ecosystem::PyPI,
        Ecosystem::Maven,
        Ecosystem::Go,
        Ecosystem::CratesIo,
        Ecosystem::NuGet,
        Ecosystem::RubyGems,
        Ecosystem::Packagist,
        Ecosystem::Debian,
        Ecosystem::Alpine,
        Ecosystem::Hex,
        Ecosystem::Pub,
    ];

    /// The ecosystem's name as spelled in OSV records.
    pub fn as_str(&self) -> &'static str {
        match self {
            Ecosystem::Npm => "npm",
            Ecosystem::PyPI => "PyPI",
            Ecosystem::Maven => "Maven",
            Ecosystem::Go => "Go",
            Ecosystem::CratesIo => "crates.io",
            Ecosystem::NuGet => "NuGet",
            Ecosystem::RubyGems => "RubyGems",
            Ecosystem::Packagist => "Packagist",
            Ecosystem::Debian => "Debian",
            Ecosystem::Alpine => "Alpine",
            Ecosystem::Hex => "Hex",
            Ecosystem::Pub => "Pub",
        }
    }
}

impl fmt::Display for Ecosystem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Ecosystem {
    type Err = VersionError;

    /// Accepts the exact OSV spelling, optionally with an OSV release suffix such as
    /// `Debian:12` or `Alpine:v3.18`; the suffix names a distribution release and
    /// does not change how versions are ordered.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let base = match s.split_once(':') {
            Some((base, suffix)) if !suffix.is_empty() => base,
            Some(_) => "",
            None => s,
        };
        Ecosystem::ALL
            .into_iter()
            .find(|e| e.as_str() == base)
            .ok_or_else(|| VersionError::UnknownEcosystem {
                input: s.to_owned(),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_every_osv_spelling() {
        for eco in Ecosystem::ALL {
            assert_eq!(eco.as_str().parse::<Ecosystem>(), Ok(eco));
            assert_eq!(eco.to_string(), eco.as_str());
        }
    }

    #[test]
    fn ignores_release_suffixes() {
        assert_eq!("Debian:12".parse(), Ok(Ecosystem::Debian));
        assert_eq!("Alpine:v3.18".parse(), Ok(Ecosystem::Alpine));
        assert!("Debian:".parse::<Ecosystem>().is_err());
    }

    #[test]
    fn rejects_unknown_names_listing_the_accepted_ones() {
        let err = "pypi".parse::<Ecosystem>().unwrap_err();
        let message = err.to_string();
        assert!(message.contains("\"pypi\""), "{message}");
        for eco in Ecosystem::ALL {
            assert!(message.contains(eco.as_str()), "{message}");
        }
    }
}
