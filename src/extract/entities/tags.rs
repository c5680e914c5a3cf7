//! The BILOU tag set: `O`, and Begin/Inside/Last/Unit for each entity type.
//! Tag `0` is `O`; tag `1 + 4 * type + part` is part of an entity of `type`.
use crate::extract::EntityType;

pub(crate) const NTAGS: usize = 17;
pub(crate) type Tag = u8;
pub(crate) const OUTSIDE: Tag = 0;

pub(crate) const TYPES: [EntityType; 4] = [
    EntityType::Person,
    EntityType::Organization,
    EntityType::Location,
    EntityType::Misc,
];

/// Indices into [`TYPES`], for the rules after tagging.
pub(crate) mod kind {
    pub(crate) const PERSON: usize = 0;
    pub(crate) const ORGANIZATION: usize = 1;
    pub(crate) const LOCATION: usize = 2;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Part {
    Begin = 0,
    Inside = 1,
    Last = 2,
    Unit = 3,
}

pub(crate) fn tag(kind: usize, part: Part) -> Tag {
    (1 + 4 * kind + part as usize) as Tag
}

/// The type index and part of an entity tag; `None` for `O`.
pub(crate) fn split(tag: Tag) -> Option<(usize, Part)> {
    let t = (tag as usize).checked_sub(1)?;
    let part = match t % 4 {
        0 => Part::Begin,
        1 => Part::Inside,
        2 => Part::Last,
        _ => Part::Unit,
    };
    Some((t / 4 % 4, part))
}

/// Whether `next` may follow `prev` (`None`: sentence start); `last` says
/// `next` ends the sentence, where an entity must be closed.
pub(crate) fn allowed(prev: Option<Tag>, next: Tag, last: bool) -> bool {
    let open = prev
        .and_then(split)
        .filter(|(_, p)| matches!(p, Part::Begin | Part::Inside));
    match (open, split(next)) {
        (Some((kind, _)), Some((k, part))) => {
            k == kind && (part == Part::Last || part == Part::Inside && !last)
        }
        (Some(_), None) => false,
        (None, Some((_, part))) => part == Part::Unit || part == Part::Begin && !last,
        (None, None) => true,
    }
}

/// Entity spans `[first, end)` (token indices) and type index from a tag
/// sequence. Lenient: a broken sequence still gives sensible spans.
pub(crate) fn spans(tags: &[Tag]) -> Vec<(usize, usize, usize)> {
    let mut out = Vec::new();
    let mut open: Option<(usize, usize)> = None;
    for (i, &t) in tags.iter().enumerate() {
        let parsed = split(t);
        if let Some((start, kind)) = open {
            let continues = matches!(parsed, Some((k, Part::Inside | Part::Last)) if k == kind);
            if !continues {
                out.push((start, i, kind));
                open = None;
            }
        }
        match parsed {
            Some((kind, Part::Begin | Part::Inside)) if open.is_none() => open = Some((i, kind)),
            Some((kind, Part::Unit)) => out.push((i, i + 1, kind)),
            Some((kind, Part::Last)) => match open.take() {
                Some((start, _)) => out.push((start, i + 1, kind)),
                None => out.push((i, i + 1, kind)),
            },
            _ => {}
        }
    }
    if let Some((start, kind)) = open {
        out.push((start, tags.len(), kind));
    }
    out
}

/// BILOU tags for one sentence of `len` tokens from entity spans in it.
pub(crate) fn encode(len: usize, spans: &[(usize, usize, usize)]) -> Vec<Tag> {
    let mut tags = vec![OUTSIDE; len];
    for &(start, end, kind) in spans {
        if end <= start || end > len {
            continue;
        }
        if end - start == 1 {
            tags[start] = tag(kind, Part::Unit);
            continue;
        }
        tags[start] = tag(kind, Part::Begin);
        for t in &mut tags[start + 1..end - 1] {
            *t = tag(kind, Part::Inside);
        }
        tags[end - 1] = tag(kind, Part::Last);
    }
    tags
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encode_and_decode_round_trip() {
        let spans_in = vec![(0, 2, 0), (3, 4, 2), (5, 8, 1)];
        let tags = encode(9, &spans_in);
        assert_eq!(spans(&tags), spans_in);
    }

    #[test]
    fn transitions_keep_entities_well_formed() {
        let b_per = tag(0, Part::Begin);
        assert!(!allowed(Some(b_per), OUTSIDE, false));
        assert!(allowed(Some(b_per), tag(0, Part::Last), true));
        assert!(!allowed(Some(b_per), tag(1, Part::Last), false));
        assert!(!allowed(None, b_per, true));
        assert!(allowed(None, tag(3, Part::Unit), true));
    }

    #[test]
    fn lenient_on_broken_sequences() {
        let (i_loc, l_org) = (tag(2, Part::Inside), tag(1, Part::Last));
        assert_eq!(
            spans(&[i_loc, i_loc, OUTSIDE, l_org]),
            vec![(0, 2, 2), (3, 4, 1)]
        );
    }
}
