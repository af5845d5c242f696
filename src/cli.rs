//! The command line: argument parsing and the commands that are not servers.
//!
//! `api` makes one signed (or token-authenticated) DMS call with the configured credentials
//! and prints the response: body as pretty JSON on stdout, status, error code and request id
//! on stderr, exit status 0 only for 2xx.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::api::{DmsClient, Method};
use crate::config::{Settings, regions};

/// The dms-console command line.
#[derive(Debug, Parser)]
#[command(
    name = "dms-console",
    version,
    about = "A console for Huawei Cloud DMS for RocketMQ"
)]
pub struct Cli {
    /// A TOML configuration file (default: dms-console.toml when present). Environment
    /// variables DMS_CONSOLE__<SECTION>__<KEY> override it.
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Log as JSON lines instead of plain text.
    #[arg(long, global = true)]
    pub log_json: bool,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Make one authenticated DMS API call and print the response.
    Api(ApiArgs),
    /// List the region ids the console knows and their DMS endpoints.
    Regions,
}

/// Arguments of `api`.
#[derive(Debug, clap::Args)]
pub struct ApiArgs {
    /// GET, POST, PUT or DELETE.
    pub method: String,
    /// The path, e.g. '/v2/{project_id}/instances'; `{project_id}` is replaced by the
    /// configured project. Raw or percent-encoded characters are both accepted.
    pub path: String,
    /// A query parameter as name=value; repeat for several.
    #[arg(long = "query", short = 'q', value_name = "NAME=VALUE")]
    pub query: Vec<String>,
    /// The JSON body, or @FILE to read it from a file.
    #[arg(long)]
    pub body: Option<String>,
}

/// Parses the arguments and runs the command.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    crate::telemetry::init("warn", cli.log_json);
    match cli.command {
        Command::Regions => {
            for (region, endpoint) in regions::all() {
                println!("{region}\t{endpoint}");
            }
            ExitCode::SUCCESS
        }
        Command::Api(args) => {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("tokio runtime");
            runtime.block_on(run_api(cli.config, args))
        }
    }
}

fn fail(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(2)
}

async fn run_api(config_file: Option<PathBuf>, args: ApiArgs) -> ExitCode {
    let method: Method = match args.method.parse() {
        Ok(method) => method,
        Err(e) => return fail(e),
    };
    let mut query = Vec::with_capacity(args.query.len());
    for pair in &args.query {
        match pair.split_once('=') {
            Some((name, value)) if !name.is_empty() => {
                query.push((name.to_owned(), value.to_owned()))
            }
            _ => return fail(format!("--query `{pair}` must be NAME=VALUE")),
        }
    }
    let body = match args.body.as_deref() {
        None => None,
        Some(text) => {
            let text = match text.strip_prefix('@') {
                Some(path) => match std::fs::read_to_string(path) {
                    Ok(contents) => contents,
                    Err(e) => return fail(format!("--body @{path}: {e}")),
                },
                None => text.to_owned(),
            };
            if let Err(e) = serde_json::from_str::<serde_json::Value>(&text) {
                return fail(format!("--body is not valid JSON: {e}"));
            }
            Some(text.into_bytes())
        }
    };
    let settings = match Settings::load(config_file.as_deref()) {
        Ok(settings) => settings,
        Err(e) => return fail(e),
    };
    let client = match settings.dms_client_config().map(DmsClient::new) {
        Ok(Ok(client)) => client,
        Ok(Err(e)) => return fail(e),
        Err(e) => return fail(e),
    };
    match client
        .raw(method, &args.path, &query, body.as_deref())
        .await
    {
        Ok(reply) => {
            match serde_json::from_slice::<serde_json::Value>(&reply.body) {
                Ok(json) => println!(
                    "{}",
                    serde_json::to_string_pretty(&json).unwrap_or_default()
                ),
                Err(_) if reply.body.is_empty() => {}
                Err(_) => println!("{}", String::from_utf8_lossy(&reply.body)),
            }
            let mut status_line = format!("HTTP {}", reply.status);
            if let Some(code) = &reply.error_code {
                status_line.push_str(&format!(" error_code={code}"));
            }
            status_line.push_str(&format!(
                " request_id={}",
                reply.request_id.as_deref().unwrap_or("-")
            ));
            eprintln!("{status_line}");
            if (200..300).contains(&reply.status) {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        Err(e) => fail(e),
    }
}
