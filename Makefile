# Newsroom: the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test serve install lint check clean e2e backup restore

$(BIN)/.installed: requirements.txt requirements-dev.txt
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Newsroom needs Python 3.11 ($(PYTHON) not found)."; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(BIN)/.installed

# Serve the site with demo content on SQLite (or DATABASE_URL) at http://$(HOST):$(PORT).
run: install
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(BIN)/python manage.py migrate --no-input
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(BIN)/python manage.py seed
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(BIN)/python manage.py runserver $(HOST):$(PORT)

# The whole suite, on SQLite unless DATABASE_URL says otherwise.
test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Production-like: DEBUG off, gunicorn, whitenoise, same data. Plain HTTP on loopback.
serve: install
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py seed
	$(BIN)/python manage.py collectstatic --no-input -v0
	DJANGO_HTTPS=$${DJANGO_HTTPS:-0} $(BIN)/gunicorn newsroom.wsgi --bind $(HOST):$(PORT) \
		--workers $${WEB_CONCURRENCY:-3} --no-control-socket --access-logfile -

# The whole newsroom (every row and media file, with a manifest of checksums) in one archive
# under backups/, or at OUTPUT=path. Readable by its owner only: it holds commenters' emails.
backup: install
	$(BIN)/python manage.py backup $(if $(OUTPUT),--output "$(OUTPUT)")

# An archive from `make backup` back into an empty database (DATABASE_URL) and media folder.
restore: install
	@test -n "$(FILE)" || { echo "Usage: make restore FILE=backups/newsroom-backup-<time>.tar.gz"; exit 2; }
	$(BIN)/python manage.py restore "$(FILE)"

lint: install
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) staticfiles

# The benchmark suite (not part of CI): the site as `make serve` runs it, on a generated
# archive (100,000 stories, 1,000,000 comments) in a database of its own, against a bare
# Django page. Needs wrk (apt-get install -y wrk). Quick run:
#   make bench BENCH_ARGS="--articles 2000 --comments 20000 --seconds 2 --rounds 2"
.PHONY: bench
bench: install
	$(BIN)/python bench/suite.py $(BENCH_ARGS)
