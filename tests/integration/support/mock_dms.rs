//! A scripted DMS stand-in on loopback: it records every request exactly as it arrived (raw
//! path, raw query, headers, body), checks its SDK-HMAC-SHA256 signature, and answers with
//! the responses a test queued, so client tests exercise real HTTP.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use dms_console::api::{ClientConfig, Credentials, DmsClient, RetrySettings};
use dms_console::secret::Secret;
use dms_console::signing::{self, ReceivedRequest, SdkDate, VerifyOptions};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// The project id every mock client uses.
pub const PROJECT: &str = "0a1b2c3d4e5f60718293a4b5c6d7e8f9";
/// The access key of mock clients.
pub const AK: &str = "MOCKACCESSKEY000";
/// The secret key of mock clients.
pub const SK: &str = "mock-secret-key-000000000000000000000000";

/// One request as the server saw it.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    pub raw_path: String,
    pub raw_query: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Whether the signature verified with [`SK`] (`None` when the request was not signed).
    pub signature_ok: Option<bool>,
}

impl Recorded {
    /// A header's value, any case.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The decoded query pairs, sorted.
    pub fn query(&self) -> Vec<(String, String)> {
        let mut pairs = signing::parse_raw_query(&self.raw_query);
        pairs.sort();
        pairs
    }

    /// The body as JSON (`Null` when empty).
    pub fn json(&self) -> serde_json::Value {
        if self.body.is_empty() {
            serde_json::Value::Null
        } else {
            serde_json::from_slice(&self.body).expect("request body is JSON")
        }
    }

    /// Asserts method, raw path (with `{project_id}` standing for [`PROJECT`]), the query pairs
    /// (any order) and the JSON body, and that the signature verified.
    #[track_caller]
    pub fn assert(
        &self,
        method: &str,
        path: &str,
        query: &[(&str, &str)],
        body: Option<serde_json::Value>,
    ) {
        assert_eq!(self.method, method, "method");
        assert_eq!(self.raw_path, path.replace("{project_id}", PROJECT), "path");
        let mut expected: Vec<(String, String)> = query
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        expected.sort();
        assert_eq!(self.query(), expected, "query");
        match body {
            Some(body) => assert_eq!(self.json(), body, "body"),
            None => assert!(
                self.body.is_empty(),
                "expected no body, got {}",
                String::from_utf8_lossy(&self.body)
            ),
        }
        assert_eq!(
            self.signature_ok,
            Some(true),
            "the request must be signed correctly"
        );
    }
}

/// A response to give.
#[derive(Debug, Clone)]
pub struct MockResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub delay: Duration,
    /// Close the connection without answering.
    pub hang_up: bool,
}

impl MockResponse {
    /// A JSON response.
    pub fn json(status: u16, body: serde_json::Value) -> Self {
        Self {
            status,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: serde_json::to_vec(&body).unwrap(),
            delay: Duration::ZERO,
            hang_up: false,
        }
    }

    /// A response with a raw body.
    pub fn raw(status: u16, body: &str) -> Self {
        Self {
            status,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: body.as_bytes().to_vec(),
            delay: Duration::ZERO,
            hang_up: false,
        }
    }

    /// An empty response (204 and friends).
    pub fn empty(status: u16) -> Self {
        Self {
            status,
            headers: vec![],
            body: vec![],
            delay: Duration::ZERO,
            hang_up: false,
        }
    }

    /// A DMS error response.
    pub fn error(status: u16, code: &str, message: &str) -> Self {
        Self::json(
            status,
            serde_json::json!({"error_code": code, "error_msg": message}),
        )
    }

    /// Adds a header.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Answers only after `delay`.
    pub fn delayed(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }

    /// Reads the request and closes the connection without answering.
    pub fn hang_up() -> Self {
        Self {
            hang_up: true,
            ..Self::empty(500)
        }
    }
}

#[derive(Default)]
struct State {
    queue: VecDeque<MockResponse>,
    requests: Vec<Recorded>,
    served: u64,
}

/// The running stand-in.
#[derive(Clone)]
pub struct MockDms {
    pub addr: SocketAddr,
    state: Arc<Mutex<State>>,
}

