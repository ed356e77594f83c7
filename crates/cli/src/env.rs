//! `callout env`: a collection's environments and the variables in them
//! (and the collection's own, without `--env`).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use callout_core::Error;
use callout_core::collection::{self, COLLECTION_FILE, Collection};
use clap::{Args, Subcommand};

#[derive(Debug, Args)]
pub struct EnvArgs {
    /// The collection: a directory with a collection.toml
    #[arg(long, value_name = "DIR", default_value = ".", global = true)]
    collection: PathBuf,
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
}

pub fn run(args: EnvArgs) -> ExitCode {
    match env(&args.collection, args.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("callout env: {error}");
            ExitCode::FAILURE
        }
    }
}

fn env(dir: &Path, command: EnvCommand) -> Result<(), Error> {
    let collection = Collection::open(dir)?;
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
