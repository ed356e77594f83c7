//! Figures, robust statistics, the `bench NAME VALUE UNIT` lines and
//! `summary.json`.

use std::path::Path;
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::{BenchError, Result};

/// One reported figure. For a comparison, `candidate` and `baseline` hold
/// the raw per-iteration measurements of both sides (in `raw_unit`), in the
/// order they were taken (interleaved: candidate, baseline, candidate, ...).
#[derive(Debug, Clone, Serialize)]
pub struct Figure {
    pub name: String,
    pub value: f64,
    pub unit: String,
    /// `<= 1.05`, `== 1`, or `None` for figures that are only reported.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub met: Option<bool>,
    /// Why a missed target was missed, from the measurements (set only on
    /// a miss).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
    /// What was measured, in words.
    pub what: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline_is: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub raw_unit: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub candidate: Option<Vec<f64>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline: Option<Vec<f64>>,
    /// Anything else worth keeping (medians, counts, sizes).
    #[serde(skip_serializing_if = "serde_json::Value::is_null")]
    pub extra: serde_json::Value,
}

impl Figure {
    /// A figure that is only reported.
    pub fn report(name: &str, value: f64, unit: &str, what: &str) -> Figure {
        Figure {
            name: name.into(),
            value,
            unit: unit.into(),
            target: None,
            met: None,
            why: None,
            what: what.into(),
            baseline_is: None,
            raw_unit: None,
            candidate: None,
            baseline: None,
            extra: serde_json::Value::Null,
        }
    }

    /// The ratio of the medians of `pair`, against the target `ratio <= max`.
    pub fn ratio(name: &str, pair: &Pair, max: f64, what: &str, baseline_is: &str) -> Figure {
        let (candidate, baseline) = (median(&pair.candidate), median(&pair.baseline));
        let value = if baseline > 0.0 {
            candidate / baseline
        } else {
            f64::NAN
        };
        let pairwise: Vec<f64> = pair
            .candidate
            .iter()
            .zip(&pair.baseline)
            .filter(|(_, b)| **b > 0.0)
            .map(|(a, b)| a / b)
            .collect();
        Figure {
            name: name.into(),
            value,
            unit: "x".into(),
            target: Some(format!("<= {max}")),
            met: Some(value <= max),
            why: None,
            what: what.into(),
            baseline_is: Some(baseline_is.into()),
            raw_unit: Some(pair.unit.clone()),
            candidate: Some(pair.candidate.clone()),
            baseline: Some(pair.baseline.clone()),
            extra: serde_json::json!({
                "candidateMedian": candidate,
                "baselineMedian": baseline,
                "medianOfPairwiseRatios": median(&pairwise),
                "iterations": pair.candidate.len(),
            }),
        }
    }

    pub fn with_target(mut self, target: &str, met: bool) -> Figure {
        self.target = Some(target.into());
        self.met = Some(met);
        self
    }

    /// The target `value <= max`.
    pub fn with_max(self, max: f64) -> Figure {
        let met = self.value <= max;
        self.with_target(&format!("<= {max}"), met)
    }

    /// Names why the target was missed (`why` is only asked for on a miss).
    pub fn why_missed(mut self, why: impl FnOnce(&Figure) -> String) -> Figure {
        if self.met == Some(false) {
            self.why = Some(why(&self));
        }
        self
    }

    pub fn with_extra(mut self, extra: serde_json::Value) -> Figure {
        self.extra = extra;
        self
    }

    /// `bench NAME VALUE UNIT`.
    pub fn line(&self) -> String {
        format!(
            "bench {} {} {}",
            self.name,
            format_value(self.value),
            self.unit
        )
    }
}

fn format_value(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{value:.0}")
    } else if value.abs() >= 100.0 {
        format!("{value:.1}")
    } else {
        format!("{value:.3}")
    }
}

