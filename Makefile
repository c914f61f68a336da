# Two commands do everything on a fresh machine (Python 3.11 and make needed):
#   make book   build the site into _build/html, the Korean edition into _build/html/ko
#               (creates the environment first)
#   make test   unit tests + doctests, every chapter under nbval, the translations' catalogues,
#               a clean strict build of both editions, and the built site in a browser
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed

.PHONY: env book editions translations translations-check test unit notebooks build-clean site-test pdf lab regenerate regenerated-check seeds-check clean student fresh-check course course-check

env: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $(STAMP)

# Every chapter runs once per build: the execution cache is emptied, the English build fills
# it, and each translation reuses it (emergence.book.editions).
book: env
	rm -rf _build/.jupyter_cache
	$(BIN)/jupyter-book build . -W -n --keep-going
	$(MAKE) --no-print-directory editions

# The translated editions (after the English build): each into _build/html/<language>.
LANGUAGES ?= ko
editions: env
	for language in $(LANGUAGES); do \
	  $(BIN)/python -m emergence.book.editions build $$language || exit 1; done

# After a change to the English: every page's messages, and the checks' feedback, extracted
# again (Sphinx's gettext builder; emergence.book.feedback) and merged into
# locales/<language>/LC_MESSAGES (sphinx-intl), where a changed sentence's translation is
# marked fuzzy for the translator; the complete feedback catalogues are copied into the package.
translations: env
	$(BIN)/python -m emergence.book.editions extract
	$(BIN)/python -m emergence.book.feedback extract
	for language in $(LANGUAGES); do $(BIN)/python -m emergence.book.editions update $$language && \
	  $(BIN)/python -m emergence.book.feedback runtime $$language || exit 1; done

# The pages listed in locales/<language>/translated.txt: every message of the English as now
# written is translated, none is fuzzy, and each keeps the English's markup, numbers,
# quotations and the glossary's terms; every problem is printed.
translations-check: env
	$(BIN)/python -m emergence.book.editions extract
	$(BIN)/python -m emergence.book.feedback extract
	for language in $(LANGUAGES); do $(BIN)/python -m emergence.book.translations check $$language || exit 1; done

test: unit notebooks translations-check build-clean site-test

# The unit tests run in two processes (pytest-xdist): each test is single-threaded.
UNIT_WORKERS ?= 2
unit: env
	$(BIN)/python -m pytest -p no:cacheprovider -n $(UNIT_WORKERS) tests emergence

# A cell that runs for more than 120 s has stalled (each chapter takes seconds): fail it.
notebooks: env
	$(BIN)/python -m pytest -p no:cacheprovider --nbval-lax --nbval-cell-timeout=120 book

build-clean: env
	$(BIN)/jupyter-book clean . --all
	$(BIN)/jupyter-book build . -W -n --keep-going
	$(MAKE) --no-print-directory editions

# The built site as its readers meet it (run after a build): every page checked on disk
# and in Debian's Chromium (apt-get install chromium) with the network blocked, the pages of
# the Korean edition listed as translated too (Korean drawn with a Korean font: apt-get
# install fonts-noto-cjk); screenshots of every page at 1280 and 400 px, and the measured
# page weights, go to _build/screenshots.
site-test: env
	rm -rf _build/screenshots
	SITE_DIR=_build/html $(BIN)/python -m pytest -p no:cacheprovider tests/test_site.py tests/browser

# The whole book as one PDF, printed offline from the built site by Chromium (make book first).
pdf: env
	$(BIN)/python -m emergence.book.pdf _build/html _build/pdf/book.pdf

lab: env
	$(BIN)/jupyter lab book/

# A notebook per chapter without solutions or hidden checks, in _build/student/; each is
# then run unanswered, and every check must say "not answered yet".
student: env
	$(BIN)/python -m emergence.book.coursework student --out _build/student --check

# The nbgrader course made from the chapters, in _build/course: nbgrader_config.py, the
# instructor's version of each chapter in source/ and the students' in release/.
course: env
	$(BIN)/python -m emergence.book.course --out _build/course --release

# The same, then every instructor version run from a fresh kernel: every cell must run, and
# the book's solutions must pass every test cell of the course.
course-check: env
	$(BIN)/python -m emergence.book.course --out _build/course --release --validate

