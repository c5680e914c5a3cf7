//! `deploy/kubernetes/`: every kustomization refers to files that exist, every manifest carries the
//! fields the API server requires, and the pieces agree with each other and with the binary
//! (probe paths, ports, drain deadline, env variables, replica cap).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_norway::Value;

use super::{
    assert_known_env_var, env_file, files_under, get, get_str, parse_duration, port_of, repo_root,
    yaml, yaml_documents, HEALTH_PATH, METRICS_PATH, READY_PATH,
};

const ROOT: &str = "deploy/kubernetes";
const BASE: &str = "deploy/kubernetes/base";
const CONFIG_ENV: &str = "deploy/kubernetes/base/config.env";
/// Manifests kept for reference that no kustomization applies (credentials are created out of band).
const EXAMPLES: &[&str] = &["secret.example.yaml"];

fn kustomizations() -> Vec<PathBuf> {
    let found: Vec<PathBuf> = files_under(ROOT, &["kustomization.yaml"])
        .into_iter()
        .map(|f| f.parent().unwrap().to_path_buf())
        .collect();
    assert!(
        found.len() >= 3,
        "expected a base and overlays, found {found:?}"
    );
    found
}

fn strings(value: Option<&Value>) -> Vec<String> {
    value
        .and_then(Value::as_sequence)
        .map(|s| {
            s.iter()
                .map(|v| v.as_str().expect("string entry").to_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// Paths a kustomization reads, relative to the repository root.
fn referenced_files(dir: &Path) -> Vec<PathBuf> {
    let k = yaml(dir.join("kustomization.yaml"));
    let mut refs: Vec<String> = strings(k.get("resources"));
    refs.extend(strings(k.get("components")));
    for generator in ["configMapGenerator", "secretGenerator"] {
        for g in k
            .get(generator)
            .and_then(Value::as_sequence)
            .into_iter()
            .flatten()
        {
            refs.extend(strings(g.get("envs")));
            refs.extend(
                strings(g.get("files"))
                    .into_iter()
                    .map(|f| f.rsplit('=').next().unwrap().to_owned()),
            );
        }
    }
    for patch in k
        .get("patches")
        .and_then(Value::as_sequence)
        .into_iter()
        .flatten()
    {
        refs.extend(get_str(patch, &["path"]));
    }
    refs.into_iter().map(|r| normalize(&dir.join(r))).collect()
}

/// Resolves `..` without touching the file system (so a missing target is reported, not an I/O error).
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// All documents of the base's resource files.
fn base_manifests() -> Vec<Value> {
    referenced_files(Path::new(BASE))
        .into_iter()
        .filter(|f| f.extension().is_some_and(|e| e == "yaml"))
        .flat_map(yaml_documents)
        .collect()
}

fn base_manifest(kind: &str) -> Value {
    let mut found: Vec<Value> = base_manifests()
        .into_iter()
        .filter(|m| get_str(m, &["kind"]).as_deref() == Some(kind))
        .collect();
    assert_eq!(found.len(), 1, "expected one {kind} in the base");
    found.remove(0)
}

fn config() -> BTreeMap<String, String> {
    env_file(CONFIG_ENV).into_iter().collect()
}

pub(super) fn container(deployment: &Value) -> &Value {
    let containers = get(deployment, &["spec", "template", "spec", "containers"])
        .and_then(Value::as_sequence)
        .expect("containers");
    assert_eq!(
        containers.len(),
        1,
        "one container per pod: one consumer-group member per pod"
    );
    &containers[0]
}

pub(super) fn labels(value: Option<&Value>) -> BTreeMap<String, String> {
    value
        .and_then(Value::as_mapping)
        .map(|m| {
            m.iter()
                .map(|(k, v)| {
                    (
                        k.as_str().unwrap().to_owned(),
                        v.as_str().unwrap().to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

pub(super) fn assert_selects(
    selector: &BTreeMap<String, String>,
    target: &BTreeMap<String, String>,
    what: &str,
) {
    assert!(!selector.is_empty(), "{what}: empty selector");
    for (k, v) in selector {
        assert_eq!(
            target.get(k),
            Some(v),
            "{what}: selector {k}={v} does not match {target:?}"
        );
    }
}

#[test]
fn every_kustomization_reference_exists() {
    for dir in kustomizations() {
        for file in referenced_files(&dir) {
            let path = repo_root().join(&file);
            let ok = path.is_file() || path.join("kustomization.yaml").is_file();
            assert!(
                ok,
                "{}/kustomization.yaml refers to missing {}",
                dir.display(),
                file.display()
            );
        }
    }
}

#[test]
fn every_manifest_is_applied_by_a_kustomization_or_is_an_example() {
    let used: BTreeSet<PathBuf> = kustomizations()
        .iter()
        .flat_map(|d| referenced_files(d))
        .collect();
    for file in files_under(ROOT, &[".yaml"]) {
        let name = file.file_name().unwrap().to_str().unwrap();
        if name == "kustomization.yaml" || EXAMPLES.contains(&name) {
            continue;
        }
        assert!(
            used.contains(&file),
            "{} is not listed in any kustomization",
            file.display()
        );
    }
}

#[test]
fn every_manifest_has_api_version_kind_and_name() {
    for file in files_under(ROOT, &[".yaml"]) {
        if file.ends_with("kustomization.yaml") {
            continue;
        }
        for doc in yaml_documents(&file) {
            let fields: [&[&str]; 3] = [&["apiVersion"], &["kind"], &["metadata", "name"]];
            for field in fields {
                let value = get_str(&doc, field).unwrap_or_default();
                assert!(
                    !value.is_empty(),
                    "{}: missing {}",
                    file.display(),
                    field.join(".")
                );
            }
        }
    }
}

#[test]
fn the_config_sets_only_variables_the_binary_reads() {
    for (name, _) in env_file(CONFIG_ENV) {
        assert_known_env_var(&name, CONFIG_ENV);
    }
    for dir in kustomizations() {
        let k = yaml(dir.join("kustomization.yaml"));
        for g in k
            .get("configMapGenerator")
            .and_then(Value::as_sequence)
            .into_iter()
            .flatten()
        {
            for literal in strings(g.get("literals")) {
                let name = literal.split('=').next().unwrap();
                assert_known_env_var(name, &dir.display().to_string());
            }
        }
    }
}

#[test]
fn probes_use_the_worker_endpoints_on_its_metrics_port() {
    let deployment = base_manifest("Deployment");
    let c = container(&deployment);
    assert!(
        !get_str(c, &["image"]).unwrap_or_default().is_empty(),
        "container image"
    );
    for (probe, path) in [
        ("livenessProbe", HEALTH_PATH),
        ("readinessProbe", READY_PATH),
        ("startupProbe", HEALTH_PATH),
    ] {
        assert_eq!(
            get_str(c, &[probe, "httpGet", "path"]).as_deref(),
            Some(path),
            "{probe}"
        );
        assert_eq!(
            get_str(c, &[probe, "httpGet", "port"]).as_deref(),
            Some("metrics"),
            "{probe} port"
        );
    }
    let ports = c["ports"].as_sequence().expect("ports");
    let metrics = ports
        .iter()
        .find(|p| get_str(p, &["name"]).as_deref() == Some("metrics"))
        .expect("a port named metrics");
    let container_port: u16 = get_str(metrics, &["containerPort"])
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(
        container_port,
        port_of(&config()["ENRICHER_METRICS_ADDR"]),
        "containerPort vs ENRICHER_METRICS_ADDR"
    );
}

#[test]
fn the_grace_period_outlasts_the_drain_deadline() {
    let deployment = base_manifest("Deployment");
    let grace: u64 = get_str(
        &deployment,
        &["spec", "template", "spec", "terminationGracePeriodSeconds"],
    )
    .expect("terminationGracePeriodSeconds")
    .parse()
    .unwrap();
    let drain = parse_duration(&config()["ENRICHER_SHUTDOWN_TIMEOUT"]);
    assert!(
        grace > drain.as_secs(),
        "grace {grace}s must exceed ENRICHER_SHUTDOWN_TIMEOUT {drain:?}"
    );
}

#[test]
fn the_pod_runs_non_root_with_a_read_only_root_filesystem() {
    let deployment = base_manifest("Deployment");
    let pod = get(&deployment, &["spec", "template", "spec"]).unwrap();
    assert_eq!(
        get_str(pod, &["securityContext", "runAsNonRoot"]).as_deref(),
        Some("true")
    );
    let uid = get_str(pod, &["securityContext", "runAsUser"]).expect("runAsUser");
    assert!(
        super::read("deploy/Dockerfile").contains(&format!("USER {uid}:")),
        "runAsUser {uid} differs from the image's USER"
    );
    let c = container(&deployment);
    assert_eq!(
        get_str(c, &["securityContext", "readOnlyRootFilesystem"]).as_deref(),
        Some("true")
    );
    assert_eq!(
        get_str(c, &["securityContext", "allowPrivilegeEscalation"]).as_deref(),
        Some("false")
    );
    for kind in ["requests", "limits"] {
        for resource in ["cpu", "memory"] {
            assert!(
                get_str(c, &["resources", kind, resource]).is_some(),
                "resources.{kind}.{resource}"
            );
        }
    }
}

#[test]
fn keda_owns_the_replica_count_and_caps_it_at_the_partition_count() {
    let deployment = base_manifest("Deployment");
    assert!(
        get(&deployment, &["spec", "replicas"]).is_none(),
        "replicas would fight the KEDA-managed HPA on every apply"
    );
    let scaled = base_manifest("ScaledObject");
    assert_eq!(
        get_str(&scaled, &["spec", "scaleTargetRef", "name"]),
        get_str(&deployment, &["metadata", "name"])
    );
    let partitions: u32 = get_str(
        &scaled,
        &[
            "metadata",
            "annotations",
            "article-enricher/input-topic-partitions",
        ],
    )
    .expect("the partition count the cap was sized for")
    .parse()
    .unwrap();
    let max: u32 = get_str(&scaled, &["spec", "maxReplicaCount"])
        .expect("maxReplicaCount")
        .parse()
        .unwrap();
    let min: u32 = get_str(&scaled, &["spec", "minReplicaCount"])
        .expect("minReplicaCount")
        .parse()
        .unwrap();
    assert!(
        max <= partitions,
        "maxReplicaCount {max} > {partitions} partitions: extra consumers would idle"
    );
    assert!(1 <= min && min <= max);
}

#[test]
fn keda_reads_brokers_group_and_topic_from_the_worker_config() {
    let scaled = base_manifest("ScaledObject");
    let trigger = &get(&scaled, &["spec", "triggers"])
        .and_then(Value::as_sequence)
        .expect("triggers")[0];
    assert_eq!(get_str(trigger, &["type"]).as_deref(), Some("kafka"));
    let config = config();
    for (param, var) in [
        ("bootstrapServersFromEnv", "ENRICHER_BROKERS"),
        ("consumerGroupFromEnv", "ENRICHER_GROUP_ID"),
        ("topicFromEnv", "ENRICHER_INPUT_TOPIC"),
    ] {
        assert_eq!(
            get_str(trigger, &["metadata", param]).as_deref(),
            Some(var),
            "{param}"
        );
        assert!(config.contains_key(var), "{var} is not in {CONFIG_ENV}");
    }
    assert_eq!(
        get_str(trigger, &["metadata", "allowIdleConsumers"]).as_deref(),
        Some("false")
    );
}

#[test]
fn service_monitor_and_disruption_budget_select_the_worker_pods() {
    let deployment = base_manifest("Deployment");
    let pod_labels = labels(get(
        &deployment,
        &["spec", "template", "metadata", "labels"],
    ));
    assert_selects(
        &labels(get(&deployment, &["spec", "selector", "matchLabels"])),
        &pod_labels,
        "Deployment",
    );
    assert_selects(
        &labels(get(
            &base_manifest("PodDisruptionBudget"),
            &["spec", "selector", "matchLabels"],
        )),
        &pod_labels,
        "PDB",
    );

    let service = base_manifest("Service");
    assert_selects(
        &labels(get(&service, &["spec", "selector"])),
        &pod_labels,
        "Service",
    );
    let service_port = &service["spec"]["ports"][0];
    assert_eq!(
        get_str(service_port, &["targetPort"]).as_deref(),
        Some("metrics")
    );

    let monitor = base_manifest("ServiceMonitor");
    assert_selects(
        &labels(get(&monitor, &["spec", "selector", "matchLabels"])),
        &labels(get(&service, &["metadata", "labels"])),
        "ServiceMonitor",
    );
    let endpoint = &monitor["spec"]["endpoints"][0];
    assert_eq!(
        get_str(endpoint, &["port"]),
        get_str(service_port, &["name"])
    );
    assert_eq!(get_str(endpoint, &["path"]).as_deref(), Some(METRICS_PATH));
}

#[test]
fn overlay_secret_references_match_the_example_secret() {
    let dir = Path::new(ROOT).join("overlays/sasl-scram");
    let secret = yaml(dir.join("secret.example.yaml"));
    let name = get_str(&secret, &["metadata", "name"]).unwrap();
    let keys: BTreeSet<String> = secret["stringData"]
        .as_mapping()
        .unwrap()
        .keys()
        .map(|k| k.as_str().unwrap().to_owned())
        .collect();

    let auth = yaml(dir.join("triggerauthentication.yaml"));
    for target in auth["spec"]["secretTargetRef"].as_sequence().unwrap() {
        assert_eq!(get_str(target, &["name"]).as_ref(), Some(&name));
        assert!(
            keys.contains(&get_str(target, &["key"]).unwrap()),
            "TriggerAuthentication key {target:?}"
        );
    }
    // The worker's env patch (a JSON6902 patch inside the kustomization) reads the same Secret.
    let kustomization = yaml(dir.join("kustomization.yaml"));
    let mut env_refs = Vec::new();
    for patch in kustomization["patches"].as_sequence().unwrap() {
        let Some(text) = patch.get("patch").and_then(Value::as_str) else {
            continue;
        };
        let ops: Value = serde_norway::from_str(text).expect("patch parses");
        for op in ops.as_sequence().into_iter().flatten() {
            if let Some(secret_ref) = get(op, &["value", "valueFrom", "secretKeyRef"]) {
                env_refs.push((
                    get_str(secret_ref, &["name"]).unwrap(),
                    get_str(secret_ref, &["key"]).unwrap(),
                ));
            }
        }
    }
    let expected = vec![
        (name.clone(), "username".to_owned()),
        (name.clone(), "password".to_owned()),
    ];
    assert_eq!(
        env_refs, expected,
        "the worker's SASL credentials come from the example Secret's keys"
    );
    for (_, key) in &env_refs {
        assert!(keys.contains(key));
    }
}
