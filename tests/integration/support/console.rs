//! A console wired to a test emulator, and a small browser to drive it (zero2prod style).
//!
//! [`spawn_app`] starts a [`TestEmulator`] and a console on `127.0.0.1:0` that talks to it:
//! memory sessions, a generated server key, an audit log in a temporary SQLite file, console
//! accounts `admin`, `operator` and `viewer` with the passwords of [`password`], the emulator's
//! credentials as the accounts' connection and as the server's own `[dms]` connection, and
//! access-key and IAM sign-ins pointed at the emulator. [`Browser`] keeps cookies, never
//! follows redirects, and has helpers that name what a test does: sign in, get a page or an
//! htmx fragment, post a form with the page's CSRF token. [`Page`] answers CSS-selector
//! questions about the HTML it got.

use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use actix_web::dev::ServerHandle;
use dms_console::config::Settings;
use dms_console::config::web::{AccountSettings, ConnectionSettings};
use dms_console::emulator::instances::{InitialState, InstanceSpec, create_instance_document};
use dms_console::secret::Secret;
use dms_console::startup::{ConsoleApp, build_state, server_key};
use dms_console::web::crypto::ServerKey;
use reqwest::header::HeaderMap;
use scraper::{Html, Selector};

use super::emulator::{AK, IAM_USER, PROJECT, SK, TestEmulator};

/// The cookie that carries the session id.
pub const SESSION_COOKIE: &str = "dms-console-session";
/// The region the sign-in form offers for the emulator (its project name).
pub const REGION: &str = "emulator-region";

/// The password of the console account `role` (`admin`, `operator` or `viewer`).
pub fn password(role: &str) -> String {
    format!("{role}-correct-horse-battery")
}

/// Argon2 hashes of the three accounts, computed once per test process.
fn account_hashes() -> &'static [(String, String)] {
    static HASHES: OnceLock<Vec<(String, String)>> = OnceLock::new();
    HASHES.get_or_init(|| {
        ["admin", "operator", "viewer"]
            .iter()
            .map(|role| {
                (
                    (*role).to_owned(),
                    dms_console::web::passwords::hash(&password(role)),
                )
            })
            .collect()
    })
}

/// The settings of a console wired to the emulator at `emulator_url`, with its audit log at
/// `audit_path`.
pub fn console_settings(emulator_url: &str, audit_path: &std::path::Path) -> Settings {
    let mut settings = Settings::default();
    settings.server.listen = "127.0.0.1:0".to_owned();
    settings.server.workers = Some(2);
    settings.session.key = Some(Secret::new(ServerKey::generate().to_hex()));
    settings.audit.url = format!("sqlite:{}", audit_path.display());
    settings.auth.default_region = Some(REGION.to_owned());
    let mut connection = ConnectionSettings {
        name: "emulator".to_owned(),
        dms: Default::default(),
        iam: Default::default(),
        environment: None,
        environment_colour: None,
    };
    connection.dms.project_id = Some(PROJECT.to_owned());
    connection.dms.access_key = Some(AK.to_owned());
    connection.dms.secret_key = Some(Secret::new(SK));
    connection.dms.read_retries = 0;
    settings.connections.push(connection);
    settings.accounts = account_hashes()
        .iter()
        .map(|(role, hash)| AccountSettings {
            name: role.clone(),
            password_hash: hash.clone(),
            role: role.clone(),
            connection: "emulator".to_owned(),
            also_reads: Vec::new(),
        })
        .collect();
    dms_console::demo::wire(&mut settings, emulator_url);
    // The server's own connection, which readiness checks.
    settings.dms.endpoint = Some(emulator_url.to_owned());
    settings.dms.project_id = Some(PROJECT.to_owned());
    settings.dms.access_key = Some(AK.to_owned());
    settings.dms.secret_key = Some(Secret::new(SK));
    settings.dms.read_retries = 0;
    settings
}

/// A running console.
pub struct Console {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    /// The bound address.
    pub addr: SocketAddr,
    /// The settings it runs with.
    pub settings: Settings,
    handle: ServerHandle,
}

