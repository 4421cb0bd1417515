//! Vigilo's registry: the nouns every other capability refers to, and the rules about them that
//! need no storage. Everything here is pure: time comes in as a parameter.

pub mod access;
pub mod country;
pub mod input;
pub mod model;
pub mod procedure;
pub mod schedule;

pub use access::{Action, DeviceScope, Refusal, Role, Roles};
pub use country::Country;
pub use input::Invalid;
pub use model::*;
