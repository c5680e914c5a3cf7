//! The checks `kubernetes.rs` makes of the kustomize manifests, applied to a set of rendered objects
//! (the chart's, for any values, and the kustomize base's), so both get the same validation.

use std::collections::BTreeMap;

use serde_norway::Value;

use super::super::kubernetes::{assert_selects, container, labels};
use super::super::{assert_known_env_var, get, get_str, parse_duration, port_of, read};

pub fn of_kind<'a>(objects: &'a [Value], kind: &str) -> Vec<&'a Value> {
    objects
        .iter()
        .filter(|o| get_str(o, &["kind"]).as_deref() == Some(kind))
        .collect()
}

pub fn one<'a>(objects: &'a [Value], kind: &str) -> &'a Value {
    let found = of_kind(objects, kind);
    assert_eq!(found.len(), 1, "expected one {kind}, found {}", found.len());
    found[0]
}

/// The checks `kubernetes.rs` makes of the kustomize manifests, on a set of rendered objects.
pub fn validate(objects: &[Value], what: &str) {
    for o in objects {
        for field in [&["apiVersion"][..], &["kind"], &["metadata", "name"]] {
            let value = get_str(o, field).unwrap_or_default();
            assert!(
                !value.is_empty(),
                "{what}: an object lacks {}",
                field.join(".")
            );
        }
    }
    let config = one(objects, "ConfigMap");
    let env: BTreeMap<String, String> = config["data"]
        .as_mapping()
        .expect("ConfigMap data")
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().unwrap().to_owned(),
                v.as_str().expect("string value").to_owned(),
            )
        })
        .collect();
    for name in env.keys() {
        assert_known_env_var(name, what);
    }
    let deployment = one(objects, "Deployment");
    validate_pod(deployment, config, &env, what);
    validate_selection(objects, deployment, what);
    match of_kind(objects, "ScaledObject").as_slice() {
        [] => assert!(
            get(deployment, &["spec", "replicas"]).is_some(),
            "{what}: no KEDA, no replicas"
        ),
        [scaled] => validate_keda(objects, scaled, deployment, &env, what),
        more => panic!("{what}: {} ScaledObjects", more.len()),
    }
}

fn validate_pod(deployment: &Value, config: &Value, env: &BTreeMap<String, String>, what: &str) {
    let c = container(deployment);
    assert!(
        !get_str(c, &["image"]).unwrap_or_default().is_empty(),
        "{what}: image"
    );
    assert_eq!(
        get_str(&c["envFrom"][0], &["configMapRef", "name"]),
        get_str(config, &["metadata", "name"]),
        "{what}: the container reads the rendered ConfigMap"
    );
    for var in c["env"].as_sequence().into_iter().flatten() {
        assert_known_env_var(&get_str(var, &["name"]).unwrap(), what);
    }
    for (probe, path) in [
        ("livenessProbe", "/healthz"),
        ("readinessProbe", "/readyz"),
        ("startupProbe", "/healthz"),
    ] {
        assert_eq!(
            get_str(c, &[probe, "httpGet", "path"]).as_deref(),
            Some(path),
            "{what}: {probe}"
        );
        assert_eq!(
            get_str(c, &[probe, "httpGet", "port"]).as_deref(),
            Some("metrics"),
            "{what}: {probe}"
        );
    }
    let port = get_str(&c["ports"][0], &["containerPort"]).expect("containerPort");
    assert_eq!(
        get_str(&c["ports"][0], &["name"]).as_deref(),
        Some("metrics")
    );
    assert_eq!(
        port.parse::<u16>().unwrap(),
        port_of(&env["ENRICHER_METRICS_ADDR"]),
        "{what}: port"
    );
    let pod = &deployment["spec"]["template"]["spec"];
    let grace: u64 = get_str(pod, &["terminationGracePeriodSeconds"])
        .unwrap()
        .parse()
        .unwrap();
    let drain = parse_duration(&env["ENRICHER_SHUTDOWN_TIMEOUT"]);
    assert!(
        grace > drain.as_secs(),
        "{what}: grace {grace}s vs drain {drain:?}"
    );
    assert_eq!(
        get_str(pod, &["securityContext", "runAsNonRoot"]).as_deref(),
        Some("true")
    );
    let uid = get_str(pod, &["securityContext", "runAsUser"]).expect("runAsUser");
    assert!(
        read("deploy/Dockerfile").contains(&format!("USER {uid}:")),
        "{what}: uid {uid}"
    );
    assert_eq!(
        get_str(c, &["securityContext", "readOnlyRootFilesystem"]).as_deref(),
        Some("true")
    );
    for kind in ["requests", "limits"] {
        for resource in ["cpu", "memory"] {
            assert!(
                get_str(c, &["resources", kind, resource]).is_some(),
                "{what}: resources.{kind}.{resource}"
            );
        }
    }
    // Every file path the worker is told about is on a mounted volume.
    let mounts: Vec<String> = c["volumeMounts"]
        .as_sequence()
        .into_iter()
        .flatten()
        .filter_map(|m| get_str(m, &["mountPath"]))
        .collect();
    for (name, value) in env.iter().filter(|(k, _)| k.ends_with("_LOCATION")) {
        assert!(
            mounts.iter().any(|m| value.starts_with(m.as_str())),
            "{what}: {name}={value} is not mounted"
        );
    }
}

