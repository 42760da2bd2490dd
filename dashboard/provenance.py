"""What data a model was trained on, and whether it still matches the table and target in use."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["DataOrigin", "stale_model_message"]


@dataclass(frozen=True, kw_only=True)
class DataOrigin:
    """The table a model was trained on: its name, its fingerprint and its shape.

    Parameters
    ----------
    name : str
        The file name (or the sample's title) the user saw.
    sha256 : str
        The SHA-256 of the uploaded bytes, or of a bundled sample's contents ("" when unknown).
    rows, columns : int
        The table's shape when the model was trained.

    Examples
    --------
    >>> origin = DataOrigin(name="iris.csv", sha256="ab" * 32, rows=150, columns=5)
    >>> DataOrigin.from_stored(origin.as_stored()) == origin
    True
    >>> DataOrigin.from_stored({"name": 3, "rows": -1})  # damaged or missing: unknown
    DataOrigin(name='', sha256='', rows=0, columns=0)
    """

    name: str = ""
    sha256: str = ""
    rows: int = 0
    columns: int = 0

    @classmethod
    def of(cls, loaded: Any) -> DataOrigin:
        """The origin of a loaded table (:class:`dashboard.data.LoadedTable`)."""
        rows, columns = loaded.table.shape
        return cls(name=str(loaded.name), sha256=str(loaded.sha256), rows=rows, columns=columns)

    def as_stored(self) -> dict:
        """Plain values, as a model file keeps them."""
        return {
            "name": self.name,
            "sha256": self.sha256,
            "rows": self.rows,
            "columns": self.columns,
        }

    @classmethod
    def from_stored(cls, value: Any) -> DataOrigin:
        """Read back :meth:`as_stored`; anything malformed (an older or edited file) is unknown."""
        if not isinstance(value, dict):
            return cls()
        name, sha, rows, columns = (value.get(k) for k in ("name", "sha256", "rows", "columns"))
        if not (isinstance(name, str) and isinstance(sha, str)):
            return cls()
        counts = [rows, columns]
        if not all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in counts):
            return cls()
        return cls(name=name[:500], sha256=sha[:64], rows=rows, columns=columns)


def stale_model_message(model: Any, loaded: Any, *, target: str | None = None) -> str | None:
    """Say, in one sentence, why ``model`` does not belong to the table and target in use.

    Parameters
    ----------
    model : TrainedModel or SavedModel
        Anything with ``origin`` (:class:`DataOrigin`) and ``target``.
    loaded : LoadedTable or None
        The table loaded now (``name`` and ``sha256``).
    target : str, optional
        The target chosen now; None when no target is chosen.

    Returns
    -------
    str or None
        None when the model was trained on this table (same fingerprint) for this target, or
        when there is nothing to compare (no table loaded, a model of unknown origin).

    Examples
    --------
    >>> from types import SimpleNamespace as T
    >>> model = T(origin=DataOrigin(name="penguins.csv", sha256="a"), target="species")
    >>> stale_model_message(model, T(name="starwars.csv", sha256="b"))
    'This model was trained on penguins.csv to predict species; the loaded table is starwars.csv.'
    >>> stale_model_message(model, T(name="penguins.csv", sha256="a"), target="island")
    'This model was trained on penguins.csv to predict species; the target chosen now is island.'
    >>> stale_model_message(model, T(name="penguins.csv", sha256="a"), target="species") is None
    True
    """
    origin = getattr(model, "origin", None)
    if loaded is None or origin is None or not origin.sha256:
        return None
    trained = (
        f"This model was trained on {origin.name or 'another table'} to predict {model.target}"
    )
    if loaded.sha256 != origin.sha256:
        if loaded.name == origin.name:
            return f"{trained}; the loaded table is another {loaded.name}, with other contents."
        return f"{trained}; the loaded table is {loaded.name}."
    if target is not None and target != model.target:
        return f"{trained}; the target chosen now is {target}."
    return None
