//! `deploy/helm/article-enricher`, rendered and linted by the real `helm` (v3, installed by `.ci/run`
//! with `go install`). With default values it must render the same objects as the kustomize base
//! (`kubectl kustomize deploy/kubernetes/base`), apart from Helm's own release labels; with other
//! values (secured clusters, no KEDA, toggles) the rendered objects must pass the checks the
//! kustomize manifests get.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::process::Command;

use serde::Deserialize;
use serde_norway::Value;

use super::kubernetes::container;
use super::{get, get_str, read, repo_root};

mod checks;
use checks::{of_kind, one, validate};

const CHART: &str = "deploy/helm/article-enricher";
const RELEASE: &str = "article-enricher";
/// Labels Helm charts add to tell releases apart; the kustomize base has no releases.
const HELM_LABELS: &[&str] = &[
    "helm.sh/chart",
    "app.kubernetes.io/managed-by",
    "app.kubernetes.io/instance",
    "app.kubernetes.io/version",
];

/// `helm` on PATH, or where `.ci/run` caches it.
fn helm() -> PathBuf {
    let cached = std::env::var_os("HOME")
        .map(|h| PathBuf::from(h).join(".cache/article-enricher/bin/helm"))
        .filter(|p| p.is_file());
    on_path("helm").or(cached).unwrap_or_else(|| {
        panic!(
            "helm is not installed: .ci/run installs it with \
             `GOBIN=$HOME/.cache/article-enricher/bin go install helm.sh/helm/v3/cmd/helm@v3.22.0`"
        )
    })
}

