//! Trend detection for EU MDR Art. 88 trend reporting: "a statistically significant increase
//! in the frequency or severity of non-serious incidents or expected side-effects".
//!
//! A [`Series`] holds the monthly event counts and exposure (device-months) of one subject;
//! [`assess`] compares one month's rate with the rate of the months before it by an exact
//! Poisson test, a conditional binomial test and a Poisson CUSUM, and says whether that is a
//! signal (the rule is on [`assess`]). The statistics are public on their own so that they can
//! be checked against an independent implementation. Pure: no I/O, no clock.

mod assess;
mod month;
mod stats;

pub use assess::{
    Assessment, ConfigError, Method, Observation, Rate, Series, TestResult, TrendConfig, assess,
};
pub use month::{Month, MonthError};
pub use stats::{conditional_binomial_p, poisson_cusum, poisson_upper_p};
