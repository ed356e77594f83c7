//! `callout env`: a collection's environments and the variables in them
//! (and the collection's own, without `--env`), and the one the workbench
//! sends an open collection's requests with.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use callout_core::Error;
use callout_core::collection::{self, COLLECTION_FILE, Collection};
use callout_core::home::Home;
use callout_core::workbench::Workbench;
use clap::{Args, Subcommand};

#[derive(Debug, Args)]
pub struct EnvArgs {
    /// The collection: a directory with a collection.toml, or the name of
    /// a collection open in the app [default: the current directory]
    #[arg(long, value_name = "DIR|NAME", global = true)]
    collection: Option<PathBuf>,
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
        /// NAME=VALUE; the value may hold merge fields or a callout: URL
        #[arg(value_name = "NAME=VALUE")]
        assignment: String,
        #[arg(long = "env", value_name = "NAME")]
        environment: Option<String>,
    },
    /// Remove a variable from the environment --env names, else from the collection
    Unset {
        name: String,
        #[arg(long = "env", value_name = "NAME")]
        environment: Option<String>,
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
    match env(home, args.collection, args.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("callout env: {error}");
            ExitCode::FAILURE
        }
    }
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
            let variables = match &name {
                Some(name) => collection.environment(name)?,
                None => collection.variables.clone(),
            };
            for (variable, value) in variables {
                println!("{variable} = {value}");
            }
        }
        EnvCommand::Set {
            assignment,
            environment,
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
            if collection::set_variable(&file, &name, None)? {
                println!("removed {name} from {}", file.display());
            } else {
                println!("{name} was not set in {}", file.display());
            }
        }
        EnvCommand::Use { .. } => {}
    }
    Ok(())
}

/// The environment's file, or the collection's own.
fn file_of(collection: &Collection, environment: Option<&str>) -> Result<PathBuf, Error> {
    match environment {
        Some(name) => collection.environment_file(name),
        None => Ok(collection.root.join(COLLECTION_FILE)),
    }
}
