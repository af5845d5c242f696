//! A real OpenID provider for the single sign-on tests: `tests/oidc/provider.mjs`
//! (oidc-provider, OpenID Certified) run by Node, one per test process, with users `ana`
//! (group `payments-admins`), `ben` (`support`, `orders-operators`) and `cleo` (`marketing`).
//!
//! [`provider`] starts it on first use (installing its npm packages with `npm ci` when they
//! are missing); it stops when the test process ends (its standard input closes).
//! [`register_client`] registers a console at the provider under its own callback URL, and
//! [`IdpBrowser`] goes through the provider's own login and consent pages as a person would.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use scraper::{Html, Selector};

/// The provider process and its issuer URL.
pub struct Provider {
    /// `http://127.0.0.1:PORT`.
    pub issuer: String,
    _child: Mutex<Child>,
}

fn oidc_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/oidc")
}

fn start() -> Provider {
    let dir = oidc_dir();
    if !dir.join("node_modules/oidc-provider").is_dir() {
        let status = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
            .current_dir(&dir)
            .status()
            .unwrap_or_else(|e| {
                panic!("npm is needed for the single sign-on tests (run `tests/run`, which installs Node.js): {e}")
            });
        assert!(status.success(), "npm ci in tests/oidc failed");
    }
    let mut child = Command::new("node")
        .arg("provider.mjs")
        .current_dir(&dir)
        // The provider exits when its standard input closes: when this process ends.
        .env("OIDC_EXIT_WITH_STDIN", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("node runs tests/oidc/provider.mjs (run `tests/run`, which installs Node.js)");
    let stdout = child.stdout.take().expect("the provider's output");
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("the provider says where it listens");
    let ready: serde_json::Value =
        serde_json::from_str(&line).unwrap_or_else(|_| panic!("the provider said: {line}"));
    Provider {
        issuer: ready["issuer"].as_str().expect("an issuer").to_owned(),
        _child: Mutex::new(child),
    }
}

/// The provider of this test process (started on first use).
pub fn provider() -> &'static Provider {
    static PROVIDER: OnceLock<Provider> = OnceLock::new();
    PROVIDER.get_or_init(start)
}

/// A client registered at the provider.
#[derive(Debug, Clone)]
pub struct RegisteredClient {
    /// Its client id.
    pub client_id: String,
    /// Its secret.
    pub client_secret: String,
}

/// Registers a console whose callback is `redirect_uri` and whose signed-out page is
/// `post_logout_uri` (dynamic client registration).
pub async fn register_client(redirect_uri: &str, post_logout_uri: &str) -> RegisteredClient {
    let answer: serde_json::Value = reqwest::Client::new()
        .post(format!("{}/reg", provider().issuer))
        .json(&serde_json::json!({
            "redirect_uris": [redirect_uri],
            "post_logout_redirect_uris": [post_logout_uri],
            "grant_types": ["authorization_code"],
            "response_types": ["code"],
            "token_endpoint_auth_method": "client_secret_basic",
        }))
        .send()
        .await
        .expect("the provider answers")
        .json()
        .await
        .expect("a registration");
    RegisteredClient {
        client_id: answer["client_id"]
            .as_str()
            .expect("a client id")
            .to_owned(),
        client_secret: answer["client_secret"]
            .as_str()
            .expect("a client secret")
            .to_owned(),
    }
}

/// Asks the provider to rework the ID token of the `/token` answer for `code`: `tamper`,
/// `other-audience` or `expired` (see `tests/oidc/provider.mjs`).
pub async fn rewrite_token(code: &str, action: &str) {
    let status = reqwest::Client::new()
        .post(format!("{}/_test/token-rewrite", provider().issuer))
        .json(&serde_json::json!({"code": code, "action": action}))
        .send()
        .await
        .expect("the provider answers")
        .status();
    assert_eq!(status.as_u16(), 204, "the provider took the rewrite");
}

/// A browser at the provider: its own cookies, no redirects followed.
#[derive(Clone)]
pub struct IdpBrowser {
    http: reqwest::Client,
    jar: Arc<Mutex<BTreeMap<String, String>>>,
}

impl Default for IdpBrowser {
    fn default() -> Self {
        Self::new()
    }
}

