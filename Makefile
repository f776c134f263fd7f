# The README's two commands: `make run` and `make test`. Everything they need installs from here.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements/lock.txt pyproject.toml | cksum | cut -d' ' -f1)
PYTEST_ARGS ?=

.PHONY: install run serve test lint system-deps test-sqlite test-postgres test-api-fuzz demo-reset bench

$(STAMP): requirements/lock.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check uv==0.13.8
	$(BIN)/uv pip install -q --python $(BIN)/python -r requirements/lock.txt
	$(BIN)/uv pip install -q --python $(BIN)/python --no-deps -e .
	rm -f $(VENV)/.installed-*; touch $(STAMP)

install: $(STAMP)

## make run: install, migrate the embedded SQLite database, load the demo if empty, serve on :8000
## (with a background worker that builds the matching vectors; pages work keyword-only until then).
## The CJK font the PDFs need comes first (apt-get when missing; without it a clear warning, and the
## pages still work). DEBUG stays off (config/settings/dev.py; KECHUANG_DEBUG=1 turns it on).
run: install
	scripts/system-deps.sh fonts || echo "警告：未能安装中文字体 fonts-noto-cjk，PDF 中的汉字将显示为方框 / warning: no CJK font, Chinese in PDFs will be boxes" >&2
	mkdir -p var
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py demo --if-empty
	$(BIN)/python manage.py reindex --enqueue --if-needed
	$(BIN)/python manage.py db_worker --no-reload & trap 'kill $$! 2>/dev/null' EXIT; $(BIN)/python manage.py runserver 127.0.0.1:8000

## make serve: production (docs/deploy.md) — gunicorn with WEB_CONCURRENCY processes on PORT, WORKERS task
## workers; migrate, cache table and collectstatic first. SQLite by default, PostgreSQL with KECHUANG_DB=postgres.
## Refuses to start without KECHUANG_SECRET_KEY and KECHUANG_ALLOWED_HOSTS.
serve: install
	scripts/system-deps.sh fonts || echo "警告：未能安装中文字体 fonts-noto-cjk，PDF 中的汉字将显示为方框 / warning: no CJK font, Chinese in PDFs will be boxes" >&2
	scripts/serve.sh

## make test: lint, checks, the whole suite on SQLite (browser tests included), then on PostgreSQL
test: install system-deps lint test-sqlite test-postgres

system-deps:
	scripts/system-deps.sh

lint: install
	$(BIN)/ruff check .
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/python manage.py check
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/python manage.py makemigrations --check --dry-run
	KECHUANG_SECRET_KEY=lint-only-6f1c0b9e2d4a8735c91e0fa2b7d6e3c48a5f9012bd7e4c63 KECHUANG_ALLOWED_HOSTS=example.org \
	  DJANGO_SETTINGS_MODULE=config.settings.production $(BIN)/python manage.py check --deploy --fail-level WARNING

# pytest-xdist spreads the suite over the cores (tests marked xdist_group share one process, e.g. the
# single `make serve` instance of tests/ops/test_serve.py); browser tests run in one process after it.
XDIST ?= -n 2 --dist loadgroup
# the slowest tests of each pass, printed at its end (CI must stay well under 90 minutes)
DURATIONS ?= --durations=25
test-sqlite: install
	KECHUANG_DB=sqlite $(BIN)/pytest $(XDIST) -m "not browser" $(DURATIONS) $(PYTEST_ARGS)
	KECHUANG_DB=sqlite $(BIN)/pytest -m browser $(DURATIONS) $(PYTEST_ARGS)

# PostgreSQL: a throwaway cluster on a local socket, started and stopped around the run. Only the tests
# that can reach the database run here (tests/conftest.py: the others cannot behave differently and ran in
# the SQLite pass); KECHUANG_PG_ALL_TESTS=1 runs every test.
test-postgres: install
	scripts/with-postgres.sh env KECHUANG_DB=postgres $(BIN)/pytest $(XDIST) -m "not browser" $(DURATIONS) $(PYTEST_ARGS)

# The API fuzz run alone (schemathesis, PostgreSQL, fixed seed, 200 examples per operation). make test
# runs the same tests inside test-postgres with the same 200 examples per operation (tests/api/test_api_schemathesis.py,
# skipped on SQLite).
API_FUZZ_EXAMPLES ?= 200
test-api-fuzz: install
	scripts/with-postgres.sh env KECHUANG_DB=postgres KECHUANG_API_FUZZ_EXAMPLES=$(API_FUZZ_EXAMPLES) \
	  $(BIN)/pytest $(XDIST) tests/api/test_api_schemathesis.py $(PYTEST_ARGS)

demo-reset: install
	rm -f var/kechuang.sqlite3*
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py demo
