"""The query catalogue's headers: checked against queries/header.schema.json when a query is read.

A good header loads and its query runs; each kind of bad header is refused with one line that names the
file and the problem (``file: header: <json path>: <what is wrong>``).
"""

from __future__ import annotations

from pathlib import Path

import jsonschema
import pytest

import ppkg
from ppkg.errors import CatalogueError
from ppkg.query.catalogue import PARAM_TYPES, Catalogue, header_schema, load_query, query_variables
from ppkg.query.names import ENTITY_KINDS
from ppkg.query.params import _SCALARS

GOOD = """\
#+ title: Programs in a state
#+ summary: Programs that operate in a state, by name.
#+ params:
#+   - name: state
#+     type: state
#+     default: Iowa
#+     description: A state, by code or name.
#+ tags: [programs]
#+ cq: [CQ6]
# The programs of one state.
SELECT ?program ?programLabel ?state WHERE {
  ?program a ppkg:Program ; rdfs:label ?programLabel ; ppkg:state ?state .
}
ORDER BY ?programLabel
"""


def write(tmp_path: Path, text: str, name: str = "programs-in-a-state.rq") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def refused(tmp_path: Path, text: str, name: str = "programs-in-a-state.rq") -> str:
    path = write(tmp_path, text, name)
    with pytest.raises(CatalogueError) as caught:
        load_query(path)
    message = str(caught.value)
    assert message.startswith(f"{path}:"), message
    assert "\n" not in message
    assert caught.value.exit_code == 2
    return message


def test_a_good_header_loads_and_its_query_runs(tmp_path: Path, kg: ppkg.KnowledgeGraph) -> None:
    write(tmp_path, GOOD)
    spec = Catalogue(tmp_path).get("programs-in-a-state")
    assert (spec.title, spec.tags, spec.cq) == ("Programs in a state", ("programs",), ("CQ6",))
    assert [(p.name, p.type, p.default) for p in spec.params] == [("state", "state", "Iowa")]
    result = kg.query(spec.text, **kg.bind(spec, {"state": "IA"}))
    assert [row.programLabel for row in result] == ["Iowa Parent Partner Approach"]


def test_every_shipped_query_passes_the_checks() -> None:
    catalogue = Catalogue(check=True)
    assert len(list(catalogue)) == len(catalogue) >= 18


def test_the_schema_is_a_valid_json_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(header_schema())


def test_param_types_are_the_schema_enum_and_each_one_is_resolvable() -> None:
    enum = header_schema()["properties"]["params"]["items"]["properties"]["type"]["enum"]
    assert PARAM_TYPES == tuple(enum)
    assert set(PARAM_TYPES) == set(ENTITY_KINDS) | set(_SCALARS)  # a thing's kind, or a scalar


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        ("#+ title: Programs in a state\n", "", "header: $: 'title' is a required property"),
        (
            "#+ summary: Programs that operate in a state, by name.\n",
            "#+ summary: short\n",
            "header: $.summary: 'short' is too short",
        ),
        ("#+ tags: [programs]\n", "#+ tags: [programs]\n#+ colour: blue\n", "header: $: Additional properties"),
        ("#+ cq: [CQ6]\n", "#+ cq: [not-a-cq]\n", "header: $.cq[0]: 'not-a-cq' does not match '^CQ[0-9]+$'"),
        ("#+ cq: [CQ6]\n", "#+ cq: CQ6\n", "header: $.cq: 'CQ6' is not of type 'array'"),
        ("#+ tags: [programs]\n", "#+ tags: []\n", "header: $.tags: [] should be non-empty"),
        ("type: state\n", "type: county\n", "header: $.params[0].type: 'county' is not one of ['topic'"),
        ("default: Iowa\n", "default: 2024-01-01\n", "header: $.params[0].default:"),
        ("#+     description: A state, by code or name.\n", "", "header: $.params[0]: 'description' is a required"),
        ("name: state\n", "name: State\n", "header: $.params[0].name: 'State' does not match"),
        ("#+ params:\n", "#+ params:\n#+   - name: state\n#+     colour: blue\n", "header: $.params[0]:"),
    ],
    ids=[
        "missing-title",
        "short-summary",
        "unknown-key",
        "bad-cq",
        "cq-not-a-list",
        "no-tags",
        "unknown-param-type",
        "default-is-a-date",
        "param-without-description",
        "param-name-not-snake-case",
        "unknown-param-key",
    ],
)
def test_a_header_that_breaks_the_schema_is_refused(tmp_path: Path, old: str, new: str, problem: str) -> None:
    assert old in GOOD
    assert problem in refused(tmp_path, GOOD.replace(old, new, 1))


