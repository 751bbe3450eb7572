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
  else throw new Error(`unknown option ${flag}`);
}

const stats = { authorizations: 0, exchanges: 0, refreshes: 0, rejected: 0, badEncoding: 0 };
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
  if (options.clientId !== null && body.client_id !== options.clientId) {
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

let lastRequest = Date.now();
const handler = service.requestHandler;
const server = http.createServer((req, res) => {
  lastRequest = Date.now();
  if (req.method === "GET" && req.url === "/_stats") {
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify(stats));
    return;
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
