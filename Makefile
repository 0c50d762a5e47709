# Two commands a reader needs: `make book` builds the HTML, `make test` runs every check.
# Both create .venv on first use and install requirements.txt into it. MODELCOLLAPSE_DATA, if set,
# reaches the notebooks and tests through the environment (see modelcollapse.data).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-requirements

.PHONY: book test clean

$(STAMP): requirements.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is required")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	@touch $(STAMP)

# Clean _build first: the execution cache keys on notebook cells only, so a change in src/
# would otherwise publish stale numbers.
book: $(STAMP)
	@$(BIN)/jupyter-book --version | grep -Eq 'Jupyter Book[[:space:]]*:[[:space:]]*1\.' \
		|| { echo "make book: Jupyter Book 1.x is required"; $(BIN)/jupyter-book --version; exit 1; }
	rm -rf _build
	$(BIN)/jupyter-book build . -W -n --keep-going
	@test -f _build/html/index.html || { echo "make book: _build/html/index.html was not written"; exit 1; }
	@echo "Book built: _build/html/index.html"

# Unit, property and symbolic tests, then strict nbval over every notebook (see pyproject.toml).
test: $(STAMP)
	$(BIN)/python -m pytest

clean:
	rm -rf _build .pytest_cache
