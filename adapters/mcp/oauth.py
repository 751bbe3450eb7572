"""OAuth 2.1 for remote MCP servers, through the SDK's ``OAuthClientProvider`` (an
``httpx.Auth``): on a 401 it reads the protected-resource metadata (RFC 9728, from
``WWW-Authenticate`` or the well-known path), the authorization server's metadata (RFC 8414,
with the OpenID fallback), registers the client (RFC 7591) unless the entry names a
``clientId``, and runs the code flow with PKCE S256 and the ``resource`` parameter (RFC 8707).

hexclaw supplies the three things around it: where tokens live (``credentials.json``, one
entry per server under ``mcpOAuth`` keyed by name and URL, written under the credentials
file's lock with the other keys kept), the loopback listener the browser comes back to, and
what happens when a login is needed: ``hexclaw mcp login NAME`` prints the URL and opens
``BROWSER``; a run never opens a browser by itself, the server's status names the command.

Three rules on top of the SDK's flow:
- a refresh reads, refreshes and writes under the credentials file's cross-process lock (the
  one ``hexclaw login``'s refresh takes), re-reading the stored token once it holds the lock:
  when another process refreshed meanwhile its token is used and no second refresh is sent
  (a server may accept each refresh token once); the lock is awaited, not blocked on, so a
  refresh waiting for another process holds up only its own server's requests;
- a 403 ``insufficient_scope`` met by a run is remembered under the server's entry
  (``scope``), and the run names ``hexclaw mcp login NAME`` instead of re-authorizing: the
  refused call gets a JSON-RPC error saying so, in the POST's answer (streamable HTTP) or, on
  the legacy SSE transport, whose client drops POST answers, through the hub's ``answers``
  callback onto the session's stream (``sse_relay.py``); while connecting (``initialize``, the
  SSE event stream's GET) it is the server's ``needs login`` status; a login asks for the
  union of what the server's challenge names and what is remembered;
- ``hexclaw mcp login`` always authorizes again (stored tokens are not reused for it), and
  the client identity follows the spec's order: a pre-registered ``clientId``, a client ID
  metadata document (``oauth.clientMetadataUrl``, when the authorization server advertises
  ``client_id_metadata_document_supported``), dynamic registration.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import AsyncGenerator, Callable
from pathlib import Path
from typing import Any, Final
from urllib.parse import parse_qs

import anyio
import attrs
from mcp.client.auth import OAuthClientProvider
from mcp.shared.auth import (
    OAuthClientInformationFull,
    OAuthClientMetadata,
    OAuthMetadata,
    OAuthToken,
)

from adapters.auth.credentials_store import CredentialsFile
from adapters.http import httpx
from domain.auth.errors import AuthError
from domain.mcp.config import ServerConfig
from domain.mcp.errors import McpError
from domain.mcp.oauth_rules import scope_union, step_up_scope
from domain.repr_base import Record

MCP_OAUTH_KEY = "mcpOAuth"
LOGIN_TIMEOUT = 300.0
# A public client: no secret, PKCE instead (the token endpoint's auth method is "none").
PUBLIC_CLIENT: Final = "none"


class NeedsLogin(McpError):
    """A run met a server that wants a login: it does not open a browser by itself."""

    def __init__(self, server: str, scope: str | None = None) -> None:
        wanted = f" with scope {scope}" if scope else ""
        super().__init__(f"it needs a login{wanted}: run `hexclaw mcp login {server}`")


_STORES: dict[Path, CredentialsFile] = {}


def _shared_store(home: Path) -> CredentialsFile:
    """One ``CredentialsFile`` (so one lock object) per file in this process: the lock is
    reentrant only through the same object, and the servers' refreshes run on one thread."""
    store = CredentialsFile.in_home(home)
    return _STORES.setdefault(store.path, store)


def store_key(server: ServerConfig) -> str:
    return f"{server.name}|{server.url}"


