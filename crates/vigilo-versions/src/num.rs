//! Unbounded non-negative integers for version components.

use std::cmp::Ordering;
use std::fmt;

/// A non-negative decimal integer of any size.
///
/// OSV data and its fixtures contain components such as
/// `999999999999999999999999999991` that overflow `u64`, and every ecosystem here
/// compares such components numerically. Values that fit in a `u64` (nearly all)
/// stay inline, so the common case neither allocates nor compares strings.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Num {
    Small(u64),
    /// Decimal digits without leading zeros; only used for values above `u64::MAX`,
    /// so every `Big` is larger than every `Small`.
    Big(Box<str>),
}

impl Num {
    pub(crate) const ZERO: Num = Num::Small(0);

    /// Parses a run of ASCII digits; callers guarantee `digits` holds nothing else.
    pub(crate) fn from_digits(digits: &str) -> Num {
        let significant = digits.trim_start_matches('0');
        if significant.is_empty() {
            return Num::ZERO;
        }
        match significant.parse::<u64>() {
            Ok(n) => Num::Small(n),
            Err(_) => Num::Big(significant.into()),
        }
    }

    pub(crate) fn is_zero(&self) -> bool {
        *self == Num::ZERO
    }
}

impl Ord for Num {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (Num::Small(a), Num::Small(b)) => a.cmp(b),
            (Num::Small(_), Num::Big(_)) => Ordering::Less,
            (Num::Big(_), Num::Small(_)) => Ordering::Greater,
            // Without leading zeros, a longer digit string is the larger number.
            (Num::Big(a), Num::Big(b)) => a.len().cmp(&b.len()).then_with(|| a.cmp(b)),
        }
    }
}

impl PartialOrd for Num {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Num {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Num::Small(n) => write!(f, "{n}"),
            Num::Big(digits) => f.write_str(digits),
        }
    }
}

/// Length in bytes of the run of ASCII digits at the start of `s`.
pub(crate) fn digit_run(s: &str) -> usize {
    s.bytes().take_while(u8::is_ascii_digit).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_numerically_across_the_u64_boundary() {
        let max = Num::from_digits(&u64::MAX.to_string());
        let above = Num::from_digits("18446744073709551616");
        let far_above = Num::from_digits("999999999999999999999999999991");
        assert!(matches!(max, Num::Small(_)));
        assert!(max < above && above < far_above);
        assert_eq!(Num::from_digits("000"), Num::ZERO);
        assert_eq!(Num::from_digits("007"), Num::Small(7));
        assert_eq!(
            Num::from_digits("0018446744073709551616"),
            Num::from_digits("18446744073709551616")
        );
        assert_eq!(above.to_string(), "18446744073709551616");
    }
}
