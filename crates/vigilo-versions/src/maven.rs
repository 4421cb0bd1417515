//! Maven versions, ordered by the Maven "Version Order Specification"
//! (<https://maven.apache.org/pom.html#Version_Order_Specification>), the ordering
//! OSV prescribes for Maven and the one `ComparableVersion` implements.
//! Hand-written because no Rust crate implements it; like `ComparableVersion`,
//! every string is accepted.
//!
//! A version is split into tokens at `.`, at `-` and wherever digits and other
//! characters meet (which counts as `-`); empty tokens are `0`. Trailing "null"
//! tokens (`0`, `ga`, `final`, `release`, the empty string) are trimmed at the end
//! and before every remaining hyphen. Versions then compare token by token, the
//! shorter one padded with nulls. Qualifiers order as
//! `alpha` = `a` < `beta` = `b` < `milestone` = `m` < `rc` = `cr` < `snapshot`
//! < null < `sp` < any other word (alphabetically, case-insensitively), and between
//! tokens of different separators `.qualifier` < `-qualifier` < `-number` < `.number`.
//!
//! Those rules are not a total order: comparing with the padding looks past
//! nulls, which the separator rule does not, so Maven's own 3.8
//! `ComparableVersion` has cycles such as `2.9.0.RC1` < `2.9.0` < `2.9.0-1` <
//! `2.9.0.RC1`. To get a total order, each token first counts as below or above a
//! version's end (looking past nulls, as the padding comparison does), and only
//! tokens on the same side compare by separator and value. That keeps every
//! comparison with a shorter version, and every comparison within one side, as
//! the specification has it; across sides (`-1` against `.0.RC1`, `-alpha`
//! against `.sp`) the side decides.

use std::cmp::Ordering;

use crate::num::Num;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct MavenVersion {
    /// Always ends with [`Element::End`], so the derived lexicographic order
    /// compares a version's continuation against another's end.
    elements: Vec<Element>,
}

/// Variant order: below a version's end, the end itself, above it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Element {
    Below(Token),
    End,
    Above(Token),
}

/// Variant order is the separator rule `.qualifier` < `-qualifier` < `-number` < `.number`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Token {
    DotQualifier(Qualifier),
    HyphenQualifier(Qualifier),
    HyphenNumber(Num),
    DotNumber(Num),
}

/// Variant order is the specification's qualifier order.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Qualifier {
    Alpha,
    Beta,
    Milestone,
    Rc,
    Snapshot,
    Release,
    Sp,
    Other(Box<str>),
}

