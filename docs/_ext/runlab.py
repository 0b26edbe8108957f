"""A "Run this lab" box at the top of every lab page: how to open the same notebook locally,
and on the class's hub when the site was built with LEAKLAB_HUB_URL."""

import html
import re

_LAB = re.compile(r"^labs/(\d\d_[a-z0-9_]+)$")


def _box(app, pagename, templatename, context, doctree):
    m = _LAB.match(pagename)
    if not m or "body" not in context:
        return
    nb = f"labs/{m.group(1)}.ipynb"
    hub = app.config.leaklab_hub_url.rstrip("/")
    links = [f"locally: <code>make lab</code>, then open <code>{html.escape(nb)}</code>"]
    if hub:
        links.append(f'<a href="{html.escape(hub)}/hub/user-redirect/lab/tree/{html.escape(nb)}">on the class hub</a>')
    box = (f'<div class="leaklab-run admonition tip"><p class="admonition-title">Run this lab</p>'
           f'<p>{" · ".join(links)}. This page shows one run of it on Go 1.27; your numbers will '
           f'differ a little, your verdicts should not.</p></div>')
    body = context["body"]
    at = body.find("</h1>")  # under the title
    context["body"] = body[:at + 5] + box + body[at + 5:] if at >= 0 else box + body


def setup(app):
    app.add_config_value("leaklab_hub_url", "", "html")
    app.connect("html-page-context", _box)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
