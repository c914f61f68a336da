"""Observational scaling laws: forecast a task from standard benchmark scores, across families.

Ruan, Maddison & Hashimoto (2024) replace training compute, which is not
comparable across model families, by a few *principal capabilities*: the
leading principal components of a model's scores on standard benchmarks
(their Eq. 5, Section 3.2). A downstream score is then a sigmoid of a linear
combination of them (their Eq. 6),

    y = h * sigmoid(w . S + b),   h in [0.8, 1],

fitted by least squares on the weaker models and tested on the stronger ones.
This module implements their recipe as their paper and code describe it
(Appendix A, Algorithm A.1; Appendix B.3):

- :func:`fit_principal_capabilities`: missing benchmark scores filled by PCA
  imputation (mean imputation, then repeated reconstruction from the first
  principal component, at most 1,000 times, imputed values kept in [0, 1]);
  then scikit-learn's :class:`~sklearn.decomposition.PCA` on mean-centred,
  unscaled scores, 3 components by default. Both are fitted on the fitting
  models only and then applied unchanged to the others, so nothing about a
  held-out model leaks into the fit. Each component's sign is chosen so that
  its benchmark weights sum to a positive number (PC-1 then rises with
  capability; PCA itself leaves the sign arbitrary).
- :func:`fit_sigmoid`: Eq. 6 for any features, principal capabilities or, as
  the baseline of a compute scaling law (their Eq. 2), ``log10`` training
  FLOPs. The same fitter for both, so that the comparison is of the
  predictors and not of the fitting code.
- :func:`compare_predictors`: one task's forecast from each predictor, fitted
  on the models at or below a compute cut-off and tested on those above.

Within one family (a curve in scale), use :mod:`emergence.forecast.backtest` instead;
this module is for regressions across families, where two models may share a
scale.

Examples
--------
>>> import numpy as np
>>> x = np.linspace(-3, 3, 13)[:, None]
>>> fit = fit_sigmoid(x, 0.9 / (1 + np.exp(-(2 * x[:, 0] - 1))))
>>> round(fit.ceiling, 3), np.round(fit.weights, 3).tolist(), round(fit.bias, 3)
(0.9, [2.0], -1.0)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from emergence._validate import as_float_array

__all__ = ["BENCHMARKS", "LLAMA2_7B_FLOPS", "PrincipalCapabilities",
           "fit_principal_capabilities", "SigmoidFit", "fit_sigmoid", "compare_predictors",
           "held_out_errors"]

#: The eight standard benchmarks of Ruan et al. (2024), Section 3.2 (columns of
#: the table ``obsscaling_benchmarks``).
BENCHMARKS = ("mmlu", "arc_c", "hellaswag", "winogrande", "truthfulqa", "gsm8k", "xwinograd",
              "humaneval")

#: The paper's default cut-off (Section 4): models trained with at most the
#: FLOPs of Llama-2-7B, 8.4e22, are fitted; the rest are held out.
LLAMA2_7B_FLOPS = 8.4e22

#: Bounds of the sigmoid's ceiling ``h`` (Section 3.4: "restrict h in [0.8, 1.0]").
CEILING = (0.8, 1.0)

# Largest weight allowed per standard deviation of a feature: a fit that sits
# flat and then jumps would otherwise push the weights to infinity.
_MAX_STANDARDISED_WEIGHT = 50.0


def _scores_matrix(scores, benchmarks) -> np.ndarray:
    if isinstance(scores, pd.DataFrame):
        missing = [b for b in benchmarks if b not in scores.columns]
        if missing:
            raise ValueError(f"scores has no column(s) {missing}; pass the table "
                             "load('obsscaling_benchmarks') or name the benchmarks it has.")
        scores = scores[list(benchmarks)]
    x = np.asarray(scores, dtype=float)
    if x.ndim != 2 or x.shape[1] != len(benchmarks):
        raise ValueError(f"scores must be a table with one column per benchmark "
                         f"({len(benchmarks)}); got shape {x.shape}.")
    if np.isinf(x).any():
        raise ValueError("scores contains infinite values.")
    return x


@dataclass(frozen=True)
class PrincipalCapabilities:
    """Principal capability measures fitted on some models, to apply to any model.

    Attributes
    ----------
    benchmarks : tuple of str
        The benchmark columns, in order.
    imputer, pca : sklearn.decomposition.PCA
        The one-component PCA used to fill missing scores and the PCA whose
        components are the capabilities.
    signs : numpy.ndarray
        +1 or -1 per component (see the module docstring).
    means : numpy.ndarray
        The fitting models' mean score per benchmark (the imputation's start).
    """

    benchmarks: tuple
    imputer: object
    pca: object
    signs: np.ndarray
    means: np.ndarray

    def __deepcopy__(self, memo):
        # fitted once and never changed: pandas copies ``DataFrame.attrs`` on every
        # derived frame, and copying the fitted PCAs each time costs seconds
        return self

    @property
    def explained_variance_ratio(self) -> np.ndarray:
        """Share of the fitting models' variance carried by each component."""
        return self.pca.explained_variance_ratio_

    @property
    def loadings(self) -> pd.DataFrame:
        """Benchmark weights of each component (rows ``PC-1`` ...), signs applied."""
        comps = self.pca.components_ * self.signs[:, None]
        return pd.DataFrame(comps, columns=list(self.benchmarks),
                            index=[f"PC-{i + 1}" for i in range(len(comps))])

    def impute(self, scores) -> np.ndarray:
        """Fill the missing scores of ``scores`` from the fitted first component."""
        x = _scores_matrix(scores, self.benchmarks)
        return _impute_with(self.imputer, x, self.means)

    def transform(self, scores) -> np.ndarray:
        """Capabilities of each model (rows of ``scores``), shape ``(n, n_components)``."""
        return self.pca.transform(self.impute(scores)) * self.signs


