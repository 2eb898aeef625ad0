//! The results of a run: a table for people, JUnit XML for CI systems.

use crate::run::{Outcome, Verdict};
use std::fmt::Write;

/// One line per case, then the totals.
pub fn summary(outcomes: &[Outcome]) -> String {
    let width = outcomes.iter().map(|o| o.name.len()).max().unwrap_or(4);
    let mut out = String::new();
    for outcome in outcomes {
        let (word, why) = match &outcome.verdict {
            Verdict::Passed => ("pass", String::new()),
            Verdict::Failed(why) => ("FAIL", format!("  {why}")),
            Verdict::Skipped(why) => ("skip", format!("  {why}")),
        };
        let _ = writeln!(
            out,
            "{word}  {:width$}  {:>6} ms{why}",
            outcome.name,
            outcome.duration.as_millis()
        );
    }
    let (passed, failed, skipped) = counts(outcomes);
    let _ = writeln!(
        out,
        "{} cases: {passed} passed, {failed} failed, {skipped} skipped",
        outcomes.len()
    );
    out
}

/// Passed, failed and skipped cases.
pub fn counts(outcomes: &[Outcome]) -> (usize, usize, usize) {
    let count = |f: fn(&Verdict) -> bool| outcomes.iter().filter(|o| f(&o.verdict)).count();
    (
        count(|v| matches!(v, Verdict::Passed)),
        count(|v| matches!(v, Verdict::Failed(_))),
        count(|v| matches!(v, Verdict::Skipped(_))),
    )
}

/// The run as a JUnit XML `testsuite`: a `testcase` per case, its folder as the class.
pub fn junit(outcomes: &[Outcome]) -> String {
    let (_, failed, skipped) = counts(outcomes);
    let total: f64 = outcomes.iter().map(|o| o.duration.as_secs_f64()).sum();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuite name=\"zorgplan-conformance\" tests=\"{}\" failures=\"{failed}\" errors=\"0\" skipped=\"{skipped}\" time=\"{total:.3}\">",
        outcomes.len()
    );
    for outcome in outcomes {
        let (class, name) = outcome
            .name
            .rsplit_once('/')
            .unwrap_or(("conformance", &outcome.name));
        let _ = write!(
            out,
            "  <testcase classname=\"{}\" name=\"{}\" time=\"{:.3}\"",
            escape(class),
            escape(name),
            outcome.duration.as_secs_f64()
        );
        match &outcome.verdict {
            Verdict::Passed => out.push_str("/>\n"),
            Verdict::Failed(why) => {
                let _ = writeln!(
                    out,
                    ">\n    <failure message=\"{}\">{}</failure>\n  </testcase>",
                    escape(why.lines().next().unwrap_or_default()),
                    escape(why)
                );
            }
            Verdict::Skipped(why) => {
                let _ = writeln!(
                    out,
                    ">\n    <skipped message=\"{}\"/>\n  </testcase>",
                    escape(why)
                );
            }
        }
    }
    out.push_str("</testsuite>\n");
    out
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn junit_counts_and_escapes() {
        let outcome = |name: &str, verdict| Outcome {
            name: name.into(),
            description: String::new(),
            verdict,
            duration: Duration::from_millis(5),
        };
        let xml = junit(&[
            outcome("rest/read", Verdict::Passed),
            outcome(
                "rest/patch",
                Verdict::Failed("status 500 <oops> & \"more\"".into()),
            ),
            outcome("auth/pgo", Verdict::Skipped("not claimed".into())),
        ]);
        assert!(
            xml.contains("tests=\"3\" failures=\"1\" errors=\"0\" skipped=\"1\""),
            "{xml}"
        );
        assert!(xml.contains("classname=\"rest\" name=\"patch\""), "{xml}");
        assert!(
            xml.contains("status 500 &lt;oops&gt; &amp; &quot;more&quot;"),
            "{xml}"
        );
        assert!(!xml.contains("<oops>"), "{xml}");
    }
}
