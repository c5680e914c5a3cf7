//! Quotation detection and speaker attribution. (Being built: see issue 4.)
use super::{EntityGroup, FoundQuote};

pub(crate) fn find_quotes(_text: &str, _entities: &[EntityGroup]) -> Vec<FoundQuote> {
    Vec::new()
}
