//! `Settings`: file and environment merged, defaults from the region table, secrets from
//! files, redacted `Debug`, and every bad value refused with its key named.
//!
//! `Settings::load_from` reads the environment through a prefix used by no real variable, so
//! the process's own `DMS_CONSOLE__` variables never leak in. The tests that need variables
//! run `environment_cases` in a child process with those variables set, so no test changes
//! the environment of this multi-threaded process.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use dms_console::api::{ClientConfig, Credentials};
use dms_console::config::{ConfigError, Settings};
use figment::providers::Env;

const PROJECT: &str = "0a1b2c3d4e5f60718293a4b5c6d7e8f9";

/// A temporary directory holding `dms-console.toml` with `text`.
struct ConfigFile {
    dir: tempfile::TempDir,
}

impl ConfigFile {
    fn new(text: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("dms-console.toml"), text).unwrap();
        Self { dir }
    }

    fn path(&self) -> PathBuf {
        self.dir.path().join("dms-console.toml")
    }

    /// Writes another file next to the configuration and returns its path.
    fn sibling(&self, name: &str, contents: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, contents).unwrap();
        path
    }
}

/// An environment provider reading only variables under `prefix`, none of which is set.
fn no_env(prefix: &str) -> Env {
    Env::prefixed(prefix).split("__")
}

fn load(file: &Path, env: Env) -> Settings {
    Settings::load_from(Some(file), env).unwrap_or_else(|e| panic!("load: {e}"))
}

fn client_config(text: &str) -> Result<ClientConfig, ConfigError> {
    let file = ConfigFile::new(text);
    Settings::load_from(Some(&file.path()), no_env("X_TEST_DMS_CFG_NONE__"))?.dms_client_config()
}

fn aksk(config: &ClientConfig) -> (&str, &str, Option<&str>) {
    match &config.credentials {
        Credentials::AccessKey {
            access_key,
            secret_key,
            security_token,
        } => (
            access_key,
            secret_key.expose(),
            security_token.as_ref().map(|t| t.expose()),
        ),
        other => panic!("expected AK/SK credentials, got {other:?}"),
    }
}

const AKSK: &str = "access_key = \"AKFILE\"\nsecret_key = \"sk-file\"\n";

#[test]
fn defaults_fill_what_is_not_set() {
    let file = ConfigFile::new("");
    let settings = load(&file.path(), no_env("X_TEST_DMS_CFG_NONE__"));
    assert_eq!(settings.server.listen, "127.0.0.1:8080");
    assert_eq!(settings.dms.engine, "rocketmq");
    let config = client_config(&format!(
        "[dms]\nregion = \"cn-north-4\"\nproject_id = \"{PROJECT}\"\n{AKSK}"
    ))
    .unwrap();
    assert_eq!(config.timeouts.connect, Duration::from_secs(3));
    assert_eq!(config.timeouts.read, Duration::from_secs(10));
    assert_eq!(config.timeouts.mutation, Duration::from_secs(30));
    assert_eq!(config.retry.max_read_retries, 2);
    assert_eq!(config.max_response_bytes, 8 * 1024 * 1024);
}

#[test]
fn the_dms_endpoint_comes_from_the_region_table() {
    let config = client_config(&format!(
        "[dms]\nregion = \"cn-north-4\"\nproject_id = \"{PROJECT}\"\n{AKSK}"
    ))
    .unwrap();
    assert_eq!(
        config.endpoint.as_str(),
        "https://dms.cn-north-4.myhuaweicloud.com/"
    );
    let config = client_config(&format!(
        "[dms]\nregion = \"eu-west-101\"\nproject_id = \"{PROJECT}\"\n{AKSK}"
    ))
    .unwrap();
    assert_eq!(
        config.endpoint.as_str(),
        "https://dms.eu-west-101.myhuaweicloud.eu/",
        "the table's one exception"
    );
}

const IAM_USER: &str = "[iam]\ndomain = \"acme\"\nuser = \"ops\"\npassword = \"pw-file\"\n";

fn iam_of(config: &ClientConfig) -> &dms_console::api::IamPassword {
    match &config.credentials {
        Credentials::IamPassword(iam) => iam,
        other => panic!("expected IAM password credentials, got {other:?}"),
    }
}

