//! `callout import` and `callout export`: curl commands and Postman
//! collections in, curl and Apex out. Saved requests live in the home's
//! `requests.json` (the app's request list); credentials from a collection
//! are added as definitions only — their secrets never come along.

use std::io::Read;
use std::path::Path;
use std::process::ExitCode;

use callout_core::credential_store::CredentialStore;
use callout_core::home::Home;
use callout_core::interop::{self, ExportFormat, curl, postman, postman_folder};
use callout_core::requests::{RequestStore, SavedRequest};
use callout_core::send::Draft;
use callout_core::{Error, ErrorKind};
use callout_sandbox::embedded::CREDENTIAL_NAME;
use clap::{Args, Subcommand, ValueEnum};

#[derive(Debug, Args)]
pub struct ImportArgs {
    #[command(subcommand)]
    source: ImportSource,
}

#[derive(Debug, Subcommand)]
enum ImportSource {
    /// A curl command, as one argument ('curl -X POST ...') or `-` to read it
    /// from standard input; saved as a request
    Curl {
        /// The command, or - for standard input
        command: String,
        /// The saved request's name [default: METHOD and path]
        #[arg(long)]
        name: Option<String>,
        /// Print what would be saved, save nothing
        #[arg(long)]
        dry_run: bool,
    },
    /// A Postman collection (v2.1 JSON export): its requests are saved, its
    /// OAuth 2 settings become credentials (without secrets)
    Postman {
        /// The collection file
        file: std::path::PathBuf,
        /// Print what would be saved, save nothing
        #[arg(long, conflicts_with = "into")]
        dry_run: bool,
        /// Make DIR a collection on disk (one file per request, the folder
        /// tree kept, {{variables}} kept as variables) instead of adding to
        /// the saved requests
        #[arg(long, value_name = "DIR")]
        into: Option<std::path::PathBuf>,
        /// A Postman environment export to bring in with --into (its
        /// variables, never its secret or token values); repeat for more
        #[arg(long = "environment", value_name = "FILE", requires = "into")]
        environments: Vec<std::path::PathBuf>,
    },
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// A saved request's name (ignoring case) or id; see `callout import`
    #[arg(required_unless_present = "curl")]
    request: Option<String>,
    /// Convert this curl command instead of a saved request
    #[arg(long, value_name = "COMMAND", conflicts_with = "request")]
    curl: Option<String>,
    /// What to write
    #[arg(long, value_enum, default_value_t = Format::Curl)]
    format: Format,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Curl,
    Apex,
}

pub fn import(home: Option<&Path>, args: ImportArgs) -> ExitCode {
    match run_import(home, args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => fail("import", &error),
    }
}

pub fn export(home: Option<&Path>, args: ExportArgs) -> ExitCode {
    match run_export(home, &args) {
        Ok(text) => {
            print!("{text}");
            ExitCode::SUCCESS
        }
        Err(error) => fail("export", &error),
    }
}

fn fail(command: &str, error: &Error) -> ExitCode {
    eprintln!("callout {command}: {error}");
    match error.kind() {
        ErrorKind::Storage | ErrorKind::Keychain | ErrorKind::KeychainUnavailable => {
            ExitCode::FAILURE
        }
        _ => ExitCode::from(2),
    }
}

fn run_import(home: Option<&Path>, args: ImportArgs) -> Result<(), Error> {
    let home = Home::resolve(home)?;
    let requests = RequestStore::new(&home, CREDENTIAL_NAME);
    match args.source {
        ImportSource::Curl {
            command,
            name,
            dry_run,
        } => {
            let command = if command == "-" {
                read_stdin()?
            } else {
                command
            };
            let imported =
                interop::request_from_curl(&command, name.as_deref(), &read_relative_file)?;
            print_request(&imported.request);
            for note in &imported.notes {
                println!("note: {note}");
            }
            if dry_run {
                println!("(dry run: nothing saved)");
            } else {
                let saved = requests.save(imported.request)?;
                println!(
                    "saved as \"{}\" in {}",
                    saved.name,
                    requests.path().display()
                );
            }
        }
        ImportSource::Postman {
            file,
            dry_run,
            into,
            environments,
        } => {
            let read = |what: &'static str, file: &Path| {
                std::fs::read_to_string(file).map_err(|error| Error::Import {
                    what,
                    detail: format!("cannot read {}: {error}", file.display()),
                })
            };
            let json = read("Postman collection", &file)?;
            if let Some(dir) = into {
                let environments = environments
                    .iter()
                    .map(|file| read("Postman environment", file))
                    .collect::<Result<Vec<_>, Error>>()?;
                let store = CredentialStore::new(home.clone());
                return import_into_folder(&dir, &json, &environments, &store);
            }
            let collection = postman::import(&json)?;
            let store = CredentialStore::new(home.clone());
            let report = interop::save_collection(collection, &store, &requests, dry_run)?;
            println!(
                "{}: {} requests, {} credentials",
                report.name,
                report.requests.len(),
                report.credentials_added.len() + report.credentials_kept.len()
            );
            for request in &report.requests {
                print_request(request);
            }
            for name in &report.credentials_added {
                println!("credential {name} (new): definition only, no secrets");
            }
            for name in &report.credentials_kept {
                println!("credential {name} (exists, kept as it is)");
            }
            for note in &report.notes {
                println!("note: {note}");
            }
            if dry_run {
                println!("(dry run: nothing saved)");
            } else {
                println!("saved in {}", requests.path().display());
            }
        }
    }
    Ok(())
}

