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
    /// Run the DMS emulator: the DMS RocketMQ REST API with durable state, on plain HTTP.
    Emulator(EmulatorArgs),
    /// Run the web console (configuration from the file and the environment).
    Serve,
    /// Run the emulator with demo data and the console wired to it, on loopback.
    Demo(DemoArgs),
    /// Print the argon2 hash of a console account's password (read from standard input).
    HashPassword,
    /// Print a new random session key (128 hexadecimal characters) for `session.key`.
    GenerateKey,
}

/// Arguments of `demo`.
#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    /// The console's listen address.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: String,
    /// Keep the emulator's data here (default: a temporary directory removed on exit).
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// The random seed of the demo data.
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Also create the scale data set: one instance with 10,000 topics and 2,000 consumer
    /// groups (takes a few seconds).
    #[arg(long)]
    pub demo_scale: bool,
    /// The emulator's fault rules and timings.
    #[command(flatten)]
    pub emulator: EmulatorTestArgs,
}

/// Fault injection and life-cycle timings of the emulator, for `emulator` and `demo` alike.
#[derive(Debug, clap::Args)]
pub struct EmulatorTestArgs {
    /// A fault rule: '[METHOD] [PATTERN][;key=value]...' (see --help); repeat for several.
    #[arg(long = "fault", value_name = "RULE", long_help = crate::emulator::faults::RULE_SYNTAX)]
    pub faults: Vec<String>,
    /// Serve /_emulator/faults (change fault rules at run time) and /_emulator/requests (the
    /// per-operation request log) to loopback clients.
    #[arg(long)]
    pub fault_admin: bool,
    /// Seconds an instance stays CREATING (default 30; the demo's 90).
    #[arg(long, value_name = "SECONDS")]
    pub create_seconds: Option<u64>,
    /// Seconds an instance stays RESTARTING (default 10; the demo's 20).
    #[arg(long, value_name = "SECONDS")]
    pub restart_seconds: Option<u64>,
    /// Seconds an instance stays EXTENDING before it has its new specification (default 20;
    /// the demo's 30).
    #[arg(long, value_name = "SECONDS")]
    pub extend_seconds: Option<u64>,
    /// Seconds a metadata migration task runs (default 10).
    #[arg(long, value_name = "SECONDS")]
    pub migration_seconds: Option<u64>,
}

impl EmulatorTestArgs {
    /// Applies the flags to `settings`: rules are added after the configured ones.
    pub fn apply(&self, settings: &mut crate::emulator::EmulatorSettings) -> Result<(), String> {
        for rule in &self.faults {
            settings
                .faults
                .push(crate::emulator::faults::FaultRule::parse(rule)?);
        }
        if self.fault_admin {
            settings.fault_admin = true;
        }
        for (flag, target) in [
            (self.create_seconds, &mut settings.create_seconds),
            (self.restart_seconds, &mut settings.restart_seconds),
            (self.extend_seconds, &mut settings.extend_seconds),
            (self.migration_seconds, &mut settings.migration_seconds),
        ] {
            if let Some(seconds) = flag {
                *target = seconds;
            }
        }
        Ok(())
    }
}

