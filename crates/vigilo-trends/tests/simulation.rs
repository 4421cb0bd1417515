//! Planted-increase simulations with a seeded generator: whether `assess` fires on a real
//! increase, and how often it fires on none. The measured rates are printed (run with
//! `--nocapture`) and recorded in README.md.

use rand::SeedableRng;
use rand_distr::{Distribution, Poisson};
use rand_pcg::Pcg64;
use statrs::distribution::{Binomial, DiscreteCDF};
use vigilo_trends::{Method, Month, Observation, Series, TrendConfig, assess};

const MONTHS: usize = 24;
const RUNS: u64 = 2000;
/// Non-serious incidents per device-month in control: 0.5 per 1000 device-months, about 6 per
/// 1000 devices a year.
const RATE: f64 = 0.5 / 1000.0;

/// Where a simulated fleet stands: devices in the field in month `t` (0-based), and how much
/// the incident rate is multiplied in that month.
struct Scenario {
    name: &'static str,
    devices: fn(usize) -> f64,
    increase: fn(usize) -> f64,
}

/// A product line being rolled out: 14,000 devices in the field growing to 20,000 over the
/// two years, so counts grow while the rate does not (7 to 10 expected events a month).
fn growing_fleet(t: usize) -> f64 {
    14_000.0 + 6_000.0 * t as f64 / (MONTHS - 1) as f64
}

/// A niche product: 2,000 devices, about one expected event a month.
fn small_fleet(_: usize) -> f64 {
    2_000.0
}

fn none(_: usize) -> f64 {
    1.0
}

fn tripled_last_month(t: usize) -> f64 {
    if t == MONTHS - 1 { 3.0 } else { 1.0 }
}

/// A rise by 80% over the last three months: no single month stands out much.
fn sustained_last_three(t: usize) -> f64 {
    if t >= MONTHS - 3 { 1.8 } else { 1.0 }
}

fn first_month() -> Month {
    Month::new(2024, 4).unwrap()
}

fn last_month() -> Month {
    (1..MONTHS).fold(first_month(), |m, _| m.next())
}

/// The months draw from one stream in order, so two scenarios that differ only in the last
/// months share the same earlier data for the same seed.
fn simulate(scenario: &Scenario, seed: u64) -> Series {
    let mut rng = Pcg64::seed_from_u64(seed);
    let mut month = first_month();
    let mut observations = Vec::with_capacity(MONTHS);
    for t in 0..MONTHS {
        let exposure = (scenario.devices)(t);
        let mean = RATE * exposure * (scenario.increase)(t);
        let events = Poisson::new(mean).unwrap().sample(&mut rng) as u64;
        observations.push(Observation {
            month,
            events,
            exposure,
        });
        month = month.next();
    }
    Series {
        subject: scenario.name.into(),
        dimension: "product".into(),
        observations,
    }
}

#[derive(Debug, Default)]
struct Tally {
    signals: u64,
    /// Signals the exact tests gave without the CUSUM, and the other way round.
    exact_only: u64,
    cusum_only: u64,
}

impl Tally {
    fn rate(&self) -> f64 {
        self.signals as f64 / RUNS as f64
    }
}

fn measure(scenario: &Scenario, seed_base: u64) -> Tally {
    let config = TrendConfig::default();
    let mut tally = Tally::default();
    for run in 0..RUNS {
        let a = assess(&simulate(scenario, seed_base + run), last_month(), &config);
        let fired = |method| a.tests.iter().any(|t| t.method == method && t.signal);
        let exact = fired(Method::PoissonExact) && fired(Method::ConditionalBinomial);
        let cusum = fired(Method::PoissonCusum);
        assert_eq!(a.signal, exact || cusum);
        tally.signals += u64::from(a.signal);
        tally.exact_only += u64::from(exact && !cusum);
        tally.cusum_only += u64::from(cusum && !exact);
    }
    eprintln!(
        "{}: signal in {}/{RUNS} runs = {:.4} (exact tests only {}, CUSUM only {})",
        scenario.name,
        tally.signals,
        tally.rate(),
        tally.exact_only,
        tally.cusum_only
    );
    tally
}

/// The most false alarms in `RUNS` runs that is still consistent with the rule's designed
/// false-alarm rate of at most 2α (α for the exact tests plus α for the CUSUM, see `assess`):
/// a true rate of 2α exceeds this count with probability below 0.001.
fn false_alarm_bound() -> u64 {
    let nominal = 2.0 * TrendConfig::default().alpha;
    let binomial = Binomial::new(nominal, RUNS).unwrap();
    (0..=RUNS).find(|&c| binomial.sf(c) < 0.001).unwrap()
}

#[test]
fn a_planted_tripling_fires_and_the_same_data_without_it_does_not() {
    let seed = 2026;
    let planted = Scenario {
        name: "growing fleet, last month x3",
        devices: growing_fleet,
        increase: tripled_last_month,
    };
    let control = Scenario {
        name: "growing fleet, no increase",
        devices: growing_fleet,
        increase: none,
    };
    let with = simulate(&planted, seed);
    let without = simulate(&control, seed);
    assert_eq!(
        with.observations[..MONTHS - 1],
        without.observations[..MONTHS - 1]
    );
    let config = TrendConfig::default();
    let fired = assess(&with, last_month(), &config);
    let quiet = assess(&without, last_month(), &config);
    assert!(fired.signal, "{}", fired.summary);
    assert!(!quiet.signal, "{}", quiet.summary);
    eprintln!("planted: {}\ncontrol: {}", fired.summary, quiet.summary);
}

#[test]
fn false_alarm_rate_and_power_of_the_growing_fleet() {
    let bound = false_alarm_bound();
    let false_alarms = measure(
        &Scenario {
            name: "growing fleet, no increase (false-alarm rate)",
            devices: growing_fleet,
            increase: none,
        },
        1_000_000,
    );
    let power = measure(
        &Scenario {
            name: "growing fleet, last month x3 (power)",
            devices: growing_fleet,
            increase: tripled_last_month,
        },
        1_000_000,
    );
    eprintln!("false-alarm bound: at most {bound}/{RUNS} signals without an increase");
    assert!(false_alarms.signals <= bound, "{false_alarms:?} > {bound}");
    assert!(power.rate() > 0.9, "{power:?}");
}

#[test]
fn a_small_fleet_keeps_its_false_alarm_rate_and_the_cusum_catches_sustained_rises() {
    let bound = false_alarm_bound();
    let small_quiet = measure(
        &Scenario {
            name: "small fleet, no increase (false-alarm rate)",
            devices: small_fleet,
            increase: none,
        },
        2_000_000,
    );
    assert!(small_quiet.signals <= bound, "{small_quiet:?} > {bound}");
    // Three events against one expected is not significant at 1%: reported, not asserted.
    measure(
        &Scenario {
            name: "small fleet, last month x3 (power)",
            devices: small_fleet,
            increase: tripled_last_month,
        },
        2_000_000,
    );
    let sustained = measure(
        &Scenario {
            name: "growing fleet, last three months x1.8 (power)",
            devices: growing_fleet,
            increase: sustained_last_three,
        },
        3_000_000,
    );
    assert!(
        sustained.cusum_only > sustained.exact_only,
        "the CUSUM should be the main detector of a sustained rise: {sustained:?}"
    );
}
