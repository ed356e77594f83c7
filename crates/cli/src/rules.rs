//! `callout rules`: the expiry catalog built in and the user's own rules
//! (files in the same format in the home's `rules/` folder): list them,
//! show one, test a rule file (its examples, or a recorded response), add
//! a shared file, remove one.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use callout_core::actions::{self, rules::Teaching};
use callout_core::credential_store::CredentialStore;
use callout_core::detect::catalog::{self, Means, Rule, Sample};
use callout_core::history::History;
use callout_core::home::Home;
use callout_core::rules::{self as store, RuleStore};
use callout_core::send::Sender;
use callout_core::{Error, ErrorKind};
use clap::{Args, Subcommand};
use serde_json::json;

#[derive(Debug, Args)]
pub struct RulesArgs {
    #[command(subcommand)]
    command: RulesCommand,
}

#[derive(Debug, Subcommand)]
enum RulesCommand {
    /// Every rule: yours (tried first), then the built-in catalog's
    List {
        /// Only the rules of services whose name holds TEXT
        #[arg(long, value_name = "TEXT")]
        service: Option<String>,
        /// Print a JSON array
        #[arg(long)]
        json: bool,
    },
    /// One rule whole: where it applies, its conditions, its source, its
    /// examples
    Show { id: String },
    /// Check a rule file: it reads, each example matches and no
    /// counter-example does; with RESPONSE (a recorded response: status
    /// line, headers, a blank line, the body) say which of its rules
    /// matches it, and the whole verdict
    Test {
        file: PathBuf,
        response: Option<PathBuf>,
        /// The URL the response came from (its host picks the rules; a
        /// `callout:NAME/...` URL goes through that credential) [default: a
        /// host of the file's first rule]
        #[arg(long, value_name = "URL")]
        url: Option<String>,
    },
    /// Add a rule file (one shared with you, or your own) to your rules,
    /// after testing it
    Add { file: PathBuf },
    /// Propose the rule a kept send's response needed (`callout history`
    /// lists them): the narrowest one that tells it from the same host's
    /// fine answers; printed, or with --save added to your rules
    Teach {
        /// The send's history id
        send: i64,
        /// Its response means the token expired (refresh and retry)
        #[arg(long, required_unless_present = "not_expiry")]
        expired: bool,
        /// Its response is not an expiry: no refresh is spent on it
        #[arg(long, conflicts_with = "expired", requires = "fix")]
        not_expiry: bool,
        /// With --not-expiry: what will fix it ("give a new API key")
        #[arg(long, value_name = "TEXT")]
        fix: Option<String>,
        /// The rule's id [default: taught.HOST.ID]
        #[arg(long, value_name = "ID")]
        rule_id: Option<String>,
        /// The service's name, as verdicts will say it [default: the host]
        #[arg(long, value_name = "NAME")]
        service: Option<String>,
        /// Add it to your rules
        #[arg(long)]
        save: bool,
    },
    /// Remove one of your rule files (by its file name)
    Remove { name: String },
}

pub fn run(home: Option<&Path>, args: RulesArgs) -> ExitCode {
    match rules(home, args) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("callout rules: {error}");
            match error.kind() {
                ErrorKind::Storage => ExitCode::FAILURE,
                _ => ExitCode::from(2),
            }
        }
    }
}

/// Gives `sender` the home's rules; a file that cannot be read stops the
/// command (a rule the user wrote is never left out in silence).
pub fn load_into(home: &Home, sender: &Sender) -> Result<(), Error> {
    sender.set_user_rules(RuleStore::new(home).load()?);
    Ok(())
}

