//! A few Prometheus counters and one latency histogram, rendered as text.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Duration;

const BUCKETS: [f64; 10] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0];

#[derive(Default)]
pub struct Metrics {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    counters: BTreeMap<String, u64>,
    buckets: [u64; BUCKETS.len()],
    latency_count: u64,
    latency_sum: f64,
}

impl Metrics {
    pub fn count(&self, name: &str) {
        *self.lock().counters.entry(name.to_owned()).or_default() += 1;
    }

    pub fn observe_request(&self, method: &str, status: u16, elapsed: Duration) {
        let mut inner = self.lock();
        let key = format!("orgdesk_http_requests_total{{method=\"{method}\",status=\"{status}\"}}");
        *inner.counters.entry(key).or_default() += 1;
        let secs = elapsed.as_secs_f64();
        for (i, bound) in BUCKETS.iter().enumerate() {
            if secs <= *bound {
                inner.buckets[i] += 1;
            }
        }
        inner.latency_count += 1;
        inner.latency_sum += secs;
    }

    pub fn render(&self) -> String {
        let inner = self.lock();
        let mut out = String::new();
        for (name, value) in &inner.counters {
            out.push_str(&format!("{name} {value}\n"));
        }
        out.push_str("# TYPE orgdesk_http_request_duration_seconds histogram\n");
        for (bound, count) in BUCKETS.iter().zip(inner.buckets.iter()) {
            out.push_str(&format!("orgdesk_http_request_duration_seconds_bucket{{le=\"{bound}\"}} {count}\n"));
        }
        out.push_str(&format!(
            "orgdesk_http_request_duration_seconds_bucket{{le=\"+Inf\"}} {}\norgdesk_http_request_duration_seconds_sum {}\norgdesk_http_request_duration_seconds_count {}\n",
            inner.latency_count, inner.latency_sum, inner.latency_count
        ));
        out
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}
