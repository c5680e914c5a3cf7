//! `docker-compose.yml`: references resolve, the broker is configured for one node, the worker is
//! wired to the topics that are actually created, and it gets time to drain on `docker compose stop`.

use std::collections::BTreeMap;

use serde_norway::Value;

use super::{assert_known_env_var, get, get_str, parse_duration, port_of, read, repo_root, yaml};

const COMPOSE: &str = "docker-compose.yml";
const WORKER: &str = "enricher";

fn compose() -> Value {
    yaml(COMPOSE)
}

fn services(compose: &Value) -> BTreeMap<String, Value> {
    let map = compose
        .get("services")
        .and_then(Value::as_mapping)
        .expect("services mapping");
    map.iter()
        .map(|(k, v)| (k.as_str().expect("service name").to_owned(), v.clone()))
        .collect()
}

/// A service's `environment`, in either the mapping or the `KEY=VALUE` list form.
fn environment(service: &Value) -> BTreeMap<String, String> {
    match service.get("environment") {
        None => BTreeMap::new(),
        Some(Value::Mapping(map)) => map
            .iter()
            .map(|(k, v)| {
                let value = match v {
                    Value::String(s) => s.clone(),
                    Value::Number(n) => n.to_string(),
                    Value::Bool(b) => b.to_string(),
                    other => panic!("unexpected environment value {other:?}"),
                };
                (k.as_str().expect("env name").to_owned(), value)
            })
            .collect(),
        Some(Value::Sequence(items)) => items
            .iter()
            .map(|i| {
                let (k, v) = i
                    .as_str()
                    .and_then(|s| s.split_once('='))
                    .expect("KEY=VALUE");
                (k.to_owned(), v.to_owned())
            })
            .collect(),
        Some(other) => panic!("unexpected environment {other:?}"),
    }
}

fn depends_on(service: &Value) -> Vec<String> {
    match service.get("depends_on") {
        None => Vec::new(),
        Some(Value::Sequence(items)) => items
            .iter()
            .map(|i| i.as_str().expect("name").to_owned())
            .collect(),
        Some(Value::Mapping(map)) => map
            .keys()
            .map(|k| k.as_str().expect("name").to_owned())
            .collect(),
        Some(other) => panic!("unexpected depends_on {other:?}"),
    }
}

/// The shell script of a one-shot service (`command` as a list whose last item is the script, or a string).
fn script(service: &Value) -> String {
    match service.get("command") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Sequence(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join("\n"),
        other => panic!("expected a command, got {other:?}"),
    }
}