# Every chapter run in a new virtual environment that has only the package and its own
# dependencies (as on Colab or a bare kernel), at the versions requirements.txt pins, plus the
# kernel: nbgrader (from the book's environment) releases the course, and every instructor
# version runs with that environment's kernel, so every cell a student or an instructor
# runs (the solutions included, the hidden prose checks not) must work there, and the
# book's solutions must pass the course's tests.
FRESH ?= _build/fresh-env
fresh-check: env
	# pip builds the package in build/ of the checkout and reuses what it finds there: a
	# module removed from emergence/ would still be installed from an earlier build
	rm -rf $(FRESH) build
	$(PYTHON) -m venv $(FRESH)
	grep -v '^-e' requirements.txt > $(FRESH)/constraints.txt
	$(FRESH)/bin/python -m pip install --quiet --upgrade "pip>=24"
	$(FRESH)/bin/python -m pip install --quiet -c $(FRESH)/constraints.txt . ipykernel
	$(FRESH)/bin/python -m ipykernel install --prefix $(FRESH) --name python3 >/dev/null
	$(BIN)/python -m emergence.book.course --out _build/fresh-course --release --validate --kernel-env $(FRESH)

# Every cached experiment, retrained; EMERGENCE_DATA=DIR writes into DIR instead of data/,
# and EMERGENCE_SEED=k trains the k-th other block of training seeds (0, the default: the
# committed caches; data/README.md says which seeds each family then uses).
# The arithmetic family trains on both cores itself; the others train on one core
# each (BLAS on one thread, so their numbers do not depend on what runs beside them) and
# run two at a time, the two longest (about 70 s each) first.
ONE_CORE_EXPERIMENTS = vision passuntil sparse_parity grokking
regenerate: env
	$(BIN)/python -m emergence.experiments.arithmetic
	$(MAKE) --no-print-directory -j2 $(addprefix regenerate-,$(ONE_CORE_EXPERIMENTS))
	@offset="$(EMERGENCE_SEED)"; if [ -n "$$offset" ] && [ "$$offset" != 0 ]; then \
	  echo "$$offset" > "$(or $(EMERGENCE_DATA),data)/SEED"; fi

regenerate-%: env
	$(BIN)/python -m emergence.experiments.$*

# Every chapter's claims are written to hold on any training of the families trained here
# (checked on the committed caches and on retrainings with other seeds).
SEED_CHAPTERS ?= book
NBVAL = $(BIN)/python -m pytest -p no:cacheprovider --nbval-lax --nbval-cell-timeout=120
# The checks on other trainings run two chapters at a time (one process per chapter, each
# chapter whole in its process): half the time on two cores; `make notebooks` stays serial,
# so that its per-chapter times are the budget's.
NBVAL_PAIRS = $(NBVAL) -n 2 --dist loadfile

# No claim may rest on one machine's or one seed's last bits: retrain every cache with
# another block of training seeds (EMERGENCE_SEED, 1 unless set; 0 = the committed
# caches) into a scratch copy of data/, say which files came out different, and run the
# chapters on them.
REGEN_DIR ?= _build/regenerated-data
CHECK_SEED = $(or $(EMERGENCE_SEED),1)
regenerated-check: env
	rm -rf $(REGEN_DIR) && mkdir -p $(dir $(REGEN_DIR)) && cp -r data $(REGEN_DIR)
	EMERGENCE_SEED=$(CHECK_SEED) EMERGENCE_DATA=$(abspath $(REGEN_DIR)) $(MAKE) --no-print-directory regenerate
	@echo "regenerated with EMERGENCE_SEED=$(CHECK_SEED)"
	@for f in data/*; do cmp -s "$$f" "$(REGEN_DIR)/$${f#data/}" \
	  && echo "regenerated identical: $$f" || echo "regenerated DIFFERENT: $$f"; done
	EMERGENCE_DATA=$(abspath $(REGEN_DIR)) $(NBVAL_PAIRS) $(SEED_CHAPTERS)

# The chapters on other trainings already made: make seeds-check DATA_DIRS="dir1 dir2 ..."
# (each a complete data folder, such as one made by EMERGENCE_DATA=DIR make regenerate).
seeds-check: env
	@test -n "$(DATA_DIRS)" || { echo 'give the data folders: make seeds-check DATA_DIRS="dir1 dir2"'; exit 2; }
	@for d in $(DATA_DIRS); do echo "== the chapters on $$d"; \
	  test -f "$$d/README.md" || { echo "$$d is not a data folder (no README.md)"; exit 2; }; \
	  EMERGENCE_DATA="$$(cd "$$d" && pwd)" $(NBVAL_PAIRS) -q $(SEED_CHAPTERS) || exit 1; done

clean:
	rm -rf _build
