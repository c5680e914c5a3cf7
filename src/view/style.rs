//! The page's inline stylesheet and legend: the same hue per entity type as the terminal view.

pub const LEGEND: &str = "<p class=\"legend\"><mark class=\"t-PERSON\">person</mark> \
    <mark class=\"t-ORGANIZATION\">organisation</mark> <mark class=\"t-LOCATION\">location</mark> \
    <mark class=\"t-MISC\">other name</mark> <span class=\"quote\" data-speaker=\"speaker\">quotation</span> \
    <span class=\"cue\">cue</span></p>";

pub const STYLE: &str = "body{font:15px/1.5 system-ui,sans-serif;margin:1.5em auto;max-width:75em;padding:0 1em;color:#222}\
h1{font-size:1.4em}h2{font-size:1.15em;margin-bottom:.2em}\
table.summary{border-collapse:collapse;font-size:.9em}table.summary td,table.summary th{border:1px solid #ccc;padding:.2em .5em;text-align:left}\
section.article{border-top:2px solid #888;margin-top:1.5em}.meta,.note{color:#666;font-size:.9em}.warning{color:#a40}\
.text{white-space:pre-wrap;background:#fafafa;padding:.6em;border:1px solid #eee}\
mark{border-radius:3px;padding:0 2px;color:inherit}\
.t-PERSON{background:#cfe0ff}.t-ORGANIZATION{background:#f3d1f4}.t-LOCATION{background:#cdeccd}.t-MISC{background:#fbeaa6}\
span.t-PERSON,span.t-ORGANIZATION,span.t-LOCATION,span.t-MISC{padding:0 2px;border-radius:3px}\
.quote{border-bottom:2px solid #e08a00;background:#fff4e0}.quote::after{content:\" \\2014 \" attr(data-speaker);font-size:.75em;color:#b06000;font-weight:bold}\
.speaker{outline:1px dashed #b06000}.cue{text-decoration:underline dotted #b06000}\
[data-diff=added]{outline:2px solid #1a7f37}[data-diff=lost]{outline:2px solid #cf222e;text-decoration:line-through}\
summary{cursor:pointer;margin:.6em 0}.columns{display:grid;grid-template-columns:1fr 1fr;gap:1em}.changes{font-size:.9em}.added{color:#1a7f37}.lost{color:#cf222e}";
