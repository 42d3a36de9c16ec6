"""Serve MathJax from the built site so math renders with no network.

Sphinx loads MathJax from a CDN by default; offline, readers see raw TeX.
This extension copies the ``es5/`` build of MathJax 3 shipped by the PyPI
package ``django-static-mathjax`` (no dependencies) into a staging folder
beside the HTML output and registers it through ``html_extra_path``, so the
site gets ``mathjax/tex-mml-chtml.js`` at its root. ``_config.yml`` points
``mathjax_path`` at it. ``html_extra_path`` (not ``_static``) is used because
Jupyter Book injects every ``.js`` file under ``_static`` into every page.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.errors import ExtensionError

ENTRY = "tex-mml-chtml.js"


def _mathjax_es5() -> Path:
    try:
        import mathjax  # provided by the django-static-mathjax distribution
    except ImportError as err:
        raise ExtensionError(
            "offline MathJax needs the 'django-static-mathjax' package: "
            "pip install -e '.[book]' (or pip install django-static-mathjax)"
        ) from err
    es5 = Path(mathjax.__file__).parent / "static" / "mathjax" / "es5"
    if not (es5 / ENTRY).is_file():
        raise ExtensionError(f"MathJax entry point {ENTRY} not found under {es5}")
    return es5


def _stage(app: Sphinx, config: Config) -> None:
    es5 = _mathjax_es5()
    staging = Path(app.outdir).parent / "_offline_mathjax"
    target = staging / "mathjax"
    stamp = target / ".source"
    if not (stamp.is_file() and stamp.read_text() == str(es5)):
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(es5, target)
        stamp.write_text(str(es5))
    config.html_extra_path = [*list(config.html_extra_path), str(staging)]


def setup(app: Sphinx) -> dict[str, object]:
    app.connect("config-inited", _stage, priority=900)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
