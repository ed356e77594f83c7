//! The run as one HTML page to open in a browser or keep as a CI artifact:
//! a header with the totals, a table of every request's run (failed ones
//! open, showing each assertion and error), a timing bar per row, and each
//! credential's expiry and refresh story with what a Salesforce Named
//! Credential would have done.
//!
//! Guarantees: the page is self-contained (inline CSS and one small inline
//! script that opens and closes rows; no `src` or `href` to anywhere), every
//! text in it is escaped (names, messages and actual values come from users
//! and servers), it follows the reader's light or dark scheme, and it reads
//! at 1280 px wide. It holds no token: only what the results hold.

use std::fmt::Write as _;

use super::{
    CredentialRun, RunState, RunSummary, StepResult, duration_text, kind_key, plural, plural_words,
    salesforce_line, timestamp, token_story, verdict_line,
};

/// The run as a self-contained HTML page.
pub fn html(summary: &RunSummary) -> String {
    let mut page = String::with_capacity(16 * 1024);
    let title = format!("{} — run report", summary.collection);
    page.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    page.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    page.push_str("<meta name=\"color-scheme\" content=\"light dark\">\n");
    let _ = writeln!(page, "<title>{}</title>", escape(&title));
    page.push_str("<style>\n");
    page.push_str(STYLE);
    page.push_str("</style>\n</head>\n<body>\n<main>\n");
    header(&mut page, summary);
    results(&mut page, summary);
    credentials(&mut page, summary);
    page.push_str("</main>\n<script>\n");
    page.push_str(SCRIPT);
    page.push_str("</script>\n</body>\n</html>\n");
    page
}

fn header(page: &mut String, summary: &RunSummary) {
    let totals = summary.totals();
    let target = if summary.target.is_empty() {
        "the whole collection".to_string()
    } else {
        summary.target.clone()
    };
    let started = timestamp(summary.started_at_ms).replace('T', " ");
    page.push_str("<header>\n<div class=\"what\">\n");
    let _ = writeln!(page, "<h1>{}</h1>", escape(&summary.collection));
    page.push_str("<dl class=\"meta\">");
    let mut meta = vec![("Ran", target)];
    if let Some(environment) = &summary.environment {
        meta.push(("Environment", environment.clone()));
    }
    meta.push(("Started", format!("{started} UTC")));
    meta.push(("Took", duration_text(summary.duration_ms)));
    for (term, value) in meta {
        let _ = write!(
            page,
            "<div><dt>{term}</dt><dd>{}</dd></div>",
            escape(&value)
        );
    }
    page.push_str("</dl>\n</div>\n<div class=\"totals\">\n");
    let tiles = [
        ("passed", totals.passed, "passed"),
        ("failed", totals.failed, "failed"),
        ("errored", totals.errored, "could not be sent"),
        (
            "reauth",
            totals.needs_reauthorization,
            "need re-authorization",
        ),
        ("skipped", totals.skipped, "not run"),
    ];
    for (class, count, words) in tiles {
        let quiet = if count == 0 { " zero" } else { "" };
        let _ = writeln!(
            page,
            "<div class=\"tile {class}{quiet}\"><b>{count}</b><span>{words}</span></div>"
        );
    }
    page.push_str("</div>\n</header>\n");
    let _ = writeln!(
        page,
        "<p class=\"line\">{} · {}, {} failed · exit status {}</p>",
        plural(summary.results.len(), "request"),
        plural(totals.assertions as usize, "assertion"),
        totals.assertions_failed,
        summary.exit_status(),
    );
    if summary.stopped {
        let _ = writeln!(
            page,
            "<p class=\"stopped\">The run was stopped before every request ran: {} not run.</p>",
            plural(totals.skipped as usize, "request")
        );
    }
}

/// The mark, class and words for a state.
fn mark(state: RunState) -> (&'static str, &'static str, &'static str) {
    match state {
        RunState::Passed => ("✓", "passed", "passed"),
        RunState::Failed => ("✗", "failed", "failed"),
        RunState::Errored => ("!", "errored", "could not be sent"),
        RunState::NeedsReauthorization => ("⟳", "reauth", "needs re-authorization"),
        RunState::Skipped => ("–", "skipped", "not run"),
    }
}

