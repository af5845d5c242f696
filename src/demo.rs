//! `dms-console serve` and `dms-console demo`: start-up of the console alone, and of the
//! emulator with demo data plus a console wired to it on loopback.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::cli::{DemoArgs, fail};
use crate::config::Settings;
use crate::config::web::{AccountSettings, ConnectionSettings};
use crate::emulator::{EmulatorCredential, EmulatorIamUser, EmulatorSettings};
use crate::secret::Secret;
use crate::startup::{ConsoleApp, build_state, server_key};
use crate::web::crypto::{ServerKey, random_token};

/// `dms-console serve`.
pub async fn serve(config_file: Option<PathBuf>) -> ExitCode {
    let settings = match Settings::load(config_file.as_deref()) {
        Ok(settings) => settings,
        Err(e) => return fail(e),
    };
    crate::telemetry::init("info,actix_server=warn", settings.server.log_json);
    let key = match server_key(&settings) {
        Ok(key) => key,
        Err(e) => return fail(e),
    };
    let state = match build_state(&settings, key) {
        Ok(state) => state,
        Err(e) => return fail(e),
    };
    let app = match ConsoleApp::build(&settings, state) {
        Ok(app) => app,
        Err(e) => {
            return fail(format!(
                "cannot listen on `{}`: {e}",
                settings.server.listen
            ));
        }
    };
    tracing::info!("dms-console listening on http://{}", app.addr);
    let handle = app.handle();
    tokio::spawn(async move {
        let _ = tokio::signal::ctrl_c().await;
        handle.stop(true).await;
    });
    match app.run_until_stopped().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(e),
    }
}

/// One demo sign-in.
struct DemoAccount {
    name: &'static str,
    role: &'static str,
    password: String,
}

/// The settings of a demo: an emulator with demo data and a console with three accounts.
pub struct Demo {
    /// The emulator's settings.
    pub emulator: EmulatorSettings,
    /// The console's settings (its connection points at the emulator once it listens).
    pub console: Settings,
}

/// Builds the demo's settings with fresh random credentials.
pub fn demo_settings(
    listen: &str,
    data_dir: PathBuf,
    seed: u64,
) -> (Demo, Vec<(String, String, String)>) {
    let access_key = format!(
        "DEMO{}",
        random_token(12).to_uppercase().replace(['-', '_'], "X")
    );
    let secret_key = random_token(30);
    let project_id = hex::encode(rand::random::<[u8; 16]>());
    let emulator = EmulatorSettings {
        listen: "127.0.0.1:0".to_owned(),
        data_dir,
        credentials: vec![EmulatorCredential {
            access_key: access_key.clone(),
            secret_key: Secret::new(secret_key.clone()),
            project_id: project_id.clone(),
            project_name: "demo-region".to_owned(),
            security_token: None,
        }],
        iam_users: vec![EmulatorIamUser {
            domain: "demo-account".to_owned(),
            name: "demo-user".to_owned(),
            password: Secret::new(random_token(12)),
            project_id: project_id.clone(),
        }],
        demo_data: true,
        seed,
        create_seconds: 90,
        restart_seconds: 20,
        extend_seconds: 30,
        ..EmulatorSettings::default()
    };
    let accounts = [
        DemoAccount {
            name: "admin",
            role: "admin",
            password: random_token(12),
        },
        DemoAccount {
            name: "operator",
            role: "operator",
            password: random_token(12),
        },
        DemoAccount {
            name: "viewer",
            role: "viewer",
            password: random_token(12),
        },
    ];
    let mut console = Settings::default();
    console.server.listen = listen.to_owned();
    console.session.key = Some(Secret::new(ServerKey::generate().to_hex()));
    console.audit.url = "sqlite::memory:".to_owned();
    console.auth.default_region = Some("demo-region".to_owned());
    console.auth.environment = Some("demo".to_owned());
    console.auth.environment_colour = Some("green".to_owned());
    let mut connection = ConnectionSettings {
        name: "demo".to_owned(),
        dms: Default::default(),
        iam: Default::default(),
        environment: Some("demo".to_owned()),
        environment_colour: Some("green".to_owned()),
    };
    connection.dms.project_id = Some(project_id.clone());
    connection.dms.access_key = Some(access_key.clone());
    connection.dms.secret_key = Some(Secret::new(secret_key.clone()));
    console.connections.push(connection);
    console.accounts = accounts
        .iter()
        .map(|a| AccountSettings {
            name: a.name.to_owned(),
            password_hash: crate::web::passwords::hash(&a.password),
            role: a.role.to_owned(),
            connection: "demo".to_owned(),
            also_reads: Vec::new(),
        })
        .collect();
    let mut sign_ins: Vec<(String, String, String)> = accounts
        .iter()
        .map(|a| {
            (
                format!("console account {}", a.name),
                a.password.clone(),
                a.role.to_owned(),
            )
        })
        .collect();
    sign_ins.push((
        format!("access key {access_key} (project {project_id})"),
        secret_key,
        "admin".to_owned(),
    ));
    let iam = &emulator.iam_users[0];
    sign_ins.push((
        format!("IAM user {}/{} (region demo-region)", iam.domain, iam.name),
        iam.password.expose().to_owned(),
        "admin".to_owned(),
    ));
    (Demo { emulator, console }, sign_ins)
}

