// A real OpenID provider (oidc-provider 8.8.1, in-memory) for the statuspass tests.
// Usage: node provider.mjs --port N --redirect-uri URI [--redirect-uri URI2 ...]
//                          [--post-logout-redirect-uri URI ...]
// Prints one line {"ready":true,"issuer":"http://127.0.0.1:<port>","port":<port>} when listening.
import { createServer } from 'node:http';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import Provider from 'oidc-provider';

// ---- command line -------------------------------------------------------------------------
const args = { port: 0, redirectUris: [], postLogoutRedirectUris: [] };
for (let i = 2; i < process.argv.length; i += 1) {
  const [flag, value] = [process.argv[i], process.argv[i + 1]];
  if (value === undefined) throw new Error(`missing value for ${flag}`);
  if (flag === '--port') args.port = Number(value);
  else if (flag === '--redirect-uri') args.redirectUris.push(value);
  else if (flag === '--post-logout-redirect-uri') args.postLogoutRedirectUris.push(value);
  else throw new Error(`unknown argument ${flag}`);
  i += 1;
}
if (!args.redirectUris.length) throw new Error('at least one --redirect-uri is required');
if (!args.postLogoutRedirectUris.length) {
  args.postLogoutRedirectUris = [...new Set(args.redirectUris.map((u) => `${new URL(u).origin}/`))];
}
const idTokenTtl = Number(process.env.OIDC_ID_TOKEN_TTL || 300);

// ---- accounts (the account id is the sub; every password is "test") -----------------------
const person = (family, given, middle, birthdate, trusted, snils) => ({
  family_name: family,
  given_name: given,
  ...(middle ? { middle_name: middle } : {}),
  name: [family, given, middle].filter(Boolean).join(' '),
  ...(birthdate ? { birthdate } : {}),
  trusted,
  snils,
});
const ACCOUNTS = {
  alice: person('Иванов', 'Иван', 'Иванович', '1985-03-14', true, '112-233-445 95'),
  bob: person('Петров', 'Пётр', 'Сергеевич', '1990-07-01', false, '12345678964'),
  carol: person('Сидорова', 'Анна', 'Петровна', '1988-11-23', true, '123-456-789 00'),
  dave: person('Кассиров', 'Давид', 'Олегович', '1992-02-02', true, '90123456764'),
  erin: person('Админова', 'Ирина', 'Павловна', '1980-08-08', true, '27182818291'),
  frank: person('Посторонний', 'Фёдор', null, '1999-09-09', true, '31415926552'),
  gleb: person('Кузнецов', 'Глеб', 'Дмитриевич', null, true, '34567890123'),
};
const BY_SUB = Object.fromEntries(Object.entries(ACCOUNTS).map(([login, c]) => [`${login}-sub`, c]));

// ---- keys: a fresh RS256 key every start, nothing secret on disk --------------------------
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = { ...privateKey.export({ format: 'jwk' }), kid: randomBytes(8).toString('hex'), alg: 'RS256', use: 'sig' };

// stdout carries only the ready line: library notices go to stderr; the one expected warning
// (the in-memory adapter is what we want here) is dropped.
const warn = console.warn;
console.warn = (...a) => { if (!String(a[0]).includes('in-memory adapter')) warn(...a); };
console.info = (...a) => console.error(...a);
console.log = console.info;

const esc = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const page = (title, body) => `<!DOCTYPE html><html lang="ru"><head><meta charset="utf-8">
<title>${esc(title)}</title></head><body><h1>${esc(title)}</h1>${body}</body></html>`;

const client = (clientId, secret) => ({
  client_id: clientId,
  client_secret: secret,
  grant_types: ['authorization_code'],
  response_types: ['code'],
  token_endpoint_auth_method: 'client_secret_basic', // client_secret_post is accepted too
  redirect_uris: args.redirectUris,
  post_logout_redirect_uris: args.postLogoutRedirectUris,
});

function startServer() {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(args.port, '127.0.0.1', () => resolve(server));
  });
}

// Listen first (port 0 picks the port, and the issuer needs it); requests are served only after
// the 'request' handler below is attached, before the ready line is printed.
const server = await startServer();
const { port } = server.address();
const issuer = `http://127.0.0.1:${port}`;

