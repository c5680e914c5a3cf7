//! Quotes with no cue of their own that continue another quote: the next
//! paragraph of a multi-paragraph quote, or `"A," he said. "B."`.

use super::attribution::Attribution;
use super::spans::QuoteSpan;
use crate::extract::QuoteKind;

/// Fills in the speaker of quotes that continue an attributed quote. Only
/// direct quotes continue one another: a fragment inside the reporter's own
/// sentence with no cue is the reporter's (a scare quote, a title).
pub(super) fn inherit_speakers(
    quotes: &[QuoteSpan],
    kinds: &[QuoteKind],
    same_sentence_as_previous: &[bool],
    found: &mut [Option<Attribution>],
) {
    // Forward, so a quote over three paragraphs passes its speaker along;
    // `said the plan was "bold" and "overdue"`: both fragments are theirs.
    for i in 1..quotes.len() {
        if found[i].is_none() && (quotes[i].continues_previous || same_sentence_as_previous[i]) {
            found[i] = found[i - 1];
        }
    }
    for i in 0..quotes.len() {
        if found[i].is_some() || kinds[i] != QuoteKind::Direct {
            continue;
        }
        let same_para = |j: &usize| quotes[*j].para == quotes[i].para && found[*j].is_some();
        let earlier = (0..i).rev().take_while(|&j| quotes[j].para == quotes[i].para).find(|j| same_para(j));
        let later = (i + 1..quotes.len()).take_while(|&j| quotes[j].para == quotes[i].para).find(|j| same_para(j));
        if let Some(j) = earlier.or(later) {
            found[i] = found[j];
        }
    }
}