/// Raw measurements of a candidate and its baseline, taken interleaved.
#[derive(Debug, Clone, Default)]
pub struct Pair {
    pub unit: String,
    pub candidate: Vec<f64>,
    pub baseline: Vec<f64>,
}

impl Pair {
    pub fn new(unit: &str) -> Pair {
        Pair {
            unit: unit.into(),
            ..Pair::default()
        }
    }
}

/// The median (the mean of the middle two for an even count); NaN if empty.
pub fn median(values: &[f64]) -> f64 {
    let mut sorted: Vec<f64> = values.iter().copied().filter(|v| !v.is_nan()).collect();
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted.sort_by(f64::total_cmp);
    let middle = sorted.len() / 2;
    if sorted.len().is_multiple_of(2) {
        (sorted[middle - 1] + sorted[middle]) / 2.0
    } else {
        sorted[middle]
    }
}

/// Microseconds, as a float.
pub fn micros(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e6
}

/// Runs `work` and returns how long it took in microseconds.
pub fn time_us<T>(work: impl FnOnce() -> T) -> (f64, T) {
    let started = Instant::now();
    let value = work();
    (micros(started.elapsed()), value)
}

/// Runs `work` and returns the CPU time this thread spent on it, in
/// microseconds: unlike wall time, it does not count the time other
/// processes had the core (the benchmarks may share a busy machine).
pub fn cpu_time_us<T>(work: impl FnOnce() -> T) -> (f64, T) {
    let now = || {
        let time = rustix::time::clock_gettime(rustix::time::ClockId::ThreadCPUTime);
        time.tv_sec as f64 * 1e6 + time.tv_nsec as f64 / 1e3
    };
    let started = now();
    let value = work();
    (now() - started, value)
}

/// The whole run, as `summary.json` holds it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    pub figures: Vec<Figure>,
    /// Steps that failed, with why; their figures are missing.
    pub failures: Vec<String>,
    pub host: Host,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Host {
    pub cpus: usize,
    pub os: &'static str,
    pub arch: &'static str,
    pub unix_time: u64,
}

impl Host {
    pub fn here() -> Host {
        Host {
            cpus: std::thread::available_parallelism().map_or(1, usize::from),
            os: std::env::consts::OS,
            arch: std::env::consts::ARCH,
            unix_time: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |elapsed| elapsed.as_secs()),
        }
    }
}

/// Writes `summary` as pretty JSON to `path` (its directory created).
pub fn write_summary(path: &Path, summary: &Summary) -> Result<()> {
    let io = |error: std::io::Error| BenchError::Io {
        what: format!("write {}", path.display()),
        source: error,
    };
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(io)?;
    }
    let json = serde_json::to_string_pretty(summary).map_err(|error| BenchError::Check {
        what: format!("encode the summary as JSON: {error}"),
    })?;
    std::fs::write(path, json + "\n").map_err(io)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians_and_lines() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), 2.5);
        assert!(median(&[]).is_nan());
        let pair = Pair {
            unit: "us".into(),
            candidate: vec![11.0, 10.0, 12.0],
            baseline: vec![10.0, 10.0, 10.0],
        };
        let figure = Figure::ratio("x_ratio", &pair, 1.05, "a", "b");
        assert_eq!(figure.line(), "bench x_ratio 1.100 x");
        assert_eq!(figure.met, Some(false));
        assert_eq!(
            Figure::report("n", 1.0, "requests", "c").line(),
            "bench n 1 requests"
        );
        let figure = figure.why_missed(|figure| format!("{:.1}", figure.value));
        assert_eq!(figure.why.as_deref(), Some("1.1"));
        let met = Figure::report("m", 7.0, "MB", "d")
            .with_max(8.0)
            .why_missed(|_| "never".into());
        assert_eq!((met.target.as_deref(), met.met), (Some("<= 8"), Some(true)));
        assert_eq!(met.why, None);
        let missed = Figure::report("m", 9.0, "MB", "d").with_max(8.0);
        assert_eq!(missed.met, Some(false));
    }
}