impl MockDms {
    /// Starts on `127.0.0.1:0`.
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let addr = listener.local_addr().unwrap();
        let state = Arc::new(Mutex::new(State::default()));
        let server_state = state.clone();
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    break;
                };
                let state = server_state.clone();
                tokio::spawn(async move {
                    let _ = serve(stream, state).await;
                });
            }
        });
        Self { addr, state }
    }

    /// The base URL.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Queues a response; once the queue is empty, requests get `200 {}`.
    pub fn push(&self, response: MockResponse) -> &Self {
        self.state.lock().unwrap().queue.push_back(response);
        self
    }

    /// Every request so far.
    pub fn requests(&self) -> Vec<Recorded> {
        self.state.lock().unwrap().requests.clone()
    }

    /// The only request so far; panics when there were none or several.
    #[track_caller]
    pub fn single(&self) -> Recorded {
        let requests = self.requests();
        assert_eq!(
            requests.len(),
            1,
            "expected exactly one request, got {requests:#?}"
        );
        requests.into_iter().next().unwrap()
    }

    /// Forgets recorded requests.
    pub fn clear(&self) {
        self.state.lock().unwrap().requests.clear();
    }

    /// A client configuration with AK/SK credentials aimed at this server, with retries fast
    /// enough for tests.
    pub fn client_config(&self) -> ClientConfig {
        let mut config = ClientConfig::new(
            self.url().parse().unwrap(),
            Some(PROJECT.to_owned()),
            Credentials::AccessKey {
                access_key: AK.into(),
                secret_key: Secret::new(SK),
                security_token: None,
            },
        );
        config.retry = RetrySettings {
            max_read_retries: 2,
            base_backoff: Duration::from_millis(5),
            max_backoff: Duration::from_millis(20),
            max_retry_after: Duration::from_secs(2),
        };
        config
    }

    /// A client aimed at this server.
    pub fn client(&self) -> DmsClient {
        DmsClient::new(self.client_config()).unwrap()
    }
}

async fn serve(mut stream: TcpStream, state: Arc<Mutex<State>>) -> std::io::Result<()> {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 8192];
    // One request per connection keeps the server simple; responses say `Connection: close`.
    {
        let header_end = loop {
            if let Some(pos) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
                break pos;
            }
            let n = stream.read(&mut chunk).await?;
            if n == 0 {
                return Ok(());
            }
            buffer.extend_from_slice(&chunk[..n]);
        };
        let head = String::from_utf8_lossy(&buffer[..header_end]).into_owned();
        let mut lines = head.split("\r\n");
        let request_line = lines.next().unwrap_or_default();
        let mut parts = request_line.split(' ');
        let method = parts.next().unwrap_or_default().to_owned();
        let target = parts.next().unwrap_or_default().to_owned();
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
            .collect();
        let length: usize = headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(0);
        let body_start = header_end + 4;
        while buffer.len() < body_start + length {
            let n = stream.read(&mut chunk).await?;
            if n == 0 {
                break;
            }
            buffer.extend_from_slice(&chunk[..n]);
        }
        let body = buffer[body_start..(body_start + length).min(buffer.len())].to_vec();
        let (raw_path, raw_query) = match target.split_once('?') {
            Some((p, q)) => (p.to_owned(), q.to_owned()),
            None => (target.clone(), String::new()),
        };
        let signature_ok = headers
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case("authorization"))
            .then(|| {
                let received = ReceivedRequest {
                    method: &method,
                    raw_path: &raw_path,
                    raw_query: &raw_query,
                    headers: &headers,
                    body: &body,
                };
                signing::verify(
                    &received,
                    |ak| (ak == AK).then(|| SK.as_bytes().to_vec()),
                    VerifyOptions::at(SdkDate::now()),
                )
                .is_ok()
            });
        let response = {
            let mut state = state.lock().unwrap();
            state.requests.push(Recorded {
                method,
                raw_path,
                raw_query,
                headers,
                body,
                signature_ok,
            });
            state.served += 1;
            state
                .queue
                .pop_front()
                .unwrap_or_else(|| MockResponse::json(200, serde_json::json!({})))
        };
        if !response.delay.is_zero() {
            tokio::time::sleep(response.delay).await;
        }
        if response.hang_up {
            return Ok(());
        }
        let served = state.lock().unwrap().served;
        let mut out = format!(
            "HTTP/1.1 {} Mock\r\nContent-Length: {}\r\nConnection: close\r\nX-Request-Id: mock-{served}\r\n",
            response.status,
            response.body.len()
        );
        for (name, value) in &response.headers {
            out.push_str(&format!("{name}: {value}\r\n"));
        }
        out.push_str("\r\n");
        stream.write_all(out.as_bytes()).await?;
        stream.write_all(&response.body).await?;
        stream.flush().await?;
    }
    Ok(())
}
