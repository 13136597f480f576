//! Prometheus metrics, served as text on `/metrics`.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

/// A label naming one value (a job state, an alert kind).
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct Kind {
    /// The value.
    pub kind: String,
}

/// The node's metrics.
pub struct Metrics {
    registry: Registry,
    jobs: Family<Kind, Counter>,
    job_seconds: Histogram,
    alerts: Family<Kind, Counter>,
    api_refusals: Family<Kind, Counter>,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("redoubt");
        let jobs = Family::<Kind, Counter>::default();
        let job_seconds = Histogram::new(exponential_buckets(0.0001, 4.0, 12));
        let alerts = Family::<Kind, Counter>::default();
        let api_refusals = Family::<Kind, Counter>::default();
        registry.register("jobs_finished", "Jobs finished, by final state", jobs.clone());
        registry.register("job_duration_seconds", "Time from start to end of a job", job_seconds.clone());
        registry.register("alerts", "Alerts raised, by kind", alerts.clone());
        registry.register("api_refusals", "API requests refused, by reason", api_refusals.clone());
        Metrics { registry, jobs, job_seconds, alerts, api_refusals }
    }
}

impl Metrics {
    /// Counts a finished job.
    pub fn job_finished(&self, state: &str, seconds: f64) {
        self.jobs.get_or_create(&Kind { kind: state.into() }).inc();
        self.job_seconds.observe(seconds);
    }

    /// Counts an alert.
    pub fn alert(&self, kind: &str) {
        self.alerts.get_or_create(&Kind { kind: kind.into() }).inc();
    }

    /// Counts a refused API request.
    pub fn api_refused(&self, reason: &str) {
        self.api_refusals.get_or_create(&Kind { kind: reason.into() }).inc();
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &self.registry).expect("writing to a String");
        text
    }
}
