//! The trends page's charts: a subject's monthly rate per 1000 device-months as bars, the
//! baseline rate as a horizontal line, the assessed month marked. Only geometry and words here;
//! templates/trends.html draws the SVG, so that every text in it is escaped like the rest of
//! the page.

use vigilo_trends::Assessment;

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 200.0;
const LEFT: f64 = 48.0;
/// Room for the baseline's label beside its line, clear of the bars.
const RIGHT: f64 = 96.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 28.0;
/// Month labels under at most this many bars, so that they do not run into each other.
const MONTH_LABELS: usize = 7;

/// SVG numbers: one decimal is finer than a pixel.
fn n(x: f64) -> String {
    format!("{x:.1}")
}

/// A rate as the page words it.
pub fn rate(x: f64) -> String {
    format!("{x:.2}")
}

pub struct Bar {
    pub x: String,
    pub y: String,
    pub width: String,
    pub height: String,
    pub assessed: bool,
    /// The month's figures, shown on hover and read by screen readers.
    pub tip: String,
}

pub struct Label {
    pub x: String,
    pub y: String,
    /// SVG `text-anchor`.
    pub anchor: &'static str,
    pub text: String,
}

pub struct Chart {
    pub width: String,
    pub height: String,
    pub title: String,
    pub desc: String,
    pub bars: Vec<Bar>,
    /// The y of the baseline rate's line.
    pub baseline: String,
    pub baseline_label: Label,
    pub labels: Vec<Label>,
    pub x0: String,
    pub x1: String,
    pub y0: String,
}

/// What the events of a dimension are (see vigilo_store::trends).
fn events(dimension: &str) -> &'static str {
    match dimension {
        "part" | "lot" => "corrective replacements",
        _ => "complaints",
    }
}

impl Chart {
    pub fn of(a: &Assessment) -> Chart {
        let (plot_w, plot_h) = (WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM);
        let bottom = TOP + plot_h;
        let top_rate = a
            .rates
            .iter()
            .map(|r| r.rate_per_1000)
            .fold(a.baseline_rate_per_1000, f64::max);
        // Headroom above the tallest bar; an empty chart still gets a scale.
        let scale = if top_rate > 0.0 { top_rate * 1.15 } else { 1.0 };
        let y = |rate: f64| bottom - rate / scale * plot_h;
        let band = plot_w / a.rates.len().max(1) as f64;
        let last = a.rates.len().saturating_sub(1);
        let every = a.rates.len().div_ceil(MONTH_LABELS).max(1);
        let what = events(&a.dimension);
        let bars = a
            .rates
            .iter()
            .enumerate()
            .map(|(i, r)| Bar {
                x: n(LEFT + band * i as f64 + band * 0.15),
                y: n(y(r.rate_per_1000)),
                width: n(band * 0.7),
                height: n(bottom - y(r.rate_per_1000)),
                assessed: i == last,
                tip: format!(
                    "{}: {} {what} in {} device-months, {} per 1000",
                    r.month,
                    r.events,
                    r.exposure,
                    rate(r.rate_per_1000)
                ),
            })
            .collect();
        // Counted back from the assessed month, so that it always has its label.
        let labels = a
            .rates
            .iter()
            .enumerate()
            .filter(|(i, _)| (last - i).is_multiple_of(every))
            .map(|(i, r)| Label {
                x: n(LEFT + band * (i as f64 + 0.5)),
                y: n(HEIGHT - 8.0),
                anchor: "middle",
                text: r.month.to_string(),
            })
            .chain([0.0, top_rate].into_iter().map(|v| Label {
                x: n(LEFT - 6.0),
                y: n(y(v) + 4.0),
                anchor: "end",
                text: rate(v),
            }))
            .collect();
        let first = a
            .rates
            .first()
            .map_or(String::new(), |r| r.month.to_string());
        let assessed = a.rates.last();
        Chart {
            width: n(WIDTH),
            height: n(HEIGHT),
            title: format!(
                "{} ({}): {what} per 1000 device-months by month",
                a.subject, a.dimension
            ),
            desc: format!(
                "From {first} to {}. Baseline {} per 1000. {}: {} {what}, {} per 1000 ({} expected): {}.",
                a.month,
                rate(a.baseline_rate_per_1000),
                a.month,
                a.observed,
                assessed.map_or_else(String::new, |r| rate(r.rate_per_1000)),
                rate(a.expected),
                if a.signal { "signal" } else { "no signal" }
            ),
            bars,
            baseline: n(y(a.baseline_rate_per_1000)),
            baseline_label: Label {
                x: n(WIDTH - RIGHT + 6.0),
                y: n(y(a.baseline_rate_per_1000) + 4.0),
                anchor: "start",
                text: format!("baseline {}", rate(a.baseline_rate_per_1000)),
            },
            labels,
            x0: n(LEFT),
            x1: n(WIDTH - RIGHT),
            y0: n(bottom),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use vigilo_trends::{Month, Observation, Series, TrendConfig, assess};

    #[test]
    fn bars_stay_in_the_plot_and_the_assessed_month_is_marked_and_labelled() {
        let first = Month::new(2025, 2).unwrap();
        let months: Vec<Month> = std::iter::successors(Some(first), |m| Some(m.next()))
            .take(13)
            .collect();
        let series = Series {
            subject: "BAT-7420".into(),
            dimension: "part".into(),
            observations: months
                .iter()
                .map(|&month| Observation {
                    month,
                    events: if month == months[12] { 9 } else { 1 },
                    exposure: 40.0,
                })
                .collect(),
        };
        let chart = Chart::of(&assess(&series, months[12], &TrendConfig::default()));
        let num = |s: &str| s.parse::<f64>().unwrap();
        assert_eq!(chart.bars.len(), 13);
        for b in &chart.bars {
            assert!(num(&b.y) >= TOP - 0.1 && num(&b.y) + num(&b.height) <= num(&chart.y0) + 0.1);
            assert!(num(&b.x) + num(&b.width) <= num(&chart.x1));
        }
        assert_eq!(
            chart.bars.iter().map(|b| b.assessed).collect::<Vec<_>>(),
            [vec![false; 12], vec![true]].concat()
        );
        assert!(chart.labels.iter().any(|l| l.text == "2026-02"));
        assert!(
            chart.labels.iter().any(|l| l.text == "2025-02"),
            "every second month"
        );
        // The baseline (25 per 1000) lies between the floor and the assessed bar's top (225).
        let baseline = num(&chart.baseline);
        assert!(num(&chart.bars[12].y) < baseline && baseline < num(&chart.y0));
        assert_eq!(chart.baseline_label.text, "baseline 25.00");
        assert!(chart.title.contains("corrective replacements"));
        assert!(
            chart
                .desc
                .ends_with("225.00 per 1000 (1.00 expected): signal."),
            "{}",
            chart.desc
        );
    }
}
