"""Hooks: where a lower app lets a higher one plug in, so that apps never import each other.

The apps depend on each other in one direction (core ← regions ← accounts ← registry ← exchange ←
policy ← matching ← monitoring). When a lower app needs something only a higher app can do (the
person page showing the policy's decisions, the audit check storing its outcome for the security
page), it declares a `Hook` and calls it; the higher app provides the function in its
``AppConfig.ready()``. Several listeners for one event are a Django signal instead.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class Hook:
    """One named function a higher app provides (the last provider wins)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._func: Callable[..., Any] | None = None

    def provide(self, func: Callable[..., Any]) -> Callable[..., Any]:
        self._func = func
        return func

    @property
    def provided(self) -> bool:
        return self._func is not None

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self._func is None:
            raise LookupError(f"no app provides the hook {self.name!r}")
        return self._func(*args, **kwargs)