#[test]
fn the_iam_endpoint_and_project_come_from_the_region() {
    let config = client_config(&format!("[dms]\nregion = \"cn-north-4\"\n{IAM_USER}")).unwrap();
    let iam = iam_of(&config);
    assert_eq!(
        iam.endpoint.as_str(),
        "https://iam.cn-north-4.myhuaweicloud.com/"
    );
    assert_eq!(iam.project_name, "cn-north-4");
    assert_eq!(iam.domain, "acme");
    assert_eq!(iam.user, "ops");
    assert_eq!(iam.password.expose(), "pw-file");
    assert_eq!(
        config.project_id, None,
        "with a password the project may come from the token"
    );
    assert_eq!(
        config.endpoint.as_str(),
        "https://dms.cn-north-4.myhuaweicloud.com/"
    );

    let config = client_config(&format!(
        "[dms]\nregion = \"cn-north-4\"\nendpoint = \"http://127.0.0.1:9100\"\n{IAM_USER}endpoint = \"http://127.0.0.1:9200\"\nproject = \"cn-north-4_sub\"\n"
    ))
    .unwrap();
    assert_eq!(iam_of(&config).endpoint.as_str(), "http://127.0.0.1:9200/");
    assert_eq!(iam_of(&config).project_name, "cn-north-4_sub");
}

#[test]
fn dms_endpoint_overrides_the_region() {
    let config = client_config(&format!(
        "[dms]\nregion = \"cn-north-4\"\nendpoint = \"http://127.0.0.1:9100\"\nproject_id = \"{PROJECT}\"\n{AKSK}"
    ))
    .unwrap();
    assert_eq!(config.endpoint.as_str(), "http://127.0.0.1:9100/");
    // An emulator's region need not be in the table when the endpoint is given.
    let config = client_config(&format!(
        "[dms]\nregion = \"emu-local-1\"\nendpoint = \"https://127.0.0.1:9443\"\nproject_id = \"{PROJECT}\"\n{AKSK}"
    ))
    .unwrap();
    assert_eq!(config.endpoint.as_str(), "https://127.0.0.1:9443/");
    let config = client_config(&format!(
        "[dms]\nendpoint = \"http://127.0.0.1:9100/\"\nproject_id = \"{PROJECT}\"\n{AKSK}"
    ))
    .unwrap();
    assert_eq!(
        config.endpoint.as_str(),
        "http://127.0.0.1:9100/",
        "no region is needed with an endpoint; a bare trailing slash is fine"
    );
}

#[test]
fn secrets_are_read_from_files() {
    let file = ConfigFile::new("");
    let secret = file.sibling("sk", "sk-from-file\n");
    let token = file.sibling("token", "sts-token-from-file\r\n");
    let password = file.sibling("password", "pw-from-file\n");
    std::fs::write(
        file.path(),
        format!(
            "[dms]\nregion = \"cn-north-4\"\nproject_id = \"{PROJECT}\"\naccess_key = \"AK\"\nsecret_key_file = \"{}\"\nsecurity_token_file = \"{}\"\n",
            secret.display(),
            token.display()
        ),
    )
    .unwrap();
    let config = load(&file.path(), no_env("X_TEST_DMS_CFG_NONE__"))
        .dms_client_config()
        .unwrap();
    assert_eq!(
        aksk(&config),
        ("AK", "sk-from-file", Some("sts-token-from-file"))
    );

    std::fs::write(
        file.path(),
        format!(
            "[dms]\nregion = \"cn-north-4\"\n[iam]\ndomain = \"acme\"\nuser = \"ops\"\npassword_file = \"{}\"\n",
            password.display()
        ),
    )
    .unwrap();
    let config = load(&file.path(), no_env("X_TEST_DMS_CFG_NONE__"))
        .dms_client_config()
        .unwrap();
    assert_eq!(iam_of(&config).password.expose(), "pw-from-file");
}

