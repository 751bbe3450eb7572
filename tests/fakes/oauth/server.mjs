// A real OAuth 2.0 authorization server for hexclaw's login tests, on 127.0.0.1 only.
//
// oauth2-mock-server does the protocol (authorize redirect, PKCE S256 check, token
// issuance); this script adds what a strict production server does and the tests need:
//   --ttl N              access tokens live N seconds (expires_in)
//   --single-use         each refresh token is accepted once (rotation, RFC 9700)
//   --no-rotate          refresh responses carry no new refresh token (the old one stays valid)
//   --deny               the user "clicks Deny": the redirect carries error=access_denied
//   --encoding E         form | json | any: the token request encoding the server accepts
//   --client-id ID       the only client id accepted at the token endpoint
//   --token-delay-ms N   answer token requests N ms late, to widen race windows
//   --idle-timeout S     exit after S seconds without a request (default 60)
//   --registration       dynamic client registration (RFC 7591) at POST /register, advertised
//                        in the metadata; then only registered client ids, with one of the
//                        redirect URIs they registered, may authorize and exchange codes
// It also checks that the code exchange carries a code_verifier and the same redirect_uri as
// the authorize request. GET /_stats reports counters; POST /introspect (JSON {"token"})
// says whether an access token is live. It prints one JSON line {"url": ...} when ready and
// exits when its stdin closes, so a test that dies cannot leave it running.
import { randomUUID } from "node:crypto";
import http from "node:http";
import { OAuth2Issuer, OAuth2Service } from "oauth2-mock-server";

const options = {
  ttl: 3600,
  singleUse: false,
  rotate: true,
  deny: false,
  encoding: "any",
  clientId: null,
  tokenDelayMs: 0,
  idleTimeout: 60,
  registration: false,
};
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i += 1) {
  const flag = argv[i];
  if (flag === "--ttl") options.ttl = Number(argv[++i]);
  else if (flag === "--single-use") options.singleUse = true;
  else if (flag === "--no-rotate") options.rotate = false;
  else if (flag === "--deny") options.deny = true;
  else if (flag === "--encoding") options.encoding = argv[++i];
  else if (flag === "--client-id") options.clientId = argv[++i];
  else if (flag === "--token-delay-ms") options.tokenDelayMs = Number(argv[++i]);
  else if (flag === "--idle-timeout") options.idleTimeout = Number(argv[++i]);
  else if (flag === "--registration") options.registration = true;
  else throw new Error(`unknown option ${flag}`);
}

const stats = {
  authorizations: 0,
  exchanges: 0,
  refreshes: 0,
  rejected: 0,
  badEncoding: 0,
  registrations: 0,
};
const registered = new Map(); // client id -> its redirect URIs
const redirectByCode = new Map();
const liveRefresh = new Set();
const liveAccess = new Map(); // access token -> expiry (epoch ms)

const issuer = new OAuth2Issuer();
await issuer.keys.generate("RS256");
const service = new OAuth2Service(issuer);

function reject(response, error, description) {
  response.statusCode = 400;
  response.body = { error, error_description: description };
}

// Two tokens issued in the same second would otherwise be the same JWT.
service.on("beforeTokenSigning", (token) => {
  token.payload.jti = randomUUID();
});

service.on("beforeAuthorizeRedirect", (redirect, req) => {
  stats.authorizations += 1;
  if (options.registration) {
    const uris = registered.get(req.query.client_id);
    if (uris === undefined || !uris.includes(req.query.redirect_uri)) {
      redirect.url.searchParams.delete("code");
      redirect.url.searchParams.set("error", "unauthorized_client");
      redirect.url.searchParams.set("error_description", "unregistered client or redirect URI");
      return;
    }
  }
  const code = redirect.url.searchParams.get("code");
  if (options.deny) {
    redirect.url.searchParams.delete("code");
    redirect.url.searchParams.set("error", "access_denied");
    redirect.url.searchParams.set("error_description", "The user denied the request");
    return;
  }
  if (code) redirectByCode.set(code, req.query.redirect_uri);
});

