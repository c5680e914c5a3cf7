//! The input article: from a message payload to checked, decoded fields.
//!
//! Parsing is done by hand over serde_json's raw values rather than with a
//! derived `Deserialize`, so that every problem is found by this code and
//! reported with its own kind and a message naming the field: a derived
//! struct reports a duplicated key or a wrong type as one opaque serde error.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserialize, IgnoredAny, MapAccess, Visitor};
use serde_json::value::RawValue;

use super::bad_input::{json_error, trailing_characters, utf8_error, BadInput};
use super::surrogates;

/// A payload that is UTF-8 text within the size limit, ready to parse.
#[derive(Debug)]
pub struct Payload<'a> {
    json: Cow<'a, str>,
    /// Lone surrogate escapes replaced by U+FFFD (see `surrogates`).
    repaired: usize,
}

/// Check a message payload's size and encoding. `limit` is the maximum
/// payload size in bytes.
pub fn read_payload(payload: Option<&[u8]>, limit: usize) -> Result<Payload<'_>, BadInput> {
    let bytes = payload.filter(|p| !p.is_empty()).ok_or(BadInput::Empty)?;
    if bytes.len() > limit {
        return Err(BadInput::TooLarge {
            size: bytes.len(),
            limit,
        });
    }
    let json = std::str::from_utf8(bytes).map_err(|e| utf8_error(bytes, e))?;
    // RFC 8259 forbids sending a byte order mark but lets parsers ignore one;
    // it says nothing about the article, so it is dropped without a warning.
    let json = json.strip_prefix('\u{feff}').unwrap_or(json);
    Ok(match surrogates::repair(json) {
        Some((fixed, repaired)) => Payload {
            json: Cow::Owned(fixed),
            repaired,
        },
        None => Payload {
            json: Cow::Borrowed(json),
            repaired: 0,
        },
    })
}

/// A parsed article, its strings borrowed from the payload where they had no
/// escapes.
#[derive(Debug)]
pub struct ParsedArticle<'a> {
    pub id: Option<Cow<'a, str>>,
    pub text: Cow<'a, str>,
    pub title: Option<Cow<'a, str>>,
    pub url: Option<Cow<'a, str>>,
    pub source: Option<Cow<'a, str>>,
    pub published_at: Option<Cow<'a, str>>,
    pub language: Option<Cow<'a, str>>,
    /// What was repaired in the input, for the record's `warnings`.
    pub warnings: Vec<String>,
}

/// The fields an article may have, each with the keys that give it.
const FIELDS: [(&str, &[&str]); 7] = [
    ("id", &["id"]),
    ("text", &["text", "body", "content"]),
    ("title", &["title"]),
    ("url", &["url"]),
    ("source", &["source"]),
    ("published_at", &["published_at"]),
    ("language", &["language"]),
];

/// Parse and validate one article.
pub fn parse_article<'a>(payload: &'a Payload<'_>) -> Result<ParsedArticle<'a>, BadInput> {
    let json: &'a str = &payload.json;
    let fields = raw_fields(json)?;
    if let Some((slot, first, second)) = fields.duplicate {
        return Err(BadInput::DuplicateField {
            field: FIELDS[slot].0,
            first: first.into_owned(),
            second: second.into_owned(),
        });
    }
    let [id, text, title, url, source, published_at, language] = fields.values;
    let text = match text {
        Some((_, raw)) if kind_of(raw) == Kind::String => decode(raw)?,
        Some((_, raw)) if kind_of(raw) == Kind::Null => return Err(BadInput::MissingText),
        None => return Err(BadInput::MissingText),
        Some((key, raw)) => {
            return Err(BadInput::TextNotString {
                key: key.into_owned(),
                found: kind_of(raw).name(),
            })
        }
    };
    let warnings = match payload.repaired {
        0 => Vec::new(),
        n => vec![format!(
            "replaced {n} lone UTF-16 surrogate escape{} (half of a \\ud800-\\udfff pair) with U+FFFD",
            if n == 1 { "" } else { "s" }
        )],
    };
    Ok(ParsedArticle {
        id: id_field(id)?,
        text,
        title: optional_string(title, "title")?,
        url: optional_string(url, "url")?,
        source: optional_string(source, "source")?,
        published_at: optional_string(published_at, "published_at")?,
        language: optional_string(language, "language")?,
        warnings,
    })
}

