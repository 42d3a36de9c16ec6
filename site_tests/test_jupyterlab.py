"""Every chapter in JupyterLab, as a reader uses it: real browser, real kernel, offline.

JupyterLab (with jupyterlab-myst, from this environment) is started on 127.0.0.1 with a
random token, on a copy of ``book/`` (so nothing is written into the repository), and
Debian's Chromium reaches 127.0.0.1 only. For each chapter of ``_toc.yml`` the test opens
the **student edition's download** of the chapter (what a student opens: the chapter without
its solutions, from ``scripts/build-book --student``), runs all cells the way *Run → Run All
Cells* does (so the cells and their
inline expressions become trusted, as in a reader's session; nothing is trusted from the
command line), and checks:

* no cell has an error output and every ``{eval}`` role evaluated without error;
* no rendered markdown cell shows raw MyST (``{cite``, ``{glue``, ``{eval``, ``:::{``, a
  ``(label)=`` line, ``:label:``, ``:filter:``) and jupyterlab-myst resolved every
  cross-reference;
* every ``{eval}`` role shows its value in the rendered prose;
* **the verdicts survive another reader's machine**: JupyterLab (and so every kernel) runs
  under :func:`helpers.robustness.other_machine_env` (OpenBLAS one kernel below the CPU's own,
  numpy's dispatched SIMD off), and before *Run All* every seed knob of the ``parameters`` cell
  is moved (:func:`helpers.robustness.move_seeds`), so each chapter's ``card.check()`` runs on
  "another machine" with other seeds, and a flipped verdict is a cell error; the kernel itself
  reports the BLAS kernel and SIMD path it used;
* **self-checks** (``helpers.exercises``): every exercise of the chapter has a check or a
  checklist in the chapter's register ``ex``; ``ex.verify()`` passes on the student edition's
  state (each check accepts its own expected value and rejects one 10% off, or the wrong
  choice); and one exercise is answered in its check cell as a student would, first wrongly,
  then rightly, and the rendered verdict says so each time;
* after one value of the ``parameters`` cell changes (``SEED`` if there is one, else the
  first numeric knob; the next one if it moved nothing), rerunning from that cell changes at
  least one prose number (cells are rerun one at a time and the rerun stops at the first
  changed number, so this costs a few cells, not a second run of the chapter).

Screenshots (the window) land beside the site's in ``book/_build/screenshots/``:
``jupyterlab-<chapter>-1-opened.png`` (as opened: prose numbers are placeholders),
``-2-run.png`` (after Run All), ``-3-check-wrong.png`` / ``-4-check-right.png`` (a student's
answers) and ``-5-changed.png`` (after the parameter change). The chapter as it is in
``book/`` (the instructor's notebook, with solutions) is opened the same way (no run): its
markdown renders without raw MyST. It executes in nbmake and in the book build.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from conftest import BOOK, SHOTS, STUDENT_SITE, chapter_pages

from helpers.exercises import exercise_labels
from helpers.robustness import lower_openblas_coretype, move_seeds, other_machine_env

RUN_TIMEOUT = 900  # seconds for Run All on one chapter (chapters aim for <= 90 s)
EVAL_RX = re.compile(r"\{eval\}`([^`]+)`")
DROPDOWN_RX = re.compile(r"^:::\{solution\}.*?^:class: dropdown$(.*?)^:::$", re.S | re.M)
RAW = ["{cite", "{glue", "{eval", ":::{", ":label:", ":filter:"]
TARGET_RX = re.compile(r"^\([\w:.-]+\)=", re.M)
NUMBER = r"-?\d[\d_]*(?:\.\d*)?(?:e-?\d+)?"
KNOB_RX = re.compile(r"^(?P<name>[A-Z][A-Z0-9_]*)\s*=\s*(?P<value>" + NUMBER + r")\b", re.M)

# JavaScript helpers, run in the page (JupyterLab exposes its app as window.jupyterapp).
FIND = """
const path = arguments[0];
const nb = window.jupyterapp && [...jupyterapp.shell.widgets('main')]
  .find(w => w.context && w.context.path === path);
window.NB = nb;
"""
READY = (
    FIND
    + """
if (!nb || !nb.content || !nb.sessionContext.session || !nb.sessionContext.session.kernel)
  return false;
return nb.sessionContext.session.kernel.status === 'idle'
  && nb.content.widgets.length === arguments[1];