#[test]
fn debug_output_never_shows_secrets() {
    let secrets = [
        "SK-DEBUG-SECRET-0001",
        "TOKEN-DEBUG-SECRET-0002",
        "PW-DEBUG-SECRET-0003",
    ];
    let file = ConfigFile::new(&format!(
        "[dms]\nregion = \"cn-north-4\"\nproject_id = \"{PROJECT}\"\naccess_key = \"AK\"\nsecret_key = \"{}\"\nsecurity_token = \"{}\"\n[iam]\ndomain = \"acme\"\nuser = \"ops\"\npassword = \"{}\"\n",
        secrets[0], secrets[1], secrets[2]
    ));
    let settings = load(&file.path(), no_env("X_TEST_DMS_CFG_NONE__"));
    let aksk_config = settings.dms_client_config().unwrap();
    let mut iam_only = settings.clone();
    iam_only.dms.access_key = None;
    iam_only.dms.secret_key = None;
    iam_only.dms.security_token = None;
    let iam_config = iam_only.dms_client_config().unwrap();
    for text in [
        format!("{settings:?}"),
        format!("{settings:#?}"),
        format!("{aksk_config:?}"),
        format!("{iam_config:?}"),
    ] {
        for secret in secrets {
            assert!(!text.contains(secret), "`{secret}` shows in {text}");
        }
        assert!(text.contains("redacted"), "{text}");
    }
    // And the secrets are really there, just not shown.
    assert_eq!(aksk(&aksk_config).1, secrets[0]);
    assert_eq!(iam_of(&iam_config).password.expose(), secrets[2]);
}

/// Asserts that `text` as a configuration file is refused, naming `key`.
#[track_caller]
fn assert_refused(text: &str, key: &str) {
    let file = ConfigFile::new(text);
    let error = match Settings::load_from(Some(&file.path()), no_env("X_TEST_DMS_CFG_NONE__")) {
        Err(error) => error,
        Ok(settings) => match settings.dms_client_config() {
            Err(error) => error,
            Ok(config) => panic!("accepted {text:?} as {config:?}"),
        },
    };
    assert_eq!(error.key, key, "{error}");
    assert!(
        error.to_string().contains(&format!("`{key}`")),
        "the message names the key: {error}"
    );
    assert!(!error.problem.is_empty());
}

#[test]
fn bad_endpoints_are_refused() {
    let rest = format!("project_id = \"{PROJECT}\"\n{AKSK}");
    assert_refused(
        &format!("[dms]\nendpoint = \"not a url\"\n{rest}"),
        "dms.endpoint",
    );
    assert_refused(
        &format!("[dms]\nendpoint = \"ftp://dms.example.com\"\n{rest}"),
        "dms.endpoint",
    );
    assert_refused(
        &format!("[dms]\nendpoint = \"https://dms.example.com/v2\"\n{rest}"),
        "dms.endpoint",
    );
    assert_refused(
        &format!("[dms]\nendpoint = \"https://dms.example.com?x=1\"\n{rest}"),
        "dms.endpoint",
    );
    assert_refused(
        &format!(
            "[dms]\nregion = \"cn-north-4\"\n{IAM_USER}endpoint = \"https://iam.example.com/v3\"\n"
        ),
        "iam.endpoint",
    );
}

#[test]
fn bad_regions_are_refused() {
    let rest = format!("project_id = \"{PROJECT}\"\n{AKSK}");
    assert_refused(
        &format!("[dms]\nregion = \"xx-nowhere-1\"\n{rest}"),
        "dms.region",
    );
    assert_refused(
        &format!("[dms]\nregion = \"CN North 4\"\n{rest}"),
        "dms.region",
    );
    assert_refused(&format!("[dms]\n{rest}"), "dms.region");
}

#[test]
fn bad_project_ids_are_refused() {
    for bad in ["0a1b/../x", "project id", "p%2F", &"a".repeat(65)] {
        assert_refused(
            &format!("[dms]\nregion = \"cn-north-4\"\nproject_id = \"{bad}\"\n{AKSK}"),
            "dms.project_id",
        );
    }
    assert_refused(
        &format!("[dms]\nregion = \"cn-north-4\"\n{AKSK}"),
        "dms.project_id",
    );
}

