//! `callout explain`: classify a response (status, headers, body) without
//! sending anything, and say why.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use callout_core::credential_store::CredentialStore;
use callout_core::detect::{Detector, Verdict};
use callout_core::home::Home;
use callout_core::send::Header;
use clap::Args;

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The response's HTTP status
    #[arg(long, value_parser = clap::value_parser!(u16).range(100..=999))]
    pub status: u16,
    /// A response header; repeat for more (e.g. -H 'WWW-Authenticate: Bearer error="invalid_token"')
    #[arg(short = 'H', long = "header", value_name = "NAME: VALUE")]
    pub headers: Vec<String>,
    /// The response body
    #[arg(long, value_name = "TEXT", conflicts_with = "body_file")]
    pub body: Option<String>,
    /// Read the response body from FILE (`-` for standard input); may be
    /// compressed when a Content-Encoding header says so
    #[arg(long, value_name = "FILE")]
    pub body_file: Option<PathBuf>,
    /// Print {"expired","rule","reason","salesforce":{"wouldRefresh","reason"}}
    #[arg(long)]
    pub json: bool,
    /// The URL the response came from: the expiry catalog's rules for its
    /// host apply (without it, only the rules for any host)
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,
    /// Apply this credential's custom expiry rules and Salesforce options
    /// (`callout credential list` shows the names)
    #[arg(long, value_name = "NAME")]
    pub credential: Option<String>,
}

pub fn run(home: Option<&Path>, args: ExplainArgs) -> ExitCode {
    match explain(home, &args) {
        Ok(verdict) => {
            print_verdict(&verdict, args.json);
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("callout explain: {message}");
            ExitCode::from(2)
        }
    }
}

fn explain(home: Option<&Path>, args: &ExplainArgs) -> Result<Verdict, String> {
    let headers = args
        .headers
        .iter()
        .map(|line| Header::parse(line))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|error| error.to_string())?;
    let body = match (&args.body, &args.body_file) {
        (Some(text), _) => text.clone().into_bytes(),
        (None, Some(path)) if path.as_os_str() == "-" => {
            let mut bytes = Vec::new();
            std::io::stdin()
                .read_to_end(&mut bytes)
                .map_err(|error| format!("cannot read the body from standard input: {error}"))?;
            bytes
        }
        (None, Some(path)) => std::fs::read(path)
            .map_err(|error| format!("cannot read the body from {}: {error}", path.display()))?,
        (None, None) => Vec::new(),
    };
    let detector = match &args.credential {
        None => Detector::default(),
        Some(name) => {
            let home = Home::resolve(home).map_err(|error| error.to_string())?;
            let credentials = CredentialStore::new(home)
                .load()
                .map_err(|error| error.to_string())?;
            let credential = credentials.get(name).map_err(|error| error.to_string())?;
            Detector::for_credential(credential).map_err(|error| error.to_string())?
        }
    };
    let detector = match &args.url {
        Some(url) => detector.for_url(url),
        None => detector,
    };
    // The home's own rules, as a send would try them.
    let home = Home::resolve(home).map_err(|error| error.to_string())?;
    let mine = callout_core::rules::RuleStore::new(&home)
        .load()
        .map_err(|error| error.to_string())?;
    let detector = detector.with_rules(std::sync::Arc::new(mine));
    Ok(detector.verdict(args.status, &headers, &body))
}

fn print_verdict(verdict: &Verdict, json: bool) {
    if json {
        match serde_json::to_string_pretty(verdict) {
            Ok(text) => println!("{text}"),
            Err(error) => eprintln!("callout explain: cannot print JSON: {error}"),
        }
        return;
    }
    print_human(verdict);
}

/// The verdict in a few lines, as `explain` and `send` print it.
pub fn print_human(verdict: &Verdict) {
    match &verdict.rule {
        Some(rule) if verdict.expired => println!("expired: yes ({rule})"),
        _ => println!("expired: no"),
    }
    println!("  {}", verdict.reason);
    let would = if verdict.salesforce.would_refresh {
        "would refresh"
    } else {
        "would not refresh"
    };
    println!("salesforce: {would}");
    println!("  {}", verdict.salesforce.reason);
}