class CredentialsTokenStorage:
    """The SDK's ``TokenStorage`` over ``credentials.json`` (``mcpOAuth[<name>|<url>]``)."""

    def __init__(self, store: CredentialsFile, key: str, preset: OAuthClientInformationFull | None):
        self.store = store
        self.key = key
        self.preset = preset

    def _entry(self) -> dict[str, Any]:
        document = self.store.read_document() or {}
        logins = document.get(MCP_OAUTH_KEY)
        entry = logins.get(self.key) if isinstance(logins, dict) else None
        return entry if isinstance(entry, dict) else {}

    def _set(self, field: str, value: dict[str, Any]) -> None:
        def change(document: dict[str, Any]) -> None:
            logins = document.get(MCP_OAUTH_KEY)
            if not isinstance(logins, dict):
                logins = document[MCP_OAUTH_KEY] = {}
            entry = logins.setdefault(self.key, {})
            entry[field] = value

        self.store.update(change)

    async def get_tokens(self) -> OAuthToken | None:
        tokens = self._entry().get("tokens")
        if not isinstance(tokens, dict):
            return None
        return OAuthToken.model_validate({k: v for k, v in tokens.items() if k != "expiresAt"})

    async def set_tokens(self, tokens: OAuthToken) -> None:
        entry = tokens.model_dump(mode="json", exclude_none=True)
        if tokens.expires_in is not None:
            # expires_in counts from now; a later process needs the moment itself.
            entry["expiresAt"] = time.time() + tokens.expires_in
        self._set("tokens", entry)

    def expires_at(self) -> float | None:
        tokens = self._entry().get("tokens")
        when = tokens.get("expiresAt") if isinstance(tokens, dict) else None
        return float(when) if isinstance(when, int | float) else None

    def metadata(self) -> OAuthMetadata | None:
        stored = self._entry().get("metadata")
        return OAuthMetadata.model_validate(stored) if isinstance(stored, dict) else None

    def set_metadata(self, metadata: OAuthMetadata) -> None:
        self._set("metadata", metadata.model_dump(mode="json", exclude_none=True))

    def scope(self) -> str:
        """The scopes this server is known to need: what the last login asked for, with
        any a later 403 ``insufficient_scope`` named."""
        scope = self._entry().get("scope")
        return scope if isinstance(scope, str) else ""

    def set_scope(self, scope: str) -> None:
        def change(document: dict[str, Any]) -> None:
            logins = document.get(MCP_OAUTH_KEY)
            if not isinstance(logins, dict):
                logins = document[MCP_OAUTH_KEY] = {}
            logins.setdefault(self.key, {})["scope"] = scope

        self.store.update(change)

    async def get_client_info(self) -> OAuthClientInformationFull | None:
        if self.preset is not None:
            return self.preset  # a pre-registered client id comes first
        client = self._entry().get("client")
        if isinstance(client, dict):
            return OAuthClientInformationFull.model_validate(client)
        return None

    async def set_client_info(self, client_info: OAuthClientInformationFull) -> None:
        self._set("client", client_info.model_dump(mode="json", exclude_none=True))


def remove_login(home: Path, server: ServerConfig) -> bool:
    store = CredentialsFile.in_home(home)
    document = store.read_document() or {}
    logins = document.get(MCP_OAUTH_KEY)
    if not isinstance(logins, dict) or store_key(server) not in logins:
        return False

    def change(document: dict[str, Any]) -> None:
        held = document.get(MCP_OAUTH_KEY)
        if isinstance(held, dict):
            held.pop(store_key(server), None)
            if not held:
                del document[MCP_OAUTH_KEY]

    store.update(change)
    return True


@attrs.frozen(repr=False)
class LoginWindow(Record):
    """What ``hexclaw mcp login`` brings: a line to print the URL and a browser to open it."""

    say: Callable[[str], None]
    open_browser: Callable[[str], None]
    timeout: float = LOGIN_TIMEOUT


Answers = Callable[[dict[str, Any]], None]
"""Puts a JSON-RPC message on a session's incoming stream (``SseRelay.inject``)."""


