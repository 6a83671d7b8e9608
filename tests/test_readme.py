"""The README states what the code does: its algorithm list is the registry's, its layout names real folders."""
import pathlib
import re

from engine.core.registry import markdown_table

ROOT = pathlib.Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_readme_lists_exactly_the_registered_algorithms():
    m = re.search(r"<!-- algorithms:start[^>]*-->\n(.*?)\n<!-- algorithms:end -->", README, flags=re.S)
    assert m is not None, "the README lost its algorithm table markers"
    assert m.group(1).strip() == markdown_table().strip(), \
        "regenerate the table with: python -c 'from engine.core.registry import markdown_table; print(markdown_table())'"


def test_every_package_of_the_layout_is_in_the_readme_and_exists():
    layout = README[README.index("## Layout"):README.index("## Adding an algorithm")]
    named = set(re.findall(r"`((?:engine|gui)/[\w/<>]+)/`", layout))
    assert named, "the Layout table names no folders"
    for folder in named:
        if "<name>" not in folder:
            assert (ROOT / folder / "__init__.py").is_file(), folder
    packages = {p.parent.relative_to(ROOT).as_posix() for p in ROOT.glob("*/*/__init__.py")
                if p.parts[-3] in ("engine", "gui")}
    missing = [p for p in packages if p not in named and not p.startswith("gui/algorithms/")]
    assert not missing, f"packages missing from the README's Layout: {missing}"
