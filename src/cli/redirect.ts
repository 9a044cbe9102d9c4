// `hush get -L`: which request follows a redirect. Pure: the URL, method, body and headers of the
// next request, or why the redirect cannot be followed. The rules are the Fetch standard's
// "HTTP-redirect fetch" (what browsers and curl do), with curl's handling of credentials.

/** A request as `hush get` sends it (headers as the user gave them; Host and User-Agent are added per hop). */
export interface HopRequest {
  readonly url: URL;
  readonly method: string;
  readonly body: Uint8Array | undefined;
  readonly headers: readonly (readonly [name: string, value: string])[];
}

export interface RedirectPolicy {
  /** Follow a redirect from https:// to plain http:// (off: refused). */
  readonly allowHttp: boolean;
  /** Keep Authorization and Cookie headers when the redirect leaves the origin (curl's --location-trusted). */
  readonly trusted: boolean;
}

export type RedirectDecision =
  | { readonly follow: true; readonly next: HopRequest }
  | { readonly follow: false; readonly reason: string };

/** The statuses that redirect (RFC 9110 §15.4); 300, 304 and 305 do not. */
export const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

/** Request-body header names (Fetch §2.2.2), dropped with the body. */
const BODY_HEADERS = new Set(['content-type', 'content-encoding', 'content-language', 'content-location', 'content-length']);
/** Headers that carry credentials: not sent to another origin unless trusted (as curl). */
const CREDENTIAL_HEADERS = new Set(['authorization', 'cookie', 'proxy-authorization']);

/**
 * The request that follows `status` + `location`, or undefined when the response is not a redirect
 * to follow (not a redirect status, or no Location header).
 */
export function followRedirect(
  req: HopRequest,
  status: number,
  location: string | undefined,
  policy: RedirectPolicy,
): RedirectDecision | undefined {
  if (!REDIRECT_STATUSES.has(status) || location === undefined) return undefined;
  let next: URL;
  try {
    // Location may be relative to the request URL (RFC 9110 §10.2.2).
    next = new URL(location, req.url);
  } catch {
    return { follow: false, reason: `the server redirects (${status}) to '${location}', which is not a URL` };
  }
  // A fragment in the request URL carries over when Location has none (RFC 9110 §10.2.2).
  if (next.hash === '' && req.url.hash !== '') next.hash = req.url.hash;
  if (next.protocol === 'http:') {
    if (!policy.allowHttp) {
      return {
        follow: false,
        reason: `the server redirects (${status}) from https:// to plain ${next.href}; not followed (add --allow-http-redirect to follow it unencrypted)`,
      };
    }
  } else if (next.protocol !== 'https:') {
    return { follow: false, reason: `the server redirects (${status}) to ${next.protocol}//, which hush get cannot fetch` };
  }

  let method = req.method;
  let body = req.body;
  let headers = [...req.headers];
  // Fetch §4.4 step 12: 301/302 turn POST into GET; 303 turns everything but GET/HEAD into GET.
  if (((status === 301 || status === 302) && method === 'POST') || (status === 303 && method !== 'GET' && method !== 'HEAD')) {
    method = 'GET';
    body = undefined;
    headers = headers.filter(([n]) => !BODY_HEADERS.has(n.toLowerCase()));
  }
  if (next.origin !== req.url.origin) {
    // Credentials stay with the origin they were meant for (Fetch §4.4 step 13; curl ≥ 7.83),
    // and a Host header set for one origin is wrong for another.
    headers = headers.filter(([n]) => n.toLowerCase() !== 'host' && (policy.trusted || !CREDENTIAL_HEADERS.has(n.toLowerCase())));
  }
  return { follow: true, next: { url: next, method, body, headers } };
}