impl Console {
    /// Starts a console with `settings` (listening on `127.0.0.1:0`).
    pub async fn start(settings: Settings) -> Self {
        let key = server_key(&settings).expect("server key");
        let state = build_state(&settings, key).expect("console state");
        let app = ConsoleApp::build(&settings, state).expect("console listens");
        let addr = app.addr;
        let handle = app.handle();
        tokio::spawn(app.run_until_stopped());
        Self {
            url: format!("http://{addr}"),
            addr,
            settings,
            handle,
        }
    }

    /// A browser with no cookies aimed at this console.
    pub fn browser(&self) -> Browser {
        Browser::new(&self.url, None)
    }
}

impl Drop for Console {
    fn drop(&mut self) {
        // `stop` sends its command at once; the returned future only waits for completion.
        drop(self.handle.stop(false));
    }
}

/// The emulator, a console wired to it, and a browser.
pub struct TestApp {
    /// The emulator.
    pub emulator: TestEmulator,
    /// The console.
    pub console: Console,
    /// A browser aimed at the console.
    pub browser: Browser,
    /// The audit log's SQLite file.
    pub audit_path: PathBuf,
    _audit_dir: tempfile::TempDir,
}

/// Starts an emulator and a console wired to it with the default test settings.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Like [`spawn_app`], with the console's settings changed by `adjust` first.
pub async fn spawn_app_with(adjust: impl FnOnce(&mut Settings)) -> TestApp {
    spawn_app_on(TestEmulator::start().await, adjust).await
}

/// Like [`spawn_app_with`], on an emulator the test started (with its own settings).
pub async fn spawn_app_on(emulator: TestEmulator, adjust: impl FnOnce(&mut Settings)) -> TestApp {
    let audit_dir = tempfile::tempdir().expect("temporary directory");
    let audit_path = audit_dir.path().join("audit.sqlite3");
    let mut settings = console_settings(&emulator.url(), &audit_path);
    adjust(&mut settings);
    let console = Console::start(settings).await;
    let browser = console.browser();
    TestApp {
        emulator,
        browser,
        console,
        audit_path,
        _audit_dir: audit_dir,
    }
}

impl std::ops::Deref for TestApp {
    type Target = Browser;
    fn deref(&self) -> &Browser {
        &self.browser
    }
}

impl TestApp {
    /// A second browser (no cookies) on the same console.
    pub fn new_browser(&self) -> Browser {
        self.console.browser()
    }

    /// A browser whose connections come from `ip` (a loopback address such as 127.0.0.2),
    /// so the console sees another client address.
    pub fn browser_from(&self, ip: &str) -> Browser {
        Browser::new(&self.console.url, Some(ip.parse().expect("an IP address")))
    }

    /// How many requests the emulator has received so far.
    pub fn emulator_requests(&self) -> u64 {
        self.emulator.running.emulator.requests_served()
    }

    /// Creates a RUNNING instance named `name` in the emulator; returns its id.
    pub fn create_instance(&self, name: &str) -> String {
        self.create_instance_in(name, InitialState::Running)
    }

    /// Creates an instance named `name` starting in `initial`; returns its id.
    pub fn create_instance_in(&self, name: &str, initial: InitialState) -> String {
        let doc = self
            .emulator
            .running
            .emulator
            .transact(PROJECT, |ctx| {
                let spec = InstanceSpec {
                    initial,
                    ..InstanceSpec::new(name, "c6.4u8g.cluster")
                };
                create_instance_document(ctx, PROJECT, &spec)
            })
            .expect("the emulator creates the instance");
        doc["instance_id"].as_str().expect("an id").to_owned()
    }

    /// Creates the topic and the ACL user that [`fill_pattern`] names on instance `id`, so
    /// that every page of the route table has something to show.
    pub async fn seed_walk_targets(&self, id: &str) {
        let dms = self.emulator.client();
        dms.create_topic(
            id,
            &dms_console::api::models::topics::CreateTopicReq {
                name: WALK_TOPIC.to_owned(),
                ..Default::default()
            },
        )
        .await
        .expect("the walk's topic is created");
        dms.create_user(
            id,
            &dms_console::api::models::users::UserRequest {
                access_key: WALK_USER.to_owned(),
                secret_key: Some(Secret::new("Walk-user-secret-1")),
                ..Default::default()
            },
        )
        .await
        .expect("the walk's ACL user is created");
        dms.create_consumer_group(
            id,
            &dms_console::api::models::groups::CreateConsumerGroupReq {
                name: WALK_GROUP.to_owned(),
                ..Default::default()
            },
        )
        .await
        .expect("the walk's consumer group is created");
    }