"""
)
STATE = """
const nb = window.NB;
return nb.content.widgets.map((cell, i) => {
  const m = cell.model;
  const out = {type: m.type, index: i};
  if (m.type === 'code') {
    out.errors = m.outputs.toJSON().filter(o => o.output_type === 'error')
      .map(o => o.ename + ': ' + o.evalue);
    out.count = m.executionCount;
  } else if (m.type === 'markdown') {
    // jupyterlab-myst renders a markdown cell into a .myst widget beside the (hidden) editor
    const node = cell.node.querySelector('.jp-InputArea > .myst')
      || cell.node.querySelector('.jp-RenderedMarkdown');
    // textContent, not innerText: cells outside the window are not laid out
    // (content-visibility: auto), and innerText is empty for them
    out.text = node ? node.textContent : '';
    out.blocks = node ? [...node.querySelectorAll('p, li, h1, h2, h3, h4, h5, h6')]
      .map(e => e.textContent) : [];
    out.rendered = cell.rendered;
    out.codes = node ? [...node.querySelectorAll('code')].map(c => c.textContent) : [];
    out.expressions = (m.getMetadata('user_expressions') || []).map(e => ({
      expression: e.expression, status: e.result.status,
      value: e.result.status === 'ok' ? (e.result.data['text/plain'] || '') : e.result.evalue,
    }));
  }
  return out;
});
"""
RUN = """
const done = arguments[arguments.length - 1];
window.RUN_DONE = null;
jupyterapp.shell.activateById(window.NB.id);
if (arguments[0] !== null) window.NB.content.activeCellIndex = arguments[0];
jupyterapp.commands.execute(arguments[1])
  .then(r => { window.RUN_DONE = 'ok'; }, e => { window.RUN_DONE = 'error: ' + e; });
done(true);
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab on 127.0.0.1 serving a copy of book/ (and the student downloads)."""
    work = tmp_path_factory.mktemp("jupyterlab")
    root = work / "book"
    shutil.copytree(
        BOOK,
        root,
        ignore=shutil.ignore_patterns("_build", "_student", ".ipynb_checkpoints"),
    )
    student = STUDENT_SITE / "_sources"
    if student.is_dir():
        shutil.copytree(student, root / "student_downloads", ignore=shutil.ignore_patterns("*.md"))
    env = {
        **other_machine_env(),  # every kernel computes as another reader's machine would
        "SCALING_BOOK_OFFLINE": "1",
        "JUPYTER_CONFIG_DIR": str(work / "config"),
        "JUPYTER_DATA_DIR": str(work / "data"),
        "JUPYTER_RUNTIME_DIR": str(work / "runtime"),
        "JUPYTERLAB_SETTINGS_DIR": str(work / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(work / "workspaces"),
    }
    port, token = _free_port(), secrets.token_hex(16)
    cmd = [
        sys.executable, "-m", "jupyterlab", "--no-browser",
        "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
        "--LabApp.expose_app_in_browser=True",  # window.jupyterapp: run cells as the menu does
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--LabApp.extension_manager=readonly",
    ]  # fmt: skip
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    log = (work / "jupyterlab.log").open("w")
    proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=root)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            with urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=5):
                break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail(f"JupyterLab did not start:\n{(work / 'jupyterlab.log').read_text()}")
            time.sleep(0.5)
    yield url, token, root
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


def _open(browser, lab, path: str, n_cells: int) -> None:
    url, token, _ = lab
    browser.get(f"{url}/lab/tree/{path}?reset&token={token}")
    deadline = time.monotonic() + 180
    while not browser.execute_script(READY, path, n_cells):
        assert time.monotonic() < deadline, f"{path} did not open with an idle kernel"
        time.sleep(0.5)
    time.sleep(1.0)  # let jupyterlab-myst finish rendering the markdown


def _run(browser, command: str, index: int | None = None, timeout: float = RUN_TIMEOUT) -> None:
    browser.execute_async_script(RUN, index, command)
    deadline = time.monotonic() + timeout
    while (status := browser.execute_script("return window.RUN_DONE")) is None:
        assert time.monotonic() < deadline, f"{command} did not finish in {timeout} s"
        time.sleep(0.5)
    assert status == "ok", f"{command}: {status}"


PROBE = """
import json as _j, numpy._core._multiarray_umath as _mu
from threadpoolctl import threadpool_info as _ti
print(_j.dumps({"blas": sorted({i.get("architecture") or "?" for i in _ti()
                                 if i.get("user_api") == "blas"}),
                "simd": [f for f in _mu.__cpu_dispatch__ if _mu.__cpu_features__.get(f)]}))
