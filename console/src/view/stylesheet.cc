// The console's only stylesheet (served as /static/console.css). The picture's
// meaning never rests on colour alone: marked arrows are also dashed and
// labelled, the current status also has a thick border and the word "current".
#include "console/src/view/templates.h"

namespace sslpanel::console::view::templates {

const std::string_view kStylesheet = R"tmpl(* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1d2430; background: #f6f7f9; }
header.top { background: #1f3a5f; color: #fff; padding: 8px 20px; }
header.top a { color: #fff; font-weight: 600; text-decoration: none; }
header.top .readonly { font-size: 12px; opacity: .8; margin-left: 8px; border: 1px solid #fff8; border-radius: 3px; padding: 0 4px; }
main { padding: 12px 20px 40px; max-width: 1200px; }
h1 { font-size: 20px; margin: 8px 0 4px; }
h2 { font-size: 16px; margin: 18px 0 6px; }
h3 { font-size: 14px; margin: 12px 0 4px; }
.sub { margin: 0 0 8px; color: #4a5568; }
a { color: #1f5fa8; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; margin: 6px 0; }
dl.facts dt { color: #4a5568; }
dl.facts dd { margin: 0; word-break: break-word; }
section.certificate { background: #fff; border: 1px solid #d5dae1; border-radius: 6px; padding: 4px 14px 10px; margin: 14px 0; }
section.prevalidation, section.events, section.actions { background: #fff; border: 1px solid #d5dae1; border-radius: 6px; padding: 4px 14px 10px; margin: 14px 0; }
table { border-collapse: collapse; width: 100%; background: #fff; }
th, td { text-align: left; vertical-align: top; padding: 4px 8px; border-bottom: 1px solid #e3e7ec; }
th { font-weight: 600; color: #4a5568; font-size: 13px; }
table.checks td:nth-child(1) { white-space: nowrap; }
table.checks td:nth-child(3) { min-width: 14em; }
table.checks td:nth-child(4) { min-width: 18em; }
table.checks td:nth-child(6) { max-width: 12em; word-break: break-word; }
.mono, .code, .id { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 12px; }
.nowrap { white-space: nowrap; }
.note, .legend { color: #5a6472; font-size: 12px; }
.none { color: #5a6472; font-style: italic; }
.error { color: #9b1c1c; }
button.action { font: inherit; padding: 2px 10px; margin: 2px 4px 2px 0; border: 1px solid #1f5fa8; color: #1f5fa8; background: #eef4fb; border-radius: 4px; }
form.filters { display: flex; flex-wrap: wrap; gap: 8px 16px; align-items: end; background: #fff; border: 1px solid #d5dae1; border-radius: 6px; padding: 10px 14px; margin: 8px 0 12px; }
form.filters input[type=text] { width: 14em; }
form.filters input[type=number] { width: 5em; }
.outcome.pass { color: #17663a; font-weight: 600; }
.outcome.fail, .outcome.error { color: #9b1c1c; font-weight: 600; }
.outcome.warning, .outcome.needs-review, .outcome.unknown { color: #8a5a00; font-weight: 600; }
svg.workflow { display: block; max-width: 100%; height: auto; margin: 6px 0; }
svg.workflow .node rect { fill: #ffffff; stroke: #9aa5b1; stroke-width: 1.5; }
svg.workflow .node .label { text-anchor: middle; font-size: 14px; fill: #6b7480; }
svg.workflow .node.reached rect { fill: #cfe3f7; stroke: #1f5fa8; }
svg.workflow .node.reached .label { fill: #1d2430; }
svg.workflow .node.current rect { fill: #1f5fa8; stroke: #0d2a4d; stroke-width: 4; }
svg.workflow .node.current .label { fill: #ffffff; font-weight: 700; }
svg.workflow .node .now { text-anchor: middle; font-size: 10px; fill: #ffffff; letter-spacing: .05em; }
svg.workflow .arrow .shaft { stroke: #c3c9d1; stroke-width: 1.5; fill: none; }
svg.workflow .arrow .hit { stroke: transparent; stroke-width: 12; }
svg.workflow .arrow.taken .shaft { stroke: #1f5fa8; stroke-width: 2.5; }
svg.workflow .arrow.marked .shaft { stroke: #c25400; stroke-width: 3; stroke-dasharray: 7 4; }
svg.workflow marker.head.idle path { fill: #c3c9d1; }
svg.workflow marker.head.taken path { fill: #1f5fa8; }
svg.workflow marker.head.marked path { fill: #c25400; }
svg.workflow .arrow-label { font-size: 12px; font-weight: 700; fill: #c25400; }
svg.workflow .arrow-label.above { text-anchor: middle; }
svg.workflow .arrow-label.beside { text-anchor: start; }
)tmpl";

}  // namespace sslpanel::console::view::templates
