//! `callout keep`: the keeper, headless. Refreshes credentials ahead of
//! expiry and keeps idle-expiring refresh tokens alive, printing one line
//! per decision; every refresh goes through the same cross-process lock as
//! the app and `callout token`.

use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, SystemTime};

use callout_core::keeper::{Decision, Keeper, KeeperConfig};
use chrono::{DateTime, Local};
use clap::Args;

use crate::timeline::parse_duration;
use crate::token::{fail, with_service};

#[derive(Debug, Args)]
pub struct KeepArgs {
    /// Run once and exit, instead of every --interval
    #[arg(long)]
    pub once: bool,
    /// How often to look at every credential
    #[arg(long, value_name = "DURATION", default_value = "1m", value_parser = parse_duration)]
    pub interval: Duration,
    /// Refresh this long before an access token expires
    #[arg(long, value_name = "DURATION", default_value = "1m", value_parser = parse_duration)]
    pub margin: Duration,
    /// The user label of per-user credentials [default: the OS user name]
    #[arg(long, value_name = "LABEL")]
    pub user: Option<String>,
}

pub fn run(home: Option<&Path>, args: KeepArgs) -> ExitCode {
    if args.interval.is_zero() {
        eprintln!("callout keep: --interval must be longer than zero");
        return ExitCode::from(2);
    }
    let config = KeeperConfig {
        margin: args.margin,
        ..KeeperConfig::default()
    };
    let result = with_service(home, |service, runtime| {
        let keeper = Keeper::new(service, config).for_user(args.user.clone());
        if args.once {
            let decisions = runtime.block_on(keeper.run_once(SystemTime::now()))?;
            print_decisions(&decisions);
            return Ok(());
        }
        runtime.block_on(keeper.run(args.interval, |result| match result {
            Ok(decisions) => print_decisions(&decisions),
            Err(error) => eprintln!("callout keep: this run failed: {error}"),
        }));
        Ok(())
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => fail("keep", &error),
    }
}

fn print_decisions(decisions: &[Decision]) {
    let now: DateTime<Local> = SystemTime::now().into();
    let stamp = now.format("%Y-%m-%d %H:%M:%S");
    if decisions.is_empty() {
        println!("{stamp}  no credentials to keep");
    }
    for decision in decisions {
        println!("{stamp}  {}", decision.line());
    }
}
