"""Turning user text (file names, column names, values) into inert markdown."""

from __future__ import annotations

import string

_PUNCTUATION = frozenset(string.punctuation)


def escape_markdown(text: object) -> str:
    """Return ``text`` so that Streamlit's markdown shows it literally.

    Every ASCII punctuation character gets a backslash (CommonMark's escape), which also
    defuses links, images, emphasis, HTML, Streamlit's ``:color[...]`` directives and ``$`` maths.
    Bare URLs, ``www.`` names and e-mail addresses, which GitHub-flavoured markdown links even
    when escaped, get a zero-width space. Line breaks become spaces so user text cannot start a
    heading or a list.

    Examples
    --------
    >>> escape_markdown("**bold** [x](y)")
    '\\\\*\\\\*bold\\\\*\\\\* \\\\[x\\\\]\\\\(y\\\\)'
    >>> "\\u200b" in escape_markdown("see http://x.invalid")
    True
    """
    # GFM turns bare URLs, www. names and e-mail addresses into links even when escaped:
    # a zero-width space breaks the pattern without changing what the reader sees.
    raw = str(text)
    for pattern, broken in (("://", ":\u200b//"), ("www.", "www\u200b."), ("@", "@\u200b")):
        raw = raw.replace(pattern, broken).replace(pattern.upper(), broken.upper())
    out = []
    for ch in raw:
        if ch in _PUNCTUATION:
            out.append("\\" + ch)
        elif ch in "\r\n":
            out.append(" ")
        else:
            out.append(ch)
    return "".join(out)
