//! Figures: a measured value beside its reference from the same run, the ratio and the goal.

use std::fmt::Write as _;

/// What the ratio `value / reference` must satisfy.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Goal {
    AtLeast(f64),
    AtMost(f64),
    /// Informational: no goal in the issue.
    None,
}

#[derive(Debug, Clone)]
pub struct Figure {
    pub scenario: &'static str,
    pub name: String,
    pub value: f64,
    pub unit: String,
    pub reference: Option<(f64, String)>,
    pub goal: Goal,
}

impl Figure {
    pub fn new(scenario: &'static str, name: impl Into<String>, value: f64, unit: &str) -> Self {
        Figure {
            scenario,
            name: name.into(),
            value,
            unit: unit.to_owned(),
            reference: None,
            goal: Goal::None,
        }
    }

    pub fn against(mut self, reference: f64, unit: &str, goal: Goal) -> Self {
        self.reference = Some((reference, unit.to_owned()));
        self.goal = goal;
        self
    }

    pub fn ratio(&self) -> Option<f64> {
        self.reference
            .as_ref()
            .filter(|(r, _)| *r != 0.0)
            .map(|(r, _)| self.value / r)
    }

    /// `Some(true)` when the goal is met, `None` when there is none (or no ratio).
    pub fn met(&self) -> Option<bool> {
        let ratio = self.ratio()?;
        match self.goal {
            Goal::AtLeast(g) => Some(ratio >= g),
            Goal::AtMost(g) => Some(ratio <= g),
            Goal::None => None,
        }
    }

    fn goal_text(&self) -> String {
        match self.goal {
            Goal::AtLeast(g) => format!("≥ {g}"),
            Goal::AtMost(g) => format!("≤ {g}"),
            Goal::None => "-".to_owned(),
        }
    }

    fn verdict(&self) -> &'static str {
        match self.met() {
            Some(true) => "ok",
            Some(false) => "MISSED",
            None => "-",
        }
    }

    /// The one-line form: `name  value unit   reference  value unit   ratio  x.xx   goal  ≥ y   ok`.
    pub fn line(&self) -> String {
        let reference = match &self.reference {
            Some((r, u)) => format!("{} {u}", num(*r)),
            None => "-".to_owned(),
        };
        let ratio = self.ratio().map_or("-".to_owned(), |r| format!("{r:.2}"));
        format!(
            "{:<44} {:>12} {:<8}  reference {:>18}  ratio {:>6}  goal {:<7} {}",
            format!("{}/{}", self.scenario, self.name),
            num(self.value),
            self.unit,
            reference,
            ratio,
            self.goal_text(),
            self.verdict()
        )
    }
}

/// Numbers with sensible precision for a table.
pub fn num(v: f64) -> String {
    if v == 0.0 || v.abs() >= 100.0 {
        format!("{v:.0}")
    } else if v.abs() >= 10.0 {
        format!("{v:.1}")
    } else if v.abs() >= 0.1 {
        format!("{v:.2}")
    } else {
        format!("{v:.3}")
    }
}

/// The figures as a markdown table for docs/benchmarks.md.
pub fn markdown(figures: &[Figure]) -> String {
    let mut out = String::from(
        "| scenario | figure | value | reference | ratio | goal | result |\n|---|---|---:|---:|---:|---|---|\n",
    );
    for f in figures {
        let reference = f
            .reference
            .as_ref()
            .map_or("-".to_owned(), |(r, u)| format!("{} {u}", num(*r)));
        let ratio = f.ratio().map_or("-".to_owned(), |r| format!("{r:.2}"));
        let _ = writeln!(
            out,
            "| {} | {} | {} {} | {} | {} | {} | {} |",
            f.scenario,
            f.name,
            num(f.value),
            f.unit,
            reference,
            ratio,
            f.goal_text(),
            f.verdict()
        );
    }
    out
}

/// A progress line while a scenario runs (stderr, so stdout stays the results).
pub fn progress(scenario: &str, message: impl AsRef<str>) {
    eprintln!("[{scenario}] {}", message.as_ref());
}

/// Percentile (0..=100) of unsorted samples, nearest rank.
pub fn percentile(samples: &[f64], p: f64) -> f64 {
    if samples.is_empty() {
        return f64::NAN;
    }
    let mut sorted = samples.to_vec();
    sorted.sort_by(f64::total_cmp);
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratio_and_goal() {
        let f = Figure::new("s", "x", 50.0, "/s").against(100.0, "/s", Goal::AtLeast(0.5));
        assert_eq!(f.met(), Some(true));
        let f = Figure::new("s", "x", 4.0, "ms").against(1.0, "ms", Goal::AtMost(3.0));
        assert_eq!(f.met(), Some(false));
        assert_eq!(percentile(&[3.0, 1.0, 2.0, 4.0], 50.0), 2.0);
        assert_eq!(percentile(&[3.0, 1.0, 2.0, 4.0], 99.0), 4.0);
    }
}
