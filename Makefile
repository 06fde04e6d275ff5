# Two commands for a fresh machine: `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
FLASK := $(BIN)/flask --app portal

.PHONY: run test i18n translations bench clean migration

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

translations: $(STAMP)
	$(BIN)/python -m portal.i18n compile

run: translations
	$(FLASK) init-db
	@if [ ! -f instance/.demo-seeded ]; then $(FLASK) seed-demo && touch instance/.demo-seeded; fi
	$(FLASK) run --host 127.0.0.1 --port 5000

test: translations
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Extract messages of every area into its own catalogs (for developers).
i18n: $(STAMP)
	$(BIN)/python -m portal.i18n update

bench: translations
	$(BIN)/python -m portal.bench

clean:
	rm -rf $(VENV) instance/portal.sqlite*

# (Re)generate an area's first migration from its models, before the area's first release:
#   make migration AREA=cases DEPENDS="duties_0001"
# Each area keeps its own Alembic branch (label = area), based on the foundation.
migration: $(STAMP)
	rm -rf /tmp/portal-migrate-$(AREA) && mkdir -p /tmp/portal-migrate-$(AREA)
	rm -f migrations/versions/$(AREA)_0001_*.py
	PORTAL_INSTANCE_PATH=/tmp/portal-migrate-$(AREA) PORTAL_DATABASE_URL= $(FLASK) init-db
	PORTAL_INSTANCE_PATH=/tmp/portal-migrate-$(AREA) PORTAL_DATABASE_URL= PORTAL_MIGRATE_AREA=$(AREA) \
	  $(FLASK) db revision --autogenerate -m "$(AREA) schema" --rev-id $(AREA)_0001 \
	  --head foundation_0001 --splice --branch-label $(AREA)
	@if [ -n "$(DEPENDS)" ]; then sed -i "s/^depends_on = None/depends_on = ($(foreach d,$(DEPENDS),'$(d)',))/" migrations/versions/$(AREA)_0001_*.py; fi
