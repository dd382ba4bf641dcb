"""Drawn responses, kept by a key that names what they were drawn from (a device's version,
a metric), so that a page is drawn once per change however many ask for it."""

from __future__ import annotations

import gzip
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass

#: Bodies at least this long are also kept gzip-compressed.
GZIP_FROM_BYTES = 1024
GZIP_LEVEL = 6
#: The most the cache holds, in bytes of bodies (plain and compressed).
DEFAULT_CAPACITY_BYTES = 96 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Rendered:
    """A response body ready to send: plain, gzip-compressed (None if small), its media type
    and a strong ETag; ``status`` is the HTTP status it is sent with."""

    body: bytes
    gzip: bytes | None
    media_type: str
    etag: str
    status: int = 200

    @property
    def size(self) -> int:
        """Bytes held."""
        return len(self.body) + len(self.gzip or b"")


def rendered(content: str | bytes, media_type: str, status: int = 200) -> Rendered:
    """``content`` as a :class:`Rendered` (UTF-8 for text), compressed when worth it."""
    body = content.encode("utf-8") if isinstance(content, str) else content
    packed = gzip.compress(body, GZIP_LEVEL, mtime=0) if len(body) >= GZIP_FROM_BYTES else None
    return Rendered(body, packed, media_type, etag_of(body), status)


def etag_of(body: bytes) -> str:
    """A strong ETag of ``body``."""
    return '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'


class RenderCache:
    """Responses by key, the least recently used dropped beyond ``capacity`` bytes. A key asked
    for by several requests at once is drawn by the first; the others wait for it."""

    def __init__(self, capacity: int = DEFAULT_CAPACITY_BYTES) -> None:
        self.capacity = capacity
        self._items: OrderedDict[Hashable, Rendered] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()
        self._drawing: dict[Hashable, threading.Lock] = {}

    def get(self, key: Hashable, draw: Callable[[], Rendered]) -> Rendered:
        """The response kept under ``key``, drawn with ``draw()`` if there is none."""
        found = self._lookup(key)
        if found is not None:
            return found
        with self._lock:
            drawing = self._drawing.setdefault(key, threading.Lock())
        with drawing:
            found = self._lookup(key)
            if found is None:
                found = draw()
                self._keep(key, found)
        with self._lock:
            self._drawing.pop(key, None)
        return found

    def peek(self, key: Hashable) -> Rendered | None:
        """The response kept under ``key``, without drawing it."""
        return self._lookup(key)

    def _lookup(self, key: Hashable) -> Rendered | None:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def _keep(self, key: Hashable, item: Rendered) -> None:
        with self._lock:
            if item.size > self.capacity:
                return
            old = self._items.pop(key, None)
            self._size -= old.size if old is not None else 0
            self._items[key] = item
            self._size += item.size
            while self._size > self.capacity:
                _, dropped = self._items.popitem(last=False)
                self._size -= dropped.size
