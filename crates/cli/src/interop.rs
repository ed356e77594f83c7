//! `callout import` and `callout export`: curl commands, Postman and
//! Insomnia collections, Bruno folders, OpenAPI documents, WSDLs, HAR
//! recordings and Salesforce metadata in; curl and Apex out. What comes in goes into a collection
//! the app shows (one of the workbench's, or a directory named); credentials
//! from a Postman collection are added as definitions only — their secrets
//! never come along.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use callout_core::actions::import::{self, ImportInput, ImportKind, ImportOptions, ImportReport};
use callout_core::collection::{self, Collection};
use callout_core::credential_store::CredentialStore;
use callout_core::home::Home;
use callout_core::interop::{self, ExportFormat, curl, postman, postman_folder};
use callout_core::requests::{SavedRequest, samples};
use callout_core::send::Draft;
use callout_core::workbench::{FIRST_COLLECTION, Workbench};
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
    /// from standard input; saved as a request file in a collection
    Curl {
        /// The command, or - for standard input
        command: String,
        /// The saved request's name [default: METHOD and path]
        #[arg(long)]
        name: Option<String>,
        /// The collection to save it in: a directory with a collection.toml,
        /// or the name of one open in the app [default: the app's "My
        /// requests", else the first open collection]
        #[arg(long, value_name = "DIR|NAME")]
        collection: Option<String>,
        /// Print what would be saved, save nothing
        #[arg(long)]
        dry_run: bool,
    },
    /// A Postman collection (v2.1 JSON export) as a collection on disk: one
    /// file per request, the folder tree kept, {{variables}} kept as
    /// variables; its OAuth 2 settings become credentials (without secrets).
    /// Without --into it goes into the app's collections directory and is
    /// opened in the app
    Postman {
        /// The collection file
        file: std::path::PathBuf,
        /// Print what would be imported, save nothing
        #[arg(long, conflicts_with = "into")]
        dry_run: bool,
        /// Make DIR the collection (a folder of a git checkout, say) instead;
        /// `callout collection open DIR` opens it in the app
        #[arg(long, value_name = "DIR")]
        into: Option<std::path::PathBuf>,
        /// A Postman environment export to bring in (its variables, never its
        /// secret or token values); repeat for more
        #[arg(long = "environment", value_name = "FILE")]
        environments: Vec<std::path::PathBuf>,
    },
    /// Salesforce metadata: the Named Credentials, External Credentials and
    /// Auth Providers of an SFDX project (or a retrieved
    /// force-app/main/default) become credentials (definitions only: each
    /// secret they need is named)
    Sfdx {
        /// The project's (or metadata folder's) directory
        dir: PathBuf,
        /// Print what would be added, add nothing
        #[arg(long)]
        dry_run: bool,
    },
    /// A WSDL 1.1 (file or URL): a folder per service and port, one SOAP
    /// request per operation with a skeleton envelope
    Wsdl(DocumentArgs),
    /// An OpenAPI 3.x or Swagger 2.0 document (JSON or YAML; file or URL):
    /// one request per operation; security schemes become credential drafts
    Openapi(DocumentArgs),
    /// An Insomnia export (v4 JSON or v5 YAML)
    Insomnia(DocumentArgs),
    /// A Bruno collection: its folder (.bru files, or the YAML format)
    Bruno(DocumentArgs),
    /// A HAR recording (a browser's network log): one request per entry
    Har(DocumentArgs),
}

