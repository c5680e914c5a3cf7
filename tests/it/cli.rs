//! The binary's command line, without a broker.

use std::io::Write;
use std::process::{Command, Stdio};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_article-enricher"))
}

#[test]
fn help_lists_every_subcommand_and_env_var() {
    let out = bin().arg("--help").output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    for sub in ["run", "extract", "demo"] {
        assert!(text.contains(sub), "--help lacks {sub}: {text}");
    }
    let out = bin().args(["run", "--help"]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    for var in [
        "ENRICHER_BROKERS",
        "ENRICHER_INPUT_TOPIC",
        "ENRICHER_OUTPUT_TOPIC",
        "ENRICHER_DLQ_TOPIC",
        "ENRICHER_GROUP_ID",
        "ENRICHER_METRICS_ADDR",
    ] {
        assert!(text.contains(var), "run --help lacks {var}");
    }
}

#[test]
fn extract_reads_jsonl_and_reports_bad_lines_by_number() {
    let mut child = bin()
        .arg("extract")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let seed = include_str!("../data/seed.jsonl").trim();
    let input = format!("{seed}\n{{broken\n{{\"text\": \"Plain text.\"}}\n");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("line 2:"), "stderr: {stderr}");
    let records: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(records.len(), 2);
    assert_eq!(records[0]["id"], "seed-lavrov-astana");
    assert_eq!(records[1]["id"], "line-3");
}

#[test]
fn non_english_articles_get_a_warning_and_no_extraction() {
    let out = bin()
        .arg("extract")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            c.stdin.take().unwrap().write_all(
                "{\"id\":\"de\",\"text\":\"Die Bundesregierung in Berlin hat am Mittwoch neue Regeln für den Bau von Wohnungen beschlossen. Nach den Plänen sollen die Genehmigungen schneller erteilt werden, und die Kommunen bekommen mehr Geld für den sozialen Wohnungsbau, sagte eine Sprecherin des Ministeriums.\"}\n".as_bytes(),
            )?;
            c.wait_with_output()
        })
        .unwrap();
    let record: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(record["language"], "de");
    assert_eq!(record["entities"].as_array().unwrap().len(), 0);
    assert!(record["warnings"][0]
        .as_str()
        .unwrap()
        .contains("not supported"));
}

#[test]
fn demo_runs_the_whole_pipeline_with_no_setup() {
    let out = bin().args(["demo", "--json"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "demo failed: {stderr}");
    let records: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let samples = include_str!("../../samples/articles.jsonl").lines().count();
    assert_eq!(records.len(), samples);
    assert!(records.iter().any(|r| r["id"] == "seed-lavrov-astana"));
    assert!(stderr.contains("dead-letter"), "{stderr}");
}
