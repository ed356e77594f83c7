//! `callout timeline NAME`: what happened to a credential, as a table in
//! local time or as JSON lines, printed as the events are read.
//! `callout timeline --move-aside`: a timeline file that cannot be used
//! renamed, and a fresh one started.

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, SystemTime};

use callout_core::Error;
use callout_core::credential_store::CredentialStore;
use callout_core::home::Home;
use callout_core::timeline::{Event, EventKind, Query, Timeline, human_duration};
use chrono::{DateTime, Local};
use clap::Args;

use crate::token::fail;

#[derive(Debug, Args)]
pub struct TimelineArgs {
    /// The credential's name (ignoring case)
    #[arg(required_unless_present = "move_aside")]
    pub name: Option<String>,
    /// Only events this recent: 90s, 15m, 1h, 2d, 1h30m [default: everything]
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub since: Option<Duration>,
    /// Only events of this kind (repeatable): authorized, tokenIssued, requestSent,
    /// verdict, refreshAttempt, retry, needsReauthorization, keeperDecision,
    /// keychainError
    #[arg(long = "kind", value_name = "KIND", value_parser = parse_kind)]
    pub kinds: Vec<EventKind>,
    /// One JSON object per line: {"id","atMs","credential","event":{"kind",...},"summary"}
    #[arg(long)]
    pub json: bool,
    /// A timeline file that cannot be used (damaged, not a timeline, or a newer
    /// Callout Lab's): rename it to timeline.sqlite3.broken-<ms> (.newer-<ms>)
    /// and start a fresh one
    #[arg(long, conflicts_with_all = ["name", "since", "kinds", "json"])]
    pub move_aside: bool,
}

pub fn run(home: Option<&Path>, args: TimelineArgs) -> ExitCode {
    let result = match (&args.name, args.move_aside) {
        (_, true) => move_aside(home),
        (Some(name), false) => print(home, name, &args),
        (None, false) => Ok(()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => fail("timeline", &error),
    }
}

fn move_aside(home: Option<&Path>) -> Result<(), Error> {
    let timeline = Timeline::for_home(&Home::resolve(home)?)?;
    // A person asked: read every page, not only what opening it reads.
    let Some(trouble) = timeline.check() else {
        println!(
            "The timeline {} is sound; nothing was moved.",
            timeline.path().display()
        );
        return Ok(());
    };
    match timeline.move_aside(SystemTime::now())? {
        Some(moved) => println!(
            "Moved the timeline aside to {} ({}); a fresh timeline records from now on at {}.",
            moved.display(),
            trouble.reason,
            timeline.path().display()
        ),
        None => println!(
            "The timeline {} is sound again; nothing was moved.",
            timeline.path().display()
        ),
    }
    Ok(())
}

/// Prints the events of `name` as they are read: nothing is held, however
/// long the timeline.
fn print(home: Option<&Path>, name: &str, args: &TimelineArgs) -> Result<(), Error> {
    let home = Home::resolve(home)?;
    let timeline = Timeline::for_home(&home)?;
    if let Some(trouble) = timeline.trouble() {
        return Err(Error::Storage {
            action: "read",
            path: trouble.path.clone(),
            detail: trouble.to_string(),
        });
    }
    let query = Query {
        since: args.since.map(|since| {
            SystemTime::now()
                .checked_sub(since)
                .unwrap_or(SystemTime::UNIX_EPOCH)
        }),
        kinds: args.kinds.clone(),
        ..Query::credential(name)
    };
    let mut header = !args.json;
    let printed = timeline.for_each(&query, &mut |event| {
        if args.json {
            print_json(&event);
        } else {
            if header {
                print_header();
                header = false;
            }
            print_row(&event);
        }
        Ok(())
    })?;
    if printed == 0 {
        // A typo should say so; a removed credential's history still shows.
        CredentialStore::new(home).get(name)?;
        if !args.json {
            let window = args
                .since
                .map(|since| format!(" in the last {}", human_duration(since)))
                .unwrap_or_default();
            println!("No events for \"{name}\"{window}.");
        }
    }
    Ok(())
}

/// Says once per run, on standard error, that the timeline file is not in
/// use, naming it and what to do; later calls stay quiet.
pub(crate) fn warn_if_troubled(timeline: Option<&Arc<Timeline>>) {
    static WARNED: AtomicBool = AtomicBool::new(false);
    if let Some(trouble) = timeline.and_then(|timeline| timeline.trouble())
        && !WARNED.swap(true, Ordering::Relaxed)
    {
        eprintln!("callout: warning: {trouble}");
    }
}

fn print_json(event: &Event) {
    match serde_json::to_string(event) {
        Ok(line) => println!("{line}"),
        Err(error) => eprintln!("callout timeline: cannot print event {}: {error}", event.id),
    }
}

/// Wide enough for every kind's name.
fn kind_width() -> usize {
    EventKind::ALL
        .iter()
        .map(|kind| kind.as_str().len())
        .max()
        .unwrap_or(0)
}

fn print_header() {
    let width = kind_width();
    println!(
        "{:<19}  {:<width$}  {:>8}  WHAT",
        "TIME (LOCAL)", "KIND", "TOOK"
    );
}

fn print_row(event: &Event) {
    let width = kind_width();
    let at: DateTime<Local> = event.at().into();
    let took = event
        .event
        .duration()
        .map(human_duration)
        .unwrap_or_else(|| "-".to_string());
    println!(
        "{}  {:<width$}  {took:>8}  {}",
        at.format("%Y-%m-%d %H:%M:%S"),
        event.kind().as_str(),
        event.summary
    );
}

fn parse_kind(text: &str) -> Result<EventKind, String> {
    EventKind::parse(text).ok_or_else(|| {
        let known: Vec<&str> = EventKind::ALL.iter().map(|kind| kind.as_str()).collect();
        format!(
            "unknown event kind \"{text}\"; known kinds: {}",
            known.join(", ")
        )
    })
}

/// "90s", "15m", "1h30m", "2d", "500ms"; a bare number is seconds.
pub(crate) fn parse_duration(text: &str) -> Result<Duration, String> {
    let invalid = || {
        format!("invalid duration \"{text}\": use a number with a unit, e.g. 90s, 15m, 1h30m, 2d")
    };
    let text = text.trim();
    if text.is_empty() {
        return Err(invalid());
    }
    if let Ok(seconds) = text.parse::<u64>() {
        return Ok(Duration::from_secs(seconds));
    }
    let mut total = Duration::ZERO;
    let mut rest = text;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        if digits == 0 {
            return Err(invalid());
        }
        let number: u64 = rest[..digits].parse().map_err(|_| invalid())?;
        rest = &rest[digits..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(rest.len());
        let millis_per = match &rest[..unit_len] {
            "ms" => 1,
            "s" => 1_000,
            "m" | "min" => 60_000,
            "h" => 3_600_000,
            "d" => 86_400_000,
            _ => return Err(invalid()),
        };
        rest = &rest[unit_len..];
        let part = number.checked_mul(millis_per).ok_or_else(invalid)?;
        total = total
            .checked_add(Duration::from_millis(part))
            .ok_or_else(invalid)?;
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_with_units() {
        assert_eq!(parse_duration("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("1h30m"), Ok(Duration::from_secs(5_400)));
        assert_eq!(parse_duration("2d"), Ok(Duration::from_secs(172_800)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("45"), Ok(Duration::from_secs(45)));
        for bad in ["", "h", "1x", "1h-", "99999999999999999999d"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }
}
