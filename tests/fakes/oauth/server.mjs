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
//   --cimd CA_FILE       client ID metadata documents (the MCP authorization spec, SEP-991):
//                        the metadata advertises client_id_metadata_document_supported; an
//                        https client_id is fetched (trusting the certificate in CA_FILE, for a
//                        document the test serves on 127.0.0.1) and must name itself as
//                        client_id; only the redirect URIs it lists may authorize (any other
//                        answer is a 400 page, no redirect); the --client-id stays accepted
// Each authorize request's scope is recorded (stats.authorizeScopes); the tokens carry the
// scope that was authorized (kept across refreshes) and /introspect reports it.
// It also checks that the code exchange carries a code_verifier and the same redirect_uri as
// the authorize request. GET /_stats reports counters; POST /introspect (JSON {"token"})
// says whether an access token is live. It prints one JSON line {"url": ...} when ready and
// exits when its stdin closes, so a test that dies cannot leave it running.
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import http from "node:http";
import https from "node:https";
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
  cimdCa: null,
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
  else if (flag === "--cimd") options.cimdCa = readFileSync(argv[++i]);
  else throw new Error(`unknown option ${flag}`);
}

const stats = {
  authorizations: 0,
  exchanges: 0,
  refreshes: 0,
  rejected: 0,
  badEncoding: 0,
  registrations: 0,
  cimdFetches: 0,
  cimdRefused: 0,
  authorizeScopes: [],
};
const cimd = options.cimdCa !== null;
const strictClients = options.registration || cimd;
const registered = new Map(); // client id -> its redirect URIs (registered or from a document)
const scopeByCode = new Map();
const scopeByRefresh = new Map();
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
  stats.authorizeScopes.push(req.query.scope ?? null);
  const preset = cimd && req.query.client_id === options.clientId;
  if (strictClients && !preset) {
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
  if (code) {
    redirectByCode.set(code, req.query.redirect_uri);
    scopeByCode.set(code, req.query.scope ?? "");
  }
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
  const known = strictClients
    ? registered.has(body.client_id) || (cimd && body.client_id === options.clientId)
    : options.clientId === null || body.client_id === options.clientId;
  let scope = "";
  if (!known) {
    response.statusCode = 401;
    response.body = { error: "invalid_client", error_description: "unknown client_id" };
    return;
  }
  if (body.grant_type === "authorization_code") {
    const expected = redirectByCode.get(body.code);
    redirectByCode.delete(body.code);
    scope = scopeByCode.get(body.code) ?? "";
    scopeByCode.delete(body.code);
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
    scope = scopeByRefresh.get(body.refresh_token) ?? "";
    if (options.rotate) liveRefresh.delete(body.refresh_token);
    else delete response.body.refresh_token;
  }
  response.body.expires_in = options.ttl;
  // A scope the authorize request (or the refreshed grant) named; else the library's own.
  if (scope) response.body.scope = scope;
  else scope = response.body.scope ?? "";
  delete response.body.id_token;
  liveAccess.set(response.body.access_token, { expiry: Date.now() + options.ttl * 1000, scope });
  if (response.body.refresh_token) {
    liveRefresh.add(response.body.refresh_token);
    scopeByRefresh.set(response.body.refresh_token, scope);
  }
});

service.on("beforeIntrospect", (response, req) => {
  const token = req.body?.token;
  const live = liveAccess.get(token);
  const active = live !== undefined && live.expiry > Date.now();
  response.body = active ? { active, scope: live.scope } : { active };
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

// An https client_id is a document to fetch (only from a loopback host here, trusting the
// test's certificate); it must name itself as client_id and list the redirect URI asked for.
function fetchDocument(url) {
  return new Promise((resolve) => {
    let parsed = null;
    try {
      parsed = new URL(url);
    } catch {
      resolve(null);
      return;
    }
    if (parsed.protocol !== "https:" || parsed.hostname !== "127.0.0.1") {
      resolve(null);
      return;
    }
    const request = https.get(url, { ca: options.cimdCa, timeout: 5000 }, (answer) => {
      let raw = "";
      answer.on("data", (chunk) => {
        raw += chunk;
      });
      answer.on("end", () => {
        try {
          resolve(answer.statusCode === 200 ? JSON.parse(raw) : null);
        } catch {
          resolve(null);
        }
      });
    });
    request.on("error", () => resolve(null));
    request.on("timeout", () => request.destroy());
  });
}

async function checkDocumentClient(req, res) {
  const query = new URL(req.url, "http://127.0.0.1").searchParams;
  const clientId = query.get("client_id") ?? "";
  if (!clientId.startsWith("https://")) return true;
  stats.cimdFetches += 1;
  const doc = await fetchDocument(clientId);
  const uris = Array.isArray(doc?.redirect_uris) ? doc.redirect_uris : [];
  if (doc?.client_id !== clientId || !uris.includes(query.get("redirect_uri"))) {
    stats.cimdRefused += 1;
    res.statusCode = 400;
    res.setHeader("content-type", "text/plain");
    res.end("invalid_client: the client ID metadata document does not allow this request\n");
    return false;
  }
  registered.set(clientId, uris);
  return true;
}

// The library's metadata names neither a registration endpoint nor CIMD: add what is on.
function advertise(res) {
  const end = res.end.bind(res);
  res.end = (chunk, ...rest) => {
    if (res.statusCode !== 200 || !chunk) return end(chunk, ...rest);
    const doc = JSON.parse(chunk.toString());
    if (options.registration) doc.registration_endpoint = `${issuer.url}/register`;
    if (cimd) doc.client_id_metadata_document_supported = true;
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
  if (strictClients && req.method === "GET" && req.url.startsWith("/.well-known/")) {
    advertise(res);
  }
  if (cimd && req.method === "GET" && req.url.startsWith("/authorize")) {
    checkDocumentClient(req, res).then((allowed) => {
      if (allowed) handler(req, res);
    });
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
