"""The worked solutions shipped in ``docs/solutions/`` are what the engine answers now (issue 13: "Ship them in the
README's gallery").

``docs/solutions/make.py`` writes them with ``clusterlab render --working`` (the figures need the window). Here
the documents of the small exercises are built again without any window, from the engine alone
(:func:`engine.session.run`, :func:`engine.session.solution.build`), and compared with the shipped
``solution.md`` and ``solution.tex``: the text around the numbers exactly, each number to within one unit of its
last printed digit (the tables' 4 significant digits: a relative 1e-4 to 1e-3), since another CPU or BLAS may
round a last digit the other way. A changed answer, step or table makes the shipped file stale and these tests
fail: ``python docs/solutions/make.py`` regenerates it. The figures' file names of the whole run (the plugin's
views, which only the window knows) are read from the shipped ``solution.md``; the per-step scatter figures are
named as render names them.
"""
from __future__ import annotations

import importlib.util
import math
import re
from pathlib import Path

import pytest

from engine import session as es
from engine.core.steps import step_number
from engine.session import solution

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = ROOT / "docs" / "solutions"
_spec = importlib.util.spec_from_file_location("solutions_make", SOLUTIONS / "make.py")
make = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make)

#: The exercises rebuilt here (cheap: a few points each). Of the MNIST ones (6,000 digits, 784 features: their
#: working takes a second) the run at a glance is checked: every shipped step's kind, objective and description.
SMALL = [n for n in make.SESSIONS if n.startswith(("ex1-", "ex2-", "ex3-", "ex6-"))]
MNIST = [n for n in make.SESSIONS if n not in SMALL]
_NUMBER = re.compile(r"(?<![\w.])[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?")
_FINALS = "\n## Figures of the whole run\n"


def _steps_option(name: str) -> int | None:
    """The last step (0-based) ``make.py`` renders ``name`` to: ``--steps``' largest, or None for the whole run."""
    opts = make.SESSIONS[name]
    if "--steps" not in opts:
        return None
    return max(int(s) for s in opts[opts.index("--steps") + 1].split(",")) - 1


def rebuilt(name: str, shipped_md: str) -> tuple[str, str]:
    """``solution.md`` and ``solution.tex`` of ``name`` as render writes them, built from the engine alone."""
    session = es.load_session(es.sessions_dir() / f"{name}.json")
    assert session.step == "last", "make.py renders the session's step; this test assumes the last one"
    dataset = es.make_dataset(session)
    steps = es.run(session, dataset, until=_steps_option(name))
    final = len(steps) - 1
    figures = {i: f"scatter-step{step_number(i):03d}.png" for i in solution.figure_indices(final)}
    tail = shipped_md.split(_FINALS, 1)[1] if _FINALS in shipped_md else ""
    finals = [(re.sub(r"\\(.)", r"\1", title), file) for title, file in re.findall(r"!\[([^\]]*)\]\(([^)]+)\)", tail)]
    doc = solution.build(session, steps, dataset, figures=figures, finals=finals)
    return solution.markdown(doc), solution.latex(doc)


def _unit(token: str) -> float:
    """One unit of the last printed digit of a number token ("0.4405" -> 1e-4, "1.998e+04" -> 10)."""
    m = re.fullmatch(r"[-+]?\d*\.?(\d*)(?:[eE]([-+]?\d+))?", token)
    return 10.0 ** (int(m.group(2) or 0) - len(m.group(1)))


def differences(shipped: str, fresh: str, limit: int = 5) -> list[str]:
    """Where ``shipped`` and ``fresh`` disagree: a line whose text around the numbers differs, or a number that
    differs by more than one unit of its last printed digit (or 1e-9, for values that are zero up to rounding)."""
    a_lines, b_lines = shipped.splitlines(), fresh.splitlines()
    out = [] if len(a_lines) == len(b_lines) else [f"{len(a_lines)} lines shipped, {len(b_lines)} now"]
    for no, (a, b) in enumerate(zip(a_lines, b_lines), start=1):
        if a == b:
            continue
        if _NUMBER.sub("#", a) != _NUMBER.sub("#", b):
            out.append(f"line {no}: text differs:\n  shipped: {a}\n  now:     {b}")
        else:
            for x, y in zip(_NUMBER.findall(a), _NUMBER.findall(b)):
                tol = 1.0001 * max(_unit(x), _unit(y))
                if not (abs(float(x) - float(y)) <= tol or math.isclose(float(x), float(y), abs_tol=1e-9)):
                    out.append(f"line {no}: {x} shipped, {y} now:\n  {b}")
                    break
        if len(out) >= limit:
            break
    return out


