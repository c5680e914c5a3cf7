//! `article-enricher eval-entities --conll FILE`: runs the full extractor
//! (as `extract` does) on each CoNLL document and prints the numbers of
//! `../shared/eval/score_entities.py`.
use std::collections::BTreeSet;
use std::path::PathBuf;

use super::conll::{read_conll, ConllDoc};
use super::score::{Scored, Scorer};
use crate::extract::{analyze, Document, EntityType, Field};

#[derive(Debug, clap::Args)]
pub struct EvalEntitiesArgs {
    /// A CoNLL-2003 file (e.g. ../shared/data/conll2003/valid.txt).
    #[arg(long)]
    pub conll: PathBuf,
}

pub fn run(args: &EvalEntitiesArgs) -> anyhow::Result<()> {
    let docs = read_conll(&args.conll)?;
    let scorer = score_docs(&docs, |text| {
        let analysis = analyze(&Document {
            text,
            title: None,
            language: None,
        });
        analysis
            .entities
            .iter()
            .flat_map(|e| {
                e.mentions
                    .iter()
                    .filter(|m| m.field == Field::Text)
                    .map(move |m| (m.span.start, m.span.end, type_index(e.kind)))
            })
            .collect()
    });
    println!("{}", serde_json::to_string_pretty(&scorer.report())?);
    Ok(())
}

/// Scores `predict` (code point spans of one article's text) on `docs`.
pub fn score_docs(docs: &[ConllDoc], mut predict: impl FnMut(&str) -> BTreeSet<Scored>) -> Scorer {
    let mut scorer = Scorer::default();
    for doc in docs {
        let gold: BTreeSet<Scored> = doc
            .spans
            .iter()
            .map(|s| (s.char_start, s.char_end, s.kind))
            .collect();
        scorer.add(&gold, &predict(&doc.text));
    }
    scorer
}

pub fn type_index(kind: EntityType) -> usize {
    match kind {
        EntityType::Person => 0,
        EntityType::Organization => 1,
        EntityType::Location => 2,
        EntityType::Misc => 3,
    }
}
