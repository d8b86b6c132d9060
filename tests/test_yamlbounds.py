"""YAML bounds: size, aliases, nesting — checked on parser events, before anything expands."""

from jmtools.core import yamlbounds as Y


def test_plain_documents_pass():
    assert Y.yaml_bounds_problem("name: x\nstages: [{name: A}, {name: B}]\n") is None
    assert Y.yaml_bounds_problem("a: &x {k: 1}\nb: *x\nc: *x\n") is None


def test_syntax_errors_are_left_to_the_loader():
    assert Y.yaml_bounds_problem("a: [1, 2\n") is None


def test_size_cap(monkeypatch):
    monkeypatch.setattr(Y, "MAX_YAML_BYTES", 10)
    problem = Y.yaml_bounds_problem("a: 12345678901\n", "f.yaml")
    assert "larger than 10 bytes" in problem.message and problem.source == "f.yaml"


def test_expansion_is_located_and_short():
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [{', '.join(['*' + p] * 10)}]\n" for p, c in zip("abcdef", "bcdefg"))
    problem = Y.yaml_bounds_problem(bomb, "bomb.yaml")
    assert problem.line is not None and len(str(problem.message)) < 200


def test_short():
    assert Y.short("abc") == "abc" and len(Y.short("x" * 1000)) == Y.MAX_ECHO_CHARS + 1
