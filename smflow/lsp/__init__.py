"""The language server (``smflow lsp``): what the checker knows, while the runbook is typed.

Layout, one way: ``analysis`` (text → AST, diagnostics and a name index; pure), ``types`` (the
type of a binding, worked out on demand), ``context`` (what the cursor is in, read from the raw
text so that it works on text that does not parse), ``features`` (completion, hover,
definition, references, rename, symbols as plain values), and ``server`` (the pygls wiring,
the only module that imports pygls).
"""