/// The object's known fields as raw JSON, or why the payload is not one.
fn raw_fields(json: &str) -> Result<RawFields<'_>, BadInput> {
    if !json.trim_start().starts_with('{') {
        // Tell "valid JSON of the wrong shape" apart from "not JSON at all".
        return Err(match serde_json::from_str::<&RawValue>(json) {
            Ok(raw) => BadInput::NotAnObject(kind_of(raw).name()),
            Err(e) => json_error(&e),
        });
    }
    let mut de = serde_json::Deserializer::from_str(json);
    let fields = RawFields::deserialize(&mut de).map_err(|e| json_error(&e))?;
    de.end().map_err(|e| trailing_characters(&e))?;
    Ok(fields)
}

/// Ids are strings, but producers often send numbers: a number's id is its
/// JSON text as written, so `12345678901234567890` is not rounded to a float.
fn id_field<'a>(raw: Option<RawField<'a>>) -> Result<Option<Cow<'a, str>>, BadInput> {
    let Some((_, raw)) = raw else { return Ok(None) };
    match kind_of(raw) {
        Kind::Null => Ok(None),
        Kind::String => decode(raw).map(Some),
        Kind::Number => Ok(Some(Cow::Borrowed(raw.get()))),
        found => Err(BadInput::BadField {
            field: "id",
            expected: "a string or a number",
            found: found.name(),
        }),
    }
}

fn optional_string<'a>(
    raw: Option<RawField<'a>>,
    field: &'static str,
) -> Result<Option<Cow<'a, str>>, BadInput> {
    let Some((_, raw)) = raw else { return Ok(None) };
    match kind_of(raw) {
        Kind::Null => Ok(None),
        Kind::String => decode(raw).map(Some),
        found => Err(BadInput::BadField {
            field,
            expected: "a string or null",
            found: found.name(),
        }),
    }
}

/// Decode a raw JSON string, borrowing it when it has no escapes.
fn decode<'a>(raw: &'a RawValue) -> Result<Cow<'a, str>, BadInput> {
    // Lone surrogates, the one thing a raw value accepts and a `str` does
    // not, were repaired in `read_payload`.
    serde_json::from_str::<Str<'a>>(raw.get())
        .map(|s| s.0)
        .map_err(|e| BadInput::InvalidJson(format!("payload is not valid JSON: in a string: {e}")))
}

/// A string that borrows from the input when it can (a plain `Cow<str>`
/// always copies).
#[derive(serde::Deserialize)]
#[serde(transparent)]
struct Str<'a>(#[serde(borrow)] Cow<'a, str>);

/// What a JSON value is, from its first byte (raw values start at the value).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    String,
    Number,
    Boolean,
    Null,
    Array,
    Object,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::String => "a string",
            Kind::Number => "a number",
            Kind::Boolean => "a boolean",
            Kind::Null => "null",
            Kind::Array => "an array",
            Kind::Object => "an object",
        }
    }
}

fn kind_of(raw: &RawValue) -> Kind {
    match raw.get().trim_start().as_bytes().first() {
        Some(b'"') => Kind::String,
        Some(b't' | b'f') => Kind::Boolean,
        Some(b'n') => Kind::Null,
        Some(b'[') => Kind::Array,
        Some(b'{') => Kind::Object,
        _ => Kind::Number,
    }
}

/// A known field's value: the key as written, and the raw JSON value.
type RawField<'a> = (Cow<'a, str>, &'a RawValue);

/// The known fields of an article object, not yet decoded.
#[derive(Default)]
struct RawFields<'a> {
    values: [Option<RawField<'a>>; FIELDS.len()],
    /// The first known field given twice: slot, first key, second key.
    duplicate: Option<(usize, Cow<'a, str>, Cow<'a, str>)>,
}

impl<'de> Deserialize<'de> for RawFields<'de> {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(FieldsVisitor)
    }
}

struct FieldsVisitor;

