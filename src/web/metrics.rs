//! Prometheus metrics: requests by route and status, request latency histograms, upstream
//! DMS calls by operation and outcome, active sessions and failed session store operations.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::time::Duration;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::web;

/// Latency bucket bounds in seconds.
const BUCKETS: [f64; 11] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

#[derive(Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    sum: f64,
    count: u64,
}

impl Histogram {
    fn observe(&mut self, seconds: f64) {
        for (index, bound) in BUCKETS.iter().enumerate() {
            if seconds <= *bound {
                self.counts[index] += 1;
            }
        }
        self.sum += seconds;
        self.count += 1;
    }
}

/// The registry.
#[derive(Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(String, String, u16), u64>>,
    latency: Mutex<BTreeMap<String, Histogram>>,
    upstream: Mutex<BTreeMap<(String, String), u64>>,
    upstream_latency: Mutex<BTreeMap<String, Histogram>>,
}

impl Metrics {
    /// Records one answered request.
    pub fn request(&self, method: &str, route: &str, status: u16, elapsed: Duration) {
        *self
            .requests
            .lock()
            .expect("metrics lock")
            .entry((method.to_owned(), route.to_owned(), status))
            .or_default() += 1;
        self.latency
            .lock()
            .expect("metrics lock")
            .entry(route.to_owned())
            .or_default()
            .observe(elapsed.as_secs_f64());
    }

    /// Records one upstream DMS call.
    pub fn upstream(&self, operation: &str, outcome: &str, elapsed: Duration) {
        *self
            .upstream
            .lock()
            .expect("metrics lock")
            .entry((operation.to_owned(), outcome.to_owned()))
            .or_default() += 1;
        self.upstream_latency
            .lock()
            .expect("metrics lock")
            .entry(operation.to_owned())
            .or_default()
            .observe(elapsed.as_secs_f64());
    }

    /// The Prometheus text exposition, with the session store's gauge and failure counts.
    pub fn render(
        &self,
        active_sessions: Option<usize>,
        store_failures: &[(&'static str, u64)],
    ) -> String {
        let mut out = String::new();
        let escape = |s: &str| s.replace('\\', "\\\\").replace('"', "\\\"");
        out.push_str("# HELP dms_console_requests_total HTTP requests answered, by route and status.\n# TYPE dms_console_requests_total counter\n");
        for ((method, route, status), count) in self.requests.lock().expect("metrics lock").iter() {
            let _ = writeln!(
                out,
                "dms_console_requests_total{{method=\"{method}\",route=\"{}\",status=\"{status}\"}} {count}",
                escape(route)
            );
        }
        write_histograms(
            &mut out,
            "dms_console_request_duration_seconds",
            "Request latency by route.",
            "route",
            &self.latency.lock().expect("metrics lock"),
        );
        out.push_str("# HELP dms_console_upstream_calls_total DMS API calls, by operation and outcome.\n# TYPE dms_console_upstream_calls_total counter\n");
        for ((operation, outcome), count) in self.upstream.lock().expect("metrics lock").iter() {
            let _ = writeln!(
                out,
                "dms_console_upstream_calls_total{{operation=\"{operation}\",outcome=\"{outcome}\"}} {count}"
            );
        }
        write_histograms(
            &mut out,
            "dms_console_upstream_duration_seconds",
            "DMS API call latency by operation.",
            "operation",
            &self.upstream_latency.lock().expect("metrics lock"),
        );
        if let Some(active) = active_sessions {
            let _ = writeln!(
                out,
                "# HELP dms_console_active_sessions Signed-in sessions.\n# TYPE dms_console_active_sessions gauge\ndms_console_active_sessions {active}"
            );
        }
        out.push_str("# HELP dms_console_session_store_failures_total Session store operations that failed or timed out, by operation.\n# TYPE dms_console_session_store_failures_total counter\n");
        for (operation, count) in store_failures {
            let _ = writeln!(
                out,
                "dms_console_session_store_failures_total{{operation=\"{operation}\"}} {count}"
            );
        }
        out
    }
}

fn write_histograms(
    out: &mut String,
    name: &str,
    help: &str,
    label: &str,
    histograms: &BTreeMap<String, Histogram>,
) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} histogram");
    for (key, histogram) in histograms {
        for (index, bound) in BUCKETS.iter().enumerate() {
            let _ = writeln!(
                out,
                "{name}_bucket{{{label}=\"{key}\",le=\"{bound}\"}} {}",
                histogram.counts[index]
            );
        }
        let _ = writeln!(
            out,
            "{name}_bucket{{{label}=\"{key}\",le=\"+Inf\"}} {}",
            histogram.count
        );
        let _ = writeln!(out, "{name}_sum{{{label}=\"{key}\"}} {}", histogram.sum);
        let _ = writeln!(out, "{name}_count{{{label}=\"{key}\"}} {}", histogram.count);
    }
}

/// Times every request and records it under its route pattern.
pub async fn record(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = std::time::Instant::now();
    let method = request.method().as_str().to_owned();
    let route = request
        .match_pattern()
        .unwrap_or_else(|| "(unmatched)".to_owned());
    let metrics = request
        .app_data::<web::Data<Metrics>>()
        .map(|m| m.clone().into_inner());
    let result = next.call(request).await;
    if let Some(metrics) = metrics {
        // An error is answered with its own response after the middleware has run (e.g. the
        // session store's 503): count it under that status.
        let status = match &result {
            Ok(response) => response.status(),
            Err(error) => error.as_response_error().status_code(),
        };
        metrics.request(&method, &route, status.as_u16(), started.elapsed());
    }
    result
}
