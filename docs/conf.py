"""Sphinx configuration of the Go Leak Lab site: MyST-NB renders the executed notebooks (never
executes them), the book theme gives navigation, per-page contents and search. `docs/build.py`
stages the notebooks and the generated landing page next to this file and runs Sphinx."""

import os

project = "Go Leak Lab"
author = "Go Leak Lab"
copyright = "Go Leak Lab"
extensions = ["myst_nb", "runlab"]
exclude_patterns = ["_build", "**.ipynb_checkpoints"]
nb_execution_mode = "off"            # the notebooks were executed once, by `make run-all`
nb_output_stderr = "remove"          # warnings of the building machine are not content
nb_merge_streams = True
nb_render_image_options = {"loading": "lazy"}
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3
suppress_warnings = ["mystnb.unknown_mime_type", "myst.header"]  # the lab's verdict records are data
html_theme = "sphinx_book_theme"
html_title = "Go Leak Lab"
html_static_path = ["_static"]
html_css_files = ["leaklab.css"]
html_show_sourcelink = False
html_copy_source = False
html_last_updated_fmt = None
html_context = {"default_mode": "light"}
html_theme_options = {
    "show_toc_level": 2,
    "home_page_in_toc": True,
    "use_download_button": False,
    "use_fullscreen_button": False,
    "show_navbar_depth": 2,
}
# "Run this lab" on every lab page: locally always; on a hub when the site is built for one.
leaklab_hub_url = os.environ.get("LEAKLAB_HUB_URL", "")
html_show_search_summary = False  # summaries fetch pages with fetch(), which file:// refuses
