"""Tiny Shakespeare (the data of the paper's Figure 5; book/reproducing.md), found locally or
downloaded once, always checksum-verified; and text as character ids over a vocabulary, for the
counting model and the transformer alike."""

from __future__ import annotations

import hashlib
import os
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np

from .validation import ids as checked_ids
from .validation import text as nonempty_text

URL = "https://raw.githubusercontent.com/karpathy/char-rnn/master/data/tinyshakespeare/input.txt"
SHA256 = "86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed"
FILENAME = "tinyshakespeare.txt"
ENV_VAR = "MODELCOLLAPSE_DATA"


def cache_dir() -> Path:
    """``$XDG_CACHE_HOME/modelcollapse``, by default ``~/.cache/modelcollapse``."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "modelcollapse"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _verified(path: Path, sha256: str) -> str:
    digest = _sha256(path)
    if digest != sha256:
        raise ValueError(f"{path} has sha256 {digest}, expected {sha256}: refusing a file that is not the data set")
    return path.read_text(encoding="utf-8")


def _download(url: str, target: Path, sha256: str) -> None:
    """``url`` into ``target`` through a temporary file beside it, which is removed whatever
    fails (the download, the write, the checksum): a failed attempt leaves nothing behind."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=target.parent, delete=False) as tmp:
        tmp_path = Path(tmp.name)
        try:
            with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310 (a fixed https URL)
                tmp.write(response.read())
        except BaseException:
            tmp.close()
            tmp_path.unlink(missing_ok=True)
            raise
    try:
        _verified(tmp_path, sha256)
        tmp_path.replace(target)
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise


def tiny_shakespeare(*, sha256: str = SHA256, filename: str = FILENAME, url: str = URL) -> str:
    """The tiny Shakespeare text (1,115,394 characters).

    Looks in the directory named by ``$MODELCOLLAPSE_DATA``, then in :func:`cache_dir`; failing
    both, downloads ``url`` into the cache. Every file is checked against ``sha256`` and refused
    (``ValueError``) if it differs. Offline with no local copy, raises ``FileNotFoundError``
    saying where to put the file.
    """
    sha256, filename = nonempty_text("sha256", sha256), nonempty_text("filename", filename)
    url = nonempty_text("url", url)
    places = []
    if os.environ.get(ENV_VAR):
        places.append(Path(os.environ[ENV_VAR]) / filename)
    places.append(cache_dir() / filename)
    for path in places:
        if path.is_file():
            return _verified(path, sha256)
    target = cache_dir() / filename
    try:
        _download(url, target, sha256)
    except (urllib.error.URLError, OSError) as error:
        where = " or ".join(str(p) for p in places)
        raise FileNotFoundError(
            f"tiny Shakespeare is not available: no file at {where}, and downloading {url} failed "
            f"({error}). Put the file (sha256 {sha256}) at one of those paths, or point ${ENV_VAR} "
            f"at the directory that holds {filename}."
        ) from error
    return _verified(target, sha256)


def _vocabulary(vocabulary) -> str:
    if not isinstance(vocabulary, str) or not vocabulary or len(set(vocabulary)) != len(vocabulary):
        raise ValueError(f"vocabulary must be a non-empty string of distinct characters, got "
                         f"{vocabulary!r:.80}")
    return vocabulary


def encode(text: str, vocabulary: str | None = None) -> tuple[np.ndarray, str]:
    """Character ids of ``text`` over ``vocabulary`` (default: the sorted characters of
    ``text``), and the vocabulary (a string of distinct characters)."""
    if not isinstance(text, str):
        raise ValueError(f"text must be a str, got {type(text).__name__}")
    if vocabulary is not None:
        vocabulary = _vocabulary(vocabulary)
    vocabulary = "".join(sorted(set(text))) if vocabulary is None else vocabulary
    lookup = {ch: i for i, ch in enumerate(vocabulary)}
    missing = set(text) - lookup.keys()
    if missing:
        raise ValueError(f"text has characters outside the vocabulary: {sorted(missing)[:10]}")
    return np.array([lookup[ch] for ch in text], dtype=np.int64), vocabulary


def decode(ids, vocabulary: str) -> str:
    """The text whose characters are ``vocabulary[i]`` for each id in ``ids`` (inverse of
    :func:`encode`); each id in ``[0, len(vocabulary))``: a negative one would index from the
    end (``decode([-1], 'abc')`` gave 'c')."""
    vocabulary = _vocabulary(vocabulary)
    return "".join(vocabulary[i] for i in checked_ids("ids", ids, len(vocabulary)).ravel().tolist())