const provider = new Provider(issuer, {
  clients: [client('statuspass', 'statuspass-test-secret'), client('other-client', 'other-secret')],
  jwks: { keys: [jwk] },
  cookies: {
    keys: [randomBytes(32).toString('hex')],
    long: { signed: true, httpOnly: true, sameSite: 'lax' }, // plain http: no SameSite=None
    short: { signed: true, httpOnly: true, sameSite: 'lax' },
  },
  claims: {
    openid: ['sub'],
    profile: ['family_name', 'given_name', 'middle_name', 'name', 'birthdate', 'trusted', 'snils'],
  },
  responseTypes: ['code'],
  conformIdTokenClaims: false, // scope claims go into the id token as well
  pkce: { required: () => true, methods: ['S256'] },
  features: {
    devInteractions: { enabled: false },
    claimsParameter: { enabled: true },
    userinfo: { enabled: true },
    rpInitiatedLogout: {
      enabled: true,
      logoutSource: async (ctx, form) => {
        ctx.body = page('Выйти?', `${form}
<button type="submit" form="op.logoutForm" name="logout" value="yes" id="logout">Выйти</button>
<button type="submit" form="op.logoutForm" id="stay">Остаться</button>`);
      },
      postLogoutSuccessSource: async (ctx) => {
        ctx.body = page('Вы вышли', '<p id="logged-out">Выход выполнен.</p>');
      },
    },
  },
  ttl: {
    AuthorizationCode: 60, IdToken: idTokenTtl, AccessToken: 3600, Interaction: 3600, Session: 86400, Grant: 86400,
  },
  async findAccount(ctx, sub) {
    const claims = BY_SUB[sub];
    if (!claims) return undefined;
    return { accountId: sub, claims: async () => ({ sub, ...claims }) };
  },
  renderError: async (ctx, out) => {
    ctx.type = 'html';
    ctx.body = page('Ошибка', `<pre id="error">${esc(JSON.stringify(out))}</pre>`);
  },
});
provider.proxy = false;

// ---- interactions: GET /interaction/:uid, POST .../login, .../confirm, .../abort ----------
const loginPage = (uid, error) => page('Вход', `${error ? `<p id="error">${esc(error)}</p>` : ''}
<form method="post" action="/interaction/${esc(uid)}/login">
<label for="login">Логин</label> <input name="login" id="login" autocomplete="off" autofocus>
<label for="password">Пароль</label> <input name="password" id="password" type="password">
<button type="submit" id="submit">Войти</button></form>`);

const consentPage = (uid, clientId, scopes) => page('Согласие', `<p>${esc(clientId)}: ${esc(scopes.join(' '))}</p>
<form method="post" action="/interaction/${esc(uid)}/confirm"><button type="submit" id="submit">Разрешить</button></form>
<form method="post" action="/interaction/${esc(uid)}/abort"><button type="submit" id="deny">Отказать</button></form>`);

async function readForm(req) {
  let body = '';
  for await (const chunk of req) body += chunk;
  return new URLSearchParams(body);
}

function send(res, status, html) {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(html);
}

async function interaction(req, res, uid, action) {
  const details = await provider.interactionDetails(req, res);
  const { prompt, params, session, grantId } = details;
  if (details.uid !== uid) return send(res, 400, page('Ошибка', '<p>interaction mismatch</p>'));

  if (req.method === 'GET' && !action) {
    if (prompt.name === 'login') return send(res, 200, loginPage(uid));
    return send(res, 200, consentPage(uid, params.client_id, String(params.scope || '').split(' ')));
  }
  if (req.method !== 'POST') return send(res, 405, page('Ошибка', '<p>method not allowed</p>'));

  if (action === 'login') {
    const form = await readForm(req);
    const login = form.get('login') || '';
    if (prompt.name !== 'login' || !ACCOUNTS[login] || form.get('password') !== 'test') {
      return send(res, 200, loginPage(uid, 'Неверный логин или пароль'));
    }
    return provider.interactionFinished(req, res, { login: { accountId: `${login}-sub` } },
      { mergeWithLastSubmission: false });
  }
  if (action === 'confirm') {
    const grant = grantId
      ? await provider.Grant.find(grantId)
      : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
    const { missingOIDCScope, missingOIDCClaims, missingResourceScopes } = prompt.details;
    if (missingOIDCScope) grant.addOIDCScope(missingOIDCScope.join(' '));
    if (missingOIDCClaims) grant.addOIDCClaims(missingOIDCClaims);
    for (const [indicator, scope] of Object.entries(missingResourceScopes || {})) {
      grant.addResourceScope(indicator, scope.join(' '));
    }
    return provider.interactionFinished(req, res, { consent: { grantId: await grant.save() } },
      { mergeWithLastSubmission: true });
  }
  if (action === 'abort') {
    return provider.interactionFinished(req, res,
      { error: 'access_denied', error_description: 'End-User aborted interaction' },
      { mergeWithLastSubmission: false });
  }
  return send(res, 404, page('Ошибка', '<p>not found</p>'));
}

const callback = provider.callback();
server.on('request', (req, res) => {
  const m = /^\/interaction\/([^/?]+)(?:\/(login|confirm|abort))?\/?(?:\?.*)?$/.exec(req.url);
  if (!m) return callback(req, res);
  return interaction(req, res, m[1], m[2]).catch((err) => {
    if (!res.headersSent) {
      send(res, 400, page('Ошибка', `<pre id="error">${esc(err.name)}: ${esc(err.message)}</pre>`));
    }
  });
});

const stop = () => { server.close(() => process.exit(0)); server.closeAllConnections(); };
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.stdout.write(`${JSON.stringify({ ready: true, issuer, port })}\n`);
