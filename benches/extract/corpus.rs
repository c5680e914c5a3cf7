//! Benchmark articles of a chosen size, built from the repo's own texts.
//!
//! The sample and seed articles are compiled in, so a bench needs no data
//! outside the repo. Their paragraphs are concatenated (cycling, starting at a
//! different paragraph per article, so consecutive articles differ) until the
//! text reaches the requested size. The result is a realistic mix of news
//! prose, quotes and names, not lorem ipsum.

use serde_json::Value;

const SOURCES: [&str; 2] = [
    include_str!("../../samples/articles.jsonl"),
    include_str!("../../tests/data/seed.jsonl"),
];

/// One benchmark input: the JSON payload as a Kafka message would carry it.
pub struct Article {
    pub payload: Vec<u8>,
    /// Whitespace-separated words of the text (what "words/s" counts).
    pub words: u64,
}

/// Paragraphs of every English source article, in file order, duplicates removed
/// (the seed article also appears among the samples), plus the titles.
fn paragraphs_and_titles() -> (Vec<String>, Vec<String>) {
    let mut paragraphs: Vec<String> = Vec::new();
    let mut titles = Vec::new();
    for line in SOURCES.iter().flat_map(|s| s.lines()) {
        let Ok(article) = serde_json::from_str::<Value>(line) else {
            continue;
        };
        // Non-English text skips extraction entirely: it would flatter the numbers.
        if article["language"].as_str().is_some_and(|l| l != "en") {
            continue;
        }
        if let Some(title) = article["title"].as_str() {
            titles.push(title.to_owned());
        }
        for p in article["text"].as_str().unwrap_or("").split('\n') {
            let p = p.trim();
            if !p.is_empty() && !paragraphs.iter().any(|q| q == p) {
                paragraphs.push(p.to_owned());
            }
        }
    }
    (paragraphs, titles)
}

/// `count` English articles whose text is at least `target_bytes` long.
pub fn articles(target_bytes: usize, count: usize) -> Vec<Article> {
    let (paragraphs, titles) = paragraphs_and_titles();
    assert!(!paragraphs.is_empty(), "no paragraphs in the sample files");
    (0..count)
        .map(|i| {
            let mut text = String::with_capacity(target_bytes + 1024);
            let mut next = i % paragraphs.len();
            while text.len() < target_bytes {
                if !text.is_empty() {
                    text.push('\n');
                }
                text.push_str(&paragraphs[next]);
                next = (next + 1) % paragraphs.len();
            }
            let payload = serde_json::json!({
                "id": format!("bench-{target_bytes}-{i}"),
                "title": titles[i % titles.len()],
                "source": "bench",
                "language": "en",
                "text": text,
            });
            Article {
                words: text.split_whitespace().count() as u64,
                payload: serde_json::to_vec(&payload).expect("a JSON value serializes"),
            }
        })
        .collect()
}
