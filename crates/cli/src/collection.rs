//! `callout collection`: make a collection (a folder of request files to
//! keep in git) and list what one holds.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use callout_core::Error;
use callout_core::collection::{Collection, Item};
use clap::{Args, Subcommand};

#[derive(Debug, Args)]
pub struct CollectionArgs {
    #[command(subcommand)]
    command: CollectionCommand,
}

#[derive(Debug, Subcommand)]
enum CollectionCommand {
    /// Make DIR a collection (it is created if missing); its requests are
    /// TOML files below it, one per request
    New {
        dir: PathBuf,
        /// The collection's name [default: the directory's name]
        #[arg(long)]
        name: Option<String>,
    },
    /// List a collection's folders and requests, in order, as
    /// `callout send --saved` names them
    List {
        #[arg(default_value = ".")]
        dir: PathBuf,
    },
}

pub fn run(args: CollectionArgs) -> ExitCode {
    let result = match args.command {
        CollectionCommand::New { dir, name } => new(&dir, name),
        CollectionCommand::List { dir } => list(&dir),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("callout collection: {error}");
            ExitCode::FAILURE
        }
    }
}

fn new(dir: &Path, name: Option<String>) -> Result<(), Error> {
    let name = name.unwrap_or_else(|| {
        std::path::absolute(dir)
            .ok()
            .and_then(|path| path.file_name().map(|n| n.to_string_lossy().into_owned()))
            .unwrap_or_else(|| "Requests".into())
    });
    let collection = Collection::create(dir, &name)?;
    println!(
        "created collection \"{}\" in {}; add a request as a .toml file below it \
         (method, url, [[header]], [body]) and send it with callout send --saved NAME \
         --collection {}",
        collection.name,
        dir.display(),
        dir.display()
    );
    Ok(())
}

fn list(dir: &Path) -> Result<(), Error> {
    let collection = Collection::open(dir)?;
    println!("{} ({})", collection.name, dir.display());
    print_items(&collection.items, 1);
    Ok(())
}

fn print_items(items: &[Item], depth: usize) {
    let indent = "  ".repeat(depth);
    for item in items {
        match item {
            Item::Folder(folder) => {
                println!("{indent}{}/", folder.name);
                print_items(&folder.items, depth + 1);
            }
            Item::Request(file) => println!(
                "{indent}{} {}  ({})",
                file.request.method, file.request.name, file.path
            ),
            Item::Unreadable(file) => println!("{indent}! {}: {}", file.path, file.problem),
        }
    }
}
