"""Every YAML file under deploy/ parses (all its documents) with no key given twice, which
YAML parsers otherwise accept by keeping the last. Helm templates are Go templates, not YAML,
and are checked by rendering them (test_helm_chart.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


class StrictLoader(yaml.SafeLoader):
    """The safe loader, refusing a mapping that names a key twice."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        keys = [self.construct_object(key, deep=deep) for key, _ in node.value]
        repeated = {key for key in keys if keys.count(key) > 1}
        if repeated:
            raise yaml.constructor.ConstructorError(
                None, None, f"keys given twice: {sorted(map(str, repeated))}", node.start_mark
            )
        return super().construct_mapping(node, deep=deep)


def yaml_files() -> list[Path]:
    return sorted(
        path
        for pattern in ("*.yaml", "*.yml")
        for path in DEPLOY.rglob(pattern)
        if not (path.parent.name == "templates" and "helm" in path.parts)
    )


def test_the_deploy_folder_has_yaml_files():
    names = {path.relative_to(DEPLOY).as_posix() for path in yaml_files()}
    assert {"compose.yaml", "helm/asia-beacon/Chart.yaml", "helm/asia-beacon/values.yaml"} <= names


@pytest.mark.parametrize("path", yaml_files(), ids=lambda path: path.relative_to(DEPLOY).as_posix())
def test_yaml_file_parses(path):
    documents = list(yaml.load_all(path.read_text(), Loader=StrictLoader))
    assert documents and all(document is not None for document in documents)


def test_a_key_given_twice_is_refused():
    with pytest.raises(yaml.constructor.ConstructorError, match="keys given twice"):
        yaml.load("a: 1\nb: 2\na: 3\n", Loader=StrictLoader)
