"""The ports: what the domain needs from the outside world, as Protocols.

Adapters implement these; tests drive the domain through fakes of them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from domain.auth.oauth_credentials import OAuthCredentials
from domain.loop.turn_state import TurnState
from domain.messages.content import ConversationMessage, JSONObject, Message
from domain.messages.request import MessageRequest
from domain.stream.updates import StreamUpdate
from domain.tools.calls import Decision, PermissionAnswer, ToolAccess, ToolCall, ToolOutcome

if TYPE_CHECKING:
    from domain.loop.agent_loop import AgentLoop


class Clock(Protocol):
    def now(self) -> float:
        """Wall-clock time in epoch seconds."""
        ...

    def monotonic(self) -> float:
        """Seconds from an arbitrary origin, for measuring durations."""
        ...


class RandomSource(Protocol):
    def token_bytes(self, count: int) -> bytes:
        """Cryptographically strong random bytes."""
        ...

    def fraction(self) -> float:
        """A uniform float in [0, 1), for jitter."""
        ...


class AuthHeaderSource(Protocol):
    def headers(self) -> dict[str, str]:
        """The authentication headers for the next request (may refresh a token first)."""
        ...

    def refresh_after_unauthorized(self) -> bool:
        """Called after a 401; True when fresh credentials make one retry worthwhile."""
        ...


class ChainInputs(Protocol):
    """What the credential chain reads lazily, only when the environment names no credential."""

    def helper_key(self) -> str | None:
        """The ``apiKeyHelper`` command's key; None when no helper is configured."""
        ...

    def stored_oauth(self) -> OAuthCredentials | None:
        """The stored OAuth credentials; None when there are none."""
        ...


class CredentialsStore(Protocol):
    def load_oauth(self) -> OAuthCredentials | None: ...

    def save_oauth(self, credentials: OAuthCredentials) -> None:
        """Replace the ``oauth`` entry, keeping every other key of the store."""
        ...

    def remove_oauth(self) -> bool:
        """Remove the ``oauth`` entry only; True when there was one."""
        ...


class TokenEndpoint(Protocol):
    def exchange(
        self, code: str, verifier: str, redirect_uri: str, state: str
    ) -> OAuthCredentials: ...

    def refresh(self, refresh_token: str, scopes: tuple[str, ...]) -> OAuthCredentials: ...


class CallbackListener(Protocol):
    @property
    def redirect_uri(self) -> str: ...

    def wait(self, accept: Callable[[str], str]) -> str:
        """Wait for the redirect; ``accept(query)`` returns the code or raises an AuthError,
        and the browser is shown success or failure accordingly."""
        ...


class Browser(Protocol):
    def show(self, url: str) -> None:
        """Try to show ``url`` in the user's browser; never blocks, never raises."""
        ...


UpdateSink = Callable[[StreamUpdate], None]


class ModelClient(Protocol):
    def stream_message(self, request: MessageRequest, on_update: UpdateSink) -> Message:
        """Send a request, stream its updates to ``on_update`` and return the final message.

        Raises ``domain.messages.api_errors.ApiError`` or ``domain.stream.errors.StreamFailure``.
        """
        ...


class ToolRunner(Protocol):
    def definitions(self) -> list[JSONObject]:
        """The tool definitions sent to the API (name, description, input_schema)."""
        ...

    def access_of(self, call: ToolCall) -> ToolAccess:
        """What the call would touch, for the permission decision."""
        ...

    def run(self, call: ToolCall) -> ToolOutcome:
        """Run the call; failures are outcomes with ``is_error``, never exceptions."""
        ...


class PermissionDecider(Protocol):
    def decide(self, access: ToolAccess) -> Decision: ...

    def allow_for_session(self, access: ToolAccess) -> None:
        """Remember an "allow for this session" answer as a rule, unless the decision for the
        call said it would not be remembered (``session_allow``): then it was an allow once."""
        ...


class PermissionPrompt(Protocol):
    def ask(self, call: ToolCall, access: ToolAccess, decision: Decision) -> PermissionAnswer:
        """Ask about a call the policy asked about: ``decision.reason`` says why it asks; the
        answer ``allow_session`` is offered only when ``decision.session_allow``."""
        ...


class SessionRecorder(Protocol):
    def append(self, entry: JSONObject) -> None:
        """Durably append one entry (a message or an event) to the session log."""
        ...


class TurnObserver(Protocol):
    """What a user turn shows as it happens; the terminal and the output formats implement it."""

    def on_state(self, state: TurnState) -> None: ...

    def on_update(self, update: StreamUpdate) -> None: ...

    def on_assistant_message(self, message: Message) -> None: ...

    def on_tool_start(self, call: ToolCall) -> None: ...

    def on_tool_end(self, call: ToolCall, outcome: ToolOutcome) -> None: ...

    def on_tool_results(
        self, message: ConversationMessage, outcomes: list[ToolOutcome]
    ) -> None: ...

    def on_notice(self, text: str) -> None: ...


class InstructionFileReader(Protocol):
    def text_of(self, path: str) -> str | None:
        """The text of an instruction file (CLAUDE.md and the like), or None if there is none.

        Raises ``domain.context.instruction_memory.UnreadableInstructionFile`` when the file exists
        but cannot be read.
        """
        ...

    def real_path(self, path: str) -> str:
        """``path`` with every symbolic link in it followed (as far as it exists)."""
        ...


class ContextCompactor(Protocol):
    def before_call(self, loop: AgentLoop) -> None:
        """Called before every model call; may replace the loop's conversation with a summary.

        Never raises for a failed compaction (it tells the observer and lets the call go on);
        a ``KeyboardInterrupt`` passes through with the conversation unchanged.
        """
        ...
