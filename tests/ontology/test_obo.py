"""Our OBO reader on a tiny file: names, is_a (not other relations), obsoletion, escapes."""

from __future__ import annotations

from pathlib import Path

import pytest

from loaders.errors import LoadError
from loaders.ontology import parse_obo, read_obo

DATA = Path(__file__).resolve().parents[1] / "data" / "ontology"


@pytest.fixture(scope="module")
def tiny():
    return read_obo(DATA / "tiny.obo")


def test_header_versions_are_kept(tiny):
    assert tiny.data_version == "tiny/releases/2026-01-01"
    assert tiny.ontology == "tiny"


def test_terms_have_names_and_only_is_a_parents(tiny):
    heart = tiny.terms["TINY:0000003"]
    assert heart.name == "heart"
    assert heart.parents == ["TINY:0000002", "OTHER:0000009"]  # modifiers and comments dropped
    assert tiny.terms["TINY:0000001"].parents == []


def test_escapes_are_resolved_and_trailing_comments_dropped(tiny):
    assert tiny.terms["TINY:0000002"].name == "organ ! system"


def test_obsolete_terms_are_marked_with_their_replacement(tiny):
    obsolete = tiny.terms["TINY:0000005"]
    assert obsolete.obsolete and obsolete.replaced_by == ["TINY:0000003"]
    assert not tiny.terms["TINY:0000003"].obsolete


def test_typedef_stanzas_are_not_terms(tiny):
    assert "part_of" not in tiny.terms
    assert tiny.terms["TINY:0000001"].parents == []  # the Typedef's is_a went nowhere


def test_a_repeated_id_merges_its_stanzas():
    document = parse_obo(
        iter(["[Term]", "id: T:1", "name: one", "", "[Term]", "id: T:1", "is_a: T:0"])
    )
    assert document.terms["T:1"].name == "one"
    assert document.terms["T:1"].parents == ["T:0"]


def test_a_line_without_a_tag_names_file_and_line():
    with pytest.raises(LoadError) as raised:
        read_obo(DATA / "faulty" / "no_tag.obo")
    assert str(raised.value).endswith(
        "no_tag.obo:6: expected 'tag: value', got 'this line has no tag'"
    )


def test_a_missing_file_is_a_load_error(tmp_path):
    with pytest.raises(LoadError, match="cannot read the file"):
        read_obo(tmp_path / "absent.obo")


def test_gzipped_files_are_read(tmp_path):
    import gzip

    path = tmp_path / "tiny.obo.gz"
    path.write_bytes(gzip.compress((DATA / "tiny.obo").read_bytes()))
    assert read_obo(path).terms.keys() == read_obo(DATA / "tiny.obo").terms.keys()
