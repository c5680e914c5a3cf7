//! Prometheus rules and config, Grafana dashboard and provisioning: they parse, every query uses only
//! metrics the worker exports, and the compose mounts line up with the paths the configs expect.

use std::collections::BTreeSet;

use serde_norway::Value;

use super::{files_under, get, get_str, read, yaml, METRIC_NAMES};

const ALERTS: &str = "deploy/prometheus/alerts.yml";
const DASHBOARD: &str = "deploy/grafana/article-enricher.json";

/// `enricher_*` identifiers in a PromQL expression.
fn enricher_metrics_in(expr: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for (i, _) in expr.match_indices("enricher_") {
        let preceded_by_ident = expr[..i]
            .chars()
            .last()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
        if preceded_by_ident {
            continue;
        }
        let name: String = expr[i..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        found.insert(name);
    }
    found
}

/// A series name is exported if it is a documented metric or one of a histogram's series.
fn is_exported(series: &str) -> bool {
    METRIC_NAMES.iter().any(|m| {
        series == *m
            || ["_bucket", "_sum", "_count"]
                .iter()
                .any(|suffix| series == format!("{m}{suffix}"))
    })
}

fn dashboard() -> serde_json::Value {
    serde_json::from_str(&read(DASHBOARD)).expect("dashboard JSON parses")
}

fn dashboard_queries() -> Vec<String> {
    dashboard()["panels"]
        .as_array()
        .expect("panels")
        .iter()
        .flat_map(|p| p["targets"].as_array().cloned().unwrap_or_default())
        .map(|t| t["expr"].as_str().expect("target expr").to_owned())
        .collect()
}

fn alert_rules() -> Vec<Value> {
    let alerts = yaml(ALERTS);
    let groups = alerts
        .get("groups")
        .and_then(Value::as_sequence)
        .expect("groups");
    groups
        .iter()
        .flat_map(|g| {
            g.get("rules")
                .and_then(Value::as_sequence)
                .cloned()
                .unwrap_or_default()
        })
        .collect()
}

#[test]
fn alert_rules_are_complete_and_use_exported_metrics() {
    let rules = alert_rules();
    assert!(!rules.is_empty());
    for rule in &rules {
        let name = get_str(rule, &["alert"]).expect("every rule is an alert");
        let expr = get_str(rule, &["expr"]).expect("expr");
        assert!(
            get_str(rule, &["labels", "severity"]).is_some(),
            "{name}: severity label"
        );
        assert!(
            get_str(rule, &["annotations", "summary"]).is_some(),
            "{name}: summary annotation"
        );
        assert!(
            get_str(rule, &["for"]).is_some(),
            "{name}: `for` avoids alerting on one bad scrape"
        );
        for series in enricher_metrics_in(&expr) {
            assert!(
                is_exported(&series),
                "{name}: {series} is not a metric the worker exports"
            );
        }
        assert_eq!(
            expr.matches('(').count(),
            expr.matches(')').count(),
            "{name}: unbalanced parentheses"
        );
    }
}

#[test]
fn alerts_cover_lag_dlq_and_worker_down() {
    let exprs: Vec<String> = alert_rules()
        .iter()
        .map(|r| get_str(r, &["expr"]).unwrap())
        .collect();
    let covers = |needle: &str| exprs.iter().any(|e| e.contains(needle));
    assert!(covers("enricher_consumer_lag"), "an alert on consumer lag");
    assert!(
        covers("enricher_dlq_messages_total"),
        "an alert on the DLQ rate"
    );
    assert!(
        covers("up{job=\"article-enricher\"}"),
        "an alert on the worker being down"
    );
    assert!(
        covers("enricher_ready"),
        "an alert on the worker not being ready"
    );
}

#[test]
fn dashboard_queries_use_exported_metrics_and_cover_all_of_them() {
    let queries = dashboard_queries();
    let mut used = BTreeSet::new();
    for query in &queries {
        let metrics = enricher_metrics_in(query);
        assert!(
            !metrics.is_empty() || query.starts_with("up{"),
            "query uses no worker metric: {query}"
        );
        for series in metrics {
            assert!(
                is_exported(&series),
                "dashboard query uses {series}, which the worker does not export"
            );
            used.insert(series);
        }
    }
    for metric in METRIC_NAMES {
        assert!(
            used.iter().any(|u| u.starts_with(metric)),
            "no dashboard panel shows {metric}"
        );
    }
}

#[test]
fn the_dashboard_uses_the_provisioned_datasource() {
    let datasource = yaml("deploy/grafana/provisioning/datasources/prometheus.yml");
    let uid = get_str(&datasource["datasources"][0], &["uid"]).expect("datasource uid");
    let dashboard = dashboard();
    assert!(dashboard["uid"].is_string() && dashboard["title"].is_string());
    for panel in dashboard["panels"].as_array().unwrap() {
        assert_eq!(
            panel["datasource"]["uid"].as_str(),
            Some(uid.as_str()),
            "panel {}",
            panel["title"]
        );
    }
}

#[test]
fn compose_mounts_match_the_paths_the_configs_expect() {
    let compose = yaml("docker-compose.yml");
    let mounts = |service: &str| -> Vec<(String, String)> {
        get(&compose, &["services", service, "volumes"])
            .and_then(Value::as_sequence)
            .unwrap()
            .iter()
            .map(|v| {
                let mut parts = v.as_str().unwrap().split(':');
                (
                    parts.next().unwrap().to_owned(),
                    parts.next().unwrap().to_owned(),
                )
            })
            .collect()
    };
    let prometheus = yaml("deploy/prometheus/prometheus.yml");
    let prometheus_mounts = mounts("prometheus");
    for rule_file in prometheus["rule_files"].as_sequence().unwrap() {
        let target = rule_file.as_str().unwrap();
        assert!(
            prometheus_mounts
                .iter()
                .any(|(src, dst)| dst == target && src.trim_start_matches("./") == ALERTS),
            "{target} is not mounted from {ALERTS}"
        );
    }
    let target = prometheus["scrape_configs"][0]["static_configs"][0]["targets"][0]
        .as_str()
        .expect("a static target");
    let metrics_addr = get_str(
        &compose,
        &[
            "services",
            "enricher",
            "environment",
            "ENRICHER_METRICS_ADDR",
        ],
    )
    .unwrap();
    assert_eq!(
        target,
        format!("enricher:{}", super::port_of(&metrics_addr)),
        "Prometheus scrapes the worker service"
    );
    assert_eq!(
        get_str(&prometheus["scrape_configs"][0], &["job_name"]).as_deref(),
        Some("article-enricher"),
        "the job the alerts select"
    );

    let provider = yaml("deploy/grafana/provisioning/dashboards/article-enricher.yml");
    let dashboards_dir = get_str(&provider["providers"][0], &["options", "path"]).unwrap();
    let grafana_mounts = mounts("grafana");
    assert!(
        grafana_mounts
            .iter()
            .any(|(src, dst)| src.trim_start_matches("./") == DASHBOARD
                && dst.starts_with(&format!("{dashboards_dir}/"))),
        "the dashboard is not mounted into {dashboards_dir}"
    );
    for dir in ["datasources", "dashboards"] {
        assert!(
            grafana_mounts
                .iter()
                .any(|(_, dst)| dst == &format!("/etc/grafana/provisioning/{dir}")),
            "provisioning/{dir} mount"
        );
    }
}

#[test]
fn every_documented_metric_is_registered_by_the_worker() {
    // prometheus-client adds the `enricher_` prefix (Registry::with_prefix) and `_total` to counters.
    let sources: String = files_under("src", &[".rs"]).iter().map(read).collect();
    for metric in METRIC_NAMES {
        let base = metric
            .trim_start_matches("enricher_")
            .trim_end_matches("_total");
        assert!(
            sources.contains(&format!("\"{base}\"")),
            "src/ registers no metric named \"{base}\" (for {metric})"
        );
    }
}

#[test]
fn metric_scanner_finds_names_but_not_suffixes_of_other_identifiers() {
    let found = enricher_metrics_in(
        "sum(rate(enricher_dlq_messages_total[5m])) / my_enricher_x + enricher_ready",
    );
    let expected: BTreeSet<String> = ["enricher_dlq_messages_total", "enricher_ready"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert_eq!(found, expected);
}

#[test]
fn the_kubernetes_prometheus_rule_carries_the_same_rules() {
    let rule = yaml("deploy/kubernetes/base/prometheusrule.yaml");
    assert_eq!(get_str(&rule, &["kind"]).as_deref(), Some("PrometheusRule"));
    assert_eq!(
        get(&rule, &["spec", "groups"]),
        yaml(ALERTS).get("groups"),
        "deploy/kubernetes/base/prometheusrule.yaml has drifted from {ALERTS}"
    );
}