def _impute_with(imputer, x, start, max_iter: int = 1000, tol: float = 1e-7) -> np.ndarray:
    missing = np.isnan(x)
    filled = np.where(missing, start, x)
    if not missing.any():
        return filled
    for _ in range(max_iter):
        recon = np.clip(imputer.inverse_transform(imputer.transform(filled)), 0.0, 1.0)
        new = np.where(missing, recon, x)
        done = np.max(np.abs(new - filled)) < tol
        filled = new
        if done:
            break
    return filled


def fit_principal_capabilities(scores, benchmarks=BENCHMARKS, n_components: int = 3,
                               max_iter: int = 1000, tol: float = 1e-7) -> PrincipalCapabilities:
    """PCA imputation and principal components of benchmark scores (Ruan et al., App. B.3).

    Parameters
    ----------
    scores : pandas.DataFrame or array-like, shape (n_models, n_benchmarks)
        The fitting models' scores in [0, 1]; NaN where a benchmark was not
        run. Each benchmark needs at least one score.
    benchmarks : sequence of str
        Which columns to use (e.g. :data:`BENCHMARKS` without ``"gsm8k"``,
        as the paper does for arithmetic tasks).
    n_components : int
        How many principal capabilities (the paper uses 3).
    max_iter, tol : int, float
        Imputation stops after ``max_iter`` rounds or when no filled value
        moves by more than ``tol``.

    Returns
    -------
    PrincipalCapabilities

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> ability = rng.uniform(0, 1, 30)
    >>> s = np.clip(np.outer(ability, [0.6, 0.8, 0.4]) + rng.normal(0, 0.01, (30, 3)), 0, 1)
    >>> pc = fit_principal_capabilities(s, benchmarks=("a", "b", "c"), n_components=2)
    >>> bool(pc.explained_variance_ratio[0] > 0.99)
    True
    >>> bool(np.corrcoef(pc.transform(s)[:, 0], ability)[0, 1] > 0.99)
    True
    """
    from sklearn.decomposition import PCA

    benchmarks = tuple(benchmarks)
    x = _scores_matrix(scores, benchmarks)
    if not isinstance(n_components, (int, np.integer)) or not 1 <= n_components <= len(benchmarks):
        raise ValueError(f"n_components must be a whole number from 1 to {len(benchmarks)}, "
                         f"got {n_components!r}.")
    if len(x) <= n_components:
        raise ValueError(f"{len(x)} models cannot give {n_components} principal components; "
                         "fit on more models.")
    empty = np.isnan(x).all(axis=0)
    if empty.any():
        raise ValueError(f"benchmark(s) {[b for b, e in zip(benchmarks, empty) if e]} have no "
                         "score among the fitting models; leave them out of `benchmarks`.")
    if ((x < 0) | (x > 1)).any():
        raise ValueError("scores must be fractions in [0, 1] (percentages? divide by 100).")
    means = np.nanmean(x, axis=0)
    missing = np.isnan(x)
    filled = np.where(missing, means, x)
    imputer = PCA(n_components=1).fit(filled)
    for _ in range(max_iter if missing.any() else 0):
        recon = np.clip(imputer.inverse_transform(imputer.transform(filled)), 0.0, 1.0)
        new = np.where(missing, recon, x)
        done = np.max(np.abs(new - filled)) < tol
        filled = new
        imputer = PCA(n_components=1).fit(filled)
        if done:
            break
    pca = PCA(n_components=n_components).fit(filled)
    signs = np.where(pca.components_.sum(axis=1) >= 0, 1.0, -1.0)
    return PrincipalCapabilities(benchmarks=benchmarks, imputer=imputer, pca=pca, signs=signs,
                                 means=means)


