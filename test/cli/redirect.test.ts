// The redirect rules of `hush get -L` (src/cli/redirect.ts), without sockets: Fetch's method and body
// rewriting, relative Locations, https-only unless allowed, credentials kept to their origin.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { followRedirect, type HopRequest, type RedirectPolicy } from '../../src/cli/redirect.js';

const STRICT: RedirectPolicy = { allowHttp: false, trusted: false };
const body = new TextEncoder().encode('payload');

function req(method: string, url = 'https://a.test/dir/page?x=1', headers: [string, string][] = []): HopRequest {
  return { url: new URL(url), method, body: method === 'GET' || method === 'HEAD' ? undefined : body, headers };
}

function next(r: HopRequest, status: number, location: string, policy = STRICT): HopRequest {
  const d = followRedirect(r, status, location, policy);
  assert.ok(d?.follow, `expected ${status} → ${location} to be followed: ${JSON.stringify(d)}`);
  return d.next;
}

test('not a redirect: other statuses, or no Location', () => {
  for (const s of [200, 300, 304, 305, 404]) assert.equal(followRedirect(req('GET'), s, '/x', STRICT), undefined, String(s));
  assert.equal(followRedirect(req('GET'), 302, undefined, STRICT), undefined);
});

test('relative Locations resolve against the request URL; a fragment carries over', () => {
  assert.equal(next(req('GET'), 302, 'other').url.href, 'https://a.test/dir/other');
  assert.equal(next(req('GET'), 301, '/root?y=2').url.href, 'https://a.test/root?y=2');
  assert.equal(next(req('GET'), 308, '//b.test/p').url.href, 'https://b.test/p');
  assert.equal(next(req('GET', 'https://a.test/p#frag'), 302, '/q').url.href, 'https://a.test/q#frag');
  assert.equal(next(req('GET', 'https://a.test/p#frag'), 302, '/q#own').url.href, 'https://a.test/q#own');
});

test('method and body (Fetch §4.4): 301/302 turn POST into GET, 303 everything but HEAD, 307/308 keep them', () => {
  const typed: [string, string][] = [['Content-Type', 'text/plain'], ['X-Keep', '1']];
  for (const s of [301, 302, 303]) {
    const n = next(req('POST', undefined, typed), s, '/x');
    assert.equal(n.method, 'GET', String(s));
    assert.equal(n.body, undefined);
    assert.deepEqual(n.headers, [['X-Keep', '1']]);
  }
  for (const s of [301, 302]) {
    const put = next(req('PUT'), s, '/x');
    assert.deepEqual([put.method, put.body], ['PUT', body], String(s));
  }
  assert.equal(next(req('PUT'), 303, '/x').method, 'GET');
  assert.equal(next(req('HEAD'), 303, '/x').method, 'HEAD');
  for (const s of [307, 308]) {
    const n = next(req('POST', undefined, typed), s, '/x');
    assert.deepEqual([n.method, n.body, n.headers], ['POST', body, typed], String(s));
  }
});

test('https only: http:// is refused unless allowed; other schemes and bad URLs are refused', () => {
  const d = followRedirect(req('GET'), 302, 'http://a.test/', STRICT);
  assert.ok(d && !d.follow);
  assert.match(d.reason, /from https:\/\/ to plain http:\/\/a\.test\/; not followed \(add --allow-http-redirect/);
  assert.equal(next(req('GET'), 302, 'http://a.test/', { allowHttp: true, trusted: false }).url.href, 'http://a.test/');
  for (const loc of ['ftp://a.test/f', 'file:///etc/passwd', 'javascript:alert(1)']) {
    const r = followRedirect(req('GET'), 302, loc, { allowHttp: true, trusted: true });
    assert.ok(r && !r.follow, loc);
  }
  const bad = followRedirect(req('GET'), 302, 'https://[bad', STRICT);
  assert.ok(bad && !bad.follow);
  assert.match(bad.reason, /not a URL/);
});

test('Authorization, Cookie and a custom Host stay with their origin (host, port or scheme); --location-trusted keeps credentials', () => {
  const hs: [string, string][] = [['Authorization', 'Bearer t'], ['cookie', 'a=b'], ['Proxy-Authorization', 'p'], ['Host', 'a.test'], ['X-Other', 'o']];
  assert.deepEqual(next(req('GET', undefined, hs), 302, '/same').headers, hs);
  for (const loc of ['https://b.test/', 'https://a.test:8443/', 'http://a.test/']) {
    assert.deepEqual(next(req('GET', undefined, hs), 302, loc, { allowHttp: true, trusted: false }).headers, [['X-Other', 'o']], loc);
  }
  assert.deepEqual(next(req('GET', undefined, hs), 302, 'https://b.test/', { allowHttp: false, trusted: true }).headers, [
    ['Authorization', 'Bearer t'],
    ['cookie', 'a=b'],
    ['Proxy-Authorization', 'p'],
    ['X-Other', 'o'],
  ]);
});