/// Points the console's connection and sign-ins at the emulator's URL.
pub fn wire(console: &mut Settings, emulator_url: &str) {
    for connection in &mut console.connections {
        connection.dms.endpoint = Some(emulator_url.to_owned());
    }
    console.auth.endpoint = Some(emulator_url.to_owned());
    console.auth.iam_endpoint = Some(emulator_url.to_owned());
}

/// `dms-console demo`.
pub async fn demo(args: DemoArgs) -> ExitCode {
    crate::telemetry::init("warn", false);
    let temporary = match &args.data_dir {
        Some(_) => None,
        None => match tempfile::tempdir() {
            Ok(dir) => Some(dir),
            Err(e) => return fail(format!("cannot create a temporary directory: {e}")),
        },
    };
    let data_dir = args.data_dir.clone().unwrap_or_else(|| {
        temporary
            .as_ref()
            .expect("a temporary directory")
            .path()
            .to_path_buf()
    });
    let (mut demo, sign_ins) = demo_settings(&args.listen, data_dir.clone(), args.seed);
    demo.emulator.demo_scale = args.demo_scale;
    if let Err(e) = args.emulator.apply(&mut demo.emulator) {
        return fail(e);
    }
    let emulator = match crate::emulator::spawn(demo.emulator).await {
        Ok(running) => running,
        Err(e) => return fail(e),
    };
    wire(&mut demo.console, &emulator.url());
    let key = match server_key(&demo.console) {
        Ok(key) => key,
        Err(e) => return fail(e),
    };
    let state = match build_state(&demo.console, key) {
        Ok(state) => state,
        Err(e) => return fail(e),
    };
    let app = match ConsoleApp::build(&demo.console, state) {
        Ok(app) => app,
        Err(e) => {
            return fail(format!(
                "cannot listen on `{}`: {e} (choose another address with --listen)",
                args.listen
            ));
        }
    };
    println!("dms-console demo");
    println!();
    println!("  console   http://{}/", app.addr);
    println!(
        "  emulator  {} (data in {})",
        emulator.url(),
        data_dir.display()
    );
    println!();
    println!("  Sign in with any of these (passwords are new every run):");
    for (who, secret, role) in &sign_ins {
        println!("    {who:<60} {secret}   ({role})");
    }
    println!();
    println!("  Ctrl-C stops both.");
    let handle = app.handle();
    let server = tokio::spawn(app.run_until_stopped());
    let _ = tokio::signal::ctrl_c().await;
    handle.stop(true).await;
    let _ = server.await;
    emulator.stop().await;
    drop(temporary);
    ExitCode::SUCCESS
}