def provider_for(
    server: ServerConfig, home: Path, login: LoginWindow | None, answers: Answers | None = None
) -> OAuthClientProvider:
    """The server's OAuth; without ``login`` (a run) a needed login is a ``NeedsLogin``.
    ``answers``: where a refused call's error goes when the transport drops POST answers."""
    store = _shared_store(home)
    listener = None
    redirect_uri = f"http://127.0.0.1:{server.oauth_callback_port or 1}/callback"
    if login is not None:
        from adapters.auth.loopback_listener import LoopbackListener

        port = server.oauth_callback_port or _registered_port(store, server)
        listener = LoopbackListener("127.0.0.1", port, "/callback", timeout=login.timeout)
        redirect_uri = listener.redirect_uri
    preset = None
    if server.oauth_client_id:
        preset = OAuthClientInformationFull(
            client_id=server.oauth_client_id,
            redirect_uris=[redirect_uri],  # type: ignore[list-item]
            token_endpoint_auth_method=PUBLIC_CLIENT,
            grant_types=["authorization_code", "refresh_token"],
            response_types=["code"],
        )
    metadata = OAuthClientMetadata(
        client_name="hexclaw",
        redirect_uris=[redirect_uri],  # type: ignore[list-item]
        token_endpoint_auth_method=PUBLIC_CLIENT,
        grant_types=["authorization_code", "refresh_token"],
        response_types=["code"],
    )

    async def redirect(url: str) -> None:
        # Once this login is done the session is a run like any other: a later 401 names
        # the command instead of opening a browser by itself.
        if login is None or not provider.logging_in:
            raise NeedsLogin(server.name)
        login.say(f"Open this URL to log in to the MCP server {server.name}:\n{url}")
        login.open_browser(url)

    async def callback() -> tuple[str, str | None]:
        if listener is None or not provider.logging_in:
            raise NeedsLogin(server.name)
        found: dict[str, str | None] = {}

        def accept(query: str) -> str:
            values = parse_qs(query)
            if "error" in values:
                raise AuthError(f"the authorization server answered {values['error'][0]}")
            code = values.get("code", [""])[0]
            if not code:
                raise AuthError("the redirect carried no authorization code")
            found["code"], found["state"] = code, values.get("state", [None])[0]
            return code

        try:
            await _in_daemon_thread(lambda: listener.wait(accept))
        finally:
            listener.close()
        return str(found["code"]), found["state"]

    storage = CredentialsTokenStorage(store, store_key(server), preset)
    provider = _StoredProvider(
        server.url,
        metadata,
        storage,
        redirect_handler=redirect,
        callback_handler=callback,
        timeout=login.timeout if login is not None else LOGIN_TIMEOUT,
        client_metadata_url=server.oauth_metadata_url or None,
    )
    provider.server_name, provider.logging_in = server.name, login is not None
    provider.answers = answers
    return provider


async def _in_daemon_thread(work: Callable[[], object]) -> None:
    """Runs ``work`` in a daemon thread and waits for it. Not ``asyncio.to_thread``: the
    executor's threads are joined at exit, so a SIGTERM or Ctrl-C during a login waiting for
    the browser left the process alive until the listener's timeout."""
    loop = asyncio.get_running_loop()
    done: asyncio.Future[None] = loop.create_future()

    def settle(error: BaseException | None) -> None:
        if done.done():
            return
        if error is None:
            done.set_result(None)
        else:
            done.set_exception(error)

    def run() -> None:
        try:
            work()
        except BaseException as exc:  # handed to the waiting coroutine, which raises it
            loop.call_soon_threadsafe(settle, exc)
        else:
            loop.call_soon_threadsafe(settle, None)

    threading.Thread(target=run, name="mcp-login-callback", daemon=True).start()
    await done


STEP_UP_ERROR = -32003
"""The JSON-RPC error code a run's call gets when the server wants more scope."""


def _rpc_method_and_id(request: httpx.Request) -> tuple[object, object]:
    """The JSON-RPC method and id of a request hexclaw sent (None, None if not one)."""
    try:
        sent = json.loads(request.content)
    except ValueError:
        return None, None
    if not isinstance(sent, dict):
        return None, None
    return sent.get("method"), sent.get("id")


def _step_up_error(call_id: object, message: str) -> dict[str, Any]:
    error = {"code": STEP_UP_ERROR, "message": message}
    return {"jsonrpc": "2.0", "id": call_id, "error": error}


def _answer_as_rpc_error(call_id: object, response: httpx.Response, message: str) -> None:
    """Turns the server's 403 into the JSON-RPC error of the call it answered, in place
    (``call_id`` None: into an empty 202, a message accepted).

    A 403 reaching the SDK's transport raises inside its request task, which ends the
    connection and leaves the call waiting for an answer that never comes; an error answer to
    the call is what the model can read (and relay: which command steps up), and the session
    stays usable for the calls the token does cover."""
    body = b""
    if call_id is not None:
        body = json.dumps(_step_up_error(call_id, f"insufficient scope: {message}")).encode()
    response.status_code = 200 if body else 202
    response.headers["content-type"] = "application/json"
    response.headers["content-length"] = str(len(body))
    response._content = body


def _answer_on_stream(
    answers: Answers, method: object, call_id: object, login: NeedsLogin, response: httpx.Response
) -> None:
    """The legacy SSE transport drops the POST's answer, and raising would end its POST task
    unseen (every later call would wait too): the refused call's error goes on the session's
    stream instead, in the words streamable HTTP's answer carries (for ``initialize``, the
    login's own, which the server's status line shows), and the POST counts as accepted."""
    said = str(login) if method == "initialize" else f"insufficient scope: {login}"
    answers(_step_up_error(call_id, said))
    _answer_as_rpc_error(None, response, said)