@dataclass(frozen=True)
class SigmoidFit:
    """A fitted ``y = ceiling * sigmoid(features @ weights + bias)`` (Ruan et al., Eq. 6).

    Attributes
    ----------
    weights : numpy.ndarray
        One weight per feature (in the features' own units).
    bias, ceiling : float
    mse : float
        Mean squared residual on the fitted points.
    """

    weights: np.ndarray
    bias: float
    ceiling: float
    mse: float

    def __deepcopy__(self, memo):
        return self  # read-only after fitting; see PrincipalCapabilities.__deepcopy__

    def predict(self, features) -> np.ndarray:
        """The fitted curve at ``features`` (shape ``(n, n_features)`` or ``(n,)`` for one)."""
        f = np.asarray(features, dtype=float)
        if f.ndim == 1:
            f = f[:, None]
        if f.shape[1] != len(self.weights):
            raise ValueError(f"features must have {len(self.weights)} column(s), got {f.shape[1]}.")
        from scipy.special import expit

        return self.ceiling * expit(f @ self.weights + self.bias)


def fit_sigmoid(features, y, ceiling=CEILING) -> SigmoidFit:
    """Least-squares fit of ``y = h * sigmoid(features @ w + b)`` with ``h`` within ``ceiling``.

    Parameters
    ----------
    features : array-like, shape (n,) or (n, n_features)
        Principal capabilities, or ``log10`` of training FLOPs for the
        compute baseline. Rows may repeat (two models with equal compute).
    y : array-like, shape (n,)
        The task score of each model, as a fraction in [0, 1].
    ceiling : (float, float) or float
        Bounds of ``h`` (the paper's [0.8, 1]); a single number fixes it.

    Returns
    -------
    SigmoidFit

    Notes
    -----
    Features are standardised for the solver (scipy's bounded
    ``least_squares``, trust-region reflective) and the weights mapped back.
    Weights are bounded at 50 per standard deviation of a feature so that a
    curve flat at 0 with one jump gets a finite answer. The solver starts from
    a straight-line fit of ``logit(y)`` and from two scaled copies of it and
    keeps the best, so the fit is a pure function of the data.
    """
    from scipy.optimize import least_squares
    from scipy.special import expit

    f = np.asarray(features, dtype=float)
    if f.ndim == 1:
        f = f[:, None]
    if f.ndim != 2:
        raise ValueError(f"features must be 1- or 2-dimensional, got shape {f.shape}.")
    as_float_array(f.ravel(), "features")
    y = as_float_array(y, "y")
    if len(y) != len(f):
        raise ValueError(f"features has {len(f)} rows but y has {len(y)} values.")
    if ((y < 0) | (y > 1)).any():
        raise ValueError("y must be fractions in [0, 1] (divide BLEU or percentages first).")
    k = f.shape[1]
    if len(y) < k + 2:
        raise ValueError(f"fitting {k} weight(s), a bias and a ceiling needs at least {k + 2} "
                         f"models; got {len(y)}.")
    lo, hi = (float(ceiling), float(ceiling)) if np.isscalar(ceiling) else map(float, ceiling)
    if not 0 < lo <= hi <= 1:
        raise ValueError(f"ceiling must lie in (0, 1] with low <= high, got {ceiling!r}.")
    mu, sd = f.mean(axis=0), f.std(axis=0)
    if (sd == 0).any():
        raise ValueError("a feature takes the same value for every model: it cannot predict.")
    z = (f - mu) / sd
    fixed = lo == hi

    def unpack(theta):
        h = lo if fixed else theta[0]
        rest = theta if fixed else theta[1:]
        return h, rest[:k], rest[k]

    def residuals(theta):
        h, w, b = unpack(theta)
        return h * expit(z @ w + b) - y

    def jacobian(theta):
        h, w, b = unpack(theta)
        s = expit(z @ w + b)
        slope = (h * s * (1 - s))[:, None]
        cols = [slope * z, slope]
        return np.hstack(cols if fixed else [s[:, None]] + cols)

    h0 = hi if fixed else 0.5 * (lo + hi)
    target = np.log(np.clip(y / h0, 1e-3, 1 - 1e-3) / (1 - np.clip(y / h0, 1e-3, 1 - 1e-3)))
    design = np.c_[z, np.ones(len(z))]
    line = np.linalg.lstsq(design, target, rcond=None)[0]
    w_max = _MAX_STANDARDISED_WEIGHT
    lower = np.r_[[] if fixed else [lo], np.full(k, -w_max), -np.inf]
    upper = np.r_[[] if fixed else [hi], np.full(k, w_max), np.inf]
    best = None
    for scale in (1.0, 0.5, 2.0):
        start = np.r_[[] if fixed else [h0], np.clip(line[:k] * scale, -w_max * 0.99, w_max * 0.99),
                      line[k] * scale]
        res = least_squares(residuals, start, jac=jacobian, bounds=(lower, upper), method="trf")
        if best is None or res.cost < best.cost - 1e-15:
            best = res
    h, w, b = unpack(best.x)
    weights = w / sd
    bias = float(b - (w / sd) @ mu)
    return SigmoidFit(weights=weights, bias=bias, ceiling=float(h),
                      mse=float(np.mean(residuals(best.x) ** 2)))


