"""The exercise checkers give feedback and reject wrong answers."""

import pytest

from emergence.book.exercises import check, registry

CHECKS = registry()


def test_ids_are_prefixed_by_chapter():
    assert CHECKS, "no exercises registered"
    for qid in CHECKS:
        assert "-" in qid


@pytest.mark.parametrize("qid", sorted(CHECKS))
def test_unanswered_is_not_correct(qid, capsys):
    assert not check(qid, None)
    assert "not answered yet" in capsys.readouterr().out


@pytest.mark.parametrize("qid", sorted(CHECKS))
def test_nonsense_is_rejected_with_a_message(qid, capsys):
    assert not check(qid, "certainly not the answer")
    assert capsys.readouterr().out.strip()


def test_unknown_question():
    with pytest.raises(ValueError, match="no exercise"):
        check("nope-1", 1)


def test_mirage_checks_accept_the_right_answers():
    import numpy as np

    from emergence.model import mirage

    assert check("mirage-1", 0.9**5)
    assert not check("mirage-1", 0.9)
    n = mirage.params_for_accuracy(0.5, 5, **mirage.ILLUSTRATIVE)[0]
    assert check("mirage-2", n) and not check("mirage-2", 2 * n)
    need = int(np.ceil(np.log(0.05) / np.log(1 - 1e-4)))
    assert check("mirage-3", need) and not check("mirage-3", need - 1) and not check("mirage-3", need + 10)
    assert check("mirage-4", "negative") and not check("mirage-4", "positive")


def test_zero_of_n_accepts_the_exact_interval_and_the_rule_of_three(capsys):
    from emergence.measure.scaling import accuracy_interval

    high = float(accuracy_interval([0], [200])[1][0])
    assert 3.6 / 200 < high < 3.7 / 200                    # the exact two-sided bound, ~3.7/n
    assert check("conclusion-1", high)
    assert "rule of three" in capsys.readouterr().out
    # the rule of three that the feedback names, and the exact one-sided bound, are accepted too
    assert check("conclusion-1", 3 / 200)
    assert "one-sided" in capsys.readouterr().out
    assert check("conclusion-1", 1 - 0.05 ** (1 / 200))
    for wrong in (1 / 200, 0.05, 0.0, high * 1.5):
        assert not check("conclusion-1", wrong)


def test_bigbench_share_feedback_reconciles_with_fig_5c(capsys):
    from emergence.book.exercises.bigbench import two_metric_share

    assert check("bigbench-1", two_metric_share())
    out = capsys.readouterr().out
    assert "62 of 67" in out and "normalized aggregate score" in out
    assert "triplets, not tasks" not in out


def test_four_models_feedback_names_the_third_cause(capsys):
    import numpy as np

    from emergence.model import mirage
    from emergence.book.exercises.conclusion import API_SIZES
    from emergence.measure.score import emergence_score

    p = mirage.per_token_probability(mirage.per_token_loss(API_SIZES, **mirage.ILLUSTRATIVE))
    assert check("conclusion-2", emergence_score(API_SIZES, mirage.expected_accuracy(p, 5)))
    assert "insufficiently sampling the larger parameter regime" in capsys.readouterr().out
    assert round(API_SIZES[-1] / API_SIZES[-2]) == 26 and np.all(np.diff(API_SIZES) > 0)


def test_every_exercise_title_names_its_check_id():
    """The title starts with the id of the check that follows it (a written exercise, graded
    by hand, has none), in plain text: a backtick breaks sphinx-exercise's label."""
    from pathlib import Path

    import nbformat

    from emergence.book.notebooks import check_calls, directives

    notebooks = sorted((Path(__file__).resolve().parent.parent / "book").glob("*.ipynb"))
    seen = set()
    for path in notebooks:
        nb = nbformat.read(path, as_version=4)
        for index, cell in enumerate(nb.cells):
            for d in directives(cell.source) if cell.cell_type == "markdown" else []:
                if d.name != "exercise":
                    continue
                assert "`" not in d.argument, f"{path.name}: {d.argument!r}"
                if "written" in d.options.get("class", "").split():
                    continue
                qid = next(calls[0][0] for c in nb.cells[index + 1:]
                           if c.cell_type == "code" and (calls := check_calls(c.source)))
                assert d.argument.startswith(f"{qid}: "), (
                    f"{path.name}: exercise {d.options.get('label')!r} title {d.argument!r} "
                    f"should start with '{qid}: '")
                seen.add(qid)
    assert seen <= set(CHECKS)


def test_a_cell_ending_in_check_shows_only_the_message(capsys):
    """A notebook prints the verdict once: the value check() returns has nothing to show
    (IPython's formatter gives no data, and the kernel then sends no Out), so no True or
    False is echoed after the message."""
    from IPython.core.interactiveshell import InteractiveShell

    verdict = check("mirage-1", None)
    assert "not answered yet" in capsys.readouterr().out
    assert InteractiveShell.instance().display_formatter.format(verdict) == ({}, {})
    assert not verdict and verdict == False  # noqa: E712
    right = check("mirage-1", 0.9**5)
    assert right and right == True and repr(right) == "True"  # noqa: E712
