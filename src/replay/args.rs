//! The `replay` command line: where to start, where to stop, how fast.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use clap::Args;

use crate::config::KafkaArgs;

/// The rules of a replay, shown by `replay --help`.
pub const HELP: &str = "\
How a replay works:
  - The end of each partition is captured when the replay starts: with `--to end`, the partition's
    last stable offset (its high watermark, or where its oldest open transaction starts). Records
    produced later, and those of transactions still open, are not replayed. The replay exits by
    itself when every partition is read up to its end and every record is acknowledged, and prints
    a summary.
  - Input is read `read_committed` (not overridable): records of aborted transactions are never
    replayed.
  - The replay joins no consumer group and commits nothing: the live worker's offsets are untouched.
  - Records go through the same processing as `run`: same records, keyed by article id, bad input
    to the DLQ with the same headers, failed deliveries retried. Replaying the same input with the
    same version publishes the same bytes.
  - `--dry-run` shows per partition the offsets and record counts the replay would cover (counts are
    offset differences: fewer records on compacted topics or among transactions, whose markers and
    aborted records take offsets too).";

/// Settings of the `replay` subcommand.
#[derive(Debug, Clone, Args)]
pub struct ReplayArgs {
    #[command(flatten)]
    pub kafka: KafkaArgs,

    /// Where to start: `earliest` (every retained record), an RFC 3339 time
    /// (e.g. 2024-05-01T00:00:00Z: the first record of each partition
    /// timestamped at or after it), or `PARTITION:OFFSET,..` (only the listed
    /// partitions, from those offsets).
    #[arg(long, env = "ENRICHER_REPLAY_FROM", value_name = "earliest|TIME|P:OFFSET,..", value_parser = parse_start)]
    pub from: Start,

    /// Where to stop (exclusive): `end` (the end of each partition as captured
    /// when the replay starts; records produced later are not replayed) or an
    /// RFC 3339 time (stop before the first record timestamped at or after it).
    #[arg(long, env = "ENRICHER_REPLAY_TO", value_name = "end|TIME", default_value = "end", value_parser = parse_end)]
    pub to: End,

    /// Most records per second (e.g. `200` or `200/s`) to spare a shared
    /// cluster; unlimited by default.
    #[arg(long, env = "ENRICHER_REPLAY_RATE", value_name = "N[/s]", value_parser = parse_rate)]
    pub rate: Option<f64>,

    /// Print, per partition, the offsets and the number of records that would
    /// be replayed, then exit without reading or publishing anything.
    #[arg(long, env = "ENRICHER_REPLAY_DRY_RUN")]
    pub dry_run: bool,

    /// Most records in flight (read but not yet acknowledged) at once: bounds memory.
    #[arg(long, env = "ENRICHER_MAX_IN_FLIGHT", default_value_t = 1000)]
    pub max_in_flight: usize,
}

/// Where a replay starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Start {
    /// Each partition's low watermark.
    Earliest,
    /// The first record of each partition at or after this time (ms since the epoch).
    Time(i64),
    /// Only these partitions, from these offsets.
    Offsets(Vec<(i32, i64)>),
}

/// Where a replay stops (exclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// Each partition's end as captured when the replay starts.
    Latest,
    /// Before the first record at or after this time (ms since the epoch).
    Time(i64),
}

impl fmt::Display for Start {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Start::Earliest => f.write_str("earliest"),
            Start::Time(ms) => f.write_str(&format_millis(*ms)),
            Start::Offsets(list) => {
                let parts: Vec<String> = list.iter().map(|(p, o)| format!("{p}:{o}")).collect();
                f.write_str(&parts.join(","))
            }
        }
    }
}

impl fmt::Display for End {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            End::Latest => f.write_str("end"),
            End::Time(ms) => f.write_str(&format_millis(*ms)),
        }
    }
}

pub fn parse_start(s: &str) -> Result<Start, String> {
    let s = s.trim();
    if s.eq_ignore_ascii_case("earliest") {
        Ok(Start::Earliest)
    } else if looks_like_time(s) {
        parse_time_millis(s).map(Start::Time)
    } else {
        parse_offsets(s).map(Start::Offsets)
    }
}

pub fn parse_end(s: &str) -> Result<End, String> {
    let s = s.trim();
    if s.eq_ignore_ascii_case("end") {
        Ok(End::Latest)
    } else {
        parse_time_millis(s).map(End::Time)
    }
}

/// `200` or `200/s`: a positive number of records per second.
pub fn parse_rate(s: &str) -> Result<f64, String> {
    let number = s.trim().strip_suffix("/s").unwrap_or(s.trim());
    match number.parse::<f64>() {
        Ok(rate) if rate.is_finite() && rate > 0.0 => Ok(rate),
        _ => Err(format!(
            "expected a positive number of records per second, like 200 or 200/s; got '{s}'"
        )),
    }
}

/// A date (`YYYY-MM-DD...`) rather than a `P:OFFSET` list.
fn looks_like_time(s: &str) -> bool {
    s.len() >= 10 && s.as_bytes()[4] == b'-'
}

