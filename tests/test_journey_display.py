"""How Jupyter shows a journey: the registered hook, its lazy import, and the text fallback."""

from __future__ import annotations

import pytest

from jmtools.core.errors import ParameterError
from jmtools.journey import Journey
from jmtools.journey.display import DEFAULT_DISPLAY, display_bundle, set_display_hook

TEXT = ("name: Demo\npersonas: [{name: Ben}, {name: Maya}]\nstages: [{name: Browse}, {name: Buy}]\n"
        "touchpoints: [{name: Shop, stage: Browse, channel: digital}]\n")


@pytest.fixture
def journey() -> Journey:
    return Journey.from_yaml(TEXT)


@pytest.fixture(autouse=True)
def default_hook_afterwards():
    yield
    set_display_hook(None)


def test_the_default_hook_is_the_journey_map_chart():
    assert DEFAULT_DISPLAY == "jmtools.charts.journeymap:journey_mimebundle"
    assert set_display_hook(None) == DEFAULT_DISPLAY


def test_a_registered_callable_draws_the_journey(journey):
    seen = []

    def fake(j):
        seen.append(j)
        return {"image/svg+xml": "<svg/>", "text/plain": f"map of {j.name}"}

    set_display_hook(fake)
    assert journey._repr_mimebundle_() == {"image/svg+xml": "<svg/>", "text/plain": "map of Demo"}
    assert display_bundle(journey) == journey._repr_mimebundle_()
    assert seen == [journey, journey, journey]


def test_set_display_hook_returns_the_previous_hook_and_none_restores_the_default():
    def fake(j):
        return {}

    assert set_display_hook(fake) == DEFAULT_DISPLAY
    assert set_display_hook("some.module:draw") is fake
    assert set_display_hook(None) == "some.module:draw"
    assert set_display_hook(None) == DEFAULT_DISPLAY


def test_a_named_hook_is_imported_when_a_journey_is_shown(journey, tmp_path, monkeypatch):
    set_display_hook("fake_journey_map:bundle")  # the module does not exist yet
    (tmp_path / "fake_journey_map.py").write_text(
        "def bundle(journey):\n    return {'text/plain': 'drawn: ' + ', '.join(journey.stage_names)}\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert display_bundle(journey) == {"text/plain": "drawn: Browse, Buy"}


@pytest.mark.parametrize("hook", ["no_such_module_for_jmtools:draw", "json:no_such_function"])
def test_a_hook_that_cannot_be_imported_falls_back_to_text(journey, hook):
    set_display_hook(hook)
    bundle = journey._repr_mimebundle_()
    assert sorted(bundle) == ["text/markdown", "text/plain"]
    assert bundle["text/markdown"].startswith(
        "**Demo** (journey)\n\n- stages: Browse → Buy\n- personas: Ben, Maya\n")
    assert "The map could not be drawn" in bundle["text/markdown"]
    assert bundle["text/plain"].startswith("<Journey Demo: 2 stages, 1 touchpoints, 2 personas>\n"
                                           "(the map could not be drawn: ")


def test_the_fallback_says_when_there_are_no_personas():
    set_display_hook("no_such_module_for_jmtools:draw")
    bundle = display_bundle(Journey.from_yaml("name: Solo\nstages: [{name: A}]\n"))
    assert "- stages: A\n- personas: none\n" in bundle["text/markdown"]


def test_an_error_inside_the_hook_is_not_hidden(journey):
    def broken(j):
        raise RuntimeError("the chart failed")

    set_display_hook(broken)
    with pytest.raises(RuntimeError, match="the chart failed"):
        display_bundle(journey)


@pytest.mark.parametrize("hook", ["jmtools.charts.journeymap", "module:", ":function", 42])
def test_a_hook_that_is_neither_callable_nor_module_colon_function_is_refused(hook):
    with pytest.raises(ParameterError, match="'module:function'"):
        set_display_hook(hook)
    assert set_display_hook(None) == DEFAULT_DISPLAY  # the refused hook was not kept
