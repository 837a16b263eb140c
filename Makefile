# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
AUDIT  := $(BIN)/audit
PO     := $(wildcard audit/translations/*/LC_MESSAGES/messages.po)
MO     := $(PO:.po=.mo)

.PHONY: run test setup db translations extract-messages system-deps clean

run: setup db
	$(AUDIT) demo --if-empty
	$(AUDIT) run --host 127.0.0.1 --port 5000

test: setup
	$(BIN)/pytest $(PYTEST_ARGS)

setup: $(VENV)/.installed translations

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

db: setup
	$(AUDIT) init-db
	$(AUDIT) load-checklists

translations: $(MO)

%.mo: %.po $(VENV)/.installed
	$(BIN)/pybabel compile --use-fuzzy -i $< -o $@ --statistics

# Refresh the message catalogue after changing user-visible strings.
extract-messages: setup
	$(BIN)/pybabel extract -F babel.cfg -k _l -k _plural:1,2 -k plural:1,2 -w 120 -o audit/translations/messages.pot .
	$(BIN)/pybabel update -i audit/translations/messages.pot -d audit/translations --no-fuzzy-matching -w 120

# Debian packages the browser tests and WeasyPrint need (CI runs this as root), and pdftoppm
# (poppler-utils) to look at the PDF reports as images.
system-deps:
	@command -v chromium >/dev/null && command -v pdftoppm >/dev/null && ldconfig -p | grep -q libpango-1.0 \
	  && fc-list | grep -q "Noto Color Emoji" || { \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    chromium libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core fonts-noto-color-emoji poppler-utils >/dev/null; }

clean:
	rm -rf $(VENV) *.egg-info
