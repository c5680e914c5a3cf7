//! article-enricher: a Kafka worker that enriches news articles with named
//! entities and attributed quotations.
pub mod eval_quotes;
pub mod extract;
pub mod train;
