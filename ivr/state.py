"""What the IVR knows about one call while it walks a flow."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class CallState:
    """Mutable per-call facts. `path` holds node ids in visiting order; a node where the
    caller typed something shows as `node=value` (the `CC_IVR_PATH` form the screen-pop
    reads)."""

    language: str
    queue: str | None
    priority: int = 0
    skills: dict[str, int] = field(default_factory=dict)
    tier: str = ""
    customer_id: str = ""
    variables: dict[str, str] = field(default_factory=dict)
    path: list[str] = field(default_factory=list)

    def enter(self, node_id: str) -> None:
        self.path.append(node_id)

    def typed(self, value: str) -> None:
        """Show what the caller typed at the current node."""
        if self.path:
            self.path[-1] = f"{self.path[-1].partition('=')[0]}={value}"
