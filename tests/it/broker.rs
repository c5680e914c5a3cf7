//! A real Apache Kafka broker for the end-to-end tests: one single-node KRaft
//! broker per test (`tests/kafka/broker.sh`), on free loopback ports, with its
//! storage in a temp dir, killed on drop.
//!
//! What the tests need beyond a JDK, Maven, Python and cargo (the broker jars
//! and the Python client) is fetched and cached on first use by
//! `tests/kafka/fetch.sh`. A missing prerequisite fails the test with the
//! script's message; nothing is skipped.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::ClientConfig;

/// Where `fetch.sh` put the broker jars and the Python client.
pub struct TestDeps {
    pub kafka_libs: PathBuf,
    pub python: PathBuf,
}

fn repo_path(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

/// Fetch (first use on a machine) or find (later) the test dependencies.
pub fn test_deps() -> &'static TestDeps {
    static DEPS: OnceLock<TestDeps> = OnceLock::new();
    DEPS.get_or_init(|| {
        let out = Command::new("bash")
            .arg(repo_path("tests/kafka/fetch.sh"))
            .stderr(Stdio::inherit())
            .output()
            .expect("bash must be installed");
        assert!(
            out.status.success(),
            "tests/kafka/fetch.sh failed (see its message above): the end-to-end tests need \
             Java 17+, Maven and python3 with venv"
        );
        let vars: BTreeMap<String, String> = String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        TestDeps {
            kafka_libs: vars["KAFKA_LIBS"].clone().into(),
            python: vars["PYTHON"].clone().into(),
        }
    })
}

/// One Apache Kafka broker (KRaft, broker and controller in one process).
pub struct Kafka {
    pub brokers: String,
    pub port: u16,
    controller_port: u16,
    child: Child,
    dir: Option<tempfile::TempDir>,
}

/// A stopped broker's ports and storage, to start it again.
pub struct StoppedKafka {
    port: u16,
    controller_port: u16,
    dir: tempfile::TempDir,
}

impl Kafka {
    /// A new broker with empty storage.
    pub fn start() -> Self {
        let dir = tempfile::Builder::new()
            .prefix("kafka-test-")
            .tempdir()
            .unwrap();
        Self::launch(
            super::helpers::free_port(),
            super::helpers::free_port(),
            dir,
        )
    }

    /// Kill the broker (SIGKILL), keeping its storage for [`StoppedKafka::restart`].
    pub fn kill(mut self) -> StoppedKafka {
        let _ = self.child.kill();
        let _ = self.child.wait();
        StoppedKafka {
            port: self.port,
            controller_port: self.controller_port,
            dir: self.dir.take().unwrap(),
        }
    }

    fn launch(port: u16, controller_port: u16, dir: tempfile::TempDir) -> Self {
        test_deps();
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(dir.path().join("broker.log"))
            .unwrap();
        let child = Command::new("bash")
            .arg(repo_path("tests/kafka/broker.sh"))
            .args([port.to_string(), controller_port.to_string()])
            .arg(dir.path().join("broker"))
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("start tests/kafka/broker.sh");
        let mut kafka = Kafka {
            brokers: format!("127.0.0.1:{port}"),
            port,
            controller_port,
            child,
            dir: Some(dir),
        };
        kafka.wait_ready();
        kafka
    }

    /// Wait until the broker answers a metadata request (listening is not
    /// enough: the controller may still be electing itself).
    fn wait_ready(&mut self) {
        let client: BaseConsumer = ClientConfig::new()
            .set("bootstrap.servers", &self.brokers)
            .set("log_level", "0")
            .create()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(90);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!("the Kafka broker exited ({status}):\n{}", self.log_tail());
            }
            if let Ok(md) = client.fetch_metadata(None, Duration::from_secs(2)) {
                if !md.brokers().is_empty() {
                    return;
                }
            }
            assert!(
                Instant::now() < deadline,
                "the Kafka broker on {} was not ready within 90 s:\n{}",
                self.brokers,
                self.log_tail()
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    fn log_tail(&self) -> String {
        let dir = self.dir.as_ref().unwrap().path();
        let log = std::fs::read_to_string(dir.join("broker.log")).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(30)..].join("\n")
    }
}

impl StoppedKafka {
    /// Start the broker again on the same ports with the same storage.
    pub fn restart(self) -> Kafka {
        Kafka::launch(self.port, self.controller_port, self.dir)
    }
}

impl Drop for Kafka {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Run one of Kafka's own command-line tools (from the `kafka-tools` jar),
/// e.g. `org.apache.kafka.tools.consumer.group.ConsumerGroupCommand`; returns
/// its stdout, panics with its stderr on failure.
pub fn kafka_tool(main_class: &str, args: &[&str]) -> String {
    let libs = format!("{}/*", test_deps().kafka_libs.display());
    let out = Command::new("java")
        .args(["-Xmx256m", "-cp", &libs])
        .arg(format!(
            "-Dlog4j2.configurationFile={}",
            repo_path("tests/kafka/log4j2.properties").display()
        ))
        .arg(main_class)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("java must be installed");
    assert!(
        out.status.success(),
        "{main_class} {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The coordinator's state of a transactional id (`Ongoing`, `CompleteCommit`,
/// ...), as `kafka-transactions describe` reports it.
pub fn transaction_state(brokers: &str, transactional_id: &str) -> String {
    let out = kafka_tool(
        "org.apache.kafka.tools.TransactionsCommand",
        &[
            "--bootstrap-server",
            brokers,
            "describe",
            "--transactional-id",
            transactional_id,
        ],
    );
    let mut lines = out.lines().filter(|l| !l.trim().is_empty());
    let mut columns = || -> Vec<&str> {
        lines
            .next()
            .unwrap_or_default()
            .split_whitespace()
            .collect()
    };
    let (header, row) = (columns(), columns());
    let column = header.iter().position(|h| *h == "TransactionState");
    column
        .and_then(|c| row.get(c))
        .map_or_else(|| format!("unknown: {out}"), |s| (*s).to_owned())
}
