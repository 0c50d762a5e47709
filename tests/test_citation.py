"""The citation metadata agree with each other and with the one repository setting.

CITATION.cff (checked against the CFF schema by `make check-citation`), the BibTeX shown on the
How to cite page (references.bib) and `repository.url` in _config.yml must not drift apart.
"""

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from pybtex.database import parse_file

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def cff():
    return yaml.safe_load((ROOT / "CITATION.cff").read_text())


@pytest.fixture(scope="module")
def bib():
    return parse_file(str(ROOT / "references.bib")).entries


@pytest.fixture(scope="module")
def repository_url():
    return yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"]


def pages_url(repository_url):
    """The GitHub Pages address of a GitHub repository (what pages.yml publishes to)."""
    parts = urlsplit(repository_url)
    assert parts.netloc == "github.com", repository_url
    owner, name = parts.path.strip("/").split("/")
    return f"https://{owner.lower()}.github.io/{name}/"


def plain(text):
    return text.replace("{", "").replace("}", "").replace("\\url", "")


def test_cff_points_at_the_configured_repository_and_its_pages(cff, repository_url):
    assert cff["repository-code"] == repository_url
    assert cff["url"] == pages_url(repository_url)


def test_cff_version_is_the_package_version(cff):
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert f'version = "{cff["version"]}"' in pyproject


def test_bibtex_for_the_book_matches_cff(cff, bib):
    entry = bib["modelcollapsebook2026"]
    assert plain(entry.fields["title"]) == cff["title"]
    assert plain(entry.fields["howpublished"]) == cff["url"]
    assert entry.fields["year"] == cff["date-released"][:4]
    assert f"Version {cff['version']}." in entry.fields["note"]


def test_cff_reference_is_the_paper_in_references_bib(cff, bib):
    (paper,) = cff["references"]
    entry = bib["seddik2024collapse"]
    assert paper["title"] == plain(entry.fields["title"])
    assert str(paper["year"]) == entry.fields["year"]
    assert [a["family-names"] for a in paper["authors"]] == [p.last_names[0] for p in entry.persons["author"]]
    assert paper["url"] == entry.fields["url"]


def test_citing_page_shows_both_entries(bib):
    """The How to cite page includes the entries by marker lines; each marker must exist."""
    page = (ROOT / "book" / "citing.md").read_text()
    bibtext = (ROOT / "references.bib").read_text()
    for key in ("seddik2024collapse", "modelcollapsebook2026"):
        assert key in bib
        assert f"% end of {key}" in bibtext and f"% end of {key}" in page


def test_every_notebook_opens_with_the_install_cell_for_the_configured_repository(repository_url):
    """Colab has no modelcollapse: each notebook's first cell installs it from the repository
    that _config.yml names, and the book hides that cell."""
    import json

    notebooks = [*ROOT.glob("notebooks/*.ipynb"), *ROOT.glob("book/*/*.ipynb")]
    assert len(notebooks) >= 10
    for path in notebooks:
        first = json.loads(path.read_text())["cells"][0]
        source = "".join(first["source"])
        assert first["cell_type"] == "code" and "remove-cell" in first["metadata"].get("tags", []), path
        assert f'REPOSITORY = "{repository_url}"' in source, path
        # The transformer's notebook adds the `neural` extra (JAX, Equinox, Optax).
        assert re.search(r'%pip install --quiet "modelcollapse\[notebooks(,neural)?\] @ git\+\{REPOSITORY\}"',
                         source), path


def test_pyproject_urls_follow_the_configured_repository(repository_url):
    import tomllib

    urls = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["urls"]
    assert urls == {"Homepage": pages_url(repository_url), "Source": repository_url,
                    "Issues": repository_url + "/issues"}


def test_release_sets_one_version_and_date_everywhere(tmp_path):
    """tools/release.py on a copy: afterwards every file carries the new version and date."""
    import datetime
    import importlib.util
    import shutil

    spec = importlib.util.spec_from_file_location("release", ROOT / "tools" / "release.py")
    release = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(release)
    for name in ("CITATION.cff", "pyproject.toml", "_config.yml", "references.bib"):
        shutil.copy(ROOT / name, tmp_path / name)
    changed = release.bump(tmp_path, "1.2.3", datetime.date(2031, 5, 6))
    assert changed == ["CITATION.cff", "_config.yml", "pyproject.toml", "references.bib"]
    cff = yaml.safe_load((tmp_path / "CITATION.cff").read_text())
    assert (cff["version"], cff["date-released"]) == ("1.2.3", "2031-05-06")
    assert 'version = "1.2.3"' in (tmp_path / "pyproject.toml").read_text()
    assert "<p>Version 1.2.3, released 2031-05-06." in (tmp_path / "_config.yml").read_text()
    entry = parse_file(str(tmp_path / "references.bib")).entries["modelcollapsebook2026"]
    assert entry.fields["year"] == "2031" and "Version 1.2.3." in entry.fields["note"]
    with pytest.raises(ValueError, match="VERSION must be x.y.z"):
        release.bump(tmp_path, "v2", datetime.date(2031, 5, 6))


def test_the_footer_carries_the_cff_version_and_date(cff):
    config = (ROOT / "_config.yml").read_text()
    assert f"<p>Version {cff['version']}, released {cff['date-released']}." in config


def test_code_and_content_licences_are_stated_everywhere(cff):
    assert cff["license"] == ["MIT", "CC-BY-4.0"]
    assert "MIT License" in (ROOT / "LICENSE").read_text()
    content = (ROOT / "LICENSE-CONTENT").read_text()
    assert "Creative Commons Attribution 4.0 International Public License" in content
    for text in ((ROOT / "README.md").read_text(), (ROOT / "_config.yml").read_text()):
        assert "CC-BY-4.0" in text and "MIT" in text
