//! Incident report drafts for the vigilance officer: the IMDRF Adverse Event Terminology code
//! tables (Annexes A–G), the EU Manufacturer Incident Report (MIR, form version 7.3.1) draft as
//! JSON and XML, and the FDA MedWatch 3500A (mandatory reporting) draft as JSON.
//!
//! Pure: the code tables are embedded at compile time (`data/`, sources in `data/SOURCES.md`),
//! nothing is read or written at run time. A draft is what the officer fills in while the
//! investigation runs; [`MirDraft::missing`] and [`Fda3500aDraft::missing`] are the to-do list,
//! `validate` catches wrong or retired codes before anything is submitted.

/// A closed list of coded values: the code is what JSON and XML carry, the label is the wording
/// of the form (or of FDA's code list), shown to people.
macro_rules! code_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = ($code:literal, $label:literal), )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
        }

        impl $name {
            /// Every value, in the order of the form.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The code carried in JSON and XML.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            /// The form's wording.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.label())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::UnknownValue;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::ALL.iter().copied().find(|v| v.code() == s).ok_or_else(|| {
                    $crate::UnknownValue {
                        kind: stringify!($name),
                        value: s.to_owned(),
                        allowed: Self::ALL.iter().map(|v| v.code()).collect::<Vec<_>>().join(", "),
                    }
                })
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.code())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <String as ::serde::Deserialize>::deserialize(d)?;
                s.parse().map_err(::serde::de::Error::custom)
            }
        }
    };
}

mod common;
pub mod fda;
pub mod imdrf;
pub mod mir;
mod xml;

pub use common::{Address, Age, AgeUnit, Contact, DraftProblem, Sex, UnknownValue};
pub use fda::Fda3500aDraft;
pub use imdrf::{Annex, CodeError, CodeTable, Term, codes};
pub use mir::MirDraft;
