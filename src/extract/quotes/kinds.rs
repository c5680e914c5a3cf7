//! Quote kinds: the reported speech itself (direct) or a fragment inside
//! the reporter's own sentence (partial), and scare quotes.

use super::attribution::Context;
use super::cues::is_cue;
use crate::extract::QuoteKind;

/// Direct when the quote starts its sentence, follows a colon, or follows
/// a cue and a comma (`Lavrov said, "..."`); partial otherwise.
pub(super) fn kind_of(ctx: &Context<'_>) -> QuoteKind {
    let before = &ctx.before;
    let direct = match before.split_last() {
        None => true,
        Some((last, _)) if last.is_punct(':') => true,
        Some((last, rest)) if last.is_punct(',') => rest.last().is_some_and(is_cue),
        Some((last, _)) => !last.is_word && before.iter().all(|t| !t.is_word),
    };
    if direct {
        QuoteKind::Direct
    } else {
        QuoteKind::Partial
    }
}

/// One or two quoted words with nobody saying them: "so-called" quotes.
pub(super) fn is_scare_quote(content: &str) -> bool {
    content.split_whitespace().count() <= 2
}
