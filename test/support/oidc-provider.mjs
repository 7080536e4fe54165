// A local OpenID Connect provider (oidc-provider 9, ES modules only) for the single sign-on tests, run as
// a child process: `node test/support/oidc-provider.mjs` with REDIRECT_URI, CLIENT_ID, CLIENT_SECRET (and
// optionally PORT) in the environment. Prints "READY <port>" once it listens.
//
// One static client; no login form: every authorization request is signed in at once as the account set
// with `GET /_login-as?email=…` (its e-mail is the account id and the `email` claim, verified unless
// `&verified=false`), and consent is granted by loadExistingGrant, so a browser or a test following
// redirects goes straight back to the app.
import { createServer } from 'node:http';
import Provider from 'oidc-provider';

const { REDIRECT_URI, CLIENT_ID, CLIENT_SECRET } = process.env;
let current = { email: 'nobody@example.com', verified: true };

const server = createServer();
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const { port } = server.address();
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        redirect_uris: [REDIRECT_URI],
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    async findAccount(_ctx, id) {
      return {
        accountId: id,
        async claims() {
          return { sub: id, email: id, email_verified: current.email === id ? current.verified : true };
        },
      };
    },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    cookies: { keys: ['test-provider-cookie-key'] },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    pkce: { required: () => true },
    async loadExistingGrant(ctx) {
      const grantId = ctx.oidc.result?.consent?.grantId ?? ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client.clientId,
        accountId: ctx.oidc.session.accountId,
      });
      grant.addOIDCScope('openid email profile');
      await grant.save();
      return grant;
    },
  });
  const callback = provider.callback();
  server.on('request', async (req, res) => {
    const url = new URL(req.url, issuer);
    try {
      if (url.pathname === '/_login-as') {
        current = { email: url.searchParams.get('email'), verified: url.searchParams.get('verified') !== 'false' };
        res.writeHead(204).end();
        return;
      }
      if (url.pathname.startsWith('/interaction/')) {
        await provider.interactionDetails(req, res);
        await provider.interactionFinished(
          req,
          res,
          { login: { accountId: current.email } },
          { mergeWithLastSubmission: false },
        );
        return;
      }
      callback(req, res);
    } catch (e) {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(String(e?.stack ?? e));
    }
  });
  process.stdout.write(`READY ${port}\n`);
});
