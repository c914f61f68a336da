"""What only the chapters need: the top layer, which may import every other.

- :mod:`~emergence.book.exercises`, :mod:`~emergence.book.coursework`,
  :mod:`~emergence.book.course`, :mod:`~emergence.book.grading`: immediate feedback for the
  exercises, the student edition and the notebooks' stored form, and the nbgrader course;
- :mod:`~emergence.book.prose`, :mod:`~emergence.book.claims`: the prose's computed numbers
  (myst-nb glue) and its hidden checks;
- :mod:`~emergence.book.explore`: the mirage model's interactive and static figure;
- :mod:`~emergence.book.static_site`: the build's additions to the site (formulas typeset
  offline, alt text, phone figures) and the whole book as one PDF;
- :mod:`~emergence.book.editions`, :mod:`~emergence.book.translations`: the translated
  editions (the Korean build, the language switch, the catalogues) and the catalogues' check;
- the chapters' own analyses: :mod:`~emergence.book.wei` (Wei et al.'s tables),
  :mod:`~emergence.book.multiple_comparisons` (BIG-bench's chance baseline),
  :mod:`~emergence.book.difficulty` (carries, answer lengths, difficulty groups).
"""
