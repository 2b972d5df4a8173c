from core.views.links import ViewState, from_params, to_params


def test_view_state_round_trips_through_the_url():
    state = ViewState(posting="demo:K1", model="hybrid", analyser="kiwi", k=7, distance=False, capital_km=30.0,
                      education=False)
    assert from_params(to_params(state)) == state


def test_malformed_link_falls_back_to_defaults():
    state = from_params({"k": "many", "model": "gpt", "ckm": "-5", "dist": "0"})
    assert state.k == ViewState().k and state.model == ViewState().model
    assert state.capital_km == 1.0 and state.distance is False  # clamped, not crashed