fn results(page: &mut String, summary: &RunSummary) {
    let slowest = summary
        .results
        .iter()
        .map(|result| result.duration_ms)
        .max()
        .unwrap_or(0);
    page.push_str("<section>\n<h2>Results</h2>\n<table class=\"results\">\n");
    page.push_str(
        "<thead><tr><th class=\"mark\"><span class=\"hidden\">State</span></th>\
         <th class=\"num\">#</th><th>Request</th><th class=\"num\">Iteration</th>\
         <th class=\"num\">Status</th><th class=\"time\">Time</th>\
         <th class=\"num\">Assertions</th></tr></thead>\n",
    );
    for result in &summary.results {
        let (symbol, class, words) = mark(result.state);
        let has_detail = !result.assertions.is_empty()
            || !result.verdicts.is_empty()
            || result.error.is_some()
            || result.extracted.iter().any(|e| e.problem.is_some());
        let open = !matches!(result.state, RunState::Passed | RunState::Skipped);
        let toggle = if has_detail {
            format!(
                " has-detail{}\" tabindex=\"0\" aria-expanded=\"{open}",
                if open { " open" } else { "" }
            )
        } else {
            String::new()
        };
        let _ = write!(
            page,
            "<tbody class=\"{class}\"><tr class=\"row{toggle}\">\
             <td class=\"mark\" title=\"{words}\"><span aria-label=\"{words}\">{symbol}</span></td>\
             <td class=\"num\">{}</td><td class=\"name\">{}</td><td class=\"num\">{}</td>\
             <td class=\"num\">{}</td>",
            result.step.index + 1,
            escape(&result.step.name),
            result.step.iteration,
            result
                .status
                .map_or_else(|| "—".to_string(), |code| code.to_string()),
        );
        if result.state == RunState::Skipped {
            page.push_str("<td class=\"time\"></td>");
        } else {
            let width = if slowest == 0 {
                0.0
            } else {
                result.duration_ms as f64 * 100.0 / slowest as f64
            };
            let _ = write!(
                page,
                "<td class=\"time\"><span class=\"bar\"><span style=\"width:{width:.1}%\">\
                 </span></span><span class=\"ms\">{} ms</span></td>",
                result.duration_ms
            );
        }
        let held = result.assertions.iter().filter(|a| a.passed).count();
        let assertions = if result.assertions.is_empty() {
            "—".to_string()
        } else {
            format!("{held}/{}", result.assertions.len())
        };
        let _ = writeln!(page, "<td class=\"num\">{assertions}</td></tr>");
        if has_detail {
            let hidden = if open { "" } else { " hidden" };
            let _ = write!(
                page,
                "<tr class=\"detail\"{hidden}><td></td><td colspan=\"6\">"
            );
            detail(page, result);
            page.push_str("</td></tr>\n");
        }
        page.push_str("</tbody>\n");
    }
    page.push_str("</table>\n</section>\n");
}

/// A row's error, assertions, extraction problems and verdicts.
fn detail(page: &mut String, result: &StepResult) {
    if let Some(error) = &result.error {
        let _ = write!(
            page,
            "<p class=\"error\"><b>{}</b> {}</p>",
            escape(&kind_key(error.kind)),
            escape(&error.message)
        );
    }
    let problems: Vec<_> = result
        .extracted
        .iter()
        .filter_map(|e| e.problem.as_ref().map(|problem| (&e.variable, problem)))
        .collect();
    if !result.assertions.is_empty() || !problems.is_empty() {
        page.push_str(
            "<table class=\"assertions\"><thead><tr><th></th><th>Assertion</th><th>Actual</th>\
             <th>Message</th></tr></thead><tbody>",
        );
        for checked in &result.assertions {
            let (symbol, class) = if checked.passed {
                ("✓", "passed")
            } else {
                ("✗", "failed")
            };
            let _ = write!(
                page,
                "<tr class=\"{class}\"><td class=\"mark\">{symbol}</td><td>{}</td>\
                 <td><code>{}</code></td><td>{}</td></tr>",
                escape(&checked.assertion.describe()),
                checked
                    .actual
                    .as_deref()
                    .map_or_else(|| "—".to_string(), escape),
                escape(&checked.message),
            );
        }
        for (variable, problem) in problems {
            let _ = write!(
                page,
                "<tr class=\"failed\"><td class=\"mark\">✗</td><td>extract {}</td><td>—</td>\
                 <td>{}</td></tr>",
                escape(variable),
                escape(problem),
            );
        }
        page.push_str("</tbody></table>");
    }
    if !result.verdicts.is_empty() {
        page.push_str("<ul class=\"verdicts\">");
        for (index, verdict) in result.verdicts.iter().enumerate() {
            let class = if verdict.expired { "expired" } else { "fine" };
            let _ = write!(
                page,
                "<li class=\"{class}\">{}<div class=\"sf\">{}</div></li>",
                escape(&verdict_line(index + 1, verdict)),
                escape(&salesforce_line(verdict)),
            );
        }
        page.push_str("</ul>");
    }
}

