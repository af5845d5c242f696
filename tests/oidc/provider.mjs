// A real OpenID provider for the console's single sign-on tests: oidc-provider (OpenID
// Certified), with its development login and consent pages, three users in different groups,
// open dynamic client registration (each test registers the console under its own callback
// URL) and a second, static client whose ID tokens the tests swap in.
//
//   node tests/oidc/provider.mjs [PORT]
//
// listens on 127.0.0.1:PORT (a free port by default) and prints one line of JSON,
// {"issuer": "http://127.0.0.1:PORT"}, once it answers. Any password signs a known user in.
// With OIDC_EXIT_WITH_STDIN=1 it stops when its standard input closes.
//
// Test-only: `POST /_test/token-rewrite` with {"code": CODE, "action": ACTION} makes the
// provider rework the ID token of the next /token answer for that authorization code, so the
// console's checks can be proved against tokens the provider itself signed:
//   tamper          one character of the signature changed;
//   other-audience  the same claims, issued to the second client (another audience);
//   expired         the same claims, issued for this client, expired half an hour ago.
// The console must refuse each of them.

import http from 'node:http';
import { Provider } from 'oidc-provider';
import { decodeJwt } from 'jose';

const USERS = {
  ana: { name: 'Ana Admin', email: 'ana@example.test', groups: ['payments-admins'] },
  ben: { name: 'Ben Operator', email: 'ben@example.test', groups: ['support', 'orders-operators'] },
  cleo: { name: 'Cleo Outsider', email: 'cleo@example.test', groups: ['marketing'] },
};

const OTHER_CLIENT = {
  client_id: 'other-client',
  client_secret: 'other-client-secret-for-tests-only',
  redirect_uris: ['http://127.0.0.1/unused-callback'],
};

const port = Number(process.argv[2] ?? 0);
const server = http.createServer();
await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  clients: [OTHER_CLIENT],
  cookies: { keys: ['dms-console-tests-only-cookie-key'] },
  claims: {
    openid: ['sub'],
    profile: ['preferred_username', 'name'],
    email: ['email'],
    groups: ['groups'],
  },
  scopes: ['openid', 'profile', 'email', 'groups'],
  // The groups travel in the ID token (not only from the userinfo endpoint).
  conformIdTokenClaims: false,
  features: {
    devInteractions: { enabled: true },
    registration: { enabled: true },
    rpInitiatedLogout: { enabled: true },
  },
  async findAccount(ctx, id) {
    const user = USERS[id];
    if (!user) return undefined;
    return {
      accountId: id,
      async claims() {
        return { sub: id, preferred_username: id, ...user };
      },
    };
  },
});
provider.proxy = false;

// Authorization code -> what to do to the ID token of its /token answer.
const rewrites = new Map();

async function readJson(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
}

// Issues an ID token with `original`'s claims for `client`, signed by the provider's keys.
async function reissue(ctx, original, client, { expired = false } = {}) {
  const claims = decodeJwt(original);
  const token = new provider.IdToken({ sub: claims.sub }, { ctx, client });
  token.scope = 'openid';
  for (const name of ['nonce', 'groups', 'preferred_username', 'name', 'email', 'auth_time']) {
    if (claims[name] !== undefined) token.set(name, claims[name]);
  }
  // The provider hashes this into at_hash, as it did for the original.
  if (ctx.body.access_token) token.set('at_hash', ctx.body.access_token);
  if (expired) {
    const now = Math.floor(Date.now() / 1000);
    token.set('iat', now - 3600);
    return token.issue({ use: 'idtoken', expiresAt: now - 1800 });
  }
  return token.issue({ use: 'idtoken' });
}

provider.use(async (ctx, next) => {
  if (ctx.path === '/_test/token-rewrite' && ctx.method === 'POST') {
    const { code, action } = await readJson(ctx.req);
    if (!code || !['tamper', 'other-audience', 'expired'].includes(action)) {
      ctx.status = 400;
      ctx.body = { error: 'give a code and an action: tamper, other-audience or expired' };
      return;
    }
    rewrites.set(code, action);
    ctx.status = 204;
    return;
  }
  await next();
  if (ctx.path !== '/token' || ctx.status !== 200 || !ctx.body?.id_token) return;
  const code = ctx.oidc?.params?.code;
  const action = code && rewrites.get(code);
  if (!action) return;
  rewrites.delete(code);
  const original = ctx.body.id_token;
  if (action === 'tamper') {
    const [header, payload, signature] = original.split('.');
    const at = Math.floor(signature.length / 2);
    const changed = signature[at] === 'A' ? 'B' : 'A';
    ctx.body.id_token = [header, payload, signature.slice(0, at) + changed + signature.slice(at + 1)].join('.');
  } else if (action === 'other-audience') {
    const other = await provider.Client.find(OTHER_CLIENT.client_id);
    ctx.body.id_token = await reissue(ctx, original, other);
  } else {
    ctx.body.id_token = await reissue(ctx, original, ctx.oidc.client, { expired: true });
  }
});

server.on('request', provider.callback());
process.stdout.write(`${JSON.stringify({ issuer })}\n`);
// Whoever started the provider may stop reading after that line: anything else goes to
// standard error, and a closed standard output is no reason to stop.
process.stdout.on('error', () => {});
console.log = console.error;
console.info = console.error;

// Started by a test process (OIDC_EXIT_WITH_STDIN=1): stop when it ends and its pipe closes.
if (process.env.OIDC_EXIT_WITH_STDIN === '1') {
  process.stdin.on('end', () => process.exit(0));
  process.stdin.resume();
}

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