/// What `import wsdl|openapi|insomnia|bruno|har` read and where it goes.
#[derive(Debug, Args)]
struct DocumentArgs {
    /// The file (a Bruno collection: its folder), or an http(s):// URL
    #[arg(value_name = "FILE|URL")]
    source: String,
    /// Print what would be imported, write nothing
    #[arg(long)]
    dry_run: bool,
    /// Make DIR the collection (a folder of a git checkout, say; it must not
    /// exist) instead of a new one in the app's collections directory;
    /// `callout collection open DIR` opens it in the app
    #[arg(long, value_name = "DIR")]
    into: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// A saved request: "Collection/Folder/Request" of a collection open in
    /// the app (with --collection, "Folder/Request" of that one), or the name
    /// of a built-in sample ("Salesforce SOAP query")
    #[arg(required_unless_present = "curl")]
    request: Option<String>,
    /// The collection the request is in: a directory with a collection.toml
    /// [default: the current directory when it has one, else the collections
    /// open in the app]
    #[arg(long, value_name = "DIR", conflicts_with = "curl")]
    collection: Option<std::path::PathBuf>,
    /// The environment whose {{variables}} the saved request uses [default:
    /// through the app's open collections, the one chosen for the collection]
    #[arg(long = "env", value_name = "NAME", conflicts_with = "curl")]
    environment: Option<String>,
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
    let workbench = Workbench::new(&home);
    match args.source {
        ImportSource::Curl {
            command,
            name,
            collection,
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
                let root = curl_collection(&workbench, collection.as_deref())?;
                let path = collection::new_request(&root, "", &imported.request)?;
                let collection = Collection::open(&root)?;
                let file = collection.request(&path)?;
                println!(
                    "saved as \"{}/{}\" in {}",
                    collection.name,
                    file.named_path(),
                    root.join(&path).display()
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
            let environments = environments
                .iter()
                .map(|file| read("Postman environment", file))
                .collect::<Result<Vec<_>, Error>>()?;
            let store = CredentialStore::new(home.clone());
            if dry_run {
                return postman_dry_run(&json, &store);
            }
            match into {
                Some(dir) => {
                    let imported = postman_folder::import(&dir, &json, &environments)?;
                    report_postman(imported, &store)?;
                    println!(
                        "send one with: callout send --saved \"FOLDER/REQUEST\" --collection {}; \
                         open it in the app with: callout collection open {}",
                        dir.display(),
                        dir.display()
                    );
                }
                None => {
                    let imported = postman_folder::import_into(
                        workbench.collections_dir(),
                        &json,
                        &environments,
                    )?;
                    workbench.open(&imported.collection.root)?;
                    let name = imported.collection.name.clone();
                    let first_environment = imported.environments.first().cloned();
                    report_postman(imported, &store)?;
                    println!(
                        "opened in the app; send one with: callout send --saved \"{name}/FOLDER/REQUEST\"{}",
                        first_environment
                            .map(|environment| format!(
                                " --env \"{environment}\" (or choose it once: callout env use \
                                 \"{environment}\" --collection \"{name}\")"
                            ))
                            .unwrap_or_default()
                    );
                }
            }
        }
        ImportSource::Sfdx { dir, dry_run } => {
            let input = ImportInput::Path {
                path: dir.display().to_string(),
            };
            let options = ImportOptions {
                dry_run,
                into: None,
            };
            import_document(&home, &workbench, ImportKind::Sfdx, &input, &options)?;
        }
        ImportSource::Wsdl(args) => document(&home, &workbench, ImportKind::Wsdl, args)?,
        ImportSource::Openapi(args) => document(&home, &workbench, ImportKind::Openapi, args)?,
        ImportSource::Insomnia(args) => document(&home, &workbench, ImportKind::Insomnia, args)?,
        ImportSource::Bruno(args) => document(&home, &workbench, ImportKind::Bruno, args)?,
        ImportSource::Har(args) => document(&home, &workbench, ImportKind::Har, args)?,
    }
    Ok(())
}

fn document(
    home: &Home,
    workbench: &Workbench,
    kind: ImportKind,
    args: DocumentArgs,
) -> Result<(), Error> {
    let options = ImportOptions {
        dry_run: args.dry_run,
        into: args.into,
    };
    let input = ImportInput::Path { path: args.source };
    import_document(home, workbench, kind, &input, &options)
}

/// Runs the import action and prints its report.
fn import_document(
    home: &Home,
    workbench: &Workbench,
    kind: ImportKind,
    input: &ImportInput,
    options: &ImportOptions,
) -> Result<(), Error> {
    let network = crate::network::for_home(home)?;
    let client = network
        .client_builder()?
        .build()
        .map_err(|error| Error::Transport {
            url: String::new(),
            detail: format!("the HTTP client could not be set up: {error}"),
        })?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|error| Error::Storage {
            action: "start",
            path: "the async runtime".into(),
            detail: error.to_string(),
        })?;
    let store = CredentialStore::new(home.clone());
    let report = runtime.block_on(import::import(
        workbench, &store, &client, kind, input, options,
    ))?;
    print_import_report(&report);
    Ok(())
}

/// An import's report as lines: what was (or would be) made, the
/// credentials, what to supply, the notes, and what to do next.
fn print_import_report(report: &ImportReport) {
    let would = if report.dry_run { "would be " } else { "" };
    if let Some(collection) = &report.collection {
        println!(
            "{}: {} requests {would}in {}",
            collection.name,
            collection.files.len(),
            collection.root
        );
        for file in &collection.files {
            println!("  {file}");
        }
        if !collection.environments.is_empty() {
            println!("environments: {}", collection.environments.join(", "));
        }
    }
    for name in &report.credentials_added {
        println!("credential {name} ({would}added): definition only, no secrets");
    }
    for name in &report.credentials_kept {
        println!("credential {name} (exists, kept as it is)");
    }
    if report.collection.is_none()
        && report.credentials_added.is_empty()
        && report.credentials_kept.is_empty()
    {
        println!("no credential found in {}", report.source);
    }
    for needed in &report.to_supply {
        println!("to supply: {needed}");
    }
    for note in &report.notes {
        println!("note: {note}");
    }
    if report.dry_run {
        println!("(dry run: nothing written)");
    } else if let Some(collection) = &report.collection {
        if report.opened {
            println!(
                "opened in the app; send one with: callout send --saved \"{}/FOLDER/REQUEST\"",
                collection.name
            );
        } else {
            println!(
                "send one with: callout send --saved \"FOLDER/REQUEST\" --collection {}; \
                 open it in the app with: callout collection open {}",
                collection.root, collection.root
            );
        }
    } else if let Some(first) = report.credentials_added.first() {
        println!("then authorize: callout authorize {first}");
    }
}