fn credentials(page: &mut String, summary: &RunSummary) {
    page.push_str("<section>\n<h2>Credentials</h2>\n");
    let mut names: Vec<&str> = summary
        .credentials
        .iter()
        .map(|credential| credential.credential.as_str())
        .collect();
    for result in &summary.results {
        if let Some(name) = result.credential.as_deref()
            && !names.contains(&name)
        {
            names.push(name);
        }
    }
    if names.is_empty() {
        page.push_str("<p class=\"quiet\">No request used a credential.</p>\n");
    }
    for name in names {
        let counted = summary
            .credentials
            .iter()
            .find(|credential| credential.credential == name);
        page.push_str("<div class=\"credential\">\n");
        let _ = writeln!(
            page,
            "<h3>{}</h3><p class=\"counts\">{}</p>",
            escape(name),
            counted.map_or_else(String::new, counts)
        );
        let stories: Vec<(&StepResult, String)> = summary
            .results
            .iter()
            .filter(|result| result.credential.as_deref() == Some(name))
            .filter_map(|result| token_story(result).map(|story| (result, story)))
            .collect();
        if stories.is_empty() {
            page.push_str("<p class=\"quiet\">Its token was accepted every time.</p>\n");
        } else {
            page.push_str("<ol class=\"story\">\n");
            for (result, story) in stories {
                let _ = write!(
                    page,
                    "<li><span class=\"step\">#{} {} [{}]</span>: {}",
                    result.step.index + 1,
                    escape(&result.step.name),
                    result.step.iteration,
                    escape(&story),
                );
                if let Some(expired) = result.verdicts.iter().find(|v| v.expired) {
                    let _ = write!(
                        page,
                        "<div class=\"why\">{}</div><div class=\"sf\">{}</div>",
                        escape(&expired.reason),
                        escape(&salesforce_line(expired)),
                    );
                }
                page.push_str("</li>\n");
            }
            page.push_str("</ol>\n");
        }
        page.push_str("</div>\n");
    }
    page.push_str("</section>\n");
}

/// "6 requests · 2 expiries · 1 refresh · 1 refused".
fn counts(credential: &CredentialRun) -> String {
    escape(&format!(
        "{} · {} · {} · {} refused",
        plural(credential.requests as usize, "request"),
        plural_words(credential.expiries as usize, "expiry", "expiries"),
        plural(credential.refreshes as usize, "refresh"),
        credential.refresh_failures,
    ))
}

/// `text` safe in HTML text and in quoted attributes; control characters
/// (which HTML does not allow either) are dropped.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\n' | '\t' => out.push(c),
            '\r' => {}
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Opens and closes a row's detail on a click, Enter or Space.
const SCRIPT: &str = r#"for (const row of document.querySelectorAll("tr.has-detail")) {
  const toggle = () => {
    const detail = row.nextElementSibling;
    detail.hidden = !detail.hidden;
    row.classList.toggle("open", !detail.hidden);
    row.setAttribute("aria-expanded", String(!detail.hidden));
  };
  row.addEventListener("click", toggle);
  row.addEventListener("keydown", (event) => {
    if (event.key === "Enter" || event.key === " ") { event.preventDefault(); toggle(); }
  });
}
"#;

const STYLE: &str = r#":root {
  color-scheme: light dark;
  --bg: #ffffff; --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --soft: #f6f8fa;
  --passed: #1a7f37; --failed: #cf222e; --errored: #9a6700; --reauth: #8250df;
  --skipped: #818b98; --bar: #0969da; --detail: #fbfcfd;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0d1117; --fg: #e6edf3; --muted: #9198a1; --line: #30363d; --soft: #161b22;
    --passed: #3fb950; --failed: #f85149; --errored: #d29922; --reauth: #a371f7;
    --skipped: #6e7681; --bar: #388bfd; --detail: #11161d;
  }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg);
  font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
