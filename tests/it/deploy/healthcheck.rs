//! `deploy/healthcheck.sh`, the image's HEALTHCHECK, run for real against a stand-in HTTP server on
//! loopback: 200 is healthy, anything else or no listener is unhealthy.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::process::Command;
use std::thread;

use super::{repo_root, HEALTH_PATH, READY_PATH};

/// Serves `/healthz` with 200 and everything else with 503, like a live worker that is not connected.
fn spawn_stand_in_worker() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let port = listener.local_addr().unwrap().port();
    thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            answer(stream);
        }
    });
    port
}

fn answer(mut stream: TcpStream) {
    let mut reader = BufReader::new(&stream);
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    // Read the headers too: closing a socket with unread input sends a reset that can destroy the
    // response before the client reads it.
    let mut header = String::new();
    while reader.read_line(&mut header).is_ok_and(|n| n > 0) && !header.trim_end().is_empty() {
        header.clear();
    }
    let status = if request_line.starts_with(&format!("GET {HEALTH_PATH} ")) {
        "200 OK"
    } else {
        "503 Service Unavailable"
    };
    let _ = write!(
        stream,
        "HTTP/1.1 {status}\r\ncontent-length: 3\r\nconnection: close\r\n\r\nok\n"
    );
}

/// Runs the probe with the worker's metrics address; true when it reports healthy.
fn probe(metrics_addr: &str, path: &str) -> bool {
    Command::new("bash")
        .arg(repo_root().join("deploy/healthcheck.sh"))
        .arg(path)
        .env("ENRICHER_METRICS_ADDR", metrics_addr)
        .output()
        .expect("running bash")
        .status
        .success()
}

/// A loopback port with nothing listening (bound, then released).
fn closed_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn healthy_when_the_endpoint_answers_200() {
    let port = spawn_stand_in_worker();
    assert!(
        probe(&format!("0.0.0.0:{port}"), HEALTH_PATH),
        "wildcard bind address is probed on loopback"
    );
    assert!(probe(&format!("127.0.0.1:{port}"), HEALTH_PATH));
}

#[test]
fn unhealthy_when_the_endpoint_answers_otherwise() {
    let port = spawn_stand_in_worker();
    assert!(!probe(&format!("0.0.0.0:{port}"), READY_PATH));
}

#[test]
fn unhealthy_when_nothing_listens() {
    assert!(!probe(&format!("0.0.0.0:{}", closed_port()), HEALTH_PATH));
}