fn validate_selection(objects: &[Value], deployment: &Value, what: &str) {
    let pod_labels = labels(get(deployment, &["spec", "template", "metadata", "labels"]));
    let selector = labels(get(deployment, &["spec", "selector", "matchLabels"]));
    assert_selects(&selector, &pod_labels, what);
    for pdb in of_kind(objects, "PodDisruptionBudget") {
        assert_selects(
            &labels(get(pdb, &["spec", "selector", "matchLabels"])),
            &pod_labels,
            what,
        );
    }
    let service = one(objects, "Service");
    assert_selects(
        &labels(get(service, &["spec", "selector"])),
        &pod_labels,
        what,
    );
    for monitor in of_kind(objects, "ServiceMonitor") {
        let selector = labels(get(monitor, &["spec", "selector", "matchLabels"]));
        assert_selects(
            &selector,
            &labels(get(service, &["metadata", "labels"])),
            what,
        );
        assert_eq!(
            get_str(&monitor["spec"]["endpoints"][0], &["path"]).as_deref(),
            Some("/metrics")
        );
    }
}

fn validate_keda(
    objects: &[Value],
    scaled: &Value,
    deployment: &Value,
    env: &BTreeMap<String, String>,
    what: &str,
) {
    assert!(
        get(deployment, &["spec", "replicas"]).is_none(),
        "{what}: replicas would fight KEDA's HPA"
    );
    assert_eq!(
        get_str(scaled, &["spec", "scaleTargetRef", "name"]),
        get_str(deployment, &["metadata", "name"])
    );
    let number = |path: &[&str]| -> u32 { get_str(scaled, path).unwrap().parse().unwrap() };
    let partitions = number(&[
        "metadata",
        "annotations",
        "article-enricher/input-topic-partitions",
    ]);
    let (min, max) = (
        number(&["spec", "minReplicaCount"]),
        number(&["spec", "maxReplicaCount"]),
    );
    assert!(
        1 <= min && min <= max && max <= partitions,
        "{what}: {min}..{max} of {partitions}"
    );
    let trigger = &scaled["spec"]["triggers"][0];
    for param in [
        "bootstrapServersFromEnv",
        "consumerGroupFromEnv",
        "topicFromEnv",
    ] {
        let var = get_str(trigger, &["metadata", param]).unwrap();
        assert!(
            env.contains_key(&var),
            "{what}: KEDA reads {var}, which the ConfigMap lacks"
        );
    }
    if let Some(auth) = get_str(trigger, &["authenticationRef", "name"]) {
        let names: Vec<String> = of_kind(objects, "TriggerAuthentication")
            .iter()
            .filter_map(|t| get_str(t, &["metadata", "name"]))
            .collect();
        assert!(
            names.contains(&auth),
            "{what}: authenticationRef {auth} not among {names:?}"
        );
    }
}