def _registered_port(store: CredentialsFile, server: ServerConfig) -> int:
    """The port of the redirect URI a client registered earlier for this server, so a new
    login comes back where the registration says (0: any)."""
    from urllib.parse import urlsplit

    document = store.read_document() or {}
    logins = document.get(MCP_OAUTH_KEY)
    entry = logins.get(store_key(server)) if isinstance(logins, dict) else None
    client = entry.get("client") if isinstance(entry, dict) else None
    uris = client.get("redirect_uris") if isinstance(client, dict) else None
    if isinstance(uris, list) and uris and isinstance(uris[0], str):
        return urlsplit(uris[0]).port or 0
    return 0


class _StoredProvider(OAuthClientProvider):
    """The SDK's provider, told what it forgets between processes (when the stored access
    token expires, the authorization server's metadata, the scopes the server needs), with
    the refresh under the credentials lock and a run's step-up turned into a named login."""

    server_name = ""
    logging_in = False
    """True from a login's start until its token exchange succeeds (then it is a run)."""
    answers: Answers | None = None
    """Where a refused call's error goes when the transport drops POST answers (legacy SSE);
    None: in the POST's answer."""
    _requested_scope: str | None = None

    @property
    def _storage(self) -> CredentialsTokenStorage:
        storage = self.context.storage
        assert isinstance(storage, CredentialsTokenStorage)
        return storage

    async def _initialize(self) -> None:
        await super()._initialize()
        storage = self._storage
        self.context.token_expiry_time = storage.expires_at()
        self.context.oauth_metadata = self.context.oauth_metadata or storage.metadata()
        if self.logging_in:
            # A login authorizes again, so it can ask for scopes the stored token lacks.
            self.context.clear_tokens()

    async def _auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        async with self.context.lock:
            if not self._initialized:
                await self._initialize()
            if not self.context.is_token_valid() and self.context.can_refresh_token():
                async with self._storage.store.locked_awaiting(anyio.sleep):
                    await self._initialize()  # another process may have refreshed meanwhile
                    if not self.context.is_token_valid() and self.context.can_refresh_token():
                        refreshed = yield await self._refresh_token()
                        # A failed refresh clears the tokens: the SDK's flow then meets the
                        # 401 and, in a run, names the login.
                        await self._handle_refresh_response(refreshed)
        flow = super()._auth_flow(request)
        outgoing = await flow.__anext__()
        while True:
            response = yield outgoing
            if outgoing is request:
                challenge = response.headers.get("WWW-Authenticate", "")
                needed = step_up_scope(response.status_code, challenge)
                if needed is not None:
                    await self._remember_scope(needed)
                    if not self.logging_in:
                        await flow.aclose()
                        login = NeedsLogin(self.server_name, self._storage.scope())
                        method, call_id = _rpc_method_and_id(request)
                        if self.answers is not None and call_id is not None:
                            _answer_on_stream(self.answers, method, call_id, login, response)
                            return
                        # While connecting (on SSE the event stream's GET comes first): the
                        # server's status is the line.
                        if method == "initialize" or (self.answers and request.method == "GET"):
                            raise login
                        _answer_as_rpc_error(call_id, response, str(login))
                        return
            try:
                outgoing = await flow.asend(response)
            except StopAsyncIteration:
                return

    async def _remember_scope(self, needed: str) -> None:
        tokens = self.context.current_tokens
        granted = tokens.scope if tokens is not None else None
        storage = self._storage
        storage.set_scope(scope_union(storage.scope(), granted, needed))

    async def _perform_authorization(self) -> httpx.Request:
        # The SDK chose the scope from this challenge (or the metadata); add what is remembered.
        wanted = scope_union(self.context.client_metadata.scope, self._storage.scope())
        self.context.client_metadata.scope = wanted or None
        self._requested_scope = wanted
        return await super()._perform_authorization()

    async def _exchange_token_authorization_code(
        self, auth_code: str, code_verifier: str, *, token_data: dict[str, Any] | None = None
    ) -> httpx.Request:
        # The metadata is known by the time the code is exchanged: keep it for later runs.
        if self.context.oauth_metadata:
            self._storage.set_metadata(self.context.oauth_metadata)
        return await super()._exchange_token_authorization_code(
            auth_code, code_verifier, token_data=token_data
        )

    async def _handle_token_response(self, response: httpx.Response) -> None:
        await super()._handle_token_response(response)
        if self._requested_scope:
            self._storage.set_scope(self._requested_scope)
        self.logging_in = False
