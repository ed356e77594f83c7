//! `callout env`: a collection's environments and the variables in them
//! (and the collection's own, without `--env`), and the one the workbench
//! sends an open collection's requests with. A secret variable's value is
//! read from standard input and kept in the keychain, never in the file
//! and never printed.

use std::io::{IsTerminal, Read};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use callout_core::collection::{self, COLLECTION_FILE, Collection};
use callout_core::credential_store::CredentialStore;
use callout_core::home::Home;
use callout_core::workbench::Workbench;
use callout_core::{Error, Secret};
use clap::{Args, Subcommand};

#[derive(Debug, Args)]
pub struct EnvArgs {
    /// The collection: a directory with a collection.toml, or the name of
    /// a collection open in the app [default: the current directory]
    #[arg(long, value_name = "DIR|NAME", global = true)]
    collection: Option<PathBuf>,
    /// The global variables (variables.toml in the home): every collection's
    /// requests may use them, after the collection's own (show, set, unset)
    #[arg(long, global = true, conflicts_with = "collection")]
    global: bool,
    #[command(subcommand)]
    command: EnvCommand,
}

#[derive(Debug, Subcommand)]
enum EnvCommand {
    /// The collection's environments (environments/NAME.toml)
    List,
    /// The variables of an environment, or of the collection without NAME
    Show { name: Option<String> },
    /// Set a variable: in the environment --env names (made if new), else in
    /// the collection
    Set {
        /// NAME=VALUE; the value may hold merge fields or a callout: URL.
        /// With --secret only NAME
        #[arg(value_name = "NAME=VALUE|NAME")]
        assignment: String,
        #[arg(long = "env", value_name = "NAME")]
        environment: Option<String>,
        /// A secret variable: its value is read from standard input (one
        /// trailing line break dropped) and kept in the OS keychain; the
        /// file only names it (secrets = [...])
        #[arg(long)]
        secret: bool,
    },
    /// Remove a variable (a secret one from the keychain too) from the
    /// environment --env names, else from the collection
    Unset {
        name: String,
        #[arg(long = "env", value_name = "NAME")]
        environment: Option<String>,
    },
    /// Bind variables to a credential in the environment --env names (made
    /// if new): each --token variable becomes the credential's
    /// {!$Credential.OAuthToken}, each --endpoint variable callout:CREDENTIAL
    /// (what `callout import postman` names as left out)
    Bind {
        /// The credential (`callout credential list`)
        credential: String,
        #[arg(long = "env", value_name = "NAME")]
        environment: String,
        /// A variable that carries a token; repeat for more
        #[arg(long = "token", value_name = "VARIABLE")]
        tokens: Vec<String>,
        /// A variable that starts request URLs; repeat for more
        #[arg(long = "endpoint", value_name = "VARIABLE")]
        endpoints: Vec<String>,
    },
    /// Send the requests of an open collection with the environment NAME
    /// (as the app's environment picker does; `callout send --saved` uses
    /// it unless given --env), or with --none, with no environment
    Use {
        /// The environment (environments/NAME.toml in the collection)
        #[arg(required_unless_present = "none", conflicts_with = "none")]
        name: Option<String>,
        /// No environment: only the collection's own variables
        #[arg(long)]
        none: bool,
    },
}

pub fn run(home: Option<&Path>, args: EnvArgs) -> ExitCode {
    let result = if args.global {
        globals(home, args.command)
    } else {
        env(home, args.collection, args.command)
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("callout env: {error}");
            ExitCode::FAILURE
        }
    }
}

/// `env --global`: the global variables of the home.
fn globals(home: Option<&Path>, command: EnvCommand) -> Result<(), Error> {
    let workbench = Workbench::new(&Home::resolve(home)?);
    let file = workbench.globals_file();
    let refuse = |what: &str| Error::Storage {
        action: "change the global variables in",
        path: file.display().to_string(),
        detail: format!("{what}: name a collection (--collection) instead of --global"),
    };
    match command {
        EnvCommand::Show { name: None } => {
            for (variable, value) in workbench.globals()? {
                println!("{variable} = {value}");
            }
        }
        EnvCommand::Set {
            assignment,
            environment: None,
            secret: false,
        } => {
            let Some((name, value)) = assignment.split_once('=') else {
                return Err(refuse("give NAME=VALUE"));
            };
            collection::set_variable(file, name.trim(), Some(value))?;
            println!("{} = {value} in {}", name.trim(), file.display());
        }
        EnvCommand::Unset {
            name,
            environment: None,
        } => {
            if collection::set_variable(file, &name, None)? {
                println!("removed {name} from {}", file.display());
            } else {
                println!("{name} was not set in {}", file.display());
            }
        }
        _ => {
            return Err(refuse(
                "global variables have no environments, secrets or bindings",
            ));
        }
    }
    Ok(())
}

/// The collection's directory: `given` when it is a collection, else the
/// open collection of that name; the current directory without `given`.
fn collection_dir(home: Option<&Path>, given: Option<PathBuf>) -> Result<PathBuf, Error> {
    let Some(given) = given else {
        return Ok(PathBuf::from("."));
    };
    if given.join(COLLECTION_FILE).exists() {
        return Ok(given);
    }
    let workbench = Workbench::new(&Home::resolve(home)?);
    match crate::saved::find_open(&workbench, &given.to_string_lossy()) {
        Ok(opened) => Ok(PathBuf::from(opened.root)),
        // Not open either: reading it names the missing collection.toml.
        Err(_) => Ok(given),
    }
}