fn profiles(service: &Value) -> Vec<String> {
    service
        .get("profiles")
        .and_then(Value::as_sequence)
        .map(|p| {
            p.iter()
                .map(|v| v.as_str().expect("profile").to_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn depends_on_names_existing_services_in_the_same_or_a_wider_profile() {
    let services = services(&compose());
    for (name, service) in &services {
        for dep in depends_on(service) {
            let target = services
                .get(&dep)
                .unwrap_or_else(|| panic!("{name} depends on unknown service {dep}"));
            // A service without profiles starts by default, so it must not depend on one that doesn't.
            let target_profiles = profiles(target);
            assert!(
                target_profiles.is_empty()
                    || profiles(service)
                        .iter()
                        .any(|p| target_profiles.contains(p)),
                "{name} depends on {dep}, which only starts with profiles {target_profiles:?}"
            );
        }
    }
}

#[test]
fn build_context_and_dockerfile_exist() {
    let services = services(&compose());
    let build = services[WORKER]
        .get("build")
        .expect("the worker is built from the repository");
    let context = get_str(build, &["context"]).expect("build.context");
    let dockerfile = get_str(build, &["dockerfile"]).expect("build.dockerfile");
    let context_dir = repo_root().join(&context);
    assert!(
        context_dir.is_dir(),
        "build context {context} is not a directory"
    );
    assert!(
        context_dir.join(&dockerfile).is_file(),
        "{dockerfile} not found in {context}"
    );
    assert_eq!(dockerfile, "deploy/Dockerfile");
}

#[test]
fn volumes_are_existing_files_or_declared_named_volumes() {
    let compose = compose();
    let named = compose
        .get("volumes")
        .and_then(Value::as_mapping)
        .cloned()
        .unwrap_or_default();
    let mut bind_mounts = 0;
    for (name, service) in services(&compose) {
        let Some(volumes) = service.get("volumes").and_then(Value::as_sequence) else {
            continue;
        };
        for volume in volumes {
            let spec = volume.as_str().expect("short volume syntax");
            let source = spec.split(':').next().expect("source");
            if source.starts_with("./") || source.starts_with("../") {
                bind_mounts += 1;
                assert!(
                    repo_root().join(source).exists(),
                    "{name}: bind-mount source {source} does not exist"
                );
            } else {
                assert!(
                    named.contains_key(source),
                    "{name}: named volume {source} is not declared under volumes:"
                );
            }
        }
    }
    assert!(
        bind_mounts >= 6,
        "expected the sample, Prometheus and Grafana bind mounts"
    );
}

#[test]
fn kafka_is_a_single_node_kraft_broker_that_supports_transactions() {
    let services = services(&compose());
    let kafka = &services["kafka"];
    assert!(get_str(kafka, &["image"])
        .unwrap()
        .starts_with("apache/kafka:"));
    let env = environment(kafka);
    assert_eq!(env["KAFKA_PROCESS_ROLES"], "broker,controller");
    // Internal topics default to replication 3 and could not be created on one node; exactly-once
    // needs __transaction_state, offset commits need __consumer_offsets.
    for key in [
        "KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR",
        "KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR",
        "KAFKA_TRANSACTION_STATE_LOG_MIN_ISR",
    ] {
        assert_eq!(env.get(key).map(String::as_str), Some("1"), "kafka: {key}");
    }
    assert!(
        env.contains_key("CLUSTER_ID"),
        "KRaft needs a cluster id to format storage"
    );
}

#[test]
fn the_worker_reaches_the_broker_on_an_advertised_listener() {
    let services = services(&compose());
    let brokers = environment(&services[WORKER])["ENRICHER_BROKERS"].clone();
    let advertised = environment(&services["kafka"])["KAFKA_ADVERTISED_LISTENERS"].clone();
    for broker in brokers.split(',') {
        assert!(
            advertised
                .split(',')
                .any(|l| l.ends_with(&format!("://{broker}"))),
            "{broker} is not among the advertised listeners {advertised}"
        );
    }
}

#[test]
fn the_worker_is_configured_only_through_variables_the_binary_reads() {
    let services = services(&compose());
    let env = environment(&services[WORKER]);
    for required in [
        "ENRICHER_BROKERS",
        "ENRICHER_INPUT_TOPIC",
        "ENRICHER_OUTPUT_TOPIC",
        "ENRICHER_DLQ_TOPIC",
        "ENRICHER_GROUP_ID",
    ] {
        assert!(
            env.contains_key(required),
            "worker environment lacks {required}"
        );
    }
    for name in env.keys() {
        assert_known_env_var(name, COMPOSE);
    }
}

#[test]
fn the_worker_topics_are_created_and_fed() {
    let services = services(&compose());
    let env = environment(&services[WORKER]);
    let create = script(&services["create-topics"]);
    for var in [
        "ENRICHER_INPUT_TOPIC",
        "ENRICHER_OUTPUT_TOPIC",
        "ENRICHER_DLQ_TOPIC",
    ] {
        let topic = &env[var];
        assert!(
            create.contains(&format!("--create --if-not-exists --topic {topic} ")),
            "create-topics does not create {topic}"
        );
    }
    assert!(depends_on(&services[WORKER]).contains(&"create-topics".to_owned()));
    let produce = script(&services["producer"]);
    assert!(produce.contains("kafka-console-producer.sh"));
    assert!(
        produce.contains(&format!("--topic {} ", env["ENRICHER_INPUT_TOPIC"])),
        "the producer does not write the input topic"
    );
    assert!(
        produce.contains("articles.jsonl"),
        "the producer loads the sample articles"
    );
}

#[test]
fn scripts_escape_dollar_signs_from_compose_interpolation() {
    // Compose substitutes `$name` from the host environment before the shell sees it; shell variables
    // must be written `$$name`.
    for (name, service) in services(&compose()) {
        if service.get("command").is_none() {
            continue;
        }
        let text = script(&service).replace("$$", "");
        assert!(
            !text.contains('$'),
            "{name}: unescaped $ in its command would be interpolated by compose"
        );
    }
}

#[test]
fn stop_grace_period_exceeds_the_drain_deadline() {
    let services = services(&compose());
    let worker = &services[WORKER];
    let drain = parse_duration(&environment(worker)["ENRICHER_SHUTDOWN_TIMEOUT"]);
    let grace = parse_duration(
        &get_str(worker, &["stop_grace_period"])
            .expect("stop_grace_period (Docker's default is 10s)"),
    );
    assert!(
        grace > drain,
        "stop_grace_period {grace:?} must exceed ENRICHER_SHUTDOWN_TIMEOUT {drain:?}"
    );
}

#[test]
fn the_worker_healthcheck_probes_its_metrics_port() {
    let services = services(&compose());
    let worker = &services[WORKER];
    let test: Vec<String> = get(worker, &["healthcheck", "test"])
        .and_then(Value::as_sequence)
        .expect("healthcheck.test list")
        .iter()
        .map(|v| v.as_str().expect("string").to_owned())
        .collect();
    assert_eq!(test[0], "CMD");
    assert_eq!(
        test[1], "/usr/local/bin/enricher-healthcheck",
        "the probe the image installs"
    );
    assert!(
        [super::HEALTH_PATH, super::READY_PATH].contains(&test[2].as_str()),
        "probe path {}",
        test[2]
    );
    let metrics_port = port_of(&environment(worker)["ENRICHER_METRICS_ADDR"]);
    let ports: Vec<String> = worker["ports"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap().to_owned())
        .collect();
    assert!(
        ports
            .iter()
            .any(|p| p.ends_with(&format!(":{metrics_port}"))),
        "metrics port {metrics_port} not published: {ports:?}"
    );
}

#[test]
fn monitoring_services_are_optional() {
    let services = services(&compose());
    for name in ["prometheus", "grafana"] {
        assert_eq!(
            profiles(&services[name]),
            vec!["monitoring".to_owned()],
            "{name} belongs to the monitoring profile"
        );
    }
    for name in ["kafka", "create-topics", WORKER, "producer"] {
        assert!(
            profiles(&services[name]).is_empty(),
            "{name} must start with a plain `docker compose up`"
        );
    }
}

#[test]
fn the_compose_file_is_not_using_the_obsolete_version_key() {
    assert!(
        compose().get("version").is_none(),
        "`version:` is obsolete in the Compose Specification"
    );
    assert!(
        read(COMPOSE).contains("kafka-console-consumer.sh"),
        "the file tells how to watch the enriched topic"
    );
}
