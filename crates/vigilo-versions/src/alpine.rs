//! Alpine (apk) versions: `number{.number}[letter]{_suffix[number]}[~hash][-r<number>]`.
//! Hand-written because no Rust crate implements apk-tools' ordering.
//!
//! A version becomes a list of tokens compared pairwise, as in apk-tools'
//! `apk_version_compare`: tokens of the same kind compare by value, and where the
//! kinds differ the version continuing with a pre-release suffix (`_alpha`, `_beta`,
//! `_pre`, `_rc`) is older, otherwise the one continuing with the more significant
//! kind is newer. Non-first numbers with a leading zero compare as strings.
//!
//! Malformed versions are accepted, as `apk version -t` accepts them; where apk-tools
//! releases disagree about them, this follows osv-scanner's test vectors:
//! * `-r` without digits means `-r0`, and a missing revision is `-r0` too;
//! * anything after the revision, or after a `-` that does not start `-r`, is
//!   ignored, though such a version sorts just below the same one without the extra
//!   text (`1-r0-1` = `1-r-2` < `1-r0`);
//! * any other invalid text ends the version; it sorts below every valid
//!   continuation except a pre-release suffix, and two versions invalid at the same
//!   point compare their remaining text as strings (`6.6.2p1 < 6.6.2p2`).

use crate::num::{Num, digit_run};

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct AlpineVersion {
    tokens: Vec<Token>,
}

/// Variant order is the ranking of token kinds where two versions first differ
/// in kind (least significant first); see the module documentation.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Token {
    PreSuffix(PreSuffix),
    /// Unparseable text from where parsing stopped to the end; always last.
    Invalid(Box<str>),
    /// Always followed by `Extra` or `End`.
    Revision(Num),
    /// Text after the revision; only ever compared with `End`.
    Extra,
    End,
    Hash(Box<str>),
    SuffixNumber(Num),
    PostSuffix(PostSuffix),
    Letter(u8),
    Number(Component),
    First(Num),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum PreSuffix {
    Alpha,
    Beta,
    Pre,
    Rc,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum PostSuffix {
    Cvs,
    Svn,
    Git,
    Hg,
    P,
}

/// A number after the first. With a leading zero it compares as a string, which
/// always sorts it before numbers without one (`1.05 < 1.1`, `1.010 < 1.09`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Component {
    LeadingZero(Box<str>),
    Plain(Num),
}

/// How far into the grammar a version has got, which decides what may follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum State {
    Numbers,
    Letter,
    SuffixName,
    SuffixNumber,
    Hash,
}

pub(crate) fn parse(s: &str) -> AlpineVersion {
    let first = digit_run(s);
    if first == 0 {
        return AlpineVersion {
            tokens: vec![Token::Invalid(s.into())],
        };
    }
    let mut tokens = vec![Token::First(Num::from_digits(&s[..first]))];
    let mut rest = &s[first..];
    let mut state = State::Numbers;
    loop {
        if rest.is_empty() {
            tokens.extend([Token::Revision(Num::ZERO), Token::End]);
            break;
        }
        if rest.starts_with('-') {
            let (revision, len) = match rest.strip_prefix("-r") {
                Some(after) => {
                    let digits = digit_run(after);
                    (Num::from_digits(&after[..digits]), 2 + digits)
                }
                None => (Num::ZERO, 1),
            };
            let last = if len == rest.len() {
                Token::End
            } else {
                Token::Extra
            };
            tokens.extend([Token::Revision(revision), last]);
            break;
        }
        match next_token(rest, state) {
            Some((token, len, next_state)) => {
                tokens.push(token);
                rest = &rest[len..];
                state = next_state;
            }
            None => {
                tokens.push(Token::Invalid(rest.into()));
                break;
            }
        }
    }
    AlpineVersion { tokens }
}

/// The token at the start of `rest` (which is not a revision), its length, and the
/// state after it; `None` if apk-tools would call the version invalid here.
fn next_token(rest: &str, state: State) -> Option<(Token, usize, State)> {
    let first = rest.as_bytes()[0];
    if !first.is_ascii() {
        return None;
    }
    let after = &rest[1..];
    match first {
        b'.' if state == State::Numbers => {
            number(after).map(|(token, len)| (token, 1 + len, State::Numbers))
        }
        letter @ b'a'..=b'z' if state == State::Numbers => {
            Some((Token::Letter(letter), 1, State::Letter))
        }
        b'0'..=b'9' if state == State::SuffixName => {
            let len = digit_run(rest);
            let number = Num::from_digits(&rest[..len]);
            Some((Token::SuffixNumber(number), len, State::SuffixNumber))
        }
        b'_' if state <= State::SuffixNumber => {
            suffix(after).map(|(token, len)| (token, 1 + len, State::SuffixName))
        }
        b'~' if state < State::Hash => {
            let len = after
                .bytes()
                .take_while(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
                .count();
            (len > 0).then(|| (Token::Hash(after[..len].into()), 1 + len, State::Hash))
        }
        _ => None,
    }
}

/// A number after a dot, as a token and its length.
fn number(s: &str) -> Option<(Token, usize)> {
    let len = digit_run(s);
    let digits = &s[..len];
    let component = match digits.as_bytes().first()? {
        b'0' => Component::LeadingZero(digits.into()),
        _ => Component::Plain(Num::from_digits(digits)),
    };
    Some((Token::Number(component), len))
}

/// A suffix name after `_`, as a token and its length.
fn suffix(s: &str) -> Option<(Token, usize)> {
    let len = s.bytes().take_while(u8::is_ascii_lowercase).count();
    let token = match &s[..len] {
        "alpha" => Token::PreSuffix(PreSuffix::Alpha),
        "beta" => Token::PreSuffix(PreSuffix::Beta),
        "pre" => Token::PreSuffix(PreSuffix::Pre),
        "rc" => Token::PreSuffix(PreSuffix::Rc),
        "cvs" => Token::PostSuffix(PostSuffix::Cvs),
        "svn" => Token::PostSuffix(PostSuffix::Svn),
        "git" => Token::PostSuffix(PostSuffix::Git),
        "hg" => Token::PostSuffix(PostSuffix::Hg),
        "p" => Token::PostSuffix(PostSuffix::P),
        _ => return None,
    };
    Some((token, len))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cmp::Ordering;

    fn cmp(a: &str, b: &str) -> Ordering {
        parse(a).cmp(&parse(b))
    }

    #[test]
    fn follows_apk_tools_for_valid_versions() {
        assert_eq!(cmp("1.0", "1.0.0"), Ordering::Less);
        assert_eq!(cmp("1.2_alpha", "1.2_alpha0"), Ordering::Less);
        assert_eq!(cmp("1.2_rc1", "1.2"), Ordering::Less);
        assert_eq!(cmp("1.2_p1", "1.2-r5"), Ordering::Greater);
        assert_eq!(cmp("1.2a", "1.2_p1"), Ordering::Greater);
        assert_eq!(cmp("1.2~abc-r1", "1.2-r1"), Ordering::Greater);
        assert_eq!(cmp("1.05", "1.1"), Ordering::Less);
    }

    #[test]
    fn never_panics_on_multibyte_text() {
        assert_eq!(cmp("1é", "1é"), Ordering::Equal);
        assert_eq!(cmp("1.é", "1"), Ordering::Less);
    }
}
