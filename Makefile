# The two commands a newcomer needs (see README.md):
#   make demo   installs everything, builds a demo city and runs it on http://localhost:8000:
#               the web server and the background worker together (one Ctrl-C stops both)
#   make test   runs the whole test suite (SQLite by default; set DATABASE_URL for PostgreSQL),
#               in one process per CPU (pytest-xdist; TEST_PROCESSES=0 runs it in this one)
.PHONY: demo test lint install

TEST_PROCESSES ?= logical

install:
	./scripts/bootstrap

demo: install
	.venv/bin/saferplace demo

test:
	./scripts/bootstrap --test
	.venv/bin/ruff check .
	.venv/bin/lint-imports
	.venv/bin/pytest -n $(TEST_PROCESSES)

lint:
	.venv/bin/ruff check .
	.venv/bin/lint-imports