"""
KERNEL_EXEC = """
const done = arguments[arguments.length - 1];
const future = window.NB.sessionContext.session.kernel.requestExecute(
  {code: arguments[0], store_history: false});
let out = '';
future.onIOPub = msg => {
  if (msg.header.msg_type === 'stream') out += msg.content.text;
  if (msg.header.msg_type === 'error') out += ' KERNEL ERROR ' + msg.content.ename + ': '
    + msg.content.evalue;
};
future.done.then(() => done(out), e => done('error: ' + e));
"""


def _kernel_json(browser, code: str):
    """Run ``code`` in the chapter's kernel (not in a cell) and parse the JSON it prints last."""
    out = browser.execute_async_script(KERNEL_EXEC, code)
    assert "KERNEL ERROR" not in out, out
    return json.loads(out.strip().splitlines()[-1])


def _kernel_numerics(browser) -> dict:
    """What the chapter's kernel computes with: BLAS kernel(s) and numpy SIMD features."""
    return _kernel_json(browser, PROBE)


VERIFY = """
import json as _j
print(_j.dumps({"keys": list(ex.keys), "kinds": {k: ex.kind(k) for k in ex.keys},
                "rows": ex.verify()}))
"""
VERDICT = """
const node = window.NB.content.widgets[arguments[0]].node.querySelector('.exercise-check');
return node ? node.getAttribute('data-verdict') : null;
"""
ANSWER_RX = re.compile(r"^answer\s*=\s*None\b.*$", re.M)


def _check_cell(cells: list[dict], key: str) -> int | None:
    """Index of the code cell that checks ``key`` (``ex.check("key", answer)``)."""
    rx = re.compile(r"""ex\.check\(\s*["']""" + re.escape(key) + r"""["']\s*,\s*answer\s*\)""")
    return next(
        (
            i
            for i, c in enumerate(cells)
            if c["cell_type"] == "code" and rx.search("".join(c["source"]))
        ),
        None,
    )


def _answer(browser, index: int, source: str, value) -> str | None:
    """Put ``value`` in a check cell's ``answer = None`` line, run it, return the verdict shown."""
    changed = ANSWER_RX.sub(f"answer = {value!r}", source, count=1)
    assert changed != source, f"cell {index}: no 'answer = None' line to fill in"
    browser.execute_script(
        "window.NB.content.widgets[arguments[0]].model.sharedModel.setSource(arguments[1])",
        index,
        changed,
    )
    _run(browser, "notebook:run-cell", index=index)
    for _ in range(40):
        verdict = browser.execute_script(VERDICT, index)
        if verdict:
            return verdict
        time.sleep(0.25)
    return None


def _self_checks(browser, page: str, cells: list[dict]) -> str:
    """Every exercise has a check; ex.verify() passes; a student's wrong then right answer."""
    labels = exercise_labels(cells)
    if not labels:
        return "no exercises"
    report = _kernel_json(browser, VERIFY)
    keys = report["keys"]
    missing = [lab for lab in labels if not any(k == lab or k.startswith(lab + "-") for k in keys)]
    assert not missing, f"{page}: exercises without a self-check: {missing}"
    bad = [r for r in report["rows"] if not r["ok"]]
    assert not bad, f"{page}: self-checks that fail their own test: {bad}"
    answerable = [
        (k, i)
        for k in keys
        if report["kinds"][k] in ("number", "choice") and (i := _check_cell(cells, k)) is not None
    ]
    assert answerable, f"{page}: no check cell of the form ex.check('ex-…', answer)"
    key, index = answerable[0]
    expected = _kernel_json(browser, f"import json as _j; print(_j.dumps(ex.expected({key!r})))")
    if report["kinds"][key] == "number":
        wrong, want_wrong = expected * 1.1 if expected else 0.1, "too high"
        right = expected
    else:
        accepted = [expected] if isinstance(expected, str) else expected
        choices = _kernel_json(browser, f"import json as _j; print(_j.dumps(ex.choices({key!r})))")
        wrong, want_wrong = next(c for c in choices if c not in accepted), "wrong"
        right = accepted[0]
    source = "".join(cells[index]["source"])
    got = _answer(browser, index, source, wrong)
    _window_screenshot(browser, f"jupyterlab-{page}-3-check-wrong", index)
    assert got == want_wrong, f"{page}: {key} answered {wrong!r}: shows {got!r}, not {want_wrong!r}"
    got = _answer(browser, index, source, right)
    _window_screenshot(browser, f"jupyterlab-{page}-4-check-right", index)
    assert got == "right", f"{page}: {key} answered with its expected value: shows {got!r}"
    return (
        f"{len(keys)} checks for {len(labels)} exercises verified; {key}: {want_wrong}, then right"
    )