/// `0:100,2:0`: partitions and offsets, each partition once.
fn parse_offsets(s: &str) -> Result<Vec<(i32, i64)>, String> {
    let usage = "expected `earliest`, an RFC 3339 time (2024-05-01T00:00:00Z) or PARTITION:OFFSET pairs (0:100,1:250)";
    let mut list: Vec<(i32, i64)> = Vec::new();
    for pair in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (p, o) = pair
            .split_once(':')
            .ok_or_else(|| format!("{usage}; got '{pair}'"))?;
        let partition: i32 = p
            .trim()
            .parse()
            .map_err(|_| format!("bad partition '{p}' in '{pair}'"))?;
        let offset: i64 = o
            .trim()
            .parse()
            .map_err(|_| format!("bad offset '{o}' in '{pair}'"))?;
        if partition < 0 || offset < 0 {
            return Err(format!(
                "partitions and offsets are not negative; got '{pair}'"
            ));
        }
        if list.iter().any(|(q, _)| *q == partition) {
            return Err(format!("partition {partition} is listed twice"));
        }
        list.push((partition, offset));
    }
    if list.is_empty() {
        return Err(format!("{usage}; got '{s}'"));
    }
    list.sort_unstable();
    Ok(list)
}

/// An RFC 3339 time with a zone (`Z` or `±HH:MM`), as ms since the epoch.
/// The zone is required: a replay window must not depend on where it runs.
pub fn parse_time_millis(s: &str) -> Result<i64, String> {
    let bad = || {
        format!("expected an RFC 3339 time with a zone, like 2024-05-01T12:00:00Z or 2024-05-01T14:00:00+02:00; got '{s}'")
    };
    let (utc, offset_secs) = split_zone(s).ok_or_else(bad)?;
    let time = humantime::parse_rfc3339(&utc).map_err(|_| bad())?;
    let millis = time
        .duration_since(UNIX_EPOCH)
        .map_err(|_| bad())?
        .as_millis();
    let millis = i64::try_from(millis).map_err(|_| bad())?;
    Ok(millis - offset_secs * 1000)
}

/// Split `...Z` / `...+02:00` into a UTC-looking string and the zone's
/// offset from UTC in seconds.
fn split_zone(s: &str) -> Option<(String, i64)> {
    if let Some(rest) = s.strip_suffix('Z').or_else(|| s.strip_suffix('z')) {
        return Some((format!("{rest}Z"), 0));
    }
    let split = s.len().checked_sub(6)?;
    let (rest, zone) = (s.get(..split)?, s.get(split..)?);
    let sign = match zone.as_bytes()[0] {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let (h, m) = zone[1..].split_once(':')?;
    let (h, m): (i64, i64) = (h.parse().ok()?, m.parse().ok()?);
    if h > 23 || m > 59 {
        return None;
    }
    Some((format!("{rest}Z"), sign * (h * 3600 + m * 60)))
}

/// Milliseconds since the epoch as an RFC 3339 UTC time.
pub fn format_millis(ms: i64) -> String {
    match u64::try_from(ms) {
        Ok(ms) => {
            humantime::format_rfc3339_millis(UNIX_EPOCH + Duration::from_millis(ms)).to_string()
        }
        Err(_) => format!("{ms} ms"),
    }
}

/// The current time in ms since the epoch.
pub fn now_millis() -> i64 {
    let since = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    i64::try_from(since.as_millis()).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_positions() {
        assert_eq!(parse_start("earliest"), Ok(Start::Earliest));
        assert_eq!(
            parse_start("1:5, 0:10"),
            Ok(Start::Offsets(vec![(0, 10), (1, 5)]))
        );
        assert_eq!(parse_start("1970-01-01T00:00:01Z"), Ok(Start::Time(1000)));
        assert!(parse_start("0:1,0:2").unwrap_err().contains("twice"));
        assert!(parse_start("latest").is_err());
        assert!(parse_start("0:-1").is_err());
        assert!(parse_start("").is_err());
    }

    #[test]
    fn times_need_a_zone_and_honour_it() {
        let utc = parse_time_millis("2024-05-01T12:00:00Z").unwrap();
        assert_eq!(parse_time_millis("2024-05-01T14:00:00+02:00"), Ok(utc));
        assert_eq!(parse_time_millis("2024-05-01T07:30:00-04:30"), Ok(utc));
        assert_eq!(parse_time_millis("2024-05-01T12:00:00.250Z"), Ok(utc + 250));
        assert!(parse_time_millis("2024-05-01T12:00:00").is_err());
        assert!(parse_time_millis("2024-05-01").is_err());
        assert_eq!(format_millis(utc + 250), "2024-05-01T12:00:00.250Z");
    }

    #[test]
    fn end_positions_and_rates() {
        assert_eq!(parse_end("end"), Ok(End::Latest));
        assert_eq!(parse_end("1970-01-01T00:00:02Z"), Ok(End::Time(2000)));
        assert!(parse_end("0:5").is_err());
        assert_eq!(parse_rate("200"), Ok(200.0));
        assert_eq!(parse_rate("2.5/s"), Ok(2.5));
        assert!(parse_rate("0").is_err());
        assert!(parse_rate("fast").is_err());
    }
}