    /// Replaces the emulator's fault rules.
    pub async fn set_faults(&self, rules: serde_json::Value) {
        self.emulator.set_faults(rules).await;
    }

    /// Removes every fault rule.
    pub async fn clear_faults(&self) {
        self.emulator.clear_faults().await;
    }

    /// Adds one fault rule to the emulator's; returns its id.
    pub async fn add_fault(&self, rule: serde_json::Value) -> u64 {
        self.emulator.add_fault(rule).await
    }

    /// Removes the emulator's fault rule `id`.
    pub async fn remove_fault(&self, id: u64) {
        self.emulator.remove_fault(id).await;
    }

    /// How many requests of each SDK operation the emulator answered since the last reset.
    pub async fn operation_counts(&self) -> BTreeMap<String, u64> {
        self.emulator.operation_counts().await
    }

    /// Starts the emulator's request log afresh.
    pub async fn reset_requests(&self) {
        self.emulator.reset_requests().await;
    }

    /// Opens the audit log's SQLite file (a second connection beside the console's).
    pub fn audit_db(&self) -> rusqlite::Connection {
        rusqlite::Connection::open(&self.audit_path).expect("the audit log opens")
    }

    /// The audit records of `operation`, oldest first.
    pub fn audit_records(&self, operation: &str) -> Vec<AuditRecord> {
        let db = self.audit_db();
        let mut statement = db
            .prepare("SELECT target, outcome, params FROM audit WHERE operation = ?1 ORDER BY id")
            .expect("the audit query");
        statement
            .query_map([operation], |row| {
                Ok(AuditRecord {
                    target: row.get(0)?,
                    outcome: row.get(1)?,
                    params: row.get(2)?,
                })
            })
            .expect("the audit rows")
            .collect::<Result<_, _>>()
            .expect("readable audit rows")
    }
}

/// One audit record as a test reads it.
#[derive(Debug, Clone)]
pub struct AuditRecord {
    /// What it was about.
    pub target: String,
    /// `ok`, `failed`, `unknown`, …
    pub outcome: String,
    /// The parameters as stored (JSON text).
    pub params: String,
}

impl AuditRecord {
    /// The parameters, parsed.
    pub fn params_json(&self) -> serde_json::Value {
        serde_json::from_str(&self.params).expect("the parameters are JSON")
    }
}

/// One answer of the console.
#[derive(Debug, Clone)]
pub struct Page {
    /// The HTTP status.
    pub status: u16,
    /// The headers.
    pub headers: HeaderMap,
    /// The body as text.
    pub body: String,
}

impl Page {
    fn selector(css: &str) -> Selector {
        Selector::parse(css).unwrap_or_else(|e| panic!("bad selector `{css}`: {e}"))
    }

    /// The text of every element matching `css`, whitespace collapsed and without the
    /// invisible isolation marks (U+2068, U+2069) that keep values apart from the sentence.
    pub fn texts(&self, css: &str) -> Vec<String> {
        let html = Html::parse_document(&self.body);
        html.select(&Self::selector(css))
            .map(|e| {
                e.text()
                    .collect::<String>()
                    .replace(['\u{2068}', '\u{2069}'], "")
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect()
    }

    /// The text of the first element matching `css`; panics with the page when none does.
    pub fn text(&self, css: &str) -> String {
        self.texts(css)
            .into_iter()
            .next()
            .unwrap_or_else(|| panic!("no `{css}` in:\n{}", self.body))
    }

    /// Whether an element matches `css`.
    pub fn has(&self, css: &str) -> bool {
        let html = Html::parse_document(&self.body);
        html.select(&Self::selector(css)).next().is_some()
    }

    /// How many elements match `css`.
    pub fn count(&self, css: &str) -> usize {
        let html = Html::parse_document(&self.body);
        html.select(&Self::selector(css)).count()
    }

    /// The attribute `name` of every element matching `css`.
    pub fn attrs(&self, css: &str, name: &str) -> Vec<String> {
        let html = Html::parse_document(&self.body);
        html.select(&Self::selector(css))
            .filter_map(|e| e.value().attr(name).map(str::to_owned))
            .collect()
    }

    /// The attribute `name` of the first element matching `css`.
    pub fn attr(&self, css: &str, name: &str) -> Option<String> {
        self.attrs(css, name).into_iter().next()
    }

    /// A header as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Every value of a header.
    pub fn header_all(&self, name: &str) -> Vec<String> {
        self.headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_owned))
            .collect()
    }