main { max-width: 1200px; margin: 0 auto; padding: 28px 32px 48px; }
h1 { font-size: 26px; margin: 0 0 8px; overflow-wrap: anywhere; }
h2 { font-size: 18px; margin: 32px 0 12px; padding-bottom: 6px; border-bottom: 1px solid var(--line); }
h3 { font-size: 15px; margin: 0; display: inline; }
code { font: 12.5px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
  overflow-wrap: anywhere; white-space: pre-wrap; }
header { display: flex; justify-content: space-between; align-items: flex-start; gap: 24px;
  flex-wrap: wrap; }
.meta { display: flex; flex-wrap: wrap; gap: 4px 24px; margin: 0; color: var(--muted); }
.meta dt { display: inline; font-weight: 600; margin-right: 6px; }
.meta dd { display: inline; margin: 0; color: var(--fg); }
.totals { display: flex; gap: 10px; }
.tile { min-width: 92px; padding: 10px 14px; border: 1px solid var(--line); border-radius: 8px;
  background: var(--soft); text-align: center; }
.tile b { display: block; font-size: 28px; line-height: 1.1; }
.tile span { font-size: 12px; color: var(--muted); }
.tile.passed b { color: var(--passed); } .tile.failed b { color: var(--failed); }
.tile.errored b { color: var(--errored); } .tile.reauth b { color: var(--reauth); }
.tile.skipped b { color: var(--skipped); }
.tile.zero { opacity: .55; } .tile.zero b { color: var(--muted); }
.line { color: var(--muted); margin: 14px 0 0; }
.stopped { margin: 12px 0 0; padding: 8px 12px; border-left: 4px solid var(--errored);
  background: var(--soft); }
table { border-collapse: collapse; width: 100%; }
.results > thead th { text-align: left; font-size: 12px; text-transform: uppercase;
  letter-spacing: .04em; color: var(--muted); padding: 6px 10px; border-bottom: 2px solid var(--line); }
.results > tbody > tr.row > td { padding: 7px 10px; border-top: 1px solid var(--line);
  vertical-align: middle; }
.results th.num, .results td.num { text-align: right; white-space: nowrap; width: 1%; }
td.name { overflow-wrap: anywhere; }
tr.has-detail { cursor: pointer; }
tr.has-detail:hover > td, tr.has-detail:focus > td { background: var(--soft); }
tr.has-detail > td.name::after { content: " ▸"; color: var(--muted); }
tr.has-detail.open > td.name::after { content: " ▾"; }
td.mark, th.mark { width: 28px; text-align: center; font-weight: 700; font-size: 15px; }
tbody.passed td.mark { color: var(--passed); } tbody.failed td.mark { color: var(--failed); }
tbody.errored td.mark { color: var(--errored); } tbody.reauth td.mark { color: var(--reauth); }
tbody.skipped td.mark, tbody.skipped > tr > td { color: var(--skipped); }
th.time, td.time { width: 260px; white-space: nowrap; }
.bar { display: inline-block; width: 170px; height: 8px; border-radius: 4px; background: var(--soft);
  border: 1px solid var(--line); vertical-align: middle; overflow: hidden; }
.bar > span { display: block; height: 100%; background: var(--bar); }
tbody.failed .bar > span { background: var(--failed); }
tbody.errored .bar > span { background: var(--errored); }
tbody.reauth .bar > span { background: var(--reauth); }
.ms { display: inline-block; min-width: 64px; margin-left: 8px; text-align: right; color: var(--muted);
  font-variant-numeric: tabular-nums; }
tr.detail > td { padding: 4px 10px 14px; background: var(--detail); }
.assertions { margin: 6px 0; font-size: 13px; }
.assertions th { text-align: left; font-weight: 600; color: var(--muted); padding: 4px 8px;
  border-bottom: 1px solid var(--line); }
.assertions td { padding: 4px 8px; vertical-align: top; border-bottom: 1px solid var(--line); }
.assertions td:nth-child(2) { width: 28%; } .assertions td:nth-child(3) { width: 28%; }
.assertions tr.passed td.mark { color: var(--passed); }
.assertions tr.failed td.mark { color: var(--failed); }
.assertions tr.failed td:nth-child(4) { color: var(--failed); }
.error { margin: 8px 0; padding: 6px 10px; border-left: 3px solid var(--errored);
  background: var(--soft); overflow-wrap: anywhere; }