/// `env use`: the workbench's environment for the collection.
fn use_environment(
    home: Option<&Path>,
    given: Option<PathBuf>,
    name: Option<String>,
) -> Result<(), Error> {
    let workbench = Workbench::new(&Home::resolve(home)?);
    let given = given.unwrap_or_else(|| PathBuf::from("."));
    let opened = crate::saved::find_open(&workbench, &given.to_string_lossy())?;
    workbench.set_environment(&opened.root, name.as_deref())?;
    let collection = Collection::open(Path::new(&opened.root))?;
    match name {
        Some(name) => println!(
            "\"{}\" sends with environment {name} (callout send --saved \"{}/...\")",
            collection.name, collection.name
        ),
        None => println!(
            "\"{}\" sends with no environment: only its own variables",
            collection.name
        ),
    }
    Ok(())
}

fn env(home: Option<&Path>, given: Option<PathBuf>, command: EnvCommand) -> Result<(), Error> {
    let collection = match command {
        EnvCommand::Use { name, .. } => return use_environment(home, given, name),
        _ => Collection::open(&collection_dir(home, given)?)?,
    };
    match command {
        EnvCommand::List => {
            for name in collection.environments()? {
                println!("{name}");
            }
        }
        EnvCommand::Show { name } => {
            let mut variables = match &name {
                Some(name) => collection.environment(name)?,
                None => collection.variables.clone(),
            };
            for secret in collection.secrets(name.as_deref())? {
                variables.insert(secret, SHOWN_SECRET.to_string());
            }
            for (variable, value) in variables {
                println!("{variable} = {value}");
            }
        }
        EnvCommand::Set {
            assignment,
            environment,
            secret: true,
        } => {
            let name = assignment.trim();
            if let Some((name, _)) = name.split_once('=') {
                return Err(Error::Storage {
                    action: "set the secret variable",
                    path: name.trim().to_string(),
                    detail: "give only its name with --secret: the value is read from standard \
                             input (so it stays out of your shell's history)"
                        .into(),
                });
            }
            let value = read_secret(name)?;
            let vault = Home::resolve(home)?.vault();
            let had_plain = collection.set_secret(&vault, environment.as_deref(), name, &value)?;
            let file = match environment.as_deref() {
                Some(environment) => collection.new_environment_file(environment)?,
                None => collection.root.join(COLLECTION_FILE),
            };
            println!("{name} = {SHOWN_SECRET}, named in {}", file.display());
            if had_plain {
                println!("its plain value was removed from {}", file.display());
            }
        }
        EnvCommand::Set {
            assignment,
            environment,
            secret: false,
        } => {
            let Some((name, value)) = assignment.split_once('=') else {
                return Err(Error::InvalidUrl {
                    url: assignment,
                    reason: "give NAME=VALUE".into(),
                });
            };
            let file = match environment.as_deref() {
                Some(name) => collection.new_environment_file(name)?,
                None => collection.root.join(COLLECTION_FILE),
            };
            collection::set_variable(&file, name.trim(), Some(value))?;
            println!("{} = {value} in {}", name.trim(), file.display());
        }
        EnvCommand::Unset { name, environment } => {
            let file = file_of(&collection, environment.as_deref())?;
            if collection.secrets(environment.as_deref())?.contains(&name) {
                let vault = Home::resolve(home)?.vault();
                collection.unset_secret(&vault, environment.as_deref(), &name)?;
                println!(
                    "removed secret {name} from {} and its value from the keychain",
                    file.display()
                );
            } else if collection::set_variable(&file, &name, None)? {
                println!("removed {name} from {}", file.display());
            } else {
                println!("{name} was not set in {}", file.display());
            }
        }
        EnvCommand::Bind {
            credential,
            environment,
            tokens,
            endpoints,
        } => {
            let home = Home::resolve(home)?;
            CredentialStore::new(home).load()?.get(&credential)?;
            let file =
                collection::bind(&collection, &environment, &credential, &tokens, &endpoints)?;
            println!(
                "bound {} to {credential} in {}; send with --env {environment} (or `callout env use {environment}`)",
                tokens
                    .iter()
                    .chain(&endpoints)
                    .map(|name| format!("{{{{{name}}}}}"))
                    .collect::<Vec<_>>()
                    .join(", "),
                file.display()
            );
        }
        EnvCommand::Use { .. } => {}
    }
    Ok(())
}

/// How `env show` and `env set` show a secret variable's value.
const SHOWN_SECRET: &str = "[secret, in the keychain]";

/// The value of secret variable `name` from standard input: one line at a
/// terminal, else everything, without one trailing line break. An empty
/// value is refused.
fn read_secret(name: &str) -> Result<Secret, Error> {
    let refuse = |detail: String| Error::Storage {
        action: "read the value of secret variable",
        path: name.to_string(),
        detail,
    };
    let stdin = std::io::stdin();
    let mut text = String::new();
    let read = if stdin.is_terminal() {
        eprintln!("the value of {name} (one line; it is read as typed):");
        stdin.read_line(&mut text)
    } else {
        stdin.lock().read_to_string(&mut text)
    };
    read.map_err(|error| refuse(format!("standard input could not be read: {error}")))?;
    let value = text.strip_suffix('\n').map_or(text.as_str(), |line| {
        line.strip_suffix('\r').unwrap_or(line)
    });
    if value.is_empty() {
        return Err(refuse(format!(
            "standard input was empty: give the value there (printf %s \"$VALUE\" | callout env \
             set {name} --secret)"
        )));
    }
    Ok(Secret::new(value))
}

/// The environment's file, or the collection's own.
fn file_of(collection: &Collection, environment: Option<&str>) -> Result<PathBuf, Error> {
    match environment {
        Some(name) => collection.environment_file(name),
        None => Ok(collection.root.join(COLLECTION_FILE)),
    }
}
