# deedflow: `make demo` and `make test` each set up .venv by themselves on a fresh machine.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
BUF_VERSION := 1.75.0
BUF := .tools/node_modules/.bin/buf

.PHONY: install demo test lint gen buf-lint clean demo-packages test-packages rehearsal

$(STAMP): pyproject.toml
	@$(PY) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "deedflow needs Python 3.11 or newer")'
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	@touch $(STAMP)

install: $(STAMP)

# Debian packages, installed when missing (as root, from Debian's archive): the CJK font the PDFs
# embed, for the demo; Chromium and its driver for the verification page's browser tests,
# poppler's pdftoppm for the PDF's picture, kubectl (kustomize) for the deployment's manifests,
# and Go with golang.org/x/mod (sumdb/note, sumdb/tlog) to check the register books with code we
# did not write, for the suite.
FONT := /usr/share/fonts/truetype/wqy/wqy-microhei.ttc
DEMO_PACKAGES := $(if $(wildcard $(FONT)),,fonts-wqy-microhei)
TEST_PACKAGES := $(DEMO_PACKAGES) $(if $(wildcard /usr/bin/chromium),,chromium) \
	$(if $(wildcard /usr/bin/chromedriver),,chromium-driver) $(if $(wildcard /usr/bin/pdftoppm),,poppler-utils) \
	$(if $(shell command -v kubectl),,kubernetes-client) $(if $(wildcard /usr/bin/go),,golang-go) \
	$(if $(wildcard /usr/share/gocode/src/golang.org/x/mod/sumdb/note),,golang-golang-x-mod-dev)
define debian_packages
	@if [ -n "$(strip $(1))" ]; then \
		if [ "$$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then \
			echo "deedflow needs these Debian packages: $(strip $(1)); install them (as root: apt-get install $(strip $(1)))"; exit 1; \
		fi; \
		echo "installing Debian packages: $(strip $(1))"; \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(1) >/dev/null \
			|| { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(1) >/dev/null; }; \
	fi
endef

demo-packages:
	$(call debian_packages,$(DEMO_PACKAGES))

test-packages:
	$(call debian_packages,$(TEST_PACKAGES))

# Starts PostgreSQL and all seven services, loads the seeds, files two purchases once and
# carries them to handover, prints the timeline, certificate, mortgage proof and register
# history, stops everything, and then verifies the buyer's certificate offline.
DEMO_DOCUMENTS = $${DEEDFLOW_HOME:-.deedflow}/demo
demo: $(STAMP) demo-packages
	$(BIN)/deedflow up --detach --witnesses 3
	@$(BIN)/deedctl health && $(BIN)/deedflow seed && $(BIN)/python -m cli.demo; \
		status=$$?; $(BIN)/deedflow down; exit $$status
	@echo "Verifying the buyer's certificate offline (every service is stopped), its JSON and its PDF:"
	$(BIN)/deedctl verify $(DEMO_DOCUMENTS)/certificate.json
	$(BIN)/deedctl verify $(DEMO_DOCUMENTS)/certificate.pdf
	@echo "To check it in a browser: open $(DEMO_DOCUMENTS)/verifier/index.html and drop certificate.pdf on it"
	@echo "(or run $(BIN)/deedflow verifier and open the address it prints)."

# The scaled-out deployment rehearsed on this machine (docs/scale-out.md): three PostgreSQL
# servers, two replicas of every service, launch day and a handover in two districts with one
# replica of each service killed, then the invariants. UNITS sales in each building.
UNITS ?= 100
rehearsal: $(STAMP)
	$(BIN)/python -m bench.rehearsal --units $(UNITS)

# Lint first (cheap), then the whole suite: unit, integration and end-to-end.
test: $(STAMP) test-packages lint
	$(BIN)/pytest

lint: $(STAMP) buf-lint
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

gen: $(STAMP)
	$(BIN)/python -m tools.genproto

# buf comes from the npm registry; the googleapis protos are copied from the installed wheel
# because the buf registry is out of reach here.
buf-lint: $(STAMP)
	@if command -v npm >/dev/null 2>&1; then \
		[ -x $(BUF) ] || npm install --silent --no-audit --no-fund --prefix .tools @bufbuild/buf@$(BUF_VERSION); \
		$(BIN)/python -m tools.bufdeps protos/.buf-deps && cd protos && ../$(BUF) lint && echo "buf lint: clean"; \
	else \
		echo "buf lint SKIPPED: npm is not installed, so the buf binary cannot be fetched (the other checks still run)"; \
	fi

clean:
	rm -rf $(VENV) .tools protos/.buf-deps