/// The collection `import curl` saves into: `given` (a directory or the
/// name of an open collection), else the workbench's "My requests", else
/// its first open collection.
fn curl_collection(workbench: &Workbench, given: Option<&str>) -> Result<PathBuf, Error> {
    if let Some(given) = given {
        if Path::new(given).join(collection::COLLECTION_FILE).exists() {
            return Ok(PathBuf::from(given));
        }
        return crate::saved::find_open(workbench, given).map(|opened| PathBuf::from(opened.root));
    }
    let open = workbench.list()?;
    let mine = workbench
        .collections_dir()
        .join(FIRST_COLLECTION)
        .display()
        .to_string();
    open.iter()
        .find(|opened| opened.root == mine)
        .or_else(|| open.first())
        .map(|opened| PathBuf::from(&opened.root))
        .ok_or_else(|| Error::Storage {
            action: "save the request",
            path: workbench.path().display().to_string(),
            detail: "no collection is open: give --collection DIR".into(),
        })
}

/// `import postman FILE --dry-run`: what the collection holds, nothing saved.
fn postman_dry_run(json: &str, store: &CredentialStore) -> Result<(), Error> {
    let collection = postman::import_keeping_variables(json)?;
    let known = store.load()?;
    println!(
        "{}: {} requests, {} credentials",
        collection.name,
        collection.requests.len(),
        collection.credentials.len()
    );
    for request in &collection.requests {
        print_request(request);
    }
    for credential in &collection.credentials {
        if known.get(&credential.name).is_ok() {
            println!("credential {} (exists, kept as it is)", credential.name);
        } else {
            println!(
                "credential {} (new): definition only, no secrets",
                credential.name
            );
        }
    }
    for note in &collection.notes {
        println!("note: {note}");
    }
    println!("(dry run: nothing saved)");
    Ok(())
}

/// A Postman collection made a collection on disk: where it went, its
/// credential drafts added (definitions only) unless one of the name
/// exists, the notes.
fn report_postman(
    imported: postman_folder::Imported,
    store: &CredentialStore,
) -> Result<(), Error> {
    let collection = &imported.collection;
    println!(
        "{}: {} requests in {}{}",
        collection.name,
        collection.requests().len(),
        collection.root.display(),
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
    if !imported.token_variables.is_empty() || !imported.endpoint_variables.is_empty() {
        let flags: Vec<String> = imported
            .token_variables
            .iter()
            .map(|name| format!("--token {name}"))
            .chain(
                imported
                    .endpoint_variables
                    .iter()
                    .map(|name| format!("--endpoint {name}")),
            )
            .collect();
        println!(
            "bind them to a credential: callout env bind CREDENTIAL --env NAME {} --collection \"{}\"",
            flags.join(" "),
            collection.root.display()
        );
    }
    Ok(())
}

fn run_export(home: Option<&Path>, args: &ExportArgs) -> Result<String, Error> {
    let home = Home::resolve(home)?;
    let draft = match (&args.curl, &args.request) {
        (Some(command), _) => curl::import(command, &read_relative_file)?.draft,
        (None, Some(wanted)) => find_request(&home, args, wanted)?,
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

/// A built-in sample by its name (ignoring case) or id, else the saved
/// request `wanted` ("Collection/Folder/Request"), its variables filled in.
fn find_request(home: &Home, args: &ExportArgs, wanted: &str) -> Result<Draft, Error> {
    let samples = samples(CREDENTIAL_NAME);
    if let Some(sample) = samples
        .iter()
        .find(|r| r.id == wanted || r.name.eq_ignore_ascii_case(wanted))
    {
        return Ok(sample.draft());
    }
    let found = crate::saved::find(
        home,
        wanted,
        args.collection.as_deref(),
        args.environment.as_deref(),
    )
    .map_err(|error| Error::Export {
        format: "curl or Apex",
        detail: format!(
            "{error}; the built-in samples: {}",
            samples
                .iter()
                .map(|r| format!("\"{}\"", r.name))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    })?;
    found.fill(Default::default())
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