#[test]
fn out_of_range_numbers_are_refused() {
    let base = format!("[dms]\nregion = \"cn-north-4\"\nproject_id = \"{PROJECT}\"\n{AKSK}");
    for (line, key) in [
        ("read_timeout_ms = 0", "dms.read_timeout_ms"),
        ("connect_timeout_ms = 0", "dms.connect_timeout_ms"),
        ("mutation_timeout_ms = 600001", "dms.mutation_timeout_ms"),
        ("read_retries = 6", "dms.read_retries"),
        ("max_response_bytes = 10", "dms.max_response_bytes"),
        ("read_timeout_ms = \"soon\"", "dms.read_timeout_ms"),
        ("read_timeout_ms = -1", "dms.read_timeout_ms"),
        ("engine = \"kafka\"", "dms.engine"),
    ] {
        assert_refused(&format!("{base}{line}\n"), key);
    }
}

#[test]
fn incomplete_or_conflicting_credentials_are_refused() {
    let base = format!("[dms]\nregion = \"cn-north-4\"\nproject_id = \"{PROJECT}\"\n");
    assert_refused(&format!("{base}access_key = \"AK\"\n"), "dms.secret_key");
    assert_refused(&format!("{base}secret_key = \"SK\"\n"), "dms.access_key");
    assert_refused(
        &format!(
            "{base}access_key = \"AK\"\nsecret_key = \"SK\"\nsecret_key_file = \"/dev/null\"\n"
        ),
        "dms.secret_key",
    );
    assert_refused(
        &format!("{base}access_key = \"AK\"\nsecret_key_file = \"/nonexistent/dms-console-sk\"\n"),
        "dms.secret_key_file",
    );
    assert_refused(&base, "dms.access_key");
    assert_refused(
        &format!("{base}[iam]\ndomain = \"acme\"\nuser = \"ops\"\n"),
        "iam.password",
    );
    assert_refused(
        &format!("{base}[iam]\nuser = \"ops\"\npassword = \"pw\"\n"),
        "iam.domain",
    );
}

#[test]
fn an_empty_secret_file_is_refused() {
    let file = ConfigFile::new("");
    let empty = file.sibling("sk", "\n");
    assert_refused(
        &format!(
            "[dms]\nregion = \"cn-north-4\"\nproject_id = \"{PROJECT}\"\naccess_key = \"AK\"\nsecret_key_file = \"{}\"\n",
            empty.display()
        ),
        "dms.secret_key_file",
    );
}

#[test]
fn unknown_keys_and_sections_are_refused() {
    assert_refused(
        "[dms]\nregion = \"cn-north-4\"\nacess_key = \"AK\"\n",
        "dms.acess_key",
    );
    assert_refused("[dsm]\nregion = \"cn-north-4\"\n", "dsm");
    assert_refused("[iam]\nusername = \"ops\"\n", "iam.username");
}

#[test]
fn a_named_file_that_does_not_exist_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let error = Settings::load_from(
        Some(&dir.path().join("absent.toml")),
        no_env("X_TEST_DMS_CFG_NONE__"),
    )
    .unwrap_err();
    assert_eq!(error.key, "--config");
}

/// The prefix of the variables `environment_cases` reads (set only in child processes).
const ENV_PREFIX: &str = "X_TEST_DMS_CFG__";
/// Names the case `environment_cases` checks.
const CASE_VAR: &str = "X_TEST_DMS_CFG_CASE";
/// The configuration file of that case.
const FILE_VAR: &str = "X_TEST_DMS_CFG_FILE";

/// Runs `environment_cases` in a child process of this test binary with `case`, `file` and
/// `vars` (names under [`ENV_PREFIX`]) in its environment, and asserts that it passed.
#[track_caller]
fn run_environment_case(case: &str, file: &Path, vars: &[(&str, &str)]) {
    let mut command = Command::new(std::env::current_exe().expect("the test binary"));
    command.args(["config::environment_cases", "--exact", "--test-threads=1"]);
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("X_TEST_DMS_CFG") {
            command.env_remove(name);
        }
    }
    command.env(CASE_VAR, case).env(FILE_VAR, file);
    for (name, value) in vars {
        command.env(format!("{ENV_PREFIX}{name}"), value);
    }
    let output = command.output().expect("run the test binary");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success() && stdout.contains("1 passed"),
        "environment case `{case}` failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

fn override_file() -> ConfigFile {
    ConfigFile::new(&format!(
        "[dms]\nregion = \"cn-north-4\"\nendpoint = \"http://file.example:1\"\nproject_id = \"{PROJECT}\"\n{AKSK}read_timeout_ms = 5000\nconnect_timeout_ms = 1500\n[server]\nlisten = \"127.0.0.1:9000\"\n"
    ))
}

