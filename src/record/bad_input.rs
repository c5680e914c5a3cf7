//! Why an input message cannot be enriched: the DLQ's reasons.
//!
//! The kind (`enricher.error.kind`, the `kind` metrics label) is what callers
//! branch on; the message (`enricher.error.message`) is for the person who
//! fixes the producer, so it names the field and says what was wrong with it.

/// Why an input message cannot be enriched. Each variant is a DLQ reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadInput {
    #[error("message has no payload")]
    Empty,
    #[error("payload is not valid UTF-8: {0}")]
    InvalidUtf8(String),
    /// The whole message, from [`json_error`] or [`trailing_characters`].
    #[error("{0}")]
    InvalidJson(String),
    #[error("payload is JSON but not an object: it is {0}")]
    NotAnObject(&'static str),
    #[error("article has no `text` (or `body`/`content`) field, or it is null")]
    MissingText,
    /// `key` as the producer wrote it: `text`, `body` or `content`.
    #[error("article field `{key}` must be a string (the article's text), not {found}")]
    TextNotString { key: String, found: &'static str },
    /// A known field given twice. Kept apart from `bad_field` because it is
    /// a different producer bug (objects merged or concatenated), and one a
    /// DLQ consumer may choose to repair by keeping one of the two.
    #[error(
        "article field `{field}` appears twice{}",
        alias_note(field, first, second)
    )]
    DuplicateField {
        field: &'static str,
        first: String,
        second: String,
    },
    #[error("article field `{field}` must be {expected}, not {found}")]
    BadField {
        field: &'static str,
        expected: &'static str,
        found: &'static str,
    },
    #[error("article is {size} bytes, over the limit of {limit} bytes")]
    TooLarge { size: usize, limit: usize },
    /// The extractor failed on this article (a bug): kept for inspection.
    #[error("internal error while enriching: {0}")]
    Internal(String),
}

fn alias_note(field: &str, first: &str, second: &str) -> String {
    let written = |key: &str| {
        if key == field {
            format!("`{key}`")
        } else {
            format!("its alias `{key}`")
        }
    };
    if first != second {
        format!(", as {} and as {}", written(first), written(second))
    } else if first != field {
        format!(", as {} both times", written(first))
    } else {
        String::new()
    }
}

impl BadInput {
    /// Short stable name, used as a metrics label and in the DLQ header
    /// `enricher.error.kind`.
    pub fn kind(&self) -> &'static str {
        match self {
            BadInput::Empty => "empty",
            BadInput::InvalidUtf8(_) => "invalid_utf8",
            BadInput::InvalidJson(_) => "invalid_json",
            BadInput::NotAnObject(_) => "not_an_object",
            BadInput::MissingText => "missing_text",
            BadInput::TextNotString { .. } => "text_not_string",
            BadInput::DuplicateField { .. } => "duplicate_field",
            BadInput::BadField { .. } => "bad_field",
            BadInput::TooLarge { .. } => "too_large",
            BadInput::Internal(_) => "internal_error",
        }
    }

    /// Every kind, for pre-registering metric labels.
    pub const KINDS: [&'static str; 10] = [
        "empty",
        "invalid_utf8",
        "invalid_json",
        "not_an_object",
        "missing_text",
        "text_not_string",
        "duplicate_field",
        "bad_field",
        "too_large",
        "internal_error",
    ];
}

/// Where the payload stops being UTF-8, and a likely cause.
pub fn utf8_error(bytes: &[u8], e: std::str::Utf8Error) -> BadInput {
    let at = e.valid_up_to();
    BadInput::InvalidUtf8(match e.error_len() {
        Some(_) => format!(
            "byte 0x{:02x} at offset {at} is not part of a UTF-8 character \
             (JSON must be UTF-8; was it sent as Latin-1 or Windows-1252?)",
            bytes[at]
        ),
        None => format!("it ends inside a UTF-8 character at offset {at} (truncated?)"),
    })
}

/// serde_json's syntax errors already say what was expected and where; two
/// of them are reworded because they are not what "not valid JSON" suggests.
pub fn json_error(e: &serde_json::Error) -> BadInput {
    let at = format!("line {} column {}", e.line(), e.column());
    let message = e.to_string();
    BadInput::InvalidJson(if message.starts_with("recursion limit exceeded") {
        format!("payload is nested more than 128 levels deep, the JSON parser's limit (at {at})")
    } else if e.is_eof() {
        format!("payload is not valid JSON: {message} (truncated?)")
    } else {
        format!("payload is not valid JSON: {message}")
    })
}

/// Something after the article's closing brace.
pub fn trailing_characters(e: &serde_json::Error) -> BadInput {
    BadInput::InvalidJson(format!(
        "payload is not valid JSON: more follows the article's closing `}}`, at line {} column {} \
         (two articles in one message?)",
        e.line(),
        e.column()
    ))
}