fn on_path(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

fn run(mut command: Command) -> Result<String, String> {
    let out = command
        .current_dir(repo_root())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {command:?}: {e}"));
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    if out.status.success() {
        Ok(String::from_utf8(out.stdout).expect("UTF-8 output"))
    } else {
        Err(stderr)
    }
}

/// `helm template` with `--set` values; the error text when helm refuses them.
fn try_render(sets: &[&str]) -> Result<Vec<Value>, String> {
    let mut command = Command::new(helm());
    command.args(["template", RELEASE, CHART]);
    for set in sets {
        command.args(["--set", set]);
    }
    run(command).map(|text| documents(&text))
}

fn render(sets: &[&str]) -> Vec<Value> {
    try_render(sets).unwrap_or_else(|e| panic!("helm template {sets:?} failed: {e}"))
}

fn documents(text: &str) -> Vec<Value> {
    serde_norway::Deserializer::from_str(text)
        .map(|doc| Value::deserialize(doc).expect("rendered YAML parses"))
        .filter(|doc| !doc.is_null())
        .collect()
}

fn kustomize_base() -> Vec<Value> {
    let mut command = if let Some(kustomize) = on_path("kustomize") {
        let mut c = Command::new(kustomize);
        c.arg("build");
        c
    } else {
        let kubectl = on_path("kubectl")
            .expect("neither kustomize nor kubectl (which has kustomize built in) is on PATH");
        let mut c = Command::new(kubectl);
        c.arg("kustomize");
        c
    };
    command.arg("deploy/kubernetes/base");
    documents(&run(command).unwrap_or_else(|e| panic!("kustomize build failed: {e}")))
}

fn kinds(objects: &[Value]) -> BTreeSet<String> {
    objects
        .iter()
        .filter_map(|o| get_str(o, &["kind"]))
        .collect()
}

/// Drops Helm's release labels and the content-hash suffix of generated ConfigMap names (kustomize
/// and the chart both hash the data, with different functions).
fn normalize(objects: &[Value]) -> BTreeMap<(String, String), Value> {
    fn strip(value: &mut Value, renames: &BTreeMap<String, String>) {
        match value {
            Value::Mapping(m) => {
                m.retain(|k, _| !k.as_str().is_some_and(|k| HELM_LABELS.contains(&k)));
                m.iter_mut().for_each(|(_, v)| strip(v, renames));
            }
            Value::Sequence(s) => s.iter_mut().for_each(|v| strip(v, renames)),
            Value::String(s) => {
                if let Some(new) = renames.get(s.as_str()) {
                    *s = new.clone();
                }
            }
            _ => {}
        }
    }
    let renames: BTreeMap<String, String> = of_kind(objects, "ConfigMap")
        .iter()
        .filter_map(|c| get_str(c, &["metadata", "name"]))
        .filter_map(|name| {
            let (stem, hash) = name.rsplit_once('-')?;
            let hashed = hash.len() == 10 && hash.chars().all(|c| c.is_ascii_alphanumeric());
            hashed.then(|| (name.clone(), stem.to_owned()))
        })
        .collect();
    objects
        .iter()
        .map(|o| {
            let mut o = o.clone();
            strip(&mut o, &renames);
            let key = (
                get_str(&o, &["kind"]).unwrap(),
                get_str(&o, &["metadata", "name"]).unwrap(),
            );
            (key, o)
        })
        .collect()
}

#[test]
fn helm_lint_passes_for_the_default_and_a_secured_configuration() {
    for sets in [
        &[][..],
        &[
            "sasl.enabled=true",
            "tls.enabled=true",
            "grafanaDashboard.enabled=true",
        ],
    ] {
        let mut command = Command::new(helm());
        command.args(["lint", "--strict", CHART]);
        for set in sets {
            command.args(["--set", set]);
        }
        let out = run(command).unwrap_or_else(|e| panic!("helm lint {sets:?}: {e}"));
        assert!(out.contains("0 chart(s) failed"), "{out}");
    }
}

#[test]
fn default_values_render_the_objects_of_the_kustomize_base() {
    let (base, chart) = (kustomize_base(), render(&[]));
    validate(&base, "kustomize base");
    validate(&chart, "chart defaults");
    let (base, chart) = (normalize(&base), normalize(&chart));
    assert_eq!(
        base.keys().collect::<Vec<_>>(),
        chart.keys().collect::<Vec<_>>()
    );
    for (key, object) in &base {
        assert_eq!(
            object,
            &chart[key],
            "{key:?} differs:\nkustomize:\n{}\nhelm:\n{}",
            serde_norway::to_string(object).unwrap(),
            serde_norway::to_string(&chart[key]).unwrap()
        );
    }
}

#[test]
fn the_chart_carries_the_same_alerts_and_dashboard_as_deploy() {
    assert_eq!(
        read(format!("{CHART}/files/alerts.yml")),
        read("deploy/prometheus/alerts.yml")
    );
    assert_eq!(
        read(format!("{CHART}/files/article-enricher.json")),
        read("deploy/grafana/article-enricher.json")
    );
    let objects = render(&["grafanaDashboard.enabled=true", "fullnameOverride=news"]);
    let dashboards: Vec<&Value> = of_kind(&objects, "ConfigMap")
        .into_iter()
        .filter(|c| get(c, &["data", "article-enricher.json"]).is_some())
        .collect();
    assert_eq!(dashboards.len(), 1);
    let json: serde_json::Value = serde_json::from_str(
        dashboards[0]["data"]["article-enricher.json"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    let original: serde_json::Value =
        serde_json::from_str(&read("deploy/grafana/article-enricher.json")).unwrap();
    assert_eq!(json, original);
    assert_eq!(
        get_str(dashboards[0], &["metadata", "labels", "grafana_dashboard"]).as_deref(),
        Some("1")
    );
    // The alerts select the job the ServiceMonitor produces: the Service's name.
    let rules = serde_norway::to_string(&one(&objects, "PrometheusRule")["spec"]).unwrap();
    assert!(
        rules.contains("job=\"news\"") && !rules.contains("job=\"article-enricher\""),
        "{rules}"
    );
    assert!(
        rules.contains("{{ $labels.instance }}"),
        "Prometheus templates survive Helm's"
    );
}

#[test]
fn sasl_and_tls_come_from_existing_secrets_for_the_worker_and_keda() {
    let objects = render(&[
        "sasl.enabled=true",
        "sasl.existingSecret=kafka-user",
        "tls.enabled=true",
        "tls.existingSecret=kafka-ca",
        "kafka.brokers=kafka-0:9093",
    ]);
    validate(&objects, "sasl+tls");
    let env = &one(&objects, "ConfigMap")["data"];
    assert_eq!(
        get_str(env, &["ENRICHER_KAFKA_SECURITY_PROTOCOL"]).as_deref(),
        Some("SASL_SSL")
    );
    assert_eq!(
        get_str(env, &["ENRICHER_KAFKA_SASL_MECHANISM"]).as_deref(),
        Some("SCRAM-SHA-512")
    );
    assert_eq!(
        get_str(env, &["ENRICHER_BROKERS"]).as_deref(),
        Some("kafka-0:9093")
    );
    let c = container(one(&objects, "Deployment"));
    let secret_refs: Vec<(String, String, String)> = c["env"]
        .as_sequence()
        .unwrap()
        .iter()
        .filter_map(|v| {
            let r = get(v, &["valueFrom", "secretKeyRef"])?;
            Some((
                get_str(v, &["name"])?,
                get_str(r, &["name"])?,
                get_str(r, &["key"])?,
            ))
        })
        .collect();
    assert_eq!(
        secret_refs,
        [
            (
                "ENRICHER_KAFKA_SASL_USERNAME".into(),
                "kafka-user".into(),
                "username".into()
            ),
            (
                "ENRICHER_KAFKA_SASL_PASSWORD".into(),
                "kafka-user".into(),
                "password".into()
            ),
        ]
    );
    let rendered = serde_norway::to_string(&objects).unwrap();
    assert!(
        !rendered.to_lowercase().contains("sasl_password:"),
        "no password in the ConfigMap"
    );
    let auth = one(&objects, "TriggerAuthentication");
    let params: BTreeSet<String> = auth["spec"]["secretTargetRef"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|t| get_str(t, &["parameter"]).unwrap())
        .collect();
    assert_eq!(
        params,
        ["ca", "password", "sasl", "tls", "username"]
            .map(String::from)
            .into()
    );

    let mtls = render(&[
        "tls.enabled=true",
        "tls.existingSecret=client-cert",
        "tls.clientCertificate=true",
    ]);
    validate(&mtls, "mtls");
    let env = &one(&mtls, "ConfigMap")["data"];
    assert_eq!(
        get_str(env, &["ENRICHER_KAFKA_SECURITY_PROTOCOL"]).as_deref(),
        Some("SSL")
    );
    assert!(get_str(env, &["ENRICHER_KAFKA_SSL_KEY_LOCATION"]).is_some());
}

#[test]
fn settings_and_properties_become_variables_the_binary_reads() {
    let objects = render(&[
        "kafka.delivery=exactly-once",
        "kafka.properties.fetch\\.max\\.bytes=1048576",
        "settings.maxInFlight=200",
        "settings.log=article_enricher=debug",
        "kafka.dlqTopic=",
        "extraArgs={-X,socket_timeout_ms=1000}",
    ]);
    validate(&objects, "settings");
    let env = &one(&objects, "ConfigMap")["data"];
    assert_eq!(
        get_str(env, &["ENRICHER_DELIVERY"]).as_deref(),
        Some("exactly-once")
    );
    assert_eq!(
        get_str(env, &["ENRICHER_KAFKA_FETCH_MAX_BYTES"]).as_deref(),
        Some("1048576")
    );
    assert_eq!(
        get_str(env, &["ENRICHER_MAX_IN_FLIGHT"]).as_deref(),
        Some("200")
    );
    assert_eq!(
        get_str(env, &["ENRICHER_LOG"]).as_deref(),
        Some("article_enricher=debug")
    );
    assert!(get(env, &["ENRICHER_DLQ_TOPIC"]).is_none());
    let args = &container(one(&objects, "Deployment"))["args"];
    assert_eq!(
        serde_norway::to_string(args).unwrap().trim(),
        "- run\n- -X\n- socket_timeout_ms=1000"
    );
}

#[test]
fn toggles_remove_keda_and_the_monitoring_objects() {
    let objects = render(&[
        "autoscaling.enabled=false",
        "replicaCount=3",
        "serviceMonitor.enabled=false",
        "prometheusRule.enabled=false",
        "podDisruptionBudget.enabled=false",
    ]);
    validate(&objects, "no KEDA");
    assert_eq!(
        kinds(&objects),
        ["ConfigMap", "Deployment", "Service", "ServiceAccount"]
            .map(String::from)
            .into()
    );
    assert_eq!(
        get_str(one(&objects, "Deployment"), &["spec", "replicas"]).as_deref(),
        Some("3")
    );
    let scaled = render(&["autoscaling.partitions=12", "autoscaling.lagThreshold=100"]);
    let so = one(&scaled, "ScaledObject");
    assert_eq!(
        get_str(so, &["spec", "maxReplicaCount"]).as_deref(),
        Some("12"),
        "defaults to the partitions"
    );
    assert_eq!(
        get_str(&so["spec"]["triggers"][0], &["metadata", "lagThreshold"]).as_deref(),
        Some("100")
    );
}

#[test]
fn settings_that_would_deploy_a_broken_worker_are_refused_with_a_reason() {
    for (sets, reason) in [
        (
            &["autoscaling.maxReplicas=8"][..],
            "exceeds autoscaling.partitions",
        ),
        (
            &["autoscaling.enabled=false", "replicaCount=7"],
            "exceeds autoscaling.partitions",
        ),
        (
            &["terminationGracePeriodSeconds=20"],
            "must exceed settings.shutdownTimeout",
        ),
        (&["kafka.delivery=exactly_once"], "kafka.delivery must be"),
        (
            &["kafka.properties.some_property=1"],
            "cannot become an ENRICHER_KAFKA_ variable",
        ),
        (
            &["tls.clientCertificate=true"],
            "tls.clientCertificate needs tls.existingSecret",
        ),
    ] {
        let err = try_render(sets).expect_err(&format!("{sets:?} should be refused"));
        assert!(err.contains(reason), "{sets:?}: {err}");
    }
}
