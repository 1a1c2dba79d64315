# Two commands set everything up: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

# The suite runs on every core, a file's tests together (they share module fixtures); then the
# tests that kill and time real servers run alone (marked serial in tests/conftest.py). The
# slowest tests are listed at the end, to keep CI's time in view.
PYTEST_ARGS ?= -n auto --dist loadfile --no-loadscope-reorder --durations=15

.PHONY: run test lint format check serve bench bench-pages clean

# The virtualenv is rebuilt only when pyproject.toml changes, so a second `make run` starts fast.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Absolute links (canonical, feeds, e-mails) name the address the site is served on, unless
# SITE_URL says otherwise.
run: export SITE_URL ?= http://$(HOST):$(PORT)
run: $(STAMP)
	DEBUG=$${DEBUG-1} $(BIN)/python manage.py migrate --no-input
	DEBUG=$${DEBUG-1} $(BIN)/python manage.py seed_demo
	DEBUG=$${DEBUG-1} $(BIN)/python manage.py ensure_admin --url http://$(HOST):$(PORT)/admin/
	DEBUG=$${DEBUG-1} $(BIN)/python manage.py seed_sponsors
	@# The background-job worker (newsletter, periodic jobs) runs beside the web server; Ctrl-C
	@# or the server's end stops it too, with one SIGTERM: it finishes its running job first.
	DEBUG=$${DEBUG-1} $(BIN)/python manage.py run_worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	DEBUG=$${DEBUG-1} $(BIN)/python manage.py runserver $(HOST):$(PORT)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Checks run with DEBUG off, like production; they need a key but no real secret.
check: $(STAMP)
	SECRET_KEY=$${SECRET_KEY:-checks-only-not-a-secret} $(BIN)/python manage.py check
	SECRET_KEY=$${SECRET_KEY:-checks-only-not-a-secret} $(BIN)/python manage.py makemigrations --check --dry-run

# The serial part runs even when the parallel part fails; both results are reported, and the
# target fails if either did.
test: lint check
	@bash -c 'source .ci/services.sh && ensure_axe'
	@mkdir -p var; rm -f var/test-failures.txt; FAILURES_FILE=var/test-failures.txt $(BIN)/python -m pytest $(PYTEST_ARGS) -m "not serial"; parallel=$$?; \
	$(BIN)/python -m pytest -m serial --durations=10; serial=$$?; \
	[ $$parallel -eq 0 ] || { echo "make test: the parallel part's failures:"; cat var/test-failures.txt 2>/dev/null || echo "(none listed: pytest stopped before its summary)"; }; \
	echo "make test: parallel part $$([ $$parallel -eq 0 ] && echo passed || echo "FAILED (exit $$parallel)"), serial part $$([ $$serial -eq 0 ] && echo passed || echo "FAILED (exit $$serial)")"; \
	[ $$parallel -eq 0 ] && [ $$serial -eq 0 ]

# The production shape on this machine (deploy/): nginx on PORT in front of gunicorn, DEBUG
# off, hashed static files; nginx is installed from Debian's packages when missing.
APP_SERVERS ?= 1
serve: $(STAMP)
	bash -c 'source .ci/services.sh && ensure_nginx'
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py collectstatic --no-input --verbosity 0
	ALLOWED_HOSTS=$${ALLOWED_HOSTS-$(HOST),localhost} $(BIN)/python deploy/stack.py serve --host $(HOST) --port $(PORT) --app-servers $(APP_SERVERS)

# Load benchmarks: PostgreSQL with 100,000 posts (kept in /tmp/scalepress-bench-pg), Redis,
# wrk against gunicorn, ceilings from a minimal WSGI function and nginx (see bench/run).
bench: $(STAMP)
	bench/run

# Milliseconds and queries per page in-process, on SQLite demo content unless DATABASE_URL.
bench-pages: $(STAMP)
	$(BIN)/python bench/pages.py

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-* media staticfiles var .admin-login .sponsor-login
