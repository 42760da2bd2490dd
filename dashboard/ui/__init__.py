"""The only Streamlit-aware package: everything the pages share.

- :mod:`~dashboard.ui.state`: typed access to the session's plain keys and the page hand-offs;
- :mod:`~dashboard.ui.guards`: the error guards, and the table or model a page needs;
- :mod:`~dashboard.ui.training_run`: training in the background behind the server-wide gate,
  its progress on every page, Stop;
- :mod:`~dashboard.ui.memo`: what is computed once per model, keyed by its ``model_id``;
- :mod:`~dashboard.ui.downloads`: the download buttons;
- :mod:`~dashboard.ui.urls`: shareable links (the page and the setup in the URL's query);
- :mod:`~dashboard.ui.text`: user text made inert for markdown;
- :mod:`~dashboard.ui.paths`: the page scripts;
- :mod:`~dashboard.ui.views`: reusable page sections.
"""

from dashboard.ui.guards import fragment, guarded, show_error
from dashboard.ui.text import escape_markdown

__all__ = ["escape_markdown", "fragment", "guarded", "show_error"]
