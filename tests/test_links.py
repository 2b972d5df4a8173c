from core.views.links import ViewState, from_params, to_params


def test_view_state_round_trips_through_the_url():
    state = ViewState(posting="demo:K1", model="hybrid", analyser="kiwi", k=7, distance=False, capital_km=30.0,
                      education=False)
    assert from_params(to_params(state)) == state


def test_malformed_link_falls_back_to_defaults():
    state = from_params({"k": "many", "model": "gpt", "ckm": "-5", "dist": "0"})
    assert state.k == ViewState().k and state.model == ViewState().model
    assert state.capital_km == 1.0 and state.distance is False  # clamped, not crashed


def test_link_values_are_clamped_to_what_the_widgets_accept():
    from core.views.links import BOUNDS

    state = from_params({"ckm": "300", "okm": "1e9", "k": "500"})
    assert (state.capital_km, state.other_km, state.k) == (BOUNDS["capital_km"][1], BOUNDS["other_km"][1], BOUNDS["k"][1])
    state = from_params({"ckm": "nan", "okm": "inf"})
    assert (state.capital_km, state.other_km) == (ViewState().capital_km, ViewState().other_km)


def test_csv_export_neutralises_formulas():
    import pandas as pd

    from core.views.frames import to_csv_bytes

    frame = pd.DataFrame({"제목": ['=HYPERLINK("http://x","클릭")', "+1", "@SUM(A1)", "-2", "\tx", "정상 제목"], "점수": range(6)})
    text = to_csv_bytes(frame).decode("utf-8-sig")
    assert "\n=HYPERLINK" not in text and "'=HYPERLINK" in text
    assert "\n+1" not in text and "\n@SUM" not in text and "정상 제목" in text


def test_cli_refuses_out_of_range_numbers(capsys):
    import pytest

    from core.cli import main

    for bad in (["--k", "-3"], ["--other-km", "-5"], ["--other-km", "nan"]):
        with pytest.raises(SystemExit) as exit_info:
            main(["recommend", "--posting", "x", *bad])
        assert exit_info.value.code == 2
        assert "사이여야" in capsys.readouterr().err