/// `import postman FILE --into DIR`: the collection on disk, its credential
/// drafts added (definitions only) unless one of the name exists.
fn import_into_folder(
    dir: &Path,
    json: &str,
    environments: &[String],
    store: &CredentialStore,
) -> Result<(), Error> {
    let imported = postman_folder::import(dir, json, environments)?;
    let collection = &imported.collection;
    println!(
        "{}: {} requests in {}{}",
        collection.name,
        collection.requests().len(),
        dir.display(),
        if imported.environments.is_empty() {
            String::new()
        } else {
            format!("; environments: {}", imported.environments.join(", "))
        }
    );
    let known = store.load()?;
    for credential in imported.credentials {
        if known.get(&credential.name).is_ok() {
            println!("credential {} (exists, kept as it is)", credential.name);
        } else {
            let name = credential.name.clone();
            store.add(credential)?;
            println!("credential {name} (new): definition only, no secrets");
        }
    }
    for note in &imported.notes {
        println!("note: {note}");
    }
    println!(
        "send one with: callout send --saved \"FOLDER/REQUEST\" --collection {}{}",
        dir.display(),
        imported
            .environments
            .first()
            .map(|name| format!(" --env {name}"))
            .unwrap_or_default()
    );
    Ok(())
}

fn run_export(home: Option<&Path>, args: &ExportArgs) -> Result<String, Error> {
    let home = Home::resolve(home)?;
    let draft = match (&args.curl, &args.request) {
        (Some(command), _) => curl::import(command, &read_relative_file)?.draft,
        (None, Some(wanted)) => find_request(&RequestStore::new(&home, CREDENTIAL_NAME), wanted)?,
        (None, None) => {
            return Err(Error::Export {
                format: "curl",
                detail: "name a saved request or give --curl".into(),
            });
        }
    };
    let credentials = CredentialStore::new(home).load()?;
    let format = match args.format {
        Format::Curl => ExportFormat::Curl,
        Format::Apex => ExportFormat::Apex,
    };
    interop::export(&draft, &credentials, format)
}

fn find_request(store: &RequestStore, wanted: &str) -> Result<Draft, Error> {
    let requests = store.list()?;
    requests
        .iter()
        .find(|r| r.id == wanted || r.name.eq_ignore_ascii_case(wanted))
        .map(SavedRequest::draft)
        .ok_or_else(|| Error::Export {
            format: "curl or Apex",
            detail: format!(
                "there is no saved request named \"{wanted}\"; saved requests: {}",
                requests
                    .iter()
                    .map(|r| format!("\"{}\"", r.name))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        })
}

fn print_request(request: &SavedRequest) {
    let body = match &request.body {
        Some(body) => format!(", body {} bytes", body.len()),
        None => String::new(),
    };
    println!(
        "  {}: {} {} ({} headers{body})",
        request.name,
        request.method,
        request.url,
        request.headers.len()
    );
}

fn read_stdin() -> Result<String, Error> {
    let mut text = String::new();
    std::io::stdin()
        .read_to_string(&mut text)
        .map_err(|error| Error::Import {
            what: "curl command",
            detail: format!("cannot read standard input: {error}"),
        })?;
    Ok(text)
}

/// `-d @FILE` relative to the current directory, as curl reads it.
fn read_relative_file(path: &Path) -> std::io::Result<String> {
    std::fs::read_to_string(path)
}
