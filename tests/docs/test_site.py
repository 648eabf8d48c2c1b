"""The built documentation site (scripts/test.sh, stage docs-site, builds it into .build/docs/html first).

Every plugin and role of the collection has a generated page, found from the files in plugins/ and roles/
(nothing lists them by hand), and every link on the pages made from the hand-written guides resolves:
the target page exists and so does the anchor. Run by `bash scripts/test.sh docs`, not by the main suite.
"""
from __future__ import annotations

import os
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
SITE = Path(os.environ.get("RDS_DOCS_SITE", ROOT / ".build" / "docs" / "html"))
REFERENCE = SITE / "collections" / "wtsadmin" / "rds"
# plugins/<directory> -> the page suffix antsibull-docs gives that plugin type. Directories holding code
# but no plugins of their own (action, module_utils, plugin_utils, doc_fragments) have no pages.
PAGE_TYPES = {"modules": "module", "inventory": "inventory", "filter": "filter", "test": "test",
              "lookup": "lookup", "callback": "callback", "connection": "connection"}
WITHOUT_PAGES = {"action", "module_utils", "plugin_utils", "doc_fragments"}


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(values["id"])
        if tag == "a" and values.get("href"):
            self.links.append(values["href"])


def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def _article_links(path: Path) -> list[str]:
    """The links of the page's own text (the theme's navigation around it is not the guide's)."""
    html = path.read_text(encoding="utf-8")
    start = html.index('itemprop="articleBody"')
    article = _Page()
    article.feed(html[start:html.index("<footer", start)])
    return article.links


def _documented_plugins() -> list[tuple[str, str]]:
    """(name, page type) of every plugin in plugins/; a filter or test file may document several."""
    found = []
    for directory in sorted(p for p in (ROOT / "plugins").iterdir() if p.is_dir()):
        if directory.name in WITHOUT_PAGES:
            continue
        assert directory.name in PAGE_TYPES, f"plugins/{directory.name}: unknown plugin type, teach PAGE_TYPES"
        kind = PAGE_TYPES[directory.name]
        sources = [src for src in sorted(directory.glob("*.py")) if not src.name.startswith("_")]
        if kind in ("filter", "test"):
            # A filter or test is documented in a .yml of its name, or in the DOCUMENTATION of a .py of its
            # name; a .py without DOCUMENTATION may hold several plugins documented by .yml files.
            names = {doc.stem for doc in [*directory.glob("*.yml"), *directory.glob("*.yaml")]}
            names |= {src.stem for src in sources if "DOCUMENTATION" in src.read_text(encoding="utf-8")}
            found += [(name, kind) for name in sorted(names)]
        else:
            found += [(src.stem, kind) for src in sources]
    return found


def _roles() -> list[str]:
    return sorted(p.parent.parent.name for p in (ROOT / "roles").glob("*/meta/argument_specs.yml"))


def _guide_pages() -> list[Path]:
    sources = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), *sorted((ROOT / "roles").glob("*/README.md"))]
    return [SITE / src.relative_to(ROOT).with_suffix(".html") for src in sources]


def test_the_site_was_built() -> None:
    assert (SITE / "index.html").is_file(), f"no site at {SITE}: run bash scripts/test.sh docs"


@pytest.mark.parametrize(("name", "kind"), _documented_plugins(), ids=str)
def test_every_plugin_has_a_generated_page(name: str, kind: str) -> None:
    page = REFERENCE / f"{name}_{kind}.html"
    assert page.is_file(), f"no page for the {kind} plugin {name} ({page})"
    assert f"wtsadmin.rds.{name}" in page.read_text(encoding="utf-8")


@pytest.mark.parametrize("role", _roles())
def test_every_role_with_an_argument_spec_has_a_generated_page(role: str) -> None:
    assert (REFERENCE / f"{role}_role.html").is_file()


@pytest.mark.parametrize("page", _guide_pages(), ids=lambda p: str(p.relative_to(SITE)))
def test_every_link_of_a_guide_resolves(page: Path) -> None:
    assert page.is_file(), f"the guide {page.relative_to(SITE)} is not in the site"
    broken = []
    for href in _article_links(page):
        parts = urlsplit(href)
        if parts.scheme or parts.netloc:
            continue  # the outside world: not checked offline
        target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
        if not target.is_file():
            broken.append(f"{href}: no {target}")
        elif parts.fragment and target.suffix == ".html" and unquote(parts.fragment) not in _parse(target).ids:
            broken.append(f"{href}: no anchor #{parts.fragment} in {target.relative_to(SITE)}")
    assert not broken, f"{page.relative_to(SITE)}:\n" + "\n".join(broken)


def test_the_guides_link_to_the_generated_module_pages() -> None:
    """The guides reach the reference through its generated pages (not through hand-written copies)."""
    linked = set()
    for page in _guide_pages():
        for href in _article_links(page):
            target = (page.parent / unquote(urlsplit(href).path)).resolve()
            if target.parent == REFERENCE.resolve() and target.name.endswith("_module.html"):
                linked.add(target.name)
    modules = {f"{name}_module.html" for name, kind in _documented_plugins() if kind == "module"}
    assert linked, "no guide links to a module page"
    assert linked <= modules
