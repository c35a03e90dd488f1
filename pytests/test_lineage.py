"""Data flows one way: raw -> staging -> intermediate -> marts (DESIGN.md §13).

Checked on the manifest of the build the suite runs: every edge between models goes from a
layer to the same or a later one, only the raw layer reads sources, no intermediate model
reads a mart, and no mart reads the raw layer or a source (marts read staging, intermediate
models, other marts and seeds).
"""

from __future__ import annotations

import json

from conftest import Warehouse

# a model's layer is its folder under models/
LAYERS = ("raw", "staging", "intermediate", "marts")
SOURCE = "source"


def layer_of(node: dict) -> str:
    parts = node["original_file_path"].split("/")
    if parts[0] != "models" or len(parts) < 3 or parts[1] not in LAYERS:
        raise AssertionError(f"{node['unique_id']} ({node['original_file_path']}) is in no layer folder "
                             f"(models/{{{','.join(LAYERS)}}}/)")
    return parts[1]


def edges_against_the_flow(manifest: dict) -> list[str]:
    """Each model -> parent edge that breaks the one-way rule, as 'child (layer) reads parent (layer): why'."""
    nodes = manifest["nodes"]
    rank = {layer: i for i, layer in enumerate(LAYERS)}
    bad = []
    for child in nodes.values():
        if child["resource_type"] != "model":
            continue
        child_layer = layer_of(child)
        for parent_id in child["depends_on"]["nodes"]:
            kind = parent_id.split(".", 1)[0]
            if kind == "source":
                parent_layer = SOURCE
            elif kind == "model":
                parent_layer = layer_of(nodes[parent_id])
            else:  # seeds (reference data) may be read by any layer
                continue
            edge = f"{child['unique_id']} ({child_layer}) reads {parent_id} ({parent_layer})"
            if parent_layer == SOURCE and child_layer != "raw":
                bad.append(f"{edge}: only the raw layer reads sources")
            elif child_layer == "marts" and parent_layer == "raw":
                bad.append(f"{edge}: a mart reads staging or intermediate models, never the raw layer")
            elif parent_layer != SOURCE and rank[parent_layer] > rank[child_layer]:
                bad.append(f"{edge}: data flows raw -> staging -> intermediate -> marts, not back")
    return sorted(bad)


def test_data_flows_one_way(warehouse: Warehouse) -> None:
    manifest = json.loads((warehouse.target / "manifest.json").read_text())
    models = [n for n in manifest["nodes"].values() if n["resource_type"] == "model"]
    assert {layer_of(n) for n in models} == set(LAYERS)
    bad = edges_against_the_flow(manifest)
    assert not bad, "edges against the one-way flow:\n  " + "\n  ".join(bad)


def test_the_check_names_each_edge_against_the_flow() -> None:
    """The check itself, on a hand-made manifest holding each kind of wrong edge (and right ones)."""
    def model(name: str, layer: str, *parents: str) -> tuple[str, dict]:
        uid = f"model.p.{name}"
        return uid, {"unique_id": uid, "resource_type": "model", "original_file_path": f"models/{layer}/x/{name}.sql",
                     "depends_on": {"nodes": list(parents)}}

    manifest = {"nodes": dict([
        model("raw_a", "raw", "source.p.export.a"),
        model("stg_a", "staging", "model.p.raw_a"),
        model("int_a", "intermediate", "model.p.stg_a", "model.p.raw_a", "seed.p.targets"),
        model("mart_a", "marts", "model.p.int_a", "model.p.stg_a", "seed.p.targets"),
        model("mart_b", "marts", "model.p.mart_a"),
        # wrong
        model("int_b", "intermediate", "model.p.mart_a"),
        model("mart_c", "marts", "model.p.raw_a", "source.p.export.a"),
        model("stg_b", "staging", "model.p.int_a"),
    ])}
    assert edges_against_the_flow(manifest) == [
        "model.p.int_b (intermediate) reads model.p.mart_a (marts): data flows raw -> staging -> intermediate -> "
        "marts, not back",
        "model.p.mart_c (marts) reads model.p.raw_a (raw): a mart reads staging or intermediate models, never the "
        "raw layer",
        "model.p.mart_c (marts) reads source.p.export.a (source): only the raw layer reads sources",
        "model.p.stg_b (staging) reads model.p.int_a (intermediate): data flows raw -> staging -> intermediate -> "
        "marts, not back",
    ]
