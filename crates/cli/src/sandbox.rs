//! `callout sandbox`: runs the embedded OAuth provider and APIs in the
//! foreground, prints where they are, and logs each request on one line.

use std::process::ExitCode;
use std::time::Duration;

use callout_sandbox::{RequestLog, Sandbox, SandboxConfig};
use clap::Args;

#[derive(Debug, Args)]
pub struct SandboxArgs {
    /// Port on 127.0.0.1 to listen on; 0 picks any free port
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Lifetime of access tokens, in seconds
    #[arg(long, value_name = "SECS", default_value_t = 60)]
    access_ttl: u64,
    /// Refresh tokens unused for this many seconds stop working (as WSO2's idle expiry)
    #[arg(long, value_name = "SECS")]
    refresh_idle_ttl: Option<u64>,
    /// Refresh tokens stop working this many seconds after the original authorization
    #[arg(long, value_name = "SECS")]
    refresh_absolute_ttl: Option<u64>,
    /// Keep refresh tokens across refreshes instead of rotating them
    #[arg(long)]
    no_rotation: bool,
    /// Issue access tokens as JWTs carrying `exp`
    #[arg(long)]
    jwt_access_tokens: bool,
    /// Leave `expires_in` out of token responses, as Salesforce does
    #[arg(long)]
    omit_expires_in: bool,
    /// Answer as a Salesforce org: APIs on an instance of their own (the
    /// token's instance_url), no expires_in, only the callback
    /// http://localhost:1717/OauthRedirect, the /services/oauth2/ paths
    #[arg(long)]
    salesforce: bool,
}

impl SandboxArgs {
    fn config(&self) -> SandboxConfig {
        let base = if self.salesforce {
            SandboxConfig::salesforce()
        } else {
            SandboxConfig::default()
        };
        SandboxConfig {
            port: self.port,
            access_ttl: Duration::from_secs(self.access_ttl),
            refresh_idle_ttl: self.refresh_idle_ttl.map(Duration::from_secs),
            refresh_absolute_ttl: self.refresh_absolute_ttl.map(Duration::from_secs),
            rotate_refresh_tokens: !self.no_rotation,
            jwt_access_tokens: self.jwt_access_tokens,
            omit_expires_in: self.omit_expires_in || base.omit_expires_in,
            log: Some(RequestLog::new(|line| println!("{line}"))),
            ..base
        }
    }
}

pub fn run(args: SandboxArgs) -> ExitCode {
    let sandbox = match Sandbox::start(args.config()) {
        Ok(sandbox) => sandbox,
        Err(error) => {
            eprintln!("callout sandbox: {error}");
            return ExitCode::FAILURE;
        }
    };
    print_banner(&sandbox);
    // Serve until the process is interrupted (Ctrl-C ends it).
    loop {
        std::thread::park();
    }
}

fn print_banner(sandbox: &Sandbox) {
    let config = sandbox.config();
    println!("sandbox listening on {}", sandbox.base_url());
    if config.salesforce {
        println!(
            "  Salesforce mode: the org's instance (instance_url) is {}; add a credential with \
             --salesforce {}",
            sandbox.instance_url(),
            sandbox.base_url()
        );
    }
    println!("  client id:      {}", sandbox.client_id());
    println!("  client secret:  {}", sandbox.client_secret());
    println!(
        "  user:           {} / {}",
        config.username, config.password
    );
    println!("  authorize:      {}", sandbox.authorize_url());
    println!("  token:          {}", sandbox.token_url());
    println!("  Basic API:      {}/basic", sandbox.instance_url());
    println!("  SOAP:           {}", sandbox.soap_url());
    println!(
        "  REST query:     {}?q=SELECT+Id,Name+FROM+Account",
        sandbox.rest_query_url()
    );
    println!(
        "  faults, stats:  {0}/_sandbox/faults  {0}/_sandbox/stats",
        sandbox.base_url()
    );
    println!("press Ctrl-C to stop");
}