def compare_predictors(benchmarks: pd.DataFrame, scores: pd.Series, cutoff: float = LLAMA2_7B_FLOPS,
                       use=BENCHMARKS, n_components: int = 3,
                       predictors=("principal capabilities", "log FLOPs")) -> pd.DataFrame:
    """Fit one task on the models at or below ``cutoff`` FLOPs, predict the rest, by each predictor.

    Parameters
    ----------
    benchmarks : pandas.DataFrame
        The table ``load("obsscaling_benchmarks")``: ``model``, ``params``,
        ``train_flops`` and the benchmark columns.
    scores : pandas.Series
        The task's score per model (index: model names), fractions in [0, 1].
        Models without training FLOPs are left out (they cannot be placed
        against the cut-off), as are models not in ``benchmarks``.
    cutoff : float
        Training FLOPs: models at or below it are fitted, the others held out.
    use : sequence of str
        The benchmarks the principal capabilities are extracted from.
    n_components : int
        Principal capabilities used.
    predictors : sequence of str
        Any of ``"principal capabilities"``, ``"log FLOPs"``, ``"log params"``.

    Returns
    -------
    pandas.DataFrame
        One row per model: ``model``, ``family``, ``train_flops``, ``split``
        (``"fit"`` or ``"held out"``), ``observed`` and one column of
        predictions per predictor. ``attrs["fits"]`` maps each predictor to its
        :class:`SigmoidFit`; ``attrs["capabilities"]`` holds the
        :class:`PrincipalCapabilities` fitted on the fitting models.
    """
    known = {"principal capabilities", "log FLOPs", "log params"}
    if not set(predictors) <= known:
        raise ValueError(f"predictors must be among {sorted(known)}, got {list(predictors)}.")
    if "model" not in benchmarks.columns:
        raise ValueError("benchmarks must be the table load('obsscaling_benchmarks').")
    if not isinstance(scores, pd.Series):
        raise ValueError("scores must be a pandas Series indexed by model name.")
    table = benchmarks.set_index("model")
    models = [m for m in scores.dropna().index if m in table.index
              and np.isfinite(table.at[m, "train_flops"])]
    rows = table.loc[models]
    y = scores.loc[models].to_numpy(dtype=float)
    fit = (rows["train_flops"] <= cutoff).to_numpy()
    if fit.sum() < n_components + 2 or (~fit).sum() < 1:
        raise ValueError(f"the cut-off {cutoff:g} leaves {fit.sum()} models to fit and "
                         f"{(~fit).sum()} to test; move it.")
    out = pd.DataFrame({"model": models, "family": rows["family"].to_numpy(),
                        "train_flops": rows["train_flops"].to_numpy(),
                        "split": np.where(fit, "fit", "held out"), "observed": y})
    fits = {}
    capabilities = None
    for name in predictors:
        if name == "principal capabilities":
            capabilities = fit_principal_capabilities(rows.loc[fit, list(use)], use, n_components)
            x = capabilities.transform(rows[list(use)])
        elif name == "log FLOPs":
            x = np.log10(rows["train_flops"].to_numpy())[:, None]
        else:
            x = np.log10(rows["params"].to_numpy())[:, None]
        fits[name] = fit_sigmoid(x[fit], y[fit])
        out[name] = fits[name].predict(x)
    out.attrs["fits"] = fits
    out.attrs["capabilities"] = capabilities
    return out


def held_out_errors(predictions: pd.DataFrame) -> pd.DataFrame:
    """Mean squared and mean absolute error of each predictor, on the fitted and held-out models.

    Parameters
    ----------
    predictions : pandas.DataFrame
        The result of :func:`compare_predictors`.

    Returns
    -------
    pandas.DataFrame
        Index: predictor; columns ``mse_fit``, ``mse_held_out``,
        ``mae_held_out``, ``n_fit``, ``n_held_out``.
    """
    fits = predictions.attrs.get("fits")
    if not fits:
        raise ValueError("predictions must be the result of compare_predictors(...).")
    held = predictions["split"] == "held out"
    rows = {}
    for name in fits:
        err = predictions[name] - predictions["observed"]
        rows[name] = {"mse_fit": float((err[~held] ** 2).mean()),
                      "mse_held_out": float((err[held] ** 2).mean()),
                      "mae_held_out": float(err[held].abs().mean()),
                      "n_fit": int((~held).sum()), "n_held_out": int(held.sum())}
    return pd.DataFrame(rows).T.astype({"n_fit": int, "n_held_out": int})