fn rules(home: Option<&Path>, args: RulesArgs) -> Result<ExitCode, Error> {
    let home = Home::resolve(home)?;
    let store = RuleStore::new(&home);
    match args.command {
        RulesCommand::List { service, json } => {
            let mine = store.load()?;
            let wanted = |rule: &&Rule| {
                service.as_deref().is_none_or(|text| {
                    rule.service
                        .to_ascii_lowercase()
                        .contains(&text.to_ascii_lowercase())
                })
            };
            let listed: Vec<(&str, &Rule)> = mine
                .rules
                .iter()
                .filter(wanted)
                .map(|rule| ("yours", rule))
                .chain(
                    catalog::built_in()
                        .rules
                        .iter()
                        .filter(wanted)
                        .map(|rule| ("built-in", rule)),
                )
                .collect();
            if json {
                let rows: Vec<serde_json::Value> = listed
                    .iter()
                    .map(|(origin, rule)| {
                        json!({
                            "id": rule.id,
                            "service": rule.service,
                            "means": rule.means.word(),
                            "statuses": rule.statuses,
                            "hosts": rule.hosts,
                            "credentials": rule.credentials,
                            "source": rule.source,
                            "origin": origin,
                            "file": rule.file,
                        })
                    })
                    .collect();
                println!("{}", serde_json::Value::Array(rows));
            } else {
                for (origin, rule) in &listed {
                    println!(
                        "{:<44} {:<10} {:<12} {} ({origin})",
                        rule.id,
                        rule.means.word(),
                        statuses(rule),
                        rule.service
                    );
                }
                let services: std::collections::BTreeSet<&str> = listed
                    .iter()
                    .map(|(_, rule)| rule.service.as_str())
                    .collect();
                let plural = |count: usize, word: &str| {
                    format!("{count} {word}{}", if count == 1 { "" } else { "s" })
                };
                println!(
                    "{} of {}; yours are in {}",
                    plural(listed.len(), "rule"),
                    plural(services.len(), "service"),
                    store.dir().display()
                );
            }
        }
        RulesCommand::Show { id } => {
            let mine = store.load()?;
            let (origin, rule) = mine
                .get(&id)
                .map(|rule| ("yours", rule))
                .or_else(|| catalog::built_in().get(&id).map(|rule| ("built-in", rule)))
                .ok_or_else(|| Error::Import {
                    what: "rule",
                    detail: format!("no rule has the id {id} (callout rules list shows them)"),
                })?;
            show(rule, origin);
        }
        RulesCommand::Test {
            file,
            response,
            url,
        } => {
            let credentials = CredentialStore::new(home.clone());
            return test(&credentials, &file, response.as_deref(), url.as_deref());
        }
        RulesCommand::Add { file } => {
            let text = store::read_rule_file(&file)?;
            let name = file.file_name().map_or_else(
                || "rules".into(),
                |name| name.to_string_lossy().into_owned(),
            );
            let added = store.add(&text, &name)?;
            println!(
                "added {} ({}); it applies from the next send on",
                added.path,
                added.ids.join(", ")
            );
        }
        RulesCommand::Teach {
            send,
            expired,
            not_expiry: _,
            fix,
            rule_id,
            service,
            save,
        } => {
            let history = History::open(&home)?;
            let teaching = Teaching {
                send,
                means: if expired {
                    Means::Expired
                } else {
                    Means::NotExpiry
                },
                fix,
                rule_id,
                service,
            };
            let proposal = actions::rules::propose(&history, &teaching)?;
            print!("{}", proposal.text);
            eprintln!(
                "(checked against {} fine answer{} of the same host)",
                proposal.successes,
                if proposal.successes == 1 { "" } else { "s" }
            );
            if save {
                let added = actions::rules::save(&store, &proposal)?;
                eprintln!("added {}; it applies from the next send on", added.path);
            }
        }
        RulesCommand::Remove { name } => {
            let removed = store.remove(&name)?;
            println!("removed {}", removed.display());
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn statuses(rule: &Rule) -> String {
    if rule.statuses.is_empty() {
        "4xx/5xx".into()
    } else {
        rule.statuses
            .iter()
            .map(u16::to_string)
            .collect::<Vec<_>>()
            .join(",")
    }
}

fn show(rule: &Rule, origin: &str) {
    println!("{} ({origin}, {})", rule.id, rule.file);
    println!("service:  {}", rule.service);
    println!("means:    {}", rule.means.word());
    println!("status:   {}", statuses(rule));
    println!("hosts:    {} (and their subdomains)", rule.hosts.join(", "));
    if !rule.credentials.is_empty() {
        println!("only for: {}", rule.credentials.join(", "));
    }
    println!("when:");
    for condition in &rule.conditions_shown {
        println!("  {condition}");
    }
    println!("says:     {}", rule.says);
    if let Some(fix) = &rule.fix {
        println!("fix:      {fix}");
    }
    println!("source:   {}", rule.source);
    for example in &rule.examples {
        println!(
            "example:  HTTP {} {}",
            example.status,
            one_line(&example.body)
        );
    }
    for counter in &rule.counter_examples {
        println!(
            "not:      HTTP {} {} ({})",
            counter.status,
            one_line(&counter.body),
            counter.why.as_deref().unwrap_or("a neighbouring response")
        );
    }
}

fn one_line(body: &str) -> String {
    let line: String = body.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() > 100 {
        format!("{}…", line.chars().take(100).collect::<String>())
    } else {
        line
    }
}

/// `rules test FILE [RESPONSE]`: exit 0 when every sample passes (and the
/// response, if given, matches a rule of the file), 1 otherwise.
fn test(
    store: &CredentialStore,
    file: &Path,
    response: Option<&Path>,
    url: Option<&str>,
) -> Result<ExitCode, Error> {
    let text = store::read_rule_file(file)?;
    let name = file.display().to_string();
    let rules = catalog::parse_file(&text, &name).map_err(|detail| Error::Import {
        what: "rule file",
        detail,
    })?;
    let mut passed = true;
    for check in catalog::check_samples(&rules) {
        let mark = if check.passed { "ok  " } else { "FAIL" };
        passed &= check.passed;
        println!("{mark} {} {}: {}", check.rule, check.sample, check.message);
    }
    if let Some(response) = response {
        let sample = read_response(response)?;
        let status = sample.status;
        let checked = actions::rules::check_response(store, &rules, &sample, url);
        println!();
        println!(
            "{}: HTTP {status} from {} {}",
            response.display(),
            checked.url,
            if checked.rule.is_some() {
                "matches a rule of the file"
            } else {
                "matches no rule of the file"
            }
        );
        if let Some(note) = &checked.note {
            println!("  {note}");
        }
        crate::explain::print_human(&checked.verdict);
        passed &= checked.rule.is_some();
    }
    Ok(if passed {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// A recorded response file: the status line, headers, a blank line, the
/// body.
fn read_response(path: &Path) -> Result<Sample, Error> {
    let refuse = |detail: String| Error::Import {
        what: "recorded response",
        detail: format!("{}: {detail}", path.display()),
    };
    let text = std::fs::read_to_string(path).map_err(|error| refuse(error.to_string()))?;
    Sample::parse_recorded(&text).map_err(refuse)
}