/// The first form of `html`: its action and its fields (hidden and named inputs).
fn form_of(html: &str) -> Option<(String, Vec<(String, String)>)> {
    let document = Html::parse_document(html);
    let form = document.select(&Selector::parse("form").unwrap()).next()?;
    let action = form.value().attr("action")?.to_owned();
    let fields = form
        .select(&Selector::parse("input[name]").unwrap())
        .map(|input| {
            (
                input.value().attr("name").unwrap().to_owned(),
                input.value().attr("value").unwrap_or_default().to_owned(),
            )
        })
        .collect();
    Some((action, fields))
}

impl IdpBrowser {
    /// A browser with no cookies.
    pub fn new() -> Self {
        Self {
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .timeout(Duration::from_secs(30))
                .build()
                .unwrap(),
            jar: Arc::default(),
        }
    }

    fn absorb(&self, headers: &reqwest::header::HeaderMap) {
        let mut jar = self.jar.lock().unwrap();
        for value in headers.get_all("set-cookie") {
            let Ok(cookie) = actix_web::cookie::Cookie::parse(value.to_str().unwrap().to_owned())
            else {
                continue;
            };
            if cookie.value().is_empty() || cookie.max_age().is_some_and(|a| a.is_zero()) {
                jar.remove(cookie.name());
            } else {
                jar.insert(cookie.name().to_owned(), cookie.value().to_owned());
            }
        }
    }

    async fn send(&self, request: reqwest::RequestBuilder) -> (u16, Option<String>, String) {
        let cookies = self
            .jar
            .lock()
            .unwrap()
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        let request = if cookies.is_empty() {
            request
        } else {
            request.header("Cookie", cookies)
        };
        let response = request.send().await.expect("the provider answers");
        self.absorb(response.headers());
        let status = response.status().as_u16();
        let location = response
            .headers()
            .get("location")
            .map(|v| v.to_str().unwrap().to_owned());
        (status, location, response.text().await.unwrap())
    }

    /// Follows the provider's pages from `authorize_url`, signing in as `login` and consenting,
    /// until the provider sends the browser back to `callback_prefix`; answers that URL.
    pub async fn sign_in(&self, authorize_url: &str, login: &str, callback_prefix: &str) -> String {
        let issuer = &provider().issuer;
        let absolute = |location: &str| {
            if location.starts_with("http") {
                location.to_owned()
            } else {
                format!("{issuer}{location}")
            }
        };
        let mut next = self.send(self.http.get(authorize_url)).await;
        for _ in 0..12 {
            match next {
                (302 | 303, Some(location), _) => {
                    let url = absolute(&location);
                    if url.starts_with(callback_prefix) {
                        return url;
                    }
                    next = self.send(self.http.get(url)).await;
                }
                (200, _, body) => {
                    let (action, mut fields) = form_of(&body)
                        .unwrap_or_else(|| panic!("a form on the provider's page:\n{body}"));
                    for (name, value) in fields.iter_mut() {
                        match name.as_str() {
                            "login" => *value = login.to_owned(),
                            "password" => *value = "any password".to_owned(),
                            _ => {}
                        }
                    }
                    let body = url::form_urlencoded::Serializer::new(String::new())
                        .extend_pairs(&fields)
                        .finish();
                    let request = self
                        .http
                        .post(absolute(&action))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .body(body);
                    next = self.send(request).await;
                }
                (status, _, body) => panic!("the provider answered {status}:\n{body}"),
            }
        }
        panic!("the provider never sent the browser back");
    }
}

/// The value of query parameter `name` in `url`.
pub fn query_param(url: &str, name: &str) -> Option<String> {
    url::Url::parse(url)
        .ok()?
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// `url` with query parameter `name` set to `value`.
pub fn with_query_param(url: &str, name: &str, value: &str) -> String {
    let mut url = url::Url::parse(url).unwrap();
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .map(|(k, v)| {
            let v = if k == name {
                value.to_owned()
            } else {
                v.into_owned()
            };
            (k.into_owned(), v)
        })
        .collect();
    url.query_pairs_mut().clear().extend_pairs(pairs);
    url.to_string()
}
