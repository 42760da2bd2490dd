"""Reusable page sections: a page calls these so that it stays a short script."""
