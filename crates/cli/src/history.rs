//! `callout history`: the sends this home kept, newest first, one of them
//! whole, two compared, and kept responses as Apex test mocks.

use std::path::Path;
use std::process::ExitCode;

use callout_core::Error;
use callout_core::actions::export::{self, MockFrom};
use callout_core::history::History;
use callout_core::home::Home;
use chrono::{DateTime, Local};
use clap::{Args, Subcommand};

#[derive(Debug, Args)]
pub struct HistoryArgs {
    #[command(subcommand)]
    command: Option<HistoryCommand>,
    /// Only the sends of this saved request, "Collection/Folder/Request" as
    /// the app and `callout send --saved` keep them (a request's file path, or
    /// "Folder/Request" in a directory with a collection.toml, is read as
    /// `send --saved` reads it)
    #[arg(long, value_name = "PATH")]
    request: Option<String>,
    /// At most this many
    #[arg(long, default_value_t = 20)]
    limit: u32,
    /// Print JSON
    #[arg(long, global = true)]
    json: bool,
}

#[derive(Debug, Subcommand)]
enum HistoryCommand {
    /// One kept send, whole: the request as shown, the response, the
    /// verdict and every attempt
    Show { id: i64 },
    /// What changed from one kept response to another (status, headers,
    /// body), as a unified diff; `callout send --again ID` sends one again
    Diff { before: i64, after: i64 },
    /// Kept responses as an Apex test mock: an HttpCalloutMock class that
    /// answers callouts with them in turn (a send's every attempt: the
    /// session fault, then the answer after the refresh), printed; or with
    /// --static-resources, static resources for StaticResourceCalloutMock
    Mock {
        /// History ids, in the order the mock answers with them
        #[arg(required = true, num_args = 1..)]
        ids: Vec<i64>,
        /// The Apex class's name (or with --static-resources, the
        /// resources' name stem)
        #[arg(
            long = "class",
            value_name = "NAME",
            default_value = "RecordedCalloutMock"
        )]
        class_name: String,
        /// Only each send's final response, not every attempt's
        #[arg(long)]
        final_only: bool,
        /// Write the responses as static resources into this SFDX
        /// project (force-app/main/default/staticresources) and print the
        /// Apex that mocks callouts with them
        #[arg(long, value_name = "DIR")]
        static_resources: Option<std::path::PathBuf>,
    },
}

pub fn run(home: Option<&Path>, args: HistoryArgs) -> ExitCode {
    match history(home, args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("callout history: {error}");
            ExitCode::FAILURE
        }
    }
}

fn history(home: Option<&Path>, args: HistoryArgs) -> Result<(), Error> {
    let home = Home::resolve(home)?;
    let history = History::open(&home)?;
    match args.command {
        Some(HistoryCommand::Diff { before, after }) => {
            let diff = history.diff(before, after)?;
            if diff.is_empty() {
                println!("sends {before} and {after} answered the same");
            } else {
                print!("{diff}");
            }
        }
        Some(HistoryCommand::Mock {
            ids,
            class_name,
            final_only,
            static_resources,
        }) => {
            let from = MockFrom { ids, final_only };
            match static_resources {
                None => print!(
                    "{}",
                    export::http_callout_mock(&history, &from, &class_name)?
                ),
                Some(out) => {
                    let written =
                        export::static_resource_mocks(&history, &from, &class_name, &out)?;
                    eprintln!("static resources in {}:", written.root);
                    for file in &written.files {
                        let replaced = if written.replaced.contains(file) {
                            " (replaced)"
                        } else {
                            ""
                        };
                        eprintln!("  {file}{replaced}");
                    }
                    print!("{}", written.snippet);
                }
            }
        }
        Some(HistoryCommand::Show { id }) => {
            let kept = history.get(id)?;
            if args.json {
                print_json(&kept)?;
                return Ok(());
            }
            let sent = &kept.sent;
            println!(
                "#{} {} {} -> HTTP {} ({} ms)",
                sent.id, sent.method, sent.url, sent.status, sent.duration_ms
            );
            if let Some(request) = &sent.request {
                println!("saved request: {request}");
            }
            if let Some(environment) = &sent.environment {
                println!("environment:   {environment}");
            }
            let response = &kept.report["response"];
            for header in response["headers"].as_array().into_iter().flatten() {
                println!(
                    "{}: {}",
                    header["name"].as_str().unwrap_or(""),
                    header["value"].as_str().unwrap_or("")
                );
            }
            println!();
            println!("{}", response["body"].as_str().unwrap_or("").trim_end());
            if response.get("bodyCutInHistory").is_some() {
                println!("[body cut in the history]");
            }
            for attempt in kept.report["attempts"].as_array().into_iter().flatten() {
                println!("attempt: {}", attempt["step"].as_str().unwrap_or("?"));
            }
        }
        None => {
            let request = args.request.map(|given| label_of(&home, given));
            let sends = history.list(request.as_deref(), args.limit)?;
            if args.json {
                print_json(&sends)?;
                return Ok(());
            }
            for sent in sends {
                println!(
                    "#{:<5} {} {} {} -> {} ({} ms){}",
                    sent.id,
                    local_time(sent.at_ms),
                    sent.method,
                    sent.url,
                    sent.status,
                    sent.duration_ms,
                    sent.request
                        .map(|request| format!("  [{request}]"))
                        .unwrap_or_default()
                );
            }
        }
    }
    Ok(())
}

/// The history's label of the saved request `given` names, as `send
/// --saved` would name it; `given` itself when it names none.
fn label_of(home: &Home, given: String) -> String {
    // The workbench is only read when there is one: a look at the history
    // makes nothing.
    let readable = crate::saved::local_dir(None).is_some()
        || callout_core::workbench::Workbench::new(home)
            .path()
            .exists();
    if !readable {
        return given;
    }
    crate::saved::find(home, &given, None, None)
        .ok()
        .and_then(|found| found.label().request)
        .unwrap_or(given)
}

fn print_json(value: &impl serde::Serialize) -> Result<(), Error> {
    let text = serde_json::to_string_pretty(value).map_err(|error| Error::Storage {
        action: "print",
        path: "the history".into(),
        detail: error.to_string(),
    })?;
    println!("{text}");
    Ok(())
}

/// `at_ms` (since the Unix epoch) in local time, to the second.
fn local_time(at_ms: u64) -> String {
    let at = std::time::UNIX_EPOCH + std::time::Duration::from_millis(at_ms);
    let local: DateTime<Local> = at.into();
    local.format("%Y-%m-%d %H:%M:%S").to_string()
}
