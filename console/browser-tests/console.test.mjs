// Browser tests of the console: Debian's chromium driven by puppeteer-core
// (never `puppeteer`, which downloads a browser of its own). Started by
// browser_test.cc, which brings a running system's orders into the seed's
// situations and writes what the API says about them to the manifest named
// by SSLPANEL_CONSOLE_MANIFEST. Each page is checked against the API and the
// seed, and must log no CSP violation or script error and load nothing from
// another origin. Screenshots go to the manifest's directory.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import puppeteer from 'puppeteer-core';

const manifest = JSON.parse(readFileSync(process.env.SSLPANEL_CONSOLE_MANIFEST, 'utf8'));
mkdirSync(manifest.screenshots, { recursive: true });

let browser;
before(async () => {
  browser = await puppeteer.launch({
    executablePath: process.env.SSLPANEL_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    // Chromium's sandbox refuses to run as root (CI runs as root).
    args: [...(process.getuid() === 0 ? ['--no-sandbox'] : []), '--disable-gpu',
      '--disable-dev-shm-usage', '--no-first-run', '--no-default-browser-check'],
  });
});
after(async () => { await browser?.close(); });

// "2026-12-02 05:43:51 UTC", as the console writes times.
const utc = (seconds) => new Date(seconds * 1000).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
const label = (status) => status.charAt(0) + status.slice(1).toLowerCase();

// Opens `url` in a fresh page that records what the page complained about and
// everything it requested.
async function open(url) {
  const page = await browser.newPage();
  await page.setViewport({ width: 1000, height: 700 });
  const problems = [];
  const requests = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warn' || m.type() === 'warning') {
      problems.push(`console ${m.type()}: ${m.text()}`);
    }
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('dialog', async (d) => { problems.push(`dialog: ${d.message()}`); await d.dismiss(); });
  page.on('request', (r) => requests.push(r.url()));
  const response = await page.goto(url, { waitUntil: 'load' });
  return { page, response, problems, requests, origin: new URL(url).origin };
}

function assertClean({ problems, requests, origin: own }) {
  assert.deepEqual(problems, [], 'no CSP violation, script error or dialog');
  for (const url of requests) {
    assert.equal(new URL(url).origin, own, `requested only from the console: ${url}`);
  }
}

function assertSecurityHeaders(response) {
  const csp = response.headers()['content-security-policy'] || '';
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, /style-src 'self'/);
  assert.doesNotMatch(csp, /unsafe-inline/);
}

async function screenshot(page, name) {
  await page.screenshot({ path: `${manifest.screenshots}/${name}.png`, fullPage: true });
  // A smaller one for the README: the allowed actions, the certificates and
  // the prevalidation report below them, scaled down.
  const box = await page.$$eval('section.actions, section.certificate, section.prevalidation', (s) => s.length ? {
    top: Math.floor(s[0].getBoundingClientRect().top + window.scrollY) - 8,
    bottom: Math.ceil(s[s.length - 1].getBoundingClientRect().bottom + window.scrollY) + 8,
  } : null);
  if (box) {
    await page.screenshot({ path: `${manifest.screenshots}/${name}-picture.png`,
      clip: { x: 0, y: box.top, width: 1000, height: box.bottom - box.top, scale: 0.6 } });
  }
}

// What the page shows about one certificate's picture, read from the DOM.
async function pictureOf(page, certificateId) {
  return page.$eval(`section.certificate[data-certificate-id="${certificateId}"]`, (section) => {
    const nodes = [...section.querySelectorAll('svg.workflow g.node')].map((g) => ({
      status: g.dataset.status,
      current: g.dataset.current === 'true',
      reached: g.classList.contains('reached'),
      title: g.querySelector('title').textContent,
    }));
    const arrows = [...section.querySelectorAll('svg.workflow g.arrow')].map((g) => {
      const style = getComputedStyle(g.querySelector('line.shaft'));
      return {
        name: g.dataset.arrow, from: g.dataset.from, to: g.dataset.to, state: g.dataset.state,
        label: g.querySelector('text')?.textContent ?? '',
        dash: style.strokeDasharray, stroke: style.stroke, width: style.strokeWidth,
      };
    });
    return { nodes, arrows, text: section.textContent };
  });
}

