"""The data loader, on a small file with its own checksum (no test touches the network), and
text as character ids."""

import hashlib
import urllib.error

import pytest

from modelcollapse import data


@pytest.fixture
def small_file(tmp_path):
    text = "First Citizen:\nBefore we proceed any further, hear me speak.\n"
    path = tmp_path / "data" / "small.txt"
    path.parent.mkdir()
    path.write_text(text, encoding="utf-8")
    return path, text, hashlib.sha256(text.encode()).hexdigest()


@pytest.fixture(autouse=True)
def no_network(monkeypatch, tmp_path):
    """Any download attempt fails as it would offline; the cache is a fresh temporary dir."""
    def offline(*args, **kwargs):
        raise urllib.error.URLError("no network in tests")

    monkeypatch.setattr(data.urllib.request, "urlopen", offline)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv(data.ENV_VAR, raising=False)


def test_reads_a_verified_file_from_the_env_directory(small_file, monkeypatch):
    path, text, digest = small_file
    monkeypatch.setenv(data.ENV_VAR, str(path.parent))
    assert data.tiny_shakespeare(sha256=digest, filename=path.name) == text


def test_reads_from_the_cache(small_file):
    path, text, digest = small_file
    cached = data.cache_dir() / path.name
    cached.parent.mkdir(parents=True)
    cached.write_text(text, encoding="utf-8")
    assert data.tiny_shakespeare(sha256=digest, filename=path.name) == text


def test_refuses_a_wrong_checksum(small_file, monkeypatch):
    path, _, digest = small_file
    monkeypatch.setenv(data.ENV_VAR, str(path.parent))
    with pytest.raises(ValueError, match="sha256"):
        data.tiny_shakespeare(sha256="0" * 64, filename=path.name)


def test_offline_without_a_copy_says_where_to_put_it(small_file):
    path, _, digest = small_file
    with pytest.raises(FileNotFoundError, match=data.ENV_VAR) as error:
        data.tiny_shakespeare(sha256=digest, filename=path.name)
    assert str(data.cache_dir() / path.name) in str(error.value)


def test_a_download_is_verified_before_it_is_kept(small_file, monkeypatch):
    path, text, digest = small_file

    class Response:
        def __init__(self, payload):
            self.payload = payload

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def read(self):
            return self.payload

    monkeypatch.setattr(data.urllib.request, "urlopen", lambda url, timeout: Response(b"tampered"))
    with pytest.raises(ValueError, match="sha256"):
        data.tiny_shakespeare(sha256=digest, filename=path.name)
    assert not (data.cache_dir() / path.name).exists()
    monkeypatch.setattr(data.urllib.request, "urlopen", lambda url, timeout: Response(text.encode()))
    assert data.tiny_shakespeare(sha256=digest, filename=path.name) == text
    assert (data.cache_dir() / path.name).exists()


def test_the_shared_copy_matches_the_canonical_checksum():
    """The copy CI uses (../shared/data) is the canonical file; skipped where it is absent."""
    import os
    from pathlib import Path

    shared = Path(__file__).resolve().parents[2] / "shared" / "data" / data.FILENAME
    if not shared.is_file():
        pytest.skip("no ../shared/data beside this checkout")
    assert hashlib.sha256(shared.read_bytes()).hexdigest() == data.SHA256
    assert os.path.getsize(shared) == 1_115_394


def test_encode_decode_roundtrip():
    text = "abracadabra, abracadabra!"
    ids, vocabulary = data.encode(text)
    assert vocabulary == "".join(sorted(set(text)))
    assert data.decode(ids, vocabulary) == text
    assert data.encode("ba", vocabulary="abc")[0].tolist() == [1, 0]
    with pytest.raises(ValueError, match="outside the vocabulary"):
        data.encode("xyz", vocabulary="xy")


@pytest.mark.parametrize("failure", ["offline", "checksum"])
def test_a_failed_download_leaves_no_file_in_the_cache(small_file, monkeypatch, failure):
    path, _, digest = small_file
    if failure == "checksum":
        class Response:
            def __enter__(self):
                return self

            def __exit__(self, *exc):
                return False

            def read(self):
                return b"tampered"

        monkeypatch.setattr(data.urllib.request, "urlopen", lambda url, timeout: Response())
    with pytest.raises((FileNotFoundError, ValueError)):
        data.tiny_shakespeare(sha256=digest, filename=path.name)
    assert list(data.cache_dir().iterdir()) == []  # no 0-byte temporary file left behind


def test_decode_refuses_ids_outside_the_vocabulary():
    assert data.decode([0, 2, 1], "abc") == "acb"
    for bad in ([-1], [3], [1.0]):
        with pytest.raises(ValueError, match="^ids must"):
            data.decode(bad, "abc")
    for vocabulary in ("", "aba", None, 3):
        with pytest.raises(ValueError, match="^vocabulary must"):
            data.decode([0], vocabulary)
    with pytest.raises(ValueError, match="^text must be a str"):
        data.encode(b"abc")
