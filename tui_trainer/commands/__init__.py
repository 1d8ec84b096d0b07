"""Subcommands of `tui-trainer`: each module has `register(parser, subparsers)`.

`register` receives the top-level parser too (the "app" module adds the options that start the
Textual trainer there) and the subparsers object for its own subcommand; it sets
`handler=run_function` with `set_defaults`. Keep module-level imports light.
"""
