//! Extraction speed on one core: `Enricher::enrich` (JSON parse, entities,
//! quotes, JSON write) on short (~1 KB), typical (~4 KB) and long (~40 KB)
//! articles, and the same batch on 1 vs 2 threads (does it scale with cores?).
//!
//! Run: `cargo bench --bench extract` (see BENCHMARKS.md). For the per-size
//! groups, one iteration enriches all 16 articles of a size, so Criterion's
//! throughput is words/s and articles/s = 16 / time. For the thread groups,
//! throughput is articles/s directly.
//! Nothing here asserts on time: benchmarks measure, tests check.

use std::hint::black_box;
use std::time::Duration;

use article_enricher::enrich::Enricher;
use criterion::{
    criterion_group, criterion_main, BenchmarkId, Criterion, SamplingMode, Throughput,
};

mod corpus;
use corpus::Article;

/// Distinct articles per size, cycled through, so one hot article's branch
/// history does not stand in for a stream of different ones.
const ARTICLES_PER_SIZE: usize = 16;

const SIZES: [(&str, usize); 3] = [
    ("short_1KB", 1_000),
    ("typical_4KB", 4_000),
    ("long_40KB", 40_000),
];

fn enrich_one(enricher: &Enricher, article: &Article) -> usize {
    let out = enricher
        .enrich(Some(&article.payload), None, || {
            unreachable!("bench articles have ids")
        })
        .expect("bench articles are valid");
    out.json.len()
}

/// Words/s and articles/s on one core, with and without extraction (the
/// pass-through shows what JSON in and out alone costs).
fn per_size(c: &mut Criterion) {
    for (extraction, group_name) in [(true, "enrich"), (false, "passthrough")] {
        let enricher = Enricher {
            extraction,
            ..Enricher::default()
        };
        let mut group = c.benchmark_group(group_name);
        // Flat sampling: a 40 KB set takes ~0.1 s per iteration, and linear
        // sampling would need thousands of them.
        group.sampling_mode(SamplingMode::Flat);
        for (name, bytes) in SIZES {
            let articles = corpus::articles(bytes, ARTICLES_PER_SIZE);
            let words: u64 = articles.iter().map(|a| a.words).sum();
            let avg_bytes: usize =
                articles.iter().map(|a| a.payload.len()).sum::<usize>() / articles.len();
            eprintln!(
                "{group_name}/{name}: {ARTICLES_PER_SIZE} articles per iteration, {} words/article, {avg_bytes} payload bytes/article",
                words / articles.len() as u64
            );
            // One iteration = the whole set, so throughput is exact words.
            group.throughput(Throughput::Elements(words));
            group.bench_with_input(
                BenchmarkId::from_parameter(name),
                &articles,
                |b, articles| {
                    b.iter(|| {
                        articles
                            .iter()
                            .map(|a| enrich_one(&enricher, black_box(a)))
                            .sum::<usize>()
                    })
                },
            );
        }
        group.finish();
    }
}

/// The same batch of typical articles on 1 and 2 threads; the ratio of the
/// two throughputs is the scaling factor (issue 8 asks for >= 1.7x on 2).
fn thread_scaling(c: &mut Criterion) {
    let enricher = Enricher::default();
    let articles = corpus::articles(4_000, 64);
    let mut group = c.benchmark_group("threads_typical_4KB");
    group.sampling_mode(SamplingMode::Flat);
    group.throughput(Throughput::Elements(articles.len() as u64));
    for threads in [1, 2] {
        group.bench_with_input(
            BenchmarkId::from_parameter(threads),
            &threads,
            |b, &threads| {
                b.iter(|| {
                    // Each thread takes every n-th article: equal shares of work.
                    std::thread::scope(|s| {
                        let handles: Vec<_> = (0..threads)
                            .map(|t| {
                                let (enricher, articles) = (&enricher, &articles);
                                s.spawn(move || {
                                    articles
                                        .iter()
                                        .skip(t)
                                        .step_by(threads)
                                        .map(|a| enrich_one(enricher, black_box(a)))
                                        .sum::<usize>()
                                })
                            })
                            .collect();
                        handles
                            .into_iter()
                            .map(|h| h.join().unwrap())
                            .sum::<usize>()
                    })
                })
            },
        );
    }
    group.finish();
}

criterion_group! {
    name = benches;
    // About 7 s per benchmark, 8 benchmarks: a minute for the whole suite.
    config = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_secs(2))
        .measurement_time(Duration::from_secs(5));
    targets = per_size, thread_scaling
}
criterion_main!(benches);
