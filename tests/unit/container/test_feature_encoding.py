"""One category set for every frame a projection model fits or scores."""

import numpy as np
import pandas as pd

from drift_monitor import feature_encoding
from drift_monitor.feature_encoding import OTHER, category_dtypes, encode


def test_unknown_categories_become_missing_and_numbers_float():
    fitted = pd.DataFrame({"colour": ["red", "blue", None], "n": [1, 2, 3]})
    dtypes = category_dtypes(fitted)
    assert list(dtypes) == ["colour"]
    encoded = encode(pd.DataFrame({"colour": ["blue", "green", None], "n": [4, 5, 6]}), dtypes)
    assert encoded["colour"].tolist()[0] == "blue"
    assert encoded["colour"].isna().tolist() == [False, True, True]
    assert encoded["n"].dtype == np.float64


def test_rare_categories_beyond_the_limit_share_other(monkeypatch):
    monkeypatch.setattr(feature_encoding, "MAX_CATEGORIES", 2)
    frame = pd.DataFrame({"c": ["a"] * 5 + ["b"] * 3 + ["c", "d"]})
    dtypes = category_dtypes(frame)
    assert list(dtypes["c"].categories) == ["a", "b", OTHER]
    assert encode(pd.DataFrame({"c": ["d", "zzz", "a"]}), dtypes)["c"].tolist() == [
        OTHER,
        OTHER,
        "a",
    ]