// The page against the API: current node, reached nodes and their hover
// dates, every arrow's state, the marked arrow's distinct labelled style.
async function checkPictureMatchesApi(page, cert) {
  const shown = await pictureOf(page, cert.certificate_id);
  const current = cert.nodes.filter((n) => n.current).map((n) => n.status);
  assert.deepEqual(shown.nodes.filter((n) => n.current).map((n) => n.status), current,
    'the current status');
  for (const node of cert.nodes) {
    const box = shown.nodes.find((n) => n.status === node.status);
    assert.ok(box, `a box for ${node.status}`);
    assert.equal(box.reached, node.reached || node.current, `${node.status} filled when reached`);
    if ((node.reached || node.current) && node.entered_at !== null) {
      assert.equal(box.title, `${label(node.status)}: ${utc(node.entered_at)}`,
        `hovering ${node.status} shows the API's time`);
    }
  }
  for (const arrow of cert.arrows) {
    const drawn = shown.arrows.find((a) => a.from === arrow.from && a.to === arrow.to);
    assert.ok(drawn, `an arrow ${arrow.from} -> ${arrow.to}`);
    assert.equal(drawn.state, arrow.state.toLowerCase(), `${arrow.name} ${arrow.from} -> ${arrow.to}`);
  }
  const marked = shown.arrows.filter((a) => a.state === 'marked');
  const idle = shown.arrows.find((a) => a.state === 'idle');
  for (const m of marked) {
    assert.equal(m.label, `${m.name} (marked)`, 'a marked arrow is labelled');
    assert.notEqual(m.dash, 'none', 'a marked arrow is dashed');
    if (idle) {
      assert.notEqual(m.dash, idle.dash, 'marked and idle arrows differ in dash');
      assert.notEqual(m.stroke, idle.stroke, 'and in colour');
    }
  }
  for (const taken of shown.arrows.filter((a) => a.state === 'taken')) {
    assert.equal(taken.dash, 'none', 'taken arrows are solid');
  }
  if (cert.activation !== null) assert.ok(shown.text.includes(utc(cert.activation)), 'activation date');
  if (cert.expiration !== null) assert.ok(shown.text.includes(utc(cert.expiration)), 'expiration date');
  if (cert.ca_reference) assert.ok(shown.text.includes(cert.ca_reference), 'CA reference');
  if (cert.ca_raw_status) assert.ok(shown.text.includes(cert.ca_raw_status), 'raw CA status');
  return shown;
}

const current = (shown) => shown.nodes.find((n) => n.current)?.status;
const markedArrows = (shown) => shown.arrows.filter((a) => a.state === 'marked')
  .map((a) => `${a.name}:${a.from}->${a.to}`);

// What the seed says each situation looks like.
const seed = {
  'open-prevalidation-failed': async (page, [c]) => {
    assert.equal(current(c), 'OPEN');
    assert.deepEqual(markedArrows(c), ['Requested:OPEN->REQUESTED']);
    const report = await page.$eval('#prevalidation', (s) => ({
      overall: s.querySelector('#prevalidation-overall').textContent,
      rows: [...s.querySelectorAll('tr.check')].map((r) => [...r.cells].map((td) => td.textContent)),
    }));
    assert.equal(report.overall, 'Fail');
    assert.ok(report.rows.length >= 5, 'every check is listed');
    const name = report.rows.find((r) => r[0] === 'KVK_NAME_MATCH');
    assert.ok(name, 'the name check');
    assert.equal(name[1], 'Fail');
    assert.match(name[3], /Tset B\.V\./, 'our value beside the registry\'s');
    assert.notEqual(name[4], '', 'a remedy');
  },
  'hostile-organisation': async (page, _c, s) => {
    const shownName = await page.$eval('#organization', (dl) =>
      [...dl.querySelectorAll('dt')].find((dt) => dt.textContent === 'Legal name').nextElementSibling.textContent);
    assert.equal(shownName, s.legal_name, 'the name is shown as text');
    assert.equal(await page.$$eval('img', (i) => i.length), 0, 'and never becomes an element');
  },
  requested: async (_p, [c]) => {
    assert.equal(current(c), 'REQUESTED');
    assert.deepEqual(markedArrows(c), []);
    assert.equal(c.arrows.find((a) => a.from === 'OPEN' && a.to === 'REQUESTED').state, 'taken');
  },
  'cancel-marked': async (_p, [c]) => {
    assert.equal(current(c), 'REQUESTED');
    assert.deepEqual(markedArrows(c), ['Cancel:REQUESTED->REJECTED']);
  },
  'rejected-closed': async (_p, [c]) => { assert.equal(current(c), 'REJECTED'); },
  active: async (_p, [c], s) => {
    assert.equal(current(c), 'ACTIVE');
    assert.ok(s.certificates[0].activation && s.certificates[0].expiration, 'dates known');
  },
  'chain-of-three': async (_p, certs) => {
    assert.equal(certs.length, 3);
    for (const c of certs) assert.equal(current(c), 'ACTIVE');
  },
  renewed: async (_p, [first, renewal]) => {
    assert.equal(current(first), 'RENEWED', 'Renewed, never Expired');
    assert.equal(first.nodes.find((n) => n.status === 'EXPIRED').reached, false);
    assert.equal(first.arrows.find((a) => a.to === 'RENEWED').state, 'taken');
    assert.equal(current(renewal), 'ACTIVE');
  },
  revoked: async (_p, [c]) => {
    assert.equal(current(c), 'REVOKED');
    assert.equal(c.arrows.find((a) => a.from === 'ACTIVE' && a.to === 'REVOKED').state, 'taken');
  },
  expired: async (_p, [c]) => { assert.equal(current(c), 'EXPIRED'); },
};

