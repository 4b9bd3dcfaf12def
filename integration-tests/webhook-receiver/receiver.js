#!/usr/bin/env node
// A webhook receiver for the tests and scripts/demo: HTTPS on 127.0.0.1,
// verifies every request with the npm `standardwebhooks` package (an
// implementation we did not write), can be told to fail, and records what it
// received. Node built-ins and standardwebhooks only.
//
//   node receiver.js --cert=FILE --key=FILE [--port=0] [--admin_port=0]
//        [--port_file=F] [--admin_port_file=F] [--secret=NAME=whsec_...]...
//        [--print] [--exit_after=SECONDS]
//
// Prints {"port": P, "admin_port": A} as its first stdout line. With --print,
// then one line per request (verified or not) for a human to read.
//
// Admin API (plain HTTP on 127.0.0.1:admin_port, JSON):
//   POST /admin/secrets   {"NAME": "whsec_...", ...}  replaces the secrets;
//        a request is verified when at least one verifies it, and the record
//        says which did (verified_by).
//   POST /admin/behaviour {"mode": "ok"|"fail"|"timeout", "for_ms": N,
//        "fail_first": N, "fail_status": 500, "fail_orders": ["id"],
//        "delay_ms": N, "ok_status": 200}
//        mode fail answers fail_status, timeout never answers; for_ms puts
//        mode back to ok after N ms. fail_first fails the first N attempts of
//        each webhook-id; fail_orders fails every request for those orders.
//   GET  /admin/received[?raw=1]  {"received": [record...]} in arrival order;
//        raw=1 adds each request's headers and body.
//   GET  /admin/health    "ok"
'use strict';

const fs = require('fs');
const http = require('http');
const https = require('https');
const { Webhook } = require('standardwebhooks');

function parseArgs(argv) {
  const args = { secrets: {}, port: 0, admin_port: 0 };
  for (const arg of argv) {
    const m = /^--([a-z_]+)(?:=(.*))?$/s.exec(arg);
    if (!m) throw new Error(`bad argument ${arg}`);
    const [, name, value] = m;
    if (name === 'secret') {
      const eq = value.indexOf('=');
      if (eq <= 0) throw new Error('--secret=NAME=whsec_...');
      args.secrets[value.slice(0, eq)] = value.slice(eq + 1);
    } else {
      args[name] = value === undefined ? true : value;
    }
  }
  if (!args.cert || !args.key) throw new Error('--cert and --key are required');
  return args;
}

const args = parseArgs(process.argv.slice(2));
let secrets = args.secrets;
let behaviour = {};
let behaviourUntil = 0;
const attempts = new Map();  // webhook-id -> attempts seen
const received = [];

// Reads a field by its proto (snake_case) or JSON (lowerCamelCase) name.
function pick(obj, snake) {
  if (obj == null || typeof obj !== 'object') return undefined;
  if (obj[snake] !== undefined) return obj[snake];
  const camel = snake.replace(/_([a-z])/g, (_, c) => c.toUpperCase());
  return obj[camel];
}

function describe(payload) {
  const data = pick(payload, 'data') || {};
  const order = pick(data, 'order') || {};
  const event = pick(data, 'event') || {};
  const certificateId = pick(event, 'certificate_id');
  const certificates = pick(order, 'certificates') || [];
  const certificate =
      certificates.find((c) => pick(c, 'certificate_id') === certificateId) ||
      certificates[certificates.length - 1] || {};
  const version = pick(payload, 'order_version') ?? pick(data, 'order_version') ?? pick(order, 'version');
  return {
    type: pick(payload, 'type') ?? null,
    event_id: String(pick(data, 'event_id') ?? pick(event, 'event_id') ?? pick(payload, 'event_id') ?? ''),
    event_type: pick(data, 'type') ?? pick(event, 'type') ?? null,
    order_id: String(pick(order, 'order_id') ?? pick(event, 'order_id') ?? pick(payload, 'order_id') ?? ''),
    order_version: version === undefined ? null : Number(version),
    certificate_status: pick(certificate, 'status') ?? null,
    certificates: certificates.length,
  };
}

function currentBehaviour(now) {
  if (behaviourUntil && now >= behaviourUntil) {
    behaviour = { ...behaviour, mode: 'ok' };
    behaviourUntil = 0;
  }
  return behaviour;
}

