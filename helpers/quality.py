r"""Sample quality for small image generators: a Fréchet distance and a label judge.

FID (Heusel et al. 2017) compares Gaussian fits to real and generated images in the
feature space of a fixed Inception network. For 8×8 digits we keep the recipe and swap
the network for something fixed and cheap:

* **Fréchet distance (FD)** in a fixed linear feature space, the top principal
  components of the *training* images (pixels scaled to [0, 1]):

  .. math:: \mathrm{FD} = \lVert \mu_g - \mu_r \rVert^2 +
     \operatorname{tr}\bigl(\Sigma_g + \Sigma_r - 2 (\Sigma_g^{1/2} \Sigma_r
     \Sigma_g^{1/2})^{1/2}\bigr),

  between generated samples (g) and held-out real images (r). Lower is better; with a
  finite sample it is biased upwards, so compare values at the same sample size.
* **Label accuracy**: a fixed linear classifier (linear discriminant analysis, closed
  form and deterministic), trained on the training images, reads each
  class-conditional sample; the score is the fraction classified as the class it was
  conditioned on. Higher is better.

:class:`Judge` holds both, fitted once (deterministically) and then applied to any
number of sample sets, in batches.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Judge", "fit_judge", "frechet_distance"]


def _sqrtm_psd(c: np.ndarray) -> np.ndarray:
    """Symmetric square root of a (batch of) positive semi-definite matrix via eigh."""
    w, v = np.linalg.eigh(c)
    w = np.clip(w, 0.0, None)
    return (v * np.sqrt(w)[..., None, :]) @ np.swapaxes(v, -1, -2)


def frechet_distance(
    mu1: np.ndarray, cov1: np.ndarray, mu2: np.ndarray, cov2: np.ndarray
) -> np.ndarray:
    """Fréchet distance between Gaussians N(mu1, cov1) and N(mu2, cov2).

    Batched over leading axes. Uses the symmetric form
    :math:`\\operatorname{tr}\\,(\\Sigma_1^{1/2}\\Sigma_2\\Sigma_1^{1/2})^{1/2}`, which is real
    and stable (eigendecompositions of symmetric matrices only).

    Parameters
    ----------
    mu1, mu2 : array, shape (..., d)
    cov1, cov2 : array, shape (..., d, d)

    Returns
    -------
    numpy.ndarray, shape (...)
    """
    s1 = _sqrtm_psd(cov1)
    inner = _sqrtm_psd(s1 @ cov2 @ s1)
    diff = mu1 - mu2
    tr = np.trace(cov1, axis1=-2, axis2=-1) + np.trace(cov2, axis1=-2, axis2=-1)
    return np.sum(diff**2, axis=-1) + tr - 2 * np.trace(inner, axis1=-2, axis2=-1)


@dataclass(frozen=True)
class Judge:
    """Fixed feature space and classifier for 8×8 digit samples (immutable).

    Attributes
    ----------
    mean : array (64,)
        Training-image mean (pixels / 16).
    components : array (d, 64)
        Principal directions of the training images (the feature space).
    ref_mu, ref_cov : arrays (d,), (d, d)
        Feature mean and covariance of the held-out real images.
    coef, intercept : arrays (64, 10), (10,)
        The label classifier (linear discriminant analysis on pixels / 16).
    real_accuracy : float
        The classifier's accuracy on the held-out real images.
    real_fd : float
        FD between the training and held-out images: the floor a perfect generator
        reaches with as many samples as the training set.
    """

    mean: np.ndarray
    components: np.ndarray
    ref_mu: np.ndarray
    ref_cov: np.ndarray
    coef: np.ndarray
    intercept: np.ndarray
    real_accuracy: float
    real_fd: float

    def features(self, pixels: np.ndarray) -> np.ndarray:
        """Project images (pixels 0..16, shape (..., 64)) onto the feature space."""
        return (np.asarray(pixels, dtype=np.float64) / 16.0 - self.mean) @ self.components.T

    def fd(self, pixels: np.ndarray) -> np.ndarray:
        """FD of each sample set to the held-out images; pixels shape (..., n, 64)."""
        f = self.features(pixels)
        if f.shape[-2] < 2:
            raise ValueError("need at least two samples per set")
        mu = f.mean(axis=-2)
        c = f - mu[..., None, :]
        cov = np.swapaxes(c, -1, -2) @ c / (f.shape[-2] - 1)
        return frechet_distance(mu, cov, self.ref_mu, self.ref_cov)

    def label_accuracy(self, pixels: np.ndarray, labels: np.ndarray) -> np.ndarray:
        """Fraction of samples the classifier assigns to their conditioning label.

        Parameters
        ----------
        pixels : array (..., n, 64)
        labels : int array (n,)

        Returns
        -------
        numpy.ndarray, shape (...)
        """
        logits = (np.asarray(pixels, dtype=np.float64) / 16.0) @ self.coef + self.intercept
        return np.mean(np.argmax(logits, axis=-1) == np.asarray(labels), axis=-1)


def fit_judge(
    x_train: np.ndarray,
    y_train: np.ndarray,
    x_test: np.ndarray,
    y_test: np.ndarray,
    *,
    n_features: int = 16,
    shrinkage: float = 0.1,
) -> Judge:
    """Fit the feature space (PCA) and the classifier on training images.

    Parameters
    ----------
    x_train, x_test : arrays (n, 64) of pixels in 0..16
    y_train, y_test : int arrays (n,)
    n_features : int, default 16
        Principal components kept (16 of 64 explain about 85% of the variance of digits).
    shrinkage : float, default 0.1
        Covariance shrinkage of the discriminant (scikit-learn's ``shrinkage``; some
        border pixels of digits are constant, so the plain covariance is singular).
    """
    from sklearn.discriminant_analysis import LinearDiscriminantAnalysis

    xtr = np.asarray(x_train, dtype=np.float64) / 16.0
    if xtr.ndim != 2 or xtr.shape[1] != 64:
        raise ValueError(f"x_train must have shape (n, 64), got {xtr.shape}")
    if not 1 <= n_features <= 64:
        raise ValueError(f"n_features must be in 1..64, got {n_features}")
    mean = xtr.mean(axis=0)
    _, _, vt = np.linalg.svd(xtr - mean, full_matrices=False)
    comps = vt[:n_features]
    # fix the sign of each direction so the space does not depend on the LAPACK build
    comps = comps * np.sign(comps[np.arange(n_features), np.argmax(np.abs(comps), axis=1)])[:, None]
    clf = LinearDiscriminantAnalysis(solver="lsqr", shrinkage=shrinkage).fit(xtr, y_train)
    coef, intercept = clf.coef_.T.copy(), clf.intercept_.copy()
    ftest = (np.asarray(x_test, dtype=np.float64) / 16.0 - mean) @ comps.T
    mu, cov = ftest.mean(axis=0), np.cov(ftest, rowvar=False)
    judge = Judge(mean, comps, mu, cov, coef, intercept, 0.0, 0.0)
    acc = float(judge.label_accuracy(x_test, y_test))
    fd = float(judge.fd(x_train))
    return Judge(mean, comps, mu, cov, coef, intercept, acc, fd)
