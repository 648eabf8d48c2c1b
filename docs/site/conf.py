# Sphinx configuration of the wtsadmin.rds documentation site, as `antsibull-docs sphinx-init` makes it for
# a collection, plus the hand-written guides (Markdown, read with MyST). scripts/docs.sh lays out the
# sources (the repository's README.md, docs/*.md, roles/*/README.md and examples/ at their repository
# paths, the pages antsibull-docs generates from the plugins under collections/) and builds with -W.

project = 'wtsadmin.rds'
copyright = '2026 wtsadmin.rds contributors'
title = 'wtsadmin.rds documentation'
html_short_title = 'wtsadmin.rds'

extensions = ['sphinx.ext.intersphinx', 'sphinx_antsibull_ext', 'myst_parser']
source_suffix = {'.rst': 'restructuredtext', '.md': 'markdown'}

pygments_style = 'ansible'
highlight_language = 'YAML+Jinja'

html_theme = 'sphinx_ansible_theme'
html_show_sphinx = False
display_version = False
html_use_smartypants = True
html_use_modindex = False
html_use_index = False
html_copy_source = False

# GitHub-style anchors, so that a guide's link to getting-started.md#4-permissions-per-operation works
# on the site as it does in the repository.
myst_heading_anchors = 4

# The build runs offline: no inventory of docs.ansible.com can be loaded. The generated plugin pages refer
# to a few pages there (plugins of other collections such as ansible.windows, the "action plugins" and "common
# return values" and configuration settings pages, ansible-core's environment variables); those references
# render as plain text.
# Every other reference, among them every link from a guide to a plugin page, must resolve.
intersphinx_mapping = {}
nitpicky = True
nitpick_ignore_regex = [
    ('std:ref', r'ansible_collections\.(?!wtsadmin\.rds\.).*'),  # plugins of other collections
    ('std:ref', r'action_plugins|common_return_values|ansible_configuration_settings'),
    ('std:envvar', r'ANSIBLE_.*'),
]

default_role = 'any'
