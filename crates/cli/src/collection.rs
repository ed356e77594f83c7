//! `callout collection`: make a collection (a folder of request files to
//! keep in git), open it in the workbench (the collections the app shows)
//! or close it there, and list what one holds, or every open one.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use callout_core::Error;
use callout_core::collection::{Collection, Item};
use callout_core::home::Home;
use callout_core::workbench::Workbench;
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
    /// List a collection's folders and requests, in order, as `callout send
    /// --saved` names them; without DIR (and no collection.toml here), every
    /// collection open in the app, with the environment it sends with
    List {
        /// The collection [default: the current directory when it has a
        /// collection.toml, else the open collections]
        #[arg(conflicts_with = "collection")]
        dir: Option<PathBuf>,
        /// The same as DIR
        #[arg(long, value_name = "DIR")]
        collection: Option<PathBuf>,
    },
    /// Open the collection in DIR (a git checkout's, say) in the app: its
    /// requests are then sent by "Collection/Folder/Request" from anywhere
    Open { dir: PathBuf },
    /// Close an open collection (by its directory or its name); its files stay
    Close {
        #[arg(value_name = "DIR|NAME")]
        collection: String,
    },
}

pub fn run(home: Option<&Path>, args: CollectionArgs) -> ExitCode {
    let result = match args.command {
        CollectionCommand::New { dir, name } => new(&dir, name),
        CollectionCommand::List { dir, collection } => list(home, dir.or(collection).as_deref()),
        CollectionCommand::Open { dir } => open(home, &dir),
        CollectionCommand::Close { collection } => close(home, &collection),
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
         --collection {} (or open it in the app with callout collection open {})",
        collection.name,
        dir.display(),
        dir.display(),
        dir.display()
    );
    Ok(())
}

fn list(home: Option<&Path>, dir: Option<&Path>) -> Result<(), Error> {
    if let Some(dir) = crate::saved::local_dir(dir) {
        let collection = Collection::open(dir)?;
        println!("{} ({})", collection.name, dir.display());
        print_items(&collection.items, 1);
        return Ok(());
    }
    let workbench = Workbench::new(&Home::resolve(home)?);
    for opened in workbench.list()? {
        let collection = match Collection::open(Path::new(&opened.root)) {
            Ok(collection) => collection,
            Err(error) => {
                println!("! {}: {error}", opened.root);
                continue;
            }
        };
        println!(
            "{} ({}), environment: {}",
            collection.name,
            opened.root,
            opened.environment.as_deref().unwrap_or("none")
        );
        print_items(&collection.items, 1);
    }
    println!("send one with: callout send --saved \"COLLECTION/FOLDER/REQUEST\"");
    Ok(())
}

fn open(home: Option<&Path>, dir: &Path) -> Result<(), Error> {
    let workbench = Workbench::new(&Home::resolve(home)?);
    let opened = workbench.open(dir)?;
    let collection = Collection::open(Path::new(&opened.root))?;
    println!(
        "opened \"{}\" ({}); send its requests with callout send --saved \"{}/FOLDER/REQUEST\"",
        collection.name, opened.root, collection.name
    );
    Ok(())
}

fn close(home: Option<&Path>, given: &str) -> Result<(), Error> {
    let workbench = Workbench::new(&Home::resolve(home)?);
    let opened = crate::saved::find_open(&workbench, given)?;
    workbench.close(&opened.root)?;
    let name = Collection::open(Path::new(&opened.root))
        .map(|collection| format!("\"{}\"", collection.name))
        .unwrap_or_else(|_| "the collection".into());
    println!("closed {name}; its files stay in {}", opened.root);
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