function onWebhook(req, res, body) {
  const now = Date.now();
  const id = req.headers['webhook-id'] || '';
  const attempt = (attempts.get(id) || 0) + 1;
  attempts.set(id, attempt);
  const verifiedBy = [];
  const errors = {};
  for (const [name, secret] of Object.entries(secrets)) {
    try {
      new Webhook(secret).verify(body, req.headers);
      verifiedBy.push(name);
    } catch (e) {
      errors[name] = String(e.message || e);
    }
  }
  let payload = null;
  try {
    payload = JSON.parse(body.toString('utf8'));
  } catch (e) {
    errors.json = String(e.message || e);
  }
  const record = {
    seq: received.length,
    at_ms: now,
    method: req.method,
    path: req.url,
    webhook_id: id,
    webhook_timestamp: req.headers['webhook-timestamp'] || '',
    signatures: (req.headers['webhook-signature'] || '').split(' ').filter((s) => s).length,
    attempt,
    verified: verifiedBy.length > 0,
    verified_by: verifiedBy,
    errors,
    ...describe(payload),
    answered: 0,
    raw_headers: {
      'content-type': req.headers['content-type'],
      'webhook-id': req.headers['webhook-id'],
      'webhook-timestamp': req.headers['webhook-timestamp'],
      'webhook-signature': req.headers['webhook-signature'],
      'user-agent': req.headers['user-agent'],
    },
    raw_body: body.toString('utf8'),
  };
  received.push(record);
  const b = currentBehaviour(now);
  let status = b.ok_status || 200;
  if (!record.verified) {
    status = 401;
  } else if (b.mode === 'timeout') {
    status = 0;
  } else if (b.mode === 'fail') {
    status = b.fail_status || 500;
  } else if ((b.fail_orders || []).includes(record.order_id)) {
    status = b.fail_status || 500;
  } else if (attempt <= (b.fail_first || 0)) {
    status = b.fail_status || 500;
  }
  record.answered = status;
  if (args.print) {
    const mark = record.verified ? `verified (${verifiedBy.join(', ')})` : 'NOT VERIFIED';
    console.log(`${new Date(now).toISOString()}  ${record.event_type}  order ${record.order_id}` +
                `  event ${record.event_id}  certificate ${record.certificate_status}` +
                `  webhook-id ${id}  ${mark}  -> ${status || 'no answer'}`);
  }
  if (status === 0) return;  // hold the connection: the sender's timeout fires
  setTimeout(() => {
    res.writeHead(status, { 'content-type': 'text/plain' });
    res.end(status < 300 ? 'ok\n' : 'refused\n');
  }, status < 300 ? b.delay_ms || 0 : 0);
}

function readBody(req, done) {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => done(Buffer.concat(chunks)));
}

function json(res, status, value) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(value));
}

function onAdmin(req, res, body) {
  const url = new URL(req.url, 'http://127.0.0.1');
  try {
    if (req.method === 'GET' && url.pathname === '/admin/health') {
      res.end('ok');
    } else if (req.method === 'GET' && url.pathname === '/admin/received') {
      const raw = url.searchParams.get('raw') === '1';
      json(res, 200, {
        received: received.map((r) => {
          if (raw) return r;
          const { raw_headers, raw_body, ...rest } = r;
          return rest;
        }),
      });
    } else if (req.method === 'POST' && url.pathname === '/admin/secrets') {
      const next = JSON.parse(body.toString('utf8'));
      for (const secret of Object.values(next)) new Webhook(secret);  // rejects a malformed one
      secrets = next;
      json(res, 200, { secrets: Object.keys(secrets) });
    } else if (req.method === 'POST' && url.pathname === '/admin/behaviour') {
      behaviour = JSON.parse(body.toString('utf8'));
      behaviourUntil = behaviour.for_ms ? Date.now() + behaviour.for_ms : 0;
      json(res, 200, behaviour);
    } else {
      json(res, 404, { error: 'no such admin endpoint' });
    }
  } catch (e) {
    json(res, 400, { error: String(e.message || e) });
  }
}

const server = https.createServer(
    { cert: fs.readFileSync(args.cert), key: fs.readFileSync(args.key) },
    (req, res) => readBody(req, (body) => onWebhook(req, res, body)));
const admin = http.createServer((req, res) => readBody(req, (body) => onAdmin(req, res, body)));

function listen(s, port) {
  return new Promise((resolve, reject) => {
    s.once('error', reject);
    s.listen(Number(port), '127.0.0.1', () => resolve(s.address().port));
  });
}

(async () => {
  const port = await listen(server, args.port);
  const adminPort = await listen(admin, args.admin_port);
  if (args.admin_port_file) fs.writeFileSync(args.admin_port_file + '.tmp', `${adminPort}\n`);
  if (args.admin_port_file) fs.renameSync(args.admin_port_file + '.tmp', args.admin_port_file);
  if (args.port_file) fs.writeFileSync(args.port_file + '.tmp', `${port}\n`);
  if (args.port_file) fs.renameSync(args.port_file + '.tmp', args.port_file);
  console.log(JSON.stringify({ port, admin_port: adminPort }));
  if (args.exit_after) setTimeout(() => process.exit(0), Number(args.exit_after) * 1000);
})().catch((e) => {
  console.error(String(e.stack || e));
  process.exit(1);
});

for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => process.exit(0));
// A receiver whose parent (a test, scripts/demo) died without stopping it
// exits by itself instead of lingering.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) process.exit(0);
}, 1000).unref();
