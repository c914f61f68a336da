"""PassUntil's real sampler samples the models' own answers, and its cache is what it produces.

Exact everywhere, and checked exactly: the prefix order, the stopping rule,
the sampler on tables with known answers. Checked against the model's own
decoding: the table's probabilities are the ones the arithmetic cache's
teacher-forced losses come from, and its most probable path is the greedy
answer. Statistical, within bounds of at least four standard errors: the
sampler's answer frequencies against its table, and the cached draws
against the cached exact probabilities. Not exact across machines (training
is floating-point Adam): the retrained models' probabilities, compared with
the cache within twice the spread of three training seeds.
"""

import numpy as np
import pandas as pd
import pytest
from scipy.stats import kstest

from emergence.io.datasets import load
from emergence.experiments import arithmetic, passuntil
from emergence.measure.infinite_resolution import (answer_pass_probability, expected_pass_until, pass_until_variance,
                                           unbiased_pass_until_variance)

SMALLEST = min(passuntil.WIDTHS)
N_SLICE = 30
SPREAD_SEEDS = (arithmetic.SEED, arithmetic.SEED + 1, arithmetic.SEED + 2)


@pytest.fixture(scope="module")
def slice_tables(train_arithmetic):
    a, b = arithmetic.problems(passuntil.TASK, "test")
    tables = {}
    for seed in SPREAD_SEEDS:
        model = train_arithmetic(passuntil.TASK, SMALLEST, seed)
        tables[seed] = [passuntil.next_token_table(model, int(a[i]), int(b[i])) for i in range(N_SLICE)]
    return tables


def _targets(n):
    a, b = arithmetic.problems(passuntil.TASK, "test")
    return arithmetic.TASKS[passuntil.TASK].apply(a[:n], b[:n])


def test_open_prefixes_are_every_prefix_once_in_the_documented_order():
    prefixes = passuntil.open_prefixes(5)
    assert len(prefixes) == 11_111 == len({tuple(p) for p in prefixes})
    lengths = (prefixes >= 0).sum(axis=1)
    assert (np.diff(lengths) >= 0).all()
    row = passuntil._row_of(np.array([4]), np.array([1234]))[0]
    assert prefixes[row].tolist() == [1, 2, 3, 4, -1]


def test_table_holds_the_probabilities_the_cached_losses_come_from(train_arithmetic):
    model = train_arithmetic(passuntil.TASK, SMALLEST, arithmetic.SEED)
    a, b = arithmetic.problems(passuntil.TASK, "test")
    a, b = a[:N_SLICE], b[:N_SLICE]
    losses = arithmetic.reference_token_losses(model, a, b, passuntil.TASK)
    expected, _ = answer_pass_probability(losses[:, :-1], losses[:, -1])
    greedy = arithmetic.tokens_to_strings(arithmetic.greedy_decode(model, a, b, passuntil.TASK))
    for i, target in enumerate(_targets(N_SLICE)):
        table = passuntil.next_token_table(model, int(a[i]), int(b[i]))
        np.testing.assert_allclose(table.sum(axis=1), 1.0, rtol=1e-12)
        p_exact, p_numeric = passuntil.answer_probabilities(table, int(target))
        # one float32 forward pass batched two ways: agreement to float32's precision
        assert p_exact == pytest.approx(expected[i], rel=1e-5)
        assert p_numeric >= p_exact
        assert _most_probable_path(table) == greedy[i]


def _most_probable_path(table) -> str:
    answer, value = "", 0
    for length in range(5):
        token = int(np.argmax(table[passuntil._row_of(length, value)]))
        if token == arithmetic.END:
            break
        answer, value = answer + str(token), 10 * value + token
    return answer


def test_sampled_answers_come_at_the_tables_probabilities(slice_tables):
    table = slice_tables[arithmetic.SEED][0]
    n = 200_000
    value, digits = passuntil.sample_answers(table, n, np.random.default_rng(1))
    answers = pd.Series([str(v).zfill(d) if d else "" for v, d in zip(value.tolist(), digits.tolist())])
    counts = answers.value_counts()
    for answer, count in counts.head(30).items():
        p = passuntil.answer_probability(table, answer)
        assert abs(count / n - p) <= 5 * np.sqrt(p * (1 - p) / n), answer
    # a sampled answer's first digit follows the first row of the table
    first = np.array([int(s[0]) if s else arithmetic.END for s in answers])
    freq = np.bincount(first, minlength=11) / n
    assert np.all(np.abs(freq - table[0]) <= 5 * np.sqrt(table[0] * (1 - table[0]) / n) + 1e-12)


def test_sampler_on_known_tables():
    always_seven = np.zeros((111, 11))
    always_seven[:, arithmetic.END] = 1.0
    always_seven[0] = 0.0
    always_seven[0, 7] = 1.0
    assert passuntil.draw_until(always_seven, 7) == {"samples": 2, "passes": 2, "first_pass": 1, "numeric_only": 0}
    never = passuntil.draw_until(always_seven, 8, max_samples=5000)
    assert never == {"samples": 5000, "passes": 0, "first_pass": None, "numeric_only": 0}
    leading_zero = np.zeros((111, 11))
    leading_zero[:, arithmetic.END] = 1.0
    leading_zero[0] = 0.0
    leading_zero[0, [0, 4]] = 0.5             # "0", then "04" or "04..."; or "4"
    leading_zero[1] = 0.0
    leading_zero[1, 4] = 1.0
    draw = passuntil.draw_until(leading_zero, 4, r=2, max_samples=10_000, seed=3)
    assert draw["passes"] == 2 and draw["numeric_only"] == draw["samples"] - 2
    assert passuntil.answer_probabilities(leading_zero, 4) == (0.5, 1.0)