def _state(browser) -> list[dict]:
    return browser.execute_script(STATE)


def _window_screenshot(browser, name: str, cell: int | None = None) -> Path:
    if cell is not None:
        browser.execute_script(
            "window.NB.content.widgets[arguments[0]].node.scrollIntoView({block: 'center'})", cell
        )
        time.sleep(0.5)
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    assert browser.save_screenshot(str(path))
    return path


def _raw_myst(state: list[dict]) -> list[str]:
    found = []
    for cell in state:
        if cell["type"] != "markdown":
            continue
        text = cell["text"]
        found += [f"cell {cell['index']}: {m!r}" for m in RAW if m in text]
        for block in cell["blocks"]:
            found += [f"cell {cell['index']}: {m!r}" for m in TARGET_RX.findall(block.strip())]
    return found


def _unresolved_references(browser) -> list[str]:
    try:
        logs = browser.get_log("browser")
    except Exception:  # a driver without log support: nothing to check
        return []
    return [e["message"] for e in logs if "target was not found" in e["message"]]


def _prose(state: list[dict]) -> dict[int, list[str]]:
    return {
        c["index"]: [e["value"] for e in c["expressions"]]
        for c in state
        if c["type"] == "markdown" and c["expressions"]
    }


@pytest.mark.parametrize("page", chapter_pages())
def test_chapter_reads_and_reruns_in_jupyterlab(browser, lab, page):
    path = f"student_downloads/{page}.ipynb"
    if not (lab[2] / path).is_file():
        pytest.fail(f"no student download {path}: run scripts/build-book --student first")
    nb = json.loads((lab[2] / path).read_text())
    cells = nb["cells"]
    sources = {i: "".join(c["source"]) for i, c in enumerate(cells) if c["cell_type"] == "markdown"}
    roles = {i: EVAL_RX.findall(src) for i, src in sources.items() if EVAL_RX.search(src)}
    assert roles, f"{page}: no {{eval}} roles, so no live prose numbers to check"
    folded = {
        i: {n for block in DROPDOWN_RX.findall(src) for n in EVAL_RX.findall(block)}
        for i, src in sources.items()
    }

    browser.set_script_timeout(60)
    browser.get_log("browser") if hasattr(browser, "get_log") else None  # drop old entries
    _open(browser, lab, path, len(cells))
    first_prose = min(roles)
    _window_screenshot(browser, f"jupyterlab-{page}-1-opened", first_prose)
    opened = _state(browser)
    assert not _raw_myst(opened), f"{page} as opened shows raw MyST: {_raw_myst(opened)}"
    text = "\n".join(c["text"] for c in opened if c["type"] == "markdown")
    assert "Exercise" in text and "Solution" not in text, f"student download of {page}"

    # another reader's machine: every seed knob moved (the kernel's numerics are the lab's)
    param = next(
        i
        for i, c in enumerate(cells)
        if c["cell_type"] == "code" and "parameters" in c.get("metadata", {}).get("tags", [])
    )
    source, seeds_moved = move_seeds("".join(cells[param]["source"]))
    browser.execute_script(
        "window.NB.content.widgets[arguments[0]].model.sharedModel.setSource(arguments[1])",
        param,
        source,
    )

    started = time.monotonic()
    _run(browser, "notebook:run-all-cells")
    run_all = time.monotonic() - started
    numerics = _kernel_numerics(browser)
    assert numerics["simd"] == [], f"{page}: numpy SIMD was not narrowed: {numerics}"
    kernel = lower_openblas_coretype()
    assert not kernel or {a.lower() for a in numerics["blas"]} == {kernel.lower()}, (
        f"{page}: the kernel did not run OpenBLAS {kernel}: {numerics}"
    )
    state = _state(browser)
    errors = [(c["index"], c["errors"]) for c in state if c["type"] == "code" and c["errors"]]
    assert not errors, (
        f"{page}: cells with errors on another machine ({numerics}; seeds moved: {seeds_moved})"
        f" — a scorecard verdict that flips here is not a finding: {errors}"
    )
    assert all(c["count"] for c in state if c["type"] == "code"), f"{page}: cells not run"
    assert all(c["rendered"] for c in state if c["type"] == "markdown")
    raw = _raw_myst(state)
    assert not raw, f"{page} shows raw MyST after the run: {raw}"
    unresolved = _unresolved_references(browser)
    assert not unresolved, f"{page}: jupyterlab-myst could not resolve {unresolved}"

    for i, names in roles.items():
        got = {e["expression"]: e for e in state[i]["expressions"]}
        for name in names:
            assert name in got, f"{page}, cell {i}: {{eval}}`{name}` was not evaluated"
            assert got[name]["status"] == "ok", f"{page}, cell {i}: {name}: {got[name]}"
            value = got[name]["value"].strip("'\"")
            if name in folded.get(i, ()):
                continue  # in a closed dropdown: jupyterlab-myst renders its body when opened
            assert value and value in state[i]["text"], (
                f"{page}, cell {i}: the value {value!r} of {name} is not in the prose"
            )
            assert name not in state[i]["codes"], f"{page}, cell {i}: {name} shown unevaluated"
    _window_screenshot(browser, f"jupyterlab-{page}-2-run", first_prose)
    checks = _self_checks(browser, page, cells)
    before = _prose(_state(browser))

    # change one knob of the parameters cell and rerun from there, a cell at a time
    knobs = sorted(KNOB_RX.finditer(source), key=lambda k: k["name"] != "SEED")  # SEED first
    assert knobs, f"{page}: no numeric knob in the parameters cell"
    started = time.monotonic()
    changed = None
    for knob in knobs:  # the next knob only if this one moved no prose number
        value = knob["value"].replace("_", "")
        new = str(int(value) + 1) if re.fullmatch(r"-?\d+", value) else repr(float(value) * 1.5)
        changed_source = source[: knob.start("value")] + new + source[knob.end("value") :]
        browser.execute_script(
            "window.NB.content.widgets[arguments[0]].model.sharedModel.setSource(arguments[1])",
            param,
            changed_source,
        )
        for i in range(param, len(cells)):
            _run(browser, "notebook:run-cell", index=i)
            if i in before:
                for _ in range(20):  # a markdown cell's expressions arrive just after it runs
                    now = _prose(_state(browser)).get(i)
                    if now and len(now) == len(before[i]):
                        break
                    time.sleep(0.25)
                if now != before[i]:
                    changed = (i, before[i], now)
                    break
        if changed:
            break
        before = _prose(_state(browser))
    rerun = time.monotonic() - started
    assert changed, f"{page}: no knob of the parameters cell changed a prose number"
    assert not [c for c in _state(browser) if c["type"] == "code" and c["errors"]]
    _window_screenshot(browser, f"jupyterlab-{page}-5-changed", changed[0])
    print(
        f"\n{page}: Run All {run_all:.1f} s on BLAS {numerics['blas']}, numpy SIMD baseline, "
        f"seeds {seeds_moved or 'none'}; self-checks: {checks}; "
        f"{knob['name']} {value} -> {new}: cell {changed[0]} "
        f"changed {changed[1]} -> {changed[2]} after rerunning {changed[0] - param + 1} cells "
        f"({rerun:.1f} s)"
    )


@pytest.mark.parametrize("page", chapter_pages())
def test_instructor_notebook_opens_in_jupyterlab(browser, lab, page):
    """The chapter as it is in book/ (with its solutions) renders without raw MyST."""
    path = f"{page}.ipynb"
    nb = json.loads((lab[2] / path).read_text())
    _open(browser, lab, path, len(nb["cells"]))
    state = _state(browser)
    raw = _raw_myst(state)
    assert not raw, f"{page} (instructor) shows raw MyST: {raw}"
    text = "\n".join(c["text"] for c in state if c["type"] == "markdown")
    assert "Exercise" in text and "Solution" in text, f"{page} (instructor): no exercises/solutions"
