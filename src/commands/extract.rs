//! `extract`: JSONL articles in, JSONL enriched records out, no broker.

use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Write};
use std::path::PathBuf;

use anyhow::Context;
use clap::Args;

use crate::config::AttributionsArg;
use crate::enrich::{Enricher, DEFAULT_MAX_ARTICLE_BYTES};

#[derive(Debug, Clone, Args)]
pub struct ExtractArgs {
    /// Articles, one JSON object per line [default: stdin].
    #[arg(long, short)]
    pub input: Option<PathBuf>,

    /// Where to write the enriched records, one per line [default: stdout].
    #[arg(long, short)]
    pub output: Option<PathBuf>,

    /// Largest article accepted, in bytes; larger lines are reported and skipped.
    #[arg(long, default_value_t = DEFAULT_MAX_ARTICLE_BYTES)]
    pub max_article_bytes: usize,

    /// Which attributions records carry: `quoted` keeps the records of
    /// before reported speech (no `indirect` ones).
    #[arg(long, env = "ENRICHER_ATTRIBUTIONS", value_enum, default_value_t = AttributionsArg::All)]
    pub attributions: AttributionsArg,
}

/// Counts of one `extract` run.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ExtractSummary {
    pub enriched: usize,
    pub failed: usize,
}

pub fn run(args: &ExtractArgs) -> anyhow::Result<()> {
    let input: Box<dyn BufRead> = match &args.input {
        Some(path) => Box::new(BufReader::new(
            File::open(path).with_context(|| format!("cannot open {}", path.display()))?,
        )),
        None => Box::new(io::stdin().lock()),
    };
    let output: Box<dyn Write> = match &args.output {
        Some(path) => Box::new(
            File::create(path).with_context(|| format!("cannot create {}", path.display()))?,
        ),
        None => Box::new(io::stdout().lock()),
    };
    let enricher = Enricher {
        max_article_bytes: args.max_article_bytes,
        extraction: true,
        attributions: args.attributions.into(),
    };
    let summary = extract_jsonl(
        &enricher,
        input,
        BufWriter::with_capacity(1 << 16, output),
        |line, err| {
            eprintln!("line {line}: {err}");
        },
    )?;
    if summary.failed > 0 {
        eprintln!(
            "{} articles enriched, {} lines skipped",
            summary.enriched, summary.failed
        );
    }
    Ok(())
}

/// Enrich each line of `input` into a line of `output`, in order. Blank
/// lines are ignored; a bad line is reported through `on_error` with its
/// 1-based number and skipped.
pub fn extract_jsonl(
    enricher: &Enricher,
    mut input: impl BufRead,
    mut output: impl Write,
    mut on_error: impl FnMut(usize, &dyn std::fmt::Display),
) -> anyhow::Result<ExtractSummary> {
    let mut summary = ExtractSummary::default();
    let mut line = Vec::new();
    let mut number = 0;
    loop {
        line.clear();
        if input
            .read_until(b'\n', &mut line)
            .context("cannot read input")?
            == 0
        {
            break;
        }
        number += 1;
        let payload = line.trim_ascii();
        if payload.is_empty() {
            continue;
        }
        match enricher.enrich(Some(payload), None, || format!("line-{number}")) {
            Ok(enriched) => {
                output
                    .write_all(&enriched.json)
                    .context("cannot write output")?;
                output.write_all(b"\n").context("cannot write output")?;
                summary.enriched += 1;
            }
            Err(err) => {
                on_error(number, &err);
                summary.failed += 1;
            }
        }
    }
    output.flush().context("cannot write output")?;
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_order_and_reports_bad_lines_by_number() {
        let input = b"{\"id\":\"a\",\"text\":\"One.\"}\nnot json\n\n{\"text\":\"Two.\"}\n";
        let mut out = Vec::new();
        let mut errors = Vec::new();
        let summary = extract_jsonl(&Enricher::default(), &input[..], &mut out, |n, e| {
            errors.push((n, e.to_string()))
        })
        .unwrap();
        assert_eq!(
            summary,
            ExtractSummary {
                enriched: 2,
                failed: 1
            }
        );
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].0, 2);
        let lines: Vec<serde_json::Value> = out
            .split(|b| *b == b'\n')
            .filter(|l| !l.is_empty())
            .map(|l| serde_json::from_slice(l).unwrap())
            .collect();
        assert_eq!(lines[0]["id"], "a");
        assert_eq!(lines[1]["id"], "line-4");
        assert_eq!(lines[1]["schema_version"], 1);
    }
}