describe(`console pages, ${manifest.round} round`, () => {
  for (const s of manifest.situations) {
    test(s.name, async () => {
      const ctx = await open(`${manifest.console}/orders/${s.order_id}`);
      const { page, response } = ctx;
      assert.equal(response.status(), 200);
      assertSecurityHeaders(response);
      assert.equal(await page.$eval('#order-id', (e) => e.textContent), s.order_id);
      assert.equal(await page.$$eval('section.certificate', (x) => x.length), s.certificates.length,
        'one picture per certificate of the chain');
      const shown = [];
      for (const cert of s.certificates) shown.push(await checkPictureMatchesApi(page, cert));
      const buttons = await page.$$eval('button.action', (b) => b.length);
      if (s.closed) {
        assert.equal(buttons, 0, 'no action buttons on a closed order');
        assert.match(await page.$eval('#no-actions', (e) => e.textContent), /closed/);
      } else {
        assert.ok(await page.$$eval('#order-actions button.action', (b) => b.length) === s.actions,
          'the order\'s allowed actions');
      }
      assert.ok(seed[s.name], `a seed expectation for ${s.name}`);
      await seed[s.name](page, shown, s);
      await screenshot(page, s.name);
      assertClean(ctx);
      await page.close();
    });
  }

  if (manifest.round !== 'first') return;

  test('the order list shows every order with its reseller code, and filters', async () => {
    const ctx = await open(`${manifest.console}/orders?page_size=100`);
    assert.equal(ctx.response.status(), 200);
    assertSecurityHeaders(ctx.response);
    const rows = await ctx.page.$$eval('tr.order-row', (r) => r.map((tr) => ({
      id: tr.dataset.orderId, code: tr.querySelector('td.code').textContent })));
    for (const s of manifest.situations) {
      assert.deepEqual(rows.find((r) => r.id === s.order_id), { id: s.order_id, code: s.reseller_code });
    }
    await screenshot(ctx.page, 'orders');
    assertClean(ctx);
    const filtered = await open(`${manifest.console}/orders?reseller_code=FAI&status=CLOSED`);
    const ids = await filtered.page.$$eval('tr.order-row', (r) => r.map((tr) => tr.dataset.orderId));
    const rejected = manifest.situations.find((s) => s.name === 'rejected-closed');
    const active = manifest.situations.find((s) => s.name === 'active');
    assert.ok(ids.includes(rejected.order_id));
    assert.ok(!ids.includes(active.order_id));
    assert.equal(await filtered.page.$eval('select[name=reseller_code]', (e) => e.value), 'FAI');
    await ctx.page.close();
    await filtered.page.close();
  });

  test('an order by the ordering system\'s id', async () => {
    const s = manifest.situations[0];
    const ctx = await open(`${manifest.console}/orders/by-external/${encodeURIComponent(s.external_order_id)}`);
    assert.equal(ctx.response.status(), 200);
    assert.equal(await ctx.page.$eval('#order-id', (e) => e.textContent), s.order_id);
    await ctx.page.close();
  });

  test('API errors are pages with the right status', async () => {
    for (const [url, status, title] of [
      [`${manifest.console}/orders/not-a-number`, 400, 'Invalid request'],
      [`${manifest.console}/orders/987654321987`, 404, 'Not found'],
      [`${manifest.console}/orders/by-external/no-such-order`, 404, 'Not found'],
      [`${manifest.console}/orders?status=BOGUS`, 400, 'Invalid request'],
      [`${manifest.console}/no/such/page`, 404, 'Not found'],
      [`${manifest.orphan_console}/orders`, 503, 'Workflow service unavailable'],
      [`${manifest.orphan_console}/orders/1`, 503, 'Workflow service unavailable'],
    ]) {
      const ctx = await open(url);
      assert.equal(ctx.response.status(), status, url);
      assertSecurityHeaders(ctx.response);
      assert.equal(await ctx.page.$eval('h1', (e) => e.textContent), title, url);
      if (status === 503) await screenshot(ctx.page, 'workflow-unavailable');
      ctx.problems.splice(0, ctx.problems.length,
        ...ctx.problems.filter((p) => !p.includes('Failed to load resource')));  // the error status itself
      assertClean(ctx);
      await ctx.page.close();
    }
  });

  test('the CSP is enforced and a violation would be noticed', async () => {
    // Proves the detector of the tests above: an inline style is refused and reported.
    const ctx = await open(`${manifest.console}/orders`);
    await ctx.page.evaluate(() => {
      document.head.insertAdjacentHTML('beforeend', '<style>body { background: red; }</style>');
    });
    const background = await ctx.page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    assert.notEqual(background, 'rgb(255, 0, 0)', 'the inline style was refused');
    await new Promise((r) => setTimeout(r, 200));
    assert.ok(ctx.problems.some((p) => /Content Security Policy/i.test(p)),
      `the refusal was logged: ${JSON.stringify(ctx.problems)}`);
    await ctx.page.close();
  });
});