/// The checks that need environment variables. Each case runs in a child process started by
/// the test of the same topic below. Run directly, with no case named and no variable set, it
/// checks that the file alone decides.
#[test]
fn environment_cases() {
    let env = Env::prefixed(ENV_PREFIX).split("__");
    let Some(case) = std::env::var_os(CASE_VAR) else {
        assert!(
            std::env::vars_os().all(|(name, _)| !name.to_string_lossy().starts_with(ENV_PREFIX)),
            "no variable under {ENV_PREFIX} may be set outside a case"
        );
        let file = override_file();
        let settings = load(&file.path(), env);
        assert_eq!(settings.server.listen, "127.0.0.1:9000");
        let config = settings.dms_client_config().unwrap();
        assert_eq!(config.endpoint.as_str(), "http://file.example:1/");
        assert_eq!(aksk(&config), ("AKFILE", "sk-file", None));
        assert_eq!(config.timeouts.read, Duration::from_millis(5000));
        return;
    };
    let file = PathBuf::from(std::env::var_os(FILE_VAR).expect("the case's file"));
    match case.to_str().expect("a UTF-8 case name") {
        "override" => {
            let settings = load(&file, env);
            assert_eq!(settings.server.listen, "0.0.0.0:8443");
            let config = settings.dms_client_config().unwrap();
            assert_eq!(config.endpoint.as_str(), "http://127.0.0.1:9100/");
            assert_eq!(aksk(&config), ("AKENV", "sk-file", None));
            assert_eq!(config.timeouts.read, Duration::from_millis(7000));
            assert_eq!(
                config.timeouts.connect,
                Duration::from_millis(1500),
                "the file still counts where the environment is silent"
            );
            assert_eq!(config.project_id.as_deref(), Some(PROJECT));
        }
        "env-only" => {
            let config = load(&file, env).dms_client_config().unwrap();
            assert_eq!(aksk(&config), ("AKENV", "sk-env", None));
            assert_eq!(
                config.endpoint.as_str(),
                "https://dms.cn-north-4.myhuaweicloud.com/"
            );
        }
        "secret-file" => {
            let config = load(&file, env).dms_client_config().unwrap();
            assert_eq!(aksk(&config).1, "sk-env-file");
        }
        "unknown-key" => {
            let error = Settings::load_from(Some(&file), env).unwrap_err();
            assert_eq!(error.key, "dms.secret", "{error}");
        }
        other => panic!("unknown environment case `{other}`"),
    }
}

#[test]
fn the_environment_overrides_the_file() {
    let file = override_file();
    run_environment_case(
        "override",
        &file.path(),
        &[
            ("DMS__ENDPOINT", "http://127.0.0.1:9100"),
            ("DMS__ACCESS_KEY", "AKENV"),
            ("DMS__READ_TIMEOUT_MS", "7000"),
            ("SERVER__LISTEN", "0.0.0.0:8443"),
        ],
    );
}

#[test]
fn the_environment_alone_is_enough() {
    let file = ConfigFile::new("");
    run_environment_case(
        "env-only",
        &file.path(),
        &[
            ("DMS__REGION", "cn-north-4"),
            ("DMS__PROJECT_ID", PROJECT),
            ("DMS__ACCESS_KEY", "AKENV"),
            ("DMS__SECRET_KEY", "sk-env"),
        ],
    );
}

#[test]
fn a_secret_file_can_be_named_in_the_environment() {
    let file = ConfigFile::new(&format!(
        "[dms]\nregion = \"cn-north-4\"\nproject_id = \"{PROJECT}\"\naccess_key = \"AK\"\n"
    ));
    let secret = file.sibling("sk", "sk-env-file");
    run_environment_case(
        "secret-file",
        &file.path(),
        &[("DMS__SECRET_KEY_FILE", secret.to_str().unwrap())],
    );
}

#[test]
fn an_unknown_key_in_the_environment_is_refused() {
    let file = ConfigFile::new("");
    run_environment_case("unknown-key", &file.path(), &[("DMS__SECRET", "x")]);
}
