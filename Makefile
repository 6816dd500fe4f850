# The two set-up commands of the README: `make demo` and `make test`. Each builds its own virtual
# environment from constraints.txt on first use, so a fresh machine needs only python3, make and git.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export MINYI_DATA_DIR ?= $(CURDIR)/data

.PHONY: assets venv demo serve test lint audit pytest bench messages lock clean

$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	touch $@

venv: $(VENV)/.installed

# ECharts and the reports' Chinese font from the npm registry (tools/vendor_assets.py: pinned and
# hash-checked; no CDN, no Node.js needed).
ASSETS := minyi/web/static/vendor/echarts/.version minyi/reports/fonts/.version
$(ASSETS) &: frontend/package.json frontend/package-lock.json
	$(PYTHON) tools/vendor_assets.py

assets: $(ASSETS)

# The data directory holds every (demo) citizen's data: minyi creates it 0700; one made by an older
# release (0755) is made private here too.
demo: venv assets
	install -d -m 700 "$(MINYI_DATA_DIR)"
	MINYI_DEMO=1 $(BIN)/minyi migrate --noinput -v0
	MINYI_DEMO=1 $(BIN)/minyi demo
	MINYI_DEMO=1 PORT=$(PORT) $(BIN)/minyi serve --with-worker

lint: venv
	$(BIN)/ruff check minyi tests tools bench
	$(BIN)/ruff format --check minyi tests tools bench
	MINYI_DATA_DIR=$$(mktemp -d) $(BIN)/minyi makemigrations --check --dry-run -v0

# Known vulnerabilities of every pinned dependency, from PyPI's JSON API (one request per pin; no
# resolution, no install: constraints.txt is what every venv and every server installs). A finding
# fails; pins that could not be looked up are listed as NOT checked (tools/audit.py says why that
# alone does not fail, unless MINYI_REQUIRE_AUDIT=1). A finding: raise that one pin in constraints.txt.
audit: venv
	$(BIN)/python tools/audit.py

# The suite on SQLite, then on PostgreSQL when one is reachable (DATABASE_URL, or the local server).
# pytest's exit code 5 ("no tests collected") is not a failure of the code. The browser tests need
# Debian's chromium: tools/ensure_browser.sh installs it when it can (best effort).
pytest: venv assets
	-bash tools/ensure_browser.sh
	$(BIN)/python tools/run_tests.py

test: lint audit pytest

bench: venv
	$(BIN)/python bench/run.py

# Compile the translations after editing minyi/locale/*/LC_MESSAGES/django.po.
messages: venv
	$(BIN)/python tools/compile_messages.py

# Refresh the pinned versions after changing dependencies in pyproject.toml.
lock:
	rm -rf /tmp/minyi-lock && $(PYTHON) -m venv /tmp/minyi-lock
	/tmp/minyi-lock/bin/pip install --quiet -e '.[dev]'
	/tmp/minyi-lock/bin/pip freeze --exclude-editable | grep -v '^minyi' > constraints.txt

clean:
	rm -rf $(VENV) *.egg-info