tbody.reauth .error { border-left-color: var(--reauth); }
.error b { font-weight: 600; margin-right: 6px; }
.verdicts { margin: 8px 0 0; padding-left: 18px; font-size: 13px; }
.verdicts li.expired::marker { color: var(--failed); }
.sf, .why { color: var(--muted); font-size: 12.5px; }
.credential { margin: 0 0 18px; }
.counts { display: inline; margin-left: 12px; color: var(--muted); }
.story { margin: 8px 0 0; padding-left: 22px; }
.story li { margin: 6px 0; }
.story .step { font-weight: 600; }
.quiet { color: var(--muted); margin: 6px 0; }
.hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
"#;

#[cfg(test)]
mod tests {
    use super::super::{sample_summary, samples};
    use super::*;

    #[test]
    fn html_escapes_names_and_server_text() {
        let page = html(&sample_summary());
        assert!(samples::SCRIPT_ACTUAL.contains("<script>"));
        assert!(
            !page.contains("<script>alert"),
            "a server's script reached the page"
        );
        assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(!page.contains("<b>&</b>"));
        assert!(page.contains("Reports/&quot;Q4&quot; &lt;b&gt;&amp;&lt;/b&gt; &#39;draft&#39;"));
        assert!(!page.contains('\u{7}'));
        // The only script is the page's own.
        assert_eq!(page.matches("<script").count(), 1);
    }

    #[test]
    fn html_shows_every_result() {
        let summary = sample_summary();
        let page = html(&summary);
        assert_eq!(
            page.matches("<tr class=\"row").count(),
            summary.results.len()
        );
        for result in &summary.results {
            let (_, class, _) = mark(result.state);
            let row = format!("<tbody class=\"{class}\"><tr class=\"row",);
            assert!(page.contains(&row), "{class}");
            assert!(
                page.contains(&format!(
                    "<td class=\"num\">{}</td><td class=\"name\">{}</td><td class=\"num\">{}</td>",
                    result.step.index + 1,
                    escape(&result.step.name),
                    result.step.iteration
                )),
                "row {} is missing",
                result.step.index + 1
            );
        }
        // Failed rows are open on every assertion, passed ones closed.
        assert!(page.contains("expected status 201, got 400"));
        assert!(page.contains("json $.totalSize equals 3"));
        assert_eq!(page.matches("<tr class=\"detail\" hidden>").count(), 4);
        assert_eq!(page.matches("<tr class=\"detail\">").count(), 3);
        assert!(page.contains("could not connect to eu42.example.invalid:443"));
    }

    #[test]
    fn html_tells_each_credentials_story() {
        let page = html(&sample_summary());
        let credentials = &page[page.find("<h2>Credentials</h2>").unwrap()..];
        assert!(credentials.contains(
            "#2 Accounts/Query accounts [1]</span>: the token expired (rule \
             salesforce.rest.invalid_session) → refreshed → retry 200"
        ));
        assert!(credentials.contains("#7 Accounts/Query accounts [2]</span>: the token expired"));
        assert!(credentials.contains("6 requests · 2 expiries · 1 refresh · 1 refused"));
        assert!(credentials.contains("a Salesforce Named Credential would not refresh"));
        assert!(credentials.contains("never on 5xx"));
        let sandbox = credentials.find("<h3>Sandbox</h3>").unwrap();
        let reports = credentials.find("<h3>Reports API</h3>").unwrap();
        assert!(sandbox < reports);
    }

    #[test]
    fn html_loads_nothing_from_elsewhere() {
        let page = html(&sample_summary());
        for reference in ["src=", "href=", "url(", "@import"] {
            assert!(!page.contains(reference), "the page holds {reference}");
        }
        for scheme in ["http://", "https://", "//"] {
            assert!(!page.contains(&format!("\"{scheme}")), "{scheme}");
        }
    }

    #[test]
    fn the_page_widths_bars_by_the_slowest_request() {
        let page = html(&sample_summary());
        assert!(page.contains("style=\"width:100.0%\"></span></span><span class=\"ms\">1274 ms"));
        // 842 of 1274 ms.
        assert!(page.contains("style=\"width:66.1%\"></span></span><span class=\"ms\">842 ms"));
        assert!(page.contains("@media (prefers-color-scheme: dark)"));
    }
}
