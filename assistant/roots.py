"""Which folders may be indexed: the corpus folder and the folders the site configures.

Whatever is indexed is quoted to everyone who can ask the bot, so what goes in is decided
by configuration, not by whoever types a path. ``copc ingest PATH`` accepts only paths
under the allowed roots: the corpus folder (``COPC_CORPUS_DIR``) and the folders listed in
``COPC_INGEST_ROOTS``. Paths are compared after symlinks are resolved, so a link inside a
root that leads outside it (to ``/etc``, a home folder, the records database) is refused
too. The working directory is deliberately not a root: ``cd ~ && copc ingest .`` would
otherwise index a home folder.

The :class:`~assistant.ingest.Ingestor` enforces roots when it is given them (the CLI always
gives them); evaluation and benchmark runs that index into a private temporary index,
never served to anyone, call it without.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.errors import AssistantError

if TYPE_CHECKING:
    from assistant.config import Settings

OUTSIDE = "outside the folders the assistant may index"


class PathNotAllowedError(AssistantError):
    """A path given to ingest lies outside the allowed roots."""


def allowed_roots(settings: Settings) -> tuple[Path, ...]:
    """The corpus folder and ``COPC_INGEST_ROOTS``, resolved, without duplicates."""
    roots = (settings.corpus_dir, *settings.ingest_roots)
    return tuple(dict.fromkeys(root.expanduser().resolve() for root in roots))


def is_under(path: Path, roots: Iterable[Path]) -> bool:
    """Whether ``path`` (symlinks resolved) is one of ``roots`` or inside one of them."""
    resolved = path.expanduser().resolve()
    return any(resolved == root or root in resolved.parents for root in roots)


def check_paths(paths: Iterable[Path], roots: Sequence[Path]) -> None:
    """Refuse the first path outside ``roots``.

    Raises:
        PathNotAllowedError: one line naming the path, the roots and the setting to change.
    """
    for path in paths:
        if not is_under(path, roots):
            shown = ", ".join(str(root) for root in roots) or "none configured"
            raise PathNotAllowedError(
                f"{path} is {OUTSIDE} ({shown}); move it into the corpus folder "
                "or add its folder to COPC_INGEST_ROOTS"
            )


def outside_reason(found: Path) -> str:
    """Why a file found in a folder walk (its symlinks resolved) is not read."""
    return f"a link leads here, {OUTSIDE}; not read (remove the link or copy the file in)"