impl Qualifier {
    fn new(text: &str, followed_by_number: bool) -> Qualifier {
        match text {
            "a" if followed_by_number => Qualifier::Alpha,
            "b" if followed_by_number => Qualifier::Beta,
            "m" if followed_by_number => Qualifier::Milestone,
            "alpha" => Qualifier::Alpha,
            "beta" => Qualifier::Beta,
            "milestone" => Qualifier::Milestone,
            "rc" | "cr" => Qualifier::Rc,
            "snapshot" => Qualifier::Snapshot,
            "" | "ga" | "final" | "release" => Qualifier::Release,
            "sp" => Qualifier::Sp,
            other => Qualifier::Other(other.into()),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Separator {
    /// Also used for the first token, which `ComparableVersion` treats alike.
    Dot,
    Hyphen,
}

enum Value {
    Number(Num),
    Qualifier(Qualifier),
}

struct RawToken {
    separator: Separator,
    value: Value,
}

impl RawToken {
    /// Whether this token alone makes a version newer or older than its end;
    /// `Equal` for nulls, whose side is decided by what follows them.
    fn side(&self) -> Ordering {
        match &self.value {
            Value::Number(n) if n.is_zero() => Ordering::Equal,
            Value::Number(_) => Ordering::Greater,
            Value::Qualifier(q) => q.cmp(&Qualifier::Release),
        }
    }

    fn into_token(self) -> Token {
        match (self.separator, self.value) {
            (Separator::Dot, Value::Number(n)) => Token::DotNumber(n),
            (Separator::Hyphen, Value::Number(n)) => Token::HyphenNumber(n),
            (Separator::Dot, Value::Qualifier(q)) => Token::DotQualifier(q),
            (Separator::Hyphen, Value::Qualifier(q)) => Token::HyphenQualifier(q),
        }
    }
}

pub(crate) fn parse(s: &str) -> MavenVersion {
    let lowered = s.to_lowercase();
    let mut tokens = tokenize(&lowered);
    trim_nulls(&mut tokens);
    let mut elements = vec![Element::End];
    let mut side = Ordering::Equal;
    // Built back to front, so that each null takes the side of what follows it;
    // nulls with nothing after them (a lone `0` or `ga`) are dropped.
    while let Some(token) = tokens.pop() {
        if token.side().is_ne() {
            side = token.side();
        }
        let token = token.into_token();
        match side {
            Ordering::Less => elements.push(Element::Below(token)),
            Ordering::Greater => elements.push(Element::Above(token)),
            Ordering::Equal => {}
        }
    }
    elements.reverse();
    MavenVersion { elements }
}

fn tokenize(version: &str) -> Vec<RawToken> {
    let mut tokens = Vec::new();
    let mut separator = Separator::Dot;
    let mut rest = version;
    loop {
        let end = rest.find(['.', '-']).unwrap_or(rest.len());
        push_field(&mut tokens, separator, &rest[..end]);
        let Some(next) = rest[end..].chars().next() else {
            return tokens;
        };
        separator = if next == '-' {
            Separator::Hyphen
        } else {
            Separator::Dot
        };
        rest = &rest[end + 1..];
    }
}

/// Splits one field between separators where digits and other characters meet;
/// every piece after the first is hyphen-led. An empty field is `0`.
fn push_field(tokens: &mut Vec<RawToken>, separator: Separator, field: &str) {
    if field.is_empty() {
        tokens.push(RawToken {
            separator,
            value: Value::Number(Num::ZERO),
        });
        return;
    }
    let mut separator = separator;
    let mut rest = field;
    while !rest.is_empty() {
        let is_digit = rest.starts_with(|c: char| c.is_ascii_digit());
        let len = rest
            .find(|c: char| c.is_ascii_digit() != is_digit)
            .unwrap_or(rest.len());
        let (piece, tail) = rest.split_at(len);
        let value = if is_digit {
            Value::Number(Num::from_digits(piece))
        } else {
            Value::Qualifier(Qualifier::new(piece, !tail.is_empty()))
        };
        tokens.push(RawToken { separator, value });
        separator = Separator::Hyphen;
        rest = tail;
    }
}

/// Removes null tokens at the end and before each remaining hyphen, from the end
/// to the start; the first token always stays.
fn trim_nulls(tokens: &mut Vec<RawToken>) {
    let mut i = tokens.len().saturating_sub(1);
    while i > 0 {
        if tokens[i].side().is_eq() {
            tokens.remove(i);
            i -= 1;
            continue;
        }
        // Skip back over this hyphen-led group to the token just before its hyphen.
        while tokens[i].separator != Separator::Hyphen {
            if i == 0 {
                return;
            }
            i -= 1;
        }
        if i == 0 {
            return;
        }
        i -= 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmp(a: &str, b: &str) -> Ordering {
        parse(a).cmp(&parse(b))
    }

    #[test]
    fn trims_nulls_at_the_end_and_before_each_hyphen() {
        assert_eq!(cmp("1.0.0", "1"), Ordering::Equal);
        assert_eq!(cmp("1-ga-1", "1-1"), Ordering::Equal);
        assert_eq!(cmp("1.0.0-foo.0.0", "1-foo"), Ordering::Equal);
        assert_eq!(
            cmp("1-1.foo-bar1baz-.1", "1-1.foo-bar-1-baz-0.1"),
            Ordering::Equal
        );
        assert_eq!(cmp("ga", "0"), Ordering::Equal);
    }

    #[test]
    fn qualifiers_and_separators_order_as_specified() {
        assert_eq!(cmp("1-snapshot", "1"), Ordering::Less);
        assert_eq!(cmp("1", "1-sp"), Ordering::Less);
        assert_eq!(cmp("1.sp", "1"), Ordering::Greater);
        assert_eq!(cmp("1-foo2", "1-foo10"), Ordering::Less);
        assert_eq!(cmp("1.foo", "1-foo"), Ordering::Less);
        assert_eq!(cmp("1-foo", "1-1"), Ordering::Less);
        assert_eq!(cmp("1-1", "1.1"), Ordering::Less);
        assert_eq!(cmp("2.0-1", "2.0.1"), Ordering::Less);
        assert_eq!(cmp("3.0.0.alpha.5", "3.0.0"), Ordering::Less);
    }

    #[test]
    fn breaks_maven_cycles_by_side_of_the_end() {
        // Maven 3.8 also has 2.9.0-1 < 2.9.0.RC1, closing a cycle.
        assert_eq!(cmp("2.9.0.RC1", "2.9.0"), Ordering::Less);
        assert_eq!(cmp("2.9.0", "2.9.0-1"), Ordering::Less);
        assert_eq!(cmp("2.9.0.RC1", "2.9.0-1"), Ordering::Less);
    }
}