@pytest.mark.parametrize("name", SMALL)
def test_the_shipped_solution_states_what_the_engine_computes(name):
    folder = SOLUTIONS / name
    shipped_md = (folder / "solution.md").read_text(encoding="utf-8")
    shipped_tex = (folder / "solution.tex").read_text(encoding="utf-8")
    md, tex = rebuilt(name, shipped_md)
    stale = differences(shipped_md, md) + differences(shipped_tex, tex)
    assert not stale, (f"docs/solutions/{name} is stale (regenerate: python docs/solutions/make.py {name}):\n"
                       + "\n".join(stale))


@pytest.mark.parametrize("name", MNIST)
def test_the_shipped_mnist_solution_has_the_engines_objectives(name):
    shipped = (SOLUTIONS / name / "solution.md").read_text(encoding="utf-8")
    glance = shipped.split("## The run at a glance\n\n", 1)[1].split("\n\n", 1)[0].splitlines()[2:]
    session = es.load_session(es.sessions_dir() / f"{name}.json")
    steps = es.run(session, until=_steps_option(name))
    doc = {"steps": [{"index": step_number(i), "kind": s.kind, "objective": float(s.objective),
                      "description": s.description} for i, s in enumerate(steps)]}
    rows = ["| " + " | ".join(solution.md_text(c) for c in row) + " |" for row in solution.glance_rows(doc)]
    stale = differences("\n".join(glance), "\n".join(rows))
    assert len(rows) == 3 and not stale, (f"docs/solutions/{name} is stale (regenerate: python docs/solutions/make.py "
                                          f"{name}):\n" + "\n".join(stale))


def test_a_changed_answer_is_caught_and_a_rounded_last_digit_is_not():
    text = (SOLUTIONS / "ex3-kmeans" / "solution.md").read_text(encoding="utf-8")
    cell = "| J | 5 | **9.833** |"  # J after the first update, to 4 significant digits
    assert cell in text
    assert differences(text, text.replace(cell, "| J | 5 | **9.834** |")) == []  # one unit of the 4th digit
    assert differences(text, text.replace(cell, "| J | 5 | **9.835** |"))  # two units: an answer changed
    assert differences(text, text.replace(cell, "| J | 5 | **9.833** | x |"))  # the text changed
    assert differences(text, text.replace("| 9.833333 |", "| 9.833334 |")) == []
    assert differences(text, text.replace("| 9.833333 |", "| 9.833336 |"))


def test_every_exercise_has_its_folder_with_exactly_the_shipped_files():
    exercises = {p.stem for p in es.sessions_dir().glob("ex[0-9]*.json")}
    assert set(make.SESSIONS) == exercises
    folders = {p.name for p in SOLUTIONS.iterdir() if p.is_dir() and p.name != "__pycache__"}  # make.py's, imported above
    assert folders == exercises, "make.py leaves no other folder (a stopped run's temporary one included)"
    for name in exercises:
        folder = SOLUTIONS / name
        files = {p.name for p in folder.iterdir()}
        shown = set(make.figures_of(folder))
        assert shown and all(f.endswith(".png") for f in shown), name
        assert files - {"solution.pdf"} == {"solution.md", "solution.tex"} | shown, name
        assert ("solution.pdf" in files) == (name in make.PDF_SHIPPED), name


def test_the_readme_links_every_shipped_solution_and_pdf():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("### Worked solutions")
    section = readme[start:readme.index("\n## ", start)]
    linked = set(re.findall(r"\]\((docs/solutions/[\w.-]+/solution\.(?:md|pdf))\)", section))
    shipped = {p.relative_to(ROOT).as_posix() for p in SOLUTIONS.glob("*/solution.*") if p.suffix in (".md", ".pdf")}
    assert linked == shipped
    assert "python docs/solutions/make.py" in section
