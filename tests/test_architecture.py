"""The shape of the code: core never imports the CLI or Streamlit, its import graph has no cycle, every
CLI command module imports, pages stay thin, ruff is clean, and batch equals single for every model."""
from __future__ import annotations

import ast
import importlib
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parent.parent
CORE = REPO / "core"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set[str]:
    """Every module a file imports, anywhere in it (function-level imports count too), resolved to names."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - node.level + 1]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            out.add(mod)
            out |= {f"{mod}.{a.name}" for a in node.names}  # `from . import keco` imports a module
    return out


def core_graph() -> dict[str, set[str]]:
    files = {module_name(p): p for p in CORE.rglob("*.py")}
    graph = {}
    for name, path in files.items():
        graph[name] = {m for m in imports_of(path) if m in files and m != name}
    return graph


def test_core_never_imports_the_cli_or_streamlit():
    offenders = []
    for path in CORE.rglob("*.py"):
        name = module_name(path)
        if name.startswith("core.cli") or name == "core.__main__":
            continue
        bad = {m for m in imports_of(path) if m.startswith(("core.cli", "streamlit", "ui"))}
        if bad:
            offenders.append((name, sorted(bad)))
    assert not offenders, offenders


def assert_acyclic(graph: dict[str, set[str]]) -> None:
    # a package's __init__ importing its own submodules is how packages re-export; that edge is not a cycle
    edges = {a: {b for b in bs if not b.startswith(a + ".")} for a, bs in graph.items()}
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(edges[node]):
            if state.get(nxt) == 1:
                raise AssertionError("import cycle: " + " → ".join(path[path.index(nxt):] + [nxt]))
            if nxt not in state:
                visit(nxt)
        path.pop()
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node)


def test_core_import_graph_has_no_cycle():
    assert_acyclic(core_graph())


def test_cycle_detector_sees_a_cycle():
    with pytest.raises(AssertionError, match="cycle"):
        assert_acyclic({"core.a": {"core.b"}, "core.b": {"core.c"}, "core.c": {"core.a"}})


@pytest.mark.parametrize("command", __import__("core.cli", fromlist=["COMMANDS"]).COMMANDS)
def test_every_cli_command_module_imports_and_registers(command):
    import argparse

    module = importlib.import_module(f"core.cli.{command}")
    sub = argparse.ArgumentParser().add_subparsers()
    module.register(sub)
    assert sub.choices, command


def test_cli_runs_once_under_python_m():
    out = subprocess.run([sys.executable, "-m", "core", "--help"], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and "train-wbert" in out.stdout and "evaluate" in out.stdout


def test_pages_are_thin():
    long = {p.name: n for p in (REPO / "pages").glob("*.py") if (n := len(p.read_text(encoding="utf-8").splitlines())) >= 150}
    assert not long, long


@pytest.mark.skipif(shutil.which("ruff") is None and not (Path(sys.executable).parent / "ruff").exists(), reason="ruff 없음")
def test_ruff_is_clean():
    ruff = shutil.which("ruff") or str(Path(sys.executable).parent / "ruff")
    out = subprocess.run([ruff, "check", "."], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stdout[-3000:]


# ---------------------------------------------------------------- one ranking path
@pytest.mark.parametrize("model_name", ["tfidf", "sbert", "hybrid"])
@pytest.mark.parametrize("direction", ["posting->posting", "seeker->posting", "posting->seeker"])
def test_batch_equals_single_query_for_every_model(engine, model_name, direction):
    from core.filters import FilterSettings
    from core.models.batch import batch_recommend

    model = engine.model(model_name)
    source, target = direction.split("->")
    pool = sorted((engine.corpus.postings if source == "posting" else engine.corpus.seekers).values(), key=lambda r: r.id)
    queries = pool[::7][:60]
    f = FilterSettings(capital_km=30, other_km=60)
    batch = batch_recommend(model, queries, target, k=10, filters=f)
    table = engine.corpus.tables[target]
    compared = 0
    for q in queries:
        single = model.recommend(q, k=10, filters=f, target=target, explain=False)
        assert [table.ids[r] for r in batch.rows[q.id]] == [r.item_id for r in single.items], q.id
        assert np.allclose(batch.scores[q.id], [r.score for r in single.items])
        compared += len(single.items)
    assert compared > 100


def test_tied_scores_break_by_row_in_every_path():
    from core.models.base import top_k

    rows = np.array([9, 3, 7, 1, 5])
    scores = np.array([0.5, 0.9, 0.5, 0.5, -np.inf])
    top_rows, top_scores = top_k(scores, rows, 3)
    assert top_rows.tolist() == [3, 1, 7] and top_scores.tolist() == [0.9, 0.5, 0.5]


def test_server_listens_on_localhost_by_default():
    import tomllib

    config = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["address"] == "127.0.0.1"


# ---------------------------------------------------------------- explicit configuration, SQL in one place (#24)
SETTINGS_READ = re.compile(r"\bsettings\(\)|import settings\b|\bSettings\(\)")
SQL = re.compile(r"\b(SELECT\s|INSERT\s|UPDATE\s+\w+\s+SET|DELETE\s+FROM|CREATE\s+(TABLE|INDEX)|PRAGMA\s)")


def _lines(paths, pattern: re.Pattern) -> list[str]:
    return [f"{p.relative_to(REPO)}:{i}: {line.strip()}" for p in paths
            for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), start=1) if pattern.search(line)]


def test_models_and_data_never_read_the_settings():
    """Models, corpus and data take their parameters in __init__ (core.models.registry.ModelParams) and their
    folders from core.locations; only the edges (CLI, app, bench, test fixtures) read the settings."""
    paths = [*(CORE / "models").rglob("*.py"), *(CORE / "data").rglob("*.py")]
    assert not _lines(paths, SETTINGS_READ)


def test_no_cache_is_keyed_on_nothing_but_reads_a_setting_or_a_folder():
    """An lru_cache over a function without parameters freezes whatever it read first (the folder of the first
    test, the first JOBLENS_SHARED); caches are keyed by the path or parameters they depend on instead."""
    offenders = []
    for path in CORE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef) and any("lru_cache" in ast.unparse(d) for d in node.decorator_list):
                body = ast.unparse(node)
                if not node.args.args and any(word in body for word in ("settings", "here()", "environ")):
                    offenders.append(f"{path.relative_to(REPO)}:{node.lineno} {node.name}")
    assert not offenders, offenders


# wt-24a moves the stored lists' schema and queries into Store (#24 item 1); drop these once that is merged
SQL_PENDING: set[str] = set()  # files still waiting to move their SQL into the store (none since #24)


def test_sql_lives_only_in_the_store():
    """No sqlite3 and no SQL string anywhere in core, ui, pages or app.py but core/data/store.py (checked on string
    literals, so a name like LEGEND_SELECTED is not SQL)."""
    found: dict[str, list[str]] = {}
    for path in [*CORE.rglob("*.py"), *(REPO / "ui").rglob("*.py"), *(REPO / "pages").rglob("*.py"), REPO / "app.py"]:
        rel = str(path.relative_to(REPO))
        if rel == "core/data/store.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL.search(node.value):
                found.setdefault(rel, []).append(f"{node.lineno}: {node.value[:60]}")
        if any(m == "sqlite3" or m.startswith("sqlite3.") for m in imports_of(path)):
            found.setdefault(rel, []).append("import sqlite3")
    assert not {k: v for k, v in found.items() if k not in SQL_PENDING}, found
    assert not SQL_PENDING - set(found), f"no SQL left in {SQL_PENDING - set(found)}: take it off SQL_PENDING"


def test_the_sql_check_sees_sql():
    """The two checks above would fail on what they forbid (a guard against a pattern that matches nothing)."""
    assert SETTINGS_READ.search("x = settings().data_dir") and SETTINGS_READ.search("from ..settings import settings")
    assert not SETTINGS_READ.search("filters = filters or FilterSettings()")
    assert SQL.search("SELECT 1 FROM postings") and SQL.search("UPDATE t SET a=1") and not SQL.search("LEGEND_SELECTED")


def test_model_parameters_default_to_the_settings_defaults():
    """A model, corpus or engine built without parameters computes what the app computes with no settings."""
    import inspect

    from core.models.base import Recommender
    from core.models.corpus import Corpus
    from core.models.registry import ModelParams
    from core.settings import Settings

    defaults = {name: field.default for name, field in Settings.model_fields.items()}
    params = ModelParams()
    assert all(getattr(params, name) == defaults[name] for name in params.__dataclass_fields__)
    base = {k: p.default for k, p in inspect.signature(Recommender.__init__).parameters.items() if k != "self"}
    assert base == params.vectors()
    corpus = {k: p.default for k, p in inspect.signature(Corpus.__init__).parameters.items()
              if k in ("enrich", "short_posting_chars")}
    assert corpus == params.corpus()


def test_every_model_is_built_with_the_parameters_it_is_given():
    """The parameters reach every model the registry builds (what bench_quality tunes is what is measured)."""
    from core.models.registry import ModelParams, make_model

    params = ModelParams(enrich_weight=0.5, query_prompt_posting="query", max_tokens_text=64, hybrid_k_rrf=60,
                         hybrid_tfidf_weight=2.0)
    hybrid = make_model("hybrid", params=params)
    assert (hybrid.k_rrf, hybrid.weights) == (60, [2.0, 1.0])
    for model in [*hybrid.parts, make_model("use", params=params)]:
        assert (model.enrich_weight, model.query_kinds["posting"], model.max_tokens["text"]) == (0.5, "query", 64)


FOLDER_BUILT = re.compile(r"""(data_dir|data)\s*/\s*["'](reports|models|index)["']""")


def test_every_folder_is_asked_of_locations():
    """The reports, models and index folders are `Locations` properties; a module that builds one from the data
    folder itself can point elsewhere than the rest of JobLens when a folder is configured (as the audit page once
    read its reports from the settings while the app's store came from locations)."""
    paths = [*CORE.rglob("*.py"), *(REPO / "ui").rglob("*.py"), *(REPO / "pages").rglob("*.py"), REPO / "app.py",
             *(REPO / "bench").glob("*.py")]
    assert not [line for line in _lines(paths, FOLDER_BUILT) if not line.startswith("core/locations.py")]
    assert FOLDER_BUILT.search('out = here().data_dir / "reports"') and not FOLDER_BUILT.search("here().reports_dir")
