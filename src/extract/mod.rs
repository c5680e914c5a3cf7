//! The extraction core: text in, entities and quotes out.
//!
//! Invariants (see ARCHITECTURE.md):
//! - Pure: no Kafka types, no I/O, no global mutable state. The embedded model
//!   is loaded once, lazily, from bytes compiled into the binary.
//! - Total: [`analyze`] never panics, whatever the input string.
//! - Offsets: internally every stage works on UTF-8 *byte* offsets into the
//!   text (cheap slicing); [`analyze`] converts them once, at the end, to
//!   Unicode *code point* offsets, which is what the public types carry.
//! - Deterministic: the same input gives the same output, byte for byte.

pub(crate) mod entities;
mod language;
pub(crate) mod offsets;
pub(crate) mod quotes;

pub use language::detect_language;

/// Names the models inside this build; goes into every record's `extractor`
/// (with [`Attributions::All`], the default).
pub const MODEL: &str = "ner-perceptron-conll03-v4+quotes-rules-v1+reported-rules-v2";

/// The model name of records made with [`Attributions::Quoted`]: the same
/// as before reported speech existed, since those records are too.
pub const MODEL_QUOTED: &str = "ner-perceptron-conll03-v4+quotes-rules-v1";

/// Which attributions [`analyze_with`] reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Attributions {
    /// Quotations only (`direct`, `partial`): the records of before issue 15.
    Quoted,
    /// Quotations and reported speech (`indirect`).
    #[default]
    All,
}

impl Attributions {
    /// The `extractor.model` of records made with this setting.
    pub fn model(self) -> &'static str {
        match self {
            Attributions::Quoted => MODEL_QUOTED,
            Attributions::All => MODEL,
        }
    }
}

/// What an article gives the extractor.
#[derive(Debug, Clone, Copy, Default)]
pub struct Document<'a> {
    pub text: &'a str,
    pub title: Option<&'a str>,
    /// The `language` field of the input, if it had one (e.g. "en", "de").
    pub language: Option<&'a str>,
}

/// Everything found in one article. Offsets are code point offsets.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Analysis {
    /// ISO 639-1 code of the article's language ("en", ...) when known.
    pub language: Option<String>,
    pub entities: Vec<Entity>,
    pub quotes: Vec<Quote>,
    /// Human-readable notes on why something was not extracted.
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EntityType {
    Person,
    Organization,
    Location,
    Misc,
}

/// Which field of the article a mention was found in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    Text,
    Title,
}

/// A half-open range `[start, end)` of code points (public) or bytes (inside
/// the core), with the covered text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    pub start: usize,
    pub end: usize,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Mention {
    pub field: Field,
    pub span: Span,
}

/// One real-world thing named in the article: all its mentions grouped.
#[derive(Debug, Clone, PartialEq)]
pub struct Entity {
    /// The fullest form the article uses ("Sergey Lavrov", not "Lavrov").
    pub name: String,
    pub kind: EntityType,
    /// In `[0, 1]`; how central the entity is to the article.
    pub salience: f32,
    /// Ordered by field (text first) then start.
    pub mentions: Vec<Mention>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuoteKind {
    /// The quote is the reported speech itself.
    Direct,
    /// A quoted fragment inside the reporter's own sentence.
    Partial,
    /// Reported speech without quotation marks ("Lavrov said he is ready").
    Indirect,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Speaker {
    pub span: Span,
    /// Index into [`Analysis::entities`] of the speaker's entity, if linked.
    pub entity: Option<usize>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Quote {
    pub kind: QuoteKind,
    /// The quoted words without the quotation marks (in `text`); for
    /// `Indirect`, the reported clause without its cue and speaker.
    pub span: Span,
    /// A partial quote inside a reported clause (a mixed quote): the whole
    /// clause, quoted words included, which is the attribution's content.
    pub clause: Option<Span>,
    pub speaker: Option<Speaker>,
    pub cue: Option<Span>,
}

/// Extract entities and every attribution from one article. Never panics.
pub fn analyze(doc: &Document<'_>) -> Analysis {
    analyze_with(doc, Attributions::All)
}

/// [`analyze`], reporting the attributions `scope` asks for.
pub fn analyze_with(doc: &Document<'_>, scope: Attributions) -> Analysis {
    let language = detect_language(doc.text, doc.language);
    if let Some(lang) = language.as_deref() {
        if lang != "en" {
            return Analysis {
                warnings: vec![format!(
                    "language '{lang}' is not supported: entities and quotes are extracted from English text only"
                )],
                language,
                ..Analysis::default()
            };
        }
    }
    let mut analysis = analyze_english(doc, scope);
    analysis.language = language;
    analysis
}

/// A half-open byte range `[start, end)` into one field's text. Only the
/// core sees these; [`analyze`] turns them into code point [`Span`]s.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct ByteSpan {
    pub start: usize,
    pub end: usize,
}

/// An entity as the recogniser hands it on: mentions in byte offsets.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct EntityGroup {
    pub name: String,
    pub kind: EntityType,
    pub salience: f32,
    /// Ordered by field (text first) then start.
    pub mentions: Vec<(Field, ByteSpan)>,
}

/// A quote as the quote finder hands it on: byte offsets into the text.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FoundQuote {
    pub kind: QuoteKind,
    pub content: ByteSpan,
    /// The speaker's words and the index of their [`EntityGroup`], if any.
    pub speaker: Option<(ByteSpan, Option<usize>)>,
    pub cue: Option<ByteSpan>,
    /// See [`Quote::clause`].
    pub clause: Option<ByteSpan>,
}

/// The English pipeline, on byte offsets, converted to code points at the end.
fn analyze_english(doc: &Document<'_>, scope: Attributions) -> Analysis {
    let groups = entities::find_entities(doc.text, doc.title.unwrap_or(""));
    let mut quotes = quotes::find_quotes(doc.text, &groups);
    if scope == Attributions::All {
        quotes::add_reported(doc.text, &groups, &mut quotes);
    }

    let text_map = offsets::ByteToChar::new(doc.text);
    let title = doc.title.unwrap_or("");
    let title_map = offsets::ByteToChar::new(title);
    let span = |field: Field, b: ByteSpan| {
        let (source, map) = match field {
            Field::Text => (doc.text, &text_map),
            Field::Title => (title, &title_map),
        };
        let (start, end) = map.span(b);
        Span {
            start,
            end,
            text: source.get(b.start..b.end).unwrap_or("").to_owned(),
        }
    };
    let entities = groups
        .into_iter()
        .map(|g| Entity {
            name: g.name,
            kind: g.kind,
            salience: g.salience,
            mentions: g
                .mentions
                .into_iter()
                .map(|(field, b)| Mention {
                    field,
                    span: span(field, b),
                })
                .collect(),
        })
        .collect();
    let quotes = quotes
        .into_iter()
        .map(|q| Quote {
            kind: q.kind,
            span: span(Field::Text, q.content),
            speaker: q.speaker.map(|(b, entity)| Speaker {
                span: span(Field::Text, b),
                entity,
            }),
            cue: q.cue.map(|b| span(Field::Text, b)),
            clause: q.clause.map(|b| span(Field::Text, b)),
        })
        .collect();
    Analysis {
        entities,
        quotes,
        ..Analysis::default()
    }
}