def test_a_param_that_is_not_a_variable_is_refused(tmp_path: Path) -> None:
    text = GOOD.replace("ppkg:state ?state", "ppkg:state ?where").replace("?state WHERE", "?where WHERE")
    message = refused(tmp_path, text)
    assert "header: $.params[0].name: 'state' is not a variable of the query" in message


def test_a_param_named_only_in_a_comment_is_refused(tmp_path: Path) -> None:
    text = GOOD.replace("ppkg:state ?state", "ppkg:state ?where").replace("?state WHERE", "?where WHERE")
    text = text.replace("# The programs of one state.", "# The programs of one ?state.")
    assert "?state" in text
    assert "'state' is not a variable of the query" in refused(tmp_path, text)


def test_a_param_named_only_in_a_string_is_refused(tmp_path: Path) -> None:
    text = GOOD.replace("ppkg:state ?state", 'ppkg:state ?where . FILTER(?where != "?state")')
    text = text.replace("?state WHERE", "?where WHERE")
    assert "'state' is not a variable of the query" in refused(tmp_path, text)


def test_variables_come_from_the_parsed_query(tmp_path: Path) -> None:
    text = '# ?commented\nSELECT $a WHERE { ?a <urn:p> "?quoted" . FILTER(?b > 1) BIND(1 AS ?c) VALUES ?d { 1 } }'
    assert query_variables(text, tmp_path / "q.rq") == {"a", "b", "c", "d"}


def test_duplicate_params_are_refused(tmp_path: Path) -> None:
    twice = "#+ params:\n#+   - name: state\n#+     type: state\n#+     description: A state, by code.\n"
    message = refused(tmp_path, GOOD.replace("#+ params:\n", twice, 1))
    assert "header: $.params: 'state' is declared twice" in message


@pytest.mark.parametrize("name", ["Programs_In_State.rq", "programs--in-state.rq", "-programs.rq"])
def test_a_file_name_that_is_not_a_slug_is_refused(tmp_path: Path, name: str) -> None:
    assert "query file names must be lowercase-hyphenated slugs" in refused(tmp_path, GOOD, name)


def test_a_yaml_syntax_error_is_refused_with_its_line(tmp_path: Path) -> None:
    message = refused(tmp_path, GOOD.replace("#+ tags: [programs]", "#+ tags: [programs"))
    path = tmp_path / "programs-in-a-state.rq"
    assert message == (
        f"{path}:9: header: not valid YAML: while parsing a flow sequence that starts on line 8: "
        "did not find expected ',' or ']'"
    )


def test_a_header_that_is_not_a_mapping_is_refused(tmp_path: Path) -> None:
    message = refused(tmp_path, "#+ - just a list\nSELECT * WHERE { ?s ?p ?o }\n")
    assert "header: the '#+' lines must form a YAML mapping" in message


def test_a_file_without_a_header_is_refused(tmp_path: Path) -> None:
    assert "no '#+' header" in refused(tmp_path, "SELECT * WHERE { ?s ?p ?o }\n")


def test_a_query_that_does_not_parse_is_refused(tmp_path: Path) -> None:
    message = refused(tmp_path, GOOD.replace("ORDER BY ?programLabel", "ORDER BY BY ?programLabel"))
    assert ": not valid SPARQL:" in message


def test_an_unreadable_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "latin-1.rq"
    path.write_bytes(GOOD.replace("state, by", "\xe9tat, by").encode("latin-1"))
    with pytest.raises(CatalogueError, match=r"latin-1\.rq: cannot read"):
        load_query(path)


def test_the_catalogue_reports_a_bad_query_when_it_is_asked_for(tmp_path: Path) -> None:
    write(tmp_path, GOOD)
    write(tmp_path, GOOD.replace("#+ cq: [CQ6]", "#+ cq: [not-a-cq]"), "broken.rq")
    catalogue = Catalogue(tmp_path)
    assert catalogue.names == ["broken", "programs-in-a-state"]
    assert catalogue.get("programs-in-a-state").title == "Programs in a state"
    with pytest.raises(CatalogueError, match=r"broken\.rq: header: \$\.cq\[0\]: 'not-a-cq' does not match"):
        catalogue.get("broken")
