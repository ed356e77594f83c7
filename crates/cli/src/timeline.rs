//! `callout timeline NAME`: what happened to a credential, as a table in
//! local time or as JSON lines.

use std::path::Path;
use std::process::ExitCode;
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
    pub name: String,
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
}

pub fn run(home: Option<&Path>, args: TimelineArgs) -> ExitCode {
    match events(home, &args) {
        Ok(events) => {
            if args.json {
                print_json(&events);
            } else {
                print_table(&args, &events);
            }
            ExitCode::SUCCESS
        }
        Err(error) => fail("timeline", &error),
    }
}

fn events(home: Option<&Path>, args: &TimelineArgs) -> Result<Vec<Event>, Error> {
    let home = Home::resolve(home)?;
    let timeline = Timeline::for_home(&home)?;
    let query = Query {
        since: args.since.map(|since| {
            SystemTime::now()
                .checked_sub(since)
                .unwrap_or(SystemTime::UNIX_EPOCH)
        }),
        kinds: args.kinds.clone(),
        ..Query::credential(&args.name)
    };
    let events = timeline.query(&query)?;
    if events.is_empty() {
        // A typo should say so; a removed credential's history still shows.
        CredentialStore::new(home).get(&args.name)?;
    }
    Ok(events)
}

fn print_json(events: &[Event]) {
    for event in events {
        match serde_json::to_string(event) {
            Ok(line) => println!("{line}"),
            Err(error) => eprintln!("callout timeline: cannot print event {}: {error}", event.id),
        }
    }
}

fn print_table(args: &TimelineArgs, events: &[Event]) {
    if events.is_empty() {
        let window = args
            .since
            .map(|since| format!(" in the last {}", human_duration(since)))
            .unwrap_or_default();
        println!("No events for \"{}\"{window}.", args.name);
        return;
    }
    let width = events
        .iter()
        .map(|event| event.kind().as_str().len())
        .max()
        .unwrap_or(0);
    println!(
        "{:<19}  {:<width$}  {:>8}  WHAT",
        "TIME (LOCAL)", "KIND", "TOOK"
    );
    for event in events {
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
