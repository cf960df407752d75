// The admin API client: the admin token and JSON requests. The token arrives once in the address
// the server prints at start (/?token=...) or through the token field; it is kept for this tab in
// sessionStorage, taken out of the address bar at once, and sent as a bearer header on fetch. Only
// where a browser cannot set headers (EventSource, WebSocket) does it go as ?token=, which is all
// the server accepts it as there.

const TOKEN_KEY = "dialtone.adminToken";
const listeners = new Set();

adoptTokenFromAddress();

/** Keeps a ?token= of the page's address and removes it from the address (and so from the history). */
function adoptTokenFromAddress() {
  localStorage.removeItem(TOKEN_KEY); // earlier consoles kept it there, beyond the session: forget that copy
  const url = new URL(location.href);
  const given = url.searchParams.get("token");
  if (given === null) return;
  if (given.trim()) sessionStorage.setItem(TOKEN_KEY, given.trim());
  url.searchParams.delete("token");
  history.replaceState(history.state, "", url.pathname + url.search + url.hash);
}

/** The stored admin token ("" when none). */
export function token() {
  return sessionStorage.getItem(TOKEN_KEY) ?? "";
}

/** Stores (or with "", forgets) the admin token and tells the listeners. */
export function setToken(value) {
  if (value) sessionStorage.setItem(TOKEN_KEY, value);
  else sessionStorage.removeItem(TOKEN_KEY);
  listeners.forEach((fn) => fn());
}

/** Calls fn whenever the token changes (e.g. to reopen the event stream). */
export function onTokenChange(fn) {
  listeners.add(fn);
}

/** An error answer from the API: its HTTP status and the server's message. */
export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/**
 * Sends a request to the admin API; resolves to the parsed JSON body or throws an ApiError. A 422
 * with a JSON body (a flows reload that was refused) resolves too: its body says what is wrong.
 */
export async function api(path, {method = "GET", body} = {}) {
  const headers = {Accept: "application/json"};
  const stored = token();
  if (stored) headers.Authorization = `Bearer ${stored}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let res;
  try {
    res = await fetch(path, {method, headers, body: body === undefined ? undefined : JSON.stringify(body)});
  } catch (e) {
    throw new ApiError(0, `server unreachable (${e.message})`);
  }
  const text = await res.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: reported below by status
  }
  if (!res.ok && !(res.status === 422 && json)) {
    const message = json?.error ?? `HTTP ${res.status}`;
    throw new ApiError(res.status, res.status === 401 ? `${message}: enter the admin token above` : message);
  }
  return json;
}

/** An absolute http(s) or ws(s) URL on this server with the token as ?token= (if one is set). */
export function urlWithToken(path, params = {}, scheme = location.protocol.replace(":", "")) {
  const url = new URL(path, location.href);
  url.protocol = scheme;
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  const stored = token();
  if (stored) url.searchParams.set("token", stored);
  return url.toString();
}

/** ws: or wss: to match how the page was loaded. */
export function socketScheme() {
  return location.protocol === "https:" ? "wss" : "ws";
}
