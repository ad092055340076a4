// Calls to the JSON API. With a token the server answers 401 until the operator gives it: the token is then
// kept in this tab's session storage (never a cookie) and sent as a bearer header.

const TOKEN_KEY = 'durable-runs.api-token';

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

let tokenPrompt = null;

function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function hasToken() {
  return token() !== null;
}

/** Shows the token form once, however many requests are waiting for it. */
function askForToken(wasWrong) {
  if (!tokenPrompt) {
    tokenPrompt = new Promise((resolve) => {
      const dialog = document.getElementById('token-dialog');
      const input = document.getElementById('token-input');
      const error = document.getElementById('token-error');
      error.hidden = !wasWrong;
      error.textContent = wasWrong ? 'The server refused that token; check it and try again.' : '';
      input.value = '';
      dialog.addEventListener('close', () => {
        const value = input.value.trim();
        if (value) sessionStorage.setItem(TOKEN_KEY, value);
        tokenPrompt = null;
        resolve(Boolean(value));
      }, { once: true });
      dialog.showModal();
    });
  }
  return tokenPrompt;
}

async function send(path, options) {
  for (;;) {
    const headers = new Headers(options.headers || {});
    const t = token();
    if (t) headers.set('Authorization', 'Bearer ' + t);
    const response = await fetch(path, { ...options, headers, credentials: 'omit', cache: 'no-store' });
    if (response.status !== 401) return response;
    const hadToken = t !== null;
    sessionStorage.removeItem(TOKEN_KEY);
    if (!(await askForToken(hadToken))) {
      throw new ApiError(401, 'unauthorized', 'This server needs its API token.');
    }
  }
}

async function errorOf(response) {
  let code = 'http_' + response.status;
  let message = 'The server answered HTTP ' + response.status;
  try {
    const body = await response.json();
    if (body && body.error) {
      code = body.error.code || code;
      message = body.error.message || message;
    }
  } catch (e) {
    // not JSON: keep the generic message
  }
  return new ApiError(response.status, code, message);
}

/** GET a JSON document. */
export async function get(path) {
  const response = await send(path, { method: 'GET' });
  if (!response.ok) throw await errorOf(response);
  return response.json();
}

/** POST a JSON body (the content type every state-changing route requires). */
export async function post(path, body) {
  const response = await send(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body ?? {}),
  });
  if (!response.ok) throw await errorOf(response);
  return response.json();
}

/** The content of an artifact as a Blob, read with the token. */
export async function blob(path) {
  const response = await send(path, { method: 'GET' });
  if (!response.ok) throw await errorOf(response);
  return response.blob();
}

export function runPath(id) {
  return '/api/runs/' + encodeURIComponent(id);
}
