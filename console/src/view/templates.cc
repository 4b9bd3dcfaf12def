#include "console/src/view/templates.h"

namespace sslpanel::console::view::templates {

const std::string_view kLayout = R"tmpl(<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{title}} - SSL Panel console</title>
<link rel="stylesheet" href="/static/console.css">
</head>
<body>
<header class="top"><a href="/orders">SSL Panel console</a> <span class="readonly">read-only</span></header>
<main>
{{{body}}}
</main>
</body>
</html>
)tmpl";

const std::string_view kOrderBody = R"tmpl(<h1>Order <span id="order-id">{{order_id}}</span></h1>
<p class="sub">External order <a href="{{external_href}}" id="external-order-id">{{external_order_id}}</a> &middot; {{common_name}}</p>
<dl class="facts" id="order-facts">{{#facts}}<dt>{{key}}</dt><dd>{{value}}</dd>{{/facts}}</dl>
{{#has_organization}}<h2>Organisation</h2>
<dl class="facts" id="organization">{{#organization}}<dt>{{key}}</dt><dd>{{value}}</dd>{{/organization}}</dl>{{/has_organization}}
<section class="actions" id="order-actions"><h2>Allowed actions</h2>
{{#has_actions}}<p>{{#actions}}<button type="button" class="action" disabled>{{.}}</button> {{/actions}}</p>
<p class="note">The console is read-only: these are the actions the API accepts now.</p>{{/has_actions}}
{{^has_actions}}<p class="none" id="no-actions">{{no_actions}}</p>{{/has_actions}}
</section>
{{#certificates}}
<section class="certificate" data-certificate-id="{{certificate_id}}">
<h2>{{heading}}</h2>
<p class="status-line">Status <strong class="cert-status">{{status}}</strong>{{#has_pending}} &middot; marked arrow <strong class="cert-pending">{{pending}}</strong>{{/has_pending}} &middot; reseller code <span class="code">{{reseller_code}}</span> &middot; <span class="id">{{certificate_id}}</span></p>
{{#has_picture}}{{#picture}}<svg class="workflow" viewBox="0 0 {{width}} {{height}}" width="{{width}}" height="{{height}}" role="img" aria-label="{{summary}}">
<defs>
<marker id="head-idle-{{suffix}}" class="head idle" viewBox="0 0 10 10" refX="10" refY="5" markerUnits="userSpaceOnUse" markerWidth="10" markerHeight="10" orient="auto"><path d="M0,0 L10,5 L0,10 z"/></marker>
<marker id="head-taken-{{suffix}}" class="head taken" viewBox="0 0 10 10" refX="10" refY="5" markerUnits="userSpaceOnUse" markerWidth="10" markerHeight="10" orient="auto"><path d="M0,0 L10,5 L0,10 z"/></marker>
<marker id="head-marked-{{suffix}}" class="head marked" viewBox="0 0 10 10" refX="10" refY="5" markerUnits="userSpaceOnUse" markerWidth="12" markerHeight="12" orient="auto"><path d="M0,0 L10,5 L0,10 z"/></marker>
</defs>
{{#arrows}}<g class="{{css_class}}" data-arrow="{{name}}" data-from="{{from}}" data-to="{{to}}" data-state="{{state}}"><title>{{title}}</title><line class="shaft" x1="{{x1}}" y1="{{y1}}" x2="{{x2}}" y2="{{y2}}" marker-end="url(#head-{{state}}-{{suffix}})"/><line class="hit" x1="{{x1}}" y1="{{y1}}" x2="{{x2}}" y2="{{y2}}"/>{{#has_label}}<text class="{{label_class}}" x="{{label_x}}" y="{{label_y}}">{{label}}</text>{{/has_label}}</g>
{{/arrows}}
{{#boxes}}<g class="{{css_class}}" data-status="{{status}}" data-reached="{{reached_text}}" data-current="{{current_text}}"><title>{{title}}</title><rect x="{{x}}" y="{{y}}" width="{{width}}" height="{{height}}" rx="6"/><text class="label" x="{{text_x}}" y="{{text_y}}">{{label}}</text>{{#current}}<text class="now" x="{{text_x}}" y="{{sub_y}}">current</text>{{/current}}</g>
{{/boxes}}
</svg>
<p class="legend">Filled: reached &middot; thick border: current &middot; solid arrow: taken &middot; dashed, labelled arrow: marked (under way) &middot; point at a status for the date it was reached.</p>{{/picture}}{{/has_picture}}
{{#has_picture_error}}<p class="error picture-error">{{picture_error}}</p>{{/has_picture_error}}
<dl class="facts cert-facts">{{#facts}}<dt>{{key}}</dt><dd>{{value}}</dd>{{/facts}}</dl>
{{#has_dcv}}<h3>Domain control validation</h3>
<table class="dcv"><thead><tr><th>Host name</th><th>Method</th><th>What to set up</th><th>Status</th></tr></thead><tbody>
{{#dcv}}<tr><td>{{host_name}}</td><td>{{method}}</td><td class="mono">{{detail}}</td><td>{{status}}</td></tr>
{{/dcv}}</tbody></table>{{/has_dcv}}
{{#has_actions}}<p class="cert-actions">Allowed on this certificate: {{#actions}}<button type="button" class="action" disabled>{{.}}</button> {{/actions}}</p>{{/has_actions}}
</section>
{{/certificates}}
{{#has_prevalidation}}{{#prevalidation}}<section class="prevalidation" id="prevalidation"><h2>Prevalidation</h2>
<p>Result <strong class="{{overall_class}}" id="prevalidation-overall">{{overall}}</strong>{{#has_checked_at}} &middot; checked {{checked_at}}{{/has_checked_at}} &middot; certificate <span class="id">{{certificate_id}}</span></p>
{{#has_not_applicable}}<p>Not applicable: {{not_applicable_reason}}</p>{{/has_not_applicable}}
{{#has_override}}<p class="override">Overridden by {{overridden_by}} at {{override_time}}: {{override_reason}}</p>{{/has_override}}
{{#has_checks}}<table class="checks"><thead><tr><th>Check</th><th>Result</th><th>Finding</th><th>Registry vs order</th><th>Remedy</th><th>Source</th></tr></thead><tbody>
{{#checks}}<tr class="check" data-code="{{code}}"><td class="mono">{{code}}</td><td class="{{outcome_class}}">{{outcome}}</td><td>{{message}}</td><td>{{evidence}}</td><td>{{remedy}}</td><td>{{source}}</td></tr>
{{/checks}}</tbody></table>{{/has_checks}}
</section>{{/prevalidation}}{{/has_prevalidation}}
<section class="events" id="events"><h2>History</h2>
<table class="events"><thead><tr><th>Time</th><th>Event</th><th>Status</th><th>Marked arrow</th><th>Who</th><th>Why</th><th>Certificate</th></tr></thead><tbody>
{{#events}}<tr class="event"><td class="nowrap">{{time}}</td><td class="mono">{{type}}</td><td>{{status_change}}</td><td>{{pending_change}}</td><td>{{actor}}</td><td>{{reason}}</td><td class="id">{{certificate_id}}</td></tr>
{{/events}}</tbody></table>
{{#has_events_note}}<p class="note">{{events_note}}</p>{{/has_events_note}}
</section>
)tmpl";

const std::string_view kListBody = R"tmpl(<h1>Orders</h1>
<form class="filters" method="get" action="/orders">
<label>Order status <select name="status">{{#order_statuses}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/order_statuses}}</select></label>
<label>Certificate status <select name="certificate_status">{{#certificate_statuses}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/certificate_statuses}}</select></label>
<label>Reseller code <select name="reseller_code">{{#reseller_codes}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/reseller_codes}}</select></label>
<label>Host name <input type="text" name="host" value="{{common_name_pattern}}" placeholder="*.example.nl, www.*"></label>
<label>Expiring within <input type="number" name="expiring_within_days" min="0" max="3650" value="{{expiring_within_days}}"> days</label>
<label><input type="checkbox" name="stuck" value="1"{{#stuck}} checked{{/stuck}}> stuck only</label>
<label>Per page <input type="number" name="page_size" min="1" max="500" value="{{page_size}}"></label>
<button type="submit">Search</button> <a href="/orders">Clear</a>
</form>
<table class="orders"><thead><tr><th>Order</th><th>External id</th><th>Common name</th><th>Order status</th><th>Reseller code</th><th>Certificate</th><th>Chain</th><th>Updated</th><th>Stuck</th></tr></thead><tbody>
{{#rows}}<tr class="order-row" data-order-id="{{order_id}}"><td class="id"><a href="{{href}}">{{order_id}}</a></td><td>{{external_order_id}}</td><td>{{common_name}}</td><td>{{status}}</td><td class="code">{{reseller_code}}</td><td>{{certificate_status}}</td><td>{{chain_length}}</td><td class="nowrap">{{updated}}</td><td>{{stuck}}</td></tr>
{{/rows}}{{^rows}}<tr><td colspan="9" class="none">No orders match these filters.</td></tr>
{{/rows}}</tbody></table>
{{#has_next}}<p><a class="next" href="{{next_href}}">Next page</a></p>{{/has_next}}
)tmpl";

const std::string_view kErrorBody = R"tmpl(<h1 class="error-title">{{title}}</h1>
<p class="http-status">HTTP {{http_status}}</p>
<p class="error-message">{{message}}</p>
{{#has_hint}}<p>{{hint}}</p>{{/has_hint}}
<p><a href="/orders">Back to the order list</a></p>
)tmpl";

}  // namespace sslpanel::console::view::templates
