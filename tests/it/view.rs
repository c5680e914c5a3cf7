//! `view` and `demo`'s readable output. The HTML page is rendered by a real browser (Debian's
//! headless `chromium`, installed by `.ci/run`): a script added to a copy of the page reads every
//! highlight back from the DOM, and each must hold exactly `text[start:end]` of its mention. A
//! screenshot is left in `<target>/view/samples.png` for a person to look at.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

const SAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/samples/articles.jsonl");

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_article-enricher"))
}

fn success(mut command: Command) -> Output {
    let out = command.output().expect("the binary runs");
    assert!(
        out.status.success(),
        "{command:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// `extract`'s records of the sample articles, in a temporary directory.
fn sample_records(dir: &Path) -> PathBuf {
    let path = dir.join("records.jsonl");
    let mut command = bin();
    command.args(["extract", "-i", SAMPLES, "-o"]).arg(&path);
    success(command);
    path
}

fn lines(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Code points `start..end` of `text`, as Python's `text[start:end]`.
fn slice(text: &str, start: u64, end: u64) -> String {
    text.chars()
        .skip(start as usize)
        .take((end - start) as usize)
        .collect()
}

fn chromium() -> PathBuf {
    ["chromium", "chromium-browser"]
        .iter()
        .find_map(|name| {
            std::env::split_paths(&std::env::var_os("PATH")?)
                .map(|d| d.join(name))
                .find(|p| p.is_file())
        })
        .unwrap_or_else(|| {
            panic!("chromium is not installed: `apt-get install -y chromium` (.ci/run installs it)")
        })
}

/// Runs headless chromium on a local page with everything that could reach the network off.
fn run_chromium(args: &[String], page: &Path) -> Output {
    let profile = tempfile::tempdir().unwrap();
    let mut child = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("chromium starts");
    // A guard against a hung browser, not a timing assertion.
    let deadline = Instant::now() + Duration::from_secs(180);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("chromium did not finish within 180 s on {}", page.display());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Appended to a copy of the page: lists every highlight as the browser's DOM has it. Non-ASCII
/// and markup characters are written as JSON `\u` escapes, so the dumped DOM holds the JSON verbatim.
const DOM_CHECK: &str = r#"<script>
const esc = s => s.replace(/[^\x20-\x7e]|[<>&]/g, c => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
const pick = (sel) => [...document.querySelectorAll(sel)].map(m => ({
  article: m.closest('section').dataset.article, title: m.closest('h2') !== null,
  start: +m.dataset.start, end: +m.dataset.end, type: m.dataset.type || null,
  entity: m.dataset.entity || null, text: m.textContent }));
const out = document.createElement('pre');
out.id = 'dom-check';
out.textContent = esc(JSON.stringify({ marks: pick('section mark[data-start]'), quotes: pick('section .quote') }));
document.body.appendChild(out);
</script>"#;

fn dom_check(page: &Path) -> Value {
    let html = std::fs::read_to_string(page).unwrap();
    let checked = page.with_file_name("checked.html");
    std::fs::write(
        &checked,
        html.replace("</body>", &format!("{DOM_CHECK}</body>")),
    )
    .unwrap();
    let dom = String::from_utf8(run_chromium(&["--dump-dom".into()], &checked).stdout).unwrap();
    let start = dom
        .find("<pre id=\"dom-check\">")
        .unwrap_or_else(|| panic!("the check script did not run; DOM:\n{dom}"))
        + "<pre id=\"dom-check\">".len();
    let end = start + dom[start..].find("</pre>").unwrap();
    serde_json::from_str(&dom[start..end]).expect("the DOM check's JSON")
}

/// (article id, in title, start, end) -> (type, entity id, mention text) of every mention.
type Mentions = BTreeMap<(String, bool, u64, u64), (String, String, String)>;

fn mentions(records: &[Value]) -> Mentions {
    let mut out = BTreeMap::new();
    for r in records {
        for e in r["entities"].as_array().unwrap() {
            for m in e["mentions"].as_array().unwrap() {
                let key = (
                    r["id"].as_str().unwrap().to_owned(),
                    m["field"] == "title",
                    m["start"].as_u64().unwrap(),
                    m["end"].as_u64().unwrap(),
                );
                let value = (
                    e["type"].as_str().unwrap().to_owned(),
                    e["id"].as_str().unwrap().to_owned(),
                    m["text"].as_str().unwrap().to_owned(),
                );
                out.insert(key, value);
            }
        }
    }
    out
}

#[test]
fn html_view_puts_every_highlight_on_its_text_in_headless_chromium() {
    let dir = tempfile::tempdir().unwrap();
    let records_path = sample_records(dir.path());
    let page = dir.path().join("samples.html");
    let mut command = bin();
    command
        .arg("view")
        .arg(&records_path)
        .args(["--articles", SAMPLES, "--html"])
        .arg(&page);
    success(command);

    let html = std::fs::read_to_string(&page).unwrap();
    for external in [
        "http://", "https://", "<link", "<script", "<img", "url(", "@import",
    ] {
        assert!(
            !html.contains(external),
            "the page must be self-contained: found {external}"
        );
    }

    let records = lines(&records_path);
    let texts: HashMap<String, (String, String)> = lines(Path::new(SAMPLES))
        .into_iter()
        .map(|a| {
            let id = a["id"].as_str().unwrap().to_owned();
            let title = a["title"].as_str().unwrap_or_default().to_owned();
            (id, (a["text"].as_str().unwrap().to_owned(), title))
        })
        .collect();
    let expected = mentions(&records);
    assert!(expected.len() > 50, "the samples have many mentions");

    let dom = dom_check(&page);
    let marks = dom["marks"].as_array().unwrap();
    let mut seen = Mentions::new();
    for m in marks {
        let id = m["article"].as_str().unwrap().to_owned();
        let (start, end) = (m["start"].as_u64().unwrap(), m["end"].as_u64().unwrap());
        let (text, title) = &texts[&id];
        let source = if m["title"].as_bool().unwrap() {
            title
        } else {
            text
        };
        let shown = m["text"].as_str().unwrap();
        assert_eq!(
            shown,
            slice(source, start, end),
            "{id} {start}..{end}: highlight vs text[start:end]"
        );
        seen.insert(
            (id, m["title"].as_bool().unwrap(), start, end),
            (
                m["type"].as_str().unwrap().to_owned(),
                m["entity"].as_str().unwrap().to_owned(),
                shown.to_owned(),
            ),
        );
    }
    assert_eq!(marks.len(), seen.len(), "one highlight per mention");
    assert_eq!(
        seen, expected,
        "the highlights are exactly the records' mentions, with their types"
    );

    let quotes = dom["quotes"].as_array().unwrap();
    let quote_count: usize = records
        .iter()
        .map(|r| r["quotes"].as_array().unwrap().len())
        .sum();
    assert_eq!(quotes.len(), quote_count, "every quote is marked");
    for q in quotes {
        let (text, _) = &texts[q["article"].as_str().unwrap()];
        let (start, end) = (q["start"].as_u64().unwrap(), q["end"].as_u64().unwrap());
        assert_eq!(q["text"].as_str().unwrap(), slice(text, start, end));
    }

    let shots = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .unwrap()
        .join("view");
    std::fs::create_dir_all(&shots).unwrap();
    let png = shots.join("samples.png");
    let _ = std::fs::remove_file(&png);
    let shot_args = [
        format!("--screenshot={}", png.display()),
        "--window-size=1280,4000".into(),
    ];
    run_chromium(&shot_args, &page);
    let bytes =
        std::fs::read(&png).unwrap_or_else(|e| panic!("no screenshot at {}: {e}", png.display()));
    assert!(
        bytes.starts_with(b"\x89PNG") && bytes.len() > 10_000,
        "{} is not a page",
        png.display()
    );
    eprintln!("screenshot: {}", png.display());
}

#[test]
fn comparison_shows_what_was_added_and_lost() {
    let dir = tempfile::tempdir().unwrap();
    let new_path = sample_records(dir.path());
    // The "old" set: the seed article without its first entity and its last quote.
    let mut old = lines(&new_path);
    let lost_entity = old[0]["entities"].as_array_mut().unwrap().remove(0);
    let lost_quote = old[0]["quotes"].as_array_mut().unwrap().pop().unwrap();
    let old_path = dir.path().join("old.jsonl");
    let old_text: Vec<String> = old.iter().map(|r| r.to_string()).collect();
    std::fs::write(&old_path, old_text.join("\n")).unwrap();

    let mut command = bin();
    command
        .args(["view", "--compare"])
        .arg(&old_path)
        .arg(&new_path);
    let report = String::from_utf8(success(command).stdout).unwrap();
    let name = format!(
        "+ entity {} {}",
        lost_entity["type"].as_str().unwrap(),
        lost_entity["name"].as_str().unwrap()
    );
    assert!(report.contains(&name), "{report}");
    assert!(
        report.contains(&format!(
            "+ quote “{}”",
            lost_quote["text"].as_str().unwrap()
        )),
        "{report}"
    );
    assert!(report.contains("5 articles unchanged"), "{report}");

    let page = dir.path().join("diff.html");
    let mut command = bin();
    command
        .args(["view", "--compare"])
        .arg(&old_path)
        .arg(&new_path);
    command.args(["--articles", SAMPLES, "--html"]).arg(&page);
    success(command);
    let html = std::fs::read_to_string(&page).unwrap();
    let added = html.matches("data-diff=\"added\"").count();
    let mentions = lost_entity["mentions"].as_array().unwrap();
    let body_mentions = mentions.iter().filter(|m| m["field"] != "title").count();
    assert_eq!(
        added,
        body_mentions + 1,
        "the entity's mentions and the quote, marked added"
    );
    assert_eq!(html.matches("data-diff=\"lost\"").count(), 0);
}

#[test]
fn terminal_view_is_plain_when_piped_and_coloured_on_request() {
    let dir = tempfile::tempdir().unwrap();
    let records = sample_records(dir.path());
    let view = |args: &[&str], no_color: bool| {
        let mut command = bin();
        command.arg("view").arg(&records).args(args);
        if no_color {
            command.env("NO_COLOR", "1");
        } else {
            command.env_remove("NO_COLOR");
        }
        String::from_utf8(success(command).stdout).unwrap()
    };
    let plain = view(&[], false);
    assert!(!plain.contains('\x1b'), "piped output has no escape codes");
    assert!(plain
        .starts_with("Lavrov invites Trump to Syria peace talks in Astana [seed-lavrov-astana]\n"));
    assert!(plain.contains("  PERSON        Sergey Lavrov ×"), "{plain}");
    assert!(
        plain.contains("— Lavrov → Sergey Lavrov · cue “said”"),
        "{plain}"
    );
    assert!(
        plain.contains("warning:"),
        "the German article's warning is shown"
    );
    assert!(view(&["--color", "always"], false).contains("\x1b[34mSergey Lavrov\x1b[0m"));
    assert!(!view(&["--color", "auto"], true).contains('\x1b'));
}

#[test]
fn demo_shows_the_readable_view_by_default() {
    let out = success({
        let mut c = bin();
        c.arg("demo");
        c
    });
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        !text.contains("\"schema_version\""),
        "no raw JSON without --json"
    );
    let titles: Vec<String> = lines(Path::new(SAMPLES))
        .iter()
        .map(|a| a["title"].as_str().unwrap().to_owned())
        .collect();
    let mut at = 0;
    for title in &titles {
        let found = text[at..]
            .find(title.as_str())
            .unwrap_or_else(|| panic!("{title} missing, or out of order:\n{text}"));
        at += found;
    }
    assert!(text.contains("quotes"), "{text}");
}

/// `examples/top-speakers.jq` (the README's analytics example) on `extract`'s records of the samples
/// plus the seed article republished by a second outlet, checked against the same count done here.
#[test]
fn analytics_example_ranks_speakers_with_their_outlets() {
    let jq = std::env::split_paths(&std::env::var_os("PATH").unwrap())
        .map(|d| d.join("jq"))
        .find(|p| p.is_file())
        .unwrap_or_else(|| {
            panic!("jq is not installed: `apt-get install -y jq` (.ci/run installs it)")
        });
    let dir = tempfile::tempdir().unwrap();
    let samples = std::fs::read_to_string(SAMPLES).unwrap();
    let mut wire: Value = serde_json::from_str(samples.lines().next().unwrap()).unwrap();
    wire["id"] = "wire-lavrov-astana".into();
    wire["source"] = "wire".into();
    let articles = dir.path().join("articles.jsonl");
    std::fs::write(&articles, format!("{}{wire}\n", samples)).unwrap();
    let records = dir.path().join("records.jsonl");
    let mut command = bin();
    command
        .args(["extract", "-i"])
        .arg(&articles)
        .arg("-o")
        .arg(&records);
    success(command);

    let mut command = Command::new(jq);
    command.args(["-s", "-r", "-f"]);
    command.arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/top-speakers.jq"));
    command.arg(&records);
    let out = String::from_utf8(success(command).stdout).unwrap();
    let rows: Vec<(usize, String, String)> = out
        .lines()
        .map(|l| {
            let mut cols = l.split('\t');
            let n = cols.next().unwrap().parse().unwrap();
            (
                n,
                cols.next().unwrap().to_owned(),
                cols.next().unwrap().to_owned(),
            )
        })
        .collect();

    // The same question answered directly from the records.
    let mut by_speaker: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
    for r in lines(&records) {
        for q in r["quotes"].as_array().unwrap() {
            let Some(id) = q["speaker"]["entity_id"].as_str() else {
                continue;
            };
            let entity = r["entities"]
                .as_array()
                .unwrap()
                .iter()
                .find(|e| e["id"] == id)
                .unwrap();
            let outlet = r["publisher"].as_str().unwrap().to_owned();
            *by_speaker
                .entry(entity["name"].as_str().unwrap().to_owned())
                .or_default()
                .entry(outlet)
                .or_default() += 1;
        }
    }
    assert_eq!(rows.len(), by_speaker.len(), "{out}");
    for (i, (n, speaker, outlets)) in rows.iter().enumerate() {
        let expected = &by_speaker[speaker];
        assert_eq!(*n, expected.values().sum::<usize>(), "{speaker}");
        for (outlet, count) in expected {
            assert!(
                outlets.contains(&format!("{outlet} ({count})")),
                "{speaker}: {outlets}"
            );
        }
        if let Some((next, _, _)) = rows.get(i + 1) {
            assert!(n >= next, "most quoted first:\n{out}");
        }
    }
    assert_eq!(rows[0].1, "Sergey Lavrov", "{out}");
    // The seed article came from two outlets: the same count for each.
    let lavrov = &by_speaker["Sergey Lavrov"];
    assert_eq!(lavrov.get("seed"), lavrov.get("wire"), "{out}");
    assert!(lavrov.get("seed").is_some(), "{out}");
}
