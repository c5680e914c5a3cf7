# Who is quoted most, and by which outlets: one line per speaker, most quoted first,
#   <quotes> TAB <speaker> TAB <outlet> (<quotes>), ...
#
#   jq -s -r -f examples/top-speakers.jq records.jsonl
#
# Input: enriched records (schema v1), one per line, from `article-enricher extract` or dumped from
# the output topic. A quote counts for the entity its speaker links to (speaker.entity_id), so "he",
# "Lavrov" and "Sergey Lavrov" in one article are one person; quotes whose speaker links to no entity
# are left out. The outlet is the record's `publisher` (the input's `source` field).
[ .[] as $r
  | ($r.entities | map({ (.id): .name }) | add // {}) as $names
  | $r.quotes[]
  | select(.speaker.entity_id != null)
  | { speaker: $names[.speaker.entity_id], outlet: ($r.publisher // "(no publisher)") } ]
| group_by(.speaker)
| map({ speaker: .[0].speaker,
        quotes: length,
        outlets: (group_by(.outlet) | map({ outlet: .[0].outlet, quotes: length }) | sort_by(-.quotes, .outlet)) })
| sort_by(-.quotes, .speaker)
| .[]
| "\(.quotes)\t\(.speaker)\t\(.outlets | map("\(.outlet) (\(.quotes))") | join(", "))"
