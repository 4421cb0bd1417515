//! Debian versions, ordered by `debversion` (dpkg's algorithm). This module only
//! checks the syntax first, so that errors can name the offending character.

use crate::error::ParseFailure;

pub(crate) fn parse(s: &str) -> Result<debversion::Version, ParseFailure> {
    check_syntax(s)?;
    s.parse()
        .map_err(|_| ParseFailure::unpositioned("a dpkg version [epoch:]upstream[-revision]"))
}

/// dpkg's syntax: `[epoch:]upstream[-revision]`. Any colon means an epoch is
/// present, and the revision is everything after the last hyphen.
fn check_syntax(s: &str) -> Result<(), ParseFailure> {
    let upstream_start = match s.find(':') {
        Some(colon) => {
            let epoch = &s[..colon];
            if let Some(bad) = epoch.find(|c: char| !c.is_ascii_digit()) {
                return Err(ParseFailure::at(bad, "a numeric epoch before ':'"));
            }
            if epoch.is_empty() {
                return Err(ParseFailure::at(0, "a numeric epoch before ':'"));
            }
            if epoch.parse::<u32>().is_err() {
                return Err(ParseFailure::at(0, "an epoch of at most 4294967295"));
            }
            colon + 1
        }
        None => 0,
    };
    let rest = &s[upstream_start..];
    let (upstream, revision_start) = match rest.rfind('-') {
        Some(hyphen) => (&rest[..hyphen], Some(upstream_start + hyphen + 1)),
        None => (rest, None),
    };
    if upstream.is_empty() {
        return Err(ParseFailure::at(upstream_start, "an upstream version"));
    }
    if let Some(bad) = upstream
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '+' | '~' | '-' | ':')))
    {
        return Err(ParseFailure::at(
            upstream_start + bad,
            "a letter, digit, '.', '+', '~', '-' or ':' in the upstream version",
        ));
    }
    if let Some(start) = revision_start {
        let revision = &s[start..];
        if revision.is_empty() {
            return Err(ParseFailure::at(start, "a Debian revision after '-'"));
        }
        if let Some(bad) =
            revision.find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '+' | '.' | '~')))
        {
            return Err(ParseFailure::at(
                start + bad,
                "a letter, digit, '+', '.' or '~' in the Debian revision",
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_at_the_offending_character() {
        assert_eq!(
            parse("1.2.3-not-a-debian:version!@#$").unwrap_err().byte,
            Some(1)
        );
        assert_eq!(parse("1:").unwrap_err().byte, Some(2));
        assert_eq!(parse("1.0-").unwrap_err().byte, Some(4));
        assert_eq!(parse("1.0-1_2").unwrap_err().byte, Some(5));
        assert_eq!(parse("1.0!-1").unwrap_err().byte, Some(3));
    }

    #[test]
    fn accepts_colons_in_upstream_after_an_epoch() {
        assert!(parse("1:2:3-4").is_ok());
        assert!(parse("2:0.0.44-nobin").is_ok());
    }
}