service.on("beforeResponse", (response, req) => {
  const body = req.body ?? {};
  const type = (req.headers["content-type"] ?? "").split(";")[0].trim();
  const isJson = type === "application/json";
  if (options.encoding !== "any" && isJson !== (options.encoding === "json")) {
    stats.badEncoding += 1;
    reject(response, "invalid_request", `this server accepts only ${options.encoding} token requests`);
    return;
  }
  if (response.statusCode !== 200) return;
  const known = options.registration
    ? registered.has(body.client_id)
    : options.clientId === null || body.client_id === options.clientId;
  if (!known) {
    response.statusCode = 401;
    response.body = { error: "invalid_client", error_description: "unknown client_id" };
    return;
  }
  if (body.grant_type === "authorization_code") {
    const expected = redirectByCode.get(body.code);
    redirectByCode.delete(body.code);
    if (expected === undefined || !body.code_verifier) {
      reject(response, "invalid_grant", "unknown code, or no code_verifier (PKCE is required)");
      return;
    }
    if (body.redirect_uri !== expected) {
      reject(response, "invalid_grant", "redirect_uri does not match the authorize request");
      return;
    }
    stats.exchanges += 1;
  } else if (body.grant_type === "refresh_token") {
    if (options.singleUse && !liveRefresh.has(body.refresh_token)) {
      stats.rejected += 1;
      reject(response, "invalid_grant", "refresh token is invalid, expired or already used");
      return;
    }
    stats.refreshes += 1;
    if (options.rotate) liveRefresh.delete(body.refresh_token);
    else delete response.body.refresh_token;
  }
  response.body.expires_in = options.ttl;
  delete response.body.id_token;
  liveAccess.set(response.body.access_token, Date.now() + options.ttl * 1000);
  if (response.body.refresh_token) liveRefresh.add(response.body.refresh_token);
});

service.on("beforeIntrospect", (response, req) => {
  const token = req.body?.token;
  const expiry = liveAccess.get(token);
  response.body = { active: expiry !== undefined && expiry > Date.now() };
});

// RFC 7591: a public client (no secret) with loopback redirect URIs gets a fresh client id.
function register(req, res) {
  let raw = "";
  req.on("data", (chunk) => {
    raw += chunk;
  });
  req.on("end", () => {
    let body = null;
    try {
      body = JSON.parse(raw);
    } catch {
      body = null;
    }
    const uris = body?.redirect_uris;
    const loopback = (uri) => /^http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?\//.test(uri);
    res.setHeader("content-type", "application/json");
    if (!Array.isArray(uris) || uris.length === 0 || !uris.every(loopback)) {
      res.statusCode = 400;
      res.end(JSON.stringify({ error: "invalid_redirect_uri" }));
      return;
    }
    const clientId = randomUUID();
    registered.set(clientId, uris);
    stats.registrations += 1;
    res.statusCode = 201;
    res.end(
      JSON.stringify({
        ...body,
        client_id: clientId,
        client_id_issued_at: Math.floor(Date.now() / 1000),
        token_endpoint_auth_method: "none",
      }),
    );
  });
}

// The library's metadata does not name a registration endpoint: add it to the document.
function advertiseRegistration(res) {
  const end = res.end.bind(res);
  res.end = (chunk, ...rest) => {
    if (res.statusCode !== 200 || !chunk) return end(chunk, ...rest);
    const doc = JSON.parse(chunk.toString());
    doc.registration_endpoint = `${issuer.url}/register`;
    const body = JSON.stringify(doc);
    res.setHeader("content-length", Buffer.byteLength(body));
    return end(body);
  };
}

let lastRequest = Date.now();
const handler = service.requestHandler;
const server = http.createServer((req, res) => {
  lastRequest = Date.now();
  if (req.method === "GET" && req.url === "/_stats") {
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify(stats));
    return;
  }
  if (options.registration && req.method === "POST" && req.url === "/register") {
    register(req, res);
    return;
  }
  if (options.registration && req.method === "GET" && req.url.startsWith("/.well-known/")) {
    advertiseRegistration(res);
  }
  if (req.method === "POST" && req.url.startsWith("/token") && options.tokenDelayMs > 0) {
    setTimeout(() => handler(req, res), options.tokenDelayMs);
    return;
  }
  handler(req, res);
});

server.listen(0, "127.0.0.1", () => {
  const url = `http://127.0.0.1:${server.address().port}`;
  issuer.url = url;
  process.stdout.write(`${JSON.stringify({ url })}\n`);
});

const stop = () => {
  server.close();
  process.exit(0);
};
setInterval(() => {
  if (Date.now() - lastRequest > options.idleTimeout * 1000) stop();
}, 500).unref();
process.stdin.on("end", stop);
process.stdin.resume();
