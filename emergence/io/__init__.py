"""Reading and writing results, with clear errors naming the file, column and row.

- :mod:`~emergence.io.datasets`: the validated tables of ``data/`` (or of ``EMERGENCE_DATA``);
- :mod:`~emergence.io.bigbench`: BIG-bench's results files, read and written in its format;
- :mod:`~emergence.io.harness`: lm-evaluation-harness results files;
- :mod:`~emergence.io.leaderboard`: wide leaderboard tables (a column per benchmark);
- :mod:`~emergence.io.sizes`: model sizes as written (``70M``, ``6.9B``, a size ending a
  model's name, a unit in a column header).
"""