@pytest.mark.parametrize("call, message", [
    (lambda t: passuntil.answer_probabilities(t, 123456), "at most 5 digits"),
    (lambda t: passuntil.draw_until(t, 0), "not 0"),
    (lambda t: passuntil.draw_until(t, 5.0), "whole number"),
    (lambda t: passuntil.draw_until(t, 5, r=0), "r must be"),
    (lambda t: passuntil.draw_until(t, 5, max_samples=0), "max_samples must be"),
    (lambda t: passuntil.sample_answers(t, -1, np.random.default_rng(0)), "n must be"),
])
def test_bad_arguments_say_what_is_wrong(call, message):
    with pytest.raises(ValueError, match=message):
        call(np.full((11_111, 11), 1 / 11))


def test_estimates_refuse_a_first_pass_after_the_last_sample():
    draws = pd.DataFrame({"samples": [3], "passes": [2], "first_pass": pd.array([5], dtype="Int64")})
    with pytest.raises(ValueError, match="first_pass"):
        passuntil.estimates(draws, r=1)


def test_sampler_rejects_a_table_of_the_wrong_shape():
    with pytest.raises(ValueError, match="next_token_table"):
        passuntil.sample_answers(np.full((100, 11), 1 / 11), 10, np.random.default_rng(0))


def test_estimates_say_what_is_wrong_with_their_input():
    with pytest.raises(ValueError, match="first_pass"):
        passuntil.estimates(pd.DataFrame({"samples": [3], "passes": [2]}), r=1)
    with pytest.raises(ValueError, match="r must be 1 or 2"):
        passuntil.estimates(load("passuntil_draws").head(3), r=3)


def test_retrained_probabilities_match_the_cache_within_the_seed_spread(slice_tables):
    cached = load("passuntil_draws")
    cached = cached[cached["model"] == arithmetic.model_label(SMALLEST)].head(N_SLICE)
    targets = _targets(N_SLICE)
    means = {seed: np.mean([passuntil.answer_probabilities(t, int(v))[0] for t, v in zip(tables, targets)])
             for seed, tables in slice_tables.items()}
    spread = max(means.values()) - min(means.values())
    got, expected = means[arithmetic.SEED], cached["p_exact"].mean()
    assert abs(got - expected) <= 2 * spread + 1e-3 * expected, (got, expected, means)


def test_cached_probabilities_are_the_arithmetic_caches():
    draws = load("passuntil_draws")
    out = arithmetic.load_outputs(passuntil.TASK)
    for m, label in enumerate(out["models"][: len(passuntil.WIDTHS)]):
        rows = draws[draws["model"] == label]
        assert rows["problem"].tolist() == list(range(passuntil.N_PROBLEMS))
        p, clipped = answer_pass_probability(out["token_loss"][m, : passuntil.N_PROBLEMS],
                                             out["end_loss"][m, : passuntil.N_PROBLEMS])
        # the cache rounds each loss to 1e-4 nats: over 5 digits and an end token, 3e-4 relative at most
        ok = ~clipped
        np.testing.assert_allclose(rows["p_exact"].to_numpy()[ok], p[ok], rtol=1e-3)
        assert (rows["params"] == out["params"][m]).all()


@pytest.mark.parametrize("label", [arithmetic.model_label(w) for w in passuntil.WIDTHS])
def test_cached_draws_come_at_the_cached_probabilities(label):
    rows = load("passuntil_draws").query("model == @label")
    # the waits through their geometric law: uniform for the right probabilities ...
    assert kstest(passuntil.wait_uniforms(rows), "uniform").pvalue > 1e-4
    # ... and clearly not for probabilities off by a fifth either way
    for off in (0.8, 1.2):
        assert kstest(passuntil.wait_uniforms(rows.assign(p_exact=off * rows["p_exact"])),
                      "uniform").pvalue < 1e-4
    # the estimates: their tails are heavy to the right, so only the left side is bounded tightly
    p, n = rows["p_exact"].to_numpy(), len(rows)
    twice = passuntil.estimates(rows, r=2)
    assert twice["unbiased"].mean() > p.mean() - 4 * np.sqrt(unbiased_pass_until_variance(p).sum()) / n
    once = passuntil.estimates(rows, r=1)
    capped = once["censored"].mean() / passuntil.MAX_SAMPLES   # the cap lowers each 1/K by < 1/budget
    assert once["estimate"].mean() > (expected_pass_until(p).mean() - capped
                                      - 4 * np.sqrt(pass_until_variance(p).sum()) / n)


def test_wait_uniforms_are_uniform_for_simulated_waits():
    rng = np.random.default_rng(5)
    p = 10 ** rng.uniform(-3, -0.5, 3000)
    k1 = rng.geometric(p)
    k2 = k1 + rng.geometric(p)
    budget = 2000
    passes = np.where(k2 <= budget, 2, np.where(k1 <= budget, 1, 0))
    draws = pd.DataFrame({"p_exact": p, "samples": np.minimum(k2, budget), "passes": passes,
                          "first_pass": pd.array(np.where(k1 <= budget, k1, None), dtype="Int64")})
    assert 0 < (passes < 2).mean() < 0.5                  # the budget cuts some waits
    u = passuntil.wait_uniforms(draws, max_samples=budget)
    assert len(u) == len(p) + (passes >= 1).sum()
    assert kstest(u, "uniform").pvalue > 1e-3


def test_answer_probability_rejects_what_is_not_an_answer():
    with pytest.raises(ValueError, match="at most 5 digits"):
        passuntil.answer_probability(np.full((11_111, 11), 1 / 11), "123456")
