//! `deploy/Dockerfile` and `.dockerignore`: multi-stage, non-root, health-checked, and the files it
//! copies are in the build context.

use std::collections::BTreeMap;

use super::{port_of, read, repo_root, HEALTH_PATH};

const DOCKERFILE: &str = "deploy/Dockerfile";

/// Instructions with line continuations joined: (INSTRUCTION, arguments).
fn instructions() -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut current = String::new();
    for line in read(DOCKERFILE).lines() {
        let trimmed = line.trim();
        if current.is_empty() && (trimmed.is_empty() || trimmed.starts_with('#')) {
            continue;
        }
        if let Some(continued) = trimmed.strip_suffix('\\') {
            current.push_str(continued);
            current.push(' ');
            continue;
        }
        current.push_str(trimmed);
        let (keyword, args) = current
            .split_once(char::is_whitespace)
            .unwrap_or((current.as_str(), ""));
        out.push((keyword.to_ascii_uppercase(), args.trim().to_owned()));
        current.clear();
    }
    out
}

/// The instructions of the last (runtime) stage.
fn runtime_stage() -> Vec<(String, String)> {
    let all = instructions();
    let last_from = all.iter().rposition(|(k, _)| k == "FROM").expect("a FROM");
    all[last_from..].to_vec()
}

/// Base images of all stages, with `ARG` defaults declared before the first FROM substituted.
fn base_images() -> Vec<String> {
    let mut args = BTreeMap::new();
    let mut images = Vec::new();
    for (keyword, rest) in instructions() {
        match keyword.as_str() {
            "ARG" if images.is_empty() => {
                if let Some((name, default)) = rest.split_once('=') {
                    args.insert(format!("${{{name}}}"), default.to_owned());
                }
            }
            "FROM" => {
                let image = rest
                    .split_whitespace()
                    .find(|w| !w.starts_with("--"))
                    .expect("image")
                    .to_owned();
                images.push(args.get(&image).cloned().unwrap_or(image));
            }
            _ => {}
        }
    }
    images
}

#[test]
fn builds_in_rust_and_runs_on_debian_slim() {
    let images = base_images();
    assert_eq!(images.first().map(String::as_str), Some("rust:1-bookworm"));
    assert_eq!(
        images.last().map(String::as_str),
        Some("debian:bookworm-slim")
    );
    let runtime = runtime_stage();
    assert!(
        runtime
            .iter()
            .any(|(_, a)| a.contains("--from=builder") && a.contains("article-enricher")),
        "the runtime stage copies the binary from the builder"
    );
    let installs: String = runtime
        .iter()
        .filter(|(k, _)| k == "RUN")
        .map(|(_, a)| a.as_str())
        .collect();
    for package in ["ca-certificates", "libssl3"] {
        assert!(installs.contains(package), "runtime image lacks {package}");
    }
}

#[test]
fn the_build_uses_cache_mounts_and_the_lockfile() {
    let build = instructions()
        .into_iter()
        .find(|(k, a)| k == "RUN" && a.contains("cargo build"))
        .expect("a cargo build step")
        .1;
    assert!(
        build.contains("--mount=type=cache,target=/usr/local/cargo/registry"),
        "{build}"
    );
    assert!(
        build.contains("--locked") && build.contains("--release"),
        "{build}"
    );
}

#[test]
fn runs_as_a_numeric_non_root_user() {
    let user = runtime_stage()
        .into_iter()
        .rev()
        .find(|(k, _)| k == "USER")
        .expect("USER in the runtime stage")
        .1;
    let uid = user.split(':').next().unwrap();
    let uid: u32 = uid
        .parse()
        .unwrap_or_else(|_| panic!("USER {user}: use a numeric uid so runAsNonRoot can verify it"));
    assert_ne!(uid, 0, "USER must not be root");
}

#[test]
fn the_healthcheck_probes_healthz_with_the_installed_script() {
    let runtime = runtime_stage();
    let check = runtime
        .iter()
        .find(|(k, _)| k == "HEALTHCHECK")
        .expect("HEALTHCHECK in the runtime stage")
        .1
        .clone();
    assert!(
        check.contains("/usr/local/bin/enricher-healthcheck") && check.contains(HEALTH_PATH),
        "{check}"
    );
    let copy = runtime
        .iter()
        .find(|(k, a)| k == "COPY" && a.ends_with("/usr/local/bin/enricher-healthcheck"))
        .expect("the probe script is copied into the image")
        .1
        .clone();
    let source = copy
        .split_whitespace()
        .find(|w| !w.starts_with("--"))
        .unwrap();
    assert!(repo_root().join(source).is_file(), "{source} missing");
    assert!(
        !dockerignore_excludes(source),
        ".dockerignore excludes {source}, which the image needs"
    );
}

#[test]
fn the_exposed_port_is_the_default_metrics_port() {
    let runtime = runtime_stage();
    let env: String = runtime
        .iter()
        .filter(|(k, _)| k == "ENV")
        .map(|(_, a)| a.as_str())
        .collect();
    let addr = env
        .split_whitespace()
        .find_map(|w| w.strip_prefix("ENRICHER_METRICS_ADDR="))
        .expect("ENV ENRICHER_METRICS_ADDR (the binary has no default address)");
    let exposed = runtime
        .iter()
        .find(|(k, _)| k == "EXPOSE")
        .expect("EXPOSE")
        .1
        .clone();
    assert_eq!(exposed.parse::<u16>().unwrap(), port_of(addr));
}

/// Whether `.dockerignore` leaves `path` out of the build context. Patterns are applied in order,
/// `!` re-includes; a pattern matches the path itself or a parent directory (enough for this file).
fn dockerignore_excludes(path: &str) -> bool {
    let mut excluded = false;
    for line in read(".dockerignore")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
    {
        let (negate, pattern) = match line.strip_prefix('!') {
            Some(p) => (true, p),
            None => (false, line),
        };
        let pattern = pattern.trim_start_matches("**/").trim_end_matches('/');
        let matches = path == pattern || path.starts_with(&format!("{pattern}/"));
        if matches {
            excluded = !negate;
        }
    }
    excluded
}

#[test]
fn dockerignore_keeps_sources_and_drops_build_output() {
    for ignored in ["target", ".git"] {
        assert!(
            dockerignore_excludes(ignored),
            ".dockerignore should exclude {ignored}"
        );
    }
    // build.rs lays out the embedded tables from models/ and src/.
    for needed in [
        "Cargo.toml",
        "Cargo.lock",
        "build.rs",
        "src",
        "models",
        "deploy/healthcheck.sh",
    ] {
        assert!(
            !dockerignore_excludes(needed),
            ".dockerignore must not exclude {needed}"
        );
    }
}
