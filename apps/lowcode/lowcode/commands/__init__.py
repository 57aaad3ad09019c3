"""`bench` — the command line (python -m lowcode.commands). Run `./bench --help`."""
