"""Tables the team makes where the signal is in a date, in free text, in odd numbers or where a
class is tiny: as frames and as the CSV bytes a user would upload (issue 13's fixtures)."""

from __future__ import annotations

import numpy as np
import pandas as pd


def weather_table(seed: int = 0, n: int = 2000) -> pd.DataFrame:
    """Daily weather whose class follows the season, a warming trend and a weekend effect.

    Dates are day/month/year text with 12 malformed cells; 'wind' is a weak numeric feature.
    """
    rng = np.random.default_rng(seed)
    days = pd.Timestamp("2015-01-01") + pd.to_timedelta(rng.integers(0, 6 * 365, n), unit="D")
    day_of_year = days.day_of_year.to_numpy()
    season = np.cos(2 * np.pi * (day_of_year - 200) / 365.25)
    trend = (days.year.to_numpy() + day_of_year / 365.25 - 2018) / 2
    weekend = (days.day_of_week.to_numpy() >= 5) * 0.8
    score = 1.5 * season + trend + weekend + rng.normal(0, 0.7, n)
    label = np.where(score > 0.8, "hot", np.where(score < -0.8, "cold", "mild"))
    when = pd.Series(days.strftime("%d/%m/%Y"), dtype=object)
    when.iloc[rng.choice(n, 12, replace=False)] = "32/13/2019"
    wind = rng.normal(size=n) + 0.3 * (label == "hot")
    return pd.DataFrame({"when": when, "wind": wind, "weather": label})


GOOD = ["love", "enjoy", "recommend", "delight", "impress", "satisf", "adore", "prais"]
BAD = ["disappoint", "annoy", "frustrat", "regret", "fail", "complain", "hate", "return"]
ENDINGS = ["", "e", "s", "ed", "ing", "es", "ingly", "ful", "ment"]
FILLER = [
    *["the", "a", "it", "this", "product", "item", "was", "is", "and", "i", "my", "for"],
    *["with", "very", "really", "quite", "after", "days", "week", "box", "arrived", "color"],
    *["size", "price", "kitchen", "gift", "daughter", "son", "works"],
]


def review_table(seed: int = 0, n: int = 600) -> pd.DataFrame:
    """Product reviews scored great/other; the signal is in words written in many forms."""
    rng = np.random.default_rng(seed)
    label = np.where(rng.random(n) < 0.45, "great", "other")
    reviews = []
    for cls in label:
        words = list(rng.choice(FILLER, size=rng.integers(5, 12)))
        main, other = (GOOD, BAD) if cls == "great" else (BAD, GOOD)
        for _ in range(rng.integers(1, 3)):
            word = str(rng.choice(main)) + str(rng.choice(ENDINGS))
            words.insert(rng.integers(0, len(words) + 1), word)
        if rng.random() < 0.35:  # a word of the other side, negated
            word = "not " + str(rng.choice(other)) + str(rng.choice(ENDINGS))
            words.insert(rng.integers(0, len(words) + 1), word)
        reviews.append(" ".join(words))
    reviews[3] = None  # a missing review is empty text
    return pd.DataFrame({"review": reviews, "score": label})


def ticket_table(seed: int = 0, n: int = 400) -> pd.DataFrame:
    """Support tickets: the team that solves one is in its message, barely in its numbers.

    The message is free text beside a usable numeric column, so text is not a default feature
    but one click away.
    """
    rng = np.random.default_rng(seed)
    words = {
        "billing": ["invoice", "refund", "charged", "payment", "receipt", "card"],
        "network": ["wifi", "router", "offline", "latency", "signal", "vpn"],
        "account": ["password", "login", "locked", "username", "reset", "email"],
    }
    team = rng.choice(list(words), n)
    messages = []
    for t in team:
        picked = [str(w) for w in rng.choice(words[t], size=2, replace=False)]
        filler = [str(w) for w in rng.choice(FILLER, size=rng.integers(3, 8))]
        messages.append(" ".join(filler[:2] + picked[:1] + filler[2:] + picked[1:]))
    waited = rng.exponential(3.0, n).round(1) + (team == "network") * 0.5
    return pd.DataFrame({"message": messages, "hours_waited": waited, "team": team})


def odd_numbers_csv(seed: int = 0, n: int = 240) -> bytes:
    """A numeric signal beside columns holding inf, -inf, Infinity, 1e309, 1e308 and subnormals."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    label = np.where(x + rng.normal(0, 0.5, n) > 0, "up", "down")
    size = rng.normal(10, 2, n).round(3).astype(object)
    huge = (rng.normal(size=n) * 1e307).astype(object)
    tiny = (rng.normal(size=n) * 1e-310).astype(object)
    for column, values in (
        (size, ["inf", "-inf", "Infinity", "-Infinity", "1e309", "-1e309"]),
        (huge, ["1e308", "-1e308", "1.7976931348623157e308", "inf"]),
        (tiny, ["5e-324", "-5e-324", "2.2250738585072014e-308"]),
    ):
        column[rng.choice(n, len(values), replace=False)] = values
    frame = pd.DataFrame({"x": x.round(4), "size": size, "huge": huge, "tiny": tiny})
    frame["direction"] = label
    return frame.to_csv(index=False).encode("utf-8")


def small_class_csv(seed: int = 0, n: int = 230) -> bytes:
    """Three classes that numbers tell apart, and a fourth with only 5 rows."""
    rng = np.random.default_rng(seed)
    kind = np.array(["car", "van", "truck"])[rng.integers(0, 3, n)]
    weight = {"car": 1.2, "van": 2.2, "truck": 6.0}
    tons = np.array([weight[k] for k in kind]) + rng.normal(0, 0.6, n)
    seats = np.array([{"car": 5, "van": 8, "truck": 2}[k] for k in kind]) + rng.integers(0, 2, n)
    frame = pd.DataFrame({"tons": tons.round(2), "seats": seats, "kind": kind})
    frame.loc[frame.index[:5], "kind"] = "bus"
    return frame.to_csv(index=False).encode("utf-8")


def csv_of(frame: pd.DataFrame) -> bytes:
    """A frame as the CSV bytes a user would upload."""
    return frame.to_csv(index=False).encode("utf-8")


def new_rows(raw: bytes, target: str, *, rows: int = 25) -> bytes:
    """A "new file": the last rows of a CSV without its target column."""
    import io

    frame = pd.read_csv(io.BytesIO(raw), dtype=str, keep_default_na=False)
    return frame.drop(columns=[target]).tail(rows).to_csv(index=False).encode("utf-8")