    /// `Location`.
    pub fn location(&self) -> Option<&str> {
        self.header("location")
    }

    /// The `Set-Cookie` header of cookie `name`, if the answer sets it.
    pub fn set_cookie(&self, name: &str) -> Option<String> {
        self.header_all("set-cookie")
            .into_iter()
            .find(|c| c.starts_with(&format!("{name}=")))
    }

    /// Asserts the status, showing the body when it differs.
    #[track_caller]
    pub fn assert_status(&self, expected: u16) -> &Self {
        assert_eq!(
            self.status, expected,
            "unexpected status; the body was:\n{}",
            self.body
        );
        self
    }

    /// Asserts a `303 See Other` to `location`.
    #[track_caller]
    pub fn assert_redirect(&self, location: &str) -> &Self {
        self.assert_status(303);
        assert_eq!(self.location(), Some(location));
        self
    }
}

/// A browser: a cookie jar and an HTTP client that never follows redirects.
#[derive(Clone)]
pub struct Browser {
    /// The console's base URL.
    pub base: String,
    http: reqwest::Client,
    jar: Arc<Mutex<BTreeMap<String, String>>>,
    csrf: Arc<Mutex<Option<(String, String)>>>,
}

impl Browser {
    /// A browser aimed at `base`, connecting from `local` when given.
    pub fn new(base: &str, local: Option<IpAddr>) -> Self {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(30))
            .local_address(local)
            .build()
            .expect("HTTP client");
        Self {
            base: base.to_owned(),
            http,
            jar: Arc::default(),
            csrf: Arc::default(),
        }
    }

    /// The same cookies, aimed at another console (replicas behind one load balancer).
    pub fn aimed_at(&self, base: &str) -> Self {
        let mut other = Self::new(base, None);
        other.jar = Arc::new(Mutex::new(self.cookies()));
        other
    }

    /// The cookies held.
    pub fn cookies(&self) -> BTreeMap<String, String> {
        self.jar.lock().unwrap().clone()
    }

    /// The session cookie's value, if any.
    pub fn session_cookie(&self) -> Option<String> {
        self.jar.lock().unwrap().get(SESSION_COOKIE).cloned()
    }

    /// Sets (or, with `None`, removes) a cookie by hand.
    pub fn set_cookie(&self, name: &str, value: Option<&str>) {
        let mut jar = self.jar.lock().unwrap();
        match value {
            Some(value) => {
                jar.insert(name.to_owned(), value.to_owned());
            }
            None => {
                jar.remove(name);
            }
        }
    }

    /// Forgets every cookie.
    pub fn clear_cookies(&self) {
        self.jar.lock().unwrap().clear();
    }

    fn cookie_header(&self) -> Option<String> {
        let jar = self.jar.lock().unwrap();
        (!jar.is_empty()).then(|| {
            jar.iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("; ")
        })
    }

    fn absorb(&self, headers: &HeaderMap) {
        let mut jar = self.jar.lock().unwrap();
        for value in headers.get_all("set-cookie") {
            let Ok(text) = value.to_str() else { continue };
            let Ok(cookie) = actix_web::cookie::Cookie::parse(text.to_owned()) else {
                continue;
            };
            let expired = cookie.max_age().is_some_and(|age| age.is_zero())
                || cookie
                    .expires_datetime()
                    .is_some_and(|at| at <= actix_web::cookie::time::OffsetDateTime::now_utc());
            if expired || cookie.value().is_empty() {
                jar.remove(cookie.name());
            } else {
                jar.insert(cookie.name().to_owned(), cookie.value().to_owned());
            }
        }
    }

    /// Sends `request` with the jar's cookies and stores the cookies of the answer.
    pub async fn send(&self, request: reqwest::RequestBuilder) -> Page {
        let request = match self.cookie_header() {
            Some(cookies) => request.header("Cookie", cookies),
            None => request,
        };
        let response = request.send().await.expect("the console answers");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        self.absorb(&headers);
        let body = response.text().await.expect("a body");
        Page {
            status,
            headers,
            body,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// `GET path` as a browser navigates (the full page).
    pub async fn get_page(&self, path: &str) -> Page {
        self.send(self.http.get(self.url(path))).await
    }

    /// `GET path` as htmx does (`HX-Request: true`).
    pub async fn get_fragment(&self, path: &str) -> Page {
        self.send(self.http.get(self.url(path)).header("HX-Request", "true"))
            .await
    }

    /// `GET path` with extra headers.
    pub async fn get_with(&self, path: &str, headers: &[(&str, &str)]) -> Page {
        let mut request = self.http.get(self.url(path));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        self.send(request).await
    }

    /// The CSRF token the console's pages give this browser now: the sign-in form's when
    /// there is no session, else the session's (read from a page's hidden `_csrf` field).
    /// Cached per session cookie.
    pub async fn csrf(&self) -> String {
        let session = self.session_cookie().unwrap_or_default();
        if let Some((for_session, token)) = self.csrf.lock().unwrap().clone()
            && for_session == session
        {
            return token;
        }
        let mut page = self.get_page("/instances").await;
        if page.status == 303 {
            page = self.get_page("/login").await;
        }
        let token = page
            .attr("input[name=_csrf]", "value")
            .unwrap_or_else(|| panic!("no CSRF token on the page:\n{}", page.body));
        *self.csrf.lock().unwrap() =
            Some((self.session_cookie().unwrap_or_default(), token.clone()));
        token
    }

    /// The CSRF token of the sign-in form (bound to the sign-in nonce cookie).
    pub async fn login_csrf(&self) -> String {
        let page = self.get_page("/login").await;
        page.attr("input[name=_csrf]", "value")
            .unwrap_or_else(|| panic!("no CSRF token on the sign-in form:\n{}", page.body))
    }

    /// `POST path` with `fields`, the page's CSRF token and this console's `Origin`, as the
    /// console's own forms do.
    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        let token = if path == "/login" {
            self.login_csrf().await
        } else {
            self.csrf().await
        };
        self.post_raw(
            path,
            fields,
            Some(&token),
            &[("Origin", &self.base.clone())],
        )
        .await
    }

    /// The one-time operation id of the change form at `form_path` (its hidden `op` field).
    pub async fn op_id(&self, form_path: &str) -> String {
        let page = self.get_page(form_path).await;
        page.attr("input[name=op]", "value")
            .unwrap_or_else(|| panic!("no operation id on {form_path}:\n{}", page.body))
    }

    /// Submits a change as the console's forms do: reads a fresh operation id from the form
    /// at `form_path`, then posts `fields` with it (and `step=confirm`) to `action_path`.
    pub async fn submit_change(
        &self,
        form_path: &str,
        action_path: &str,
        fields: &[(&str, &str)],
    ) -> Page {
        let op = self.op_id(form_path).await;
        let mut all: Vec<(&str, &str)> = fields.to_vec();
        all.push(("op", &op));
        all.push(("step", "confirm"));
        self.post_form(action_path, &all).await
    }

    /// [`Browser::submit_change`] for a form that posts to its own address.
    pub async fn submit(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        self.submit_change(path, path, fields).await
    }

    /// Like [`Browser::post_form`], as htmx sends it (`HX-Request: true`).
    pub async fn post_fragment(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        let token = self.csrf().await;
        self.post_raw(
            path,
            fields,
            Some(&token),
            &[("Origin", &self.base.clone()), ("HX-Request", "true")],
        )
        .await
    }

    /// `POST path` exactly as given: `fields`, `_csrf` only when `token` is given, and only
    /// the `headers` listed.
    pub async fn post_raw(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        token: Option<&str>,
        headers: &[(&str, &str)],
    ) -> Page {
        let mut form: Vec<(&str, &str)> = fields.to_vec();
        if let Some(token) = token {
            form.push(("_csrf", token));
        }
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form)
            .finish();
        let mut request = self
            .http
            .post(self.url(path))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(body);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        self.send(request).await
    }

    /// `POST path` as a form that uploads `file` (field name, file name, content) does:
    /// `multipart/form-data` with `fields`, the page's CSRF token and this console's `Origin`.
    pub async fn post_multipart(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        file: (&str, &str, &str),
    ) -> Page {
        let token = self.csrf().await;
        let boundary = "----dms-console-test-boundary";
        let mut body = String::new();
        for (name, value) in fields.iter().chain([("_csrf", token.as_str())].iter()) {
            body.push_str(&format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            ));
        }
        let (field, filename, content) = file;
        body.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{filename}\"\r\nContent-Type: text/plain\r\n\r\n{content}\r\n--{boundary}--\r\n"
        ));
        let request = self
            .http
            .post(self.url(path))
            .header(
                "Content-Type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .header("Origin", self.base.clone())
            .body(body);
        self.send(request).await
    }

    /// Signs in with the console account `role` and its password.
    pub async fn login_as(&self, role: &str) -> Page {
        self.login_account(role, &password(role)).await
    }

    /// Signs in with a console account name and password.
    pub async fn login_account(&self, account: &str, password: &str) -> Page {
        self.post_form(
            "/login",
            &[
                ("mode", "account"),
                ("account", account),
                ("password", password),
            ],
        )
        .await
    }

    /// Signs in with an access key, secret key and project id (region: the emulator's).
    pub async fn login_access_key(&self, ak: &str, sk: &str, project: &str) -> Page {
        self.post_form(
            "/login",
            &[
                ("mode", "access_key"),
                ("access_key", ak),
                ("secret_key", sk),
                ("region", REGION),
                ("project_id", project),
            ],
        )
        .await
    }

    /// Signs in as an IAM user of `domain` (region and project: the emulator's).
    pub async fn login_iam(&self, domain: &str, user: &str, password: &str) -> Page {
        self.post_form(
            "/login",
            &[
                ("mode", "iam"),
                ("domain", domain),
                ("user", user),
                ("password", password),
                ("region", REGION),
            ],
        )
        .await
    }

    /// Signs in as the emulator's IAM test user.
    pub async fn login_iam_test_user(&self) -> Page {
        self.login_iam(IAM_USER.0, IAM_USER.1, IAM_USER.2).await
    }

    /// Signs out with the page's CSRF token.
    pub async fn logout(&self) -> Page {
        self.post_form("/logout", &[]).await
    }
}

/// The topic that [`fill_pattern`] names (tests that walk the route table create it).
pub const WALK_TOPIC: &str = "walk-topic";
/// The ACL user that [`fill_pattern`] names (tests that walk the route table create it).
pub const WALK_USER: &str = "walkuser1";
/// The consumer group the route walks fill `{group}` with (tests that walk every page create it).
pub const WALK_GROUP: &str = "GID_walk";

/// Fills the `{…}` parameters of a route pattern: `{instance_id}` with `instance_id`, the
/// static path with a file name, `{topic}` and `{user}` with [`WALK_TOPIC`] and [`WALK_USER`]
/// (see [`TestApp::seed_walk_targets`]), anything else with `x`.
pub fn fill_pattern(pattern: &str, instance_id: &str) -> String {
    let mut out = String::new();
    let mut rest = pattern;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let end = rest[start..].find('}').expect("a closing brace") + start;
        let name = rest[start + 1..end].split(':').next().unwrap_or_default();
        out.push_str(match name {
            "instance_id" => instance_id,
            "path" => "app.css",
            "panel" => "overview",
            "topic" => WALK_TOPIC,
            "user" => WALK_USER,
            "group" => WALK_GROUP,
            _ => "x",
        });
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}
