"""The release bundle's pure parts (tools/bundle.py): the manifest and the site's MathJax. The
browser check of a real bundle is `make check-bundle` (tools/check_bundle.py, with its self-test)."""

import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("bundle", ROOT / "tools" / "bundle.py")
bundle = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bundle)


def test_the_manifest_lists_every_file_and_catches_each_change(tmp_path):
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "index.html").write_text("<p>page</p>")
    (tmp_path / "README.txt").write_text("readme")
    assert bundle.write_manifest(tmp_path) == 2
    assert bundle.manifest_problems(tmp_path) == []
    (tmp_path / "README.txt").write_text("changed")
    (tmp_path / "extra.txt").write_text("not listed")
    (tmp_path / "site" / "index.html").unlink()
    problems = bundle.manifest_problems(tmp_path)
    assert any("README.txt: its checksum differs" in p for p in problems)
    assert any("extra.txt is not in SHA256SUMS" in p for p in problems)
    assert any("lists site/index.html, which is missing" in p for p in problems)


def fake_mathjax(root, version="3.2.2"):
    (root / "es5").mkdir(parents=True)
    (root / "es5" / "tex-mml-chtml.js").write_text("// MathJax")
    (root / "LICENSE").write_text("Apache-2.0")
    (root / "package.json").write_text(json.dumps({"version": version}))
    return root


def test_every_page_is_pointed_at_the_bundled_mathjax(tmp_path):
    html = tmp_path / "html"
    (html / "book" / "setup").mkdir(parents=True)
    script = f"<script defer {bundle.MATHJAX_CDN_SCRIPT}></script>"
    (html / "index.html").write_text(f"<html>{script}</html>")
    (html / "book" / "setup" / "derivation.html").write_text(f"<html>{script}</html>")
    (html / "search.html").write_text("<html>no mathematics</html>")
    site = tmp_path / "site"
    assert bundle.copy_site(html, fake_mathjax(tmp_path / "mathjax"), site) == 2
    assert 'src="_static/mathjax/es5/tex-mml-chtml.js"' in (site / "index.html").read_text()
    page = (site / "book" / "setup" / "derivation.html").read_text()
    assert 'src="../../_static/mathjax/es5/tex-mml-chtml.js"' in page and "cdn.jsdelivr" not in page
    assert (site / "_static" / "mathjax" / "LICENSE").is_file()


def test_a_mathjax_the_pages_do_not_expect_or_an_unknown_cdn_form_is_refused(tmp_path):
    html = tmp_path / "html"
    html.mkdir()
    (html / "index.html").write_text(f"<script {bundle.MATHJAX_CDN_SCRIPT}></script>")
    with pytest.raises(SystemExit, match="configured for MathJax 3"):
        bundle.copy_site(html, fake_mathjax(tmp_path / "v4", "4.1.3"), tmp_path / "site4")
    (html / "index.html").write_text('<script src="https://cdn.jsdelivr.net/npm/mathjax@3.2.2/es5/tex-chtml.js">')
    with pytest.raises(SystemExit, match="does not know"):
        bundle.copy_site(html, fake_mathjax(tmp_path / "v3"), tmp_path / "site3")


def test_zenodo_reads_citation_cff():
    """Zenodo takes a release's metadata from CITATION.cff unless a .zenodo.json overrides it."""
    assert (ROOT / "CITATION.cff").is_file()
    assert not (ROOT / ".zenodo.json").exists()
    workflow = (ROOT / ".github" / "workflows" / "release.yml").read_text()
    assert "gh release create" in workflow and "make book pdf check-pdf bundle check-bundle" in workflow
