//! `view`: enriched records shown for people, in the terminal or as an HTML page.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufRead, BufReader, IsTerminal, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use clap::{Args, ValueEnum};

use crate::view::records::{read_records, read_texts, Record};
use crate::view::terminal::{self, Style};
use crate::view::{diff, html};

pub const HELP: &str = "\
Records hold offsets (Unicode code points) into the article text, not the text itself. To see the \
text with the findings highlighted, give the articles the records were made from with --articles \
(the JSONL given to `extract` or produced to the input topic): they are matched by id, and an \
article without an id by its line number, as `extract` names it (`line-N`). Without --articles the \
page shows each article's entities and quotes as lists. A span that does not match the text it \
claims (records made from another version of the article) is listed under its article, not drawn.

Examples:
  article-enricher extract -i samples/articles.jsonl > records.jsonl
  article-enricher view records.jsonl
  article-enricher view records.jsonl --articles samples/articles.jsonl --html page.html
  article-enricher view --compare old.jsonl new.jsonl
  article-enricher view --compare old.jsonl new.jsonl --articles a.jsonl --html diff.html";

#[derive(Debug, Clone, Args)]
pub struct ViewArgs {
    /// Enriched records, one JSON object per line: the output of `extract`, or a topic dumped with
    /// any consumer [default: stdin].
    #[arg(value_name = "RECORDS", conflicts_with = "compare")]
    pub records: Option<PathBuf>,

    /// Write one self-contained HTML page (no network, no external assets) here instead of printing
    /// a summary.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,

    /// The articles the records were made from (JSONL): their text, matched by id, is shown with
    /// entity mentions and quotes highlighted.
    #[arg(long, value_name = "FILE")]
    pub articles: Option<PathBuf>,

    /// Compare two record sets of the same articles: what was added or lost, per article.
    #[arg(long, num_args = 2, value_names = ["OLD", "NEW"])]
    pub compare: Option<Vec<PathBuf>>,

    /// Colour the terminal view: `auto` colours when stdout is a terminal and `NO_COLOR` is unset.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// The terminal style for stdout: see <https://no-color.org>.
pub fn style(choice: ColorChoice) -> Style {
    let color = match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    };
    Style { color }
}

pub fn run(args: &ViewArgs) -> anyhow::Result<()> {
    let texts = match &args.articles {
        Some(path) => read_texts(open(path)?, &path.display().to_string())?,
        None => HashMap::new(),
    };
    let output = match &args.compare {
        Some(files) => {
            let [old, new] = files.as_slice() else {
                bail!("--compare takes two files: OLD NEW");
            };
            let (old, new) = (records_from(Some(old))?, records_from(Some(new))?);
            match args.html {
                Some(_) => diff::page(&old, &new, &texts),
                None => diff::report(&old, &new),
            }
        }
        None => {
            let records = records_from(args.records.as_deref())?;
            match args.html {
                Some(_) => html::page(&records, &texts),
                None => terminal::render(&records, style(args.color)),
            }
        }
    };
    match &args.html {
        Some(path) => {
            std::fs::write(path, output)
                .with_context(|| format!("cannot write {}", path.display()))?;
            eprintln!("wrote {}", path.display());
        }
        None => io::stdout().lock().write_all(output.as_bytes())?,
    }
    Ok(())
}

fn open(path: &Path) -> anyhow::Result<Box<dyn BufRead>> {
    if path == Path::new("-") {
        return Ok(Box::new(io::stdin().lock()));
    }
    let file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    Ok(Box::new(BufReader::new(file)))
}

fn records_from(path: Option<&Path>) -> anyhow::Result<Vec<Record>> {
    let path = path.unwrap_or(Path::new("-"));
    let name = if path == Path::new("-") {
        "stdin".to_owned()
    } else {
        path.display().to_string()
    };
    read_records(open(path)?, &name)
}
