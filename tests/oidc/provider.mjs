// A real OpenID provider for the server's tests and the demo: the
// `oidc-provider` package (OpenID Certified) on a loopback port, with its
// development login and consent pages.
//
//   node tests/oidc/provider.mjs --redirect-uri http://127.0.0.1:8787/v1/auth/oidc/callback [--port 0] [--strict]
//
// Clients (secrets are test values; never use them elsewhere):
//   orgdesk-test  / orgdesk-test-secret   (client_secret_basic)
//   orgdesk-other / orgdesk-other-secret  (a second client: another audience)
// Users: the login form takes any login and any password. The login is the
// account's email address (and its `sub`); a login
// starting with "unverified." asserts `email_verified: false`; one starting
// with "domain." sends no `email_verified` but `xms_edov: true`, as Microsoft
// Entra ID does with that optional claim on.
//
// Prints one line `issuer <url>` when it listens, then serves until killed.

import Provider from 'oidc-provider';

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
}

const redirectUris = (arg('redirect-uri', process.env.OIDC_REDIRECT_URI) ?? '').split(',').filter(Boolean);
if (redirectUris.length === 0) {
  console.error('pass --redirect-uri <the Orgdesk server>/v1/auth/oidc/callback');
  process.exit(2);
}
const port = Number(arg('port', process.env.OIDC_PORT ?? '0'));
// --strict: claims of the granted scopes only in userinfo, not in the ID
// token (oidc-provider's default; Google and Entra put them in the token).
const strict = process.argv.includes('--strict');

const clients = [
  { client_id: 'orgdesk-test', client_secret: 'orgdesk-test-secret' },
  { client_id: 'orgdesk-other', client_secret: 'orgdesk-other-secret' },
].map((c) => ({
  ...c,
  redirect_uris: redirectUris,
  grant_types: ['authorization_code'],
  response_types: ['code'],
  token_endpoint_auth_method: 'client_secret_basic',
}));

function account(login) {
  const email = login.trim().toLowerCase();
  return {
    accountId: login,
    async claims() {
      if (email.startsWith('domain.')) {
        return { sub: login, email, xms_edov: true, name: email.split('@')[0] };
      }
      return {
        sub: login,
        email,
        email_verified: !email.startsWith('unverified.'),
        name: email.split('@')[0],
      };
    },
  };
}

const server = await new Promise((resolve) => {
  // Bind first, so the issuer names the real port.
  import('node:http').then(({ createServer }) => {
    const s = createServer();
    s.listen(port, '127.0.0.1', () => resolve(s));
  });
});
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  clients,
  findAccount: (ctx, sub) => account(sub),
  claims: { openid: ['sub'], email: ['email', 'email_verified', 'xms_edov'], profile: ['name'] },
  conformIdTokenClaims: strict,
  features: { devInteractions: { enabled: true } },
  cookies: { keys: ['orgdesk-test-provider-cookie-key'] },
});
provider.proxy = false;

server.on('request', provider.callback());
console.log(`issuer ${issuer}`);

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