/// Arguments of `emulator`; each overrides the `[emulator]` section of the configuration.
#[derive(Debug, clap::Args)]
pub struct EmulatorArgs {
    /// The listen address (default 127.0.0.1:9100).
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<String>,
    /// The directory of the emulator's database (default ./dms-emulator-data).
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// An access key to accept (with --secret-key and --project-id).
    #[arg(long, env = "DMS_EMULATOR_ACCESS_KEY")]
    pub access_key: Option<String>,
    /// Its secret key (or the DMS_EMULATOR_SECRET_KEY variable, or --secret-key-file).
    #[arg(long, env = "DMS_EMULATOR_SECRET_KEY", hide_env_values = true)]
    pub secret_key: Option<String>,
    /// A file holding the secret key.
    #[arg(long, value_name = "FILE")]
    pub secret_key_file: Option<PathBuf>,
    /// The project the access key belongs to.
    #[arg(long, env = "DMS_EMULATOR_PROJECT_ID")]
    pub project_id: Option<String>,
    /// An IAM user as DOMAIN/USER:PASSWORD, scoped to --project-id; repeat for several.
    #[arg(long = "iam-user", value_name = "DOMAIN/USER:PASSWORD")]
    pub iam_users: Vec<String>,
    /// Create the demo data set when the database is empty.
    #[arg(long)]
    pub demo_data: bool,
    /// Create the scale data set (one instance with 10,000 topics and 2,000 consumer groups)
    /// unless the database has it.
    #[arg(long)]
    pub demo_scale: bool,
    /// The random seed of the demo data and simulated traffic.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Fault rules and timings.
    #[command(flatten)]
    pub emulator: EmulatorTestArgs,
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
        Command::Emulator(args) => {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
                .expect("tokio runtime");
            runtime.block_on(run_emulator(cli.config, args))
        }
        Command::Serve => {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
                .expect("tokio runtime");
            runtime.block_on(crate::demo::serve(cli.config))
        }
        Command::Demo(args) => {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
                .expect("tokio runtime");
            runtime.block_on(crate::demo::demo(args))
        }
        Command::HashPassword => {
            let mut password = String::new();
            if std::io::stdin().read_line(&mut password).is_err()
                || password.trim_end_matches(['\n', '\r']).is_empty()
            {
                return fail(
                    "give the password on standard input, e.g. `printf %s 'secret' | dms-console hash-password`",
                );
            }
            println!(
                "{}",
                crate::web::passwords::hash(password.trim_end_matches(['\n', '\r']))
            );
            ExitCode::SUCCESS
        }
        Command::GenerateKey => {
            println!("{}", crate::web::crypto::ServerKey::generate().to_hex());
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

/// Prints `message` as an error and returns exit status 2.
pub fn fail(message: impl std::fmt::Display) -> ExitCode {
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
        // A refusal that came with an answer (IAM rejecting the password) is an HTTP failure,
        // not a configuration or network problem.
        Err(e) if e.status.is_some() => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
        Err(e) => fail(e),
    }
}

/// Merges the `emulator` flags into the configured `[emulator]` section.
pub fn emulator_settings(
    mut settings: crate::emulator::EmulatorSettings,
    args: &EmulatorArgs,
) -> Result<crate::emulator::EmulatorSettings, String> {
    use crate::emulator::{EmulatorCredential, EmulatorIamUser};
    use crate::secret::Secret;
    if let Some(listen) = &args.listen {
        settings.listen = listen.clone();
    }
    if let Some(dir) = &args.data_dir {
        settings.data_dir = dir.clone();
    }
    let secret = match (&args.secret_key, &args.secret_key_file) {
        (Some(_), Some(_)) => {
            return Err("give --secret-key or --secret-key-file, not both".to_owned());
        }
        (Some(secret), None) => Some(Secret::new(secret.clone())),
        (None, Some(path)) => Some(Secret::new(
            std::fs::read_to_string(path)
                .map_err(|e| format!("--secret-key-file `{}`: {e}", path.display()))?
                .trim_end_matches(['\n', '\r'])
                .to_owned(),
        )),
        (None, None) => None,
    };
    match (&args.access_key, secret, &args.project_id) {
        (Some(access_key), Some(secret_key), Some(project_id)) => settings.credentials.insert(
            0,
            EmulatorCredential {
                access_key: access_key.clone(),
                secret_key,
                project_id: project_id.clone(),
                project_name: "emulator-region".to_owned(),
                security_token: None,
            },
        ),
        (None, None, None) => {}
        _ => return Err("--access-key, --secret-key and --project-id go together".to_owned()),
    }
    for user in &args.iam_users {
        let (who, password) = user
            .split_once(':')
            .ok_or_else(|| format!("--iam-user `{user}` must be DOMAIN/USER:PASSWORD"))?;
        let (domain, name) = who
            .split_once('/')
            .ok_or_else(|| format!("--iam-user `{user}` must be DOMAIN/USER:PASSWORD"))?;
        let project_id = args
            .project_id
            .clone()
            .ok_or("--iam-user needs --project-id")?;
        settings.iam_users.push(EmulatorIamUser {
            domain: domain.to_owned(),
            name: name.to_owned(),
            password: Secret::new(password),
            project_id,
        });
    }
    if args.demo_data {
        settings.demo_data = true;
    }
    if args.demo_scale {
        settings.demo_scale = true;
    }
    if let Some(seed) = args.seed {
        settings.seed = seed;
    }
    args.emulator.apply(&mut settings)?;
    Ok(settings)
}

async fn run_emulator(config_file: Option<PathBuf>, args: EmulatorArgs) -> ExitCode {
    let settings = match Settings::load(config_file.as_deref()) {
        Ok(settings) => settings,
        Err(e) => return fail(e),
    };
    let settings = match emulator_settings(settings.emulator, &args) {
        Ok(settings) => settings,
        Err(e) => return fail(e),
    };
    let data_dir = settings.data_dir.display().to_string();
    let running = match crate::emulator::spawn(settings).await {
        Ok(running) => running,
        Err(e) => return fail(e),
    };
    eprintln!(
        "DMS emulator listening on {} (data in {data_dir}); Ctrl-C stops it",
        running.url()
    );
    let _ = tokio::signal::ctrl_c().await;
    running.stop().await;
    ExitCode::SUCCESS
}