impl<'de> Visitor<'de> for FieldsVisitor {
    type Value = RawFields<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an article object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut fields = RawFields::default();
        while let Some(Str(key)) = map.next_key::<Str<'de>>()? {
            let Some(slot) = FIELDS.iter().position(|(_, keys)| keys.contains(&&*key)) else {
                map.next_value::<IgnoredAny>()?;
                continue;
            };
            let value: &'de RawValue = map.next_value()?;
            match &fields.values[slot] {
                None => fields.values[slot] = Some((key, value)),
                // Read on: a syntax error further on is the deeper problem.
                Some((first, _)) => {
                    if fields.duplicate.is_none() {
                        fields.duplicate = Some((slot, first.clone(), key));
                    }
                }
            }
        }
        Ok(fields)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMIT: usize = 1 << 20;

    /// Test payloads live for the whole test run, as the parsed article may
    /// borrow from them.
    fn parse(json: &'static [u8]) -> Result<ParsedArticle<'static>, BadInput> {
        let payload = Box::leak(Box::new(read_payload(Some(json), LIMIT)?));
        parse_article(payload)
    }

    /// The kind and the message of a bad payload.
    fn bad(json: &'static [u8]) -> (&'static str, String) {
        let e = parse(json).expect_err("bad input");
        (e.kind(), e.to_string())
    }

    #[test]
    fn parses_aliases_and_borrowed_fields() {
        let a = parse(br#"{"id":"a1","body":"Hello \"there\"","title":"T"}"#).unwrap();
        assert_eq!(a.text, "Hello \"there\"");
        assert_eq!(a.id.as_deref(), Some("a1"));
        assert!(matches!(a.title, Some(Cow::Borrowed("T"))));
        assert!(a.warnings.is_empty());
        let b = parse(br#"{"id":7,"content":"x","url":null,"extra":{"text":1}}"#).unwrap();
        assert_eq!(b.id.as_deref(), Some("7"));
        assert!(matches!(b.text, Cow::Borrowed("x")));
        assert_eq!(b.url, None);
    }

    #[test]
    fn classifies_every_kind_of_bad_input() {
        let kind = |p: Option<&[u8]>| {
            read_payload(p, 64)
                .and_then(|p| parse_article(&p).map(|_| ()))
                .unwrap_err()
                .kind()
        };
        assert_eq!(kind(None), "empty");
        assert_eq!(kind(Some(b"")), "empty");
        assert_eq!(kind(Some(b"{\"text\":\"\xff\"}")), "invalid_utf8");
        assert_eq!(kind(Some(b"{\"text\": ")), "invalid_json");
        assert_eq!(kind(Some(b"not json")), "invalid_json");
        assert_eq!(kind(Some(b"[1,2]")), "not_an_object");
        assert_eq!(kind(Some(b"{\"title\":\"x\"}")), "missing_text");
        assert_eq!(kind(Some(b"{\"text\":42}")), "text_not_string");
        assert_eq!(
            kind(Some(b"{\"text\":\"a\",\"text\":\"b\"}")),
            "duplicate_field"
        );
        assert_eq!(kind(Some(b"{\"text\":\"x\",\"title\":[]}")), "bad_field");
        assert_eq!(kind(Some(&[b' '; 65])), "too_large");
        let mut kinds: Vec<_> = BadInput::KINDS.to_vec();
        kinds.sort_unstable();
        kinds.dedup();
        assert_eq!(kinds.len(), BadInput::KINDS.len());
    }

    #[test]
    fn a_lone_surrogate_is_replaced_and_said_so() {
        let a = parse(br#"{"text":"Emoji cut in half: \ud83d","title":"\udc00\ud800 x"}"#).unwrap();
        assert_eq!(a.text, "Emoji cut in half: \u{fffd}");
        assert_eq!(a.title.as_deref(), Some("\u{fffd}\u{fffd} x"));
        assert_eq!(
            a.warnings,
            ["replaced 3 lone UTF-16 surrogate escapes (half of a \\ud800-\\udfff pair) with U+FFFD"]
        );
        // A whole pair is one character, no warning.
        let b = parse(br#"{"text":"\ud83d\ude00"}"#).unwrap();
        assert_eq!(b.text, "\u{1f600}");
        assert!(b.warnings.is_empty());
    }

    #[test]
    fn a_duplicated_field_is_named() {
        let cases: [(&[u8], &str); 4] = [
            (
                br#"{"id":"x","text":"first","text":"second"}"#,
                "article field `text` appears twice",
            ),
            (
                br#"{"content":"first","content":"second"}"#,
                "article field `text` appears twice, as its alias `content` both times",
            ),
            (
                br#"{"text":"first","body":"second"}"#,
                "article field `text` appears twice, as `text` and as its alias `body`",
            ),
            (
                br#"{"text":"t","title":"a","title":null}"#,
                "article field `title` appears twice",
            ),
        ];
        for (json, message) in cases {
            assert_eq!(bad(json), ("duplicate_field", message.to_owned()));
        }
    }

    #[test]
    fn a_wrong_type_names_the_field_and_both_types() {
        let cases: [(&[u8], &str, &str); 7] = [
            (
                br#"{"text":42}"#,
                "text_not_string",
                "article field `text` must be a string (the article's text), not a number",
            ),
            (
                br#"{"body":{"text":"nested"}}"#,
                "text_not_string",
                "article field `body` must be a string (the article's text), not an object",
            ),
            (
                br#"{"text":["a","b"]}"#,
                "text_not_string",
                "article field `text` must be a string (the article's text), not an array",
            ),
            (
                br#"{"text":"x","title":7}"#,
                "bad_field",
                "article field `title` must be a string or null, not a number",
            ),
            (
                br#"{"text":"x","published_at":1717171717}"#,
                "bad_field",
                "article field `published_at` must be a string or null, not a number",
            ),
            (
                br#"{"text":"x","language":["en"]}"#,
                "bad_field",
                "article field `language` must be a string or null, not an array",
            ),
            (
                br#"{"text":"x","id":true}"#,
                "bad_field",
                "article field `id` must be a string or a number, not a boolean",
            ),
        ];
        for (json, kind, message) in cases {
            assert_eq!(bad(json), (kind, message.to_owned()));
        }
        assert_eq!(bad(br#"{"text":null}"#).0, "missing_text");
        assert_eq!(
            bad(b"\"just a string\"").1,
            "payload is JSON but not an object: it is a string"
        );
    }

    #[test]
    fn numeric_ids_keep_their_digits() {
        let a = parse(br#"{"id":12345678901234567890123,"text":"x"}"#).unwrap();
        assert_eq!(a.id.as_deref(), Some("12345678901234567890123"));
        let b = parse(br#"{"id" : -1.5e3 , "text":"x"}"#).unwrap();
        assert_eq!(b.id.as_deref(), Some("-1.5e3"));
    }

    #[test]
    fn a_byte_order_mark_is_ignored() {
        let a = parse(b"\xef\xbb\xbf{\"text\":\"x\"}").unwrap();
        assert_eq!(a.text, "x");
        assert!(a.warnings.is_empty());
    }

    #[test]
    fn syntax_errors_say_where_and_what() {
        let cases: [(&[u8], &str); 5] = [
            (
                br#"{"text":"x"} {"text":"y"}"#,
                "payload is not valid JSON: more follows the article's closing `}`, at line 1 column 14 \
                 (two articles in one message?)",
            ),
            (
                br#"{"text":"x"#,
                "payload is not valid JSON: EOF while parsing a string at line 1 column 10 (truncated?)",
            ),
            (
                br#"{"text":"x",}"#,
                "payload is not valid JSON: trailing comma at line 1 column 13",
            ),
            (
                b"{\"text\":\"caf\xc3",
                "payload is not valid UTF-8: it ends inside a UTF-8 character at offset 12 (truncated?)",
            ),
            (
                b"{\"text\":\"caf\xe9\"}",
                "payload is not valid UTF-8: byte 0xe9 at offset 12 is not part of a UTF-8 character \
                 (JSON must be UTF-8; was it sent as Latin-1 or Windows-1252?)",
            ),
        ];
        for (json, message) in cases {
            assert_eq!(bad(json).1, message);
        }
    }

    #[test]
    fn very_deep_nesting_is_read_without_overflowing_the_stack() {
        // serde_json skips and captures raw values without recursing, so
        // depth costs nothing where the worker does not look inside.
        let nested = |depth| format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        let unknown = format!(r#"{{"text":"x","extra":{}}}"#, nested(100_000));
        assert!(parse(unknown.leak().as_bytes()).is_ok());
        let title = format!(r#"{{"text":"x","title":{}}}"#, nested(100_000));
        assert_eq!(
            bad(title.leak().as_bytes()).1,
            "article field `title` must be a string or null, not an array"
        );
        assert_eq!(
            bad(nested(100_000).leak().as_bytes()).1,
            "payload is JSON but not an object: it is an array"
        );
    }
}
